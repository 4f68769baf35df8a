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
    """x[index] with integer arrays or a mask (a copy); backward adds the gradient into zeros at the
    positions read. Its subclasses read with a basic index (a view), under torch's names for them."""

    node_name = "IndexBackward0"
    symbol = "index"
    derivatives = ("scatter into zeros",)
    static_name = "index"

    @staticmethod
    def forward(ctx, x, index):
        _keep_index(ctx, index)
        ctx.shape = x._data.shape
        if _is_basic(index):
            return _view_of(x, basic_view(x._data, index))
        return _wrap(x._data[index])

    @staticmethod
    def backward(ctx, grad):
        return IndexScatter.apply(grad, _saved_index(ctx), ctx.shape), None


class Slice(Index):
    """x[1:3], x[:, ::2]: torch names a basic index after its last part that does something."""

    node_name = "SliceBackward0"
    symbol = "slice"
    derivatives = ("grad into the slice of zeros",)


class Select(Index):
    """x[1], x[:, 0]: the last part that does something is an integer."""

    node_name = "SelectBackward0"
    symbol = "select"
    derivatives = ("grad into the row of zeros",)


class IndexUnsqueeze(Index):
    """x[:, None]: the last part that does something adds a dimension."""

    node_name = "UnsqueezeBackward0"
    symbol = "unsqueeze"
    derivatives = ("squeeze",)


class IndexAlias(Index):
    """x[...], x[:, :]: nothing is selected, the whole tensor is seen again."""

    node_name = "AliasBackward0"
    symbol = "alias"
    derivatives = ("grad",)


class IndexScatter(Function):
    """zeros(shape) with `values` added at `index` (repeats accumulate); the backward of indexing."""

    node_name = "IndexPutBackward0"
    symbol = "setitem"
    derivatives = ("grad, written part zeroed", "grad[index]")
    static_name = "index_scatter"
    ordered_inputs = True

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
        return (Slice if _is_basic(index) else Index).apply(grad, index), None, None


class IndexPut(Function):
    """A copy of x with `values` written at `index`; recorded when `x[index] = values` needs autograd."""

    node_name = "IndexPutBackward0"
    symbol = "setitem"
    derivatives = ("grad, written part zeroed", "grad[index]")
    static_name = "index_put"
    ordered_inputs = True

    @staticmethod
    def forward(ctx, x, index, values):
        ctx.index = index
        ctx.save_for_backward()  # freed after backward, so a second one raises, as torch's CopySlices does too
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
            written = Index.apply(grad, index)
            grad_values = sum_to_shape(written, _without_leading_ones(ctx.values_shape))
            if grad_values._data.shape != ctx.values_shape:
                grad_values = grad_values.reshape(ctx.values_shape)
        return grad_x, None, grad_values


class IndexPutThroughView(IndexPut):
    """The same write when torch took a view first (an int, None or a partial slice), then wrote into it."""

    node_name = "torch::autograd::CopySlices"


class Fill(Function):
    """Every element set to one value; no gradient reaches the old values."""

    node_name = "FillBackward0"
    symbol = "fill"
    derivatives = ("0", "Σ grad")
    static_name = "fill"

    @staticmethod
    def forward(ctx, x, value):
        return _wrap(np.full_like(x._data, getattr(value, "_data", value)))

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad.sum() if ctx.needs_input_grad[1] else None


class FillNumber(Fill):
    """x.fill_(number)."""

    node_name = "FillBackward2"
    derivatives = ("0",)


class FillTensor(Fill):
    """x.fill_(tensor), and x[...] = a 0-d tensor."""

    node_name = "FillBackward3"
    derivatives = ("0", "Σ grad")


class Zero(Fill):
    """x.zero_()."""

    node_name = "ZeroBackward0"
    symbol = "zero"
    derivatives = ("0",)


class Copy(Function):
    """x overwritten by src (broadcast and converted to x's dtype); the gradient goes to src."""

    node_name = "torch::autograd::CopyBackwards"
    symbol = "copy_"
    derivatives = ("0", "grad")
    static_name = "copy"

    @staticmethod
    def forward(ctx, x, src):
        ctx.dtype = src.dtype
        return _wrap(np.broadcast_to(as_dtype_array(src, x.dtype), x._data.shape).copy())

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad.to(ctx.dtype)

