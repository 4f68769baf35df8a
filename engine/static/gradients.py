"""Symbolic gradients: the backward graph built ahead of any data, as `tf.gradients` did.

Each recorded node kept the ctx of its build-time call, which saved symbols. Running
that Function's own backward formula on a symbolic gradient records new nodes, so
the gradient program is part of the graph, printable and drawable before it runs.

>>> import engine as torch
>>> from engine import static
>>> with static.Graph() as g:
...     x = static.placeholder("x", shape=())
...     y = x ** 3
...     dy_dx, = static.gradients(y, [x])
>>> g.run(dy_dx, {"x": 2.0})
tensor(12.)
"""
import numpy as np

from ..creation import from_numpy
from ..ops.indexing import Fill
from ..tensor import Tensor
from .control import CondNode, cond
from .graph import Symbol, current_graph


def gradients(ys, xs, grad_ys=None):
    """Symbols for d(sum of ys)/dx for each x in `xs` (zeros where x does not matter)."""
    graph = current_graph()
    if graph is None:
        raise RuntimeError("gradients() needs a graph: use it inside `with engine.static.Graph() as g:`")
    ys = [ys] if isinstance(ys, Tensor) else list(ys)
    xs = [xs] if isinstance(xs, Tensor) else list(xs)
    for value in ys + xs:
        if not isinstance(value, Symbol) or value._graph is not graph:
            raise TypeError(f"gradients() takes symbols of the graph being built, got {value!r}")
    seeds = grad_ys if grad_ys is not None else [Fill.apply(y, _number(1.0)) for y in ys]
    grads = {}
    for y, seed in zip(ys, seeds):
        _accumulate(grads, y, seed)
    for node in reversed(graph.nodes_for(ys)):
        outputs_grads = [grads.get(out) for out in node.outputs]
        if all(g is None for g in outputs_grads):
            continue
        if isinstance(node, CondNode):
            _cond_backward(node, outputs_grads[0], grads)
            continue
        for index, (out, grad) in enumerate(zip(node.outputs, outputs_grads)):
            if grad is None:  # (by position: list.index would compare symbols with ==, a recorded op)
                outputs_grads[index] = Fill.apply(out, _number(0.0))
        for arg, grad in zip(node.args, _backward(node, outputs_grads)):
            if grad is not None and isinstance(arg, Symbol):
                _accumulate(grads, arg, grad)
    return [grads[x] if x in grads else Fill.apply(x, _number(0.0)) for x in xs]


def _accumulate(grads, symbol, grad):
    grads[symbol] = grad if symbol not in grads else grads[symbol] + grad


def _number(value):
    """A constant number in the gradient program (the seed 1, the zeros), as a 0-d float64 tensor."""
    return from_numpy(np.asarray(value, dtype=np.float64))


def _backward(node, output_grads):
    """The node's Function.backward on symbolic gradients, checked as the engine checks it."""
    ctx = node.ctx
    if ctx.released:
        raise RuntimeError("this node's saved values were released; rebuild the graph")
    # Only symbols get gradients: a constant's would never be used.
    grads = ctx.apply_backward(output_grads, node.args, [isinstance(a, Symbol) for a in node.args])
    tensor_positions = [i for i, a in enumerate(node.args) if isinstance(a, Tensor)]
    # One gradient per tensor argument; spread them back over all arguments.
    spread = [None] * len(node.args)
    for position, grad in zip(tensor_positions, grads):
        spread[position] = grad
    return spread


def _cond_backward(node, grad, grads):
    pred, true_value, false_value = node.args
    zeros = Fill.apply(grad, _number(0.0))
    if isinstance(true_value, Symbol):
        _accumulate(grads, true_value, cond(pred, lambda: grad, lambda: zeros))
    if isinstance(false_value, Symbol):
        _accumulate(grads, false_value, cond(pred, lambda: zeros, lambda: grad))
