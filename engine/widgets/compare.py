"""The same cell under the engine and under real torch, side by side.

A snippet is a few lines of code that use the name `torch`. `run_cell` runs one as a
notebook would, with `torch` bound to a library of your choice, and returns what the
cell shows: what it prints, then the repr of its last expression, or the error it
raises. `compare` runs each snippet under the engine now, and under real torch through
`engine.recorded.torch_side`, so torch's side shows (recorded, with its date) where
torch is not installed. `SameCell` is the widget, `ComparisonTable` its static twin.

>>> import engine
>>> run_cell("torch.tensor([1.0, 2.0]) * 2", engine)
'tensor([2., 4.])'
>>> run_cell("torch.ones(2, 3) @ torch.ones(2, 3)", engine)
'RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)'
"""
import ast
import contextlib
import html
import io

import ipywidgets as widgets

from .. import recorded


def run_cell(source, lib):
    """The text a notebook shows for `source` run with `torch` bound to `lib`."""
    body = ast.parse(source).body
    last = body.pop() if body and isinstance(body[-1], ast.Expr) else None
    namespace, printed = {"torch": lib}, io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(ast.Module(body, type_ignores=[]), "<cell>", "exec"), namespace)
            value = None if last is None else eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    except Exception as error:  # the cell shows the error; so does the comparison
        return printed.getvalue() + f"{type(error).__name__}: {error}"
    return printed.getvalue() + ("" if value is None else repr(value))


class Comparison:
    """One snippet: its `source`, the engine's output, and `torch`, real torch's side (a TorchSide)."""

    def __init__(self, name, source, engine, torch):
        self.name, self.source, self.engine, self.torch = name, source, engine, torch

    @property
    def same(self):
        return self.engine == self.torch.value


def compare(snippets, lib, key_prefix, path=recorded.RECORD_FILE):
    """A Comparison per snippet (`snippets` maps a name to its source); torch's side keyed `key_prefix + name`."""
    def torch_output(source):
        return lambda torch: run_cell(source, torch)

    return [
        Comparison(name, source, run_cell(source, lib),
                   recorded.torch_side(key_prefix + name, torch_output(source), path=path))
        for name, source in snippets.items()
    ]


def _pre(text):
    return f"<pre style='margin:0;white-space:pre-wrap'>{html.escape(text)}</pre>"


def _verdict(comparison):
    return "same text" if comparison.same else "<b>different</b>"


class ComparisonTable:
    """The static twin of SameCell: every snippet with both outputs, and whether they agree."""

    def __init__(self, comparisons):
        self.comparisons = comparisons

    def __repr__(self):
        blocks = [
            f"{c.name} ({'same' if c.same else 'different'}):\n  {c.source.replace(chr(10), chr(10) + '  ')}\n"
            f"  engine -> {c.engine}\n  torch  -> {c.torch.value}"
            for c in self.comparisons
        ]
        return "\n".join(blocks + [f"torch: {self.comparisons[0].torch.describe()}"])

    def _repr_html_(self):
        style = "padding:0.3em 1em 0.3em 0;text-align:left;vertical-align:top"
        head = "".join(f"<th style='{style}'>{h}</th>" for h in ("snippet", "engine", "real PyTorch", ""))
        rows = "".join(
            "<tr>" + "".join(f"<td style='{style}'>{cell}</td>" for cell in
                             (_pre(c.source), _pre(c.engine), _pre(c.torch.value), _verdict(c))) + "</tr>"
            for c in self.comparisons
        )
        note = html.escape(self.comparisons[0].torch.describe())
        return f"<table class='engine-widget-table'><tr>{head}</tr>{rows}</table><p><small>{note}</small></p>"


class SameCell:
    """Pick a snippet; see its code, then the engine's output beside real torch's."""

    def __init__(self, comparisons):
        self.comparisons = {c.name: c for c in comparisons}
        self.choice = widgets.Dropdown(options=list(self.comparisons), description="snippet")
        self.panel = widgets.HTML()
        self.choice.observe(self._show, names="value")
        self._show()
        self.widget = widgets.VBox([self.choice, self.panel])

    def _show(self, change=None):
        c = self.comparisons[self.choice.value]
        cell = "padding:0.3em 1.5em 0.3em 0;vertical-align:top"
        self.panel.value = (
            f"{_pre(c.source)}<table><tr><th style='{cell}'>engine</th><th style='{cell}'>real PyTorch</th></tr>"
            f"<tr><td style='{cell}'>{_pre(c.engine)}</td><td style='{cell}'>{_pre(c.torch.value)}</td></tr></table>"
            f"<p>{_verdict(c)} <small>({html.escape(c.torch.describe())})</small></p>"
        )

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
