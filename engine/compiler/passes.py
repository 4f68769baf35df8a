"""Passes: each takes a program and gives a smaller or cheaper one that computes the same outputs.

- `eliminate_dead_code`: drop nodes no output needs (the symbolic backward builds some:
  gradients of inputs that need none, zeros nobody reads).
- `eliminate_common_subexpressions`: compute a value once when two nodes apply the same
  operation to the same arguments (the backward often repeats a forward computation).
"""
import copy

from ..static import Symbol


def eliminate_dead_code(program):
    """Keep only the nodes whose outputs an output depends on."""
    needed = {id(s) for s in program.outputs}
    kept = []
    for node in reversed(program.nodes):
        if any(id(o) in needed for o in node.outputs):
            kept.append(node)
            needed.update(id(a) for a in node.args if type(a) is Symbol)
    return program.replace(nodes=kept[::-1])


def eliminate_common_subexpressions(program):
    """Replace a node by an earlier one that applies the same operation to the same arguments."""
    seen, renamed, nodes = {}, {}, []
    for node in program.nodes:
        args = tuple(renamed.get(id(a), a) if type(a) is Symbol else a for a in node.args)
        if any(a is not b for a, b in zip(args, node.args)):
            node = copy.copy(node)
            node.args = args
        key = _key(node)
        earlier = seen.get(key) if key is not None else None
        if earlier is not None and len(earlier.outputs) == len(node.outputs):
            for mine, theirs in zip(node.outputs, earlier.outputs):
                renamed[id(mine)] = theirs
            continue
        if key is not None:
            seen[key] = node
        nodes.append(node)
    outputs = [renamed.get(id(o), o) for o in program.outputs]
    return program.replace(nodes=nodes, outputs=outputs)


def _key(node):
    """What makes two nodes compute the same value; None for a node that must not be merged."""
    function = node.function
    if function is None or not function.__module__.startswith("engine.ops"):
        return None  # a learner's Function may have side effects or draw random numbers
    try:
        key = (function, tuple(_arg_key(a) for a in node.args),
               tuple(sorted((k, _arg_key(v)) for k, v in node.kwargs.items())))
        hash(key)
    except TypeError:
        return None
    return key


def _arg_key(value):
    if isinstance(value, float):
        return (float, repr(value))  # 0.0 and -0.0 are equal but not the same constant
    if isinstance(value, (bool, int, str, type(None))):
        return (type(value), value)
    if isinstance(value, tuple):
        return tuple(_arg_key(v) for v in value)
    return ("object", id(value))  # symbols, constant tensors and arrays: the same object only
