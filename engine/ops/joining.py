"""Joining tensors (cat, stack) and splitting them (split, chunk)."""
import numpy as np

from .. import dtypes
from .. import layout
from ..autograd.function import Function
from .common import _view_of, _wrap


class Cat(Function):
    """Tensors joined along an existing dim; backward slices the gradient apart."""

    node_name = "CatBackward0"
    symbol = "cat"
    derivatives = ("slice of grad",)
    static_name = "cat"
    ordered_inputs = True
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, dim, dtype, *tensors):
        ctx.dim = dim
        # 1-D empty tensors are skipped, as torch skips them.
        ctx.sizes = [0 if t._data.ndim == 1 and t._data.size == 0 else t._data.shape[dim] for t in tensors]
        ctx.shapes = [t._data.shape for t in tensors]
        arrays = [t._data.astype(dtype.numpy, copy=False) for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)]
        return _wrap(np.concatenate(arrays, axis=dim) if arrays else np.empty((0,), dtype.numpy))

    @staticmethod
    def backward(ctx, grad):
        pieces, start = [], 0
        for size, shape in zip(ctx.sizes, ctx.shapes):
            index = (slice(None),) * ctx.dim + (slice(start, start + size),)
            # an empty input still gets its (empty) gradient, as in torch
            pieces.append(grad[index] if size else _wrap(np.zeros(shape, grad._data.dtype)))
            start += size
        return (None, None, *pieces)


class Stack(Function):
    """Tensors of one shape joined along a new dim; backward takes each slice back."""

    node_name = "StackBackward0"
    symbol = "stack"
    derivatives = ("select from grad",)
    static_name = "stack"
    ordered_inputs = True
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, dim, dtype, *tensors):
        ctx.dim = dim
        return _wrap(np.stack([t._data.astype(dtype.numpy, copy=False) for t in tensors], axis=dim))

    @staticmethod
    def backward(ctx, grad):
        return (None, None, *grad.unbind(ctx.dim))


def _multi_output_views(x, arrays):
    views = tuple(_view_of(x, array) for array in arrays)
    for view in views:  # torch refuses to record writes into these (see autograd.views)
        view._view_creation = "multi_output"
    return views


class Split(Function):
    """Consecutive pieces along dim (views); backward joins their gradients."""

    node_name = "SplitBackward0"
    symbol = "split"
    derivatives = ("cat",)
    static_name = "split"

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        bounds = np.cumsum(sizes)[:-1]
        return _multi_output_views(x, np.split(x._data, bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return Cat.apply(ctx.dim, _common_dtype(grads), *grads), None, None


class SplitWithSizes(Split):
    """Pieces of the sizes given, x.split([2, 3]); the same views, under torch's other name."""

    node_name = "SplitWithSizesBackward0"
    symbol = "split_with_sizes"
    derivatives = ("cat",)


class Unbind(Function):
    """Every slice along dim (views); backward stacks their gradients."""

    node_name = "UnbindBackward0"
    symbol = "unbind"
    derivatives = ("stack",)
    static_name = "unbind"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        leading = (slice(None),) * dim
        # The trailing ... keeps x[i] of a vector a 0-d view rather than a copied NumPy scalar.
        return _multi_output_views(x, [x._data[(*leading, i, Ellipsis)] for i in range(x._data.shape[dim])])

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(ctx.dim, _common_dtype(grads), *grads), None


class Repeat(Function):
    """The tensor tiled `repeats` times along each dim (leading dims added as needed); backward sums the tiles."""

    node_name = "RepeatBackward0"
    symbol = "repeat"
    derivatives = ("sum over the copies",)
    static_name = "repeat"

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.shape, ctx.repeats = x._data.shape, repeats
        return _wrap(np.tile(x._data, repeats))

    @staticmethod
    def backward(ctx, grad):
        padded = (1,) * (len(ctx.repeats) - len(ctx.shape)) + ctx.shape
        tiles = tuple(n for pair in zip(ctx.repeats, padded) for n in pair)  # (r0, s0, r1, s1, ...)
        summed = grad.reshape(tiles).sum(tuple(range(0, len(tiles), 2))) if tiles else grad
        return summed.reshape(ctx.shape), None


def _common_dtype(tensors):
    """The dtype the tensors promote to together (what cat and stack produce)."""
    result = tensors[0].dtype
    for t in tensors[1:]:
        result = dtypes.promote_types(result, t.dtype)
    return result
