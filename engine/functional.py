"""The torch-level functions (`engine.add`, `engine.exp`, `engine.cat`, ...).

Each checks and normalises its arguments as torch does, then calls the primitive
`Function` that computes it. Tensor methods and operators call these, so there
is one implementation per operation. `out=` and the in-place forms live here too.

>>> import engine as torch
>>> torch.add(torch.tensor([1, 2]), 0.5)
tensor([1.5000, 2.5000])
"""
import builtins
import math
import warnings

import numpy as np

from . import dtypes, layout
from .broadcasting import broadcast_shapes
from .grad_mode import _state as _grad_state
from .ops import arithmetic, indexing, joining, linalg, pointwise, reductions, views
from .autograd import views as _view_tracking
from .autograd.function import _SavedOutput, _accumulator
from .tensor import Tensor, _normalize_dim, _warn_at_caller, _wrap, _wrapped_number
from .size import Size


def _tensor_operand(value):
    """A Tensor as is; a Python number as a wrapped number (ranked last by type promotion)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, np.number)) and not isinstance(value, np.ndarray):
        return _wrapped_number(value.item() if isinstance(value, np.number) else value)
    if isinstance(value, np.ndarray):
        return _wrap(value)
    raise TypeError(f"expected a Tensor or a number, but got {type(value).__name__}")


def _binary(function, a, b, *extra):
    a, b = _tensor_operand(a), _tensor_operand(b)
    try:
        return function.apply(a, b, *extra)
    except ValueError:
        # NumPy could not broadcast: raise torch's error, which names the dimension.
        broadcast_shapes(a._data.shape, b._data.shape)
        raise


# ------------------------------------------------------------------------- arithmetic
def _check_alpha(input, other, alpha):
    """torch's rules for alpha: no float alpha for an integer result, no bool alpha but for a bool one."""
    dtype = dtypes.result_type(_tensor_operand(input), _tensor_operand(other))
    if isinstance(alpha, (builtins.bool, np.bool_)):
        if dtype is not dtypes.bool:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, (float, np.floating)) and not dtype.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def add(input, other, *, alpha=1, out=None):
    """input + alpha × other, broadcasting."""
    if type(alpha) is not int or alpha != 1:
        _check_alpha(input, other, alpha)
    if out is not None:
        return _into(out, "add", None, input, other, ufunc=np.add, alpha=alpha)
    return _binary(arithmetic.Add, input, other, alpha) if alpha != 1 else _binary(arithmetic.Add, input, other)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha × other, broadcasting."""
    if type(alpha) is not int or alpha != 1:  # torch refuses bool operands before it looks at alpha
        arithmetic._check_bool_subtraction(_tensor_operand(input), _tensor_operand(other))
        _check_alpha(input, other, alpha)
    if out is not None:
        return _into(out, "sub", None, input, other, ufunc=np.subtract, alpha=alpha)
    if not isinstance(input, Tensor):
        return rsub(other, input)
    return _binary(arithmetic.Sub, input, other, alpha) if alpha != 1 else _binary(arithmetic.Sub, input, other)


subtract = sub


def rsub(input, other):
    """other - input (what `2 - x` computes)."""
    if isinstance(other, Tensor):
        return sub(other, input)
    return arithmetic.Rsub.apply(input, other)


def mul(input, other, *, out=None):
    """input × other element-wise, broadcasting."""
    if out is not None:
        return _into(out, "mul", None, input, other, ufunc=np.multiply)
    return _binary(arithmetic.Mul, input, other)


multiply = mul


def div(input, other, *, out=None):
    """input / other (true division: integers give floats)."""
    if out is not None:
        return _into(out, "div", None, input, other, ufunc=np.true_divide)
    return _binary(arithmetic.Div, input, other)


divide = true_divide = div


def floor_divide(input, other):
    """⌊input / other⌋, rounding toward -inf (integers stay integers); torch defines no gradient."""
    if not isinstance(input, Tensor):  # torch's Scalar-first overload, used by `2 // x`
        return arithmetic.FloorDivide.apply(_tensor_operand(input), other)
    return _binary(arithmetic.FloorDivide, input, other)


def remainder(input, other):
    """input - other·⌊input / other⌋: Python's %, with the sign of `other`."""
    if not isinstance(input, Tensor):  # `2 % x`: torch has no derivative for this one
        return arithmetic.RemainderOfNumber.apply(input, _tensor_operand(other))
    return _binary(arithmetic.Remainder, input, other)


def neg(input):
    return arithmetic.Neg.apply(input)


negative = neg


def reciprocal(input):
    return arithmetic.Reciprocal.apply(input)


def pow(input, exponent):
    """input ** exponent, where either may be a number."""
    if not isinstance(input, Tensor):
        return arithmetic.PowFromScalar.apply(input, exponent)
    if isinstance(exponent, Tensor):
        return _binary(arithmetic.PowTensor, input, exponent)
    return arithmetic.PowScalar.apply(input, exponent)


def square(input):
    return pow(input, 2)


# ---------------------------------------------------------------------- pointwise
def exp(input):
    return pointwise.Exp.apply(input)


def log(input):
    return pointwise.Log.apply(input)


def sqrt(input):
    return pointwise.Sqrt.apply(input)


def abs(input):
    return pointwise.Abs.apply(input)


absolute = abs


def sign(input):
    return pointwise.Sign.apply(input)


def tanh(input):
    return pointwise.Tanh.apply(input)


def sigmoid(input):
    return pointwise.Sigmoid.apply(input)


def relu(input):
    return pointwise.Relu.apply(input)


def sin(input):
    return pointwise.Sin.apply(input)


def cos(input):
    return pointwise.Cos.apply(input)


def clamp(input, min=None, max=None):
    """Limit every element to [min, max] (either bound may be omitted)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        for bound in (min, max):
            if bound is not None and not isinstance(bound, Tensor):  # torch has no overload mixing the two
                _require_tensors("minimum", input, bound)
        shapes = [t._data.shape for t in (input, min, max) if t is not None]
        broadcast_shapes(*shapes)
        return pointwise.ClampTensor.apply(input, min, max)
    return pointwise.Clamp.apply(input, min, max)


clip = clamp

# clamp_ with number bounds names its output type as C++ spells it
_CPP_TYPE_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
                   "int32": "int", "int64": "long int"}


def _check_clamp_cast(tensor, min, max):
    """clamp_(number) refuses a bound whose type the tensor cannot hold, with torch's wording."""
    bounds = [b for b in (min, max) if b is not None and not isinstance(b, Tensor)]
    if len(bounds) != len([b for b in (min, max) if b is not None]):
        return
    result = dtypes.result_type(tensor, *bounds)
    name = _CPP_TYPE_NAMES.get(tensor._data.dtype.name)
    if name is not None and result._category > tensor.dtype._category:
        raise RuntimeError(
            f"result type {result._legacy.removesuffix('Tensor')} can't be cast to the desired output type {name}"
        )


def _require_tensors(name, input, other):
    # torch has no number overloads for these (use clamp); it refuses numbers by position.
    for position, (argument, value) in enumerate((("input", input), ("other", other)), start=1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, not {type(value).__name__}")


def maximum(input, other):
    _require_tensors("maximum", input, other)
    return _binary(pointwise.Maximum, input, other)


def minimum(input, other):
    _require_tensors("minimum", input, other)
    return _binary(pointwise.Minimum, input, other)


def where(condition, input, other):
    """input where condition holds, other elsewhere (broadcasting all three)."""
    return pointwise.Where.apply(condition, _tensor_operand(input), _tensor_operand(other))


# -------------------------------------------------------------------- comparisons
def _compare(ufunc, a, b):
    a, b = _tensor_operand(a), _tensor_operand(b)
    if a._data.shape != b._data.shape:
        broadcast_shapes(a._data.shape, b._data.shape)
    return pointwise.Compare.apply(a, b, ufunc)


COMPARABLE = (Tensor, builtins.bool, builtins.int, builtins.float, np.number, np.ndarray)


def _comparison(name, ufunc, input, other):
    if not isinstance(input, Tensor) or not isinstance(other, COMPARABLE):
        got = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__ for v in (input, other))
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n"
        )
    return _compare(ufunc, input, other)


def not_comparable(name, other):
    """torch's error for x.eq(other) (the method) when other is neither a tensor nor a number."""
    kind = type(other).__name__
    mismatch = f"      didn't match because some of the arguments have invalid types: (!{kind}!)\n"
    raise TypeError(
        f"{name}() received an invalid combination of arguments - got ({kind}), but expected one of:\n"
        f" * (Tensor other)\n{mismatch} * (Number other)\n{mismatch}"
    )


def eq(input, other):
    return _comparison("eq", np.equal, input, other)


def ne(input, other):
    return _comparison("ne", np.not_equal, input, other)


def lt(input, other):
    return _comparison("lt", np.less, input, other)


def le(input, other):
    return _comparison("le", np.less_equal, input, other)


def gt(input, other):
    return _comparison("gt", np.greater, input, other)


def ge(input, other):
    return _comparison("ge", np.greater_equal, input, other)


def _bitwise(ufunc, symbol, a, b):
    a, b = _tensor_operand(a), _tensor_operand(b)
    common = dtypes.result_type(a, b)
    if common.is_floating_point:  # torch has no kernel for the common dtype, and says so by its name
        raise NotImplementedError(f'"bitwise_{symbol}_cpu" not implemented for \'{common._legacy.removesuffix("Tensor")}\'')
    return _compare(ufunc, a, b)


def bitwise_and(input, other):
    return _bitwise(np.bitwise_and, "and", input, other)


def bitwise_or(input, other):
    return _bitwise(np.bitwise_or, "or", input, other)


def bitwise_xor(input, other):
    return _bitwise(np.bitwise_xor, "xor", input, other)


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _wrap(np.invert(input._data))


def logical_not(input):
    return _wrap(np.logical_not(input._data))


def equal(input, other):
    """True when both tensors have the same shape and the same values."""
    return input._data.shape == other._data.shape and builtins.bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when ``|input - other| ≤ atol + rtol × |other|`` everywhere."""
    _check_same_dtype(input, other)
    broadcast_shapes(input._data.shape, other._data.shape)
    return builtins.bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _check_same_dtype(input, other):
    # isclose and allclose do not promote: torch asks for one dtype.
    if input.dtype is not other.dtype:
        short = lambda t: t.dtype._legacy.removesuffix("Tensor")  # noqa: E731
        raise RuntimeError(f"{short(input)} did not match {short(other)}")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_same_dtype(input, other)
    broadcast_shapes(input._data.shape, other._data.shape)
    return _wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


# ------------------------------------------------------------------------- linalg
# How torch's C++ names the element types in some messages.
_CPP_TYPE_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
    "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
}


def matmul(input, other, *, out=None):
    """Matrix product with torch's rules: 1-D·1-D is a dot product, 1-D and 2-D operands act
    as rows or columns, and leading dimensions of batched operands broadcast."""
    if out is not None:
        expected = dtypes.result_type(_tensor_operand(input), _tensor_operand(other))
        if out.dtype is not expected:  # unlike element-wise ops, matmul never converts into out
            raise RuntimeError(
                f"Expected out tensor to have dtype {_CPP_TYPE_NAMES[expected.name]}, but got "
                f"{_CPP_TYPE_NAMES[out.dtype.name]} instead"
            )
        return _into(out, "matmul", lambda: matmul(input, other), input, other)
    return linalg.MatMul.apply(_tensor_operand(input), _tensor_operand(other))


def mm(input, mat2):
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    return matmul(input, other)


# --------------------------------------------------------------------- reductions
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
    return reductions.Sum.apply(input, _dims(dim, input.ndim), keepdim, dtypes.as_dtype(dtype) if dtype else None)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or along `dim`; needs a floating-point tensor."""
    return reductions.Mean.apply(input, _dims(dim, input.ndim), keepdim, dtypes.as_dtype(dtype) if dtype else None)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dim is not None:
        dim = _normalize_dim(dim, input.ndim)
    return reductions.Prod.apply(input, dim, keepdim, dtypes.as_dtype(dtype) if dtype else None)


def _extremum(input, dim, keepdim, largest):
    if isinstance(dim, Tensor):  # max(a, b): the element-wise form
        return maximum(input, dim) if largest else minimum(input, dim)
    if dim is None:
        name = "MaxBackward1" if largest else "MinBackward1"
        return reductions.Extremum.apply(input, None, False, largest, name)
    from .return_types import max as max_result, min as min_result

    values, indices = reductions.ExtremumAlongDim.apply(input, _normalize_dim(dim, input.ndim), keepdim, largest)
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
    return reductions.Extremum.apply(input, dims, keepdim, True, "AmaxBackward0")


def amin(input, dim=(), keepdim=False):
    dims = _all_if_empty(dim, input.ndim)
    _check_dims_not_empty(input, dim, dims, "amin")
    return reductions.Extremum.apply(input, dims, keepdim, False, "AminBackward0")


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
    return reductions.Var.apply(
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


def _check_floating(input, kernel, dim):
    if input._data.dtype.kind != "f":
        # torch has one kernel for the last dim and one for the others, and names the one it lacks
        kernel += "_lastdim" if dim is None or dim == input.ndim - 1 else ""
        raise NotImplementedError(
            f'"{kernel}_kernel_impl" not implemented for \'{input.dtype._legacy.removesuffix("Tensor")}\''
        )


def softmax(input, dim, dtype=None):
    """exp(x) / Σ exp(x) along `dim`, computed stably (the maximum is subtracted first)."""
    if dtype is not None:
        input = input.to(dtype)
    dim = _normalize_dim(dim, input.ndim)  # checked even on a 0-d tensor
    dim = dim if input.ndim else None
    _check_floating(input, "softmax", dim)
    return reductions.Softmax.apply(input, dim)


def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along `dim`, without ever taking the log of a rounded-to-zero number."""
    if dtype is not None:
        input = input.to(dtype)
    dim = _normalize_dim(dim, input.ndim)  # checked even on a 0-d tensor
    dim = dim if input.ndim else None
    _check_floating(input, "log_softmax", dim)
    return reductions.LogSoftmax.apply(input, dim)


# -------------------------------------------------------------------------- shapes
def _shape_argument(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or isinstance(n, builtins.bool):
            raise TypeError(f"shape must be a sequence of ints, but found element of type {type(n).__name__}")
    return tuple(builtins.int(n) for n in shape)


def _infer_shape(shape, numel):
    """Replace a single -1 in `shape` by the size that makes the element count match."""
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, n in enumerate(shape):
        if n < -1:
            raise RuntimeError(f"invalid shape dimension {n} at index {i} of shape [{', '.join(map(str, shape))}]")
    known = 1
    for n in shape:
        if n != -1:
            known *= n
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape = shape[: unknown[0]] + (numel // known,) + shape[unknown[0] + 1 :]
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return shape


def view(input, *shape):
    """The same memory read with a new shape (one size may be -1); never copies."""
    shape = _infer_shape(_shape_argument(shape), input._data.size)
    return views.View.apply(input, shape)


def reshape(input, *shape):
    """Like view, but copies when the memory layout does not allow a view."""
    shape = _infer_shape(_shape_argument(shape), input._data.size)
    if views.reshaped_view(input._data, shape) is None:
        return views.reshape_copy(input, shape)
    return views.View.apply(input, shape)


def flatten(input, start_dim=0, end_dim=-1):
    start, end = _normalize_dim(start_dim, input.ndim), _normalize_dim(end_dim, input.ndim)
    if input.ndim == 0:
        return reshape(input, 1)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])


def t(input):
    """Transpose of a matrix (a vector or scalar is returned as is)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return views.Permute.apply(input, tuple(range(input.ndim))[::-1], "TBackward0")


def transpose(input, dim0, dim1):
    dim0, dim1 = _normalize_dim(dim0, input.ndim), _normalize_dim(dim1, input.ndim)
    order = list(range(input.ndim))
    if order:  # a 0-d tensor has one "dim 0" to swap with itself
        order[dim0], order[dim1] = order[dim1], order[dim0]
    return views.Permute.apply(input, tuple(order), "TransposeBackward0")


swapaxes = transpose


def permute(input, *dims):
    dims = _shape_argument(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired "
            f"ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}"
        )
    normalized = tuple(_normalize_dim(d, input.ndim) for d in dims)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return views.Permute.apply(input, normalized)


def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all of them, or those in `dim` that have size 1)."""
    shape = input._data.shape
    if dim is None:
        return views.Squeeze.apply(input, tuple(i for i, n in enumerate(shape) if n == 1), "SqueezeBackward0")
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    normalized = tuple(_normalize_dim(d, input.ndim) for d in dims) if input.ndim else ()
    name = "SqueezeBackward1" if not isinstance(dim, (tuple, list)) else "SqueezeBackward2"
    return views.Squeeze.apply(input, tuple(d for d in normalized if shape[d] == 1), name)


def unsqueeze(input, dim):
    """A new dimension of size 1 at position `dim`."""
    return views.Unsqueeze.apply(input, _normalize_dim(dim, input.ndim + 1))


def expand(input, *sizes):
    """Repeat size-1 dimensions to `sizes` (-1 keeps a size) without copying."""
    sizes = _shape_argument(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({_type_name(input)}{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
            f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(shape)})"
        )
    leading = len(sizes) - len(shape)
    target = []
    for i, size in reversed(list(enumerate(sizes))):  # from the last dim, so errors name the one torch names
        current = shape[i - leading] if i >= leading else None
        if size == -1:
            if current is None:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}")
            size = current
        elif current is not None and current != 1 and current != size:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size ({current}) at non-singleton "
                f"dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  Tensor sizes: [{', '.join(map(str, shape))}]"
            )
        target.append(size)
    return views.Expand.apply(input, tuple(reversed(target)))


def broadcast_to(input, size):
    return expand(input, size)


def flip(input, dims):
    """Reverse the order of elements along `dims` (a copy: tensors have no negative strides)."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    normalized = tuple(_normalize_dim(d, input.ndim) for d in dims)
    if len(set(normalized)) != len(normalized):
        duplicate = next(d for d in normalized if normalized.count(d) > 1)
        raise RuntimeError(f"dim {duplicate} appears multiple times in the list of dims")
    return views.Flip.apply(input, normalized if input.ndim else ())


def _type_name(tensor):
    return f"torch.{tensor.dtype._legacy}"


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dimension; the other sizes must match."""
    tensors = _tensor_list(tensors, "cat")
    if out is not None:
        return _into(out, "cat", lambda: cat(tensors, dim), *tensors)
    for position, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {position}) cannot be concatenated")
    shaped = [t for t in tensors if not _legacy_empty(t)]  # torch skips 1-D empty tensors
    if not shaped:
        return joining.Cat.apply(0, _common(tensors), *tensors)
    reference = shaped[0]
    dim = _normalize_dim(dim, reference.ndim)
    for number, t in enumerate(tensors):
        if _legacy_empty(t):
            continue
        if t.ndim != reference.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {reference.ndim} and {t.ndim}")
        for d in range(reference.ndim):
            if d != dim and t._data.shape[d] != reference._data.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {reference._data.shape[d]} "
                    f"but got size {t._data.shape[d]} for tensor number {number} in the list."
                )
    return joining.Cat.apply(dim, _common(tensors), *tensors)


def _legacy_empty(tensor):
    return tensor._data.ndim == 1 and tensor._data.size == 0


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of one shape along a new dimension."""
    tensors = _tensor_list(tensors, "stack")
    if out is not None:
        return _into(out, "stack", lambda: stack(tensors, dim), *tensors)
    for number, t in enumerate(tensors):
        if t._data.shape != tensors[0]._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0]._data.shape)} at entry 0 and "
                f"{list(t._data.shape)} at entry {number}"
            )
    dim = _normalize_dim(dim, tensors[0].ndim + 1)
    return joining.Stack.apply(dim, _common(tensors), *tensors)


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:  # torch checks these in two different places, with two different words
        if name == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{name}(): expected a non-empty list of Tensors")
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got {type(t).__name__}")
    return tensors


def _common(tensors):
    result = tensors[0].dtype
    for t in tensors[1:]:
        result = dtypes.promote_types(result, t.dtype)
    return result


def split(tensor, split_size_or_sections, dim=0):
    """Consecutive pieces of a size (the last may be smaller), or of the listed sizes; views."""
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _normalize_dim(dim, tensor.ndim)
    length = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = builtins.int(split_size_or_sections)
        if size == 0 and length != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {length}")
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        sizes = [size] * (length // size) + ([length % size] if length % size else []) if size else [0]
    else:
        sizes = [builtins.int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's size at dimension "
                f"{dim}), but got split_sizes={sizes}"
            )
    name = None if isinstance(split_size_or_sections, (int, np.integer)) else "SplitWithSizesBackward0"
    return joining.Split.apply(tensor, tuple(sizes), dim, name)  # a tuple, even of one piece


def chunk(input, chunks, dim=0):
    """Split into `chunks` pieces of equal size (the last may be smaller)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    length = input._data.shape[_normalize_dim(dim, input.ndim)]
    if length == 0:  # as many empty pieces as asked for, as torch (a split size of 0 would give one)
        return split(input, [0] * chunks, dim)
    return split(input, -(-length // chunks), dim)


def repeat(input, *repeats):
    """The tensor tiled `repeats[i]` times along dim i (extra leading repeats add dims); a copy."""
    if len(repeats) == 1 and isinstance(repeats[0], (tuple, list, Size)):
        repeats = tuple(repeats[0])
    if not repeats and input.ndim:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    for n in repeats:
        if not isinstance(n, (builtins.int, np.integer)) or isinstance(n, builtins.bool):
            raise TypeError(f"repeat(): argument 'repeats' (position 1) must be tuple of ints, not {type(n).__name__}")
    if len(repeats) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(repeats) - input.ndim) + input._data.shape
    target = [builtins.int(n) * size for n, size in zip(repeats, padded)]
    negative = next((n for n in target if n < 0), None)
    if negative is not None:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: {target}")
    return joining.Repeat.apply(input, tuple(builtins.int(n) for n in repeats))


def select(input, dim, index, *, _method=False):
    """input[..., index, ...] with the index at dimension `dim`: a view with that dimension removed."""
    first = 1 if _method else 2  # torch counts the arguments from 1, and input is not one for the method
    for position, (name, value) in enumerate((("dim", dim), ("index", index)), start=first):
        if isinstance(value, (builtins.bool, np.bool_)) or not isinstance(value, (int, np.integer, Tensor)):
            raise TypeError(f"select(): argument '{name}' (position {position}) must be int, not {type(value).__name__}")
    dim, index = builtins.int(dim), builtins.int(index)
    if input._data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _normalize_dim(dim, input.ndim)
    size = input._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input._data.shape)} at dimension {dim}"
        )
    return indexing.Index.apply(input, (slice(None),) * dim + (index,), "SelectBackward0")


def unbind(input, dim=0):
    """Every slice along `dim`, as a tuple of views."""
    dim = _normalize_dim(dim, input.ndim)
    if not input.ndim:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return joining.Unbind.apply(input, dim)  # a tuple, even of one slice


# ------------------------------------------------------------------------ indexing
_NON_TUPLE_SEQUENCE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in pytorch 2.9; "
    "use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor index, "
    "x[torch.tensor(seq)], which will result either in an error or a different result"
)
_SEQUENCES = (Tensor, list, tuple, range, np.ndarray, slice)


def _index_parts(index):
    """The parts of an index, as a tuple: torch reads a list as one index, unless it holds tensors, lists, slices,
    None or ... (then it is read as a tuple, with a warning)."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and builtins.any(
        isinstance(p, _SEQUENCES) or p is None or p is Ellipsis for p in index
    ):
        warnings.warn(_NON_TUPLE_SEQUENCE, UserWarning, stacklevel=5)  # at the caller's x[...]
        return tuple(index)
    return (index,)


def _index_array(values):
    """A list used as an index, as torch reads it: a bool mask, or int64 positions (floats truncated)."""
    from .creation import tensor

    array = tensor(values)._data
    if array.dtype.kind in "bi":
        return array if array.dtype.kind == "b" else array.astype(np.int64, copy=False)
    if array.size and not (np.isfinite(array).all() and (np.abs(array) < 2.0 ** 63).all()):
        raise RuntimeError("value cannot be converted to type int64 without overflow")
    return np.trunc(array).astype(np.int64)


def _index_part(part):
    """One component of an index, checked and converted for NumPy."""
    if isinstance(part, slice):
        if part.step == 0:
            raise ValueError("slice step cannot be zero")  # Python's own words, which torch lets through
        if part.step is not None and part.step < 0:
            raise ValueError("step must be greater than zero")
        return part
    if isinstance(part, str):  # torch tries to make a tensor of it
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(part, Tensor):
        if part._check_index is not None:
            part._check_index()
        kind = part._data.dtype.kind
        if kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if kind != "b" and part._data.ndim == 0:
            return builtins.int(part._data)
        return part._data
    if isinstance(part, (list, tuple, range)):
        return _index_array(list(part))
    if isinstance(part, np.ndarray):
        return part
    if isinstance(part, (builtins.bool, np.bool_)):
        return np.asarray(part)
    if isinstance(part, (int, np.integer)):
        return builtins.int(part)
    if part is None or part is Ellipsis:
        return part
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices "
        f"(got {type(part).__name__})"
    )


def _dims_taken(part):
    """How many dimensions of the indexed tensor one part uses up."""
    if part is None or part is Ellipsis:
        return 0
    if isinstance(part, np.ndarray) and part.dtype == np.bool_:
        return part.ndim  # x[True] takes none: it adds a dim, like None
    return 1


def _numpy_index(tensor, index):
    """Translate a torch index to a NumPy index that gives torch's result, raising torch's errors for bad ones.

    torch first applies the ints, slices and None, then indexes the dims that are left with the
    arrays and masks. Where the arrays sit next to each other there, their broadcast dims take
    their place; otherwise they go first. NumPy counts ints as arrays too (and an empty ... as a
    separator), so where the two rules disagree, as in x[1, :, [0, 3]], every dim gets an integer
    array shaped to land where torch puts it.
    """
    parts = [_index_part(p) for p in _index_parts(index)]
    ellipses = [i for i, p in enumerate(parts) if p is Ellipsis]
    if len(ellipses) > 1:  # torch lets every ... after the first cover no dims; NumPy refuses them
        parts = [p for i, p in enumerate(parts) if p is not Ellipsis or i == ellipses[0]]
    shape = tensor._data.shape
    consumed = builtins.sum(_dims_taken(p) for p in parts)
    if consumed > len(shape):
        if not shape and len(parts) == 1 and isinstance(parts[0], slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if not shape and len(parts) == 1 and isinstance(parts[0], int):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                "convert a 0-dim tensor to a number"
            )
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    kept = []  # what torch indexes with the arrays: (kind, input dim or None, part), one per dim left after the ints
    torch_kinds, numpy_kinds = [], []  # under each rule, "a" for an advanced part and "b" for any other dim
    masks = []  # (position in kept, mask, input dim), checked once every int has been applied, as torch does
    selected = {}  # input dim -> the int that selects it
    array_dims = {}  # position in the index -> input dim, for each integer array
    dim, ellipsis_seen = 0, False
    for position, part in enumerate(parts):
        if part is Ellipsis:
            covered = 0 if ellipsis_seen else len(shape) - consumed
            ellipsis_seen = True
            kept += [("slice", d, slice(None)) for d in range(dim, dim + covered)]
            torch_kinds += ["b"] * covered
            numpy_kinds += ["b"] * builtins.max(covered, 1)  # NumPy's ... separates even when it covers nothing
            dim += covered
        elif part is None:
            kept.append(("new", None, None))
            torch_kinds.append("b")
            numpy_kinds.append("b")
        elif isinstance(part, int):
            size = shape[dim]
            if not -size <= part < size:  # torch names the position in the index, not the dim
                raise IndexError(f"index {part} is out of bounds for dimension {position} with size {size}")
            numpy_kinds.append("a")
            selected[dim] = part
            dim += 1
        elif isinstance(part, slice):
            kept.append(("slice", dim, part))
            torch_kinds.append("b")
            numpy_kinds.append("b")
            dim += 1
        else:
            torch_kinds.append("a")
            numpy_kinds.append("a")
            if part.dtype != np.bool_:
                kept.append(("array", dim, part))
                array_dims[position] = dim
            elif not part.ndim:  # x[True]: torch adds a dim of size 1 and indexes it with [0] ([] for False)
                kept.append(("array", None, np.zeros(builtins.int(part), dtype=np.int64)))
            else:
                masks.append((len(kept), part, dim))
                kept += [("array", dim + i, None) for i in range(part.ndim)]  # filled below
            dim += _dims_taken(part)
    kept += [("slice", d, slice(None)) for d in range(dim, len(shape))]
    if "a" not in torch_kinds:
        return tuple(parts)
    _expand_masks(shape, kept, masks)
    broadcast = _broadcast_index_shapes([part for kind, _, part in kept if kind == "array"])
    if math.prod(broadcast) and builtins.any(kind == "array" and dim is not None and not shape[dim]
                                             for kind, dim, _ in kept):
        raise IndexError("index is out of bounds for dimension with size 0")
    if math.prod(broadcast) * math.prod(_kept_size(shape, *entry) for entry in kept if entry[0] != "array"):
        _check_in_bounds(shape, kept, broadcast)
    else:  # torch reads nothing for an empty result, so it never checks the positions: neither should NumPy
        kept = [(kind, dim, np.clip(part, -shape[dim], shape[dim] - 1) if kind == "array" and dim is not None
                 and shape[dim] else part) for kind, dim, part in kept]
        parts = [np.clip(part, -shape[dim], shape[dim] - 1) if position in array_dims and shape[dim] else part
                 for position, part in enumerate(parts) for dim in [array_dims.get(position)]]
    if _adjacent(torch_kinds) == _adjacent(numpy_kinds):
        return tuple(parts)
    return _index_grid(shape, kept, selected, broadcast, _adjacent(torch_kinds))


def _adjacent(kinds):
    return "b" not in "".join(kinds).strip("b")


def _kept_size(shape, kind, dim, part):
    if dim is None:
        return 1
    return len(range(*part.indices(shape[dim]))) if kind == "slice" else shape[dim]


def _expand_masks(shape, kept, masks):
    """Check each mask against the dims it covers, then put its nonzero positions in its entries of `kept`."""
    indexed = [_kept_size(shape, *entry) for entry in kept]  # the tensor torch's error names
    for position, mask, dim in masks:
        expected = tuple(indexed[position:position + mask.ndim])
        if mask.shape != expected:
            bad = next(i for i in range(mask.ndim) if i >= len(expected) or mask.shape[i] != expected[i])
            raise IndexError(
                f"The shape of the mask [{', '.join(map(str, mask.shape))}] at index {bad} does not match the shape "
                f"of the indexed tensor [{', '.join(map(str, indexed))}] at index {position + bad}"
            )
        for i, positions in enumerate(np.nonzero(mask)):
            kept[position + i] = ("array", dim + i, positions)


def _broadcast_index_shapes(arrays):
    if len(arrays) == 1:
        return arrays[0].shape
    try:
        return np.broadcast(*arrays).shape if len(arrays) <= 32 else np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(f"[{', '.join(map(str, a.shape))}]" for a in arrays)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None


def _check_in_bounds(shape, kept, broadcast):
    """torch's error for the first position, in broadcast order, where an index is out of range."""
    entries = [(dim, part) for kind, dim, part in kept if kind == "array"]
    if builtins.all(not part.size or -size <= part.min() and part.max() < size
                    for dim, part in entries for size in [1 if dim is None else shape[dim]]):
        return
    bad = [np.broadcast_to((part >= size) | (part < -size), broadcast)
           for dim, part in entries for size in [1 if dim is None else shape[dim]]]
    anywhere = np.logical_or.reduce(bad, axis=0)
    if not anywhere.any():
        return
    first = np.flatnonzero(anywhere)[0]
    which = next(i for i, b in enumerate(bad) if b.flat[first])
    dim, part = entries[which]
    value = np.broadcast_to(part, broadcast).flat[first]
    raise IndexError(f"index {value} is out of bounds for dimension {which} with size {shape[dim]}")


def _index_grid(shape, kept, selected, broadcast, adjacent):
    """One integer array per input dim, shaped so that NumPy lays the result out as torch does."""
    first = next(i for i, (kind, _, _) in enumerate(kept) if kind == "array")
    before = kept[:first] if adjacent else []
    after = [entry for entry in kept[len(before):] if entry[0] != "array"]
    out_shape = [_kept_size(shape, *entry) for entry in before] + list(broadcast)
    out_shape += [_kept_size(shape, *entry) for entry in after]
    grid = [np.asarray(selected.get(dim, 0)) for dim in range(len(shape))]

    def place(values, start):
        grid_shape = [1] * len(out_shape)
        grid_shape[start:start + values.ndim] = values.shape
        return values.reshape(grid_shape)

    for offset, (kind, dim, part) in enumerate(before):
        if kind == "slice":
            grid[dim] = place(np.arange(shape[dim])[part], offset)
    for kind, dim, part in kept:
        if kind == "array" and dim is not None:
            grid[dim] = place(part, len(before) + len(broadcast) - part.ndim)
    for offset, (kind, dim, part) in enumerate(after, start=len(before) + len(broadcast)):
        if kind == "slice":
            grid[dim] = place(np.arange(shape[dim])[part], offset)
    return tuple(np.broadcast_to(values, out_shape) for values in grid)


def _index_name(index, shape=None):
    if not builtins.all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in index):
        return "IndexBackward0"
    meaningful = [p for p, size in zip(index, _sizes_indexed(index, shape))
                  if not _takes_whole_dim(p, size) and p is not Ellipsis]
    if not meaningful:
        return "AliasBackward0"
    last = meaningful[-1]
    if isinstance(last, slice):
        return "SliceBackward0"
    if last is None:
        return "UnsqueezeBackward0"
    return "SelectBackward0"


def _sizes_indexed(index, shape):
    """The size of the input dim each part of a basic index applies to (None where unknown)."""
    if shape is None:
        return [None] * len(index)
    sizes, dim = [], 0
    for part in index:
        sizes.append(shape[dim] if isinstance(part, (int, slice)) and dim < len(shape) else None)
        if part is Ellipsis:
            dim += len(shape) - builtins.sum(isinstance(p, (int, slice)) for p in index)
        elif part is not None:
            dim += 1
    return sizes


def _takes_whole_dim(part, size):
    """torch skips a slice that starts at 0 with step 1 and reaches the end of its dim."""
    if not isinstance(part, slice) or part.start not in (None, 0) or part.step not in (None, 1):
        return False
    return part.stop is None or size is not None and part.stop >= size


def index(input, index):
    """input[index]: basic indices give views; integer lists, tensors and masks give copies."""
    numpy_index = _numpy_index(input, index)
    kind = _index_name(numpy_index, input._data.shape)
    if kind == "AliasBackward0" and isinstance(index, slice):
        kind = "SliceBackward0"  # torch slices on x[a:b] alone even when it keeps the whole dim
    return indexing.Index.apply(input, numpy_index, kind)


def index_put_(input, index, value):
    """input[index] = value, in place."""
    numpy_index = _numpy_index(input, index)
    kind = _index_name(numpy_index, input._data.shape)
    if isinstance(value, Tensor) and value.dtype is not input.dtype and kind == "IndexBackward0":
        mask = len(numpy_index) == 1 and getattr(numpy_index[0], "dtype", None) == np.bool_
        if not (mask and value._data.size == 1):  # torch fills through a mask with masked_fill, which converts
            raise RuntimeError(
                "Index put requires the source and destination dtypes match, got "
                f"{input.dtype._legacy.removesuffix('Tensor')} for the destination and "
                f"{value.dtype._legacy.removesuffix('Tensor')} for the source."
            )
    value = value if isinstance(value, Tensor) else _as_value_tensor(value, input)
    if kind == "IndexBackward0" and layout.overlaps_itself(input._data):
        _warn_if_expanded(input, index)
    if _records(input, (value,)):
        if kind not in ("IndexBackward0", "AliasBackward0"):
            # torch writes through the view x[index]: the write is recorded on x as CopySlices
            view = indexing.Index.apply(input, numpy_index, kind)
            copy_(view, _value_that_fits(input, numpy_index, value, view))
            return input
        _check_inplace(input, True)
        if kind == "AliasBackward0":  # x[...] = v: torch writes into x itself, with fill_ or copy_
            _check_no_overlap(input)
            if value._data.ndim or not input._data.ndim:  # torch copies equal shapes, and fills from a 0-d value
                return copy_(input, _value_that_fits(input, numpy_index, value, input))
            return _commit_inplace(input, indexing.Fill.apply(input, value, "FillBackward3"), _edge(input))
        if input._requires_grad and input._grad_fn is None and _views_first(index):
            # torch writes through a view x[i] before the arrays, so it names the view
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        try:
            result = indexing.IndexPut.apply(input, numpy_index, value, _views_first(index))
        except (ValueError, TypeError) as error:  # NumPy's TypeError: a mask given a value of too many dims
            raise RuntimeError(_setitem_error(input, numpy_index, value, error)) from None
        return _commit_inplace(input, result)
    if kind != "IndexBackward0" and layout.overlaps_itself(input._data[numpy_index]):
        # torch copies into the view x[index], even a single number: it checks the shapes, then the overlap
        _value_that_fits(input, numpy_index, value, _wrap(input._data[numpy_index]))
        raise RuntimeError(_OVERLAP)
    try:
        input._data[numpy_index] = value._data.reshape(indexing._without_leading_ones(value._data.shape))
    except (ValueError, TypeError) as error:
        raise RuntimeError(_setitem_error(input, numpy_index, value, error)) from None
    input._version_counter[0] += 1
    return input


def _warn_if_expanded(input, index):
    """torch lets x[arrays] = v write an expanded tensor, with a warning, if the view it indexes shares memory."""
    with warnings.catch_warnings():  # the index was read once already, with its warnings
        warnings.simplefilter("ignore")
        parts = [_index_part(p) for p in _index_parts(index)]
    basic = []
    for part in parts:  # torch applies the ints, slices and None first; the arrays index what is left
        if isinstance(part, np.ndarray):
            basic += [None] if part.dtype == np.bool_ and part.ndim == 0 else [slice(None)] * _dims_taken(part)
        else:
            basic.append(part)
    if layout.overlaps_itself(input._data[tuple(basic)]):
        _warn_at_caller(
            "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before performing this "
            "operation. This also applies to advanced indexing e.g. tensor[indices] = tensor"
        )


def _value_that_fits(input, index, value, view):
    """`value` ready to be copied into `view`: leading dims of size 1 dropped, as torch does."""
    if value._data.shape == view._data.shape:
        return value
    shape = indexing._without_leading_ones(value._data.shape)
    if shape != value._data.shape:
        value = value.reshape(shape)
    try:
        np.broadcast_to(np.empty(shape, dtype=np.bool_), view._data.shape)
    except ValueError as error:
        raise RuntimeError(_setitem_error(input, index, value, error)) from None
    return value


def _views_first(index):
    """True when torch takes a view (an int, None, a bool or a partial slice) before writing with the arrays."""
    for part in index if isinstance(index, tuple) else (index,):
        if part is None or isinstance(part, (int, np.integer, np.bool_)):
            return True
        if isinstance(part, Tensor) and part._data.ndim == 0:
            return True
        if isinstance(part, slice) and not (part.start in (None, 0) and part.step in (None, 1) and part.stop is None):
            return True
    return False


def _setitem_error(input, index, value, error):
    if "read-only" in str(error):
        return _OVERLAP
    target = input._data[index].shape
    if _index_name(index) != "IndexBackward0":  # torch copies into the view x[index]: expand's error
        shape = value._data.shape
        while shape and shape[0] == 1 and len(shape) > len(target):
            shape = shape[1:]  # torch drops leading 1s of the value first
        try:
            expand(value.reshape(shape), target)
        except RuntimeError as expand_error:
            return str(expand_error)
    return f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be broadcast to indexing result of shape {list(target)}"


def _as_value_tensor(value, like):
    from .creation import tensor

    if isinstance(value, (bool, int, float, np.number)):
        return _wrapped_number(value)
    if not isinstance(value, (list, tuple, np.ndarray)):  # PyTorch also refuses lists and arrays here
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"can't assign a {name} to a torch.{like.dtype._legacy}")
    return tensor(value, dtype=like.dtype)


# ------------------------------------------------------------------------ in place
_OVERLAP = layout.OVERLAP_ERROR


def _check_inplace(tensor, recording=None):
    """Torch's refusals for in-place writes that would corrupt the graph.

    `recording`: whether the write will be recorded (torch checks views only then); None when unknown.
    """
    if not _grad_state.enabled:
        return
    if tensor._requires_grad and tensor._grad_fn is None and tensor._base is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = tensor._base
    if base is not None and (recording or (recording is None and tensor.requires_grad)):
        _view_tracking.check_writable(tensor)
        if tensor.requires_grad:
            if base._requires_grad and base._grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
            if tensor._grad_fn is None:  # torch reads the recorded grad_fn here, before any refresh
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def _check_no_overlap(tensor):
    """torch's refusal to write a tensor where elements share memory (an expanded one) with most in-place ops."""
    if layout.overlaps_itself(tensor._data):
        raise RuntimeError(_OVERLAP)


def _records(tensor, args):
    """Whether an in-place op on `tensor` with `args` is recorded by autograd."""
    return _grad_state.enabled and (
        tensor.requires_grad or builtins.any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )


def _cast_check(result_dtype, tensor):
    target = tensor.dtype
    if result_dtype._category > target._category:
        raise RuntimeError(
            f"result type {result_dtype._legacy.removesuffix('Tensor')} can't be cast to the desired output type "
            f"{target._legacy.removesuffix('Tensor')}"
        )


def _commit_inplace(tensor, result, self_edge=None):
    """Write `result` into `tensor`'s memory; if it was recorded, `tensor` now comes from its node.

    `self_edge`: how the recorded node reads the tensor's old value (needed when `tensor` is a view).
    """
    if result._data.shape != tensor._data.shape:  # torch checks the shape before the dtype
        raise RuntimeError(
            f"output with shape {list(tensor._data.shape)} doesn't match the broadcast shape {list(result._data.shape)}"
        )
    _cast_check(result.dtype, tensor)
    try:
        np.copyto(tensor._data, result._data, casting="unsafe")
    except ValueError:
        raise RuntimeError(_OVERLAP) from None
    tensor._version_counter[0] += 1
    node = result._grad_fn
    if node is None:
        return tensor
    if node._saved:  # an op that saved its output saved `result`: from now on it is `tensor` (relu_, exp_)
        for entry in node._saved:
            if type(entry) is _SavedOutput and entry.array is result._data:
                entry.array, entry.version_counter = tensor._data, tensor._version_counter
                entry.version = tensor._version_counter[0]
    if tensor._base is not None:
        _view_tracking.rebase(tensor, result, self_edge)
        return tensor
    tensor._grad_fn = node
    tensor._requires_grad = True
    tensor._output_nr = result._output_nr
    if tensor._retains_grad:  # retain_grad follows the tensor to its new history, as in torch
        node._retain_grad_of(tensor)
    return tensor


def _edge(tensor):
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    return (_accumulator(tensor), 0) if tensor._requires_grad else (None, 0)


def inplace(tensor, function, *args, **kwargs):
    """Compute `function(tensor, *args)` and write the result into `tensor` (the `x.add_(y)` forms).

    Outside autograd the result is written straight into the tensor's memory, so
    no second buffer of its size is allocated.
    """
    recording = _records(tensor, args)
    _check_inplace(tensor, recording)
    _check_no_overlap(tensor)
    if not recording:
        direct = _direct_inplace(tensor, function, args, kwargs)
        if direct is not None:
            return direct
        return _commit_inplace(tensor, function(tensor, *args, **kwargs))
    # Backward may need the values from before the write (pow_ saves its input), so the op
    # reads a copy that holds this tensor's place in the graph; torch saves an "original self".
    original = _wrap(tensor._data.copy())
    original._grad_fn, original._output_nr = tensor.grad_fn, tensor._output_nr
    original._requires_grad = tensor._requires_grad or original._grad_fn is not None
    return _commit_inplace(tensor, function(original, *args, **kwargs), _edge(original))


def _direct_inplace(tensor, function, args, kwargs):
    ufunc = _INPLACE_UFUNCS.get(function)
    if ufunc is None or len(args) != 1:
        return None
    other = _tensor_operand(args[0])
    if ufunc is np.subtract:
        arithmetic._check_bool_subtraction(tensor, other)
    target, operand = tensor._data, other._data
    if operand.shape != target.shape:  # torch checks the shape before the dtype
        shape = broadcast_shapes(target.shape, operand.shape)
        if shape != target.shape:
            raise RuntimeError(f"output with shape {list(target.shape)} doesn't match the broadcast shape {list(shape)}")
    if operand.dtype != target.dtype:
        result_dtype = dtypes.result_type(tensor, other) if ufunc is not np.true_divide else _division_dtype(tensor, other)
        _cast_check(result_dtype, tensor)
        operand = operand.astype(result_dtype.numpy)
    elif ufunc is np.true_divide and target.dtype.kind != "f":
        _cast_check(dtypes.get_default_dtype(), tensor)
    alpha = kwargs.get("alpha", 1)
    if type(alpha) is not int or alpha != 1:
        _check_alpha(tensor, other, alpha)
        operand = operand * alpha
    if ufunc is np.true_divide:
        with np.errstate(divide="ignore", invalid="ignore"):
            ufunc(target, operand, out=target, casting="unsafe")
    else:
        ufunc(target, operand, out=target, casting="unsafe")
    tensor._version_counter[0] += 1
    return tensor


_INPLACE_UFUNCS = {add: np.add, sub: np.subtract, mul: np.multiply, div: np.true_divide}


def _division_dtype(a, b):
    dtype = dtypes.result_type(a, b)
    return dtype if dtype.is_floating_point else dtypes.get_default_dtype()


def fill_(tensor, value, *, _zero=False):
    """Set every element to `value` (a number or a one-element tensor)."""
    value = _tensor_operand(value)
    _check_inplace(tensor, _records(tensor, (value,)))
    if value._data.size != 1 or (value._data.ndim and not value._is_wrapped_number):
        if value._data.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions."
            )
    if not value._is_wrapped_number:  # torch fills from a tensor with copy_, which refuses shared memory
        _check_no_overlap(tensor)
    if _records(tensor, (value,)):
        if value._is_wrapped_number:  # a number is no input of the graph
            result = indexing.Fill.apply(tensor, value._data, "ZeroBackward0" if _zero else "FillBackward2")
        else:
            result = indexing.Fill.apply(tensor, value, "FillBackward3")
        return _commit_inplace(tensor, result, _edge(tensor))
    tensor._data[...] = value._data
    tensor._version_counter[0] += 1
    return tensor


def copy_(tensor, src):
    """Overwrite with `src` (broadcast, converted to this tensor's dtype)."""
    src = _tensor_operand(src)
    _check_inplace(tensor, _records(tensor, (src,)))
    _check_no_overlap(tensor)
    shape = broadcast_shapes(tensor._data.shape, src._data.shape)
    if shape != tensor._data.shape:
        raise RuntimeError(f"output with shape {list(tensor._data.shape)} doesn't match the broadcast shape {list(shape)}")
    if _records(tensor, (src,)):
        return _commit_inplace(tensor, indexing.Copy.apply(tensor, src), _edge(tensor))
    np.copyto(tensor._data, src._data, casting="unsafe")
    tensor._version_counter[0] += 1
    return tensor


def uniform_(tensor, a=0.0, b=1.0, *, generator=None):
    """Fill with numbers drawn uniformly from [a, b)."""
    from .random import numpy_generator

    _check_leaf_random(tensor)
    tensor._data[...] = numpy_generator(generator).uniform(a, b, tensor._data.shape)
    tensor._version_counter[0] += 1
    return tensor


def normal_(tensor, mean=0.0, std=1.0, *, generator=None):
    """Fill with numbers drawn from a normal distribution."""
    from .random import numpy_generator

    _check_leaf_random(tensor, "normal_kernel_cpu")
    tensor._data[...] = numpy_generator(generator).normal(mean, std, tensor._data.shape)
    tensor._version_counter[0] += 1
    return tensor


def _check_leaf_random(tensor, kernel="check_uniform_bounds"):
    _check_inplace(tensor)
    if tensor._data.dtype.kind != "f":  # torch has no integer kernel for these, and names the one it lacks
        raise NotImplementedError(f'"{kernel}" not implemented for \'{tensor.dtype._legacy.removesuffix("Tensor")}\'')
    _check_no_overlap(tensor)


# -------------------------------------------------------------------------- out=
def _into(out, name, compute, *inputs, ufunc=None, alpha=1):
    """Write the result of `name` into `out` (resized if its shape differs).

    Element-wise arithmetic (`ufunc`) writes straight into `out`'s memory, as torch
    does; anything else is computed, then copied.
    """
    if _grad_state.enabled and (
        out._requires_grad or builtins.any(isinstance(t, Tensor) and t._requires_grad for t in inputs)
    ):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad."
        )
    _check_no_overlap(out)
    if ufunc is not None:
        a, b = _tensor_operand(inputs[0]), _tensor_operand(inputs[1])
        dtype = _division_dtype(a, b) if ufunc is np.true_divide else dtypes.result_type(a, b)
        _cast_check(dtype, out)
        _fit_output(out, broadcast_shapes(a._data.shape, b._data.shape))
        x, y = a._data.astype(dtype.numpy, copy=False), b._data.astype(dtype.numpy, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            ufunc(x, y if alpha == 1 else y * alpha, out=out._data, casting="unsafe")
    else:
        result = compute()
        _cast_check(result.dtype, out)
        _fit_output(out, result._data.shape)
        np.copyto(out._data, result._data, casting="unsafe")
    out._version_counter[0] += 1
    return out


def _fit_output(out, shape):
    if out._data.shape == shape:
        return
    if out._data.size:
        warnings.warn(
            f"An output with one or more elements was resized since it had shape {list(out._data.shape)}, which "
            f"does not match the required output shape {list(shape)}. This behavior is deprecated, "
            "and in a future PyTorch release outputs will not be resized unless they have zero elements. You can "
            "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
            UserWarning,
            stacklevel=4,
        )
    out._data = np.empty(shape, dtype=out._data.dtype)
