"""Drawing a static graph: placeholders and constants feed operations, left to right.

`GraphDrawing` gives `Graph` its `to_dot` and `draw`. It reads the graph only through
its public face (`placeholders`, `nodes`, `nodes_for`, `describe`), so this module
needs nothing from the one that builds graphs.
"""
from ..tensor import Tensor


def _quote(text):
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


class GraphDrawing:
    """The drawing half of a static graph."""

    def to_dot(self, fetches=None):
        """The graph in graphviz's DOT language: placeholders, constants and operations (only what `fetches` need)."""
        nodes = self.nodes
        if fetches is not None:
            nodes = self.nodes_for([fetches] if isinstance(fetches, Tensor) else list(fetches))
        lines = [
            "digraph static_graph {",
            '  rankdir=LR; bgcolor="transparent";',
            '  node [fontname="Helvetica,Arial,sans-serif", fontsize=11];',
            '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, color="#555555"];',
        ]
        ids = {}
        for name, symbol in self.placeholders.items():
            ids[symbol] = f"p{len(ids)}"
            label = f"{name}\n{symbol.dtype.name}{list(symbol._shape_spec)}"
            lines.append(f'  {ids[symbol]} [label={_quote(label)}, shape=box, style="rounded,filled", fillcolor="#dbeafe"];')
        constants = 0
        for index, node in enumerate(nodes):
            op_id = f"n{index}"
            lines.append(f'  {op_id} [label={_quote(node.op)}, shape=ellipse, style=filled, fillcolor="#f3f4f6"];')
            for arg in node.args:
                if not isinstance(arg, Tensor):
                    continue
                if arg in ids:  # a placeholder, or the output of a node drawn before this one
                    lines.append(f"  {ids[arg]} -> {op_id};")
                else:
                    const_id = f"c{constants}"
                    constants += 1
                    lines.append(f'  {const_id} [label={_quote(self.describe(arg))}, shape=plaintext, fontcolor="#6b7280"];')
                    lines.append(f"  {const_id} -> {op_id};")
            for out in node.outputs:
                ids[out] = f"{op_id}o{node.outputs.index(out)}"
                lines.append(f'  {ids[out]} [label={_quote(out._label)}, shape=box, style=rounded];')
                lines.append(f"  {op_id} -> {ids[out]};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def draw(self, fetches=None):
        """A drawing of the graph (SVG inline in Jupyter)."""
        from .. import viz  # drawing needs graphviz's renderer, loaded only when a picture is asked for

        return viz.Drawing(self.to_dot(fetches))
