"""Comparisons and bitwise logic: element-wise, never differentiable, so torch records no node."""
import numpy as np

from .. import layout
from ..autograd.function import Function
from .common import _wrap, as_dtype_array


class Compare(Function):
    """a < b, a == b, ...: a boolean (or integer) tensor, never differentiable, so torch records no node.

    A family: each subclass is one comparison, computed by its NumPy ufunc.
    """

    ufunc = None
    derivatives = ("no gradient",)
    result_layout = staticmethod(layout.follow_inputs)

    @classmethod
    def forward(cls, ctx, a, b):
        from .. import dtypes

        dtype = dtypes.result_type(a, b)
        return _wrap(cls.ufunc(as_dtype_array(a, dtype), as_dtype_array(b, dtype)))

    @staticmethod
    def backward(ctx, grad):
        return None, None


class Equal(Compare):
    """a == b."""

    ufunc = np.equal
    symbol = "=="
    static_name = "equal"


class NotEqual(Compare):
    """a != b."""

    ufunc = np.not_equal
    symbol = "!="
    static_name = "not_equal"


class Less(Compare):
    """a < b."""

    ufunc = np.less
    symbol = "<"
    static_name = "less"


class LessEqual(Compare):
    """a <= b."""

    ufunc = np.less_equal
    symbol = "<="
    static_name = "less_equal"


class Greater(Compare):
    """a > b."""

    ufunc = np.greater
    symbol = ">"
    static_name = "greater"


class GreaterEqual(Compare):
    """a >= b."""

    ufunc = np.greater_equal
    symbol = ">="
    static_name = "greater_equal"


class BitwiseAnd(Compare):
    """a & b, on integers and bools."""

    ufunc = np.bitwise_and
    symbol = "&"
    static_name = "bitwise_and"


class BitwiseOr(Compare):
    """a | b, on integers and bools."""

    ufunc = np.bitwise_or
    symbol = "|"
    static_name = "bitwise_or"


class BitwiseXor(Compare):
    """a ^ b, on integers and bools."""

    ufunc = np.bitwise_xor
    symbol = "^"
    static_name = "bitwise_xor"


def _above_or_nan(x, threshold):
    return np.logical_not(np.less_equal(x, threshold))


class AboveOrNan(Compare):
    """relu's mask: not x ≤ threshold, so NaN passes (torch's threshold_backward zeroes only where x ≤ 0)."""

    ufunc = staticmethod(_above_or_nan)
    symbol = "> or nan"
    static_name = "_above_or_nan"
