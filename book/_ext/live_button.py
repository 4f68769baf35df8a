"""A "Run this chapter live" button on every chapter page.

It opens the chapter's notebook in the live book, the JupyterLite site that `make book`
builds into lite/ next to the HTML pages (book/_tools/build_lite.py). There the chapter runs
in the reader's browser, on Pyodide, with nothing fetched from another host.
"""

import html
import posixpath

from sphinx.application import Sphinx

LITE_NOTEBOOK = "lite/notebooks/index.html?path={name}"


def add_live_button(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if doctree is None or not str(app.env.doc2path(pagename)).endswith(".ipynb"):
        return
    to_root = "../" * pagename.count("/")
    url = to_root + LITE_NOTEBOOK.format(name=posixpath.basename(pagename) + ".ipynb")
    button = (
        f'<p class="live-book"><a class="live-book-button" href="{html.escape(url)}" '
        'title="Opens this chapter as a notebook that runs in your browser: '
        'Python via WebAssembly, nothing to install">&#9654; Run this chapter live</a></p>\n'
    )
    body = context.get("body", "")
    title_end = body.find("</h1>")
    at = title_end + len("</h1>") if title_end >= 0 else 0
    context["body"] = body[:at] + button + body[at:]


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", add_live_button)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
