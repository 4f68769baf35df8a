"""Element-wise functions of one tensor, and the element-wise choices (clamp, maximum, where).

Comparisons, which have no gradient, are in comparison.py."""
import operator

import numpy as np

from .. import layout
from ..autograd.function import Function
from ..tensor import Tensor, _wrapped_number
from .common import _wrap, as_dtype_array, common_arrays, floating_array
from .comparison import AboveOrNan


class Exp(Function):
    """exp(x); d/dx = exp(x), so the output is saved."""

    node_name = "ExpBackward0"
    symbol = "exp"
    derivatives = ("grad * out",)
    static_name = "exp"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            result = _wrap(np.exp(floating_array(x)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        result, = ctx.saved_tensors
        return grad * result


class Log(Function):
    """ln x; d/dx = 1/x."""

    node_name = "LogBackward0"
    symbol = "log"
    derivatives = ("grad / x",)
    static_name = "log"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.log(floating_array(x)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / x


class Log1p(Function):
    """ln(1 + x), exact for small x; d/dx = 1/(1 + x)."""

    node_name = "Log1PBackward0"
    symbol = "log1p"
    derivatives = ("grad / (1 + x)",)
    static_name = "log1p"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _wrap(np.log1p(floating_array(x)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / (1 + x)


class Sqrt(Function):
    """√x; d/dx = 1/(2√x), from the saved output."""

    node_name = "SqrtBackward0"
    symbol = "sqrt"
    derivatives = ("grad / (2 * out)",)
    static_name = "sqrt"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            result = _wrap(np.sqrt(floating_array(x)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        result, = ctx.saved_tensors
        return grad / (2 * result)


class Abs(Function):
    """|x|; d/dx = sign(x) (0 at 0)."""

    node_name = "AbsBackward0"
    symbol = "abs"
    derivatives = ("grad * sign x",)
    static_name = "abs"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        ctx.save_for_backward(x)
        return _wrap(np.abs(x._data))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * x.sign()


class Sign(Function):
    """sign(x); its derivative is 0 wherever it exists."""

    node_name = "SignBackward0"
    symbol = "sign"
    derivatives = ("0: sign is flat",)
    static_name = "sign"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":  # NumPy has no sign for bools; torch's is the identity
            return _wrap(x._data.copy())
        result = np.asarray(np.sign(x._data))
        if result.dtype.kind == "f":  # torch's sign is (0 < x) - (x < 0): 0 for NaN, where NumPy gives NaN
            nan = result != result
            if nan.any():
                result[nan] = 0
        return _wrap(result)

    @staticmethod
    def backward(ctx, grad):
        return _wrap(np.zeros_like(grad._data))  # zeros even where grad is inf or NaN, as torch


class Tanh(Function):
    """tanh x; d/dx = 1 - tanh²x, from the saved output."""

    node_name = "TanhBackward0"
    symbol = "tanh"
    derivatives = ("grad * (1 − out²)",)
    static_name = "tanh"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        result = _wrap(np.tanh(floating_array(x)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        result, = ctx.saved_tensors
        return grad * (1 - result * result)


class Sigmoid(Function):
    """σ(x) = 1/(1 + e^-x); d/dx = σ(x)(1 - σ(x)), from the saved output."""

    node_name = "SigmoidBackward0"
    symbol = "sigmoid"
    derivatives = ("grad * out * (1 − out)",)
    static_name = "sigmoid"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        array = floating_array(x)
        # Two branches keep exp from overflowing for large |x|.
        with np.errstate(over="ignore"):
            positive = 1 / (1 + np.exp(-np.abs(array)))
        result = _wrap(np.where(array >= 0, positive, 1 - positive).astype(array.dtype, copy=False))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        result, = ctx.saved_tensors
        return grad * result * (1 - result)


class Relu(Function):
    """max(x, 0); d/dx = 0 where the output is ≤ 0, else 1 (so 1 at NaN, as torch's threshold_backward)."""

    node_name = "ReluBackward0"
    symbol = "relu"
    derivatives = ("grad * (out > 0)",)
    static_name = "relu"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        result = _wrap(np.maximum(x._data, 0, dtype=x._data.dtype))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        result, = ctx.saved_tensors
        # PyTorch's where also zeroes a NaN or inf gradient where x ≤ 0; a multiply by the mask is
        # several times faster than a where on big activations, and differs only there.
        return grad * AboveOrNan.apply(result, _wrapped_number(0))


class Sin(Function):
    """sin x; d/dx = cos x."""

    node_name = "SinBackward0"
    symbol = "sin"
    derivatives = ("grad * cos x",)
    static_name = "sin"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(np.sin(floating_array(x)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * x.cos()


class Cos(Function):
    """cos x; d/dx = -sin x."""

    node_name = "CosBackward0"
    symbol = "cos"
    derivatives = ("−grad * sin x",)
    static_name = "cos"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _wrap(np.cos(floating_array(x)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return -grad * x.sin()


def _clip(array, low, high):
    """np.clip with numpy 2.1's rule on numpy 2.0 too (Pyodide ships 2.0.2): a Python int bound
    beyond an integer array's range, on the side where it clips nothing, is dropped rather than
    raising OverflowError."""
    if array.dtype.kind in "iu":
        info = np.iinfo(array.dtype)
        low = None if isinstance(low, int) and low < info.min else low
        high = None if isinstance(high, int) and high > info.max else high
        if low is None and high is None:
            return array.copy()
    return np.clip(array, low, high)


class Clamp(Function):
    """min(max(x, low), high); d/dx = 1 where low ≤ x ≤ high, else 0."""

    node_name = "ClampBackward1"
    symbol = "clamp"
    derivatives = ("grad where in range",)
    static_name = "clamp"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x, low, high):
        from .. import dtypes

        dtype = dtypes.result_type(x, *(v for v in (low, high) if v is not None))
        if dtype is dtypes.bool and low is not None and high is not None:
            raise NotImplementedError("\"clamp_scalar_cpu\" not implemented for 'Bool'")
        array = x._data.astype(dtype.numpy, copy=False)
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return _wrap(_clip(array, low, high).astype(dtype.numpy, copy=False))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        if ctx.low is not None:
            grad = grad * (x >= ctx.low)
        if ctx.high is not None:
            grad = grad * (x <= ctx.high)
        return grad, None, None


class ClampTensor(Function):
    """min(max(x, low), high) for tensor bounds; the gradient goes to x where low ≤ x ≤ high,
    to low where x < low < high, to high where x > high or high < low (ties go to x, as in torch)."""

    node_name = "ClampBackward0"
    symbol = "clamp"
    derivatives = ("grad where in range",)
    static_name = "clamptensor"

    @staticmethod
    def forward(ctx, x, low, high):
        from .. import dtypes

        bounds = [b for b in (low, high) if b is not None]
        dtype = dtypes.result_type(x, *bounds)
        if dtype is dtypes.bool and len(bounds) == 2:
            raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
        result = x._data.astype(dtype.numpy, copy=False)
        if low is not None:
            result = np.maximum(result, low._data.astype(dtype.numpy, copy=False))
        if high is not None:
            result = np.minimum(result, high._data.astype(dtype.numpy, copy=False))
        ctx.save_for_backward(x, low, high)
        return _wrap(result)

    @staticmethod
    def backward(ctx, grad):
        x, low, high = ctx.saved_tensors
        needs_x, needs_low, needs_high = ctx.needs_input_grad

        def where(condition):
            return Where.apply(condition, grad, _wrapped_number(0.0))

        if low is None:
            return where(x <= high) if needs_x else None, None, where(x > high) if needs_high else None
        if high is None:
            return where(x >= low) if needs_x else None, where(x < low) if needs_low else None, None
        # torch combines each pair of masks in place, into the first: it fails where that one broadcasts less.
        if needs_x:
            _check_in_place_mask(x, low, x, high)
        if needs_low:
            _check_in_place_mask(x, low, low, high)
        if needs_high:
            _check_in_place_mask(x, high, high, low)
        return (
            where((x >= low) & (x <= high)) if needs_x else None,
            where((x < low) & (low < high)) if needs_low else None,
            where((x > high) | (high < low)) if needs_high else None,
        )


def _check_in_place_mask(a, b, c, d):
    from ..broadcasting import broadcast_shapes

    first, second = broadcast_shapes(a._data.shape, b._data.shape), broadcast_shapes(c._data.shape, d._data.shape)
    both = broadcast_shapes(first, second)
    if both != first:
        raise RuntimeError(f"output with shape {list(first)} doesn't match the broadcast shape {list(both)}")


class ElementwiseExtremum(Function):
    """max or min of a and b element-wise.

    A family: Maximum and Minimum each name the ufunc that chooses and the comparison by which an input loses.

    The gradient goes to the winner, half each on a tie, and all to both where neither wins (a NaN), as torch.
    """

    broadcasts = True
    result_layout = staticmethod(layout.follow_inputs)
    ufunc = None  # np.maximum or np.minimum
    loses = None  # operator.lt for maximum: a loses where a < b

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = common_arrays(a, b)
        ctx.save_for_backward(a, b)
        return _wrap(cls.ufunc(x, y))

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        shared = Where.apply(a == b, grad / 2, grad)
        zero = _wrapped_number(0.0)
        return Where.apply(cls.loses(a, b), zero, shared), Where.apply(cls.loses(b, a), zero, shared)


class Maximum(ElementwiseExtremum):
    """max(a, b) element-wise; the gradient goes to the larger input."""

    node_name = "MaximumBackward0"
    symbol = "maximum"
    derivatives = ("grad where larger",)
    static_name = "maximum"
    ufunc = np.maximum
    loses = operator.lt


class Minimum(ElementwiseExtremum):
    """min(a, b) element-wise; the gradient goes to the smaller input."""

    node_name = "MinimumBackward0"
    symbol = "minimum"
    derivatives = ("grad where smaller",)
    static_name = "minimum"
    ufunc = np.minimum
    loses = operator.gt


class Where(Function):
    """condition ? a : b; the gradient goes to a where the condition holds, to b elsewhere."""

    node_name = "WhereBackward0"
    symbol = "where"
    derivatives = ("—", "grad where condition", "grad where not condition")
    static_name = "where"
    ordered_inputs = True
    broadcasts = True
    not_graph_inputs = (0,)  # the condition: torch records no edge for it
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, condition, a, b):
        if condition._data.dtype.kind != "b":
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.dtype._legacy.removesuffix('Tensor')}")
        from ..broadcasting import broadcast_shapes

        broadcast_shapes(condition._data.shape, a._data.shape, b._data.shape)
        x, y = common_arrays(a, b)
        ctx.save_for_backward(condition)
        return _wrap(np.where(condition._data, x, y))

    @staticmethod
    def backward(ctx, grad):
        condition, = ctx.saved_tensors
        zero = _wrapped_number(0.0)
        return None, Where.apply(condition, grad, zero), Where.apply(condition, zero, grad)


def where(condition, input, other):
    """Where, with number branches taken as wrapped numbers: for backward formulas such as where(x == 0, 0.0, g)."""
    if not isinstance(input, Tensor):
        input = _wrapped_number(input)
    if not isinstance(other, Tensor):
        other = _wrapped_number(other)
    return Where.apply(condition, input, other)
