"""Reductions: sums, means, extrema, norms, softmax."""
import builtins

import numpy as np

from .. import dtypes
from ..ops import reductions
from ..return_types import max as max_result, min as min_result
from ..size import Size
from ..tensor import Tensor, _normalize_dim, _wrap
from .elementwise import maximum, minimum


def _dims(dim, ndim):
    """A reduction's dim argument (None, an int or a sequence) as a sorted tuple, or None for all."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple, Size)):
        if len(dim) == 0:  # torch reads an empty list as every dim, named as a dim was given
            return tuple(range(ndim))
        normalized = tuple(_normalize_dim(d, ndim) for d in dim)
        if len(set(normalized)) != len(normalized):
            duplicate = next(d for d in normalized if normalized.count(d) > 1)
            raise RuntimeError(f"dim {duplicate} appears multiple times in the list of dims")
        return tuple(sorted(normalized)) if ndim else ()
    normalized = _normalize_dim(dim, ndim)  # checked even on a 0-d tensor, which has no dim to reduce
    return (normalized,) if ndim else ()


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or along `dim` (an int or a tuple)."""
    function = reductions.Sum if dim is not None else reductions.SumAll
    return function.apply(input, _dims(dim, input.ndim), keepdim, dtypes.as_dtype(dtype) if dtype else None)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or along `dim`; needs a floating-point tensor."""
    function = reductions.Mean if dim is not None else reductions.MeanAll
    return function.apply(input, _dims(dim, input.ndim), keepdim, dtypes.as_dtype(dtype) if dtype else None)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dim is not None:
        dim = _normalize_dim(dim, input.ndim)
    function = reductions.Prod if dim is not None else reductions.ProdAll
    return function.apply(input, dim, keepdim, dtypes.as_dtype(dtype) if dtype else None)


def _extremum(input, dim, keepdim, largest):
    if isinstance(dim, Tensor):  # max(a, b): the element-wise form
        return maximum(input, dim) if largest else minimum(input, dim)
    if dim is None:
        return (reductions.Max if largest else reductions.Min).apply(input, None, False, largest)
    function = reductions.MaxAlongDim if largest else reductions.MinAlongDim
    values, indices = function.apply(input, _normalize_dim(dim, input.ndim), keepdim, largest)
    return (max_result if largest else min_result)(values, indices)


def max(input, dim=None, keepdim=False):
    """The largest element; with `dim`, a (values, indices) pair; with a tensor, the element-wise maximum."""
    return _extremum(input, dim, keepdim, True)


def min(input, dim=None, keepdim=False):
    """The smallest element; with `dim`, a (values, indices) pair; with a tensor, the element-wise minimum."""
    return _extremum(input, dim, keepdim, False)


def _all_if_empty(dim, ndim):
    # amax's default dim=() means every dim, and torch words its empty-input error by that.
    return None if isinstance(dim, (list, tuple)) and not dim else _dims(dim, ndim)


def _check_dims_not_empty(input, dim, dims, name):
    """amax and amin name an empty reduction dim as it was given (-1 stays -1), unlike max(dim)."""
    if input._data.size == 0 and dims:
        given = dim if isinstance(dim, (list, tuple, Size)) else (dim,)
        for raw, d in zip(given, (_normalize_dim(g, input.ndim) for g in given)):
            if input.ndim and input._data.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {raw} to have non-zero size.")


def amax(input, dim=(), keepdim=False):
    dims = _all_if_empty(dim, input.ndim)
    _check_dims_not_empty(input, dim, dims, "amax")
    return reductions.Amax.apply(input, dims, keepdim, True)


def amin(input, dim=(), keepdim=False):
    dims = _all_if_empty(dim, input.ndim)
    _check_dims_not_empty(input, dim, dims, "amin")
    return reductions.Amin.apply(input, dims, keepdim, False)


def _arg_extremum(input, dim, keepdim, pick):
    if input._data.dtype.kind == "b":
        raise RuntimeError(f"{pick.__name__}(): does not support bool input")
    if dim is None:
        index = pick(input._data.reshape(-1)) if input._data.size else _empty_reduction(pick)
        result = np.asarray(index, dtype=np.int64)
        return _wrap(result.reshape((1,) * input.ndim) if keepdim else result)
    axis = _normalize_dim(dim, input.ndim)
    if not input.ndim:
        return _wrap(np.zeros((), dtype=np.int64))
    if input._data.shape[axis] == 0:
        raise IndexError(f"{pick.__name__}(): Expected reduction dim {axis} to have non-zero size.")
    return _wrap(pick(input._data, axis=axis, keepdims=keepdim).astype(np.int64))


def _empty_reduction(pick):
    raise IndexError(f"{pick.__name__}(): Expected reduction dim to be specified for input.numel() == 0.")


def argmax(input, dim=None, keepdim=False):
    return _arg_extremum(input, dim, keepdim, np.argmax)


def argmin(input, dim=None, keepdim=False):
    return _arg_extremum(input, dim, keepdim, np.argmin)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def _variance(input, dim, unbiased, keepdim, correction, take_sqrt):
    if isinstance(dim, builtins.bool):
        dim, unbiased = None, dim
    empty_dims = isinstance(dim, (list, tuple)) and not dim
    return (reductions.Std if take_sqrt else reductions.Var).apply(
        input, _dims(dim, input.ndim), _correction(unbiased, correction), keepdim, take_sqrt, empty_dims
    )


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance; `correction=1` (the default) divides by n - 1."""
    return _variance(input, dim, unbiased, keepdim, correction, False)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation; `correction=1` (the default) divides by n - 1."""
    return _variance(input, dim, unbiased, keepdim, correction, True)


_REQUIRED = object()


def logsumexp(input, dim=_REQUIRED, keepdim=False):
    """log Σ exp(x) along `dim`, computed without overflow."""
    if dim is _REQUIRED:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    return reductions.Logsumexp.apply(input, _dims(dim, input.ndim), keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm of all elements or along `dim` (2 for 'fro' and by default; inf, -inf, 0, 1 or any p).

    As torch, every form but the nuclear norm is linalg.vector_norm.
    """
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, (builtins.int, np.integer)) or len(dim) <= 2):
            return _vector_norm(input, 2.0, dim, keepdim, dtype)
        dims = list(range(input.ndim)) if dim is None else list(dim)
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
        if p == "nuc":  # PyTorch computes it from a singular value decomposition
            raise NotImplementedError("norm(p='nuc') needs singular values, which the engine does not compute")
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return _vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype)


def _vector_norm(input, p, dim, keepdim, dtype):
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {input.dtype._legacy.removesuffix('Tensor')}"
        )
    if input._data.size == 0 and p in (np.inf, -np.inf):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {'inf' if p > 0 else '-inf'} norm on an empty tensor because the "
            "operation does not have an identity"
        )
    dims = None if dim is None else _dims(dim if isinstance(dim, (list, tuple, Size)) else (dim,), input.ndim)
    return reductions.VectorNorm.apply(input, builtins.float(p), dims, keepdim)


def _logical_dims(dim, ndim):
    # Unlike sum, all and any read an empty list of dims as none: nothing is reduced.
    return () if isinstance(dim, (list, tuple)) and not dim else _dims(dim, ndim)


def all(input, dim=None, keepdim=False):
    return _wrap(np.all(input._data, axis=_logical_dims(dim, input.ndim), keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    return _wrap(np.any(input._data, axis=_logical_dims(dim, input.ndim), keepdims=keepdim))


def _along_dim(input, dim, dtype, kernel):
    """softmax's and log_softmax's input in `dtype`, and `dim` normalized (None for a 0-d tensor), with torch's checks."""
    if dtype is not None:
        input = input.to(dtype)
    dim = _normalize_dim(dim, input.ndim)  # checked even on a 0-d tensor
    dim = dim if input.ndim else None
    if input._data.dtype.kind != "f":
        # torch has one kernel for the last dim and one for the others, and names the one it lacks
        kernel += "_lastdim" if dim is None or dim == input.ndim - 1 else ""
        raise NotImplementedError(
            f'"{kernel}_kernel_impl" not implemented for \'{input.dtype._legacy.removesuffix("Tensor")}\''
        )
    return input, dim


def softmax(input, dim, dtype=None):
    """exp(x) / Σ exp(x) along `dim`, computed stably (the maximum is subtracted first)."""
    return reductions.Softmax.apply(*_along_dim(input, dim, dtype, "softmax"))


def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along `dim`, without ever taking the log of a rounded-to-zero number."""
    return reductions.LogSoftmax.apply(*_along_dim(input, dim, dtype, "log_softmax"))
