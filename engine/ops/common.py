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
    """The arrays of `a` and `b`, ready for a NumPy operation whose result has their common dtype.

    An array that NumPy would promote to that dtype anyway (a bool mask next to
    floats, say) is left as it is, which saves a full-size conversion.
    """
    x, y = a._data, b._data
    if x.dtype == y.dtype:
        return x, y
    target = common_dtype(a, b).numpy
    if x.dtype != target and np.promote_types(x.dtype, target) != target:
        x = x.astype(target)
    if y.dtype != target and np.promote_types(y.dtype, target) != target:
        y = y.astype(target)
    return x, y


def floating_array(tensor):
    """The tensor's array, converted to the default float type when it holds integers (as exp, log... do)."""
    array = tensor._data
    if array.dtype.kind == "f":
        return array
    return array.astype(dtypes.get_default_dtype().numpy)


def constant_like(array, reference):
    """A tensor (outside autograd) holding `array`, for masks and weights in backward formulas.

    A boolean mask stays boolean: multiplying by it promotes on the fly, with no converted copy.
    """
    array = np.asarray(array)
    return _wrap(array if array.dtype == np.bool_ else array.astype(reference._data.dtype, copy=False))
