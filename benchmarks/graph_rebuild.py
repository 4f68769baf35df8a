"""Rebuilding the graph every step against replaying it: the measurement Chapter 7 shows.

The chapter "Dynamic versus static graphs" (book/dynamic_vs_static.ipynb) calls
`measure()` and prints `table(...)` and `figure(...)` of its rows. The models, the two
contestants (eager: run the loss and `backward()`; replay: `graph.run` of a static
graph built once) and the timing rules are those of `static_replay.py`, which
`make bench` runs at length. This module runs it briefly, because the chapter is
executed on every build, and `reference()` reads the committed full run back from
results.json, so the page can set its own run beside the reference one.

    >>> from benchmarks import graph_rebuild
    >>> rows = graph_rebuild.measure(rounds=3)  # doctest: +SKIP
    >>> print(graph_rebuild.table(rows, graph_rebuild.reference()[0]))  # doctest: +SKIP
"""
import json
from pathlib import Path

from benchmarks import static_replay

RESULTS = Path(__file__).with_name("results.json")
MODELS = static_replay.MODELS


def measure(rounds=7, models=MODELS):
    """Rows measured here and now: `rounds` interleaved rounds per model (static_replay's rules)."""
    return rows(static_replay.measure(repeats=rounds, models=models))


def reference(path=RESULTS):
    """(rows, machine) of the full run that `make bench` committed to results.json."""
    with open(path) as handle:
        results = json.load(handle)
    return rows(results["static_replay"]), results["machine"]


def rows(result):
    """{model: row} from a static_replay result; times are CPU µs per step, medians."""
    table_rows = {}
    for name, model in result["models"].items():
        eager, replay = (model["contestants"][k]["median_cpu_seconds"] * 1e6 for k in ("eager", "replay"))
        build = model["build"]["median_cpu_seconds"] * 1e6
        table_rows[name] = {
            "parameters": model["parameters"],
            "eager_us": eager,
            "replay_us": replay,
            "ratio": model["ratios"]["eager/replay"]["cpu"],
            "build_us": build,
            "build_in_eager_steps": build / eager,
        }
    return table_rows


def table(measured, reference_rows=None):
    """The rows as text; with `reference_rows`, the reference run's ratio in a last column."""
    header = f"{'CPU µs':7} {'parameters':>10} {'eager':>9} {'replay':>9} {'eager ÷ replay':>15} {'build once':>11}"
    if reference_rows is not None:
        header += f" {'reference':>10}"
    lines = [header]
    for name, row in measured.items():
        line = (f"{name:7} {row['parameters']:10,} {row['eager_us']:9.1f} {row['replay_us']:9.1f} "
                f"{row['ratio']:15.2f} {row['build_us']:11.1f}")
        if reference_rows is not None:
            line += f" {reference_rows[name]['ratio']:10.2f}"
        lines.append(line)
    return "\n".join(lines)


def figure(measured):
    """Per-step CPU time of both contestants (log scale), and their ratio, per model."""
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(measured)
    positions = np.arange(len(names))
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for offset, kind in [(-0.2, "eager"), (0.2, "replay")]:
        left.bar(positions + offset, [measured[n][f"{kind}_us"] for n in names], width=0.4, label=kind)
    left.set_yscale("log")
    left.set_xticks(positions, names)
    left.set_ylabel("CPU µs per step (log scale)")
    left.set_title("One step: loss and gradients")
    left.legend(frameon=False)
    right.bar(positions, [measured[n]["ratio"] for n in names], color="#7C6BB0")
    right.axhline(1.0, color="#6B7280", linewidth=1)
    right.set_xticks(positions, names)
    right.set_ylabel("eager ÷ replay")
    right.set_title("Cost of rebuilding the graph")
    fig.tight_layout()
    return fig
