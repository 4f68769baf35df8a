"""Kernels: a node whose arguments all share its dtype calls its NumPy function directly.

Each node of a replayed program otherwise goes through `Function.apply`, whose checks
(dtype promotion, bool and integer rules, layouts) were already settled when the
program was traced on values of the same dtypes and shapes. On small tensors those
checks cost more than the arithmetic, so this is where a compiled tiny graph gains most.
Element-wise operations, sums, 2-D matrix products and the fused cross-entropy's
gradient are lowered; each kernel takes `out=`, so the memory planner can hand it a
buffer kept between steps.
"""
import copy

import numpy as np

from ..ops import arithmetic, linalg, pointwise, reductions, views
from ..static import Symbol
from ..tensor import Tensor
from .rewrites import SoftmaxMinusOneHot

_new_object = object.__new__


def wrap(array):
    """A tensor around a fresh result array (what the engine's ops return)."""
    tensor = _new_object(Tensor)
    tensor._data = array
    tensor._version_counter = [0]
    return tensor


_BINARY = {arithmetic.Add: np.add, arithmetic.Sub: np.subtract, arithmetic.Mul: np.multiply}
_UNARY = {pointwise.Tanh: np.tanh, arithmetic.Neg: np.negative}
_SUMS = (reductions.Sum, reductions.SumAll)  # their kernel returns an array already


class Kernel:
    """A node's operation as one NumPy call on its arguments' arrays; printed under the node's own name."""

    outputs_into = ("out",)  # its one result can be written into a buffer

    def __init__(self, function, static_name, apply):
        self.static_name = self.__name__ = static_name
        self.forward = function.forward  # for the printed program's argument names
        self.apply = apply


def lower_kernels(program):
    """Swap the nodes that qualify (see the module's docstring) for direct kernels."""
    nodes = []
    for node in program.nodes:
        apply = _kernel(node) if _same_dtype(node) else None
        if apply is not None and node.outputs[0]._data.ndim == 0 and node.function not in _SUMS:
            apply = _zero_dim(apply)
        if apply is not None:
            node = copy.copy(node)
            node.function = Kernel(node.function, node.op, apply)
        nodes.append(node)
    return program.replace(nodes=nodes)


def _zero_dim(apply):
    """A NumPy function on 0-d arrays returns a scalar, not an array: keep tensors' data arrays."""
    def zero_dim(*args, **kwargs):
        result = apply(*args, **kwargs)
        result._data = np.asarray(result._data)
        return result
    return zero_dim


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
            return lambda a, b, alpha=1, out=None: wrap(ufunc(a._data, b._data, out=out))
        if second == "item":  # a wrapped Python number: weak, as in eager mode (float32 * 2 stays float32)
            return lambda a, b, alpha=1, out=None: wrap(ufunc(a._data, b._data.item(), out=out))
        if second == "number":
            return lambda a, b, alpha=1, out=None: wrap(ufunc(a._data, b, out=out))
    if function in _UNARY and len(args) == 1:
        ufunc = _UNARY[function]
        return lambda x, out=None: wrap(ufunc(x._data, out=out))
    if function is arithmetic.Rsub and _operand(args[0]) == "array" and _operand(args[1]) == "number":
        return lambda x, number, out=None: wrap(np.subtract(number, x._data, out=out))
    if function in _SUMS and (len(args) < 4 or args[3] is None):
        return _sum_kernel(args)
    if function is linalg.Mm and all(_operand(a) == "array" for a in args):
        return lambda a, b, out=None: wrap(np.matmul(a._data, b._data, out=out))
    if function is views.Expand and node.outputs[0]._data.nbytes <= SMALL_COPY:
        return lambda x, shape, out=None: wrap(_copied_to(x._data, shape, out))
    if function is SoftmaxMinusOneHot:
        return lambda grad, probs, index, out=None: SoftmaxMinusOneHot.forward(None, grad, probs, index, out=out)
    return None


# NumPy's broadcast_to takes about 4 µs, whatever the size; a small array is copied faster than that.
SMALL_COPY = 4096


def _copied_to(array, shape, out=None):
    """`array` repeated to `shape`, in `out` or a new array (where eager mode gives a stride-0 view)."""
    result = np.empty(shape, dtype=array.dtype) if out is None else out
    np.copyto(result, array)
    return result


def _sum_kernel(args):
    """A sum; over one axis of a matrix, a product with a vector of ones, allocated once.

    NumPy's sum over the rows of a 1797×128 matrix takes 35 µs, the product 8 µs (BLAS adds
    in another order, so the last bits can differ from eager mode's).
    """
    x, dims = args[0]._data, args[1] if len(args) > 1 else None
    keepdim = len(args) > 2 and args[2]
    if x.ndim == 2 and dims in ((0,), (1,), (-1,), (-2,)) and not keepdim:
        axis = dims[0] % 2
        ones = np.ones(x.shape[axis], dtype=x.dtype)
        if axis == 0:
            return lambda x, dims=None, keepdim=False, dtype=None, out=None: wrap(np.matmul(ones, x._data, out=out))
        return lambda x, dims=None, keepdim=False, dtype=None, out=None: wrap(np.matmul(x._data, ones, out=out))
    return lambda x, dims=None, keepdim=False, dtype=None, out=None: \
        wrap(np.asarray(x._data.sum(axis=dims, keepdims=keepdim, out=out)))
