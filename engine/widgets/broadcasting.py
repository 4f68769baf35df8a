"""Broadcasting: pick two shapes and see them lined up from the right, then the sum's shape or the error.

The report adds two tensors of zeros of the chosen shapes with the engine itself, so
what it shows is exactly what the engine (and PyTorch) does, error message included.

>>> "torch.Size([4, 3])" in broadcast_report((4, 1), (3,))
True
"""
import html

import ipywidgets as widgets

from ..creation import zeros

CLASH = "#fde2e1"
SIZES = [("—", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4)]  # "—" (0) leaves the dimension out


def broadcast_report(shape_a, shape_b):
    """HTML: two shapes lined up from the right, clashing sizes shaded, then a + b's shape or the error."""
    try:
        result = (zeros(shape_a) + zeros(shape_b)).shape
        verdict = f"<code>(a + b).shape</code> is <code>{html.escape(str(result))}</code>"
    except RuntimeError as error:
        result = None
        verdict = f"<code style='color:#b00020'>RuntimeError: {html.escape(str(error))}</code>"
    width = max(len(shape_a), len(shape_b), 1)
    a, b = [(None,) * (width - len(s)) + tuple(s) for s in (shape_a, shape_b)]
    clash = [None not in (m, n) and 1 not in (m, n) and m != n for m, n in zip(a, b)]

    def row(name, sizes):
        cells = "".join(
            f"<td class='{'clash' if bad else 'fits'}' style='{f'background:{CLASH};' if bad else ''}"
            f"padding:0 0.8em'>{'' if n is None else n}</td>"
            for n, bad in zip(sizes, clash))
        return f"<tr><th style='text-align:left'>{name}</th>{cells}</tr>"

    rows = row("a", a) + row("b", b)
    if result is not None:
        rows += row("a + b", tuple(result) or (None,))
    return f"<table style='font-family:monospace;text-align:right'>{rows}</table><p>{verdict}</p>"


class BroadcastExplorer:
    """One dropdown per dimension of `a` and of `b` (up to three each); the report follows.

    The first report is written before display, so the HTML book (which has no kernel)
    shows it.
    """

    def __init__(self, shape_a=(4, 1), shape_b=(3,), dims=3):
        self.picks = {name: self._picker(shape, dims) for name, shape in (("a", shape_a), ("b", shape_b))}
        self.report = widgets.HTML()
        self.update()
        for dropdown in self.picks["a"] + self.picks["b"]:
            dropdown.observe(lambda change: self.update(), names="value")
        rows = [widgets.HBox([widgets.Label(f"shape of {name}", layout={"width": "7em"}), *picks])
                for name, picks in self.picks.items()]
        self.widget = widgets.VBox([*rows, self.report])

    @staticmethod
    def _picker(shape, dims):
        sizes = (0,) * (dims - len(shape)) + tuple(shape)
        return [widgets.Dropdown(options=SIZES, value=n, layout={"width": "4.5em"}) for n in sizes]

    @property
    def shapes(self):
        """The chosen shapes of a and b, leaving out the dimensions set to "—"."""
        return tuple(tuple(p.value for p in self.picks[name] if p.value) for name in "ab")

    def update(self):
        self.report.value = broadcast_report(*self.shapes)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
