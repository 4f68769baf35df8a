"""`out=`: writing a function's result into a given tensor, and the checks every write into existing memory makes."""
import builtins
import warnings

import numpy as np

from .. import layout
from ..broadcasting import broadcast_shapes
from ..grad_mode import _state as _grad_state
from ..tensor import Tensor
from .operands import _tensor_operand

_OVERLAP = layout.OVERLAP_ERROR


def _check_no_overlap(tensor):
    """torch's refusal to write a tensor where elements share memory (an expanded one) with most in-place ops."""
    if layout.overlaps_itself(tensor._data):
        raise RuntimeError(_OVERLAP)


def _cast_check(result_dtype, tensor):
    target = tensor.dtype
    if result_dtype._category > target._category:
        raise RuntimeError(
            f"result type {result_dtype._legacy.removesuffix('Tensor')} can't be cast to the desired output type "
            f"{target._legacy.removesuffix('Tensor')}"
        )


def _into(out, name, compute, *inputs, operation=None, alpha=1):
    """Write the result of `name` into `out` (resized if its shape differs).

    Element-wise arithmetic (an `operation` of ops.arithmetic) computes straight into
    `out`'s memory, as torch does; anything else is computed, then copied.
    """
    if _grad_state.enabled and (
        out._requires_grad or builtins.any(isinstance(t, Tensor) and t._requires_grad for t in inputs)
    ):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad."
        )
    _check_no_overlap(out)
    if operation is not None:
        a, b = _tensor_operand(inputs[0]), _tensor_operand(inputs[1])
        _cast_check(operation.result_dtype(a, b), out)
        _fit_output(out, broadcast_shapes(a._data.shape, b._data.shape))
        operation.compute(a, b, alpha, out=out._data)
    else:
        result = compute()
        _cast_check(result.dtype, out)
        _fit_output(out, result._data.shape)
        np.copyto(out._data, result._data, casting="unsafe")
    out._version_counter[0] += 1
    return out


def _fit_output(out, shape):
    if out._data.shape == shape:
        return
    if out._data.size:
        warnings.warn(
            f"An output with one or more elements was resized since it had shape {list(out._data.shape)}, which "
            f"does not match the required output shape {list(shape)}. This behavior is deprecated, "
            "and in a future PyTorch release outputs will not be resized unless they have zero elements. You can "
            "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
            UserWarning,
            stacklevel=4,
        )
    out._data = np.empty(shape, dtype=out._data.dtype)
