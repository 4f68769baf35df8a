"""The committed reference run, benchmarks/results.json, for the pages that quote it.

`make bench` writes the file; the book only reads it, so every page quotes the same run.
The keys are documented in benchmarks/README.md ("Reading the results").

    >>> from benchmarks import results
    >>> results.headline("scalar_vs_tensor")  # doctest: +SKIP
"""
import json
from pathlib import Path

PATH = Path(__file__).with_name("results.json")


def load(path=PATH):
    """The whole run as a dict: "machine", "headline", then one entry per benchmark."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def headline(key, path=PATH):
    """One of the run's headline numbers by its stable name, e.g. "scalar_vs_tensor" (about 600)."""
    return load(path)["headline"][key]
