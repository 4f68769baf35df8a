"""The recorded graph: grad_fn names and next_functions as torch builds them, and the backward walk.

`next_functions` holds one `(node, output_nr)` pair per tensor input, `(None, 0)` for an
input that does not require grad (a Python number included), and an `AccumulateGrad`
whose `.variable` is the leaf at the end of every path. The walk must handle graphs of
any depth without recursion, and must free the buffers it saved once they are used.
"""
import gc
import tracemalloc

import pytest

import engine
from torch_compat import torch  # noqa: F401


def node_name(node, lib):
    if node is None:
        return None
    # torch names its C++-only nodes with a namespace ("torch::autograd::AccumulateGrad") that its
    # reprs drop; the engine's name() is the short name.
    return node.name().removeprefix("torch::autograd::")


def describe(tensor, lib, depth=6):
    """The graph behind `tensor` as nested tuples: (name, ((child, output_nr), ...))."""
    def walk(node, depth):
        if node is None:
            return None
        children = () if depth == 0 else tuple((walk(child, depth - 1), nr) for child, nr in node.next_functions)
        return node_name(node, lib), children

    return walk(tensor.grad_fn, depth)


GRAPHS = {
    "mul by a number": lambda lib, x, y: x * 2,
    "number times": lambda lib, x, y: 2 * x,
    "number minus": lambda lib, x, y: 2 - x,
    "divide by a number": lambda lib, x, y: x / 2,
    "number divided by": lambda lib, x, y: 2 / x,
    "power": lambda lib, x, y: x ** 2,
    "number to the power": lambda lib, x, y: 2 ** x,
    "add": lambda lib, x, y: x + y,
    "add a constant tensor": lambda lib, x, y: x + lib.ones(3),
    "a + a": lambda lib, x, y: x + x,
    "reuse": lambda lib, x, y: (x * y + x).exp() * x,
    "matmul and reductions": lambda lib, x, y: (x.view(3, 1) @ y.view(1, 3)).relu().sum(dim=1).mean(),
    "max along a dim": lambda lib, x, y: x.view(1, 3).max(dim=1).values,
    "second piece of a split": lambda lib, x, y: x.split(1)[1] * 3,
    "unbind": lambda lib, x, y: x.unbind(0)[2] + y.unbind(0)[0],
    "cat and stack": lambda lib, x, y: lib.stack([lib.cat([x, y]), lib.cat([y, x])]),
    "indexing": lambda lib, x, y: x[1:] * y[[0, 0]],
    "views": lambda lib, x, y: x.view(3, 1).t().squeeze().unsqueeze(-1).expand(3, 2).transpose(0, 1)[1],
    "reshape that can view": lambda lib, x, y: x.view(1, 3).reshape(3).flatten(),
    "softmax": lambda lib, x, y: lib.log_softmax(x, 0) + lib.softmax(y, dim=0),
    "clamp and abs": lambda lib, x, y: x.clamp(min=0.5).abs() - y.clamp(max=1.0),
    "to another dtype": lambda lib, x, y: x.double() * y.double(),
    "clone": lambda lib, x, y: x.clone() * y,
    "sum of a leaf": lambda lib, x, y: x.sum(),
    "mixed leaf and constant": lambda lib, x, y: x * lib.tensor([1.0, 2.0, 3.0]) + y,
    # The condition is no input of the graph: torch records edges for x and y only.
    "where": lambda lib, x, y: lib.where(x > 1.5, x, y),
    # A reshape no view can do: a copy (CloneBackward0) read in the new shape (UnsafeViewBackward0).
    "reshape that must copy": lambda lib, x, y: x.view(3, 1).expand(3, 2).flatten(),
}


def leaves(lib):
    return lib.tensor([1.0, 2.0, 3.0], requires_grad=True), lib.tensor([0.5, 1.5, 2.5], requires_grad=True)


@pytest.mark.parametrize("name", GRAPHS)
def test_graph_structure_matches_torch(name, torch):
    ours = GRAPHS[name](engine, *leaves(engine))
    theirs = GRAPHS[name](torch, *leaves(torch))
    assert describe(ours, engine) == describe(theirs, torch)


def test_next_functions_by_hand():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    (accumulate, nr), (constant, constant_nr) = y.grad_fn.next_functions
    assert type(accumulate) is engine.autograd.AccumulateGrad and accumulate.name() == "torch::autograd::AccumulateGrad"
    assert accumulate.variable is x and nr == 0 and accumulate.next_functions == ()
    assert (constant, constant_nr) == (None, 0)
    z = x + x
    assert z.grad_fn.next_functions[0][0] is z.grad_fn.next_functions[1][0] is accumulate  # one node per leaf
    pieces = x.split(1)
    assert [p.grad_fn.name() for p in pieces] == ["SplitBackward0"] * 2
    assert (pieces[1] * 1).grad_fn.next_functions[0] == (pieces[1].grad_fn, 1)  # output_nr of the second piece
    assert repr(y.grad_fn).startswith("<MulBackward0 object at 0x")
    assert repr(accumulate).startswith("<AccumulateGrad object at 0x")


def test_no_graph_without_requires_grad():
    a, b = engine.tensor([1.0]), engine.tensor([2.0])
    assert (a * b).grad_fn is None and not (a * b).requires_grad


def test_grad_fn_names_of_reductions_depend_on_the_dim_argument(torch):
    """torch names x.sum() SumBackward0 and x.sum(dim) SumBackward1, x.sum(()) included."""
    for call in (lambda t: t.sum(), lambda t: t.sum(0), lambda t: t.sum(()), lambda t: t.sum((0, 1)),
                 lambda t: t.mean(), lambda t: t.mean(-1), lambda t: t.mean([]), lambda t: t.prod(),
                 lambda t: t.prod(1), lambda t: t.max(), lambda t: t.max(0)[0], lambda t: t.amax(()),
                 lambda t: t.std(), lambda t: t.var(1), lambda t: t.squeeze(), lambda t: t.squeeze(0),
                 lambda t: t.squeeze((0, 1))):
        ours = call(engine.ones(2, 3, requires_grad=True)).grad_fn.name()
        assert ours == call(torch.ones(2, 3, requires_grad=True)).grad_fn.name()
    assert engine.ones(2, requires_grad=True).sum().grad_fn.name() == "SumBackward0"
    assert engine.ones(2, requires_grad=True).sum(()).grad_fn.name() == "SumBackward1"


# ---------------------------------------------------------------------- the walk
def test_a_very_deep_graph_backpropagates_without_recursion():
    x = engine.tensor([1.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = -y  # the cheapest op: the test is about the walk, not the arithmetic
    assert y.item() == 1.5
    y.backward()
    assert x.grad.tolist() == [1.0]
    del y  # freeing the chain must not recurse either
    gc.collect()


def test_nodes_run_once_each_even_when_reached_many_times():
    calls = []

    class Count(engine.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            calls.append(1)
            return grad

    x = engine.tensor([1.0], requires_grad=True)
    h = Count.apply(x)
    total = h
    for _ in range(50):
        total = total + h  # 51 paths reach the same node
    total.sum().backward()
    assert len(calls) == 1 and x.grad.tolist() == [51.0]


MB = 1024 * 1024


def graph_saving_buffers():
    """A loss whose graph saves 6 MB of intermediate results that nothing else holds."""
    x = engine.ones(500, 1000, requires_grad=True)  # 2 MB
    loss = x.exp().sin().cos().tanh().sum()  # exp and tanh save outputs, sin and cos save inputs
    return x, loss


@pytest.mark.parametrize("retain", [False, True])
def test_backward_frees_saved_buffers_unless_retain_graph(retain):
    gc.collect()
    tracemalloc.start()
    try:
        x, loss = graph_saving_buffers()
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        loss.backward(retain_graph=retain)
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert x.grad is not None  # 2 MB were allocated for it
    if retain:
        assert after > before + 1 * MB  # the saved buffers are all still there, and the grad too
        loss.backward()  # and can be used again
    else:
        assert after < before - 3 * MB  # 6 MB of saved results freed, 2 MB of .grad added
        with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
            loss.backward()
