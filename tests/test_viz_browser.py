"""engine.viz in the live book: under Pyodide, drawings come from viz-js (`engineViz`), not `dot`.

CPython plays Pyodide here: `sys.platform` says "emscripten" and fake `js` and `pyodide.ffi`
modules stand in for the browser, with an `engineViz` that records what it was asked.
"""
import shutil
import sys
import types

import pytest

import engine as torch
from engine import viz

FAKE_SVG = ('<?xml version="1.0"?>\n<!-- viz-js -->\n<svg width="62pt" height="116pt" viewBox="0 0 62 116">'
            '<g id="graph0"><title>g</title></g></svg>\n')


class FakeViz:
    """viz-js's instance: `renderString(dot, options)` with options a plain object."""

    def __init__(self):
        self.calls = []

    def renderString(self, source, options):
        self.calls.append((source, options.format))
        if "syntax error" in source:
            raise Exception("Error: syntax error in line 1")
        return FAKE_SVG


def fake_to_js(value, dict_converter=None):
    return dict_converter(value.items()) if dict_converter else value


@pytest.fixture
def browser(monkeypatch):
    """Pyodide's view of a page whose startup loaded viz-js as `engineViz`; yields that renderer."""
    renderer = FakeViz()
    js = types.ModuleType("js")
    js.globalThis = types.SimpleNamespace(engineViz=renderer)
    js.Object = types.SimpleNamespace(fromEntries=lambda entries: types.SimpleNamespace(**dict(entries)))
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = types.ModuleType("pyodide.ffi")
    pyodide.ffi.to_js = fake_to_js
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setitem(sys.modules, "pyodide", pyodide)
    monkeypatch.setitem(sys.modules, "pyodide.ffi", pyodide.ffi)
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(shutil, "which", lambda name: pytest.fail("the browser has no dot to look for"))
    yield renderer


def drawing():
    a = torch.tensor(2.0, requires_grad=True)
    return viz.draw_forward(a * a, names={"a": a})


def test_drawings_in_the_browser_come_from_viz_js(browser):
    d = drawing()
    html = d._repr_mimebundle_()["text/html"]
    assert browser.calls == [(d.source, "svg")]
    assert '<g id="g' in html and "<title>g</title>" in html  # viz-js's SVG, made inline like dot's
    assert "<?xml" not in html and "viz-js" not in html and 'width="100%"' in html
    assert d._repr_mimebundle_()["text/plain"] == d.source


def test_the_graph_explorer_draws_through_viz_js(browser):
    from engine.widgets import GraphExplorer

    GraphExplorer(lambda a, b: a * b, a=1.0, b=2.0)
    assert browser.calls and all(fmt == "svg" for _, fmt in browser.calls)


def test_without_engine_viz_the_page_says_so_and_shows_the_dot_text(browser):
    del sys.modules["js"].globalThis.engineViz
    d = drawing()
    with pytest.raises(viz.GraphvizNotFound, match="live book.*did not load"):
        d.svg()
    html = d._repr_mimebundle_()["text/html"]
    assert "did not load" in html and "digraph" in html


def test_only_svg_in_the_browser_and_viz_js_errors_read_plainly(browser, tmp_path):
    with pytest.raises(ValueError, match="SVG only"):
        drawing().save(tmp_path / "graph.png")
    assert drawing().save(tmp_path / "graph.svg").read_text() == FAKE_SVG
    with pytest.raises(RuntimeError, match="viz-js could not draw the graph: .*syntax error"):
        viz.Drawing("digraph { syntax error }").svg()
