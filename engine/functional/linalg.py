"""Matrix products."""
from .. import dtypes
from ..ops import linalg
from .elementwise import _CPP_TYPE_NAMES
from .operands import _tensor_operand
from .out import _into


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
    a, b = _tensor_operand(input), _tensor_operand(other)
    return linalg.matmul_function(a, b).apply(a, b)


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
