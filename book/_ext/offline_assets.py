"""Keep the HTML book self-contained: every page loads only files of the book itself.

Two checks, both cheap, both at build time (the browser test checks the same thing
again in a real browser):

* before the build, the self-hosted MathJax and widget manager that `_config.yml`
  points to must exist (they are copied from npm packages by `make vendor`);
* for every page, no script, stylesheet or embedded resource may come from another
  host. Such a reference is reported as a warning, which `-W` turns into an error.
"""

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
# src=, srcset=, poster= and data= attributes, and CSS url(), that leave the site.
REMOTE_IN_BODY = re.compile(
    r"""(?:\b(?:src|srcset|poster|data)\s*=\s*["']?|url\(\s*["']?)((?:https?:)?//[^\s"'()>]+)""",
    re.IGNORECASE,
)


def _static_dirs(app: Sphinx) -> list[Path]:
    return [Path(app.confdir, path) for path in app.config.html_static_path]


def check_vendored_files(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    wanted = [app.config.mathjax_path, *getattr(app.config, "nb_ipywidgets_js", {})]
    for asset in wanted:
        if REMOTE.match(asset):
            raise ConfigError(f"{asset!r} is loaded from another host; the book must host it itself.")
        if not any((static / asset).is_file() for static in _static_dirs(app)):
            raise ConfigError(
                f"{asset!r} is missing from html_static_path. "
                "Run `make vendor` to install the self-hosted browser assets."
            )


def check_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    for key in ("script_files", "css_files"):
        for asset in context.get(key, []):
            name = getattr(asset, "filename", asset)
            if name and REMOTE.match(str(name)):
                logger.warning(
                    "page loads %s from another host: %s", key.split("_")[0], name,
                    location=pagename, type="offline_assets",
                )
    for match in REMOTE_IN_BODY.finditer(context.get("body") or ""):
        logger.warning(
            "page embeds a resource from another host: %s", match.group(1),
            location=pagename, type="offline_assets",
        )


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", check_vendored_files)
    # Late priority: run after MathJax, myst-nb and the theme have added their files.
    app.connect("html-page-context", check_page_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
