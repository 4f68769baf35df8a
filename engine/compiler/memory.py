"""Memory planning: a node whose first argument nobody reads afterwards writes its result there.

Eager code allocates a new array for every result, because the engine cannot know
whether the argument is needed later. A whole program does know: when this node is the
argument's only reader, and the argument's buffer is the program's own (not an input,
not a view, not shared), `a + b` becomes `np.add(a, b, out=a)`. So do the element-wise
arithmetic nodes (a gradient added to another is accumulated in place) and relu_mask.
"""
import copy

import numpy as np

from ..ops import arithmetic
from ..static import Symbol
from ..tensor import Tensor
from .program import readers
from .rewrites import ReluMask


class _IntoFirst:
    """A binary element-wise operation that writes into its first argument's buffer."""

    def __init__(self, name, ufunc):
        self.__name__ = self.static_name = name
        self.ufunc = ufunc

    def apply(self, a, b, alpha=1):
        self.ufunc(a._data, b._data if isinstance(b, Tensor) else b, out=a._data)
        return a


class _ReluInto:
    __name__ = static_name = "relu_mask_"
    apply = staticmethod(ReluMask.into)


_IN_PLACE = {
    arithmetic.Add: _IntoFirst("add_", np.add),
    arithmetic.Sub: _IntoFirst("sub_", np.subtract),
    arithmetic.Mul: _IntoFirst("mul_", np.multiply),
    arithmetic.Div: _IntoFirst("div_", np.true_divide),
    ReluMask: _ReluInto(),
}


def plan_memory(program):
    """Let each node that can write into its dead first argument do so; printed with a trailing `_`."""
    count = readers(program)
    inputs = {id(s) for s in program.inputs}
    buffers = {}
    for symbol in _symbols(program):
        for array in (symbol._data, symbol._data.base):
            if array is not None:
                buffers[id(array)] = buffers.get(id(array), 0) + 1
    nodes = []
    for node in program.nodes:
        into = _IN_PLACE.get(node.function)
        target = node.args[0] if node.args else None
        if into is not None and type(target) is Symbol and id(target) not in inputs and count.get(id(target)) == 1 \
                and _owns(target, buffers) and _same_layout(target, node.outputs[0]) and _no_alpha(node):
            node = copy.copy(node)
            node.function, node.in_place = into, True
        nodes.append(node)
    return program.replace(nodes=nodes)


def _symbols(program):
    seen = {}
    for s in program.inputs:
        seen[id(s)] = s
    for node in program.nodes:
        for value in list(node.args) + list(node.outputs):
            if type(value) is Symbol:
                seen[id(value)] = value
    return seen.values()


def _owns(symbol, buffers):
    array = symbol._data
    return array.base is None and buffers.get(id(array)) == 1 and array.flags.writeable


def _same_layout(target, output):
    a, b = target._data, output._data
    return a.shape == b.shape and a.dtype == b.dtype


def _no_alpha(node):
    return len(node.args) < 3 or node.args[2] == 1
