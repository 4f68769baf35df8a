"""Views: tensors that share memory (and the version counter) with the tensor they came from.

A write through a view shows in its base and the other way round; every in-place write
bumps the one version counter they share, which is how autograd notices that a saved
tensor changed. Copies (reshape of a non-contiguous tensor, flip, advanced indexing,
contiguous() of a transposed tensor, clone) own their memory.
"""
import importlib
import warnings

import numpy as np
import pytest

import engine
import layout_programs
from torch_compat import assert_same_error, outcome, torch  # noqa: F401

VIEWS = {
    "basic index": lambda x: x[1],
    "slice": lambda x: x[:, 1:],
    "step": lambda x: x[::2],
    "None and ...": lambda x: x[None, ..., 0],
    "view": lambda x: x.view(-1),
    "view_as": lambda x: x.view_as(engine.zeros(6, 2)) if isinstance(x, engine.Tensor) else x.view(6, 2),
    "reshape (contiguous)": lambda x: x.reshape(2, 6),
    "flatten": lambda x: x.flatten(),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "permute": lambda x: x.permute(1, 0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "expand": lambda x: x[:1].expand(5, 4),
    "detach": lambda x: x.detach(),
    "split": lambda x: x.split(2)[1],
    "chunk": lambda x: x.chunk(3, dim=1)[0],
    "unbind": lambda x: x.unbind(1)[2],
    "contiguous of contiguous": lambda x: x.contiguous(),
    "alias": lambda x: x[...],
}

COPIES = {
    "reshape (non-contiguous)": lambda x: x.t().reshape(-1),
    "flip": lambda x: x.flip(0),
    "int list index": lambda x: x[[0, 1]],
    "mask index": lambda x: x[x > 5],
    "contiguous of transposed": lambda x: x.t().contiguous(),
    "clone": lambda x: x.clone(),
    "to another dtype": lambda x: x.double(),
    "arithmetic": lambda x: x + 0,
}


TENSOR_MODULE = importlib.import_module("engine.tensor")  # engine.tensor is the function


def base():
    return engine.arange(12.0).view(3, 4)


def shares(a, b):
    return np.shares_memory(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_memory_and_the_version_counter(name):
    x = base()
    v = VIEWS[name](x)
    assert shares(x, v)
    version = x._version
    v.zero_() if name != "expand" else x.zero_()  # an expanded view cannot be written (overlapping memory)
    assert float(x.abs().sum()) < 66.0  # something in x changed
    assert x._version == v._version == version + 1


@pytest.mark.parametrize("name", COPIES)
def test_copies_own_their_memory(name):
    x = base()
    c = COPIES[name](x)
    assert not shares(x, c)
    before = x.clone()
    c.zero_()
    assert engine.equal(x, before) and x._version == 0


@pytest.mark.parametrize("name", list(VIEWS) + list(COPIES))
def test_view_or_copy_as_in_torch(name, torch):
    """torch's own base tracking (._base) tells which operations return views."""
    function = VIEWS.get(name) or COPIES[name]
    if name == "view_as":
        function = VIEWS["view_as"]
    x = torch.arange(12.0).view(3, 4)
    result = function(x)
    is_view = result._base is not None or name == "detach"
    assert is_view == (name in VIEWS)


def test_writes_through_a_view_show_in_the_base_and_back():
    x = base()
    row = x[1]
    row[0] = 100.0
    assert x[1, 0].item() == 100.0
    x[1, 1] = -5.0
    assert row[1].item() == -5.0
    col = x.t()[2]
    col.fill_(0.0)
    assert x[:, 2].tolist() == [0.0, 0.0, 0.0]


def test_detach_shares_memory_and_version_but_leaves_the_graph():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and shares(y, d)
    d.add_(1)
    assert y._version == 1 and y.tolist() == [3.0, 5.0]


def test_expand_reads_the_same_element_with_stride_zero():
    x = engine.tensor([[1.0], [2.0]])
    e = x.expand(2, 3)
    assert e.stride() == (1, 0) and e.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    with pytest.raises(RuntimeError, match="^unsupported operation: more than one element of the written-to tensor "
                                           "refers to a single memory location"):
        e.add_(1)


def test_contiguous():
    x = base()
    assert x.contiguous() is x
    t = x.t()
    c = t.contiguous()
    assert not t.is_contiguous() and c.is_contiguous() and engine.equal(c, t)
    assert c.stride() == (3, 1)


def test_negative_step_is_refused():
    with pytest.raises(ValueError, match="^step must be greater than zero$"):
        base()[::-1]
    with pytest.raises(ValueError, match="^step must be greater than zero$"):
        base()[:, ::-2]


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(12.0).view(3, 4)[::-1],
    lambda lib: lib.arange(12.0).view(-1, -1),
    lambda lib: lib.arange(12.0).view(5, 3),
    lambda lib: lib.arange(12.0).view(5, -1),
    lambda lib: lib.arange(12.0).view(0, -1),
    lambda lib: lib.arange(12.0).view(3, 4).t().view(12),
    lambda lib: lib.arange(12.0).view(3, 4).t().view(-1),
    lambda lib: lib.arange(12.0).view(-2, 6),
    lambda lib: lib.arange(12.0).reshape(-1, -1),
    lambda lib: lib.arange(12.0).reshape(7, 2),
    lambda lib: lib.arange(12.0).view(3, 4).expand(2, 4),
    lambda lib: lib.arange(12.0).view(4, 3).expand(3, 4),
    lambda lib: lib.arange(12.0).view(3, 4).expand(3),
    lambda lib: lib.arange(12.0).view(3, 4).expand(-1, 3, 4),
    lambda lib: lib.arange(12.0).view(3, 4).permute(0),
    lambda lib: lib.arange(12.0).view(3, 4).permute(0, 0),
    lambda lib: lib.arange(12.0).view(3, 4).transpose(0, 2),
    lambda lib: lib.arange(12.0).view(3, 4).squeeze(2),
    lambda lib: lib.arange(12.0).view(3, 4).unsqueeze(3),
    lambda lib: lib.arange(12.0).view(3, 4).flatten(1, 0),
    lambda lib: lib.arange(12.0).view(3, 4, 1).t(),
    lambda lib: lib.arange(12.0).view(3, 4).split(0),
    lambda lib: lib.arange(12.0).view(3, 4).split([1, 1]),
    lambda lib: lib.arange(12.0).view(3, 4).chunk(0),
    lambda lib: lib.arange(12.0).view(3, 4).flip(2),
], ids=lambda f: "call")
def test_shape_errors_match_torch(call, torch):
    assert_same_error(outcome(lambda: call(engine)), outcome(lambda: call(torch)))


def test_view_error_messages():
    x = engine.arange(12.0)
    with pytest.raises(RuntimeError, match="^only one dimension can be inferred$"):
        x.view(-1, -1)
    with pytest.raises(RuntimeError, match=r"^shape '\[5, 3\]' is invalid for input of size 12$"):
        x.view(5, 3)
    with pytest.raises(RuntimeError, match=r"^view size is not compatible with input tensor's size and stride \(at "
                                           r"least one dimension spans across two contiguous subspaces\). "
                                           r"Use .reshape\(...\) instead.$"):
        x.view(3, 4).t().view(12)
    assert x.view(3, 4).t().reshape(12).tolist() == x.view(3, 4).t().contiguous().view(12).tolist()


def test_T_warns_once_like_torch_on_other_than_two_dims(monkeypatch):
    monkeypatch.setattr(TENSOR_MODULE, "_warned", set())
    with pytest.warns(UserWarning, match=r"^The use of `x.T` on tensors of dimension other than 2 to reverse their "
                                         r"shape is deprecated"):
        assert engine.zeros(2, 3, 4).T.shape == (4, 3, 2)
    with pytest.warns(UserWarning, match=r"^Tensor.T is deprecated on 0-D tensors"):
        engine.tensor(1.0).T
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine.zeros(2, 3).T
        engine.zeros(5).T  # torch warns once per process (TORCH_WARN_ONCE)


def test_T_warning_matches_torch(monkeypatch, torch):
    monkeypatch.setattr(TENSOR_MODULE, "_warned", set())
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.zeros(2, 3, 4).T
    if not theirs:
        pytest.skip("torch warns once per process, and already did in this process")
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        engine.zeros(2, 3, 4).T
    # torch appends "(Triggered internally at <C++ file>:<line>.)", which the engine has no reason to copy.
    assert str(theirs[0].message).startswith(str(ours[0].message) + " (Triggered internally at ")


# ------------------------------------------------- views and autograd (torch's view model)
def _node_name(node):
    # torch's C++-only nodes carry a namespace in name() (torch::autograd::CopySlices)
    return None if node is None else node.name().removeprefix("torch::autograd::")


def test_a_single_element_index_is_a_view():
    x = engine.arange(3.0)
    x[1].mul_(5)
    assert x.tolist() == [0.0, 5.0, 2.0]
    for element in x:
        element.add_(1)
    assert x.tolist() == [1.0, 6.0, 3.0]
    first = x[0]
    x.add_(1)
    assert first.item() == 2.0 and first._version == x._version == 5
    assert x[1, ...]._base is x and engine.arange(4.0).view(2, 2)[1, 1].shape == ()


BASIC_INDICES = {
    "int": 1, "two ints": (1, 2), "slice": (slice(None), 1), "int then None": (1, None), "None then int": (None, 1),
    "ellipsis": (Ellipsis, 1), "step": slice(None, None, 2), "None": None, "...": Ellipsis,
}


@pytest.mark.parametrize("name", BASIC_INDICES)
def test_basic_indices_name_their_grad_fn_as_torch(name, torch):
    def run(lib):
        x = lib.arange(6.0).reshape(2, 3).requires_grad_()
        y = x[BASIC_INDICES[name]]
        return y, _node_name(y.grad_fn), y._base is x
    (y, grad_fn, is_view), (ty, tgrad_fn, tis_view) = run(engine), run(torch)
    assert (tuple(y.shape), y.tolist(), grad_fn, is_view) == (tuple(ty.shape), ty.tolist(), tgrad_fn, tis_view)


SELECTS = {
    "dim 1": lambda lib, x: lib.select(x, 1, 2),
    "negative": lambda lib, x: lib.select(x, -1, -1),
    "method": lambda lib, x: x.select(0, 1),
    "keywords": lambda lib, x: x.select(dim=1, index=0),
    "tensor index": lambda lib, x: x.select(0, lib.tensor(1)),
    "index out of range": lambda lib, x: lib.select(x, 1, 3),
    "negative index out of range": lambda lib, x: lib.select(x, 0, -3),
    "empty dim": lambda lib, x: lib.select(lib.zeros(2, 0), 1, 0),
    "dim out of range": lambda lib, x: lib.select(x, 2, 0),
    "0-d": lambda lib, x: lib.select(lib.tensor(1.0), 0, 0),
    "float index": lambda lib, x: lib.select(x, 0, 1.0),
    "float index, method": lambda lib, x: x.select(0, 1.0),
    "float dim": lambda lib, x: lib.select(x, 1.0, 0),
    "bool index": lambda lib, x: lib.select(x, 0, True),
}


@pytest.mark.parametrize("name", SELECTS)
def test_select_matches_torch(name, torch):
    ours = outcome(lambda: SELECTS[name](engine, engine.arange(6.0).view(2, 3).requires_grad_()))
    theirs = outcome(lambda: SELECTS[name](torch, torch.arange(6.0).view(2, 3).requires_grad_()))
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours[1].tolist() == theirs[1].tolist() and ours[1].grad_fn.name() == theirs[1].grad_fn.name()


def test_select_writes_through_and_differentiates():
    x = engine.arange(6.0).view(2, 3).requires_grad_()
    y = x * 1
    y.select(1, 2).mul_(2)
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 2.0], [1.0, 1.0, 2.0]]


def _grad_after(lib, change):
    x = lib.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y = x * 2
    v = y[1:]
    change(y)
    name = _node_name(v.grad_fn)
    v.sum().backward()
    return x.grad.tolist(), name, v.tolist()


BASE_CHANGES = {
    "mul_": lambda y: y.mul_(3),
    "setitem": lambda y: y.__setitem__(2, 7),
    "another view": lambda y: y[:2].add_(10),
    "none": lambda y: None,
}


@pytest.mark.parametrize("name", BASE_CHANGES)
def test_a_view_follows_its_base_written_in_place(name, torch):
    assert _grad_after(engine, BASE_CHANGES[name]) == _grad_after(torch, BASE_CHANGES[name])


def test_a_view_follows_its_base_written_in_place_exact_values():
    assert _grad_after(engine, BASE_CHANGES["mul_"]) == ([0.0, 6.0, 6.0], "AsStridedBackward0", [6.0, 12.0])
    assert _grad_after(engine, BASE_CHANGES["setitem"])[0] == [0.0, 2.0, 0.0]


REFUSED_WRITES = {
    "unbind": lambda lib, x: (x * 2).unbind()[0].add_(1),
    "split": lambda lib, x: (x * 2).split(2)[0].add_(1),
    "split with sizes": lambda lib, x: (x * 2).split([1, 2])[0].add_(1),
    "chunk": lambda lib, x: (x * 2).chunk(2)[1].mul_(2),
    "view of unbind": lambda lib, x: (x * 2).unbind()[1][None].mul_(2),
    "unbind after its base changed": lambda lib, x: _write_base_then_use(lambda y: y.unbind()[0], lambda v: v + 1, x),
    "split of a tensor without grad, written with grad": lambda lib, x: lib.zeros(4).split(2)[0].add_(x[:2]),
    "view made under no_grad": lambda lib, x: _no_grad_view(lib, x * 2).mul_(2),
    "split made under no_grad": lambda lib, x: _no_grad_view(lib, x * 2, lambda y: y.split(2)[0]).mul_(2),
    "no_grad view after its base changed": lambda lib, x: _write_base_then_use(
        lambda y: _no_grad_view(lib, y), lambda v: v.grad_fn, x),
}


def _no_grad_view(lib, y, make=lambda y: y[1:]):
    with lib.no_grad():
        return make(y)


def _write_base_then_use(make_view, use, x):
    y = x * 2
    view = make_view(y)
    y.mul_(2)
    return use(view)


@pytest.mark.parametrize("name", REFUSED_WRITES)
def test_writes_torch_refuses_into_views(name, torch):
    ours = outcome(lambda: REFUSED_WRITES[name](engine, engine.tensor([0.0, 1.0, 2.0], requires_grad=True)))
    theirs = outcome(lambda: REFUSED_WRITES[name](torch, torch.tensor([0.0, 1.0, 2.0], requires_grad=True)))
    assert_same_error(ours, theirs)


def test_writes_into_multi_output_views_are_refused_with_torchs_words():
    with pytest.raises(RuntimeError, match=r"^Output 0 of Unbind is a view and is being modified inplace\. This view "
                       r"is the output of a function that returns multiple views\."):
        (engine.ones(2, requires_grad=True) * 2).unbind()[0].add_(1)
    pieces = engine.zeros(4).split(2)  # nothing requires grad: the write is not recorded, so it is allowed
    pieces[0].add_(1)
    assert pieces[0]._base.tolist() == [1.0, 1.0, 0.0, 0.0]


VIEW_FLAGS = {
    "view, then base requires grad": lambda lib: _flags(lib, lambda x: (x[1:], x.requires_grad_())[0]),
    "no_grad view of a leaf": lambda lib: _flags(lib, lambda x: _no_grad_view(lib, x.requires_grad_())),
    "view of a plain tensor written": lambda lib: _flags(lib, lambda x: (x[1:], x.add_(1))[0]),
    "view of a leaf written under no_grad": lambda lib: _flags(lib, lambda x: _view_then_no_grad_write(lib, x)),
}


def _flags(lib, make):
    view = make(lib.zeros(3))
    result = view * 2
    return view.requires_grad, view.is_leaf, _node_name(view.grad_fn), result.requires_grad, [
        _node_name(fn) for fn, _ in (result.grad_fn.next_functions if result.grad_fn else ())]


def _view_then_no_grad_write(lib, x):
    x.requires_grad_()
    view = x[1:]
    with lib.no_grad():
        x.add_(1)
    return view


@pytest.mark.parametrize("name", VIEW_FLAGS)
def test_requires_grad_of_views_follows_torch(name, torch):
    assert VIEW_FLAGS[name](engine) == VIEW_FLAGS[name](torch)


# ------------------------------------- seeded random programs: views, in-place writes, backward
def _random_view(lib, t, rng):
    """A view of `t` made by one of the view operations, picked by `rng`."""
    choices = ["unsqueeze", "None", "alias"]
    if t.ndim >= 1 and t.shape[0] > 0:
        choices += ["int", "slice", "select", "unbind", "split", "step"]
    if t.ndim == 2:
        choices += ["t", "transpose"]
    if t.ndim >= 1:
        choices += ["view"]
    kind = choices[rng.randint(len(choices))]
    n = t.shape[0] if t.ndim else 0
    i = rng.randint(n) if n else 0
    if kind == "int":
        return t[i]
    if kind == "slice":
        return t[i:]
    if kind == "step":
        return t[::2]
    if kind == "select":
        return t.select(0, -1 - i if rng.randint(2) else i)
    if kind == "unbind":
        return t.unbind(0)[i]
    if kind == "split":
        return t.split(2)[i // 2]
    if kind == "t":
        return t.t()
    if kind == "transpose":
        return t.transpose(0, 1)
    if kind == "view":
        return t.view(-1)
    if kind == "unsqueeze":
        return t.unsqueeze(0)
    if kind == "None":
        return t[None]
    return t[...]


def _random_write(lib, t, w, rng):
    kind = ["mul_", "add_", "add_ w", "mul_ w", "sub_", "zero_", "fill_", "exp_", "relu_", "setitem", "copy_",
            "div_"][rng.randint(12)]
    c = float(rng.randint(1, 4))
    if kind == "mul_":
        t.mul_(c)
    elif kind == "add_":
        t.add_(c)
    elif kind == "add_ w":
        t.add_(w.sum() * c)
    elif kind == "mul_ w":
        t.mul_(w[0])
    elif kind == "sub_":
        t.sub_(c)
    elif kind == "zero_":
        t.zero_()
    elif kind == "fill_":
        t.fill_(w[1] if rng.randint(2) else c)
    elif kind == "exp_":
        t.mul_(0.1).exp_()
    elif kind == "relu_":
        t.sub_(c).relu_()
    elif kind == "setitem" and t.ndim:
        t[rng.randint(t.shape[0])] = w[2] if rng.randint(2) else c
    elif kind == "copy_":
        t.copy_(w.sum() * c)
    else:
        t.div_(c)


def _significant(tensor):
    """The values to 9 significant digits: the two libraries may sum in another order."""
    return [float(f"{v:.9g}") for v in np.asarray(tensor.tolist(), dtype=np.float64).reshape(-1)]


def _random_program(lib, seed):
    """Views of a non-leaf, writes into it and its views, uses of their values, then backward; a log of it all."""
    rng = np.random.RandomState(seed)
    log = []
    x = lib.tensor(rng.randint(-3, 4, (3, 4)).astype(np.float64), requires_grad=True)
    w = lib.tensor(rng.randint(-3, 4, 4).astype(np.float64), requires_grad=True)
    try:
        # a base that requires grad (in NumPy's column-major order after a transpose), or one that starts without
        base = [x * 2, x * 2, x.t() * 2, x.detach().clone()][rng.randint(4)]
        pool, used = [base], []
        for _ in range(rng.randint(2, 7)):
            step = rng.randint(6)
            t = pool[rng.randint(len(pool))]
            if step < 2:
                pool.append(_random_view(lib, t, rng))
            elif step < 5:
                _random_write(lib, t, w, rng)
            else:
                used.append(t * t if rng.randint(2) else t.exp())  # saves t, or its own output
            log.append((step, tuple(pool[-1].shape)))
        for t in pool:
            fn = t.grad_fn
            log.append((t.requires_grad, None if fn is None else fn.name(), tuple(t.shape), _significant(t)))
        total = sum((t * (k + 1)).sum() for k, t in enumerate(pool + used) if t.requires_grad)
        if isinstance(total, lib.Tensor) and total.requires_grad:
            total.backward()
        for leaf in (x, w):
            log.append(None if leaf.grad is None else _significant(leaf.grad))
    except Exception as error:  # noqa: BLE001  (torch's errors are part of what is compared)
        log.append(("raised", type(error).__name__, str(error)))
    return log


@pytest.mark.parametrize("chunk", range(10))
def test_random_view_and_inplace_programs_match_torch(chunk, torch):
    """1,200 seeded programs; a failure names the seed, and `_random_program(lib, seed)` replays it."""
    torch.set_default_dtype(torch.float64)  # exp_ and repeated writes: compare without float32 rounding
    engine.set_default_dtype(engine.float64)
    try:
        for seed in range(chunk * 120, chunk * 120 + 120):
            ours, theirs = _random_program(engine, seed), _random_program(torch, seed)
            assert ours == theirs, f"seed {seed}"
    finally:
        torch.set_default_dtype(torch.float32)
        engine.set_default_dtype(engine.float32)


def _view_function(lib):
    class Flatten(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.view(-1)

        @staticmethod
        def backward(ctx, grad):
            return grad.view(2, 2)

    class Same(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    return Flatten, Same


CUSTOM_VIEWS = {
    "write into a view made in forward": lambda lib, y: _view_function(lib)[0].apply(y).mul_(2),
    "write into an input returned as is": lambda lib, y: _view_function(lib)[1].apply(y).add_(1),
    "base written after": lambda lib, y: _then_read(_view_function(lib)[0].apply(y), y),
    "read, not written": lambda lib, y: (_view_function(lib)[0].apply(y) * 2).tolist(),
}


def _then_read(view, base):
    base.mul_(2)
    return view.grad_fn


@pytest.mark.parametrize("name", CUSTOM_VIEWS)
def test_views_made_in_a_custom_function_follow_torch(name, torch):
    ours = outcome(lambda: CUSTOM_VIEWS[name](engine, engine.ones(2, 2, requires_grad=True) * 1))
    theirs = outcome(lambda: CUSTOM_VIEWS[name](torch, torch.ones(2, 2, requires_grad=True) * 1))
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours == theirs


def test_views_the_engine_makes_inside_its_own_forward_stay_writable():
    m = engine.nn.functional.linear(engine.ones(2, 3), engine.ones(4, 3, requires_grad=True))
    m.mul_(2)
    values = engine.ones(3, 4, requires_grad=True).max(1)[0]
    values.mul_(2)
    assert m.grad_fn.name() == "MulBackward0" and values.grad_fn.name() == "MulBackward0"


# ------------------------------------------------------------------------ layouts
def _layout_examples(lib):
    x = lib.arange(12.0).reshape(3, 4)
    t, y = x.t(), lib.ones(4, 3)
    p = lib.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1)
    return {
        "x.t().clone()": lambda: t.clone(),
        "x.t() + y": lambda: t + y,
        "y + x.t()": lambda: y + t,
        "x.t() * 2": lambda: t * 2,
        "x.t().exp()": lambda: t.exp(),
        "zeros_like(x.t())": lambda: lib.zeros_like(t),
        "x.t().clone().add_(1)": lambda: t.clone().add_(1),
        "x.t()[::2].clone()": lambda: t[::2].clone(),
        "x.t().contiguous()": lambda: t.contiguous(),
        "cat of transposes": lambda: lib.cat([t, t]),
        "stack of transposes": lambda: lib.stack([t, t]),
        "softmax of a transpose": lambda: t.softmax(-1),
        "keepdim sum of a permuted tensor": lambda: p.sum(1, keepdim=True),
        "keepdim sum over the first dim": lambda: p.sum(0, keepdim=True),
        "mean along a dim": lambda: p.mean(-1),
        "column + transpose": lambda: lib.ones(4, 1) + t,
        # a size-1 dim: torch keeps its stride where it keeps the layout, and plain strides on its fast path
        "clone of a transposed row": lambda: x[:1].t().clone(),
        "zeros_like of a transposed row": lambda: lib.zeros_like(x[:1].t()),
        "exp of a permuted block with a size-1 dim": lambda: lib.arange(8.0).reshape(4, 1, 2).permute(0, 2, 1).exp(),
        "sum of a column, keepdim": lambda: t.sum(1, keepdim=True),
    }


@pytest.mark.parametrize("name", list(_layout_examples(engine)))
def test_layout_decides_view_as_in_torch(name, torch):
    def layout(result):
        viewed = outcome(lambda: result.view(-1))
        message = str(viewed[1]) if viewed[0] == "raised" else ""
        return result.is_contiguous(), tuple(result.stride()), viewed[0], message

    assert layout(_layout_examples(engine)[name]()) == layout(_layout_examples(torch)[name]())


def test_seeded_layout_programs_match_torch(torch):
    """2,000 seeds: layouts from permutes and steps, through elementwise ops, reductions, cat, clone, ..."""
    for seed in range(2000):
        recipe = layout_programs.draw(np.random.default_rng(seed))
        assert layout_programs.run(engine, recipe) == layout_programs.run(torch, recipe), f"seed {seed}: {recipe}"


# ------------------------------------------------------------ writes into an expanded tensor
# expand repeats memory with stride 0. torch refuses most writes into such a tensor, but fill_
# and zero_ (writing one value twice is harmless), writes through a part that does not repeat
# (e[0]), and x[arrays] = v (with a warning) go through.
def _expanded(lib):
    return lib.zeros(3).expand(2, 3)


EXPANDED_WRITES = {
    "fill_": lambda lib, e: e.fill_(1.5),
    "zero_": lambda lib, e: e.zero_(),
    "fill_ from a tensor": lambda lib, e: e.fill_(lib.tensor(2.0)),
    "add_": lambda lib, e: e.add_(1),
    "exp_": lambda lib, e: e.exp_(),
    "uniform_": lambda lib, e: e.uniform_(),
    "copy_": lambda lib, e: e.copy_(lib.ones(2, 3)),
    "add_ of the wrong shape": lambda lib, e: e.add_(lib.ones(5)),
    "add_ that cannot be cast": lambda lib, e: lib.zeros(3, dtype=lib.int64).expand(2, 3).add_(1.5),
    "out=": lambda lib, e: lib.add(lib.ones(2, 3), 1, out=e),
    "out= a row": lambda lib, e: lib.add(lib.ones(3), 1, out=e[0]),
    "add_ on a row": lambda lib, e: e[0].add_(1),
    "copy_ into a row": lambda lib, e: e[0].copy_(lib.arange(3.0)),
    "setitem a row": lambda lib, e: e.__setitem__(0, lib.arange(3.0)),
    "setitem a column": lambda lib, e: e.__setitem__((slice(None), 0), 4.0),
    "setitem one element": lambda lib, e: e.__setitem__((0, 1), 5.0),
    "setitem everything": lambda lib, e: e.__setitem__(Ellipsis, 1.0),
    "setitem with a list": lambda lib, e: e.__setitem__([0], 5.0),
    "setitem with a mask": lambda lib, e: e.__setitem__(e > -1, lib.arange(6.0)),
    "setitem with a list after an int": lambda lib, e: e.__setitem__((0, [1]), 3.0),
}


def _expanded_write(lib, name):
    expanded = _expanded(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = outcome(lambda: EXPANDED_WRITES[name](lib, expanded))
    return result, expanded, [str(w.message) for w in caught]


@pytest.mark.parametrize("name", EXPANDED_WRITES)
def test_writes_into_an_expanded_tensor_as_torch(name, torch):
    ours, our_tensor, our_warnings = _expanded_write(engine, name)
    theirs, their_tensor, their_warnings = _expanded_write(torch, name)
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours[0] == "ok", ours[1]
        if name != "uniform_":
            assert our_tensor.tolist() == their_tensor.tolist()
    assert len(our_warnings) == len(their_warnings)
    for mine, its in zip(our_warnings, their_warnings):
        assert its.startswith(mine)


def test_writes_into_an_expanded_tensor_exact():
    ours, tensor, _ = _expanded_write(engine, "fill_")
    assert tensor.tolist() == [[1.5] * 3] * 2 and tensor.stride() == (0, 1)
    assert _expanded_write(engine, "add_ on a row")[1].tolist() == [[1.0] * 3] * 2
    assert _expanded_write(engine, "setitem one element")[1].tolist() == [[0.0, 5.0, 0.0]] * 2
    for refused in ("add_", "copy_", "setitem a column", "out=", "fill_ from a tensor"):
        outcome_, _, _ = _expanded_write(engine, refused)
        assert outcome_[0] == "raised" and "refers to a single memory location" in str(outcome_[1])
    _, tensor, warned = _expanded_write(engine, "setitem with a list")
    assert tensor.tolist() == [[5.0] * 3] * 2
    assert warned == ["Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
                      "performing this operation. This also applies to advanced indexing e.g. tensor[indices] = tensor"]


def test_expand_keeps_the_strides_of_the_dims_it_does_not_repeat(torch):
    for lib in (engine, torch):
        x = lib.arange(4.0).reshape(4, 1, 1).unsqueeze(0).expand(2, -1, -1, -1)
        assert x.stride() == (0, 1, 1, 1)


def _expanded_grad(lib, write, loss_of):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = x * 1
    expanded = base.expand(2, 3)
    weights = lib.arange(1.0, 7.0).reshape(2, 3)

    def run():
        write(expanded)
        loss_of(base, expanded, weights).backward()
        return x.grad.tolist()

    return outcome(run)


EXPANDED_GRADS = {
    # fill_ may write memory the expanded tensor repeats, but backward's CopySlices refuses it
    "fill_, through the expanded tensor": (lambda e: e.fill_(2.0), lambda b, e, w: (e * w).sum()),
    "zero_, through the base": (lambda e: e.zero_(), lambda b, e, w: (b * w[0]).sum()),
    "a column": (lambda e: e.__setitem__((slice(None), 1), 4.0), lambda b, e, w: (b * w[0]).sum()),  # refused at once
    # the write covers a part that does not repeat: the gradient flows
    "a row, multiplied": (lambda e: e[1].mul_(2.0), lambda b, e, w: (b * w[0]).sum()),
    "a row, multiplied, through the expanded tensor": (lambda e: e[0].mul_(5.0), lambda b, e, w: (e * w).sum()),
    "a row, set": (lambda e: e.__setitem__(0, 5.0), lambda b, e, w: (e * w).sum()),
}


@pytest.mark.parametrize("name", EXPANDED_GRADS)
def test_gradients_through_writes_into_an_expanded_tensor_as_torch(name, torch):
    write, loss_of = EXPANDED_GRADS[name]
    ours, theirs = _expanded_grad(engine, write, loss_of), _expanded_grad(torch, write, loss_of)
    if theirs[0] == "raised":
        assert_same_error(ours, theirs)
    else:
        assert ours == theirs


def test_gradients_through_writes_into_an_expanded_tensor_exact():
    write, loss_of = EXPANDED_GRADS["a row, multiplied, through the expanded tensor"]
    # e = base repeated twice, and e[0] *= 5 multiplies base itself: loss = 5 · base · (w0 + w1)
    assert _expanded_grad(engine, write, loss_of) == ("ok", [25.0, 35.0, 45.0])
    write, loss_of = EXPANDED_GRADS["fill_, through the expanded tensor"]
    result = _expanded_grad(engine, write, loss_of)
    assert result[0] == "raised" and "refers to a single memory location" in str(result[1])
