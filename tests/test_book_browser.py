"""Open every page of the built book in a real browser and check what a reader sees.

The book is built by `make book` (a no-op when the build is newer than every source
file), served from _build/html on 127.0.0.1, and each page is opened in headless
Chromium. A page passes when it raises no JavaScript error, every request it makes is
answered by our own server (nothing from another host), every image loads, its formulas
are typeset by the self-hosted MathJax, its embedded widgets are drawn by the
self-hosted widget manager, and its drawings are visible and fit the text column.
A full-page screenshot of each page is written to tests/screenshots/.

Needs Debian's chromium (`sudo make system-deps`, or `sudo apt-get install chromium`)
and the playwright Python package (in requirements.txt); without them the tests skip.
"""

import fcntl
import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
# Pages Sphinx writes besides the chapters; they load the same theme, so check them too.
GENERATED_PAGES = ["genindex", "search"]
HOW_TO_ENABLE = "install it with `sudo make system-deps` (or `sudo apt-get install chromium`)"


def toc_docnames(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Every `file:` of the table of contents, root first, in reading order."""
    toc = yaml.safe_load(toc_file.read_text())
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(str(node["file"]).removesuffix(".md").removesuffix(".ipynb"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return names


PAGES = toc_docnames() + GENERATED_PAGES


def chromium_path() -> str | None:
    candidates = [os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The HTML book, rebuilt first by make only when a source is newer than the build."""
    if shutil.which("make") is None:
        pytest.skip("`make` is not installed, so the book cannot be built")
    (ROOT / "_build").mkdir(exist_ok=True)
    # One build at a time, even when several pytest workers ask for it.
    with open(ROOT / "_build" / ".browser-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["make", "--no-print-directory", "book"], cwd=ROOT, check=True)
    return HTML


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".woff2": "font/woff2", ".woff": "font/woff"}

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def server(built_book):
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: run `make venv`")
    executable = chromium_path()
    if executable is None:
        pytest.skip(f"chromium is not installed: {HOW_TO_ENABLE}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, server):
    """Open a page of the book, recording every problem a reader would meet."""
    contexts = []

    def open_(path: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        contexts.append(context)
        problems: list[str] = []

        def only_local(route):
            url = urlsplit(route.request.url)
            if url.scheme in ("data", "blob") or url.hostname == "127.0.0.1":
                route.continue_()
            else:
                problems.append(f"request to another host: {route.request.url}")
                route.abort()

        context.route("**/*", only_local)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("console", lambda msg: msg.type == "error" and problems.append(f"console error: {msg.text}"))
        page.on("requestfailed", lambda req: problems.append(f"failed request: {req.url} ({req.failure})"))
        page.on("response", lambda resp: resp.status >= 400 and problems.append(f"HTTP {resp.status}: {resp.url}"))
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        return page, problems

    yield open_
    for context in contexts:
        context.close()


# JavaScript run in the page. Each returns a list of problems (empty when all is well).

WAIT_FOR_IMAGES = """async () => {
    const images = Array.from(document.images);
    images.forEach(img => { img.loading = 'eager'; });
    await Promise.all(images.map(img => img.decode().catch(() => null)));
}"""

BROKEN_IMAGES = """() => Array.from(document.images)
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => `image did not load: ${img.currentSrc || img.src}`)"""

HAS_MATH = "() => document.querySelectorAll('article .math').length > 0"

MATH_TYPESET = """async () => {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
        return ['the page has formulas but MathJax did not load'];
    }
    await MathJax.startup.promise;
    return Array.from(document.querySelectorAll('article .math'))
        .filter(el => !el.querySelector('mjx-container'))
        .map(el => `formula not typeset: ${el.textContent.trim().slice(0, 80)}`);
}"""

# TeX delimiters left in the text a reader sees (outside code, scripts and typeset math).
RAW_TEX = """() => {
    const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
    const walker = document.createTreeWalker(document.querySelector('article') || document.body,
                                             NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(skip)) continue;
        const text = node.textContent;
        for (const mark of ['$$', '\\\\(', '\\\\[', '\\\\begin{']) {
            if (text.includes(mark)) found.push(`raw TeX (${mark}) in text: ${text.trim().slice(0, 80)}`);
        }
    }
    return found;
}"""

HAS_WIDGET_STATE = """() =>
    document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').length > 0"""

WIDGETS_RENDERED = """() => {
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    const drawn = Array.from(views).filter(view => {
        const area = view.previousElementSibling;
        return area && area.classList.contains('widget-subarea')
            && area.querySelector('.jupyter-widgets, [class*="widget-"]');
    });
    return views.length > 0 && drawn.length === views.length;
}"""

DRAWINGS = """() => {
    // The text column: the article on a chapter, the content area on search and index pages.
    const article = document.querySelector('article.bd-article') || document.querySelector('.bd-article-container');
    if (!article) return ['no text column found on the page'];
    const column = article.getBoundingClientRect();
    const hidden = el => {
        for (let node = el; node && node !== document; node = node.parentNode) {
            if (node.nodeType !== 1) continue;
            if (getComputedStyle(node).display === 'none') return true;
            if (node.tagName === 'DETAILS' && !node.open && node !== el) return true;
            // a collapsed dropdown (an exercise's solution): sphinx-togglebutton hides it until opened
            if (node.classList.contains('toggle-hidden') && node !== el) return true;
        }
        return false;
    };
    // Drawings: inline SVG and images in the text, not the theme's icons and buttons.
    const drawings = Array.from(article.querySelectorAll('svg, img'))
        .filter(el => !el.parentElement.closest('svg, button, .headerlink, .copybtn, .widget-subarea'));
    const problems = [];
    for (const el of drawings) {
        if (hidden(el)) continue;
        const box = el.getBoundingClientRect();
        const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.src ? ' ' + el.src : '');
        if (box.width < 1 || box.height < 1 || getComputedStyle(el).visibility === 'hidden') {
            problems.push(`drawing not visible: ${name}`);
        } else if (box.width > column.width + 1 || box.right > column.right + 1) {
            problems.push(`drawing wider than the text column (${Math.round(box.width)} px > `
                          + `${Math.round(column.width)} px): ${name}`);
        }
    }
    return problems;
}"""


def test_every_built_page_is_checked(built_book):
    """Each HTML page of the build is in the toc (so it gets opened below)."""
    built = {
        path.relative_to(built_book).with_suffix("").as_posix()
        for path in built_book.rglob("*.html")
        # lite/ is the live book, JupyterLite's own pages (tests/test_live_book.py)
        if path.relative_to(built_book).parts[0] not in ("_static", "_sources", "_images", "lite")
    }
    built.discard("index")  # a redirect to the root page, checked on its own below
    assert sorted(built - set(PAGES)) == [], "pages built but not opened by this test"
    assert sorted(set(PAGES) - built) == [], "pages in the toc that were not built"


def test_index_redirects_to_the_root_page(open_page):
    page, problems = open_page("index.html")
    page.wait_for_url(f"**/{toc_docnames()[0]}.html")
    assert problems == []


@pytest.mark.parametrize("docname", PAGES)
def test_page(docname, open_page):
    page, problems = open_page(f"{docname}.html")

    page.evaluate(WAIT_FOR_IMAGES)
    problems += page.evaluate(BROKEN_IMAGES)
    if page.evaluate(HAS_MATH):
        problems += page.evaluate(MATH_TYPESET)
    problems += page.evaluate(RAW_TEX)
    if page.evaluate(HAS_WIDGET_STATE):
        try:
            page.wait_for_function(WIDGETS_RENDERED, timeout=15_000)
        except Exception:
            problems.append("the page embeds widget state but its widgets were not drawn")
    problems += page.evaluate(DRAWINGS)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{docname.replace('/', '__')}.png", full_page=True)

    assert problems == [], f"{docname}.html:\n  " + "\n  ".join(problems)
