"""The API reference lists every public name by hand; these tests keep it complete.

The page (book/api_reference.md) groups names for reading, so nothing generates the list.
A name added to `engine.__all__` or to `Tensor` but not to the page would be missing from
the book without any warning from Sphinx; these tests catch that.
"""
import pathlib
import re

import engine

PAGE = pathlib.Path(__file__).resolve().parents[1] / "book" / "api_reference.md"
DIRECTIVE = re.compile(r"^\.\. (py:currentmodule|auto\w+):: ([\w.]+)", re.MULTILINE)


def documented_names():
    """Fully qualified names of everything the page documents (`engine.Tensor.add`, ...)."""
    module, names = "engine", set()
    for kind, target in DIRECTIVE.findall(PAGE.read_text()):
        if kind == "py:currentmodule":
            module = target
        elif kind == "automodule":
            names.add(target)
        elif target.startswith("engine."):
            names.add(target)
        else:
            names.add(f"{module}.{target}")
    return names


def mentioned(name, documented, text):
    """Data (the dtypes) and submodules are documented in prose and tables, not by a directive."""
    qualified = f"engine.{name}"
    return (
        qualified in documented
        or f"`{qualified}`" in text
        or any(other.startswith(qualified + ".") for other in documented)
    )


def public_tensor_members():
    """Tensor's public attributes that the engine defines (not those inherited from object)."""
    return {
        name for name in dir(engine.Tensor)
        if not name.startswith("_") and not hasattr(object, name)
    }


def test_every_top_level_name_is_documented():
    documented, text = documented_names(), PAGE.read_text()
    missing = sorted(name for name in engine.__all__ if not mentioned(name, documented, text))
    assert not missing, f"add these to book/api_reference.md: {missing}"


def test_every_tensor_member_is_documented():
    documented = documented_names()
    missing = sorted(name for name in public_tensor_members() if f"engine.Tensor.{name}" not in documented)
    assert not missing, f"add these Tensor members to book/api_reference.md: {missing}"


def test_the_page_documents_nothing_that_does_not_exist():
    """A stale entry would fail the build too; here it fails with the name in the message."""
    import importlib

    stale = []
    for name in sorted(documented_names()):
        parts = name.split(".")
        for split in range(len(parts), 0, -1):
            try:
                target = importlib.import_module(".".join(parts[:split]))
            except ImportError:
                continue
            break
        try:
            for attribute in parts[split:]:
                target = getattr(target, attribute)
        except AttributeError:
            stale.append(name)
    assert not stale, f"remove or rename these entries: {stale}"
