"""The recorded graph read back as tensors and operations, in a fixed order from the output.

Autograd records only nodes (the `grad_fn`s); tensors are implicit, as the edges
between them: a `next_functions` entry `(node, n)` is output `n` of `node`,
`(AccumulateGrad, 0)` is a leaf, and `(None, 0)` an input that does not require
grad. A picture needs the tensors too, so `trace` turns the nodes into
alternating `Var`s (tensors) and `Op`s (operations), numbered breadth-first from
the output: the same graph always gives the same numbers, whatever `id()` says.

>>> import engine as torch
>>> a = torch.tensor(2., requires_grad=True)
>>> g = trace(a * a, {"a": a})
>>> [item.label for item in g.items]
['result', 'MulBackward0', 'a']
>>> len(g.ops[0].inputs)  # a * a: two edges from the same tensor
2
"""
from collections import deque

from ..autograd.node import AccumulateGrad
from ..tensor import Tensor


def short_name(node):
    """node.name() without torch's C++ namespace (torch::autograd::AccumulateGrad → AccumulateGrad), for drawings."""
    return node.name().rpartition("::")[2]


class Var:
    """A tensor in the picture: a `"weight"` (leaf that requires grad), a `"result"` or a `"constant"`."""

    __slots__ = ("index", "kind", "key", "name", "shape", "array", "tensor", "producer", "uses")

    def __init__(self, kind, key, shape=None):
        self.kind, self.key, self.shape = kind, key, shape
        self.index = None
        self.name = self.array = self.tensor = self.producer = None
        self.uses = 0  # edges into operations: more than one means gradients accumulate here

    @property
    def label(self):
        return self.name or self.kind

    @property
    def grad(self):
        """The `.grad` that backward left here, if any (read without torch's non-leaf warning)."""
        tensor = self.tensor
        if tensor is None or (tensor._grad_fn is not None and not tensor._retains_grad):
            return None
        return tensor._grad

    @property
    def node(self):
        """The graph node a `next_functions` entry names for this tensor."""
        key = self.key
        if type(key) is tuple:
            return None if type(key[0]) is str else key[0]
        return key


class Op:
    """One recorded node, with a `Var` per `next_functions` entry (None where the input is unknown)."""

    __slots__ = ("index", "node", "inputs", "outputs")

    def __init__(self, node):
        self.node = node
        self.index = None
        self.inputs, self.outputs = [], []

    @property
    def label(self):
        return short_name(self.node)

    @property
    def hidden_inputs(self):
        """Inputs that do not require grad and could not be identified: kept only as a count."""
        return sum(1 for var in self.inputs if var is None)


class Graph:
    """Vars and Ops in breadth-first order from `root`, the output tensor."""

    def __init__(self, root, items):
        self.root, self.items = root, items
        self.vars = [item for item in items if type(item) is Var]
        self.ops = [item for item in items if type(item) is Op]
        self.var_by_key = {var.key: var for var in self.vars}
        self.op_by_node = {op.node: op for op in self.ops}


def trace(output, names=None):
    """Read the graph that ends at `output`; `names` (name → tensor, e.g. `locals()`) labels what it can."""
    if not isinstance(output, Tensor):
        raise TypeError(f"expected a Tensor to draw, got {type(output).__name__}")
    known = _Known(output, names)
    root = known.var(_key_of(output), output._data.shape)
    root.index = 0
    items = [root]
    ops = {}
    queue = deque([root])
    while queue:
        item = queue.popleft()
        if type(item) is Var:
            if item.kind == "result":
                node = item.key[0]
                op = ops.get(node)
                if op is None:
                    op = ops[node] = Op(node)
                    items.append(op)
                    queue.append(op)
                op.outputs.append(item)
                item.producer = op
            continue
        node = item.node
        meta = getattr(node, "_input_meta", ())
        constants = known.constants_of(node)
        for index, (fn, output_nr) in enumerate(node.next_functions):
            if fn is None:
                var = constants.pop(0) if constants else None
                if var is None:
                    item.inputs.append(None)
                    continue
            else:
                key = fn if type(fn) is AccumulateGrad else (fn, output_nr)
                shape = meta[index][0] if index < len(meta) and meta[index] is not None else None
                var = known.var(key, shape)
            if var.index is None:
                var.index = len(items)
                items.append(var)
                queue.append(var)
            var.uses += 1
            item.inputs.append(var)
    for index, item in enumerate(items):
        item.index = index
    known.fill(items)
    return Graph(root, items)


def _key_of(tensor):
    """What identifies a tensor in the graph: its (grad_fn, output_nr), its AccumulateGrad, or itself."""
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    if tensor._requires_grad:
        return tensor._accumulator or ("leaf", id(tensor))
    return ("constant", id(tensor))


class _Known:
    """What can be learnt about each tensor: its name, the tensor object, or at least its values."""

    def __init__(self, output, names):
        self.names, self.tensors, self.arrays, self.vars = {}, {}, {}, {}
        self.keep = [output]  # ids below stay valid while these objects live
        for name, value in (names or {}).items():
            if isinstance(value, Tensor) and isinstance(name, str) and not name.startswith("_"):
                key = _key_of(value)
                self.keep.append(value)
                self.names.setdefault(key, name)  # several names for one tensor: the first wins
                self.tensors.setdefault(key, value)
        self.tensors.setdefault(_key_of(output), output)

    def var(self, key, shape):
        var = self.vars.get(key)
        if var is None:
            if type(key) is tuple and key[0] in ("leaf", "constant"):
                kind = "weight" if key[0] == "leaf" else "constant"
            else:
                kind = "weight" if type(key) is AccumulateGrad else "result"
            var = self.vars[key] = Var(kind, key, shape)
        return var

    def constants_of(self, node):
        """Vars for the `(None, 0)` inputs of `node`, in order, where the saved tensors tell which they are.

        Only a named tensor or a Python number (`x * 2`) is worth drawing; the rest
        stay None and show as a count on the operation.
        """
        saved = [t for t in node.saved_values() if t is not None and not t._requires_grad]
        missing = sum(1 for fn, _ in node.next_functions if fn is None)
        if not missing:
            return []
        if len(saved) != missing:  # which saved tensor is which input is not certain: show none
            return [None] * missing
        result = []
        for position, tensor in enumerate(saved):
            name = self.names.get(("constant", id(tensor)))
            if name is not None:
                var = self.var(("constant", id(tensor)), tensor._data.shape)  # one var per named tensor
            elif tensor._is_wrapped_number:
                var = Var("constant", ("number", node, position), tensor._data.shape)  # one per use
            else:
                result.append(None)
                continue
            var.tensor = tensor
            result.append(var)
        return result

    def fill(self, items):
        """Give each Var its name, tensor and values, from the names, retained grads and saved tensors."""
        for item in items:
            if type(item) is Op:
                node = item.node
                for output_nr, ref in (getattr(node, "_retained", None) or {}).items():
                    tensor = ref()
                    if tensor is not None and tensor._grad_fn is node:
                        self.tensors.setdefault((node, output_nr), tensor)
                for tensor in node.saved_values():
                    if tensor is None:
                        continue
                    if tensor._grad_fn is node:  # an output, which the node keeps as values only
                        self.arrays.setdefault((node, tensor._output_nr), tensor._data)
                    elif tensor._requires_grad:  # the tensor object itself: its values and any .grad
                        self.tensors.setdefault(_key_of(tensor), tensor)
        for item in items:
            if type(item) is not Var:
                continue
            key = item.key
            if type(key) is AccumulateGrad:
                item.tensor = key.variable
            elif item.tensor is None:
                item.tensor = self.tensors.get(key)
            item.name = self.names.get(key)
            tensor = item.tensor
            item.array = tensor._data if tensor is not None else self.arrays.get(key)
            if item.array is not None:
                item.shape = item.array.shape

