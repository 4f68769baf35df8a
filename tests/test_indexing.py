"""Reading with an index (x[i], x[:, 1:], x[None], x[...], x[[0, 0]], x[mask]) and writing through one.

Every index below is applied to the same tensor in the engine and in torch: the values,
the grad_fn name, the gradient (repeated indices must accumulate) and the errors must be
the same. The table-driven checks in test_ops.py add gradcheck and hypothesis shapes.
"""
import warnings

import numpy as np
import pytest

import engine
import index_programs
from torch_compat import assert_same_error, assert_same_tensor, outcome, to_torch, torch  # noqa: F401

VALUES = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 10


def indices(lib):
    return {
        "int": 1,
        "negative int": -1,
        "two ints": (1, 2),
        "three ints": (0, -1, 3),
        "slice": slice(1, None),
        "slice with step": (slice(None), slice(None, None, 2)),
        "empty slice": slice(5, 9),
        "None": None,
        "None in the middle": (0, None, slice(1, 3)),
        "ellipsis": Ellipsis,
        "two ellipses": (Ellipsis, Ellipsis),
        "int between ellipses": (Ellipsis, 0, Ellipsis),
        "None between ellipses": (Ellipsis, None, Ellipsis),
        "list between ellipses": (Ellipsis, [0, 1], Ellipsis),
        "whole slice alone": slice(None),
        "whole slice written out alone": slice(0, 2, 1),
        "whole slices in a tuple": (slice(None), slice(0, 3)),
        "slice past the end in a tuple": (slice(0, None, 1), slice(0, 100)),
        "negative start reaching the whole dim": (slice(None), slice(-3, None)),
        "ellipsis then int": (Ellipsis, 2),
        "int ellipsis int": (1, Ellipsis, 0),
        "int list": [1, 0, 1],
        "int list with repeats": ([0, 0, 0],),
        "list on dim 1": (slice(None), [2, 2, 0]),
        "two lists": ([0, 1, 1], [2, 2, 0]),
        "int tensor": lib.tensor([1, 1, 0]),
        "2-D int tensor": (slice(None), lib.tensor([[0, 1], [1, 1]])),
        "0-d int tensor": lib.tensor(1),
        "bool mask, full": lib.tensor(VALUES > 1.0),
        "bool mask, leading dims": lib.tensor(VALUES.sum(-1) > 2.0),
        "bool mask on dim 1": (slice(None), lib.tensor([True, False, True])),
        "python bool": True,
        "tensor and slice": (lib.tensor([1, 0]), slice(1, 3)),
        "separated advanced indices": ([0, 1], slice(None), [3, 0]),
        # an int selects first, so the list's dim stays where it is (NumPy would put it first)
        "int, slice, list": (1, slice(None), [0, 3]),
        "int, None, list": (1, None, [0, 2]),
        "int, ellipsis, list": (1, Ellipsis, [0, 3]),
        "0-d tensor, slice, list": (lib.tensor(1), slice(None), [3, 0, 3]),
        "int, slice, mask": (0, slice(None), lib.tensor([True, False, False, True])),
        "slice, int, bool": (slice(None), 0, True),
        "lists around an empty ellipsis": (slice(None), [0, 1], Ellipsis, [0, 1]),
        "list, int, list": ([0, 1], 2, [1, 1]),
        "ellipsis, 2-D mask": (Ellipsis, lib.tensor(VALUES[0] > 0.5)),
        "list of floats": [1.0, 0.7],
        "range": range(1, 2),
        "list holding a slice, read as a tuple": [0, slice(1, None)],
    }


BAD_INDICES = {
    "int out of range": 2,
    "negative out of range": (0, -4),
    "too many indices": (0, 0, 0, 0),
    "list out of range": [0, 5],
    "float": 1.5,
    "string": "a",
    "negative step": slice(None, None, -1),
    "zero step": slice(None, None, 0),
    "dict": {},
    "mask of the wrong shape": np.array([True, False, True]),
    "float tensor": np.array([1.0]),
    "list out of range after None": (1, None, [0, 3]),
    "list out of range after a slice": (slice(None), [5]),
    "second list out of range": ([0, 1], [0, 9]),
    "int out of range after None": (slice(None), None, 5),
    "lists that do not broadcast": ([0, 1], [0, 1, 2]),
    "mask of the wrong shape after an int": (0, np.ones((2, 2), dtype=bool)),
    "NaN in a list": [float("nan")],
}


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("name", list(indices(engine)))
def test_index_matches_torch(name, torch):
    x = engine.tensor(VALUES, requires_grad=True)
    tx = to_torch(torch, x)
    ours, theirs = x[indices(engine)[name]], tx[indices(torch)[name]]
    assert_same_tensor(ours, theirs)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    weights = np.random.default_rng(0).uniform(-1, 1, tuple(theirs.shape))
    (ours * engine.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    assert_same_tensor(x.grad, tx.grad)


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")  # torch, about x["a"]
@pytest.mark.parametrize("name", list(BAD_INDICES))
def test_bad_index_raises_as_torch(name, torch):
    index = BAD_INDICES[name]
    torch_index = torch.from_numpy(index) if isinstance(index, np.ndarray) else index
    engine_index = engine.from_numpy(index) if isinstance(index, np.ndarray) else index
    assert_same_error(outcome(lambda: engine.tensor(VALUES)[engine_index]),
                      outcome(lambda: torch.tensor(VALUES)[torch_index]))


@pytest.mark.parametrize("shape, index", [((3, 0), (slice(None), [0])), ((1, 0, 0), (Ellipsis, [0])),
                                          ((3, 0), ([0, 1], slice(None)))], ids=str)
def test_index_into_an_empty_dim_as_torch(shape, index, torch):
    ours, theirs = outcome(lambda: engine.zeros(*shape)[index]), outcome(lambda: torch.zeros(*shape)[index])
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours[0] == "ok", ours[1]
        assert_same_tensor(ours[1], theirs[1])


def test_index_error_messages():
    x = engine.tensor(VALUES)
    with pytest.raises(IndexError, match="^index 2 is out of bounds for dimension 0 with size 2$"):
        x[2]
    with pytest.raises(IndexError, match="^too many indices for tensor of dimension 3$"):
        x[0, 0, 0, 0]
    with pytest.raises(ValueError, match="^step must be greater than zero$"):
        x[::-1]
    with pytest.raises(IndexError, match=r"^The shape of the mask \[3\] at index 0 does not match the shape of the "
                                         r"indexed tensor \[2, 3, 4\] at index 0$"):
        x[engine.tensor([True, False, True])]


def test_repeated_indices_accumulate_gradients():
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    y = engine.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (y[engine.tensor([1, 1]), engine.tensor([0, 0])] * engine.tensor([2.0, 5.0])).sum().backward()
    assert y.grad.tolist() == [[0.0, 0.0], [7.0, 0.0]]


def test_basic_indices_give_views_and_advanced_give_copies():
    x = engine.tensor(VALUES)
    assert np.shares_memory(x[0, 1:].numpy(), x.numpy())
    assert np.shares_memory(x[None, ..., 2].numpy(), x.numpy())
    assert not np.shares_memory(x[[0, 1]].numpy(), x.numpy())
    assert not np.shares_memory(x[x > 1].numpy(), x.numpy())


# ------------------------------------------------------------------------ writing
def assignments(lib):
    return {
        "int = number": (1, 7.0),
        "slice = number": ((slice(None), slice(1, 3)), -1.0),
        "int list = tensor": ([0, 1], lib.tensor([[[5.0]]])),
        "mask = number": (lib.tensor(VALUES > 1.0), 0.0),
        "row = broadcast row": ((0, 1), lib.tensor([1.0, 2.0, 3.0, 4.0])),
        "ellipsis = tensor": ((Ellipsis, 0), lib.zeros(2, 3)),
        "int tensor = number": (lib.tensor([1]), 3.0),
        "int into float": ((0, 0, 0), 9),
        "wrong shape": ((0, 0), lib.tensor([1.0, 2.0])),
        "wrong shape for a row": (0, lib.ones(4, 3, dtype=lib.float64)),
        "leading ones dropped": ((0, 1), lib.ones(1, 1, 4, dtype=lib.float64)),
        "wrong shape, advanced": ([0, 1], lib.ones(2, 2, dtype=lib.float64)),
        "other dtype, advanced": ([0, 1], lib.ones(4)),
        "other dtype, mask, one value": (lib.tensor(VALUES > 1.0), lib.tensor([2.0])),
        "other dtype, mask, many values": (lib.tensor(VALUES > 2.2), lib.tensor([2.0], dtype=lib.float32).expand(1)),
        "other dtype, basic": (0, lib.ones(3, 4, dtype=lib.int32)),
        "int, slice, list = tensor": ((1, slice(None), [0, 3]), lib.tensor([[1.0, 2.0]] * 3, dtype=lib.float64)),
        "ellipsis, 2-D mask = tensor": ((Ellipsis, lib.tensor(VALUES[0] > 1.8)),
                                        lib.tensor([[5.0], [6.0]], dtype=lib.float64)),
        "int = one-element tensor": ((1, 2, 3), lib.tensor([5.0], dtype=lib.float64)),
        "list = column of ones": ([1], lib.ones(1, 1, 3, 4, dtype=lib.float64)),
        "mask = column": (lib.tensor(VALUES > 2.0), lib.tensor([[5.0], [6.0]], dtype=lib.float64)),
    }


@pytest.mark.parametrize("name", list(assignments(engine)))
def test_setitem_matches_torch(name, torch):
    x, tx = engine.tensor(VALUES), torch.tensor(VALUES)
    (index, value), (t_index, t_value) = assignments(engine)[name], assignments(torch)[name]
    ours = outcome(lambda: x.__setitem__(index, value))
    theirs = outcome(lambda: tx.__setitem__(t_index, t_value))
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
        return
    assert ours[0] == "ok", ours[1]
    assert_same_tensor(x, tx)
    assert x._version == tx._version


def test_setitem_writes_in_place():
    x = engine.zeros(2, 3)
    storage = x.numpy()
    x[0] = 1.0
    x[:, 2] = engine.tensor([5.0, 6.0])
    x[x == 0] = -1.0
    assert storage.tolist() == [[1.0, 1.0, 5.0], [-1.0, -1.0, 6.0]]
    assert x._version == 3


def test_setitem_on_a_non_leaf_is_recorded_like_torch(torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = lib.tensor(10.0, requires_grad=True)
        y = a * 2
        y[1] = v * 3
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return y, a.grad, v.grad

    (y, ga, gv), (ty, tga, tgv) = run(engine), run(torch)
    assert_same_tensor(y, ty)
    # torch names its C++-only nodes with a namespace, which the tensor's repr drops.
    assert y.grad_fn.name() == ty.grad_fn.name() == "torch::autograd::CopySlices"
    assert repr(y).endswith("grad_fn=<CopySlices>)") and repr(ty).endswith("grad_fn=<CopySlices>)")
    assert_same_tensor(ga, tga)
    assert_same_tensor(gv, tgv)


@pytest.mark.parametrize("index", [0, slice(1, 2), None, [0], Ellipsis, slice(None)], ids=repr)
def test_setitem_on_a_leaf_that_requires_grad_is_refused(index, torch):
    def run(lib):
        return lib.zeros(3, requires_grad=True).__setitem__(index, 1.0)

    assert_same_error(outcome(lambda: run(engine)), outcome(lambda: run(torch)))


def test_setitem_on_a_leaf_allowed_under_no_grad():
    x = engine.zeros(3, requires_grad=True)
    with engine.no_grad():
        x[0] = 1.0  # allowed: nothing is recorded
    assert x.tolist() == [1.0, 0.0, 0.0] and x.is_leaf


@pytest.mark.parametrize("index", [[0, 1], (slice(None), 1), (1, slice(None), [0, 3]), (slice(None), [0, 2]),
                                   (slice(1, None), [0, 2]), (None, [1]), (Ellipsis, [0, 3])], ids=str)
def test_recorded_setitem_names_its_node_as_torch(index, torch):
    def run(lib):
        y = lib.tensor(VALUES, requires_grad=True) * 1
        y[index] = 0.0
        return y.grad_fn.name().removeprefix("torch::autograd::")

    assert run(engine) == run(torch)


def test_setitem_with_a_wrong_shape_while_recording_raises_as_torch(torch):
    def run(lib, index):
        y = lib.tensor(VALUES, requires_grad=True) * 1
        y[index] = lib.ones(2, 2, dtype=lib.float64)

    for index in [([0, 1], slice(None), 1), (0, slice(None))]:
        assert_same_error(outcome(lambda: run(engine, index)), outcome(lambda: run(torch, index)))


# ------------------------------------------------------------------------ backward
def test_backward_and_double_backward_of_an_index_before_an_ellipsis(torch):
    def run(lib):
        x = lib.tensor(VALUES[0], requires_grad=True)
        grad, = lib.autograd.grad((x[lib.tensor([0, 2, 0]), ...] ** 2).sum(), x, create_graph=True)
        second, = lib.autograd.grad((grad ** 2).sum(), x)
        y, v = x * 1, lib.ones(2, 4, dtype=lib.float64, requires_grad=True)
        y[lib.tensor([0, 2]), ...] = v * x[:2]
        grad_x, grad_v = lib.autograd.grad((y ** 2).sum(), [x, v], create_graph=True)
        return (grad, second, grad_x, grad_v, *lib.autograd.grad((grad_x ** 2).sum() + (grad_v ** 3).sum(), [x, v]))

    for ours, theirs in zip(run(engine), run(torch)):
        assert_same_tensor(ours, theirs)


@pytest.mark.parametrize("program", ["x[[0, 1]]", "x[x > 1]", "y[[0]] = 5", "y[x > 1] = 5", "x[1:]", "x[1]",
                                     "y[1:] = 5", "y[1] = 5"])
def test_second_backward_through_an_index_raises_as_torch(program, torch):
    def run(lib):
        x = lib.arange(4.0, requires_grad=True)
        if program.startswith("y"):
            y = x + 0  # AddBackward0 and SumBackward0 save nothing: only the index can be freed
            exec(program, {}, {"x": x, "y": y})
        else:
            y = eval(program, {}, {"x": x})
        out = y.sum()
        out.backward()
        return outcome(lambda: out.backward())

    ours, theirs = run(engine), run(torch)
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours[0] == "ok", ours[1]


# ------------------------------------------------------------------------ seeded programs
def _same(ours, theirs, step):
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
        return
    assert ours[0] == "ok", f"{step}: the engine raised {ours[1]!r}"
    for mine, real in zip(ours[1], theirs[1]):
        assert (mine is None) == (real is None), f"{step}: gradient None for one library only"
        if mine is not None:
            assert_same_tensor(mine, real)


@pytest.mark.parametrize("block", range(4))
def test_seeded_indexing_programs_match_torch(block, torch):
    """500 seeds per block: read, backward and writes through mixed, separated and bad indices."""
    for seed in range(500 * block, 500 * (block + 1)):
        rng = np.random.default_rng(seed)
        shape = index_programs.draw_shape(rng)
        values = rng.standard_normal(shape)
        parts = index_programs.draw_index(rng, shape)
        where = f"seed {seed}: x of shape {list(shape)}, index {index_programs.describe(parts)}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's, and ours, about a list read as a tuple
            ours = outcome(lambda: index_programs.read(engine, seed, values, parts))
            theirs = outcome(lambda: index_programs.read(torch, seed, values, parts))
            _same(ours, theirs, f"{where}, read")
            if theirs[0] == "raised":
                continue
            result_shape = tuple(theirs[1][0].shape)
            for value_shape in (result_shape, result_shape[1:]):
                for recording in (False, True):
                    step = f"{where}, write of shape {list(value_shape)}, recording={recording}"
                    _same(outcome(lambda: index_programs.write(engine, seed, values, parts, value_shape, recording)),
                          outcome(lambda: index_programs.write(torch, seed, values, parts, value_shape, recording)),
                          step)
