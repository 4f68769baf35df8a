"""A program: inputs, a straight line of nodes, outputs; printable, measurable, and runnable fast.

The nodes are `engine.static`'s recorded nodes (a Function, its arguments, its output
symbols), or the compiler's own fused nodes, which look the same. Running a program
does not walk a graph: `Executor` turns it once into a list of steps reading and
writing numbered slots, and frees each slot after its last reader.
"""
import builtins
import inspect

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
    """A program turned into the source of one Python function, one line per node, and compiled.

    Replaying it then costs the kernels and a function call per node: no graph walk, no
    dictionary of values; a value is deleted after its last reader, as eager code frees it.
    `source` keeps the text (torch's Inductor writes its output code the same way).
    """

    def __init__(self, program):
        names, constants = {}, {}

        def name(symbol):
            return names.setdefault(id(symbol), f"t{len(names)}")

        def argument(value):
            if type(value) is Symbol:
                return name(value)
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
        lines = [f"def run({', '.join(parameters)}):"]
        for step, node in enumerate(program.nodes):
            function = f"f{step}"
            constants[function] = node.function.apply
            args = [argument(a) for a in node.args]
            if node.kwargs:
                constants[f"k{step}"] = node.kwargs
                args.append(f"**k{step}")
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

    def run(self, inputs):
        """The output values (tensors) for these input tensors."""
        return self.run_function(*inputs)
