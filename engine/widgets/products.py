"""The matrix product drawn as rows times columns, and an explorer of its shape rule.

`draw_product` draws A, B and A @ B as grids of numbers, with one row of A, one column
of B and the entry of the product they make lit up. `product_shape` asks the engine
what an n×m matrix times an m2×p one gives: its shape, or the exact error.
`ProductExplorer` puts both behind sliders, and `ShapeTable` is its static twin.

>>> product_shape(2, 3, 3, 4)
(True, '2×4')
>>> product_shape(3, 4, 2, 5)
(False, 'RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x4 and 2x5)')
"""
import html
import io

import ipywidgets as widgets

from ..creation import arange, ones
from ..plots import COLOURS

_GREEN, _RED = "#1a7f37", "#c4302b"


def counting_matrix(rows, cols, start=1):
    """A rows×cols matrix holding start, start + 1, ... row by row: every entry tells its place."""
    return (arange(rows * cols) + float(start)).reshape(rows, cols)


def product_shape(n, m, m2, p):
    """(True, "n×p") when an n×m matrix times an m2×p one exists, else (False, the engine's error)."""
    try:
        rows, cols = (ones(n, m) @ ones(m2, p)).shape
    except RuntimeError as error:
        return False, f"RuntimeError: {error}"
    return True, f"{rows}×{cols}"


def draw_product(A, B, row, col):
    """A Figure of A, B and C = A @ B, lighting row `row` of A, column `col` of B and C[row, col]."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    C = A @ B
    panels = [
        ("A", A, lambda i, j: i == row, to_rgba(COLOURS[0], 0.55)),
        ("B", B, lambda i, j: j == col, to_rgba(COLOURS[1], 0.55)),
        ("C = A @ B", C, lambda i, j: (i, j) == (row, col), to_rgba(COLOURS[2], 0.55)),
    ]
    height = max(M.shape[0] for _, M, _, _ in panels)
    widths = [max(M.shape[1], 2) for _, M, _, _ in panels]  # room for a narrow grid's title
    fig, axes = plt.subplots(1, 3, figsize=(7, 1.1 + 0.6 * height), gridspec_kw={"width_ratios": widths})
    for ax, (name, M, lit, colour) in zip(axes, panels):
        n, m = M.shape
        for i in range(n):
            for j in range(m):
                y = height - 1 - i  # row 0 at the top
                face = colour if lit(i, j) else "white"
                ax.add_patch(plt.Rectangle((j, y), 1, 1, facecolor=face, edgecolor="0.35"))
                ax.text(j + 0.5, y + 0.5, f"{M[i, j].item():g}", ha="center", va="center", fontsize=9)
        ax.set_xlim(0, m)
        ax.set_ylim(height - n, height)
        ax.set_aspect("equal")
        ax.set_xticks([j + 0.5 for j in range(m)], labels=range(m))
        ax.set_yticks([height - 0.5 - i for i in range(n)], labels=range(n))
        ax.tick_params(length=0)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(f"{name}   ({n}×{m})", fontsize=10)
    terms = " + ".join(f"{A[row, k].item():g}·{B[k, col].item():g}" for k in range(A.shape[1]))
    fig.suptitle(f"C[{row}, {col}] = row {row} of A · column {col} of B = {terms} = {C[row, col].item():g}",
                 fontsize=10)
    fig.tight_layout()
    return fig


def _coloured(ok, text):
    return f'<span style="color: {_GREEN if ok else _RED}">{html.escape(text)}</span>'


class ShapeTable:
    """The static twin of ProductExplorer: for each (n, m, m2, p), what A @ B gives."""

    def __init__(self, cases):
        self.rows = [(f"{n}×{m}", f"{m2}×{p}", *product_shape(n, m, m2, p)) for n, m, m2, p in cases]

    def __repr__(self):
        return "\n".join(f"{a:>5} @ {b:<5} -> {text}" for a, b, _, text in self.rows)

    def _repr_html_(self):
        style = "padding: 0.25em 1.2em 0.25em 0; text-align: left"
        cells = lambda tag, *texts: "<tr>" + "".join(f'<{tag} style="{style}">{t}</{tag}>' for t in texts) + "</tr>"
        body = [cells("th", "A", "B", "A @ B")]
        body += [cells("td", a, b, _coloured(ok, text)) for a, b, ok, text in self.rows]
        return f'<table class="table">{"".join(body)}</table>'


class ProductExplorer:
    """Sliders for the shapes of A (n×m) and B (m2×p), and for the entry of A @ B to explain.

    The line under the sliders gives the shape of A @ B or the engine's error; when the
    product exists, the picture shows which row of A and column of B make the chosen entry.
    A and B are counting matrices, so every number in the picture says where it came from.
    """

    def __init__(self, n=2, m=3, m2=3, p=2, row=1, col=0, largest=5):
        def slider(name, value, low=1, high=largest):
            return widgets.IntSlider(value=value, min=low, max=high, description=name,
                                     layout=widgets.Layout(width="260px"))

        self.sliders = {name: slider(name, value) for name, value in dict(n=n, m=m, m2=m2, p=p).items()}
        self.sliders["row"] = slider("row", row, low=0, high=n - 1)
        self.sliders["col"] = slider("col", col, low=0, high=p - 1)
        self.result = widgets.HTML()
        self.picture = widgets.Image(format="png")
        for control in self.sliders.values():
            control.observe(self._update, names="value")
        self._update()
        s = self.sliders
        self.widget = widgets.VBox([
            widgets.HBox([s["n"], s["m"]]), widgets.HBox([s["m2"], s["p"]]),
            widgets.HBox([s["row"], s["col"]]), self.result, self.picture,
        ])

    def _update(self, change=None):
        import matplotlib.pyplot as plt

        n, m, m2, p = (self.sliders[name].value for name in ("n", "m", "m2", "p"))
        self.sliders["row"].max, self.sliders["col"].max = n - 1, p - 1  # an entry of an n×p result
        exists, text = product_shape(n, m, m2, p)
        self.result.value = f"A is {n}×{m}, B is {m2}×{p}: A @ B → {_coloured(exists, text)}"
        if not exists:
            self.picture.layout.display = "none"  # no product, nothing to draw
            return
        A, B = counting_matrix(n, m), counting_matrix(m2, p, start=n * m + 1)
        fig = draw_product(A, B, self.sliders["row"].value, self.sliders["col"].value)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=72)
        plt.close(fig)
        self.picture.value = png.getvalue()
        self.picture.layout.display = None

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
