"""engine.live: where the chapters run, and myst_nb's glue in a Python without myst_nb (the live book)."""
import sys

import pytest

from engine.live import glue, in_browser


def test_in_browser_follows_the_platform(monkeypatch):
    assert not in_browser()
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert in_browser()


def test_glue_is_myst_nbs_where_the_book_is_built(monkeypatch):
    myst_nb = pytest.importorskip("myst_nb")
    kept = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: kept.append((name, value, display)))
    glue("speedup", 2.5, display=False)
    assert kept == [("speedup", 2.5, False)]


def test_without_myst_nb_glue_only_shows_what_it_is_asked_to(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import fails, as in Pyodide
    glue("hidden", 1.0, display=False)
    glue("shown", 42, display=True)
    assert capsys.readouterr().out == "42\n"
