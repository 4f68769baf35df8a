"""Writing results into existing tensors: `out=` and the in-place methods (`x.add_(y)`).

Each call is made on the same data in the engine and in torch: the values, the dtype,
the version counter, the identity of the returned tensor and any error must agree.
Without torch, the documented rules are checked directly.
"""
import warnings

import numpy as np
import pytest

import engine
from torch_compat import assert_same_error, assert_same_tensor, outcome, torch  # noqa: F401

INPLACE = {
    "add_": lambda lib, x: x.add_(lib.tensor([1.0, 2.0, 3.0])),
    "add_ alpha": lambda lib, x: x.add_(lib.tensor([1.0, 2.0, 3.0]), alpha=2),
    "add_ number": lambda lib, x: x.add_(1),
    "add_ broadcast": lambda lib, x: x.add_(lib.tensor(0.5)),
    "iadd": lambda lib, x: x.__iadd__(lib.tensor([1.0, 1.0, 1.0])),
    "sub_": lambda lib, x: x.sub_(lib.tensor([1.0, 2.0, 3.0])),
    "sub_ alpha": lambda lib, x: x.sub_(2, alpha=3),
    "mul_": lambda lib, x: x.mul_(lib.tensor([1.0, 2.0, 3.0])),
    "mul_ number": lambda lib, x: x.mul_(-2),
    "imul": lambda lib, x: x.__imul__(3),
    "div_": lambda lib, x: x.div_(lib.tensor([1.0, 2.0, 4.0])),
    "div_ number": lambda lib, x: x.div_(4),
    "itruediv": lambda lib, x: x.__itruediv__(2),
    "pow_": lambda lib, x: x.pow_(2),
    "pow_ tensor": lambda lib, x: x.pow_(lib.tensor([1.0, 2.0, 3.0])),
    "zero_": lambda lib, x: x.zero_(),
    "fill_": lambda lib, x: x.fill_(7),
    "fill_ 0-d tensor": lambda lib, x: x.fill_(lib.tensor(2.5)),
    "copy_": lambda lib, x: x.copy_(lib.tensor([9.0, 8.0, 7.0])),
    "copy_ broadcast": lambda lib, x: x.copy_(lib.tensor([4.0])),
    "copy_ other dtype": lambda lib, x: x.copy_(lib.tensor([1, 2, 3])),
    "clamp_": lambda lib, x: x.clamp_(-0.5, 0.5),
    "clamp_ min": lambda lib, x: x.clamp_(min=0),
    "neg_": lambda lib, x: x.neg_(),
    "exp_": lambda lib, x: x.exp_(),
    "log1p_": lambda lib, x: x.log1p_(),
    "relu_": lambda lib, x: x.relu_(),
}

BAD_INPLACE = {
    "add_ wrong shape": lambda lib, x: x.add_(lib.ones(2)),
    "add_ would broadcast x": lambda lib, x: x.add_(lib.ones(2, 3)),
    "copy_ wrong shape": lambda lib, x: x.copy_(lib.ones(2)),
    "copy_ would broadcast x": lambda lib, x: x.copy_(lib.ones(2, 3)),
    "0-d copy_ of a vector": lambda lib, x: x[0].int().copy_(x),
    "0-d bool add_ float vector": lambda lib, x: (x > 0)[0].add_(x),
    "int sub_ True": lambda lib, x: x.long().sub_(True),
    "int clamp_ float": lambda lib, x: x.int().clamp_(0.5),
    "long clamp_ float max": lambda lib, x: x.long().clamp_(max=0.5),
    "bool clamp_ int": lambda lib, x: (x > 0).clamp_(0),
    "uint8 clamp_ float": lambda lib, x: x.to(lib.uint8).clamp_(0.5),
    "bool sub_ bool": lambda lib, x: (x > 0).sub_(x > 1),
    "bool -= bool": lambda lib, x: (x > 0).__isub__(x > 1),
    "fill_ 1-d tensor": lambda lib, x: x.fill_(lib.ones(2)),
    "clamp_ without bounds": lambda lib, x: x.clamp_(),
    "int add_ float": lambda lib, x: x.long().add_(1.5),
    "int mul_ float tensor": lambda lib, x: x.long().mul_(lib.tensor([0.5, 1.0, 1.0])),
    "int div_": lambda lib, x: x.long().div_(2),
    "bool add_ int": lambda lib, x: (x > 0).add_(1),
    "uniform_ on int": lambda lib, x: x.long().uniform_(),
    "normal_ on int": lambda lib, x: x.long().normal_(),
    "expanded add_": lambda lib, x: x[:1].expand(3).add_(1),
    "expanded normal_": lambda lib, x: x[:1].expand(3).normal_(),
    "expanded uniform_": lambda lib, x: x[:1].expand(3).uniform_(),
}


def start(lib):
    return lib.tensor([1.5, -2.0, 3.0])


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_matches_torch(name, torch):
    x, tx = start(engine), start(torch)
    ours, theirs = INPLACE[name](engine, x), INPLACE[name](torch, tx)
    assert ours is x and theirs is tx
    assert_same_tensor(x, tx)
    assert x._version == tx._version


@pytest.mark.parametrize("name", BAD_INPLACE)
def test_inplace_errors_match_torch(name, torch):
    ours = outcome(lambda: BAD_INPLACE[name](engine, start(engine)))
    theirs = outcome(lambda: BAD_INPLACE[name](torch, start(torch)))
    assert_same_error(ours, theirs)


def test_inplace_writes_the_same_memory():
    x = engine.tensor([1.0, 2.0, 3.0])
    memory = x.numpy()
    x.add_(1).mul_(2).sub_(1).div_(2)
    assert memory.tolist() == [1.5, 2.5, 3.5] and x._version == 4
    x += 1
    assert memory.tolist() == [2.5, 3.5, 4.5] and x._version == 5


def test_int_results_cannot_be_cast_into_a_long_tensor():
    x = engine.tensor([1, 2])
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired output type Long$"):
        x.add_(1.5)
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired output type Long$"):
        x.div_(2)
    assert x.tolist() == [1, 2] and x._version == 0
    x.add_(1)  # an int result is fine
    assert x.tolist() == [2, 3]


def test_random_fills():
    engine.manual_seed(0)
    x = engine.empty(1000)
    assert x.uniform_(-2, 3) is x and -2 <= x.min().item() and x.max().item() < 3
    x.normal_(5, 0.1)
    assert abs(x.mean().item() - 5) < 0.05 and x._version == 2


# -------------------------------------------------------------------- autograd
def test_inplace_on_a_leaf_that_requires_grad_is_refused(torch):
    for name in ("add_", "mul_", "zero_", "fill_", "copy_", "clamp_", "uniform_", "normal_", "pow_"):
        call = INPLACE.get(name) or (lambda lib, x, name=name: getattr(x, name)())
        ours = outcome(lambda: call(engine, start(engine).requires_grad_()))
        theirs = outcome(lambda: call(torch, start(torch).requires_grad_()))
        assert_same_error(ours, theirs)
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used in an in-place "
                                           "operation.$"):
        engine.ones(2, requires_grad=True).add_(1)


def test_inplace_on_a_leaf_is_allowed_under_no_grad():
    w = engine.ones(3, requires_grad=True)
    with engine.no_grad():
        w.sub_(engine.tensor([0.5, 0.5, 0.5]))
        w.mul_(2)
    assert w.tolist() == [1.0, 1.0, 1.0] and w.is_leaf and w.requires_grad and w._version == 2
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0, 3.0]


def test_inplace_in_the_middle_of_a_graph_matches_torch(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y.mul_(lib.tensor([1.0, -1.0, 2.0]))
        y.pow_(2)  # its backward needs y from before the write
        y.sum().backward()
        return y, x.grad

    (y, grad), (ty, tgrad) = run(engine), run(torch)
    assert_same_tensor(y, ty)
    assert y.grad_fn.name() == ty.grad_fn.name()
    assert_same_tensor(grad, tgrad)


def test_requires_grad_():
    x = engine.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="^only Tensors of floating point dtype can require gradients$"):
        engine.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="^only Tensors of floating point and complex dtype can require gradients$"):
        engine.tensor([1, 2]).requires_grad = True


def test_requires_grad_errors_match_torch(torch):
    def non_leaf(lib):
        return (lib.ones(2, requires_grad=True) * 2).requires_grad_(False)

    def setter(lib):
        lib.tensor([True]).requires_grad = True

    for call in (lambda lib: lib.tensor([1, 2]).requires_grad_(), non_leaf, setter,
                 lambda lib: lib.tensor([1, 2], requires_grad=True), lambda lib: lib.arange(3, requires_grad=True)):
        assert_same_error(outcome(lambda: call(engine)), outcome(lambda: call(torch)))


# ------------------------------------------------------------------------ out=
OUT = {
    "add": lambda lib, a, b, out: lib.add(a, b, out=out),
    "add alpha": lambda lib, a, b, out: lib.add(a, b, alpha=3, out=out),
    "sub": lambda lib, a, b, out: lib.sub(a, b, out=out),
    "mul": lambda lib, a, b, out: lib.mul(a, b, out=out),
    "div": lambda lib, a, b, out: lib.div(a, b, out=out),
    "matmul": lambda lib, a, b, out: lib.matmul(a.view(2, 2), b.view(2, 2), out=out.view(2, 2)),
}


@pytest.mark.parametrize("name", OUT)
@pytest.mark.parametrize("out_dtype", ["float32", "float64", "int64", "int16", "bool", "float16"])
@pytest.mark.parametrize("operand_dtype", ["float32", "int64"])
def test_out_matches_torch(name, out_dtype, operand_dtype, torch):
    def run(lib):
        a = lib.tensor([1, 2, 3, 4], dtype=getattr(lib, operand_dtype))
        b = lib.tensor([4, 3, 2, 1], dtype=getattr(lib, operand_dtype))
        out = lib.zeros(4, dtype=getattr(lib, out_dtype))
        return outcome(lambda: OUT[name](lib, a, b, out)), out

    (ours, out), (theirs, tout) = run(engine), run(torch)
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
        return
    assert ours[0] == "ok", ours[1]
    assert_same_tensor(out, tout)
    assert_same_tensor(ours[1], theirs[1])
    assert out._version == tout._version


def test_out_writes_into_the_given_tensor():
    result = engine.zeros(3)
    memory = result.numpy()
    returned = engine.add(engine.tensor([1.0, 2.0, 3.0]), engine.tensor([1.0, 1.0, 1.0]), out=result)
    assert returned is result and memory.tolist() == [2.0, 3.0, 4.0] and result._version == 1
    engine.mul(engine.tensor([1, 2, 3]), 2, out=result)  # int result into a float tensor: converted
    assert memory.tolist() == [2.0, 4.0, 6.0]
    long_out = engine.zeros(3, dtype=engine.int64)
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired output type Long$"):
        engine.div(engine.tensor([1, 2, 3]), 2, out=long_out)


def test_out_of_another_shape_is_resized_with_torchs_warning(torch):
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.zeros(2)
            lib.add(lib.ones(3), lib.ones(3), out=out)
            empty = lib.zeros(0)
            lib.mul(lib.ones(2, 2), 3, out=empty)  # an empty out is resized silently
        return out, empty, [str(w.message) for w in caught]

    (out, empty, messages), (tout, tempty, tmessages) = run(engine), run(torch)
    assert_same_tensor(out, tout)
    assert_same_tensor(empty, tempty)
    assert len(messages) == len(tmessages) == 1
    assert tmessages[0].startswith(messages[0])


def test_out_refuses_inputs_that_require_grad(torch):
    def run(lib):
        return lib.add(lib.ones(2, requires_grad=True), 1, out=lib.zeros(2))

    assert_same_error(outcome(lambda: run(engine)), outcome(lambda: run(torch)))
    with engine.no_grad():
        assert engine.add(engine.ones(2, requires_grad=True), 1, out=engine.zeros(2)).tolist() == [2.0, 2.0]


# ------------------------------------------- in place on views of tensors that require grad
def _node_name(node):
    # torch's C++-only nodes carry a namespace in name() (torch::autograd::CopySlices)
    return None if node is None else node.name().removeprefix("torch::autograd::")


def _graph_after(lib, write):
    x = lib.tensor([0.0, 1.0, 2.0], requires_grad=True)
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    view = write(lib, y, w)
    record = (y.grad_fn.name(), [_node_name(fn) for fn, _ in y.grad_fn.next_functions], _node_name(view.grad_fn),
              np.round(y.tolist(), 4).tolist(), np.round(view.tolist(), 4).tolist())
    (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return record, np.round(x.grad.tolist(), 4).tolist(), w.grad.tolist() if w.grad is not None else None


VIEW_WRITES = {
    "slice mul_": lambda lib, y, w: y[1:].mul_(3),
    "slice add_ tensor": lambda lib, y, w: y[:2].add_(w * w),
    "select mul_ by tensor": lambda lib, y, w: y[1].mul_(w[0]),
    "view of a view": lambda lib, y, w: y[1:][1:].mul_(5),
    "transpose": lambda lib, y, w: y.view(3, 1).t().mul_(2),
    "exp_": lambda lib, y, w: y[1:].exp_(),
    "relu_": lambda lib, y, w: y[:2].sub_(1).relu_(),
    "pow_": lambda lib, y, w: y[1:].pow_(2),
    "copy_": lambda lib, y, w: y[1:].copy_(w),
    "fill_": lambda lib, y, w: y[1:].fill_(w[1]),
    "zero_": lambda lib, y, w: y[:1].zero_(),
    "fill_ number": lambda lib, y, w: y[:1].fill_(3),
    "setitem tensor": lambda lib, y, w: (y.__setitem__(slice(1, None), w * 3), y[1:])[1],
    "setitem number": lambda lib, y, w: (y.__setitem__(1, 7.0), y[1])[1],
    "two writes": lambda lib, y, w: (y[1:].mul_(w), y[:2].add_(w))[1],
}


FILLS = {"zero_": lambda y, w: y.zero_(), "fill_ number": lambda y, w: y.fill_(2), "fill_ tensor": lambda y, w: y.fill_(w[0])}


@pytest.mark.parametrize("name", FILLS)
def test_fills_name_their_nodes_as_torch(name, torch):
    def run(lib):
        w = lib.tensor([3.0], requires_grad=True)
        y = lib.ones(2, requires_grad=True) * 1
        FILLS[name](y, w)
        return y.grad_fn.name(), len(y.grad_fn.next_functions), y.tolist()

    assert run(engine) == run(torch)


@pytest.mark.parametrize("name", VIEW_WRITES)
def test_inplace_on_a_view_is_recorded_on_its_base_as_torch(name, torch):
    assert _graph_after(engine, VIEW_WRITES[name]) == _graph_after(torch, VIEW_WRITES[name])


def test_inplace_on_a_view_goes_through_copyslices():
    x = engine.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y = x * 2
    y[1:].mul_(3)
    assert y.grad_fn.name() == "torch::autograd::CopySlices" and "grad_fn=<CopySlices>" in repr(y)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 6.0, 6.0]


def test_inplace_on_a_view_with_a_value_that_requires_grad_makes_the_base_require_grad(torch):
    def run(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        x = lib.zeros(3)
        earlier_view = x[1:]
        x[0:2].add_(w)
        flags = (x.requires_grad, _node_name(x.grad_fn), earlier_view.requires_grad, _node_name(earlier_view.grad_fn))
        (x * lib.tensor([1.0, 2.0, 3.0])).sum().backward(retain_graph=True)
        grad = w.grad.tolist()
        w.grad = None
        earlier_view.sum().backward()
        return flags, grad, w.grad.tolist(), x.tolist()

    assert run(engine) == run(torch)
    assert run(engine)[:2] == ((True, "CopySlices", True, "AsStridedBackward0"), [1.0, 2.0])


def test_a_leaf_or_its_views_still_refuse_inplace(torch):
    for write in (lambda x: x[1:].mul_(2), lambda x: x.__setitem__(1, 2.0), lambda x: x.mul_(2)):
        ours = outcome(lambda: write(engine.ones(3, requires_grad=True)))
        theirs = outcome(lambda: write(torch.ones(3, requires_grad=True)))
        assert_same_error(ours, theirs)


SAVED_THEN_WRITTEN = {
    "relu_ then mul_": lambda lib, x: (x * 1).relu_().mul_(2),
    "exp_ then mul_": lambda lib, x: (x * 1).exp_().mul_(2),
    "exp_ then setitem": lambda lib, x: _setitem((x * 1).exp_(), 0, 1.0),
    "2 ** x, then x written": lambda lib, x: _then(2 ** (y := x * 1), lambda: y.add_(1)),
    "2 ** x, then x written under no_grad": lambda lib, x: _under_no_grad(lib, x),
    "sigmoid, then output written": lambda lib, x: _then(s := (x * 1).sigmoid(), lambda: s.mul_(2)),
    "exp, then a view of the output written": lambda lib, x: _then(e := x.exp(), lambda: e[1:].mul_(2)),
    "relu_ alone": lambda lib, x: (x * 1).relu_(),
}


def _then(result, write):
    write()
    return result


def _setitem(tensor, index, value):
    tensor[index] = value
    return tensor


def _under_no_grad(lib, x):
    leaf = x.detach().clone().requires_grad_()
    result = 2 ** leaf
    with lib.no_grad():
        leaf.add_(1)
    return result


@pytest.mark.parametrize("name", SAVED_THEN_WRITTEN)
def test_a_saved_tensor_written_in_place_fails_backward_as_torch(name, torch):
    def run(lib):
        x = lib.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        return outcome(lambda: (SAVED_THEN_WRITTEN[name](lib, x).sum().backward(), x.grad.tolist())[1])

    ours, theirs = run(engine), run(torch)
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours == theirs


def test_relu_then_mul_raises_the_version_error():
    y = engine.tensor([-1.0, 2.0], requires_grad=True) * 1
    y.relu_()
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[2\]\], which is output 0 of Relu, is at version 2; "
                       r"expected version 1 instead"):
        y.sum().backward()


def _second_order(lib, program):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    output = program(lib, x)
    grad, = lib.autograd.grad(output, x, create_graph=True)
    grad.sum().backward()
    return np.round(grad.tolist(), 5).tolist(), np.round(x.grad.tolist(), 5).tolist()


def _write_through_view(lib, x):
    y = x * x
    y[1:].mul_(x[:2])
    return y.sum()


def _read_view_after_base_write(lib, x):
    y = x * x
    v = y[1:]
    y.mul_(x)
    return v.sum()


def _setitem_product(lib, x):
    y = x * 1
    y[0] = x[2] * x[1]
    return (y * y).sum()


SECOND_ORDER = {"write through a view": _write_through_view, "view read after its base changed":
                _read_view_after_base_write, "setitem": _setitem_product}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_double_backward_through_view_writes_matches_torch(name, torch):
    assert _second_order(engine, SECOND_ORDER[name]) == _second_order(torch, SECOND_ORDER[name])


def test_backward_from_a_view_whose_base_changed(torch):
    def run(lib):
        x = lib.tensor([0.0, 1.0, 2.0], requires_grad=True)
        y = x * 2
        v = y[1:]
        y.mul_(3)
        v.backward(lib.ones(2))
        return x.grad.tolist()

    assert run(engine) == run(torch) == [0.0, 6.0, 6.0]


SETITEM_NODES = {
    "... = 0-d": (Ellipsis, lambda lib: lib.tensor(5.0)), "... = number": (Ellipsis, lambda lib: 5.0),
    ": = tensor": (slice(None), lambda lib: lib.tensor([1.0, 2.0, 3.0])), ": = one": (slice(None), lambda lib: lib.tensor([4.0])),
    "int list": ([0, 1], lambda lib: 5.0), "int": (1, lambda lib: lib.tensor(5.0)), "slice": (slice(1, None), lambda lib: 5.0),
}


@pytest.mark.parametrize("name", SETITEM_NODES)
def test_setitem_records_the_node_torch_records(name, torch):
    def run(lib):
        index, value = SETITEM_NODES[name]
        x = lib.tensor([0.0, 1.0, 2.0], requires_grad=True)
        y = x * 2
        y[index] = value(lib)
        record = y.grad_fn.name(), len(y.grad_fn.next_functions), y.tolist()
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return record, x.grad.tolist()

    assert run(engine) == run(torch)


SETITEM_SHAPES = {
    "leading ones dropped": (0, (1, 1, 4)), "leading ones, then a broadcast": (slice(0, 2), (1, 4)),
    "too few columns": (slice(0, 2), (1, 3)), "too many rows": (0, (2, 4)), "all, leading ones": (Ellipsis, (1, 1, 4)),
}


@pytest.mark.parametrize("name", SETITEM_SHAPES)
def test_recorded_setitem_shapes_match_torch(name, torch):
    def run(lib):
        index, shape = SETITEM_SHAPES[name]
        w = lib.ones(shape).requires_grad_()
        y = lib.ones(3, 4, requires_grad=True) * 1
        y[index] = w * 2
        y.sum().backward()
        return y.tolist(), w.grad.tolist()

    ours, theirs = outcome(lambda: run(engine)), outcome(lambda: run(torch))
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours == theirs
