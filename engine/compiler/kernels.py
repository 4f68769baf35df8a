"""Kernels: an element-wise node whose arguments all share its dtype calls its NumPy ufunc directly.

Each node of a replayed program otherwise goes through `Function.apply`, whose checks
(dtype promotion, bool and integer rules, layouts) were already settled when the
program was traced on values of the same dtypes and shapes. On small tensors those
checks cost more than the arithmetic, so this is where a compiled tiny graph gains most.
"""
import copy

import numpy as np

from ..ops import arithmetic, pointwise, reductions
from ..static import Symbol
from ..tensor import Tensor

_new_object = object.__new__


def wrap(array):
    """A tensor around a fresh result array (what the engine's ops return)."""
    tensor = _new_object(Tensor)
    tensor._data = array
    tensor._version_counter = [0]
    return tensor


_BINARY = {arithmetic.Add: np.add, arithmetic.Sub: np.subtract, arithmetic.Mul: np.multiply}
_UNARY = {pointwise.Tanh: np.tanh, arithmetic.Neg: np.negative}


class Kernel:
    """A node's operation as one NumPy call on its arguments' arrays; printed under the node's own name."""

    def __init__(self, function, static_name, apply):
        self.static_name = self.__name__ = static_name
        self.forward = function.forward  # for the printed program's argument names
        self.apply = apply


def lower_kernels(program):
    """Swap the nodes that qualify (see the module's docstring) for direct kernels."""
    nodes = []
    for node in program.nodes:
        apply = _kernel(node) if _same_dtype(node) else None
        if apply is not None:
            node = copy.copy(node)
            node.function = Kernel(node.function, node.op, apply)
        nodes.append(node)
    return program.replace(nodes=nodes)


def _same_dtype(node):
    """One float output, and every array argument of that dtype (a 0-d constant counts as a number)."""
    if len(node.outputs) != 1 or node.kwargs or getattr(node, "in_place", False):
        return False
    dtype = node.outputs[0]._data.dtype
    return dtype.kind == "f" and all(
        _operand(a) != "array" or a._data.dtype == dtype for a in node.args if isinstance(a, Tensor)
    )


def _operand(value):
    """How a kernel reads an argument: an array, a 0-d constant tensor read as a number, or a number."""
    if isinstance(value, Tensor):
        return "item" if type(value) is not Symbol and value._data.ndim == 0 else "array"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return None


def _kernel(node):
    function, args = node.function, node.args
    if function in _BINARY and (len(args) == 2 or args[2] == 1) and _operand(args[0]) == "array":
        ufunc, second = _BINARY[function], _operand(args[1])
        if second == "array":
            return lambda a, b, alpha=1: wrap(ufunc(a._data, b._data))
        if second == "item":  # a wrapped Python number: weak, as in eager mode (float32 * 2 stays float32)
            return lambda a, b, alpha=1: wrap(ufunc(a._data, b._data.item()))
        if second == "number":
            return lambda a, b, alpha=1: wrap(ufunc(a._data, b))
    if function in _UNARY and len(args) == 1:
        ufunc = _UNARY[function]
        return lambda x: wrap(ufunc(x._data))
    if function is arithmetic.Rsub and _operand(args[0]) == "array" and _operand(args[1]) == "number":
        return lambda x, number: wrap(np.subtract(number, x._data))
    if function in (reductions.Sum, reductions.SumAll) and (len(args) < 4 or args[3] is None):
        return lambda x, dims=None, keepdim=False, dtype=None: wrap(np.asarray(x._data.sum(axis=dims, keepdims=keepdim)))
    return None
