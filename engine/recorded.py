"""Comparisons with real PyTorch that still show where PyTorch is not installed.

The book compares the engine with real torch, but readers build it and run it in their
browser without torch. So each comparison's torch side is recorded, once, by a run that
has torch (`make notebooks` and `make bench` set ENGINE_RECORD_TORCH=1), into a JSON file
kept with the book. Every other run shows the recording, with its date and versions:

>>> import engine
>>> side = torch_side("demo/sum", lambda torch: torch.arange(4.0).sum().item())  # doctest: +SKIP
>>> side.value, side.describe()  # doctest: +SKIP
(6.0, 'real PyTorch 2.13.0+cpu, recorded 2026-12-04 (Python 3.11.7, numpy 2.4.6)')

A run that has torch but is not recording computes the torch side again and checks it
against the recording (when `check` is true), so a recording never silently goes stale.
"""
import datetime
import importlib.util
import json
import math
import os
import platform
from pathlib import Path

import numpy as np

RECORD_FILE = "torch_record.json"  # next to the notebooks: they run from their own folder
RECORDING = "ENGINE_RECORD_TORCH"


class TorchSide:
    """What real torch gave for one comparison: `value`, and where and when it was measured."""

    def __init__(self, value, versions, date, live):
        self.value, self.versions, self.date, self.live = value, versions, date, live

    def describe(self):
        others = ", ".join(f"{name} {version}" for name, version in sorted(self.versions.items()) if name != "torch")
        return f"real PyTorch {self.versions['torch']}, recorded {self.date} ({others})"

    def __repr__(self):
        return f"<TorchSide {self.value!r}: {self.describe()}>"


def torch_side(key, compute, *, check=True, rtol=1e-6, path=RECORD_FILE):
    """The torch side of comparison `key`: `compute(torch)` where torch is installed, else the recording.

    `compute` returns numbers, strings, or lists and dicts of them. `check=False` for what
    differs from run to run (timings): then a run with torch shows the recording unchecked.
    """
    path = Path(path)
    records = _read(path)
    if importlib.util.find_spec("torch") is None:
        if key not in records:
            raise LookupError(
                f"no recording of {key!r} in {path.resolve()}, and real torch is not installed: run "
                "`make notebooks` on a machine with torch (pip install torch==2.13.0) to record it"
            )
        return _side(records[key], live=False)
    import torch

    value = _plain(compute(torch))
    if os.environ.get(RECORDING) == "1" or key not in records:
        records[key] = {"value": value, "versions": _versions(torch), "date": datetime.date.today().isoformat()}
        _write(path, records)
        return _side(records[key], live=True)
    recorded = records[key]
    if check and not _close(value, recorded["value"], rtol):
        raise AssertionError(
            f"real torch now gives {value!r} for {key!r}, but the recording says {recorded['value']!r}: "
            "run `make notebooks` to record it again"
        )
    return _side(recorded, live=True)


def _side(record, live):
    return TorchSide(record["value"], record["versions"], record["date"], live)


def _versions(torch):
    return {"torch": torch.__version__, "numpy": np.__version__, "Python": platform.python_version()}


def _plain(value):
    """`value` as JSON keeps it: tuples become lists, NumPy scalars become Python numbers."""
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else list(v)))


def _close(new, old, rtol):
    if isinstance(new, dict) and isinstance(old, dict):
        return new.keys() == old.keys() and all(_close(new[k], old[k], rtol) for k in new)
    if isinstance(new, list) and isinstance(old, list):
        return len(new) == len(old) and all(_close(a, b, rtol) for a, b in zip(new, old))
    if isinstance(new, float) or isinstance(old, float):
        return math.isclose(new, old, rel_tol=rtol, abs_tol=1e-12) or (math.isnan(new) and math.isnan(old))
    return new == old


def _read(path):
    return json.loads(path.read_text()) if path.exists() else {}


def _write(path, records):
    path.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n")
