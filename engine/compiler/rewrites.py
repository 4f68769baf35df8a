"""Pattern rewrites on the forward program: a known chain of nodes becomes one fused node.

They run before the backward is built, so each fused node brings its own fused backward:

- `-log_softmax(z, 1)[arange(n), y].mean()` becomes `cross_entropy_fused(z)`, whose forward
  never builds the log-probabilities and whose backward is `softmax - one_hot`, scaled,
  in one node (the hand-written NumPy step's trick);
- `relu(x)` becomes `relu_mask(x)`: the result and the mask `x > 0` (NaN passing, as in
  torch's threshold_backward); backward multiplies by the mask kept from forward
  instead of comparing the saved output again, and the memory planner lets the result
  take `x`'s buffer.
"""
import copy

import numpy as np

from ..autograd.function import Function
from ..creation import from_numpy
from ..static import Symbol
from .program import readers


class CrossEntropyFused(Function):
    """-mean(log_softmax(z, dim=1)[rows, targets]) with rows = arange(n); also returns softmax(z)."""

    node_name = "CrossEntropyFusedBackward"
    static_name = "cross_entropy_fused"
    symbol = "cross_entropy"
    derivatives = ("(softmax − one_hot) · grad / n",)

    @staticmethod
    def forward(ctx, z, index):
        data = z._data
        rows, targets = index
        shifted = data - data.max(axis=1, keepdims=True)
        picked = shifted[rows, targets].sum()
        e = np.exp(shifted, out=shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = (np.log(total).sum() - picked) / data.shape[0]
        np.divide(e, total, out=e)
        probs = from_numpy(e)
        ctx.index = index
        ctx.save_for_backward(probs)
        return from_numpy(np.asarray(loss, dtype=data.dtype)), probs

    @staticmethod
    def backward(ctx, grad, grad_probs):
        probs, = ctx.saved_tensors
        return SoftmaxMinusOneHot.apply(grad, probs, ctx.index), None


class SoftmaxMinusOneHot(Function):
    """The gradient of the fused cross-entropy: (softmax - one_hot(targets)) · grad / n."""

    node_name = "SoftmaxMinusOneHotBackward"
    static_name = "softmax_minus_one_hot"
    symbol = "softmax − one_hot"
    derivatives = ("not differentiable twice",)

    @staticmethod
    def forward(ctx, grad, probs, index):
        scale = grad._data / probs._data.shape[0]
        result = np.multiply(probs._data, scale, dtype=probs._data.dtype)
        result[index] -= scale
        return from_numpy(result)


class ReluMask(Function):
    """relu(x), and the mask backward multiplies by (relu(x) ≠ 0, so NaN passes)."""

    node_name = "ReluMaskBackward"
    static_name = "relu_mask"
    symbol = "relu"
    derivatives = ("grad * mask",)

    @staticmethod
    def forward(ctx, x, out=None):
        result = np.maximum(x._data, 0, out=out, dtype=x._data.dtype)  # as eager relu computes it
        # relu(x) ≠ 0 is x > 0, or NaN: torch's threshold_backward passes the gradient at NaN too.
        mask = from_numpy(np.not_equal(result, 0))
        ctx.save_for_backward(mask)
        return (x if out is not None else from_numpy(result)), mask

    @staticmethod
    def backward(ctx, grad, grad_mask):
        mask, = ctx.saved_tensors
        return grad * mask, None

    @staticmethod
    def into(x):
        """The in-place form the memory planner uses when x has no other reader."""
        return ReluMask.forward(_Scratch(), x, out=x._data)


def fuse_patterns(program):
    """Rewrite the forward program's known patterns into fused nodes (see the module's docstring)."""
    count = readers(program)
    producer = {id(o): node for node in program.nodes for o in node.outputs}
    removed, nodes = set(), []
    for node in program.nodes:
        fused = _cross_entropy(node, producer, count) if node.op == "neg" else None
        if fused is not None:
            removed.update(id(n) for n in fused[1])
            nodes = [n for n in nodes if id(n) not in removed]
            nodes.append(fused[0])
            continue
        if node.op == "relu" and node.function.__module__.startswith("engine.ops"):
            node = _fused_node(node, ReluMask, node.args, node.outputs[0])
        nodes.append(node)
    return program.replace(nodes=nodes)


def _cross_entropy(neg, producer, count):
    """neg(mean(index(log_softmax(z, 1), (arange(n), y)))) → cross_entropy_fused(z), when only it reads each link."""
    chain = [neg]
    for op in ("mean", "index", "log_softmax"):
        arg = chain[-1].args[0]
        node = producer.get(id(arg)) if type(arg) is Symbol else None
        if node is None or node.op != op or count.get(id(arg)) != 1:
            return None
        chain.append(node)
    _, mean, index, log_softmax = chain
    z = log_softmax.args[0]
    if type(z) is not Symbol or z._data.ndim != 2 or log_softmax.args[1] not in (1, -1):
        return None
    if mean.args[1:] != (None, False, None) or not _rows_and_targets(index.args[1], z._data.shape[0]):
        return None
    return _fused_node(neg, CrossEntropyFused, (z, index.args[1]), neg.outputs[0], extra=1), chain[1:]


def _rows_and_targets(index, n):
    if not isinstance(index, tuple) or len(index) != 2 or not all(isinstance(a, np.ndarray) for a in index):
        return False
    rows, targets = index
    return rows.shape == (n,) and targets.shape == (n,) and rows.dtype.kind in "iu" and targets.dtype.kind in "iu" \
        and np.array_equal(rows, np.arange(n))


def _fused_node(node, function, args, output, extra=1):
    """A node of `function` whose first output is `output`; `extra` more outputs get fresh symbols."""
    fused = copy.copy(node)
    fused.function, fused.args, fused.kwargs = function, tuple(args), {}
    stand_ins = function.forward(_Scratch(), *[a for a in args])
    fused.outputs = (output,) + tuple(_extra_symbol(output, s, i) for i, s in enumerate(stand_ins[1:1 + extra], 1))
    return fused


def _extra_symbol(like, stand_in, index):
    symbol = copy.copy(like)
    symbol._data, symbol._label, symbol._version_counter = stand_in._data, f"{like._label}.{index}", [0]
    return symbol


class _Scratch:
    """A ctx nobody runs backward from: a fused node's stand-ins at compile time, the in-place relu_mask."""

    def save_for_backward(self, *tensors):
        pass
