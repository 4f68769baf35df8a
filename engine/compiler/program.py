"""A program: inputs, a straight line of nodes, outputs; printable, measurable, and runnable fast.

The nodes are `engine.static`'s recorded nodes (a Function, its arguments, its output
symbols), or the compiler's own fused nodes, which look the same. Running a program
does not walk a graph: `Executor` turns it once into a list of steps reading and
writing numbered slots, and frees each slot after its last reader.
"""
import inspect

from ..grad_mode import no_grad
from ..tensor import Tensor
from ..static import Graph, Symbol


class Program:
    """`outputs = program(inputs)`, as a list of nodes run in order."""

    def __init__(self, inputs, nodes, outputs):
        self.inputs, self.nodes, self.outputs = list(inputs), list(nodes), list(outputs)

    def replace(self, nodes=None, outputs=None):
        return Program(self.inputs, self.nodes if nodes is None else nodes, self.outputs if outputs is None else outputs)

    def bytes_per_step(self):
        """Bytes of new arrays one run allocates: node outputs, less views and what a node writes in place."""
        return sum(out._data.nbytes for node in self.nodes for out in node.outputs[1 if getattr(node, "in_place", False) else 0:]
                   if out._data.base is None)  # a view allocates nothing

    def __len__(self):
        return len(self.nodes)

    def __str__(self):
        inputs = ", ".join(f"{_name(s)}: {s.dtype.name}{list(s.shape)}" for s in self.inputs)
        lines = [f"program({inputs}):"]
        for node in self.nodes:
            outputs = ", ".join(_name(o) for o in node.outputs)
            args = _shown_args(node) + [f"{k}={_name(v)}" for k, v in node.kwargs.items()]
            lines.append(f"  {outputs} = {node.op}({', '.join(args)})")
        lines.append(f"  return {', '.join(_name(o) for o in self.outputs)}")
        return "\n".join(lines)


def _name(value):
    return Graph.describe(value)


def _shown_args(node):
    """Tensors by name; settings as name=value, left out when None or False (as the static printout does)."""
    try:
        names = list(inspect.signature(node.function.forward).parameters)[1:]
    except (AttributeError, TypeError, ValueError):  # an in-place kernel of the memory planner
        names = []
    shown = []
    for index, value in enumerate(node.args):
        if isinstance(value, Tensor) or index >= len(names) or names[index].startswith("*"):
            shown.append(_name(value))
        elif value is not None and value is not False:
            shown.append(f"{names[index]}={_name(value)}")
    return shown


def readers(program):
    """{id(symbol): number of nodes and outputs that read it}."""
    count = {}
    for node in program.nodes:
        for a in node.args:
            if type(a) is Symbol:
                count[id(a)] = count.get(id(a), 0) + 1
    for out in program.outputs:
        count[id(out)] = count.get(id(out), 0) + 1
    return count


class Executor:
    """A program lowered to steps over numbered slots: what replaying it costs is the kernels, and a loop."""

    def __init__(self, program):
        slots = {}

        def slot(symbol):
            return slots.setdefault(id(symbol), len(slots))

        self.input_slots = [slot(s) for s in program.inputs]
        last_read = {}
        for step, node in enumerate(program.nodes):
            for a in node.args:
                if type(a) is Symbol:
                    last_read[id(a)] = step
        kept = {id(s) for s in program.outputs} | {id(s) for s in program.inputs}  # inputs belong to the caller
        free_after = [[] for _ in program.nodes]
        for key, step in last_read.items():
            if key not in kept and key in slots:
                free_after[step].append(slots[key])
        self.steps = []
        for node, frees in zip(program.nodes, free_after):
            template = list(node.args)
            reads = tuple((i, slot(a)) for i, a in enumerate(node.args) if type(a) is Symbol)
            writes = tuple(slot(o) for o in node.outputs)
            self.steps.append((node.function.apply, template, reads, node.kwargs, writes, tuple(frees)))
        self.output_slots = [slot(s) for s in program.outputs]
        self.size = len(slots)

    def run(self, inputs):
        """The output values (tensors) for these input tensors."""
        registers = [None] * self.size
        for index, value in zip(self.input_slots, inputs):
            registers[index] = value
        with no_grad():
            for apply, template, reads, kwargs, writes, frees in self.steps:
                args = template.copy()
                for position, index in reads:
                    args[position] = registers[index]
                result = apply(*args, **kwargs)
                if len(writes) == 1:
                    registers[writes[0]] = result
                else:
                    for index, value in zip(writes, result):
                        registers[index] = value
                for index in frees:
                    registers[index] = None
        return [registers[index] for index in self.output_slots]


def is_tensor_constant(value):
    return isinstance(value, Tensor) and type(value) is not Symbol
