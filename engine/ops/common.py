"""Small helpers the primitive operations share: wrapping arrays and promoting dtypes."""
import numpy as np

from .. import dtypes
from ..tensor import _view_of, _wrap  # noqa: F401  (re-exported for the op modules)


def common_dtype(a, b):
    """The dtype torch gives an operation on tensors `a` and `b`."""
    if a._data.dtype == b._data.dtype:
        return dtypes._BY_NUMPY[a._data.dtype]
    return dtypes.result_type(a, b)


def as_dtype_array(tensor, dtype):
    array = tensor._data
    return array if array.dtype == dtype.numpy else array.astype(dtype.numpy)


def common_arrays(a, b):
    """The arrays of `a` and `b`, both converted to their common dtype."""
    dtype = common_dtype(a, b)
    return as_dtype_array(a, dtype), as_dtype_array(b, dtype)


def floating_array(tensor):
    """The tensor's array, converted to the default float type when it holds integers (as exp, log... do)."""
    array = tensor._data
    if array.dtype.kind == "f":
        return array
    return array.astype(dtypes.get_default_dtype().numpy)


def constant_like(array, reference):
    """A tensor (outside autograd) holding `array` in `reference`'s dtype, for masks in backward formulas."""
    return _wrap(np.asarray(array, dtype=reference._data.dtype))
