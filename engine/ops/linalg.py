"""Matrix multiplication with torch's rules for 1-D, 2-D and batched operands."""
import numpy as np

from ..autograd.function import Function
from .common import _wrap
from .views import Transpose, reshape_to


def _dims_text(shape):
    return "x".join(str(n) for n in shape)


def check_matmul_shapes(a, b):
    """Raise torch's error for operands that cannot be multiplied."""
    a_shape, b_shape = a._data.shape, b._data.shape
    if not a_shape or not b_shape:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {len(a_shape)}D and {len(b_shape)}D"
        )
    if len(a_shape) == 1 and len(b_shape) == 1:
        if a_shape[0] != b_shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a_shape[0]}] and src [{b_shape[0]}] to have the same "
                f"number of elements, but got {a_shape[0]} and {b_shape[0]} elements respectively"
            )
        return
    if len(a_shape) == 2 and len(b_shape) == 1:
        _check_mv(a_shape, b_shape)
        return
    if len(a_shape) <= 2 and len(b_shape) == 2:
        _check_mm(a_shape if len(a_shape) == 2 else (1, a_shape[0]), b_shape)
        return
    _check_batched(_Operand(a_shape, a.stride(), a._requires_grad), _Operand(b_shape, b.stride(), b._requires_grad))


class _Operand:
    """What torch's matmul looks at to pick its strategy, and so its error: shape, strides, requires_grad."""

    def __init__(self, shape, strides, requires_grad):
        self.shape, self.strides, self.requires_grad = tuple(shape), tuple(strides), requires_grad

    def transposed(self):  # mT: the last two dims swapped
        shape, strides = list(self.shape), list(self.strides)
        shape[-2:], strides[-2:] = shape[:-3:-1], strides[:-3:-1]
        return _Operand(shape, strides, self.requires_grad)


def _check_mv(matrix, vector):
    if matrix[1] != vector[0]:
        raise RuntimeError(f"size mismatch, got input ({matrix[0]}), mat ({_dims_text(matrix)}), vec ({vector[0]})")


def _check_mm(left, right):
    if left[1] != right[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims_text(left)} and {_dims_text(right)})")


def _check_batched(a, b):
    """torch's _matmul_impl for 3 or more dims: fold the big operand into a matrix for one mm/mv when its
    should_fold allows, else broadcast the batch dims and call bmm. Each path words its error differently."""
    big, small = (a, b) if len(a.shape) >= len(b.shape) else (b.transposed(), a)
    if len(small.shape) <= 2 and _folds(big, small, len(a.shape)):
        folded = (int(np.prod(big.shape[:-1])), big.shape[-1])
        if len(small.shape) == 1:
            _check_mv(folded, small.shape)
        else:
            _check_mm(folded, small.shape if small is b else small.shape[::-1])
        return
    if len(a.shape) == 3 and len(b.shape) == 3 and a.shape[0] != b.shape[0]:
        # torch drops a batch dim of 1 that requires grad, and starts again
        if a.shape[0] == 1 and a.requires_grad:
            return _check_batched(_Operand(a.shape[1:], a.strides[1:], True), b)
        if b.shape[0] == 1 and b.requires_grad:
            return _check_batched(a, _Operand(b.shape[1:], b.strides[1:], True))
    from ..broadcasting import broadcast_shapes

    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2] if len(b.shape) > 1 else ())
    m1, m2 = a.shape[-1], b.shape[-2] if len(b.shape) > 1 else b.shape[0]
    if m1 != m2:
        count = int(np.prod(batch))
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{count}, {m1}] but got: [{count}, {m2}]."
        )


def _folds(big, small, first_ndim):
    """torch's should_fold: the small operand requires grad, or the big one folds without a copy."""
    if len(big.shape) < 3:
        return False
    if small.requires_grad:
        return True
    if first_ndim == 2:
        return False
    if 0 in big.shape:
        return True
    return all(big.strides[i] == big.strides[i + 1] * big.shape[i + 1] for i in range(len(big.shape) - 2))


_C_TYPE_NAMES = {
    "float16": "c10::Half", "float32": "float", "float64": "double", "uint8": "unsigned char", "int8": "signed char",
    "int16": "short int", "int32": "int", "int64": "long int", "bool": "bool",
}


def check_matmul_dtypes(a, b, function):
    """torch multiplies matrices only of one dtype (no promotion); its error names them."""
    if a._data.dtype == b._data.dtype:
        return
    first, second = a.dtype, b.dtype
    short = lambda d: d._legacy.removesuffix("Tensor")  # noqa: E731  ("Float", "Long", ...)
    if function is Dot:
        message = f"dot : expected both vectors to have same dtype, but found {short(first)} and {short(second)}"
    elif function is Mv:
        message = f"addmv input tensors must have the same dtype, but got {short(second)}, {short(first)}, and {short(second)}"
    elif function is Mm or function is VectorMatrix:
        message = (
            f"expected m1 and m2 to have the same dtype, but got: {_C_TYPE_NAMES[first.name]} != {_C_TYPE_NAMES[second.name]}"
        )
    else:
        message = f"expected scalar type {short(first)} but found {short(second)}"
    raise RuntimeError(message)


def matmul_function(a, b):
    """The MatMul class for a @ b: torch names each case's node after the product it computes."""
    a_dims, b_dims = a._data.ndim, b._data.ndim
    if b_dims == 2:
        return Mm if a_dims == 2 else VectorMatrix if a_dims == 1 else MatMul
    if b_dims == 1:
        return Dot if a_dims == 1 else Mv if a_dims == 2 else MatMul
    return MatMul


class MatMul(Function):
    """a @ b with a batch dimension (torch's node is named after its last step, a reshape);
    d/da = grad @ bᵀ, d/db = aᵀ @ grad. `matmul_function` picks the class for two operands.

    Backward treats a 1-D `a` as a row (1, k) and a 1-D `b` as a column (k, 1), so
    every case is a (batched) matrix product; broadcast batch dims are summed away
    by the engine.
    """

    node_name = "UnsafeViewBackward0"
    symbol = "@"
    derivatives = ("grad @ Bᵀ", "Aᵀ @ grad")
    static_name = "matmul"
    ordered_inputs = True
    a_is_vector = b_is_vector = False  # known from the class; a batched product may still have a 1-D side

    @classmethod
    def forward(cls, ctx, a, b):
        a_shape, b_shape = a._data.shape, b._data.shape
        if not (len(a_shape) == 2 and len(b_shape) == 2 and a_shape[1] == b_shape[0]):  # the common case is fine
            check_matmul_shapes(a, b)
        if a._data.dtype != b._data.dtype:
            check_matmul_dtypes(a, b, cls)
        x, y = a._data, b._data
        needs_a, needs_b = ctx.needs_input_grad
        ctx.save_for_backward(a if needs_b else None, b if needs_a else None)
        return _wrap(np.matmul(x, y))

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        a_vector = cls.a_is_vector or (a is not None and a.ndim == 1)
        b_vector = cls.b_is_vector or (b is not None and b.ndim == 1)
        if a_vector or b_vector:
            shape = grad._data.shape
            grad = reshape_to(grad, (1, 1) if a_vector and b_vector else shape[:-1] + (1,) + shape[-1:] if a_vector else shape + (1,))
        grad_a = grad_b = None
        if b is not None:
            grad_a = grad @ _matrix_transpose(b.unsqueeze(-1) if b_vector else b)
            if a_vector:
                grad_a = grad_a.squeeze(-2)
        if a is not None:
            grad_b = _matrix_transpose(a.unsqueeze(0) if a_vector else a) @ grad
            if b_vector:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


class Mm(MatMul):
    """matrix @ matrix."""

    node_name = "MmBackward0"


class Mv(MatMul):
    """matrix @ vector."""

    node_name = "MvBackward0"
    derivatives = ("grad ⊗ v", "Aᵀ @ grad")
    b_is_vector = True


class Dot(MatMul):
    """vector @ vector."""

    node_name = "DotBackward0"
    derivatives = ("grad * b", "grad * a")
    a_is_vector = b_is_vector = True


class VectorMatrix(MatMul):
    """vector @ matrix: torch multiplies a (1, k) row, then squeezes it, and names the node after that."""

    node_name = "SqueezeBackward4"
    a_is_vector = True


def _matrix_transpose(tensor):
    """The last two dims swapped (a view), for backward formulas."""
    order = tuple(range(tensor._data.ndim - 2)) + (tensor._data.ndim - 1, tensor._data.ndim - 2)
    return Transpose.apply(tensor, order)
