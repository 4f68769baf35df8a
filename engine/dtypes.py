"""Data types under torch's names, and torch's rules for promoting them.

>>> import engine as torch
>>> torch.tensor([1, 2]).dtype, torch.tensor([1., 2.]).dtype
(torch.int64, torch.float32)
"""
import builtins

import numpy as np

# This module defines `float`, `int` and `bool` as dtypes (torch.float, ...), so
# Python's own types are reached through builtins.
_py_float, _py_int, _py_bool = builtins.float, builtins.int, builtins.bool


class dtype:
    """A tensor element type; wraps the NumPy dtype that stores it."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "_category", "_legacy")

    def __init__(self, name, numpy_dtype, category, legacy_type_name):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating point
        self.is_floating_point = category == 2
        self.is_signed = category == 2 or self.numpy.kind == "i"
        self.itemsize = self.numpy.itemsize
        self._legacy = legacy_type_name

    def __repr__(self):
        # Printed as torch prints it, so outputs read the same under both libraries.
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


float16 = half = dtype("float16", np.float16, 2, "HalfTensor")
float32 = float = dtype("float32", np.float32, 2, "FloatTensor")
float64 = double = dtype("float64", np.float64, 2, "DoubleTensor")
uint8 = dtype("uint8", np.uint8, 1, "ByteTensor")
int8 = dtype("int8", np.int8, 1, "CharTensor")
int16 = short = dtype("int16", np.int16, 1, "ShortTensor")
int32 = int = dtype("int32", np.int32, 1, "IntTensor")
int64 = long = dtype("int64", np.int64, 1, "LongTensor")
bool = dtype("bool", np.bool_, 0, "BoolTensor")

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_BY_NUMPY = {d.numpy: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}

_default_float = float32


def from_numpy_dtype(numpy_dtype):
    """The engine dtype that stores as `numpy_dtype`; a clear error for types torch lacks."""
    try:
        return _BY_NUMPY[numpy_dtype]
    except KeyError:
        pass
    try:
        return _BY_NUMPY[np.dtype(numpy_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(numpy_dtype).type.__name__}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def as_dtype(value):
    """Accept an engine dtype (or a NumPy dtype, or a name such as 'float64')."""
    if isinstance(value, dtype):
        return value
    if isinstance(value, str) and value.removeprefix("torch.") in _BY_NAME:
        return _BY_NAME[value.removeprefix("torch.")]
    if value is _py_float:
        return _default_float
    if value is _py_int:
        return int64
    if value is _py_bool:
        return bool
    try:
        return from_numpy_dtype(value)
    except TypeError:
        raise TypeError(f"expected a dtype such as torch.float32, got {value!r}") from None



def get_default_dtype():
    """The dtype of new floating-point tensors (float32 unless changed)."""
    return _default_float


def set_default_dtype(d):
    global _default_float
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def promote_types(a, b):
    """The smallest dtype both `a` and `b` convert to without loss (torch's table)."""
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    if a._category == 0:
        return a
    # Same category: NumPy's table agrees with torch's for these types, except
    # that torch promotes uint8 with int8 to int16 as NumPy does too.
    return _BY_NUMPY[np.promote_types(a.numpy, b.numpy)]


def result_type(*operands):
    """The dtype of an operation on `operands` (tensors and Python numbers).

    Torch ranks operands in three tiers: tensors with dimensions, zero-dimensional
    tensors, then Python numbers. A lower tier only changes the result when it is
    of a higher category (bool < integer < floating point).
    """
    dimensioned = zero_dim = scalar_category = None
    for operand in operands:
        data = getattr(operand, "_data", None)
        if data is not None:
            d = _BY_NUMPY[data.dtype]
            if data.ndim and not operand._is_wrapped_number:
                dimensioned = d if dimensioned is None else promote_types(dimensioned, d)
            elif operand._is_wrapped_number:
                scalar_category = max(scalar_category or 0, d._category)
            else:
                zero_dim = d if zero_dim is None else promote_types(zero_dim, d)
        else:
            category = 0 if isinstance(operand, _py_bool) else 1 if isinstance(operand, _py_int) else 2
            scalar_category = max(scalar_category or 0, category)
    result = dimensioned
    if zero_dim is not None:
        if result is None or zero_dim._category > result._category:
            result = zero_dim
    if scalar_category is not None:
        if result is None or scalar_category > result._category:
            result = (bool, int64, _default_float)[scalar_category]
    return result


# How torch's C++ messages spell each dtype ("expected scalar type float but found double").
CPP_TYPE_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
    "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
}
