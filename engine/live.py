"""Whether this Python is the live book's: Pyodide, running in the reader's browser.

The live book runs each chapter in a WebAssembly Python (Pyodide) inside the browser.
There `engine.viz` draws with viz-js instead of Graphviz's `dot` program, and chapters
whose cells take seconds here choose smaller settings:
`EPOCHS = 5 if in_browser() else 20`.
"""
import sys


def in_browser():
    """True under Pyodide (`sys.platform == "emscripten"`), the kernel of the live book."""
    return sys.platform == "emscripten"


def glue(name, value, display=True):
    """myst_nb's `glue`: keep `value` under `name` for the built book's prose to quote.

    The live book has no myst_nb, and no prose to fill in: there it only shows the
    value, and only when `display` asks for it.
    """
    try:
        from myst_nb import glue as keep
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    keep(name, value, display=display)
