"""Operations that change how memory is read: view, reshape, transpose, permute, squeeze, expand, ...

Most return views that share memory (and the version counter) with their input,
as in torch. Their backward undoes the rearrangement.
"""
import numpy as np

from ..autograd.function import Function
from ..layout import expanded, is_dense, preserved_copy
from .common import _view_of, _wrap


def reshaped_view(array, shape):
    """`array` read in `shape` without copying, or None when its strides do not allow it."""
    result = array.reshape(shape)
    # NumPy's reshape copies only when it must, and then the result is a view of that
    # fresh copy; a true view's base is the array itself or the array's own base.
    base = result.base
    if base is array or (base is not None and base is array.base) or array.size <= 1:
        return result
    return None


def reshape_to(tensor, shape):
    """reshape for the engine's own backward formulas: `shape` is already checked."""
    if tensor._data.shape == shape:
        return tensor
    if reshaped_view(tensor._data, shape) is None:
        return reshape_copy(tensor, shape)
    return View.apply(tensor, shape)


def reshape_copy(tensor, shape):
    """reshape when no view can do it: a contiguous copy, read in the new shape (as torch records it)."""
    return UnsafeView.apply(Clone.apply(tensor, contiguous=True), shape)


class View(Function):
    """The same memory read in a new shape; fails when the strides do not allow it."""

    node_name = "ViewBackward0"
    symbol = "view"
    derivatives = ("reshape back",)
    static_name = "view"

    @staticmethod
    def forward(ctx, x, shape):
        array = reshaped_view(x._data, shape)
        if array is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead."
            )
        ctx.shape = x._data.shape
        return _view_of(x, array)

    @staticmethod
    def backward(ctx, grad):
        return reshape_to(grad, ctx.shape), None


class UnsafeView(Function):
    """A fresh copy read in a new shape; the copy is nobody else's, so no view needs tracking."""

    node_name = "UnsafeViewBackward0"
    symbol = "reshape"
    derivatives = ("reshape back",)
    static_name = "reshape"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return _wrap(x._data.reshape(shape))

    @staticmethod
    def backward(ctx, grad):
        return reshape_to(grad, ctx.shape), None


class Permute(Function):
    """Dimensions reordered (a view); backward applies the inverse order."""

    node_name = "PermuteBackward0"
    symbol = "permute"
    derivatives = ("permute back",)
    static_name = "permute"

    @staticmethod
    def forward(ctx, x, dims):
        inverse = [0] * len(dims)
        for position, dim in enumerate(dims):
            inverse[dim] = position
        ctx.inverse = tuple(inverse)
        return _view_of(x, x._data.transpose(dims))

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(ctx.inverse), None


class Transpose(Permute):
    """Two dimensions swapped: x.transpose(i, j), and the engine's own matrix transposes."""

    node_name = "TransposeBackward0"
    symbol = "transpose"
    derivatives = ("transpose back",)


class TransposeMatrix(Permute):
    """x.t(): a matrix transposed (a vector or a number stays as it is)."""

    node_name = "TBackward0"
    symbol = "t"
    derivatives = ("transpose back",)


class Unsqueeze(Function):
    """A new dimension of size 1 at `dim` (a view)."""

    node_name = "UnsqueezeBackward0"
    symbol = "unsqueeze"
    derivatives = ("squeeze",)
    static_name = "unsqueeze"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return _view_of(x, np.expand_dims(x._data, dim))

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim), None


class Squeeze(Function):
    """Every dimension of size 1 removed (a view): x.squeeze()."""

    node_name = "SqueezeBackward0"
    symbol = "squeeze"
    derivatives = ("unsqueeze",)
    static_name = "squeeze"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.shape = x._data.shape
        return _view_of(x, np.squeeze(x._data, axis=dims) if dims else x._data.reshape(x._data.shape))

    @staticmethod
    def backward(ctx, grad):
        return reshape_to(grad, ctx.shape), None


class SqueezeDim(Squeeze):
    """One dimension removed if its size is 1: x.squeeze(dim)."""

    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    """The dimensions of size 1 among several removed: x.squeeze((d0, d1))."""

    node_name = "SqueezeBackward2"


class Expand(Function):
    """Size-1 dimensions repeated without copying (stride 0); backward sums them back."""

    node_name = "ExpandBackward0"
    symbol = "expand"
    derivatives = ("sum over expanded dims",)
    static_name = "expand"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return _view_of(x, expanded(x._data, shape))

    @staticmethod
    def backward(ctx, grad):
        return grad._summed_to(ctx.shape), None


class Flip(Function):
    """Elements reversed along dims, copied (tensors have no negative strides)."""

    node_name = "FlipBackward0"
    symbol = "flip"
    derivatives = ("flip back",)
    static_name = "flip"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _wrap(np.flip(x._data, dims).copy())

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims), None


class Clone(Function):
    """A copy with its own memory; the gradient passes through unchanged."""

    node_name = "CloneBackward0"
    symbol = "clone"
    derivatives = ("grad",)
    static_name = "clone"

    @staticmethod
    def forward(ctx, x, contiguous=False):
        if contiguous:  # x.contiguous()
            return _wrap(np.array(x._data, order="C"))
        return _wrap(preserved_copy(x._data))  # x.t().clone() is transposed too, as in torch

    @staticmethod
    def backward(ctx, grad):
        return grad


class ToCopy(Function):
    """A copy in another dtype; the gradient is converted back."""

    node_name = "ToCopyBackward0"
    symbol = "to_copy"
    derivatives = ("convert back",)
    static_name = "to"

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        data = x._data
        if data.ndim > 1 and not is_dense(data):  # torch's _to_copy keeps only a dense layout
            return _wrap(np.ascontiguousarray(data, dtype=dtype.numpy))
        return _wrap(data.astype(dtype.numpy))

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype), None


class Alias(Function):
    """The same tensor seen again (as `x[...]` gives)."""

    node_name = "AliasBackward0"
    symbol = "alias"
    derivatives = ("grad",)
    static_name = "alias"

    @staticmethod
    def forward(ctx, x):
        return _view_of(x, x._data.view())

    @staticmethod
    def backward(ctx, grad):
        return grad
