"""Benchmark 5: how long the chapters' widgets take to answer a moved slider.

Four widgets from `engine.widgets`, each moved through its own control, as a reader
moves it:

* GraphExplorer on chapter 5's running example (b = w1*a, c = w2*a,
  d = w3*b + w4*c, L = d**2), the slider for `a` going back and forth;
* BackwardStepper on `b = a + a; c = b + b`, the step slider walking through
  the backward pass (each move calls `.show()`);
* PathExplorer on the running example, the dropdown going through every tensor
  (each choice calls `.show()` once);
* GraphExplorer on chapter 6's one-sample loss of a linear model
  (y_pred = x*w, loss = (y_pred - y)**2), the slider for `w` moving.

The examples and starting values are the chapters' own.

Every update rebuilds the graph with the engine, writes DOT text and runs
Graphviz's `dot` in a child process to lay it out as SVG. Two clocks:

* CPU time, the main number, as in the other benchmarks: this process's CPU time
  (the engine and the widget) plus that of the `dot` processes it waited for,
  which is how long an update takes on an otherwise idle machine;
* wall-clock time beside it, what the reader waited for on this machine at
  this moment, other processes included.

    >>> from benchmarks import widget_update
    >>> widget_update.measure(repeats=3)["cases"]["graph_explorer"]["median_ms"]  # doctest: +SKIP
"""
import contextlib
import math
import os
import resource
import time

from benchmarks import timing


def running_example(a, w1, w2, w3, w4):
    b = w1 * a
    c = w2 * a
    d = w3 * b + w4 * c
    L = d ** 2
    return L, locals()


RUNNING_EXAMPLE = dict(a=2.0, w1=0.5, w2=-1.5, w3=2.0, w4=0.25)


def used_twice(a):
    b = a + a
    c = b + b
    return c, locals()


def one_sample(w, x, y):
    y_pred = x * w
    loss = (y_pred - y) ** 2
    return loss, locals()


def _slider_mover(slider, values):
    def move(i):
        slider.value = values[i % len(values)]
    return move


def cases():
    """{name: (description, widget, move(i))}: each move changes one control, which redraws once."""
    from engine.widgets import BackwardStepper, GraphExplorer, PathExplorer

    explorer = GraphExplorer(running_example, **RUNNING_EXAMPLE)
    stepper = BackwardStepper(used_twice, a=1.0)
    paths = PathExplorer(running_example, **RUNNING_EXAMPLE)
    linear = GraphExplorer(one_sample, w=1.0, x=2.0, y=4.0, spans={"w": (-1.0, 4.0)})
    steps = list(range(len(stepper.events) + 1))
    return {
        "graph_explorer": ("GraphExplorer, chapter 5's running example", explorer,
                           _slider_mover(explorer.sliders["a"], [2.05, 2.0])),
        "backward_stepper": ("BackwardStepper.show, b = a + a; c = b + b", stepper,
                             _slider_mover(stepper.slider, steps)),
        "path_explorer": ("PathExplorer.show, chapter 5's running example", paths,
                          _slider_mover(paths.choice, list(paths.choice.options[1:]) + [paths.choice.options[0]])),
        "linear_model": ("GraphExplorer, chapter 6's one-sample loss", linear,
                         _slider_mover(linear.sliders["w"], [1.05, 1.0])),
    }


def check_same_work(widgets):
    """The widgets must compute the right gradients before their speed means anything."""
    explorer = widgets["graph_explorer"][1]
    explorer.sliders["a"].value = 2.0
    # L = d², d = (w1 w3 + w2 w4) a = 0.625 a: dL/da = 2 · 0.625² · a = 1.5625 at a = 2
    if not math.isclose(explorer.gradients["a"], 1.5625, rel_tol=1e-6):
        raise AssertionError(f"GraphExplorer gives dL/da = {explorer.gradients['a']}, expected 1.5625")
    stepper = widgets["backward_stepper"][1]
    if stepper.names["a"].grad.item() != 4.0:
        raise AssertionError(f"BackwardStepper's engine gradient is {stepper.names['a'].grad.item()}, expected 4")
    paths = widgets["path_explorer"][1]
    for name, found in paths.paths.items():
        if not math.isclose(sum(p.product for p in found), paths.autograd[name], rel_tol=1e-6, abs_tol=1e-12):
            raise AssertionError(f"PathExplorer: the paths to {name} do not add up to its gradient")
    linear = widgets["linear_model"][1]
    linear.sliders["w"].value = 1.0
    # loss = (x w - y)², d loss/dw = 2 (x w - y) x = -8 at w = 1, x = 2, y = 4
    if not math.isclose(linear.gradients["w"], -8.0, rel_tol=1e-6):
        raise AssertionError(f"chapter 6's d loss/dw is {linear.gradients['w']}, expected -8")


@contextlib.contextmanager
def dot_clock():
    """Wrap the function that runs `dot`, so every drawing's layout time is added up in `clock`."""
    from engine.viz import drawing

    clock = {"seconds": 0.0, "calls": 0}
    original = drawing.render

    def timed_render(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            clock["seconds"] += time.perf_counter() - start
            clock["calls"] += 1

    drawing.render = timed_render
    try:
        yield clock
    finally:
        drawing.render = original


def _children_cpu_seconds():
    """CPU time of the child processes this one has waited for (here: every `dot`).

    From getrusage, in microseconds; os.times() counts in clock ticks of 10 ms, too coarse for one drawing.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _updates(move, number, clock, counter):
    """One measurement: `number` moves of a control; per update: wall and CPU seconds, `dot`'s share of each."""

    def measure():
        seconds, calls = clock["seconds"], clock["calls"]
        children = _children_cpu_seconds()
        with timing.Stopwatch() as watch:
            for _ in range(number):
                move(counter[0])
                counter[0] += 1
        result = watch.per(number)
        result["engine_cpu_seconds"] = result["cpu_seconds"]
        result["dot_cpu_seconds"] = (_children_cpu_seconds() - children) / number
        result["cpu_seconds"] = result["engine_cpu_seconds"] + result["dot_cpu_seconds"]
        result["dot_seconds"] = (clock["seconds"] - seconds) / number
        result["drawings"] = (clock["calls"] - calls) / number
        return result

    return measure


def measure(repeats=15, number=4, warmup=1):
    """Milliseconds per widget update, per widget: medians of CPU time (engine, `dot`) and wall clock, as a dict.

    `repeats` interleaved rounds (the widgets take turns) of `number` updates each.
    """
    with timing.single_threaded():
        widgets = cases()
        check_same_work(widgets)
        with dot_clock() as clock:
            timing.collected()
            raw = timing.interleaved(
                {name: _updates(move, number, clock, [0]) for name, (_, _, move) in widgets.items()},
                repeats, warmup)
    results = {}
    for name, samples in raw.items():
        summary = timing.summarize(samples)
        summary.update(
            description=widgets[name][0],
            median_cpu_ms=summary["median_cpu_seconds"] * 1e3,
            median_engine_cpu_ms=summary["median_engine_cpu_seconds"] * 1e3,
            median_dot_cpu_ms=summary["median_dot_cpu_seconds"] * 1e3,
            median_wall_ms=summary["median_seconds"] * 1e3,
            median_dot_wall_ms=summary["median_dot_seconds"] * 1e3,
            max_round_wall_ms=summary["max_seconds"] * 1e3,
        )
        results[name] = summary
    worst = max(results.values(), key=lambda s: s["median_cpu_ms"])
    return {
        "benchmark": "widget_update",
        "rounds": repeats,
        "updates_per_round": number,
        "cases": results,
        "slowest_cpu_ms": worst["median_cpu_ms"],
        "slowest_wall_ms": max(s["median_wall_ms"] for s in results.values()),
        "worst_case": worst["description"],
        "notes": [],
    }


def summary_rows(result):
    """Rows for the README's summary table (run.py)."""
    return [f"| 5. widget update | slowest widget's median ms per update ({result['worst_case']}) | "
            f"{result['slowest_cpu_ms']:.1f} ms | {result['slowest_wall_ms']:.1f} ms | – |"]


def markdown(result):
    """The README section for this benchmark (run.py)."""
    lines = [
        "### 5. Widget update latency",
        "",
        f"{result['rounds']} interleaved rounds of {result['updates_per_round']} updates per widget. CPU time is "
        "this process's (the engine rebuilding the graph and its gradients, the DOT text, the widget) plus that "
        "of the `dot` processes it ran to lay the drawing out; the wall clock counts other processes too.",
        "",
        "| widget | median CPU ms per update | of which `dot` | engine + widget | median wall ms | "
        "of which `dot` | slowest round, wall ms | drawings per update |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for case in result["cases"].values():
        lines.append(f"| {case['description']} | {case['median_cpu_ms']:.1f} | {case['median_dot_cpu_ms']:.1f} | "
                     f"{case['median_engine_cpu_ms']:.1f} | {case['median_wall_ms']:.1f} | "
                     f"{case['median_dot_wall_ms']:.1f} | {case['max_round_wall_ms']:.1f} | "
                     f"{case['median_drawings']:.0f} |")
    lines.append("")
    return "\n".join(lines)


def measure_in_child(repeats=15, number=4, warmup=1):
    """measure() run in a child Python process, for notebooks; returns the same dict.

    In a notebook every widget created sends its state to the front end, which stores it
    in the page even though these widgets are never shown; in a child process ipywidgets
    has no front end to talk to. (So the time to send each new drawing to a front end,
    which a reader's Jupyter pays too, is not counted.)
    """
    import json
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, "-m", "benchmarks.widget_update", "--json",
               "--repeats", str(repeats), "--number", str(number), "--warmup", str(warmup)]
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _main():
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the result dict as JSON (for measure_in_child)")
    args = parser.parse_args()
    result = measure(repeats=args.repeats, number=args.number, warmup=args.warmup)
    if args.json:
        print(json.dumps(result))
        return
    for case in result["cases"].values():
        print(f"{case['description']:<52} CPU {case['median_cpu_ms']:5.1f} ms per update (dot {case['median_dot_cpu_ms']:5.1f}, "
              f"engine + widget {case['median_engine_cpu_ms']:4.1f}); wall {case['median_wall_ms']:5.1f} ms "
              f"(dot {case['median_dot_wall_ms']:5.1f}); {case['median_drawings']:.0f} drawing per update")
    print(f"slowest median {result['slowest_cpu_ms']:.1f} CPU ms per update ({result['worst_case']})")


if __name__ == "__main__":
    _main()
