"""The live book: each chapter, opened from _build/html/lite, runs in headless chromium.

This is what a reader gets from "Run this chapter live": JupyterLite, the Pyodide kernel,
the engine and the chapter's packages, all loaded from the book's own site. Requests to
any host but 127.0.0.1 are refused and counted as failures. Each chapter runs all its
cells, and no cell may end in an error. The cold start (page to a ready kernel) and the
run time of each chapter are printed at the end of the run (tests/conftest.py).

JupyterLite's Run All stops at the first error, and some cells raise on purpose (tagged
`raises-exception`, as for nbval and the book build); so the test runs the cells one by
one, with Shift+Enter, and only those tagged cells may end in an error.

A second test opens Chapter 6 live, drags a slider of its GraphExplorer, and checks that
the graph is drawn again and that the gradient table holds the new point's values.

The tests reuse `make book`'s build, and skips when the live site or chromium is absent.
"""

import functools
import json
import http.server
import re
import threading
import time
from pathlib import Path

import pytest

from test_book_browser import QuietHandler, browser  # noqa: F401 (browser: the fixture, shared)

ROOT = Path(__file__).resolve().parents[1]
LITE = ROOT / "_build" / "html" / "lite"
CHAPTERS = sorted(path.name for path in (ROOT / "book").glob("*.ipynb"))
KERNEL_READY_S = 240
CHAPTER_RUN_S = 600

KERNEL_IDLE = """() => {
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const name = document.querySelector('.jp-KernelName');
    return status && name && /Pyodide/.test(name.innerText) && status.dataset.status === 'idle';
}"""
# The kernel is idle and no cell waits to run ([*]), at two polls in a row.
SETTLED = """() => {
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const waiting = [...document.querySelectorAll('.jp-InputPrompt')].some(p => p.innerText.includes('*'));
    const done = status && status.dataset.status === 'idle' && !waiting;
    window.__liveDone = done ? (window.__liveDone || 0) + 1 : 0;
    return window.__liveDone >= 2;
}"""
ERRORS = """() => [...document.querySelectorAll('.jp-CodeCell')].flatMap((cell, i) =>
    [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map(out => out.innerText)
        .filter(text => /Traceback|Error:/.test(text))
        .map(text => [i, text.slice(-600)]))"""
# (Shift+Enter on the last cell adds an empty one, which does not count.)
UNRUN = """() => [...document.querySelectorAll('.jp-CodeCell')]
    .filter(cell => cell.querySelector('.jp-InputArea-editor').innerText.trim() !== '')
    .filter(cell => !/\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt').innerText)).length"""


@pytest.fixture(scope="module")
def server(browser):
    """The live site as `make serve` serves it; `make test` has built it just before."""
    if not (LITE / "notebooks" / "index.html").is_file():
        pytest.skip("the live book is not built: run `make book`")
    handler = functools.partial(QuietHandler, directory=str(LITE.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def cells_that_raise(chapter: str) -> set[int]:
    code = [cell for cell in json.loads((ROOT / "book" / chapter).read_text(encoding="utf-8"))["cells"]
            if cell["cell_type"] == "code"]
    return {i for i, cell in enumerate(code) if "raises-exception" in cell["metadata"].get("tags", [])}


def open_live(browser, server, chapter):
    """A page with `chapter` open live and its kernel ready; returns (context, page, refused, seconds)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("data:", "blob:", server + "/")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    start = time.monotonic()
    page.goto(f"{server}/lite/notebooks/index.html?path={chapter}")
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_READY_S * 1000, polling=500)
    page.locator(".jp-Cell").first.click()
    page.keyboard.press("Escape")
    return context, page, refused, time.monotonic() - start


def run_cells(page, count):
    """Shift+Enter `count` times from the selected cell, each time waiting until the kernel settles."""
    for _ in range(count):
        page.keyboard.press("Shift+Enter")
        page.evaluate("() => { window.__liveDone = 0; }")
        page.wait_for_function(SETTLED, timeout=CHAPTER_RUN_S * 1000, polling=200)


def notebook_cells(chapter: str) -> list[dict]:
    return json.loads((ROOT / "book" / chapter).read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_live(browser, server, chapter, record_property):
    context, page, refused, cold_start = open_live(browser, server, chapter)
    try:
        start = time.monotonic()
        run_cells(page, page.locator(".jp-Cell").count())
        timing = f"{chapter}: cold start {cold_start:.1f} s, all cells {time.monotonic() - start:.1f} s"
        record_property("live_book", timing)
        print("\n" + timing)
        expected = cells_that_raise(chapter)
        assert [f"cell {i + 1}: {text}" for i, text in page.evaluate(ERRORS) if i not in expected] == []
        assert page.evaluate(UNRUN) == 0, "some cells did not run"
        assert refused == [], "requests to another host"
    finally:
        context.close()


def test_slider_redraws_the_graph_live(browser, server, record_property):
    """Chapter 6's GraphExplorer, live: moving a slider redraws the graph and its gradient table."""
    chapter = "autograd.ipynb"
    cells = notebook_cells(chapter)
    explorer = next(i for i, cell in enumerate(cells)
                    if cell["cell_type"] == "code" and "GraphExplorer(" in "".join(cell["source"]))
    code_index = sum(cell["cell_type"] == "code" for cell in cells[:explorer])
    context, page, refused, _ = open_live(browser, server, chapter)
    try:
        run_cells(page, explorer + 1)
        cell = page.locator(".jp-CodeCell").nth(code_index)
        summary, picture = cell.locator(".widget-html-content").nth(0), cell.locator(".widget-html-content").nth(1)
        assert "<svg" in picture.inner_html(), "the graph is not drawn"
        before = summary.inner_text(), picture.inner_html()
        readout = cell.locator(".widget-readout").first.inner_text()
        cell.locator(".noUi-handle").first.scroll_into_view_if_needed()
        handle = cell.locator(".noUi-handle").first.bounding_box()  # w's slider
        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 60, y, steps=6)
        page.mouse.up()
        page.wait_for_function(
            "([cell, text]) => cell.querySelector('.widget-html-content').innerText !== text",
            arg=[cell.element_handle(), before[0]], timeout=30_000)
        after = summary.inner_text(), picture.inner_html()
        w = float(cell.locator(".widget-readout").first.inner_text())
        record_property("live_book", f"autograd.ipynb: GraphExplorer's slider w dragged from {readout} to {w}")
        assert w > float(readout)
        assert after[1] != before[1] and "<svg" in after[1], "the graph was not redrawn"
        # The table now holds the new point's loss (wx - y)² and gradient 2(wx - y)x, at x = 2, y = 4.
        output = float(re.search(r"output = (\S+)", after[0]).group(1))
        gradient = float(re.search(r"^w\s+\S+\s+(\S+)", after[0], re.M).group(1))
        assert output == pytest.approx((2 * w - 4) ** 2, rel=1e-3)
        assert gradient == pytest.approx(2 * (2 * w - 4) * 2, rel=1e-3)
        assert refused == [], "requests to another host"
    finally:
        context.close()
