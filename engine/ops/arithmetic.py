"""Addition, subtraction, multiplication, division, negation and powers.

Broadcasting is undone by the backward engine itself: a gradient with the
broadcast shape is summed back to each input's shape in one shared place.

The four binary operations compute their values in one place, `compute(a, b, out=None)`,
which forward, the in-place forms (`x.add_(y)`) and `out=` all call: with `out`, the
values are written straight into that array.
"""
import numpy as np

from .. import layout
from ..autograd.function import Function
from ..dtypes import get_default_dtype
from ..tensor import _wrapped_number
from .common import _wrap, as_dtype_array, common_arrays, common_dtype, floating_array
from .pointwise import where


class Add(Function):
    """a + alpha·b; d/da = 1, d/db = alpha."""

    node_name = "AddBackward0"
    symbol = "+"
    derivatives = ("grad", "grad")
    static_name = "add"
    broadcasts = True
    result_layout = staticmethod(layout.follow_inputs)

    result_dtype = staticmethod(common_dtype)

    @staticmethod
    def compute(a, b, alpha=1, out=None):
        x, y = common_arrays(a, b)
        if alpha == 1:
            return np.add(x, y, out=out, casting="unsafe")
        if out is not None:
            return np.add(x, alpha * y, out=out, casting="unsafe")
        # A bool y times a Python float would be float64 in NumPy; the result keeps the common dtype.
        return (x + alpha * y).astype(common_dtype(a, b).numpy, copy=False)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return _wrap(Add.compute(a, b, alpha))

    @staticmethod
    def backward(ctx, grad):
        return grad, grad if ctx.alpha == 1 else grad * ctx.alpha, None


def _check_bool_subtraction(a, b):
    # A Python bool counts as a bool tensor here, as in torch.
    a_bool, b_bool = a._data.dtype.kind == "b", b._data.dtype.kind == "b"
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


class Sub(Function):
    """a - alpha·b; d/da = 1, d/db = -alpha."""

    node_name = "SubBackward0"
    symbol = "−"
    derivatives = ("grad", "−grad")
    static_name = "sub"
    ordered_inputs = True
    broadcasts = True
    result_layout = staticmethod(layout.follow_inputs)

    result_dtype = staticmethod(common_dtype)

    @staticmethod
    def compute(a, b, alpha=1, out=None):
        _check_bool_subtraction(a, b)
        x, y = common_arrays(a, b)
        if alpha == 1:
            return np.subtract(x, y, out=out, casting="unsafe")
        if out is not None:
            return np.subtract(x, alpha * y, out=out, casting="unsafe")
        return (x - alpha * y).astype(common_dtype(a, b).numpy, copy=False)  # as in Add

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return _wrap(Sub.compute(a, b, alpha))

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad if ctx.alpha == 1 else grad * -ctx.alpha, None


class Rsub(Function):
    """number - x (as in `2 - x`); d/dx = -1."""

    node_name = "RsubBackward1"
    symbol = "rsub"
    derivatives = ("−grad",)
    static_name = "rsub"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x, number):
        scalar = _wrapped_number(number)
        _check_bool_subtraction(scalar, x)
        y, s = common_arrays(x, scalar)
        return _wrap(s - y)

    @staticmethod
    def backward(ctx, grad):
        return -grad, None


class Mul(Function):
    """a·b; d/da = b, d/db = a."""

    node_name = "MulBackward0"
    symbol = "×"
    derivatives = ("grad * other",)
    static_name = "mul"
    broadcasts = True
    result_layout = staticmethod(layout.follow_inputs)

    result_dtype = staticmethod(common_dtype)

    @staticmethod
    def compute(a, b, alpha=1, out=None):
        x, y = common_arrays(a, b)
        return np.multiply(x, y, out=out, casting="unsafe")

    @staticmethod
    def forward(ctx, a, b):
        needs_a, needs_b = ctx.needs_input_grad
        ctx.save_for_backward(a if needs_b else None, b if needs_a else None)
        return _wrap(Mul.compute(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b if b is not None else None, grad * a if a is not None else None


class Div(Function):
    """a / b (true division); d/da = 1/b, d/db = -a/b²."""

    node_name = "DivBackward0"
    symbol = "÷"
    derivatives = ("grad / b", "−grad * a / b²")
    static_name = "div"
    ordered_inputs = True
    broadcasts = True
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def result_dtype(a, b):
        dtype = common_dtype(a, b)
        return dtype if dtype.is_floating_point else get_default_dtype()  # integer division still gives floats

    @staticmethod
    def compute(a, b, alpha=1, out=None):
        dtype = Div.result_dtype(a, b)
        x, y = as_dtype_array(a, dtype), as_dtype_array(b, dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.true_divide(x, y, out=out, casting="unsafe")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return _wrap(Div.compute(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b if ctx.needs_input_grad[0] else None
        grad_b = -grad * a / (b * b) if a is not None else None
        return grad_a, grad_b


class Neg(Function):
    """-x; d/dx = -1."""

    node_name = "NegBackward0"
    symbol = "neg"
    derivatives = ("−grad",)
    static_name = "neg"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
                "use the `~` or `logical_not()` operator instead."
            )
        return _wrap(np.negative(x._data))

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Reciprocal(Function):
    """1/x; d/dx = -1/x², computed from the saved output."""

    node_name = "ReciprocalBackward0"
    symbol = "reciprocal"
    derivatives = ("−grad * out²",)
    static_name = "reciprocal"
    result_layout = staticmethod(layout.follow_inputs)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            result = _wrap(np.reciprocal(floating_array(x)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        result, = ctx.saved_tensors
        return -grad * result * result


def _check_integer_power(dtype, exponent_array):
    # torch refuses integer (or bool) ** negative integer only for a number exponent (x ** -1).
    # Only an integer result is refused: an int base may be left unconverted next to a float
    # exponent, since NumPy promotes it on the fly (see common_arrays).
    exponent = np.asarray(exponent_array)
    if dtype.kind in "biu" and exponent.dtype.kind in "iu" and np.any(exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _power(base, power):
    """np.power, except integer ** negative integer (which NumPy refuses), computed as torch does:
    1 for a base of 1, ±1 for a base of -1, 0 for any other base."""
    if base.dtype.kind not in "biu" or power.dtype.kind not in "iu" or not np.any(power < 0):
        return np.power(base, power)
    negative = power < 0
    result = np.power(base, np.where(negative, 0, power))
    reciprocal = np.where(base == 1, 1, np.where(base == -1, np.where(power % 2 == 0, 1, -1), 0))
    return np.where(negative, reciprocal, result).astype(result.dtype)


def _check_bool_power(base, power):
    # torch has a bool ** bool kernel only for a Python bool exponent (PowScalar).
    if base.dtype == np.bool_ and power.dtype == np.bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")


def _float_power(base, exponent):
    """base ** exponent for a float array and a number, through torch's kernels for the common exponents
    (x·x, x·x·x, sqrt, 1/sqrt, 1/x, 1/x²), which differ from pow in the last bit or in the sign of -0's results."""
    if exponent == 2:
        return base * base
    if exponent == 3:
        return base * base * base
    if exponent == 0.5:
        return np.sqrt(base)
    if exponent == -0.5:
        return 1 / np.sqrt(base)
    if exponent == -1:
        return np.reciprocal(base)
    if exponent == -2:
        return 1 / (base * base)
    return None


class Power(Function):
    """torch.pow: a family, one subclass for each of torch's three nodes (x ** n, x ** y, b ** y)."""

    static_name = "pow"
    ordered_inputs = True
    broadcasts = True
    result_layout = staticmethod(layout.follow_inputs)


class PowScalar(Power):
    """x ** n for a number n; d/dx = n·x^(n-1) (0 for n = 0)."""

    node_name = "PowBackward0"
    symbol = "** {exponent}"
    derivatives = ("grad * n * x^(n−1)", "grad * out * ln x")

    @staticmethod
    def forward(ctx, x, exponent):
        base, power = common_arrays(x, _wrapped_number(exponent))
        _check_integer_power(base.dtype, power)
        ctx.exponent = exponent
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = _float_power(base, exponent) if base.dtype.kind == "f" and not isinstance(exponent, bool) else None
            if result is None:
                result = np.power(base, power)
        # NumPy raises bools to bool powers in int8; torch keeps bool.
        return _wrap(result.astype(np.bool_) if base.dtype == power.dtype == np.bool_ else result)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        n = ctx.exponent
        if n == 0:  # zeros even where grad is inf or NaN, as torch
            return _wrap(np.zeros(x._data.shape, dtype=grad._data.dtype)), None
        return grad * (n * x ** (n - 1) if n != 2 else 2 * x), None


class PowTensor(Power):
    """x ** y for tensors; d/dx = y·x^(y-1) (0 where y = 0), d/dy = x^y·ln x (0 where x = 0 and y ≥ 0)."""

    node_name = "PowBackward1"
    symbol = "**"
    derivatives = ("grad * n * x^(n−1)", "grad * out * ln x")

    @staticmethod
    def forward(ctx, x, y):
        base, power = common_arrays(x, y)
        _check_bool_power(base, power)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = _wrap(_power(base, power))
        ctx.save_for_backward(x, y, result if ctx.needs_input_grad[1] else None)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y, result = ctx.saved_tensors
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = where(y == 0, 0.0, grad * (y * x ** (y - 1)))
        if ctx.needs_input_grad[1]:
            log_x = (x if x.dtype is result.dtype else x.to(result.dtype)).log()  # torch logs x in the result's dtype
            grad_y = grad * where((x == 0) & (y >= 0), 0.0, result * log_x)
        return grad_x, grad_y


class PowFromScalar(Power):
    """b ** y for a number b; d/dy = b^y·ln b (0 where b = 0 and y ≥ 0)."""

    node_name = "PowBackward2"
    symbol = "{base} **"
    derivatives = ("grad * out * ln x",)

    @staticmethod
    def forward(ctx, base, y):
        b, power = common_arrays(_wrapped_number(base), y)
        _check_bool_power(b, power)
        ctx.base = base
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = _wrap(_power(b, power))
        ctx.save_for_backward(result, y)  # y also so that writing into it raises, as torch saves it too
        return result

    @staticmethod
    def backward(ctx, grad):
        result, y = ctx.saved_tensors
        log_base = float(np.log(ctx.base))  # -inf or nan for a base ≤ 0 (backward runs under np.errstate)
        if ctx.base == 0:
            return None, grad * where(y >= 0, 0.0, result * log_base)
        return None, grad * (result * log_base)


def _check_division(name, kernel, x, y):
    """torch's refusals for integer division: bool has no kernel, and an integer zero divisor raises."""
    if x.dtype == np.bool_ and y.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if x.dtype.kind in "biu" and y.dtype.kind in "biu" and not np.all(y):
        raise RuntimeError("ZeroDivisionError")


class FloorDivide(Function):
    """⌊a / b⌋, rounding toward -inf; torch defines no derivative, and its node says so when backward reaches it."""

    node_name = "torch::autograd::NotImplemented"
    symbol = "not_implemented"
    derivatives = ("not differentiable",)
    static_name = "floordivide"

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        _check_division("floor_divide", "div_floor_cpu", x, y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # x // 0 is ±inf or nan, as in torch
            return _wrap(np.floor_divide(x, y).astype(common_dtype(a, b).numpy, copy=False))

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _remainder(x, y):
    # torch's kernel: fmod, then moved into the divisor's sign; a zero keeps fmod's sign (NumPy's takes b's).
    with np.errstate(divide="ignore", invalid="ignore"):
        mod = np.fmod(x, y)
        shift = (mod != 0) & ((y < 0) != (mod < 0))
        return np.where(shift, mod + y, mod).astype(mod.dtype, copy=False)


class Remainder(Function):
    """a - b·⌊a / b⌋ (the sign of b, as Python's %); d/da = 1, d/db = -⌊a / b⌋."""

    node_name = "RemainderBackward1"
    symbol = "remainder"
    derivatives = ("grad", "−grad * ⌊a / b⌋")
    static_name = "remainder"

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        _check_division("remainder", "remainder_cpu", x, y)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[1] else None)
        return _wrap(_remainder(x, y).astype(common_dtype(a, b).numpy, copy=False))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_b = None
        if b is not None:
            from ..grad_mode import no_grad

            with no_grad():  # torch's -grad · self.div(other, rounding_mode="floor"): a constant factor
                quotient = FloorDivide.apply(a, b)
            grad_b = -grad * quotient
        return grad, grad_b


class RemainderByNumber(Remainder):
    """x % number: torch's overload for a number, named apart."""

    node_name = "RemainderBackward0"
    derivatives = ("grad",)


class RemainderOfNumber(Function):
    """number % x: torch has no derivative for it."""

    node_name = "torch::autograd::NotImplemented"
    symbol = "not_implemented"
    derivatives = ("not differentiable",)
    static_name = "remainderofnumber"

    @staticmethod
    def forward(ctx, number, y):
        scalar = _wrapped_number(number)
        x, z = common_arrays(scalar, y)
        _check_division("remainder", "remainder_cpu", x, z)
        return _wrap(_remainder(x, z).astype(common_dtype(scalar, y).numpy, copy=False))

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::remainder is not implemented")
