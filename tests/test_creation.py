"""Making tensors: from data, filled, evenly spaced, random, and sharing memory with NumPy.

Deterministic creators are compared with torch (values and dtypes); the random ones draw
from NumPy's generator, so their numbers differ from torch's by design (engine/random.py):
for those the tests check the documented behaviour (seeded determinism, shape, dtype,
range and rough distribution).
"""
import warnings

import numpy as np
import pytest

import engine
from torch_compat import assert_same_error, assert_same_tensor, outcome, torch  # noqa: F401

DATA = [
    3, 2.5, True, [1, 2, 3], [1.0, 2.0], [True, False], [1, 2.5], [True, 2], [True, 2.5],
    [[1, 2], [3, 4]], [[1.5], [2]], [[[1], [2]], [[3], [4]]], (1, 2), [(1, 2), (3, 4)], [], [[], []],
    np.array([1, 2], dtype=np.int32), np.array([1.5], dtype=np.float64), np.array([1, 2], dtype=np.uint8),
    np.array([[True]]), np.float64(1.5), np.int16(7), [np.float32(1), 2], [np.int32(1), 2.5], np.array(3.0),
]


@pytest.mark.parametrize("data, dtype", [
    ([1, 2], engine.int64), ([1.0, 2], engine.float32), ([True, False], engine.bool), (7, engine.int64),
    (7.0, engine.float32), (False, engine.bool), ([[1, 2], [3, 4.5]], engine.float32), ([], engine.float32),
    (np.array([1, 2], dtype=np.int32), engine.int32), (np.array([1.0], dtype=np.float64), engine.float64),
    (np.array([1.0], dtype=np.float16), engine.float16), (np.float64(2.0), engine.float64),
])
def test_tensor_infers_torchs_dtype(data, dtype):
    assert engine.tensor(data).dtype is dtype


def test_tensor_from_nested_lists_has_their_shape_and_values():
    t = engine.tensor([[[1, 2, 3], [4, 5, 6]]])
    assert t.shape == (1, 2, 3) and t.tolist() == [[[1, 2, 3], [4, 5, 6]]]


def test_tensor_copies_its_data():
    array = np.array([1.0, 2.0])
    t = engine.tensor(array)
    array[0] = 99.0
    assert t.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_from_data_matches_torch(data, torch):
    assert_same_tensor(engine.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("data, dtype", [([1, 2], "float64"), ([1.7, -2.2], "int32"), ([0, 2], "bool"),
                                         (np.array([1.5]), "int64"), (3, "float16")])
def test_tensor_with_dtype_matches_torch(data, dtype, torch):
    assert_same_tensor(engine.tensor(data, dtype=getattr(engine, dtype)), torch.tensor(data, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1], 2], [[1.5], 2.5], "abc", [[1, 2], [3, 4, 5]], {1: 2}, None,
                                  [1.5, [2.5]]], ids=repr)
def test_bad_data_raises_as_torch(data, torch):
    assert_same_error(outcome(lambda: engine.tensor(data)), outcome(lambda: torch.tensor(data)))


def test_a_list_where_numbers_were_raises_type_error(torch):
    """torch words this one by the dtype it was filling; the engine always uses the float wording."""
    for data in ([1, [2]], [True, [False]], [1.5, [2.5]]):
        ours, theirs = outcome(lambda: engine.tensor(data)), outcome(lambda: torch.tensor(data))
        assert type(ours[1]) is type(theirs[1]) is TypeError


def test_bad_data_messages():
    with pytest.raises(ValueError, match=r"^expected sequence of length 2 at dim 1 \(got 1\)$"):
        engine.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match=r"^new\(\): invalid data type 'str'$"):
        engine.tensor("abc")


def test_tensor_of_a_tensor_warns_and_copies():
    source = engine.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="To copy construct from a tensor, it is recommended to use "
                                         r"sourceTensor.clone\(\).detach\(\)"):
        copy = engine.tensor(source)
    copy[0] = 5.0
    assert source.tolist() == [1.0, 2.0]


def test_requires_grad_at_creation():
    assert engine.tensor([1.0], requires_grad=True).requires_grad
    assert engine.zeros(2, requires_grad=True).is_leaf
    with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype can require gradients$"):
        engine.tensor([1, 2], requires_grad=True)


# ------------------------------------------------------------------ legacy Tensor()
def test_legacy_constructor_with_sizes_is_float32_and_uninitialised():
    t = engine.Tensor(2, 3)
    assert t.shape == (2, 3) and t.dtype is engine.float32
    assert engine.Tensor().shape == (0,)
    assert engine.Tensor(engine.Size([4, 1])).shape == (4, 1)


def test_legacy_constructor_with_data_is_float():
    t = engine.Tensor([1, 2, 3])
    assert t.dtype is engine.float32 and t.tolist() == [1.0, 2.0, 3.0]
    assert engine.Tensor([[True, False]]).dtype is engine.float32


def test_legacy_constructor_matches_torch(torch):
    for args in [(2, 3), (0,), ()]:
        assert tuple(engine.Tensor(*args).shape) == tuple(torch.Tensor(*args).shape)
        assert engine.Tensor(*args).dtype.name == str(torch.Tensor(*args).dtype).removeprefix("torch.")
    assert_same_tensor(engine.Tensor([1, 2]), torch.Tensor([1, 2]))
    assert_same_error(outcome(lambda: engine.Tensor(2, -1)), outcome(lambda: torch.Tensor(2, -1)))


# ---------------------------------------------------------------------- filled
@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, 3), lambda lib: lib.zeros((2, 3)), lambda lib: lib.zeros([4]), lambda lib: lib.zeros(()),
    lambda lib: lib.ones(2, dtype=lib.int32), lambda lib: lib.ones(lib.Size([1, 2])), lambda lib: lib.zeros(0, 3),
    lambda lib: lib.full((2, 2), 7), lambda lib: lib.full((2,), 1.5), lambda lib: lib.full((1,), True),
    lambda lib: lib.full([3], 2, dtype=lib.float64), lambda lib: lib.full((), -1.0),
    lambda lib: lib.eye(3), lambda lib: lib.eye(2, 4), lambda lib: lib.eye(3, dtype=lib.int64),
    lambda lib: lib.zeros_like(lib.tensor([[1, 2]])), lambda lib: lib.ones_like(lib.tensor([1.5]), dtype=lib.float64),
    lambda lib: lib.full_like(lib.tensor([1, 2]), 3), lambda lib: lib.full_like(lib.tensor([1, 2]), 2.7),
    lambda lib: lib.full_like(lib.tensor([1.0, 2]), 2.5),
])
def test_filled_tensors_match_torch(make, torch):
    assert_same_tensor(make(engine), make(torch))


def test_empty_has_shape_and_dtype():
    t = engine.empty(2, 3, dtype=engine.float64)
    assert t.shape == (2, 3) and t.dtype is engine.float64
    like = engine.empty_like(engine.tensor([[1, 2]]))
    assert like.shape == (1, 2) and like.dtype is engine.int64


@pytest.mark.parametrize("args, kwargs", [
    ((5,), {}), ((2, 7), {}), ((0, 1, 0.1), {}), ((1, 2.5, 0.5), {}), ((10, 0, -3), {}), ((0, 5), {"dtype": "float32"}),
    ((0.0, 1.0, 0.3), {}), ((-1, 1, 0.25), {"dtype": "float64"}), ((3,), {"dtype": "int32"}), ((0, 0),  {}),
    ((1, 10, 3),  {}), ((0.5,), {}),
])
def test_arange_matches_torch(args, kwargs, torch):
    ours = engine.arange(*args, **{k: getattr(engine, v) for k, v in kwargs.items()})
    theirs = torch.arange(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    assert_same_tensor(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 2, 4), (0, 1, 1), (3, 3, 3), (0, 1, 0), (1, 0, 7), (0, 10, 11)])
def test_linspace_matches_torch(args, torch):
    assert_same_tensor(engine.linspace(*args), torch.linspace(*args), rtol=1e-6, atol=1e-7)
    assert_same_tensor(engine.linspace(*args, dtype=engine.float64), torch.linspace(*args, dtype=torch.float64))


def test_arange_and_linspace_documented_values():
    assert engine.arange(4).tolist() == [0, 1, 2, 3] and engine.arange(4).dtype is engine.int64
    assert engine.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert engine.arange(0, 1, 0.25).dtype is engine.float32
    assert engine.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(-1), lambda lib: lib.ones(2, -3), lambda lib: lib.arange(0, 10, 0),
    lambda lib: lib.arange(0, 10, -1), lambda lib: lib.linspace(0, 1, -1), lambda lib: lib.full((2,), [1, 2]),
    lambda lib: lib.randint(5, 2, (3,)), lambda lib: lib.eye(-1), lambda lib: lib.eye(2, -3),
    lambda lib: lib.full((2,), "a"),
])
def test_creation_errors_match_torch(make, torch):
    assert_same_error(outcome(lambda: make(engine)), outcome(lambda: make(torch)))


@pytest.mark.parametrize("make", [lambda lib: lib.zeros(2.5), lambda lib: lib.ones(2, 2.5), lambda lib: lib.rand(True)])
def test_sizes_that_are_not_ints_raise_type_error(make, torch):
    """torch's argument parser words these by overload; the engine says the same thing more plainly."""
    ours, theirs = outcome(lambda: make(engine)), outcome(lambda: make(torch))
    assert type(ours[1]) is type(theirs[1]) is TypeError


def test_creation_error_messages():
    with pytest.raises(RuntimeError, match=r"^Trying to create tensor with negative dimension -1: \[-1\]$"):
        engine.ones(-1)
    with pytest.raises(RuntimeError, match=r"^zeros: Dimension size must be non-negative.$"):
        engine.zeros(2, -1)
    with pytest.raises(RuntimeError, match="^step must be nonzero$"):
        engine.arange(0, 10, 0)
    with pytest.raises(RuntimeError, match="^upper bound and lower bound inconsistent with step sign$"):
        engine.arange(0, 10, -1)


# ---------------------------------------------------------------------- random
@pytest.mark.parametrize("make", [
    lambda: engine.rand(3, 4), lambda: engine.randn(5), lambda: engine.randint(0, 10, (6,)), lambda: engine.randperm(8),
    lambda: engine.rand_like(engine.zeros(2, 2)), lambda: engine.randn_like(engine.zeros(3)),
    lambda: engine.randint_like(engine.zeros(4), 3), lambda: engine.normal(0.0, 1.0, (3,)),
    lambda: engine.empty(4).uniform_(-1, 1), lambda: engine.empty(4).normal_(2, 3),
])
def test_manual_seed_makes_random_numbers_repeat(make):
    engine.manual_seed(1234)
    first = make()
    second = make()
    engine.manual_seed(1234)
    again = make()
    assert engine.equal(first, again)
    assert not engine.equal(first, second)


def test_manual_seed_returns_a_generator_and_is_remembered():
    generator = engine.manual_seed(42)
    assert isinstance(generator, engine.Generator)
    assert engine.initial_seed() == 42


def test_generator_objects_are_independent_streams():
    g = engine.Generator().manual_seed(7)
    a = engine.rand(3, generator=g)
    engine.manual_seed(0)
    engine.rand(100)  # the default stream moves; g's does not
    b = engine.rand(3, generator=engine.Generator().manual_seed(7))
    assert engine.equal(a, b)


def test_random_shapes_dtypes_and_ranges():
    engine.manual_seed(0)
    u = engine.rand(20000)
    assert u.dtype is engine.float32 and u.shape == (20000,)
    assert 0.0 <= u.min().item() and u.max().item() < 1.0 and abs(u.mean().item() - 0.5) < 0.02
    n = engine.randn(20000, dtype=engine.float64)
    assert n.dtype is engine.float64 and abs(n.mean().item()) < 0.05 and abs(n.std().item() - 1) < 0.05
    i = engine.randint(3, 7, (1000,))
    assert i.dtype is engine.int64 and set(i.tolist()) == {3, 4, 5, 6}
    assert engine.randint(5, (2, 2)).shape == (2, 2)  # randint(high, size)
    assert sorted(engine.randperm(10).tolist()) == list(range(10))
    like = engine.rand_like(engine.zeros(2, 3, dtype=engine.float64))
    assert like.shape == (2, 3) and like.dtype is engine.float64


@pytest.mark.parametrize("make", [lambda lib: lib.rand(2, dtype=lib.int64), lambda lib: lib.rand_like(lib.tensor([1, 2])),
                                  lambda lib: lib.randn(2, dtype=lib.bool), lambda lib: lib.randn_like(lib.tensor([1]))])
def test_rand_needs_a_floating_dtype(make, torch):
    assert_same_error(outcome(lambda: make(engine)), outcome(lambda: make(torch)))


def test_rand_needs_a_floating_dtype_message():
    with pytest.raises(NotImplementedError, match="^\"check_uniform_bounds\" not implemented for 'Long'$"):
        engine.rand(2, dtype=engine.int64)


# ---------------------------------------------------------------- sharing with NumPy
def test_from_numpy_shares_memory_both_ways():
    array = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = engine.from_numpy(array)
    assert t.dtype is engine.float64 and t.shape == (2, 3)
    array[0, 0] = 100.0
    assert t[0, 0].item() == 100.0
    t[1, 2] = -1.0
    assert array[1, 2] == -1.0
    t.add_(1)
    assert array[0, 0] == 101.0


def test_as_tensor_shares_when_it_can():
    array = np.array([1.0, 2.0])
    shared = engine.as_tensor(array)
    converted = engine.as_tensor(array, dtype=engine.float32)
    array[0] = 5.0
    assert shared[0].item() == 5.0 and converted[0].item() == 1.0


def test_from_numpy_refuses_what_torch_refuses(torch):
    for make in (lambda lib: lib.from_numpy(np.arange(3)[::-1]), lambda lib: lib.from_numpy([1, 2])):
        assert_same_error(outcome(lambda: make(engine)), outcome(lambda: make(torch)))
    # The engine has no complex or wide unsigned types, so its list of supported types is shorter.
    ours, theirs = outcome(lambda: engine.from_numpy(np.array(["a"]))), outcome(lambda: torch.from_numpy(np.array(["a"])))
    assert type(ours[1]) is type(theirs[1]) is TypeError
    assert str(ours[1]).split(".")[:2] == str(theirs[1]).split(".")[:2]  # "can't convert np.ndarray of type numpy.str_"
    with pytest.raises(TypeError, match=r"^can't convert np.ndarray of type numpy.complex128. The only supported types"):
        engine.from_numpy(np.array([1j]))


def test_numpy_keeps_dtype_through_from_numpy():
    for dtype in (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_):
        array = np.zeros(2, dtype=dtype)
        assert engine.from_numpy(array).numpy().dtype == dtype
        assert engine.from_numpy(array).numpy() is array or np.shares_memory(engine.from_numpy(array).numpy(), array)


def test_tensor_warning_free_for_plain_data():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine.tensor([[1.0, 2.0]])
        engine.tensor(np.ones(3))
