"""Local derivatives along each edge, and the chain rule as a sum over paths.

For one operation y = f(x₀, x₁, ...) the local derivative along edge i is ∂y/∂xᵢ.
On scalars it is a number, and the engine computes it for us: it is what the
node's backward returns for input i when fed grad_output = 1. On tensors it is a
rule ("grad @ Bᵀ"), which the operation's Function declares.

Backward multiplies local derivatives along every path from the output to a leaf
and adds the paths up:

>>> import engine as torch
>>> a = torch.tensor(3., requires_grad=True)
>>> y = a * a
>>> paths = gradient_paths(y, a)
>>> [p.product for p in paths]
[3.0, 3.0]
>>> y.backward(); a.grad
tensor(6.)
"""
import re

import numpy as np

from ..autograd.node import BackwardNode
from ..creation import from_numpy
from ..grad_mode import no_grad
from ..tensor import Tensor
from .graph import _key_of, short_name, trace
from .text import number

def op_name(node):
    """The node name without torch's "Backward<n>" suffix: MulBackward0 → "Mul"."""
    return re.sub(r"Backward[0-9]*$", "", short_name(node))


def rule(node, index):
    """The local derivative along edge `index` of `node`, in words: what backward does to `grad`.

    It is the `derivatives` its Function declares (one rule per input, or one for all); a node
    without them (a learner's own Function) is named instead.
    """
    rules = getattr(type(node), "derivatives", None)
    if rules is None:
        return short_name(node)
    return rules[min(index, len(rules) - 1)]


def local_derivatives(node, output_shapes):
    """∂y/∂xᵢ for every input of a scalar operation, as floats; None where it cannot be computed.

    Calls the node's backward with grad_output = 1. It is None for a node with
    several outputs or a non-scalar one, and once backward has freed the saved
    values (`retain_graph=True` keeps them).
    """
    count = len(node.next_functions)
    if getattr(node, "_num_outputs", 1) != 1 or not output_shapes or _numel(output_shapes[0]) != 1:
        return [None] * count
    if not isinstance(node, BackwardNode) or node.released:
        return [None] * count
    shape, dtype = output_shapes[0], _output_dtype(node)
    try:
        with no_grad():
            grads = node.apply_backward([from_numpy(np.ones(shape, dtype=dtype))])
    except Exception:  # a stale graph or a learner's backward that fails: fall back to the rule
        return [None] * count
    result = []
    for (fn, _), grad in zip(node.next_functions, grads):
        if fn is None:
            result.append(None)
        elif grad is None:
            result.append(0.0)  # the engine treats a missing gradient as zero
        elif isinstance(grad, Tensor) and grad._data.size == 1:
            result.append(float(grad._data.reshape(())))
        else:
            result.append(None)
    return result


def _numel(shape):
    return int(np.prod(shape)) if shape is not None else 0


def _output_dtype(node):
    for meta in getattr(node, "_input_meta", ()):
        if meta is not None and meta[1].kind == "f":
            return meta[1]
    return np.float32


class Derivatives:
    """Local derivatives of the ops of a traced graph, computed once each."""

    def __init__(self, graph):
        self.graph = graph
        self._numbers = {}

    def numbers(self, op):
        values = self._numbers.get(op)
        if values is None:
            values = self._numbers[op] = local_derivatives(op.node, [var.shape for var in op.outputs])
        return values

    def factor(self, op, index):
        """The local derivative along input `index` of `op`: a float, or the rule text."""
        number = self.numbers(op)[index]
        if number is not None:
            return number
        return rule(op.node, index)

    def freed(self, op):
        return op.node.released


class Path:
    """One route from the output back to `wrt`.

    `nodes`: the graph nodes along it, output's `grad_fn` first, ending at the node
    that stands for `wrt` (its `AccumulateGrad` for a leaf). `edges`: the
    `(node, input_index)` steps taken. `factors`: the local derivative of each step
    (floats on scalars, else rule text). `product`: their product (None unless all
    are numbers).
    """

    __slots__ = ("nodes", "edges", "factors", "product", "vars")

    def __init__(self, edges, factors, vars):
        self.edges, self.factors, self.vars = tuple(edges), tuple(factors), tuple(vars)
        self.nodes = tuple(node for node, _ in self.edges) + (vars[-1].node,) if edges else (vars[-1].node,)
        product = 1.0
        for factor in self.factors:
            if not isinstance(factor, float):
                product = None
                break
            product *= factor
        self.product = product

    def __repr__(self):
        steps = " → ".join(short_name(node) for node in self.nodes)
        return f"Path({steps}, product={self.product})"

    def __str__(self):
        """The named tensors along the route, then the chain rule.

        For example `L → d → c → a: 2.5 × 1.0 × 0.25 × -1.5 = -0.9375`.
        """
        route = " → ".join(var.name for var in self.vars if var.name) or repr(self)
        factors = " × ".join(number(f) if isinstance(f, float) else f"({f})" for f in self.factors) or "1.0"
        return f"{route}: {factors}" + (f" = {number(self.product)}" if self.product is not None else "")


def gradient_paths(output, wrt, names=None, max_paths=100_000):
    """Every path from `output` back to the tensor `wrt` (a leaf, or a non-leaf), with its product.

    On a scalar graph the products add up to the gradient: sum(p.product for p in
    paths) equals `wrt.grad` after `output.backward()`. With `names` (as for the
    drawings) `print(path)` shows the route through the named tensors. The numbers
    need the values the graph saved: call it before `backward()`, or after
    `backward(retain_graph=True)`.
    """
    if not isinstance(wrt, Tensor) or not wrt._requires_grad:
        raise ValueError("gradient_paths: `wrt` must be a tensor that requires grad")
    graph = trace(output, names)
    return _paths(graph, Derivatives(graph), wrt, max_paths)


def _paths(graph, derivatives, wrt, max_paths):
    target = graph.var_by_key.get(_key_of(wrt))
    if target is None:
        return []
    # Which vars and ops lead to the target: walk from it towards the output.
    consumers = {}
    for op in graph.ops:
        for var in op.inputs:
            if var is not None:
                consumers.setdefault(var.index, []).append(op)
    leads = {target.index}
    stack = [target]
    while stack:
        var = stack.pop()
        for op in consumers.get(var.index, ()):
            if op.index in leads:
                continue
            leads.add(op.index)
            for out in op.outputs:
                if out.index not in leads:
                    leads.add(out.index)
                    stack.append(out)
    paths = []
    # Depth first, inputs in order, with an explicit stack so that deep graphs work.
    stack = [(graph.root, (), (), (graph.root,))]
    while stack:
        var, edges, factors, vars = stack.pop()
        if var is target:
            paths.append(Path(edges, factors, vars))
            if len(paths) > max_paths:
                raise ValueError(f"more than {max_paths} paths lead to this tensor; pass a larger max_paths")
            continue
        op = var.producer
        if op is None:
            continue
        for index in reversed(range(len(op.inputs))):
            child = op.inputs[index]
            if child is None or child.index not in leads or child.kind == "constant":
                continue
            step, factor = (op.node, index), derivatives.factor(op, index)
            stack.append((child, edges + (step,), factors + (factor,), vars + (child,)))
    return paths
