"""A finished drawing: DOT text that Graphviz's `dot` turns into SVG, PNG or PDF.

In Jupyter a `Drawing` shows itself as inline SVG that fits the text column; its
plain-text form is the DOT source, so notebook checks compare what is drawn, not
where `dot` put it. Without `dot` installed, `.source` still works and the notebook
shows the DOT text with the command that installs Graphviz.

In the live book (Pyodide, in the reader's browser) there is no `dot` program:
`render` hands the DOT text to viz-js, Graphviz compiled to WebAssembly, which the
page's startup loads as the JS global `engineViz`.

>>> d = Drawing('digraph { a -> b; }\\n')
>>> d.source
'digraph { a -> b; }\\n'
"""
import hashlib
import html
import re
import shutil
import subprocess
from pathlib import Path

from ..live import in_browser

INSTALL_HINT = (
    "Drawing graphs needs Graphviz's `dot` program, which is not on PATH. Install Graphviz: "
    "`apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz` (macOS) or "
    "`conda install graphviz`. The DOT text is still available as `.source`."
)
BROWSER_HINT = (
    "Drawing graphs in the live book needs its graph renderer (viz-js), which the page's startup "
    "did not load (no `engineViz` in the browser). Reload the page; the DOT text is still available "
    "as `.source`."
)
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
TIMEOUT_S = 60


class GraphvizNotFound(RuntimeError):
    """No Graphviz to draw with: `dot` is not on PATH, or, in the live book, viz-js is not loaded."""


class Drawing:
    """DOT source plus ways to see it: inline in Jupyter, `.svg()`, `.save(path)`."""

    def __init__(self, source):
        self.source = source
        self._svg = None

    def svg(self):
        """The drawing as an SVG element, ready to put in a web page: no XML prolog, scales to its container."""
        if self._svg is None:
            prefix = "g" + hashlib.sha1(self.source.encode("utf-8")).hexdigest()[:8] + "-"
            self._svg = inline_svg(render(self.source, "svg").decode("utf-8"), prefix)
        return self._svg

    def save(self, path):
        """Write the drawing to `path`; the extension picks the format (.svg, .png, .pdf)."""
        path = Path(path)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"save: unknown extension {path.suffix!r}; use one of {', '.join(FORMATS)}")
        path.write_bytes(render(self.source, fmt))
        return path

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            body = self.svg()
        except GraphvizNotFound as error:  # still show something useful: the hint and the DOT text
            body = f"<pre>{html.escape(str(error))}\n\n{html.escape(self.source)}</pre>"
        bundle = {
            # The book typesets math with MathJax; these classes keep it out of the drawing.
            "text/html": f'<div class="engine-viz tex2jax_ignore mathjax_ignore">{body}</div>',
            "text/plain": self.source,
        }
        if include:
            bundle = {key: value for key, value in bundle.items() if key in include}
        if exclude:
            bundle = {key: value for key, value in bundle.items() if key not in exclude}
        return bundle

    def __repr__(self):
        return self.source


def render(source, fmt, timeout=TIMEOUT_S):
    """Run `dot -T<fmt>` on `source` and return its output bytes (in the live book, viz-js's)."""
    if in_browser():
        return render_in_browser(source, fmt)
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFound(INSTALL_HINT)
    try:
        result = subprocess.run([program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"dot -T{fmt} did not finish within {timeout} s: the graph is too big to lay out; draw it with a "
            "smaller max_nodes (the default, 150, lays out in well under a second)"
        ) from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip() or "no message (a crash: is the graph too big?)"
        raise RuntimeError(f"dot -T{fmt} failed with exit status {result.returncode}: {message}")
    return result.stdout


def render_in_browser(source, fmt):
    """viz-js's rendering of `source` under Pyodide: `engineViz.renderString`, synchronous, SVG only."""
    import js  # Pyodide's view of the browser's globals
    from pyodide.ffi import to_js

    if fmt != "svg":
        raise ValueError(f"in the live book a drawing renders as SVG only, not {fmt}; save it as .svg")
    renderer = getattr(js.globalThis, "engineViz", None)
    if renderer is None:
        raise GraphvizNotFound(BROWSER_HINT)
    # A plain JS object, not the Map that to_js makes of a dict by default: viz-js reads options.format.
    options = to_js({"format": "svg"}, dict_converter=js.Object.fromEntries)
    try:
        return renderer.renderString(source, options).encode("utf-8")
    except Exception as error:  # a JsException: viz-js's message names the problem
        raise RuntimeError(f"viz-js could not draw the graph: {error}") from None


_SVG_START = re.compile(r"<svg\b[^>]*>", re.S)


def inline_svg(text, prefix):
    """dot's SVG made fit for a page: prolog and comments gone, width 100% up to its natural size, ids prefixed.

    Two drawings on one page must not share ids: dot numbers them node1, edge1, ...
    in every file, and gradients or clip paths refer to them by `url(#id)`.
    """
    text = text[text.index("<svg"):]
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    start = _SVG_START.match(text).group()
    width = re.search(r'\bwidth="([\d.]+)(pt|px)?"', start)
    size = re.sub(r'\s(width|height)="[^"]*"', "", start)
    style = f"max-width: {width.group(1)}{width.group(2) or 'px'}; height: auto;" if width else "height: auto;"
    text = size[:-1].rstrip() + f' width="100%" style="{style}">' + text[len(start):]
    text = re.sub(r'\bid="([^"]*)"', rf'id="{prefix}\1"', text)
    text = re.sub(r"url\(#([^)]*)\)", rf"url(#{prefix}\1)", text)
    text = re.sub(r'href="#([^"]*)"', rf'href="#{prefix}\1"', text)
    return text.strip() + "\n"
