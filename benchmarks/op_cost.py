"""Benchmark 8: what one operation costs, layer by layer.

One multiplication `a * b`, forward only, on ever heavier operands: two Python floats
(the interpreter alone), two NumPy arrays of 10 float32 (plus a call into a compiled
kernel), two engine tensors (plus the engine's Python: dispatch, checks, a new Tensor),
the same requiring gradients (plus recording a node for backward), and torch's tensors
both ways. The arithmetic is ten multiplications at most, so what is timed is the price
of each layer around it. Each timed call runs the operation in a plain loop, whose own
cost (a few tens of nanoseconds per turn) is part of every number.

    >>> from benchmarks import op_cost
    >>> op_cost.measure(repeats=3)["us_per_op"]  # doctest: +SKIP
"""
import numpy as np

from benchmarks import timing

SIZE = 10


def repeated_multiply(a, b, number):
    """One timed unit: `number` multiplications, results dropped."""

    def run():
        for _ in range(number):
            a * b

    return run


def operands():
    """{contestant: (a, b)}, in the order of the layers they add."""
    import engine

    start = np.random.default_rng(0).standard_normal((2, SIZE)).astype(np.float32)
    pairs = {"python float": (float(start[0, 0]), float(start[1, 0])),
             "numpy": (start[0].copy(), start[1].copy())}
    libraries = {"engine": engine}
    torch = timing.optional_torch()
    if torch is not None:
        libraries["torch"] = torch
    for name, lib in libraries.items():
        pairs[name] = (lib.tensor(start[0].copy()), lib.tensor(start[1].copy()))
        pairs[f"{name}, recording"] = (lib.tensor(start[0].copy(), requires_grad=True), lib.tensor(start[1].copy()))
    return pairs


def measure(repeats=15, number=2000, warmup=2):
    """Median CPU µs per multiplication for each contestant, as a dict."""
    with timing.single_threaded():
        pairs = operands()
        timing.collected()
        raw = timing.interleaved({name: timing.block(repeated_multiply(a, b, number), 1)
                                  for name, (a, b) in pairs.items()}, repeats, warmup)
    results = {name: timing.summarize(samples) for name, samples in raw.items()}
    notes = [] if "torch" in results else ["torch is not installed: no torch rows"]
    return {
        "benchmark": "op_cost",
        "operation": f"a * b, forward only; arrays of {SIZE} float32",
        "elements": SIZE,
        "rounds": repeats,
        "ops_per_round": number,
        "contestants": results,
        "us_per_op": {name: summary["median_cpu_seconds"] / number * 1e6 for name, summary in results.items()},
        "notes": notes,
    }


def summary_rows(result):
    """No summary row: the ladder is a table of its own (markdown)."""
    return []


def markdown(result):
    """The README section for this benchmark (run.py)."""
    lines = [f"### 8. What one operation costs: `{result['operation']}`", "",
             f"{result['rounds']} interleaved rounds of {result['ops_per_round']} operations each.", "",
             "| operands | median CPU µs per operation |", "|---|---|"]
    lines += [f"| {name} | {us:.3f} |" for name, us in result["us_per_op"].items()]
    lines += [""] + [f"Note: {note}." for note in result["notes"]] + ([""] if result["notes"] else [])
    return "\n".join(lines)


if __name__ == "__main__":
    for name, us in measure()["us_per_op"].items():
        print(f"{name:18} {us:8.3f} CPU µs per a * b")
