"""A program: inputs, a straight line of nodes, outputs; printable, measurable, and runnable fast.

The nodes are `engine.static`'s recorded nodes (a Function, its arguments, its output
symbols), or the compiler's own fused nodes, which look the same. Running a program
does not walk a graph: `Executor` turns it once into a list of steps reading and
writing numbered slots, and frees each slot after its last reader.
"""
import builtins
import inspect

import numpy as np

from ..tensor import Tensor
from ..static import Graph, Symbol
from .labels import LabelSlot


class Program:
    """`outputs = program(inputs)`, as a list of nodes run in order."""

    def __init__(self, inputs, nodes, outputs, buffers=()):
        self.inputs, self.nodes, self.outputs = list(inputs), list(nodes), list(outputs)
        self.buffers = list(buffers)  # symbols whose arrays are allocated once and reused (memory.plan_buffers)

    def replace(self, nodes=None, outputs=None, buffers=None):
        return Program(self.inputs, self.nodes if nodes is None else nodes, self.outputs if outputs is None else outputs,
                       self.buffers if buffers is None else buffers)

    def bytes_per_step(self):
        """Bytes of new arrays one run allocates: node outputs, less views, in-place writes and kept buffers."""
        return sum(out._data.nbytes for node in self.nodes for index, out in enumerate(node.outputs)
                   if out._data.base is None and not _reuses_memory(node, index))  # a view allocates nothing

    def buffer_bytes(self):
        """Bytes of the buffers allocated once and written again on every run."""
        return sum(symbol._data.nbytes for symbol in self.buffers)

    def __len__(self):
        return len(self.nodes)

    def __str__(self):
        inputs = ", ".join([f"{_name(s)}: {s.dtype.name}{list(s.shape)}" for s in self.inputs]
                           + [slot.describe() for slot in _label_slots(self)])
        lines = [f"program({inputs}):"]
        for node in self.nodes:
            outputs = ", ".join(_name(o) for o in node.outputs)
            args = _shown_args(node) + [f"{k}={_name(v)}" for k, v in node.kwargs.items()]
            args += [f"{name}=b{slot}" for name, slot in getattr(node, "buffers", ())]  # as the executor calls it
            lines.append(f"  {outputs} = {node.op}({', '.join(args)})")
        lines.append(f"  return {', '.join(_name(o) for o in self.outputs)}")
        return "\n".join(lines)


def _name(value):
    if isinstance(value, tuple) and any(type(v) is LabelSlot for v in value):
        return "[" + ", ".join(repr(v) if type(v) is LabelSlot else f"const{list(v.shape)}" for v in value) + "]"
    return Graph.describe(value)


def _label_slots(program):
    """The program's labels inputs, in order (see labels.py)."""
    slots = {}
    for node in program.nodes:
        for arg in list(node.args) + list(node.kwargs.values()):
            for value in arg if isinstance(arg, tuple) else (arg,):
                if type(value) is LabelSlot:
                    slots[value.number] = value
    return [slots[number] for number in sorted(slots)]


def _reuses_memory(node, index):
    """Whether the node's output `index` is written in place or into a kept buffer."""
    if getattr(node, "in_place", False) and index == node.function.in_place_output:
        return True
    slots = dict(getattr(node, "buffers", ()))
    names = getattr(node.function, "outputs_into", ())
    return index < len(names) and names[index] in slots


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
    """A program turned into the source of one Python function, one line per node, and compiled.

    Replaying it then costs the kernels and a function call per node: no graph walk, no
    dictionary of values; a value is deleted after its last reader, as eager code frees it.
    A node with a kept buffer gets it as `out=`, from the `arena` the caller passes (one
    array per symbol of the program's `buffers`; `new_arena()` allocates one).
    `source` keeps the text (torch's Inductor writes its output code the same way).
    """

    def __init__(self, program):
        names, constants = {}, {}

        def name(symbol):
            return names.setdefault(id(symbol), f"t{len(names)}")

        def argument(value):
            if type(value) is Symbol:
                return name(value)
            if type(value) is LabelSlot:
                return repr(value)
            if isinstance(value, tuple) and any(type(v) is LabelSlot for v in value):  # built at each call
                return "(" + "".join(f"{argument(v)}, " for v in value) + ")"
            key = f"c{len(constants)}"
            constants[key] = value
            return key

        parameters = [name(s) for s in program.inputs]
        last_read = {}
        for step, node in enumerate(program.nodes):
            for a in node.args:
                if type(a) is Symbol:
                    last_read[id(a)] = step
        kept = {id(s) for s in program.outputs} | {id(s) for s in program.inputs}
        self.buffers = program.buffers
        labels = _label_slots(program)
        lines = [f"def run({', '.join(parameters + ['arena=()', 'labels=()'])}):"]
        if labels:
            lines.append(f"    {', '.join(f'L{i}' for i in range(labels[-1].number + 1))}, = labels")
        if program.buffers:
            lines.append(f"    {', '.join(f'b{i}' for i in range(len(program.buffers)))}, = arena")
        for step, node in enumerate(program.nodes):
            function = f"f{step}"
            constants[function] = node.function.apply
            args = [argument(a) for a in node.args]
            if node.kwargs:
                constants[f"k{step}"] = node.kwargs
                args.append(f"**k{step}")
            args += [f"{name}=b{slot}" for name, slot in getattr(node, "buffers", ())]
            targets = ", ".join(name(o) for o in node.outputs) + ("," if len(node.outputs) > 1 else "")
            lines.append(f"    {targets} = {function}({', '.join(args)})")
            dead = sorted({name(a) for a in node.args if type(a) is Symbol and last_read[id(a)] == step
                           and id(a) not in kept})
            if dead:
                lines.append(f"    del {', '.join(dead)}")
        lines.append(f"    return [{', '.join(name(o) for o in program.outputs)}]")
        self.source = "\n".join(lines)
        namespace = dict(constants)
        exec(builtins.compile(self.source, "<compiled program>", "exec"), namespace)  # noqa: S102 (our own generated text)
        self.run_function = namespace["run"]

    def new_arena(self):
        """Fresh buffers for one run in flight (empty when the program has none)."""
        return [np.empty_like(symbol._data) for symbol in self.buffers]

    def run(self, inputs, arena=(), labels=()):
        """The output values (tensors) for these input tensors, written into `arena`'s buffers where planned;
        `labels` are the arrays of the integer arguments the program reads as inputs."""
        return self.run_function(*inputs, arena=arena, labels=labels)
