"""Autograd as a learner uses it: custom Functions, backward, .grad, retain_grad, autograd.grad.

Where torch is installed the same program runs under both libraries and the gradients,
names and error messages must agree; the literal expectations below hold without torch.
"""
import importlib
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine
from op_table import FAST
from torch_compat import assert_same_error, assert_same_tensor, outcome, torch  # noqa: F401


TENSOR_MODULE = importlib.import_module("engine.tensor")  # engine.tensor is the function


# ------------------------------------------------------------ a learner's Function
def cube_class(lib):
    """The Function a reader writes in the book, for either library."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            ctx.seen_needs_input_grad = ctx.needs_input_grad
            return x ** 3 * scale

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 3 * x ** 2 * ctx.scale, None

    return Cube


def test_custom_function():
    Cube = cube_class(engine)
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.tolist() == [2.0, 16.0]
    assert y.grad_fn.name() == "CubeBackward" and y.grad_fn.seen_needs_input_grad == (True, False)
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]
    with engine.no_grad():
        assert Cube.apply(x, 1.0).grad_fn is None


def test_custom_function_matches_torch(torch):
    def run(lib):
        Cube = cube_class(lib)
        x = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        y = Cube.apply(x * 2, 3.0)
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return y, x.grad

    (y, grad), (ty, tgrad) = run(engine), run(torch)
    assert_same_tensor(y, ty)
    assert_same_tensor(grad, tgrad)
    assert y.grad_fn.name() == ty.grad_fn.name()
    assert [n.name() if n else None for n, _ in y.grad_fn.next_functions] == \
        [n.name() if n else None for n, _ in ty.grad_fn.next_functions]


def test_custom_function_with_two_outputs_and_a_non_tensor_input():
    class SplitScale(engine.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor, x + factor

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a * ctx.factor + grad_b, None

    x = engine.tensor([1.0, 2.0], requires_grad=True)
    a, b = SplitScale.apply(x, 3.0)
    (a.sum() * 2 + b.sum()).backward()
    assert x.grad.tolist() == [7.0, 7.0]
    assert a.grad_fn is b.grad_fn and a.grad_fn.name() == "SplitScaleBackward"


def test_custom_function_returning_the_wrong_number_of_gradients(torch):
    def run(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, grad):
                return grad

        x = lib.ones(2, requires_grad=True)
        Bad.apply(x, lib.ones(2, requires_grad=True)).sum().backward()

    assert_same_error(outcome(lambda: run(engine)), outcome(lambda: run(torch)))


# ------------------------------------------------------------------- backward
def test_leaves_and_requires_grad():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    c = engine.tensor([1.0, 2.0])
    assert x.is_leaf and not y.is_leaf and c.is_leaf and (c * 2).is_leaf
    assert y.requires_grad and not (c * 2).requires_grad
    y.requires_grad = True  # allowed: it already requires grad
    with pytest.raises(RuntimeError, match="^you can only change requires_grad flags of leaf variables."):
        y.requires_grad = False
    c.requires_grad = True
    assert c.requires_grad and c.is_leaf


def test_backward_fills_grad_and_accumulates():
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert x.grad is None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    (x * 10).sum().backward()
    assert x.grad.tolist() == [12.0, 14.0, 16.0]  # added, not replaced
    x.grad = None
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_backward_with_a_gradient_for_a_non_scalar():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(gradient=engine.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs$"):
        (x * x).backward()


def test_a_value_used_twice_gets_both_gradients():
    a = engine.tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0
    x = engine.tensor(2.0, requires_grad=True)
    (x * x * x).backward()
    assert x.grad.item() == 12.0


def test_backward_twice_needs_retain_graph(torch):
    def run(lib, retain):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=retain)
        y.backward()
        return x.grad

    assert_same_tensor(run(engine, True), run(torch, True))
    assert_same_error(outcome(lambda: run(engine, False)), outcome(lambda: run(torch, False)))


def test_second_backward_message():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"^Trying to backward through the graph a second time \(or directly access "
                                           r"saved tensors after they have already been freed\)"):
        y.backward()


def test_a_graph_that_saves_nothing_can_backprop_twice(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1 - 3).sum()
        y.backward()
        y.backward()
        return x.grad

    assert run(engine).tolist() == [2.0, 2.0]
    assert_same_tensor(run(engine), run(torch))


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       op=st.sampled_from(["add", "sub", "mul", "div", "maximum", "where", "pow"]))
@FAST
def test_broadcasting_is_undone_in_gradients(shapes, op):
    a_shape, b_shape = shapes.input_shapes
    rng = np.random.default_rng(0)
    a_values, b_values = rng.uniform(1, 2, a_shape), rng.uniform(3, 4, b_shape)
    a = engine.tensor(a_values, requires_grad=True)
    b = engine.tensor(b_values, requires_grad=True)
    result = {
        "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "div": lambda: a / b,
        "maximum": lambda: engine.maximum(a, b), "where": lambda: engine.where(a > 1.5, a, b), "pow": lambda: a ** b,
    }[op]()
    assert result.shape == np.broadcast_shapes(a_shape, b_shape)
    result.sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    if op == "add":  # each element of a is used once per copy broadcasting made of it
        copies = int(np.prod(result.shape)) // max(int(np.prod(a_shape)), 1)
        assert np.all(a.grad.numpy() == copies)


def test_gradient_shape_and_dtype_follow_the_tensor(torch):
    def run(lib):
        x = lib.ones(3, 1, dtype=lib.float64, requires_grad=True)
        w = lib.ones(4, requires_grad=True)  # float32: the float64 product's gradient is converted back
        (x * w).sum().backward()
        return x.grad, w.grad

    (gx, gw), (tgx, tgw) = run(engine), run(torch)
    assert_same_tensor(gx, tgx)
    assert_same_tensor(gw, tgw)


GRADIENTS_OF_ANOTHER_DTYPE = {
    "leaf": lambda lib, a: (a.backward(lib.ones(3, dtype=lib.float64)), a.grad)[1],
    "leaf, twice": lambda lib, a: [a.backward(lib.ones(3, dtype=lib.float64)) for _ in range(2)] and a.grad,
    "leaf, an int64 gradient": lambda lib, a: (a.backward(lib.ones(3, dtype=lib.int64)), a.grad)[1],
    "retained": lambda lib, a: retained_grad(lib, a),
    "autograd.backward": lambda lib, a: (lib.autograd.backward([a * 2], [lib.ones(3, dtype=lib.float64)]), a.grad)[1],
    "autograd.grad of the output": lambda lib, a: (lambda y: lib.autograd.grad(y, y, lib.ones(3, dtype=lib.float64))[0])(a * 2),
    "autograd.grad of the leaf": lambda lib, a: lib.autograd.grad(a * 2, a, lib.ones(3, dtype=lib.float64))[0],
    "create_graph": lambda lib, a: lib.autograd.grad(a * 2, a, lib.ones(3, dtype=lib.float16), create_graph=True)[0],
}


def retained_grad(lib, a):
    y = a * 2
    y.retain_grad()
    y.backward(lib.ones(3, dtype=lib.float64))
    return y.grad


@pytest.mark.parametrize("name", GRADIENTS_OF_ANOTHER_DTYPE)
def test_a_gradient_of_another_dtype_is_cast_to_the_outputs(name, torch):
    """torch's engine converts the root gradient to its output's dtype: a float32 tensor's .grad stays float32."""
    ours = GRADIENTS_OF_ANOTHER_DTYPE[name](engine, engine.ones(3, requires_grad=True))
    theirs = GRADIENTS_OF_ANOTHER_DTYPE[name](torch, torch.ones(3, requires_grad=True))
    assert_same_tensor(ours, theirs)


def test_a_float64_gradient_leaves_a_float32_grad():
    a = engine.ones(3, requires_grad=True)
    a.backward(engine.ones(3, dtype=engine.float64))
    assert a.grad.dtype is engine.float32


def split_in_two(lib, materialize):
    """A Function with two outputs whose backward reports which gradients it was given."""
    seen = []

    class Halves(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_double, grad_triple):
            seen.append((grad_double is None, grad_triple is None))
            total = 0
            for grad, factor in ((grad_double, 2), (grad_triple, 3)):
                if grad is not None:
                    total = total + grad * factor
            return total

    return Halves, seen


@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads_false_passes_none_for_unused_outputs(materialize, torch):
    def run(lib):
        Halves, seen = split_in_two(lib, materialize)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        Halves.apply(x)[1].sum().backward()
        return seen, x.grad

    (ours, our_grad), (theirs, their_grad) = run(engine), run(torch)
    assert ours == theirs == [(not materialize, False)]
    assert_same_tensor(our_grad, their_grad)


# ------------------------------------------------------ saved tensors and versions
def modified_after_saving(lib, case):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    if case == "saved output":
        y = x.exp()  # exp saves its output
        y.add_(1)
        y.sum().backward()
    elif case == "saved input":
        h = x * 2
        y = h * h  # mul saves both inputs
        h.add_(1)
        y.sum().backward()
    elif case == "leaf":
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * w).sum()
        with lib.no_grad():
            w.mul_(2)
        y.backward()
    elif case == "view of a saved input":
        h = x * 1
        y = (h ** 2).sum()
        h.detach()[0] = 5.0
        y.backward()


@pytest.mark.parametrize("case", ["saved output", "saved input", "leaf", "view of a saved input"])
def test_version_check_matches_torch(case, torch):
    assert_same_error(outcome(lambda: modified_after_saving(engine, case)),
                      outcome(lambda: modified_after_saving(torch, case)))


def test_version_check_messages():
    start = "^one of the variables needed for gradient computation has been modified by an inplace operation: "
    with pytest.raises(RuntimeError, match=start + r"\[torch.FloatTensor \[3\]\], which is output 0 of Exp, "
                                                   r"is at version 1; expected version 0 instead. Hint:"):
        modified_after_saving(engine, "saved output")
    with pytest.raises(RuntimeError, match=start + r"\[torch.FloatTensor \[3\]\] is at version 1; expected version 0 "
                                                   r"instead. Hint:"):
        modified_after_saving(engine, "leaf")


# ---------------------------------------------------------------- non-leaf grads
def test_retain_grad():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    assert not h.retains_grad
    h.retain_grad()
    assert h.retains_grad and not x.retains_grad
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0] and x.grad.tolist() == [18.0, 36.0]
    x.retain_grad()  # a no-op on a leaf
    assert not x.retains_grad
    with pytest.raises(RuntimeError, match="^can't retain_grad on Tensor that has requires_grad=False$"):
        engine.ones(2).retain_grad()


def test_retain_grad_matches_torch(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        out = (h * h).sum()
        out.backward(retain_graph=True)
        out.backward()
        return h.grad, x.grad

    for ours, theirs in zip(run(engine), run(torch)):
        assert_same_tensor(ours, theirs)


def test_reading_grad_of_a_non_leaf_warns(torch):
    h = engine.tensor([1.0], requires_grad=True) * 2
    with pytest.warns(UserWarning, match=r"^The .grad attribute of a Tensor that is not a leaf Tensor is being "
                                         r"accessed. Its .grad attribute won't be populated during "
                                         r"autograd.backward\(\).") as ours:
        assert h.grad is None
    th = torch.tensor([1.0], requires_grad=True) * 2
    with pytest.warns(UserWarning) as theirs:
        assert th.grad is None
    # torch appends "(Triggered internally at <C++ file>:<line>.)", which the engine leaves out.
    assert str(theirs[0].message).startswith(str(ours[0].message))
    assert len(str(ours[0].message)) > 300
    h.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert h.grad is None


# --------------------------------------------------------------- detach
def test_detach_and_detach_():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.tolist() == [2.0, 4.0]
    z = x * 3
    assert z.detach_() is z and not z.requires_grad and z.grad_fn is None and z.is_leaf
    (y * d).sum().backward()  # d is a constant: only y's path contributes
    assert x.grad.tolist() == [4.0, 8.0]


def test_detach_matches_torch(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x ** 2
        (y * y.detach()).sum().backward()  # the detached copy is a constant: d/dx = 2x · x²
        return x.grad

    assert_same_tensor(run(engine), run(torch))


# ------------------------------------------------------------ autograd.grad
def test_autograd_grad_returns_instead_of_storing():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).sum()
    (g,) = engine.autograd.grad(y, x)
    assert g.tolist() == [2.0, 4.0] and x.grad is None and not g.requires_grad


def test_autograd_grad_options_match_torch(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        unused = lib.tensor([5.0], requires_grad=True)
        y = x * x
        first = lib.autograd.grad(y, x, grad_outputs=lib.tensor([1.0, 10.0]), retain_graph=True)
        second = lib.autograd.grad(y.sum(), [x, unused], allow_unused=True, retain_graph=True)
        failure = outcome(lambda: lib.autograd.grad(y.sum(), [x, unused]))
        return first, second, failure

    (first, second, failure), (tfirst, tsecond, tfailure) = run(engine), run(torch)
    assert_same_tensor(first[0], tfirst[0])
    assert_same_tensor(second[0], tsecond[0])
    assert second[1] is None and tsecond[1] is None
    assert_same_error(failure, tfailure)


def test_higher_derivatives_with_create_graph():
    x = engine.tensor(2.0, requires_grad=True)
    y = x ** 3
    (first,) = engine.autograd.grad(y, x, create_graph=True)
    (second,) = engine.autograd.grad(first, x, create_graph=True)
    (third,) = engine.autograd.grad(second, x)
    assert (first.item(), second.item(), third.item()) == (12.0, 12.0, 6.0)
    assert first.requires_grad and first.grad_fn is not None


CREATE_GRAPH_WARNING = r"^Using backward\(\) with create_graph=True will create a reference cycle between the parameter"


def test_backward_with_create_graph_warns_once(monkeypatch):
    monkeypatch.setattr(TENSOR_MODULE, "_warned", set())
    x = engine.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match=CREATE_GRAPH_WARNING):
        (x * x).sum().backward(create_graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x * x).sum().backward(create_graph=True)  # once per process, as torch's TORCH_WARN_ONCE
        engine.autograd.grad((x * x).sum(), x, create_graph=True)  # grad() makes no cycle: no warning


def test_create_graph_warning_matches_torch(monkeypatch, torch):
    monkeypatch.setattr(TENSOR_MODULE, "_warned", set())
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        x = torch.ones(2, requires_grad=True)
        (x * x).sum().backward(create_graph=True)
    if not theirs:
        pytest.skip("torch warns once per process, and already did in this process")
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        x = engine.ones(2, requires_grad=True)
        (x * x).sum().backward(create_graph=True)
    assert str(theirs[0].message).startswith(str(ours[0].message) + " (Triggered internally at ")


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_gives_a_differentiable_grad(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x.sin() * x).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        x.grad = None
        g.sum().backward()
        return g, x.grad

    for ours, theirs in zip(run(engine), run(torch)):
        assert_same_tensor(ours, theirs)


def test_variable_returns_a_tensor():
    t = engine.ones(2)
    v = engine.autograd.Variable(t, requires_grad=True)
    # As in torch: a new leaf over the same memory; the wrapped tensor is left as it was.
    assert type(v) is engine.Tensor and v is not t and v.requires_grad and v.is_leaf
    assert not t.requires_grad and v.data_ptr() == t.data_ptr()
    assert isinstance(engine.ones(1), engine.autograd.Variable)
    with pytest.warns(UserWarning, match=r"volatile was removed and now has no effect. Use `with torch.no_grad\(\):` instead."):
        engine.autograd.Variable(t, volatile=True)


def test_variable_matches_torch(torch):
    ours = engine.autograd.Variable(engine.ones(2), requires_grad=True)
    theirs = torch.autograd.Variable(torch.ones(2), requires_grad=True)
    assert type(ours).__name__ == type(theirs).__name__ == "Tensor"
    assert repr(ours) == repr(theirs)


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("call", [
    lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(),
    lambda lib: lib.ones(2).sum().backward(),
    lambda lib: lib.autograd.grad(lib.ones(1, requires_grad=True).sum(), lib.ones(1)),
    lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(lib.ones(3)),
    lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(), lib.ones(1, requires_grad=True)),
    lambda lib: lib.autograd.backward([lib.ones(1, requires_grad=True).sum()], [lib.ones(1), lib.ones(1)]),
    lambda lib: lib.autograd.grad([lib.ones(1, requires_grad=True).sum()] * 2, [lib.ones(1, requires_grad=True)],
                                  [lib.ones(())]),
], ids=["non-scalar", "no grad_fn", "input without grad", "gradient of the wrong shape", "unused input",
        "gradient of the wrong shape among too many", "too few gradients"])
def test_backward_errors_match_torch(call, torch):
    assert_same_error(outcome(lambda: call(engine)), outcome(lambda: call(torch)))


def test_extra_gradients_are_ignored_as_in_torch():
    x = engine.ones(1, requires_grad=True)
    engine.autograd.backward([x.sum()], [engine.tensor(2.0), engine.tensor(5.0)])
    assert x.grad.tolist() == [2.0]


def test_backward_error_messages():
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does not have a grad_fn$"):
        engine.ones(2).sum().backward()
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs$"):
        (engine.ones(2, requires_grad=True) * 2).backward()


# ------------------------------------------------------------------- tensor hooks
def _hook_run(lib, program):
    x = lib.tensor([0.0, 1.0, 2.0], requires_grad=True)
    seen = []
    record = program(lib, x, seen)
    return record, x.grad.tolist() if x.grad is not None else None, [g.tolist() for g in seen]


def _leaf_hook(lib, x, seen):
    x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()


def _removed_hook(lib, x, seen):
    handle = x.register_hook(lambda g: g * 10)
    handle.remove()
    handle.remove()
    (x * 2).sum().backward()


def _with_block(lib, x, seen):
    with x.register_hook(lambda g: g * 0):
        pass
    (x * 2).sum().backward()


def _non_leaf_hooks_and_retain_grad(lib, x, seen):
    y = x * 2
    y.retain_grad()  # registered first, still sees the gradient every hook has changed
    y.register_hook(lambda g: seen.append(g.clone()))
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    return y.grad.tolist()


def _hook_then_inplace(lib, x, seen):
    y = x * 2
    y.register_hook(lambda g: seen.append(g.clone()) or g * 3)  # stays with the value before the write
    y.mul_(5)
    y.register_hook(lambda g: seen.append(g.clone()))
    y.sum().backward()


def _hook_in_autograd_grad(lib, x, seen):
    x.register_hook(lambda g: g * 2)
    return lib.autograd.grad((x * 3).sum(), x)[0].tolist()


def _hook_on_view(lib, x, seen):
    y = x * 1
    v = y[1:]
    v.register_hook(lambda g: seen.append(g.clone()) or g * 2)
    (v * 3).sum().backward()


HOOK_PROGRAMS = {
    "leaf": _leaf_hook, "removed": _removed_hook, "with block": _with_block,
    "non-leaf with retain_grad": _non_leaf_hooks_and_retain_grad, "then in place": _hook_then_inplace,
    "autograd.grad": _hook_in_autograd_grad, "view": _hook_on_view,
}


@pytest.mark.parametrize("name", HOOK_PROGRAMS)
def test_register_hook_matches_torch(name, torch):
    assert _hook_run(engine, HOOK_PROGRAMS[name]) == _hook_run(torch, HOOK_PROGRAMS[name])


def test_a_hook_can_replace_the_gradient():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [22.0, 22.0]


BAD_HOOKS = {
    "no grad": lambda lib: lib.ones(2).register_hook(lambda g: g),
    "changes the size": lambda lib: _backward_through(lib, lambda g: lib.ones(3)),
    "returns a number": lambda lib: _backward_through(lib, lambda g: 5),
    "changes the dtype": lambda lib: _backward_through(lib, lambda g: g.double()),
}


def _backward_through(lib, hook):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(hook)
    (x * 2).sum().backward()


@pytest.mark.parametrize("name", BAD_HOOKS)
def test_bad_hooks_raise_torchs_errors(name, torch):
    assert_same_error(outcome(lambda: BAD_HOOKS[name](engine)), outcome(lambda: BAD_HOOKS[name](torch)))


def test_register_hook_needs_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="^cannot register a hook on a tensor that doesn't require gradient$"):
        engine.ones(2).register_hook(lambda g: g)


# ------------------------------------------------------ retain_grad and in-place writes
def _retained_after_inplace(lib):
    x = lib.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = y * 1  # uses the value before the write
    y.mul_(3)
    (y.sum() + (z * z).sum()).backward()
    return y.grad.tolist(), x.grad.tolist(), y.retains_grad


def test_retain_grad_survives_an_inplace_op(torch):
    assert _retained_after_inplace(engine) == _retained_after_inplace(torch)
    x = engine.tensor([0.0, 1.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0] and x.grad.tolist() == [6.0, 6.0]


def test_retain_grad_on_a_view_follows_its_base_written_in_place(torch):
    def run(lib):
        x = lib.tensor([0.0, 1.0, 2.0], requires_grad=True)
        y = x * 2
        v = y[1:]
        v.retain_grad()
        y.mul_(2)
        (v * 1).sum().backward()
        return v.grad.tolist(), x.grad.tolist()

    assert run(engine) == run(torch)


# ------------------------------------------------------------------------ inputs that get no gradient
def _no_gradient_programs(lib):
    class Inner(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    class DropsSecond(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 2 + b

        @staticmethod
        def backward(ctx, grad):
            return grad * 2, None

    def custom_returns_none():
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        DropsSecond.apply(a, b).sum().backward()
        return a.grad, b.grad

    def custom_fed_nothing():  # torch still calls a Python Function, with zeros
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        DropsSecond.apply(a, Inner.apply(b)).sum().backward()
        return a.grad, b.grad

    def builtin_fed_nothing():
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        return lib.autograd.grad(DropsSecond.apply(a, b * 2).sum(), [a, b], allow_unused=True)

    def cat_with_an_empty_leaf():
        a, e = lib.ones(2, requires_grad=True), lib.ones(0, requires_grad=True)
        lib.cat([a, e]).sum().backward()
        return a.grad, e.grad

    def cat_with_an_empty_result():
        a, e = lib.ones(2, 3, requires_grad=True), lib.ones(2, 0, requires_grad=True)
        return lib.autograd.grad(lib.cat([a * 1, e * 1], 1).sum(), [a, e])

    return [custom_returns_none, custom_fed_nothing, builtin_fed_nothing, cat_with_an_empty_leaf,
            cat_with_an_empty_result]


@pytest.mark.parametrize("which", range(5))
def test_inputs_that_get_no_gradient_match_torch(which, torch):
    ours = _no_gradient_programs(engine)[which]()
    theirs = _no_gradient_programs(torch)[which]()
    for mine, real in zip(ours, theirs):
        assert (mine is None) == (real is None), f"gradient {mine} where torch has {real}"
        if mine is not None:
            assert_same_tensor(mine, real)


# ---------------------------------------------------------------- public seams for the outer layers
from engine.autograd import engine as autograd_engine  # noqa: E402
from engine.autograd import function as autograd_function  # noqa: E402


def test_observe_backward_sees_every_node_in_run_order_with_its_gradients():
    a = engine.tensor(2., requires_grad=True)
    b = engine.tensor(5., requires_grad=True)
    c = a * b
    loss = c + a
    seen = []
    with autograd_engine.observe_backward(lambda node, grads, sent: seen.append((node, grads, sent))):
        loss.backward()
    names = [node.name() for node, _, _ in seen]
    assert names == ["AddBackward0", "MulBackward0", "torch::autograd::AccumulateGrad",
                     "torch::autograd::AccumulateGrad"]
    add, mul = seen[0], seen[1]
    assert add[0] is loss.grad_fn and mul[0] is c.grad_fn
    assert [g.item() for g in add[1]] == [1.0] and [g.item() for g in add[2]] == [1.0, 1.0]
    assert [g.item() for g in mul[2]] == [5.0, 2.0]  # d(ab)/da = b, d(ab)/db = a
    leaves = {node.variable: grads[0].item() for node, grads, sent in seen[2:]}
    assert sent_is_none(seen[2:]) and leaves == {a: 6.0, b: 2.0}
    assert a.grad.item() == 6.0 and b.grad.item() == 2.0


def sent_is_none(events):
    return all(sent is None for _, _, sent in events)


def test_observe_backward_ends_with_its_block_and_restores_an_outer_observer():
    x = engine.tensor(3., requires_grad=True)
    outer, inner = [], []
    with autograd_engine.observe_backward(lambda node, grads, sent: outer.append(node.name())):
        with autograd_engine.observe_backward(lambda node, grads, sent: inner.append(node.name())):
            (x * 2).backward()
        (x + 1).backward()
    (x - 1).backward()
    assert inner == ["MulBackward0", "torch::autograd::AccumulateGrad"]
    assert outer == ["AddBackward0", "torch::autograd::AccumulateGrad"]
    assert x.grad.item() == 4.0


def test_apply_backward_gives_the_nodes_gradients_checked_against_its_inputs():
    a = engine.tensor([[1., 2., 3.]], requires_grad=True)  # broadcast against a column
    b = engine.tensor([[2.], [4.]], requires_grad=True)
    y = a * b
    grads = y.grad_fn.apply_backward([engine.ones(2, 3)])
    assert [g.tolist() for g in grads] == [[[6., 6., 6.]], [[6.], [6.]]]  # summed back to each input's shape
    y.sum().backward()
    assert y.grad_fn.released
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn.apply_backward([engine.ones(2, 3)])


def test_apply_backward_on_a_ctx_the_graph_never_recorded():
    from engine.ops.arithmetic import Mul

    x, w = engine.tensor([1., 2.]), engine.tensor([3., 4.])
    ctx = autograd_function.new_context(Mul)
    ctx.needs_input_grad = (True, True)
    out = Mul.forward(ctx, x, w)
    assert out.tolist() == [3., 8.]
    grads = ctx.apply_backward([engine.tensor([1., 10.])], [x, w], [True, False])
    assert grads[0].tolist() == [3., 40.] and grads[1] is None


def test_saved_values_reads_inputs_and_outputs_and_is_empty_once_released():
    x = engine.tensor([1., 2.], requires_grad=True)
    w = engine.tensor([3., 3.], requires_grad=True)
    y = x * w
    z = y.exp()  # saves its own output
    saved_x, saved_w = y.grad_fn.saved_values()
    assert saved_x is x and saved_w is w
    assert [t if t is None else t.item() for t in (x * 3).grad_fn.saved_values()] == [None, 3]
    (out,) = z.grad_fn.saved_values()
    assert out.grad_fn is z.grad_fn and np.allclose(out.tolist(), np.exp([3., 6.]))
    assert not z.grad_fn.released and x.grad_fn is None
    z.sum().backward()
    assert z.grad_fn.released and z.grad_fn.saved_values() == () and y.grad_fn.saved_values() == ()
    assert x.grad.tolist() == pytest.approx((3 * np.exp([3., 6.])).tolist())


def test_saved_values_drops_an_output_overwritten_in_place():
    x = engine.tensor([0., 1.], requires_grad=True)
    z = (x * 1).exp()
    with engine.no_grad():
        z.add_(1)
    assert z.grad_fn.saved_values() == (None,)


def test_set_apply_hook_can_record_calls_instead_of_computing_them():
    recorded = []

    def record(function, args, kwargs):
        recorded.append((function.__name__, args))
        return "recorded" if function.__name__ == "Mul" else NotImplemented

    a, b = engine.tensor(2.), engine.tensor(3.)
    previous = autograd_function.set_apply_hook(record)
    try:
        product, total = a * b, a + b
    finally:
        assert autograd_function.set_apply_hook(previous) is record
    assert product == "recorded" and total.item() == 5.0
    assert [(name, args[0] is a, args[1] is b) for name, args in recorded] == [("Mul", True, True), ("Add", True, True)]
    assert (a * b).item() == 6.0 and len(recorded) == 2  # removed: computes again, unseen
