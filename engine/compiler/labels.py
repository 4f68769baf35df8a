"""Integer index arguments (class labels, most often) as inputs of the program, not constants.

The tracer computes with integer tensors at once and records an index as a constant
array, so a program would hold for one batch of labels only, and minibatch training
would compile again on every batch. torch.compile makes such a tensor an input of its
graph. Here the same is done after the fact: an integer argument whose array appears
only inside the indices of `index` nodes is swapped, in the finished programs, for a
`LabelSlot`, filled from the call's argument each time.

It is allowed only when that is safe. No operation may have computed with the labels
while tracing (`y + 1`, `y.max()`, `F.one_hot(y)`), and the function is traced a second
time with the labels rolled by one place: both traces must be the same program but for
the labels themselves, which catches Python reading them (`y.tolist()`, an `if`). Any
other integer argument keeps its values in the signature, as a guarded constant.
"""
import copy

import numpy as np

from ..creation import from_numpy
from ..static import Symbol
from ..tensor import Tensor


class LabelSlot:
    """Where the program reads its labels input `number`: an integer argument's array at each call."""

    def __init__(self, number, like):
        self.number, self.shape, self.dtype = number, like.shape, like.dtype

    def __repr__(self):
        return f"L{self.number}"

    def describe(self):
        return f"L{self.number}: {self.dtype.name}{list(self.shape)}"


class Labels:
    """The integer arguments a program takes as inputs: {position: the (dim, size) bounds it must respect}."""

    def __init__(self, bounds):
        self.bounds, self.positions = bounds, list(bounds)

    def read(self, args):
        """The arrays of this call's labels, after torch's bounds check of an index."""
        arrays = []
        for position in self.positions:
            array = args[position]._data
            low, high = (array.min(), array.max()) if array.size else (0, 0)
            for dim, size in self.bounds[position]:
                if high >= size or low < -size:
                    bad = array[(array >= size) | (array < -size)].flat[0]
                    raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
            arrays.append(array)
        return arrays


def integer_arguments(args):
    """{position: array} of the integer tensor arguments."""
    return {i: a._data for i, a in enumerate(args) if isinstance(a, Tensor) and a._data.dtype.kind in "iu"}


def rolled(args, positions):
    """The arguments with each integer argument's values rolled by one place (the same values, reordered);
    None when that changes nothing, since a second trace would then prove nothing."""
    changed = list(args)
    for i in positions:
        values = np.roll(args[i]._data, 1)
        if np.array_equal(values, args[i]._data):
            return None
        changed[i] = from_numpy(values)
    return tuple(changed)


def find_labels(program, arrays):
    """The integer arguments (of `arrays`, {position: array}) used only as index arrays, with their bounds."""
    uses = {position: [] for position in arrays}
    other = set()
    for node in program.nodes:
        for arg in list(node.args) + list(node.kwargs.values()):
            parts = arg if isinstance(arg, tuple) else (arg,)
            for k, part in enumerate(parts):
                for position, array in arrays.items():
                    if part is array:
                        if node.op == "index" and arg is node.args[1] and isinstance(arg, tuple) \
                                and all(isinstance(p, np.ndarray) for p in arg) and k < node.args[0]._data.ndim:
                            uses[position].append((k, node.args[0]._data.shape[k]))
                        else:
                            other.add(position)
    return {p: bounds for p, bounds in uses.items() if bounds and p not in other}


def same_program(first, second, first_arrays, second_arrays):
    """Whether two traces are one program, reading label array i where the other reads label array i."""
    if len(first.nodes) != len(second.nodes):
        return False
    pairs = {id(a): id(b) for a, b in zip(first_arrays, second_arrays)}
    return all(_same_function(a.function, b.function) and a.op == b.op and _same(a.args, b.args, pairs)
               and _same(a.kwargs, b.kwargs, pairs) and getattr(a, "buffers", ()) == getattr(b, "buffers", ())
               for a, b in zip(first.nodes, second.nodes))


def _same_function(a, b):
    """The same operation: the same class, or two kernels (made anew by each compile) of the same one."""
    forward = getattr(a, "forward", None)
    return a is b or type(a) is type(b) and forward is not None and forward == getattr(b, "forward", None)


def _same(a, b, pairs):
    if id(a) in pairs:
        return pairs[id(a)] == id(b)
    if type(a) is not type(b):
        return False
    if type(a) is Symbol:
        return a._data.shape == b._data.shape and a.dtype == b.dtype and a._label == b._label
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y, pairs) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], pairs) for k in a)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if hasattr(a, "_data"):  # a constant tensor
        return _same(a._data, b._data, pairs)
    return a == b


def substitute(program, labels):
    """The program with each label array, inside index tuples, replaced by its LabelSlot."""
    slots = {id(array): LabelSlot(number, array) for number, array in enumerate(labels)}

    def swap(arg):
        if isinstance(arg, tuple) and any(id(p) in slots for p in arg):
            return tuple(slots.get(id(p), p) for p in arg)
        return arg

    nodes = []
    for node in program.nodes:
        args = tuple(swap(a) for a in node.args)
        kwargs = {k: swap(v) for k, v in node.kwargs.items()}
        if any(a is not b for a, b in zip(args, node.args)) or any(kwargs[k] is not v for k, v in node.kwargs.items()):
            node = copy.copy(node)
            node.args, node.kwargs = args, kwargs
        nodes.append(node)
    return program.replace(nodes=nodes)
