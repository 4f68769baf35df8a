"""Drawing a static graph: placeholders and constants feed operations, left to right."""
from ..tensor import Tensor
from .graph import Symbol, _describe


def _quote(text):
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def graph_to_dot(graph, fetches=None):
    """DOT text for `graph` (only the part `fetches` need, when given)."""
    nodes = graph.nodes
    if fetches is not None:
        from .gradients import _nodes_between

        fetches = [fetches] if isinstance(fetches, Tensor) else list(fetches)
        nodes = _nodes_between(graph, [f for f in fetches if isinstance(f, Symbol)])
    lines = [
        "digraph static_graph {",
        '  rankdir=LR; bgcolor="transparent";',
        '  node [fontname="Helvetica,Arial,sans-serif", fontsize=11];',
        '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, color="#555555"];',
    ]
    ids = {}
    for name, symbol in graph.placeholders.items():
        ids[symbol] = f"p{len(ids)}"
        label = f"{name}\n{symbol.dtype.name}{list(symbol._shape_spec)}"
        lines.append(f'  {ids[symbol]} [label={_quote(label)}, shape=box, style="rounded,filled", fillcolor="#dbeafe"];')
    constants = 0
    for index, node in enumerate(nodes):
        op_id = f"n{index}"
        lines.append(f'  {op_id} [label={_quote(node.op)}, shape=ellipse, style=filled, fillcolor="#f3f4f6"];')
        shown = node.args[:2] if node.op in ("greater", "less", "equal", "not_equal", "less_equal", "greater_equal") else node.args
        for arg in shown:
            if isinstance(arg, Symbol) and arg in ids:
                lines.append(f"  {ids[arg]} -> {op_id};")
            elif isinstance(arg, Tensor) and not isinstance(arg, Symbol):
                const_id = f"c{constants}"
                constants += 1
                lines.append(f'  {const_id} [label={_quote(_describe(arg))}, shape=plaintext, fontcolor="#6b7280"];')
                lines.append(f"  {const_id} -> {op_id};")
        for out in node.outputs:
            ids[out] = f"{op_id}o{node.outputs.index(out)}"
            lines.append(f'  {ids[out]} [label={_quote(out._label)}, shape=box, style=rounded];')
            lines.append(f"  {op_id} -> {ids[out]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_graph(graph, fetches=None):
    """A drawing object (inline SVG in Jupyter) of the static graph."""
    from .. import viz

    return viz.Drawing(graph_to_dot(graph, fetches))
