"""Run every benchmark, print the results table, and write benchmarks/results.json and README.md's results.

    .venv/bin/python benchmarks/run.py            # the full run, 2-4 minutes, with torch installed
    .venv/bin/python benchmarks/run.py --quick    # a smoke run in seconds; prints, writes nothing

results.json is the reference run the book quotes (keys: README.md, "Reading the results").
The numbers are reported, never judged: the exit status is 0 whatever they are.
Only the text between the results markers in README.md is replaced.
"""
import os
import sys

# One BLAS thread: these variables count only if they are set before NumPy is first imported.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import (  # noqa: E402
    backward_depth, mlp_step, op_cost, scalar_engine, static_replay, timing, tiny_graph, training, widget_update,
)

README = os.path.join(HERE, "README.md")
RESULTS_JSON = os.path.join(HERE, "results.json")
BEGIN = "<!-- results:begin (written by benchmarks/run.py; edits here are overwritten) -->"
END = "<!-- results:end -->"

# glibc's malloc, made to keep freed memory instead of handing it back to the kernel (32 MiB is the
# largest mmap threshold glibc accepts). Applied to a whole child process, so to every contestant alike.
KEEP_FREED_MEMORY = {
    "GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824",
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "MALLOC_TRIM_THRESHOLD_": "1073741824",
}


def mlp_with_memory_kept(repeats, number):
    """The MLP benchmark again, in a child process whose malloc never returns memory to the OS."""
    env = dict(os.environ, **KEEP_FREED_MEMORY)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "benchmarks.mlp_step", "--json", "--repeats", str(repeats), "--number", str(number)]
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as error:
        return {"error": f"{type(error).__name__}: {error}"}


# ----------------------------------------------------------------------------- formatting
def _ms(seconds):
    return f"{seconds * 1e3:.3f}"


def _us(seconds):
    return f"{seconds * 1e6:.1f}"


def _x(value):
    return f"{value:.2f}×"


def _cpu_cell(ratio):
    return f"{_x(ratio['cpu'])} ({_x(ratio['cpu_paired'])})"


def _wall_cell(ratio):
    return f"{_x(ratio['wall'])} ({_x(ratio['wall_paired'])})"


def _label(name):
    return "NumPy floor (hand-written)" if name == "numpy" else name


def _mlp_table(add, result):
    add("| contestant | median CPU ms/step | median wall ms/step | fastest / slowest round, wall ms | "
        "minor page faults/step | forced context switches/step | ÷ NumPy floor (CPU) |")
    add("|---|---|---|---|---|---|---|")
    floor = result["contestants"]["numpy"]["median_cpu_seconds"]
    for name, summary in result["contestants"].items():
        add(f"| {_label(name)} | {_ms(summary['median_cpu_seconds'])} | {_ms(summary['median_seconds'])} | "
            f"{_ms(summary['min_seconds'])} / {_ms(summary['max_seconds'])} | {summary['median_minor_faults']:.1f} | "
            f"{summary['median_preemptions']:.2f} | {_x(summary['median_cpu_seconds'] / floor)} |")
    add("")
    add("Ratios, CPU time (paired) / wall clock (paired): " + "; ".join(
        f"{key} {_cpu_cell(value)} / {_wall_cell(value)}" for key, value in result["ratios"].items()) + ".")
    add("")


def _static_replay_markdown(result):
    """Benchmark 4's README section, read from the dict its measure() returns."""
    lines = []
    add = lines.append
    add("### 4. Static replay against eager")
    add("")
    add(f"{result['rounds']} interleaved rounds per model. Each step computes the loss and every gradient; the "
        "replay runs a static graph built once, whose build cost is repaid after the steps shown.")
    add("")
    add("| model | eager CPU µs/step | replay CPU µs/step | eager ÷ replay (paired) | build once, CPU µs | "
        "steps to repay |")
    add("|---|---|---|---|---|---|")
    for name, model in result["models"].items():
        eager = model["contestants"]["eager"]
        replay = next(summary for key, summary in model["contestants"].items() if key != "eager")
        ratio = timing.ratio(eager, replay)
        repay = model["steps_to_repay_build"]
        add(f"| {name} ({model['description']}) | {_us(eager['median_cpu_seconds'])} | "
            f"{_us(replay['median_cpu_seconds'])} | {_cpu_cell(ratio)} | "
            f"{model['build']['median_cpu_seconds'] * 1e6:.0f} | {'never' if repay is None else f'{repay:.0f}'} |")
    add("")
    return "\n".join(lines)


def _static_replay_rows(result):
    """Benchmark 4's rows of the README's summary table."""
    return [f"| 4. static replay | eager/replay, {name} model | {_cpu_cell(model['ratios']['eager/replay'])} | "
            f"{_wall_cell(model['ratios']['eager/replay'])} | – |" for name, model in result["models"].items()]


def later_benchmarks(quick):
    """(name, measure() arguments, its rows of the summary table, its README section, measure) after benchmark 3."""
    later = [("static_replay", dict(repeats=3, models=("tiny", "medium")) if quick else {},
              _static_replay_rows, _static_replay_markdown, static_replay.measure)]
    for module, quick_args in ((widget_update, dict(repeats=3, number=2)), (scalar_engine, dict(repeats=2)),
                               (training, dict(repeats=2, epochs=2)), (op_cost, dict(repeats=3, number=200))):
        later.append((module.__name__.rsplit(".", 1)[-1], quick_args if quick else {}, module.summary_rows,
                      module.markdown, module.measure))
    return later


def render(info, mlp, mlp_kept, tiny, depth, elapsed, more=()):
    out = []
    add = out.append
    torch_version = info["torch"] or "not installed"
    load = info["load_average"]
    load_text = f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} when the run started" if load else ""
    add(f"Measured {info['date']} on **{info['cpu']}**, {info['cores']} logical cores ({load_text}); "
        f"Python {info['python']}, NumPy {info['numpy']}, torch {torch_version}"
        + (f" ({info['torch_threads']} thread)" if info["torch"] else "")
        + f", engine commit {info['engine_commit'] or 'unknown'}, BLAS: {info['blas']}, {info['libc']}. "
        f"The whole run took {elapsed:.0f} s of wall-clock time.")
    add("")
    add("Ratios are ratios of medians of process CPU time, the main comparison (it counts what "
        "this process ran, kernel time for page faults included, and not the time other processes held the core). "
        "Wall-clock ratios are given beside them. In brackets: the median of the round-by-round ratios of the "
        "interleaved runs; when it is far from the ratio of medians, the run was noisy.")
    add("")

    add("### Summary")
    add("")
    add("| benchmark | comparison | CPU time (paired) | wall clock (paired) | CPU time, malloc keeping freed memory |")
    add("|---|---|---|---|---|")
    for key, ratio in mlp["ratios"].items():
        kept = mlp_kept.get("ratios", {}).get(key)
        add(f"| 1. MLP step | {key} | {_cpu_cell(ratio)} | {_wall_cell(ratio)} | {_cpu_cell(kept) if kept else '–'} |")
    for key, ratio in tiny["ratios"].items():
        add(f"| 2. tiny graph | {key} | {_cpu_cell(ratio)} | {_wall_cell(ratio)} | – |")
    if "engine" in depth:
        fit = depth["engine"]
        wall = depth.get("engine_wall", {}).get("per_node_ratio")
        add(f"| 3. backward depth | engine per-node cost at {fit['depths'][1]:,} ÷ at {fit['depths'][0]:,} | "
            f"{_x(fit['per_node_ratio'])} | {_x(wall) if wall else '–'} | – |")
    for summary_rows, _, result in more:
        for row in summary_rows(result):
            add(row)
    add("")

    add(f"### 1. MLP training step ({mlp['batch']}×64, {mlp['data']})")
    add("")
    add(f"{mlp['rounds']} interleaved rounds of {mlp['steps_per_round']} steps each. "
        "Losses of the first two steps (all three agree to 1e-4 before timing): "
        + ", ".join(f"{name} {a:.6f} → {b:.6f}" for name, (a, b) in mlp["losses_first_two_steps"].items()) + ".")
    add("")
    _mlp_table(add, mlp)
    if "error" in mlp_kept:
        add(f"The same benchmark with freed memory kept by malloc could not run: {mlp_kept['error']}.")
        add("")
    else:
        add("**The same, with malloc keeping freed memory**: a child process with glibc's `mmap_threshold` at "
            "32 MiB and `trim_threshold` at 1 GiB, for every contestant alike, so that no step gets fresh pages "
            "from the kernel. The difference from the table above is what page faults cost.")
        add("")
        _mlp_table(add, mlp_kept)
    for note in mlp["notes"]:
        add(f"Note: {note}.")
        add("")

    add(f"### 2. Tiny graph: `{tiny['expression']}` on {tiny['elements']} elements")
    add("")
    add(f"{tiny['rounds']} interleaved rounds of {tiny['calls_per_round']} calls each.")
    add("")
    add("| contestant | median CPU µs per forward+backward | median wall µs | fastest / slowest round, wall µs |")
    add("|---|---|---|---|")
    for name, summary in tiny["contestants"].items():
        add(f"| {name} | {_us(summary['median_cpu_seconds'])} | {_us(summary['median_seconds'])} | "
            f"{_us(summary['min_seconds'])} / {_us(summary['max_seconds'])} |")
    add("")
    for note in tiny["notes"]:
        add(f"Note: {note}.")
        add("")

    add(f"### 3. Backward time against depth: `{depth['operation']}`")
    add("")
    add("Per-node costs are the CPU µs of `backward()` divided by the depth. \"Build\" is the CPU cost per node "
        "of the forward pass that made the chain, given for information.")
    add("")
    has_torch = any("torch" in row for row in depth["rows"])
    header = "| depth | rounds | engine backward, CPU | engine µs/node | engine build µs/node |"
    rule = "|---|---|---|---|---|"
    if has_torch:
        header += " torch backward, CPU | torch µs/node | torch build µs/node | engine ÷ torch (backward) |"
        rule += "---|---|---|---|"
    add(header)
    add(rule)
    for row in depth["rows"]:
        engine = row["engine"]
        line = (f"| {row['depth']:,} | {row['rounds']} | {_ms(engine['median_cpu_seconds'])} ms | "
                f"{engine['us_per_node']:.2f} | {engine['build_us_per_node']:.2f} |")
        if has_torch:
            if "torch" in row:
                torch_row = row["torch"]
                line += (f" {_ms(torch_row['median_cpu_seconds'])} ms | {torch_row['us_per_node']:.2f} | "
                         f"{torch_row['build_us_per_node']:.2f} | {_x(row['engine/torch']['cpu'])} |")
            else:
                line += " – | – | – | – |"
        add(line)
    add("")
    for name in ("engine", "torch"):
        if name in depth:
            fit = depth[name]
            wall = depth.get(f"{name}_wall")
            add(f"- {name}: least-squares fit {fit['us_per_node_fit']:.2f} µs/node; log-log slope "
                f"{fit['loglog_exponent']:.3f} (1 = linear); per-node cost at {fit['depths'][1]:,} ÷ at "
                f"{fit['depths'][0]:,}: {_x(fit['per_node_ratio'])}"
                + (f" (wall clock: {_x(wall['per_node_ratio'])})" if wall else "")
                + f"; largest ÷ smallest per-node cost over all depths: {_x(fit['per_node_spread'])}.")
    for note in depth["notes"]:
        add(f"- Note: {note}.")
    add("")
    for _, markdown, result in more:
        add(markdown(result))
    return "\n".join(out)


def write_readme(section):
    with open(README) as handle:
        text = handle.read()
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n## Results\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(README, "w") as handle:
        handle.write(f"{head}{BEGIN}\n\n{section}\n{END}{tail}")


def _cpu_ratio(result, key):
    """A CPU-time ratio of a benchmark's result, or None when it was not measured (torch missing)."""
    ratio = result.get("ratios", {}).get(key)
    return ratio["cpu"] if ratio else None


def headline(mlp, tiny, depth, later):
    """The numbers the book quotes, under short stable names (documented in README.md, read by results.py)."""
    replay = {name: model["ratios"]["eager/replay"]["cpu"] for name, model in later["static_replay"]["models"].items()}
    ops = later["op_cost"]["us_per_op"]
    return {
        "python_op_us": ops["python float"],
        "numpy_op_us": ops["numpy"],
        "engine_op_us": ops["engine"],
        "engine_recording_op_us": ops["engine, recording"],
        "torch_op_us": ops.get("torch"),
        "torch_recording_op_us": ops.get("torch, recording"),
        "scalar_vs_tensor": _cpu_ratio(later["scalar_engine"], "scalar/tensor"),
        "scalar_us_per_node": later["scalar_engine"]["scalar_us_per_node"],
        "static_replay_speedup_tiny": replay.get("tiny"),
        "static_replay_speedup_medium": replay.get("medium"),
        "static_replay_speedup_large": replay.get("large"),
        "mlp_step_engine_vs_torch": _cpu_ratio(mlp, "engine/torch"),
        "mlp_step_engine_vs_numpy": _cpu_ratio(mlp, "engine/numpy"),
        "tiny_graph_engine_vs_torch": _cpu_ratio(tiny, "engine/torch"),
        "training_engine_vs_torch": _cpu_ratio(later["training"], "engine/torch"),
        "backward_per_node_growth": depth["engine"]["per_node_ratio"] if "engine" in depth else None,
        "widget_slowest_ms": later["widget_update"]["slowest_cpu_ms"],
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) or isinstance(value, (int, str, bool)) or value is None:
        return value
    return float(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the engine's benchmarks and write benchmarks/README.md.")
    parser.add_argument("--quick", action="store_true", help="few repeats and shallow graphs; writes nothing")
    parser.add_argument("--no-write", action="store_true", help="print the results without touching README.md")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    info = timing.machine()
    if info["torch"] is None and not (args.quick or args.no_write):
        print("run.py: torch is not installed. The book quotes results.json for its comparisons with torch, "
              "so the reference run needs it: install torch, or use --no-write.", file=sys.stderr)
        return 2
    if args.quick:
        mlp_args, tiny_args = dict(repeats=3, number=3), dict(repeats=3, number=50)
        depth_args = dict(depths=(1_000, 3_000, 10_000), repeats=2)
    else:
        mlp_args, tiny_args, depth_args = dict(repeats=31, number=10), dict(repeats=31, number=200), {}
    later = later_benchmarks(args.quick)
    total = 4 + len(later)
    print(f"1/{total} MLP training step ...", file=sys.stderr, flush=True)
    mlp = mlp_step.measure(**mlp_args)
    print(f"2/{total} MLP training step, malloc keeping freed memory (child process) ...", file=sys.stderr, flush=True)
    mlp_kept = mlp_with_memory_kept(**mlp_args)
    print(f"3/{total} tiny graph ...", file=sys.stderr, flush=True)
    tiny = tiny_graph.measure(**tiny_args)
    print(f"4/{total} backward against depth ...", file=sys.stderr, flush=True)
    depth = backward_depth.measure(**depth_args)
    more, results = [], {}
    for number, (name, measure_args, summary_rows, markdown, measure) in enumerate(later, start=5):
        print(f"{number}/{total} {name.replace('_', ' ')} ...", file=sys.stderr, flush=True)
        results[name] = measure(**measure_args)
        more.append((summary_rows, markdown, results[name]))
    elapsed = time.perf_counter() - started

    section = render(info, mlp, mlp_kept, tiny, depth, elapsed, more)
    print(section)
    if not (args.quick or args.no_write):
        write_readme(section)
        with open(RESULTS_JSON, "w") as handle:
            json.dump(_jsonable({"machine": info, "headline": headline(mlp, tiny, depth, results), "mlp_step": mlp, "mlp_step_memory_kept": mlp_kept,
                                 "tiny_graph": tiny, "backward_depth": depth, **results, "seconds": elapsed}),
                      handle, indent=1)
            handle.write("\n")
        print(f"wrote {os.path.relpath(README, ROOT)} and {os.path.relpath(RESULTS_JSON, ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
