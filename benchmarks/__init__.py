"""Benchmarks of the engine against real torch and against hand-written NumPy (see README.md).

Each module exposes `measure(...) -> dict`; `run.py` runs them all and writes the
reference run into results.json (and a summary into README.md); `results.py` reads it
back for the book. Importing this package before NumPy asks BLAS for a
single thread (the environment variables only count before NumPy loads); the
measure() functions also limit threads themselves while they run.
"""
import sys

from . import timing

if "numpy" not in sys.modules:
    timing.single_thread_env()
