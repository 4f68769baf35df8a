"""Memory planning, in two steps.

In place: eager code allocates a new array for every result, because the engine cannot
know whether the argument is needed later. A whole program does know: when a node is its
first argument's only reader, and that argument's buffer is the program's own (not an
input, not a view, not shared), `a + b` becomes `np.add(a, b, out=a)`. So do the other
element-wise arithmetic nodes (a gradient added to another is accumulated in place),
relu_mask, and the fused cross-entropy, whose softmax takes the logits' buffer.

Buffers kept between steps: what is left, each result that never leaves the compiled
function (an intermediate, or a value kept for backward), gets a buffer of its own,
allocated once and written with NumPy's `out=` on every later step. Only the results the
caller receives are new arrays. `Compiled` keeps one set of forward buffers per call
whose backward is still pending, so two calls in flight never share one.
"""
import copy

import numpy as np

from ..ops import arithmetic
from ..static import Symbol
from ..tensor import Tensor
from .program import readers
from .rewrites import CrossEntropyFused, ReluMask


class _IntoFirst:
    """A binary element-wise operation that writes into its first argument's buffer."""

    outputs_into = (None,)  # the result is the argument: no buffer of its own
    in_place_output = 0

    def __init__(self, name, ufunc):
        self.__name__ = self.static_name = name
        self.ufunc = ufunc

    def apply(self, a, b, alpha=1):
        self.ufunc(a._data, b._data if isinstance(b, Tensor) else b, out=a._data)
        return a


class _ReluInto:
    __name__ = static_name = "relu_mask_"
    apply = staticmethod(ReluMask.into)
    outputs_into, in_place_output = (None, "mask_out"), 0


class _CrossEntropyInto:
    __name__ = static_name = "cross_entropy_fused_"
    apply = staticmethod(CrossEntropyFused.into)
    forward = staticmethod(CrossEntropyFused.forward)  # for the printed program's argument names
    outputs_into, in_place_output = (None, None), 1  # the loss is the caller's; the softmax is the logits' buffer


_IN_PLACE = {
    arithmetic.Add: _IntoFirst("add_", np.add),
    arithmetic.Sub: _IntoFirst("sub_", np.subtract),
    arithmetic.Mul: _IntoFirst("mul_", np.multiply),
    arithmetic.Div: _IntoFirst("div_", np.true_divide),
    ReluMask: _ReluInto(),
    CrossEntropyFused: _CrossEntropyInto(),
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
                and _owns(target, buffers) and _same_layout(target, node.outputs[into.in_place_output]) \
                and _no_alpha(node):
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


# Buffers pay where malloc would hand out fresh pages: a compiled MLP step in a fresh process
# had 509 page faults without them and none with them (its arrays are 70 KiB to 900 KiB). A
# small array comes back from malloc's free lists at no such cost, so it is not worth memory
# held between steps, nor the arena a call then has to take and give back.
SMALLEST_BUFFER = 64 * 1024


def plan_buffers(program, results):
    """Give each large node output that can take a buffer, and is not one of the caller's `results`, a slot.

    A slot is an index into the program's `buffers`, the symbols whose arrays are allocated once
    (np.empty_like) and passed as `out=` on every run. A result that is a view keeps its base
    out of the slots too, since the caller holds that memory.
    """
    given = set()
    for symbol in results:
        array = symbol._data
        while array is not None:
            given.add(id(array))
            array = array.base
    buffers, nodes = [], []
    for node in program.nodes:
        names = getattr(node.function, "outputs_into", None) or ()
        slots = []
        for output, name in zip(node.outputs, names):
            if name is not None and type(output) is Symbol and output._data.base is None \
                    and output._data.nbytes >= SMALLEST_BUFFER and id(output._data) not in given:
                slots.append((name, len(buffers)))
                buffers.append(output)
        if slots:
            node = copy.copy(node)
            node.buffers = tuple(slots)
        nodes.append(node)
    return program.replace(nodes=nodes, buffers=buffers)
