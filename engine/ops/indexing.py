"""Reading with an index (x[i], x[:, 1:], x[mask], x[[0, 0]]) and writing through one.

Basic indices (ints, slices, None, ...) give views that share memory; integer
arrays and masks give copies. Backward scatters the gradient back to the
positions read, adding where an index repeats.
"""
import numpy as np

from ..autograd.function import Function
from .common import _view_of, _wrap, as_dtype_array, constant_like
from .reductions import sum_to_shape


def _is_basic(index):
    return all(part is None or part is Ellipsis or isinstance(part, (int, slice)) for part in index)


def basic_view(array, index):
    """array[index] for a basic index, always an array that views `array` (NumPy gives a copied scalar for x[1])."""
    result = array[index]
    if type(result) is not np.ndarray:
        result = array[(*index, Ellipsis)]
    return result


def _keep_index(ctx, index):
    """Hold the index for backward; an advanced one counts as a saved tensor, freed after backward as in torch."""
    ctx.index = index
    if not _is_basic(index):
        ctx.save_for_backward()


def _saved_index(ctx):
    ctx.saved_tensors  # raises torch's error once backward has freed an advanced index
    return ctx.index


def _without_leading_ones(shape):
    """The shape of an assigned value with its leading size-1 dims dropped, as torch does before broadcasting."""
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


class Index(Function):
    """x[index]; backward adds the gradient into zeros at the positions read."""

    @staticmethod
    def forward(ctx, x, index, name):
        ctx._name = name
        _keep_index(ctx, index)
        ctx.shape = x._data.shape
        if _is_basic(index):
            return _view_of(x, basic_view(x._data, index))
        return _wrap(x._data[index])

    @staticmethod
    def backward(ctx, grad):
        return IndexScatter.apply(grad, _saved_index(ctx), ctx.shape), None, None


class IndexScatter(Function):
    """zeros(shape) with `values` added at `index` (repeats accumulate); the backward of indexing."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, values, index, shape):
        _keep_index(ctx, index)
        result = np.zeros(shape, dtype=values._data.dtype)
        if _is_basic(index):
            result[index] = values._data
        else:
            np.add.at(result, index, values._data)
        return _wrap(result)

    @staticmethod
    def backward(ctx, grad):
        index = _saved_index(ctx)
        return Index.apply(grad, index, "SliceBackward0" if _is_basic(index) else "IndexBackward0"), None, None


class IndexPut(Function):
    """A copy of x with `values` written at `index`; recorded when `x[index] = values` needs autograd."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, index, values, through_view=True):
        ctx.index = index
        ctx.save_for_backward()  # freed after backward, so a second one raises, as torch's CopySlices does too
        if through_view:  # torch took a view first (an int, None or a partial slice), then wrote into it
            ctx._name = "torch::autograd::CopySlices"
        ctx.values_shape = values._data.shape
        result = x._data.copy()
        result[index] = values._data.reshape(_without_leading_ones(values._data.shape))
        return _wrap(result)

    @staticmethod
    def backward(ctx, grad):
        index = _saved_index(ctx)
        kept = np.ones(grad._data.shape, dtype=grad._data.dtype)
        kept[index] = 0  # written positions no longer depend on x
        grad_x = grad * constant_like(kept, grad)
        grad_values = None
        if ctx.needs_input_grad[2]:
            written = Index.apply(grad, index, "IndexBackward0")
            grad_values = sum_to_shape(written, _without_leading_ones(ctx.values_shape))
            if grad_values._data.shape != ctx.values_shape:
                grad_values = grad_values.reshape(ctx.values_shape)
        return grad_x, None, grad_values, None


class Fill(Function):
    """Every element set to one value; no gradient reaches the old values."""

    node_name = "FillBackward0"

    @staticmethod
    def forward(ctx, x, value, name=None):
        if name:  # torch: ZeroBackward0 (zero_), FillBackward2 (a number), FillBackward3 (a tensor)
            ctx._name = name
        return _wrap(np.full_like(x._data, getattr(value, "_data", value)))

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad.sum() if ctx.needs_input_grad[1] else None, None


class Copy(Function):
    """x overwritten by src (broadcast and converted to x's dtype); the gradient goes to src."""

    node_name = "torch::autograd::CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        ctx.dtype = src.dtype
        return _wrap(np.broadcast_to(as_dtype_array(src, x.dtype), x._data.shape).copy())

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad.to(ctx.dtype)

