"""Reductions over dimensions: sum, mean, prod, max/min, var/std, and the stable softmaxes.

Each takes `dims`, a tuple of non-negative dimension indices already checked by
the caller, and `keepdim`. Backward puts the removed dimensions back with
`unsqueeze`-style reshapes, then broadcasts.
"""
import contextlib
import warnings

import numpy as np

from .. import layout
from ..autograd.function import Function
from ..grad_mode import _state as _grad_state
from ..tensor import _warn_at_caller
from .common import _wrap, constant_like, floating_array
from .pointwise import where
from .views import Expand, reshape_to


def _kept_shape(shape, dims):
    """`shape` with every reduced dimension set to 1: the shape of a keepdim result."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _restore(grad, shape, dims, keepdim):
    """Reshape a reduced gradient so that it broadcasts against the input again."""
    return grad if keepdim else reshape_to(grad, _kept_shape(shape, dims))


def _expand(grad, shape):
    return grad if grad._data.shape == shape else Expand.apply(grad, shape)


class Sum(Function):
    """Σ x over dims; every element gets the gradient of its sum."""

    node_name = "SumBackward1"
    symbol = "sum"
    derivatives = ("expand",)
    static_name = "sum"
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype=None):
        array = x._data
        if dtype is not None:
            array = array.astype(dtype.numpy)
        elif array.dtype.kind in "biu":  # torch sums integers and bools in int64
            array = array.astype(np.int64)
        ctx.shape, ctx.dims, ctx.keepdim = x._data.shape, dims, keepdim
        return _wrap(array.sum(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        if ctx.dims is None and not ctx.keepdim:  # a scalar expands to any shape directly
            return _expand(grad, ctx.shape), None, None, None
        dims = ctx.dims if ctx.dims is not None else tuple(range(len(ctx.shape)))
        return _expand(_restore(grad, ctx.shape, dims, ctx.keepdim), ctx.shape), None, None, None


class SumAll(Sum):
    """Σ x over every element (dims None)."""

    node_name = "SumBackward0"


class Mean(Function):
    """The mean over dims; every element gets 1/n of the gradient."""

    node_name = "MeanBackward1"
    symbol = "mean"
    derivatives = ("expand / n",)
    static_name = "mean"
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype=None):
        array = x._data if dtype is None else x._data.astype(dtype.numpy)
        if array.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
                f"Got: {x.dtype._legacy.removesuffix('Tensor')}"
            )
        ctx.shape, ctx.dims, ctx.keepdim = x._data.shape, dims, keepdim
        count = array.size if dims is None else int(np.prod([array.shape[d] for d in dims]))
        with np.errstate(invalid="ignore", divide="ignore"):
            # sum / count: the same float32 result as array.mean, without its Python-level overhead
            return _wrap(np.divide(np.add.reduce(array, axis=dims, keepdims=keepdim), count, dtype=array.dtype))

    @staticmethod
    def backward(ctx, grad):
        dims = ctx.dims if ctx.dims is not None else tuple(range(len(ctx.shape)))
        count = int(np.prod([ctx.shape[d] for d in dims]))
        return _expand(_restore(grad, ctx.shape, dims, ctx.keepdim), ctx.shape) / count, None, None, None


class MeanAll(Mean):
    """The mean of every element (dims None)."""

    node_name = "MeanBackward0"


class Prod(Function):
    """Π x along dim; d/dxᵢ = the product of all the other elements."""

    node_name = "ProdBackward1"
    symbol = "prod"
    derivatives = ("grad * out / x",)
    static_name = "prod"
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype=None):
        array = x._data if dtype is None else x._data.astype(dtype.numpy)
        if dtype is None and array.dtype.kind in "biu":
            array = array.astype(np.int64)
        if not array.ndim:  # dim 0 of a 0-d tensor: the one element, reduced like all dims
            dim = None
        ctx.dim, ctx.keepdim = dim, keepdim
        with np.errstate(invalid="ignore"):  # inf · 0 is nan, quietly as in torch
            result = _wrap(array.prod(axis=dim, keepdims=keepdim))
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, result = ctx.saved_tensors
        if not x.ndim:  # the product of one element is that element: torch passes the gradient (NaN or not)
            return grad, None, None, None
        dims = (ctx.dim,) if ctx.dim is not None else tuple(range(x.ndim))
        grad = _restore(grad, x._data.shape, dims, ctx.keepdim)
        zeros = np.count_nonzero(x._data == 0)
        if not zeros:
            return grad * _restore(result, x._data.shape, dims, ctx.keepdim) / x, None, None, None
        # With zeros, result / x is undefined: multiply the other elements explicitly.
        if _grad_state.enabled:  # create_graph: built from differentiable ops, so it has a derivative too
            return grad * _product_of_others_recorded(x, ctx.dim), None, None, None
        if ctx.dim is None and zeros > 1:  # every product of others holds a zero (torch skips the NaN · 0 too)
            return grad * constant_like(np.zeros_like(x._data), grad), None, None, None
        return grad * constant_like(_product_of_others(x._data, ctx.dim), grad), None, None, None


class ProdAll(Prod):
    """Π x over every element (dim None)."""

    node_name = "ProdBackward0"


def _product_of_others_recorded(x, dim):
    """Π_{j≠i} x_j for every i along dim, as a product over rows that each have x_i replaced by 1."""
    moved = x.reshape(-1) if dim is None else x.transpose(dim, -1)
    n = moved.shape[-1]
    rows = moved.unsqueeze(-2).expand(*moved.shape[:-1], n, n)
    others = where(_wrap(np.eye(n, dtype=bool)), 1.0, rows).prod(-1)
    return others.reshape(x.shape) if dim is None else others.transpose(dim, -1)


def _product_of_others(array, dim):
    if dim is None:
        flat = _product_of_others(array.reshape(-1), 0)
        return flat.reshape(array.shape)
    moved = np.moveaxis(array, dim, -1)
    ones = np.ones(moved.shape[:-1] + (1,), dtype=array.dtype)
    before = np.cumprod(np.concatenate([ones, moved[..., :-1]], axis=-1), axis=-1)
    after = np.flip(np.cumprod(np.flip(np.concatenate([moved[..., 1:], ones], axis=-1), -1), axis=-1), -1)
    return np.moveaxis(before * after, -1, dim)


class Extremum(Function):
    """max or min over dims as a single value (max(), amax); ties share the gradient evenly.

    A family: its subclasses Max, Min, Amax and Amin are applied, each under torch's name.
    """

    static_name = "max"  # a recorded program has one op for the family: its `largest` argument says which
    torch_function = None  # the name its errors give: max, min, amax, amin
    nan_wins = False  # torch's max() and min() credit the NaNs when the result is NaN; amax does not
    result_layout = staticmethod(layout.contiguous)

    @classmethod
    def forward(cls, ctx, x, dims, keepdim, largest):
        if x._data.size == 0:
            op = cls.torch_function
            if dims is None:
                raise RuntimeError(
                    f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            for d in dims:
                if x._data.shape[d] == 0:
                    raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
        ctx.dims, ctx.keepdim = dims, keepdim
        reduce = np.max if largest else np.min
        result = _wrap(reduce(x._data, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, result)
        return result

    @classmethod
    def backward(cls, ctx, grad):
        x, result = ctx.saved_tensors
        dims = ctx.dims if ctx.dims is not None else tuple(range(x.ndim))
        restored = _restore(result, x._data.shape, dims, ctx.keepdim)
        hits = x == restored
        if cls.nan_wins:
            hits = hits | ((x != x) & (restored != restored))
        hits = hits.to(grad.dtype)
        share = hits / hits.sum(dims, keepdim=True)
        return _restore(grad, x._data.shape, dims, ctx.keepdim) * share, None, None, None


class Max(Extremum):
    """torch.max(x): the largest element."""

    node_name = "MaxBackward1"
    symbol = "max"
    derivatives = ("grad at the max",)
    torch_function = "max"
    nan_wins = True


class Min(Extremum):
    """torch.min(x): the smallest element."""

    node_name = "MinBackward1"
    symbol = "min"
    derivatives = ("grad at the min",)
    torch_function = "min"
    nan_wins = True


class Amax(Extremum):
    """torch.amax(x, dims)."""

    node_name = "AmaxBackward0"
    symbol = "amax"
    derivatives = ("grad shared by the maxima",)
    torch_function = "amax"


class Amin(Extremum):
    """torch.amin(x, dims)."""

    node_name = "AminBackward0"
    symbol = "amin"
    derivatives = ("grad shared by the minima",)
    torch_function = "amin"


class ExtremumAlongDim(Function):
    """max or min along one dim, with the indices; the gradient goes to the chosen element.

    A family: MaxAlongDim and MinAlongDim are applied.
    """

    static_name = "max_dim"  # as Extremum's: one recorded op, `largest` says which
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        array = x._data
        if array.shape and array.shape[dim] == 0 if array.ndim else False:
            raise IndexError(f"{'max' if largest else 'min'}(): Expected reduction dim {dim} to have non-zero size.")
        pick = np.argmax if largest else np.argmin
        axis = dim if array.ndim else None
        indices = pick(array, axis=axis, keepdims=True) if array.ndim else np.zeros((), dtype=np.int64)
        values = np.take_along_axis(array, indices, axis=dim) if array.ndim else array.copy()
        if not keepdim and array.ndim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        ctx.shape, ctx.dim, ctx.keepdim = array.shape, dim, keepdim
        values, indices = _wrap(values), _wrap(indices.astype(np.int64))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        indices, = ctx.saved_tensors
        if not ctx.shape:
            return grad, None, None, None
        # One-hot along dim: position k is chosen where k equals the saved index.
        positions_shape = tuple(n if d == ctx.dim else 1 for d, n in enumerate(ctx.shape))
        positions = _wrap(np.arange(ctx.shape[ctx.dim]).reshape(positions_shape))
        chosen = positions == _restore(indices, ctx.shape, (ctx.dim,), ctx.keepdim)
        return _restore(grad, ctx.shape, (ctx.dim,), ctx.keepdim) * chosen, None, None, None


class MaxAlongDim(ExtremumAlongDim):
    """torch.max(x, dim)."""

    node_name = "MaxBackward0"
    symbol = "max"
    derivatives = ("grad at the max",)


class MinAlongDim(ExtremumAlongDim):
    """torch.min(x, dim)."""

    node_name = "MinBackward0"
    symbol = "min"
    derivatives = ("grad at the min",)


class Var(Function):
    """Σ(x - mean)² / (n - correction); d/dx = 2(x - mean) / (n - correction), and std's is that over 2·std."""

    node_name = "VarBackward0"
    symbol = "var"
    derivatives = ("grad * 2(x − mean) / n",)
    static_name = "var"
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, take_sqrt, empty_dims=False):
        if x._data.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        array = floating_array(x)
        count = array.size if dims is None else int(np.prod([array.shape[d] for d in dims]))
        no_freedom = count - correction <= 0
        if no_freedom:  # torch warns in its own words, and NumPy's own warning is silenced below
            _warn_at_caller(
                f"{'std' if take_sqrt else 'var'}(): degrees of freedom is <= 0. Correction should be strictly less "
                "than the reduction factor (input numel divided by output numel)."
            )
        quiet = warnings.catch_warnings(action="ignore") if no_freedom else contextlib.nullcontext()
        with np.errstate(divide="ignore", invalid="ignore"), quiet:
            variance = np.var(array, axis=dims, ddof=correction, keepdims=keepdim)
            result = _wrap(np.sqrt(variance) if take_sqrt else variance)
        ctx.dims, ctx.keepdim, ctx.take_sqrt = dims, keepdim, take_sqrt
        # torch's backward counts an empty dim list as one element (the forward reduces every dim).
        ctx.dof = (1 if empty_dims else count) - correction
        ctx.save_for_backward(x, result if take_sqrt else None)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, std = ctx.saved_tensors
        whole = ctx.dims is None or not x.ndim
        dims = tuple(range(x.ndim)) if whole else ctx.dims
        grad = _restore(grad, x._data.shape, dims, ctx.keepdim)
        if ctx.take_sqrt:  # d std = d var / (2 std), and 0 where std is 0 (a constant input), as in torch
            std = _restore(std, x._data.shape, dims, ctx.keepdim)
            grad = where(std == 0, 0.0, grad / (2 * std))
        mean = x.mean(dims, keepdim=True)
        if whole and ctx.dof <= 0:
            # 2 / 0 is inf, times (x - mean): nan where x is the mean, inf elsewhere (torch's sign-less form).
            return grad * where(x == mean, float("nan"), float("inf")), None, None, None, None, None
        factor = 2.0 / ctx.dof if ctx.dof else float("inf")
        return grad * factor * (x - mean), None, None, None, None, None


class Std(Var):
    """The square root of the variance (applied with take_sqrt=True)."""

    node_name = "StdBackward0"
    symbol = "std"
    derivatives = ("grad * (x − mean) / (n * out)",)


class Softmax(Function):
    """exp(x - max) / Σ exp(x - max) along dim; backward: s·(g - Σ g·s)."""

    node_name = "SoftmaxBackward0"
    symbol = "softmax"
    derivatives = ("out * (grad − Σ grad * out)",)
    static_name = "softmax"
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, x, dim):
        array = floating_array(x)
        # The shift keeps exp finite; initial=-inf lets an empty dim through, as torch does.
        with np.errstate(invalid="ignore"):  # an all -inf dim gives nan, as in torch, without NumPy's warning
            shifted = np.exp(array - array.max(axis=dim, keepdims=True, initial=-np.inf))
            result = _wrap(shifted / shifted.sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        s, = ctx.saved_tensors
        return s * (grad - (grad * s).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """x - max - log Σ exp(x - max) along dim; backward: g - softmax·Σ g."""

    node_name = "LogSoftmaxBackward0"
    symbol = "log_softmax"
    derivatives = ("grad − softmax * Σ grad",)
    static_name = "log_softmax"
    result_layout = staticmethod(layout.contiguous)

    @staticmethod
    def forward(ctx, x, dim):
        array = floating_array(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # an empty or all -inf dim: nan or log(0), quietly
            shifted = array - array.max(axis=dim, keepdims=True, initial=-np.inf)  # as in Softmax
            result = _wrap(shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True)))
        ctx.dim = dim
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        log_s, = ctx.saved_tensors
        return grad - log_s.exp() * grad.sum(ctx.dim, keepdim=True), None


class Logsumexp(Function):
    """log Σ exp(x) over dims, the maximum taken out first so exp never overflows; d/dx = exp(x - result)."""

    node_name = "LogsumexpBackward0"
    symbol = "logsumexp"
    derivatives = ("grad * softmax x",)
    static_name = "logsumexp"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        array = floating_array(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # all -inf (or empty): -inf, quietly
            peak = np.max(array, axis=dims, keepdims=True, initial=-np.inf) if array.ndim else array
            peak = np.where(np.isinf(peak), 0, peak).astype(array.dtype, copy=False)  # as torch: an inf max shifts nothing
            result = np.log(np.sum(np.exp(array - peak), axis=dims, keepdims=True)) + peak
        if not keepdim and array.ndim:
            result = result.reshape([n for d, n in enumerate(result.shape) if d not in (dims if dims is not None else range(array.ndim))])
        ctx.dims, ctx.keepdim = dims, keepdim
        result = _wrap(result)
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, result = ctx.saved_tensors
        dims = ctx.dims if ctx.dims is not None else tuple(range(x.ndim))
        if not x.ndim:
            return grad * (x - result).exp(), None, None
        shape = x._data.shape
        return _restore(grad, shape, dims, ctx.keepdim) * (x - _restore(result, shape, dims, ctx.keepdim)).exp(), None, None


class VectorNorm(Function):
    """(Σ |x|^p)^(1/p) over dims (max |x| for p = inf, min for -inf, the count of non-zeros for 0);
    backward as torch's norm_backward, one formula per kind of p."""

    node_name = "LinalgVectorNormBackward0"
    symbol = "linalg_vector_norm"
    derivatives = ("grad * x |x|^(p−2) / out^(p−1)",)
    static_name = "vectornorm"

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        magnitude = np.abs(x._data)
        axis = dims if dims is not None else tuple(range(magnitude.ndim))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == np.inf:
                result = np.max(magnitude, axis=axis, keepdims=keepdim)
            elif p == -np.inf:
                result = np.min(magnitude, axis=axis, keepdims=keepdim)
            elif p == 0:
                result = np.sum(magnitude != 0, axis=axis, keepdims=keepdim).astype(magnitude.dtype)
            elif p == 1:
                result = np.sum(magnitude, axis=axis, keepdims=keepdim)
            elif p == 2:
                result = np.sqrt(np.sum(magnitude * magnitude, axis=axis, keepdims=keepdim))
            else:
                result = np.sum(magnitude ** p, axis=axis, keepdims=keepdim) ** (1 / p)
        ctx.p, ctx.dims, ctx.keepdim = p, axis, keepdim
        result = _wrap(np.asarray(result, dtype=magnitude.dtype))
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p = ctx.p
        if p == 0:  # a count has no gradient: torch returns none at all
            return None, None, None, None
        if x.ndim:
            grad = _restore(grad, x._data.shape, ctx.dims, ctx.keepdim)
            norm = _restore(norm, x._data.shape, ctx.dims, ctx.keepdim)
        zero_norm = norm == 0
        if p == 1:
            return x.sign() * grad, None, None, None
        if p == 2:
            return grad * where(zero_norm, 0.0, x / norm), None, None, None
        if p in (np.inf, -np.inf):  # like amax of |x|: shared evenly between the extremes, NaNs included
            magnitude = x.abs()
            hits = ((magnitude == norm) | (magnitude != magnitude)).to(grad.dtype)
            return x.sign() * ((grad / hits.sum(ctx.dims, keepdim=True)) * hits), None, None, None
        if p < 1:
            scaled = x.sign() * where(x == 0, 0.0, x.abs() ** (p - 1))
            return scaled * grad * norm ** (1 - p), None, None, None
        scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        return scaled * where(zero_norm, 0.0, grad / norm ** (p - 1)), None, None, None


def sum_to_shape(tensor, shape):
    """Sum `tensor` down to `shape`: the backward of broadcasting `shape` up to `tensor.shape`.

    Written with engine operations, so it is recorded when the backward pass is.
    """
    shape = tuple(shape)
    if tensor._data.shape == shape:
        return tensor
    leading = tensor._data.ndim - len(shape)
    stretched = tuple(range(leading)) + tuple(
        leading + i for i, size in enumerate(shape) if size == 1 and tensor._data.shape[leading + i] != 1
    )
    if stretched == tuple(range(leading)):  # only new leading dims: sum them away directly
        return Sum.apply(tensor, stretched, False)
    result = Sum.apply(tensor, stretched, True) if stretched else tensor
    return reshape_to(result, shape)
