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
