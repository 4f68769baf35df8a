"""The Tensor: introspection, conversions, Python protocols, printing, .data and clone."""
import numpy as np
import pytest

import engine
from torch_compat import assert_same_error, assert_same_tensor, outcome, torch  # noqa: F401


def test_shape_and_size_are_size_tuples():
    t = engine.zeros(2, 3, 4)
    assert type(t.shape) is engine.Size and isinstance(t.shape, tuple)
    assert t.shape == (2, 3, 4) and t.size() == t.shape and type(t.size()) is engine.Size
    assert t.size(0) == 2 and t.size(-1) == 4 and type(t.size(1)) is int
    assert repr(t.shape) == "torch.Size([2, 3, 4])" and repr(engine.zeros(()).shape) == "torch.Size([])"
    assert type(t.shape[1:]) is engine.Size and t.shape[1:] == (3, 4)
    assert t.shape.numel() == 24 and engine.Size([2, 5]).numel() == 10
    assert type(t.shape + (5,)) is engine.Size


def test_introspection():
    t = engine.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.dtype is engine.float32 and t.dim() == 2 and t.ndim == 2 and t.ndimension() == 2
    assert t.numel() == 6 and t.nelement() == 6 and engine.numel(t) == 6 and t.element_size() == 4
    assert len(t) == 2 and t.is_floating_point() and not engine.tensor([1]).is_floating_point()
    assert t.stride() == (3, 1) and t.t().stride() == (1, 3) and t.stride(0) == 3
    assert t.is_contiguous() and not t.t().is_contiguous()
    assert t.type() == "torch.FloatTensor" and engine.tensor([1]).type() == "torch.LongTensor"
    assert engine.is_tensor(t) and not engine.is_tensor([1])


def test_device_is_the_cpu():
    t = engine.ones(2)
    assert t.device == engine.device("cpu") and t.device == "cpu" and str(t.device) == "cpu"
    assert repr(t.device) == "device(type='cpu')" and not t.is_cuda
    assert t.cpu() is t and t.to("cpu") is t
    assert not engine.cuda.is_available()


def test_introspection_matches_torch(torch):
    for make in (lambda lib: lib.zeros(2, 3, 4), lambda lib: lib.zeros(2, 3, 4).transpose(0, 2),
                 lambda lib: lib.zeros(4, 6)[1:, ::2], lambda lib: lib.tensor(3), lambda lib: lib.zeros(5, 1).expand(5, 3)):
        ours, theirs = make(engine), make(torch)
        assert ours.shape == theirs.shape and ours.stride() == theirs.stride()
        assert ours.is_contiguous() == theirs.is_contiguous() and ours.dim() == theirs.dim()
        assert ours.numel() == theirs.numel() and ours.element_size() == theirs.element_size()
        assert repr(ours.shape) == repr(theirs.shape) and repr(ours.device) == repr(theirs.device)
    for dim in (3, -4):
        assert_same_error(outcome(lambda: engine.zeros(2, 3, 4).size(dim)), outcome(lambda: torch.zeros(2, 3, 4).size(dim)))


def test_item_and_tolist_give_python_numbers():
    assert engine.tensor(2.5).item() == 2.5 and type(engine.tensor(2.5).item()) is float
    assert type(engine.tensor([7]).item()) is int and type(engine.tensor([[True]]).item()) is bool
    nested = engine.tensor([[1, 2], [3, 4]]).tolist()
    assert nested == [[1, 2], [3, 4]] and type(nested[0][0]) is int
    assert engine.tensor(1.5).tolist() == 1.5


def test_python_number_conversions():
    assert float(engine.tensor([2.5])) == 2.5 and int(engine.tensor(3.9)) == 3 and bool(engine.tensor([0.0])) is False
    assert bool(engine.tensor(1)) is True
    assert [10, 20, 30][engine.tensor(1)] == 20  # __index__
    assert f"{engine.tensor(3.14159):.2f}" == "3.14"


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.0, 2.0]).item(), lambda lib: float(lib.tensor([1.0, 2.0])),
    lambda lib: int(lib.tensor([1, 2])), lambda lib: bool(lib.tensor([1, 2])), lambda lib: len(lib.tensor(1.0)),
    lambda lib: iter(lib.tensor(1.0)), lambda lib: [1, 2][lib.tensor(1.0)], lambda lib: [1, 2][lib.tensor([0, 1])],
    lambda lib: lib.tensor([]).item(),
])
def test_conversion_errors_match_torch(call, torch):
    assert_same_error(outcome(lambda: call(engine)), outcome(lambda: call(torch)))


def test_conversion_error_messages():
    with pytest.raises(RuntimeError, match="^a Tensor with 2 elements cannot be converted to Scalar$"):
        engine.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="^Boolean value of Tensor with more than one value is ambiguous$"):
        bool(engine.tensor([1, 2]))


def test_iteration_unbinds_the_first_dimension():
    rows = list(engine.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]


# ------------------------------------------------------------------------ NumPy
def test_numpy_shares_memory():
    t = engine.tensor([1.0, 2.0, 3.0])
    array = t.numpy()
    array[0] = 10.0
    assert t[0].item() == 10.0
    t.mul_(2)
    assert array.tolist() == [20.0, 4.0, 6.0]


def test_numpy_refuses_a_tensor_that_requires_grad():
    t = engine.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^Can't call numpy\(\) on Tensor that requires grad. "
                                           r"Use tensor.detach\(\).numpy\(\) instead.$"):
        t.numpy()
    assert t.detach().numpy().tolist() == [1.0, 1.0]
    assert np.asarray(t.detach()).dtype == np.float32


def test_numpy_error_matches_torch(torch):
    assert_same_error(outcome(lambda: engine.ones(2, requires_grad=True).numpy()),
                      outcome(lambda: torch.ones(2, requires_grad=True).numpy()))


# ------------------------------------------------------------------ conversions
def test_to_dtype_and_the_shorthand_methods():
    t = engine.tensor([1.5, -2.5])
    assert t.to(engine.float32) is t and t.float() is t
    assert t.to(engine.float64).dtype is engine.float64 and t.double().dtype is engine.float64
    assert t.long().tolist() == [1, -2] and t.int().dtype is engine.int32
    assert t.bool().tolist() == [True, True] and t.half().dtype is engine.float16
    assert t.to(engine.tensor([1])).dtype is engine.int64  # to(other) takes other's dtype
    assert t.to("cpu", engine.float64).dtype is engine.float64
    copy = t.to(engine.float32, copy=True)
    assert copy is not t and copy.tolist() == t.tolist()
    assert t.type(engine.float64).dtype is engine.float64


def test_to_matches_torch(torch):
    for dtype in ("float16", "float32", "float64", "int64", "int32", "uint8", "bool"):
        assert_same_tensor(engine.tensor([1.7, -2.2, 0.0]).to(getattr(engine, dtype)),
                           torch.tensor([1.7, -2.2, 0.0]).to(getattr(torch, dtype)))
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == torch.tensor([1.0], requires_grad=True).double().grad_fn.name()
    y.sum().backward()
    assert x.grad.dtype is engine.float32 and x.grad.tolist() == [1.0, 1.0]


def test_clone_copies_memory_and_keeps_the_graph():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.grad_fn.name() == "CloneBackward0" and not np.shares_memory(x.detach().numpy(), y.detach().numpy())
    (y * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    z = engine.tensor([1, 2]).clone()
    z[0] = 5
    assert z.tolist() == [5, 2]


def test_data_shares_memory_outside_autograd():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 9.0
    assert x[0].item() == 9.0
    x.data = engine.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0] and x.requires_grad


def test_data_set_matches_torch(torch):
    x, tx = engine.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    x.data = engine.ones(3)
    tx.data = torch.ones(3)
    assert_same_tensor(x.detach(), tx.detach())
    assert x.shape == tx.shape and x.requires_grad == tx.requires_grad


# ------------------------------------------------------------------------ repr
REPRS = [
    lambda lib: lib.tensor([1.0, 2.0]),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda lib: (lib.tensor([1.0, 2.0], requires_grad=True) ** 2).sum(),
    lambda lib: lib.tensor([[1.0, 2.0]], dtype=lib.float64, requires_grad=True).t(),
    lambda lib: lib.tensor([1, 2]),
    lambda lib: lib.tensor(3.5, requires_grad=True),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).detach(),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True)[0],
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).max(dim=0),
    lambda lib: lib.tensor([[1.0, 2.0], [3.0, 0.5]], requires_grad=True).min(1),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).split(1),
    lambda lib: lib.zeros(2, 0, requires_grad=True),
    lambda lib: lib.tensor([1e-8, 1.0], requires_grad=True).exp(),
]


@pytest.mark.parametrize("make", REPRS)
def test_repr_matches_torch(make, torch):
    assert repr(make(engine)) == repr(make(torch))
    assert str(make(engine)) == str(make(torch))


def test_repr_shows_grad_fn_and_requires_grad():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x + 1) == "tensor([2., 3.], grad_fn=<AddBackward0>)"
    assert repr(engine.tensor([1, 2], dtype=engine.float64)) == "tensor([1., 2.], dtype=torch.float64)"
    with engine.no_grad():
        assert repr(x + 1) == "tensor([2., 3.])"
