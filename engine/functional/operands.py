"""What the torch functions accept as operands: tensors, and numbers that act as tensors."""
import numpy as np

from ..broadcasting import broadcast_shapes
from ..tensor import Tensor, _wrap, _wrapped_number


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
