"""The graph as DOT text: what each tensor and operation looks like, and where the arrows go.

`draw_forward` reads left to right, inputs to output: tensors are rounded boxes
(weights amber with a bold border, constants dashed), operations are circles.
`draw_backward` keeps the same places and turns every arrow round, so the arrows
run from the output back to the leaves, each labelled with its local derivative.

>>> import engine as torch
>>> a = torch.tensor(2., requires_grad=True)
>>> L = a * a
>>> print(draw_forward(L, names={"a": a, "L": L}).source.count("->"))
3
"""
import re

import numpy as np

from .derivatives import Derivatives, op_name, rule
from .drawing import Drawing
from .graph import Op, Var, short_name, trace
from .text import attributes, escape, number, plain, shape_text

FONT = "Helvetica,Arial,sans-serif"
GRAD = "#B4235A"        # gradients, wherever they appear
HIGHLIGHT = "#2563EB"   # one path picked out in draw_backward
EDGE = "#6B7280"
MUTED = "#6B7280"

VAR_STYLE = {
    "weight": {"fillcolor": "#FFE2A8", "color": "#B7791F", "penwidth": "2.2"},
    "result": {"fillcolor": "#EAF2FB", "color": "#4A6FA5", "penwidth": "1.2"},
    "constant": {"fillcolor": "#F3F4F6", "color": "#9CA3AF", "penwidth": "1", "style": "rounded,filled,dashed"},
}
OP_STYLE = {
    "forward": {"fillcolor": "#FFFFFF", "color": "#6B7280", "penwidth": "1.2"},
    "backward": {"shape": "ellipse", "style": "filled", "fillcolor": "#F1EDFB", "color": "#7C6BB0", "penwidth": "1.2",
                 "fontsize": "11", "margin": "0.04,0.03"},
}

DEFAULT_MAX_NODES = 150
COMPACT_ABOVE = 80  # drawn nodes; see _to_dot


def draw_forward(output, names=None, max_nodes=DEFAULT_MAX_NODES):
    """The computation that made `output`: inputs on the left, `output` on the right.

    `names` maps name → tensor (so `names=locals()` works); those tensors are
    labelled, the rest show their value (scalars) or shape. Past `max_nodes`
    tensors and operations, the ones farthest from `output` fold into one box.

    >>> import engine as torch
    >>> w = torch.tensor(0.5, requires_grad=True)
    >>> d = draw_forward(w * 3.0, names={"w": w})
    >>> "w" in d.source and "3.0" in d.source
    True
    """
    return Drawing(_to_dot(trace(output, names), "forward", max_nodes, None))


def draw_backward(output, names=None, highlight=None, max_nodes=DEFAULT_MAX_NODES, grads=None, focus=None):
    """The backward graph from `output`: arrows run from `output` back to the leaves.

    Each arrow into a tensor carries the local derivative of the operation along
    it (a number on scalars, a rule such as `grad @ Bᵀ` on tensors), and "+="
    where gradients from several uses add up. Tensors show their `.grad` once
    backward has run. `highlight` takes one `Path` from `gradient_paths`.

    Numbers need the values the graph saved: draw before `backward()`, or call
    `backward(retain_graph=True)`; after a plain `backward()` the rules are shown.

    `grads` (graph key → number, keys as `Var.key`) shows other gradients than `.grad`,
    such as those gathered part-way through a backward pass; `focus` outlines one node
    (a `grad_fn`, or a leaf's AccumulateGrad, which outlines that leaf). The backward
    stepper widget uses both.
    """
    graph = trace(output, names)
    return Drawing(_to_dot(graph, "backward", max_nodes, highlight, grads, focus))


def _to_dot(graph, direction, max_nodes, highlight, grads=None, focus=None):
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    backward = direction == "backward"
    derivatives = Derivatives(graph) if backward else None
    ids = _ids(graph)
    # No gradient flows to a constant, so the backward picture leaves them out.
    items = [item for item in graph.items if not (backward and _is_constant(item) and item is not graph.root)]
    hidden = max(0, len(items) - max_nodes) if max_nodes is not None else 0
    shown = items[:len(items) - hidden]
    visible = {ids[item.index] for item in shown}
    marked_items, marked_edges = _highlighted(graph, highlight) if highlight is not None else (set(), set())
    # Past a few dozen nodes, dot's layout time explodes on long labelled edges (a weight shared
    # by every step of a loop): big drawings take edge labels out of the layout and cap its effort.
    compact = len(shown) > COMPACT_ABOVE
    edge_label = "xlabel" if compact else "label"

    lines = _header(direction, compact)
    for item in shown:
        # An AccumulateGrad is not drawn as a node of its own: its leaf stands for it.
        focused = focus is not None and (item.node is focus if type(item) is Op else item.key is focus)
        lines.append(_node_line(item, ids[item.index], direction, item.index in marked_items or focused, grads))
    if hidden:
        lines.append(
            f'  more [label=<… {hidden} more node{"s" if hidden != 1 else ""}>, shape="note", style="filled,dashed", '
            f'fillcolor="#F9FAFB", color="#9CA3AF", fontcolor="{MUTED}", '
            'tooltip="collapsed: raise max_nodes to see them"];'
        )
    freed, collapsed = False, set()
    for tail, head, key, op, index in _edges(graph):
        if backward and _is_constant(tail):
            continue
        tail_id, head_id = ids[tail.index], ids[head.index]
        attrs, label = {}, None
        if tail_id not in visible or head_id not in visible:  # one dashed edge per node to the folded box
            if tail_id not in visible and head_id not in visible:
                continue
            tail_id, head_id = (tail_id if tail_id in visible else "more"), (head_id if head_id in visible else "more")
            if (tail_id, head_id) in collapsed:
                continue
            collapsed.add((tail_id, head_id))
            attrs["style"] = "dashed"
        elif index is not None:
            label = _input_label(op, index, derivatives) if backward else _position_label(op, index)
            freed = freed or (backward and derivatives.numbers(op)[index] is None and derivatives.freed(op))
        if key in marked_edges:
            attrs.update(color=HIGHLIGHT, fontcolor=HIGHLIGHT, penwidth="2.8")
        if backward:
            tail_id, head_id = head_id, tail_id
        parts = ([f"{edge_label}=<{label}>"] if label else []) + ([attributes(attrs)] if attrs else [])
        lines.append(f"  {tail_id} -> {head_id}" + (f" [{', '.join(parts)}];" if parts else ";"))

    notes = []
    if hidden:
        notes.append(f"Showing the {len(shown)} nodes nearest the output; {hidden} more are collapsed "
                     f"(max_nodes={max_nodes}).")
    if freed:
        notes.append("Some local derivatives show as rules: backward() freed the values they need "
                     "(draw before backward, or use retain_graph=True).")
    if notes:
        lines.append(f'  label=<{"<BR/>".join(escape(note, limit=None) for note in notes)}>;')
        lines.append('  labelloc="b";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _header(direction, compact):
    layout = ' forcelabels="true", nslimit="0.5", nslimit1="0.5", mclimit="0.3",' if compact else ""
    return [
        f"digraph {direction} {{",
        f'  graph [rankdir={"RL" if direction == "backward" else "LR"},{layout} bgcolor="white", pad="0.15", '
        f'nodesep="0.22", ranksep="0.32", fontname="{FONT}", fontsize="10", fontcolor="{MUTED}"];',
        f'  node [fontname="{FONT}", fontsize="12", shape="box", style="rounded,filled", margin="0.12,0.05", '
        f'height="0.3"];',
        f'  edge [fontname="{FONT}", fontsize="10", color="{EDGE}", fontcolor="#374151", arrowsize="0.7"];',
    ]


def _node_line(item, node_id, direction, marked, grads=None):
    if type(item) is Var:
        label, attrs = _var_label(item, grads), dict(VAR_STYLE[item.kind])
        attrs["tooltip"] = _tooltip(item)
    elif direction == "backward":
        label, attrs = escape(short_name(item.node)), dict(OP_STYLE[direction])
        attrs["tooltip"] = short_name(item.node)
    else:
        label, attrs = _forward_op_label(item), dict(OP_STYLE[direction])
        attrs["shape"] = "circle" if len(_symbol(item.node)) <= 2 and not item.hidden_inputs else "ellipse"
        attrs["tooltip"] = short_name(item.node)
    if marked:
        attrs.update(color=HIGHLIGHT, penwidth="2.8")
    return f"  {node_id} [label=<{label}>, {attributes(attrs)}];"


def _edges(graph):
    """Every edge in the forward direction, as (tail, head, key, op, input index or None), in graph order."""
    for op in graph.ops:
        for var in op.outputs:
            yield op, var, ("out", var.index), op, None
        for index, var in enumerate(op.inputs):
            if var is not None:
                yield var, op, ("in", op.index, index), op, index


def _is_constant(item):
    return type(item) is Var and item.kind == "constant"


def _ids(graph):
    """Stable names in graph order: t0 is the output, then tensors and operations as met from it."""
    ids, counts = {}, {"t": 0, "op": 0}
    for item in graph.items:
        prefix = "t" if type(item) is Var else "op"
        ids[item.index] = f"{prefix}{counts[prefix]}"
        counts[prefix] += 1
    return ids


def _highlighted(graph, path):
    """The items and edges of one path, as `_to_dot` keys them."""
    items, edges = set(), set()
    vars = [graph.var_by_key.get(var.key) for var in path.vars]
    if any(var is None for var in vars):
        raise ValueError("highlight: this path does not belong to this graph")
    items.update(var.index for var in vars)
    for var, (node, index) in zip(vars, path.edges):
        op = graph.op_by_node[node]
        items.add(op.index)
        edges.add(("out", var.index))
        edges.add(("in", op.index, index))
    return items, edges


# ------------------------------------------------------------------------------------------ labels
def _var_label(var, grads=None):
    lines = []
    if var.name:
        lines.append(f"<B>{escape(var.name)}</B>")
    lines.append(_value(var) if not var.name else f'<FONT POINT-SIZE="11">{_value(var)}</FONT>')
    if grads is not None:
        given = grads.get(var.key)
        value = None if given is None else number(float(given))
    else:
        grad = var.grad
        value = None if grad is None else (
            number(grad._data.reshape(()).item()) if grad._data.size == 1 and grad._data.ndim == 0 else "…")
    if value is not None:
        lines.append(f'<FONT POINT-SIZE="11" COLOR="{GRAD}">grad={escape(value)}</FONT>')
    return "<BR/>".join(lines)


def _value(var):
    """A scalar's value, else the shape: 0.25, [3, 4]."""
    array, shape = var.array, var.shape
    if array is not None and array.size == 1:
        value = number(array.reshape(()).item())
        return escape(value if array.ndim == 0 else f"{value}  {shape_text(shape)}")
    if shape is None:
        return "tensor"
    return "scalar" if len(shape) == 0 else shape_text(shape)


def _forward_op_label(op):
    symbol = escape(_symbol(op.node))
    label = f'<FONT POINT-SIZE="{15 if len(symbol) <= 2 else 12}">{symbol}</FONT>'
    count = op.hidden_inputs
    if count:
        label += f'<BR/><FONT POINT-SIZE="9" COLOR="{MUTED}">+{count} constant{"s" if count > 1 else ""}</FONT>'
    return label


def _symbol(node):
    """What the node's Function declares (MulBackward0 → ×, PowBackward0 → ** 2), else its name in snake case."""
    symbol = getattr(type(node), "symbol", None)
    if symbol is None:
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", op_name(node)).lower()
    if "{" in symbol:  # filled from the node's own values: PowBackward0 → "** 2"
        try:
            return symbol.format_map(_PlainValues(node))
        except AttributeError:
            return re.sub(r" ?\{\w+\} ?", "", symbol)
    return symbol


class _PlainValues:
    """The node's attributes as the drawing writes numbers, for `str.format_map`."""

    def __init__(self, node):
        self.node = node

    def __getitem__(self, name):
        return plain(getattr(self.node, name))


def _position_label(op, index):
    if not getattr(type(op.node), "ordered_inputs", False) or len(op.inputs) < 2:
        return None
    return f'<FONT POINT-SIZE="9" COLOR="{MUTED}">{_ordinal(index + 1)}</FONT>'


def _ordinal(n):
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _input_label(op, index, derivatives):
    """The local derivative along one edge of the backward picture, with "+=" where gradients add up."""
    var = op.inputs[index]
    factor = derivatives.numbers(op)[index]
    if factor is not None:
        text = escape(number(factor))
    else:
        text = escape(rule(op.node, index))
        out, shape = op.outputs[0].shape if op.outputs else None, var.shape
        broadcasts = getattr(type(op.node), "broadcasts", False)
        if broadcasts and None not in (out, shape) and tuple(out) != tuple(shape):
            text += ", summed"  # the adjoint of broadcasting is a sum
        if not (_is_scalar(out) and _is_scalar(shape)):
            shapes = f"{_shape_or_unknown(out)}→{_shape_or_unknown(shape)}"
            text += f'<BR/><FONT POINT-SIZE="9" COLOR="{MUTED}">{escape(shapes)}</FONT>'
    if var.uses > 1:
        text = f'<FONT COLOR="{GRAD}">+=</FONT> {text}'
    return text


def _shape_or_unknown(shape):
    return shape_text(shape) if shape is not None else "?"


def _is_scalar(shape):
    return shape is not None and int(np.prod(shape)) == 1


def _tooltip(var):
    kind = {"weight": "leaf that requires grad (AccumulateGrad)", "result": "result of an operation",
            "constant": "input that does not require grad"}[var.kind]
    shape = f", shape {shape_text(var.shape)}" if var.shape is not None else ""
    return f"{var.name}: {kind}{shape}" if var.name else f"{kind}{shape}"
