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
        loss, probs = _loss_and_softmax(data - row_max(data), index)
        probs = from_numpy(probs)
        ctx.index = index
        ctx.save_for_backward(probs)
        return loss, probs

    @staticmethod
    def into(z, index):
        """The in-place form the memory planner uses when z has no other reader: softmax(z) takes z's buffer."""
        data = z._data
        data -= row_max(data)
        loss, _ = _loss_and_softmax(data, index)
        return loss, z

    @staticmethod
    def backward(ctx, grad, grad_probs):
        probs, = ctx.saved_tensors
        return SoftmaxMinusOneHot.apply(grad, probs, ctx.index), None


def _loss_and_softmax(shifted, index):
    """The mean NLL of log_softmax and the softmax itself, from logits shifted by their row maximum.

    `shifted` is overwritten with the softmax, so the log-probabilities are never built.
    """
    rows, targets = index
    picked = shifted[rows, targets].sum()
    e = np.exp(shifted, out=shifted)
    total = row_sums(e)
    loss = (np.log(total).sum() - picked) / shifted.shape[0]
    np.divide(e, total[:, None], out=e)
    return from_numpy(np.asarray(loss, dtype=shifted.dtype)), e


# NumPy reduces along a short last axis one row at a time, which costs more than the arithmetic:
# on 1797×10 logits, max(axis=1) takes 89 µs and sum(axis=1) 28 µs. A loop over the columns
# (each comparison runs down a whole column) takes 8 µs, and a product with a vector of ones 4 µs.
SHORT_ROW = 64


def row_max(a):
    """a.max(axis=1, keepdims=True) for a 2-D array, computed column by column when rows are short."""
    if a.shape[1] > SHORT_ROW:
        return a.max(axis=1, keepdims=True)
    result = a[:, 0].copy()
    for column in range(1, a.shape[1]):
        np.maximum(result, a[:, column], out=result)
    return result[:, None]


def row_sums(a):
    """a.sum(axis=1) for a 2-D float array, as a matrix-vector product (a different order of additions)."""
    return a @ np.ones(a.shape[1], dtype=a.dtype)


class SoftmaxMinusOneHot(Function):
    """The gradient of the fused cross-entropy: (softmax - one_hot(targets)) · grad / n."""

    node_name = "SoftmaxMinusOneHotBackward"
    static_name = "softmax_minus_one_hot"
    symbol = "softmax − one_hot"
    derivatives = ("not differentiable twice",)

    @staticmethod
    def forward(ctx, grad, probs, index, out=None):
        scale = grad._data / probs._data.shape[0]
        result = np.multiply(probs._data, scale, dtype=probs._data.dtype, out=out)
        result[index] -= scale
        return from_numpy(result)


class ReluMask(Function):
    """relu(x), and the mask backward multiplies by (relu(x) ≠ 0, so NaN passes)."""

    node_name = "ReluMaskBackward"
    static_name = "relu_mask"
    symbol = "relu"
    derivatives = ("grad * mask",)

    @staticmethod
    def forward(ctx, x, out=None, mask_out=None):
        result = np.maximum(x._data, 0, out=out, dtype=x._data.dtype)  # as eager relu computes it
        # relu(x) ≠ 0 is x > 0, or NaN: torch's threshold_backward passes the gradient at NaN too.
        mask = from_numpy(np.not_equal(result, 0, out=mask_out))
        ctx.save_for_backward(mask)
        return (x if out is not None else from_numpy(result)), mask

    @staticmethod
    def backward(ctx, grad, grad_mask):
        mask, = ctx.saved_tensors
        return grad * mask, None

    @staticmethod
    def into(x, mask_out=None):
        """The in-place form the memory planner uses when x has no other reader."""
        return ReluMask.forward(_Scratch(), x, out=x._data, mask_out=mask_out)


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
