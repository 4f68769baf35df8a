"""Element-wise functions: arithmetic, pointwise maths, comparisons and bitwise logic."""
import builtins

import numpy as np

from .. import dtypes
from ..broadcasting import broadcast_shapes
from ..ops import arithmetic, comparison, pointwise
from ..tensor import Tensor, _wrap
from .operands import _binary, _tensor_operand
from .out import _into


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
        return _into(out, "add", None, input, other, operation=arithmetic.Add, alpha=alpha)
    return _binary(arithmetic.Add, input, other, alpha) if alpha != 1 else _binary(arithmetic.Add, input, other)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha × other, broadcasting."""
    if type(alpha) is not int or alpha != 1:  # torch refuses bool operands before it looks at alpha
        arithmetic._check_bool_subtraction(_tensor_operand(input), _tensor_operand(other))
        _check_alpha(input, other, alpha)
    if out is not None:
        return _into(out, "sub", None, input, other, operation=arithmetic.Sub, alpha=alpha)
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
        return _into(out, "mul", None, input, other, operation=arithmetic.Mul)
    return _binary(arithmetic.Mul, input, other)


multiply = mul


def div(input, other, *, out=None):
    """input / other (true division: integers give floats)."""
    if out is not None:
        return _into(out, "div", None, input, other, operation=arithmetic.Div)
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
    other = _tensor_operand(other)
    return _binary(arithmetic.RemainderByNumber if other._is_wrapped_number else arithmetic.Remainder, input, other)


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


def log1p(input):
    return pointwise.Log1p.apply(input)


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

# How torch's C++ names the element types in some messages.
_CPP_TYPE_NAMES = dtypes.CPP_TYPE_NAMES


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
def _compare(function, a, b):
    a, b = _tensor_operand(a), _tensor_operand(b)
    if a._data.shape != b._data.shape:
        broadcast_shapes(a._data.shape, b._data.shape)
    return function.apply(a, b)


COMPARABLE = (Tensor, builtins.bool, builtins.int, builtins.float, np.number, np.ndarray)


def _comparison(name, function, input, other):
    if not isinstance(input, Tensor) or not isinstance(other, COMPARABLE):
        got = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__ for v in (input, other))
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n"
        )
    return _compare(function, input, other)


def _not_comparable(name, other):
    """torch's error for x.eq(other) (the method) when other is neither a tensor nor a number."""
    kind = type(other).__name__
    mismatch = f"      didn't match because some of the arguments have invalid types: (!{kind}!)\n"
    raise TypeError(
        f"{name}() received an invalid combination of arguments - got ({kind}), but expected one of:\n"
        f" * (Tensor other)\n{mismatch} * (Number other)\n{mismatch}"
    )


def eq(input, other):
    return _comparison("eq", comparison.Equal, input, other)


def ne(input, other):
    return _comparison("ne", comparison.NotEqual, input, other)


def lt(input, other):
    return _comparison("lt", comparison.Less, input, other)


def le(input, other):
    return _comparison("le", comparison.LessEqual, input, other)


def gt(input, other):
    return _comparison("gt", comparison.Greater, input, other)


def ge(input, other):
    return _comparison("ge", comparison.GreaterEqual, input, other)


def _bitwise(function, symbol, a, b):
    a, b = _tensor_operand(a), _tensor_operand(b)
    common = dtypes.result_type(a, b)
    if common.is_floating_point:  # torch has no kernel for the common dtype, and says so by its name
        raise NotImplementedError(f'"bitwise_{symbol}_cpu" not implemented for \'{common._legacy.removesuffix("Tensor")}\'')
    return _compare(function, a, b)


def bitwise_and(input, other):
    return _bitwise(comparison.BitwiseAnd, "and", input, other)


def bitwise_or(input, other):
    return _bitwise(comparison.BitwiseOr, "or", input, other)


def bitwise_xor(input, other):
    return _bitwise(comparison.BitwiseXor, "xor", input, other)


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
