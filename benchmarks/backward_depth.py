"""Benchmark 3: backward time against the depth of the graph.

A chain of d multiplications, `y = y * 1.000001`, on a small tensor, for d from
10 thousand to a million; only `backward()` is timed. A correct backward pass
visits each node once, so its time should grow in proportion to d: the cost per
node should stay flat. Anything quadratic hiding in the walk (a list scanned per
node, a heap that grows, recursion, a garbage collector rescanning a growing
graph) shows up as a per-node cost that climbs with depth. Torch runs the same
chains, where affordable, as the reference.

Deep chains are costly to build (the forward pass is not timed, but it is paid):
a million engine nodes take about a gigabyte and several seconds, so the big
depths get fewer repeats.

    >>> from benchmarks import backward_depth
    >>> backward_depth.measure(depths=(1000, 3000), repeats=2)["engine"]["per_node_ratio"]  # doctest: +SKIP
"""
import gc
import math
import time

import numpy as np

from benchmarks import timing

DEPTHS = (10_000, 30_000, 100_000, 300_000, 1_000_000)
FACTOR = 1.000001  # 1.000001 ** 1e6 ≈ e: no overflow, no underflow, in float32
SIZE = 8
NODE_BUDGET = 300_000  # nodes per depth and library, which sets the repeats (at most `repeats`, at least 1)
BYTES_PER_NODE = 2_000  # a generous bound for either library, to skip depths that would not fit in memory


def repeats_for(depth, repeats):
    return max(1, min(repeats, NODE_BUDGET // depth))


def _available_bytes():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def one_measurement(lib, depth):
    """Build a chain of `depth` multiplications, then time its backward pass alone."""
    x = lib.tensor(np.ones(SIZE, dtype=np.float32), requires_grad=True)
    start = time.process_time()  # CPU time, like the backward timings
    y = x
    for _ in range(depth):
        y = y * FACTOR
    root = y.sum()
    built = time.process_time()
    del y
    gc.collect()  # garbage from earlier rounds is not this backward's cost
    with timing.Stopwatch() as watch:
        root.backward()
    grad = float(x.grad[0])
    expected = float(np.float32(FACTOR)) ** depth
    if not math.isclose(grad, expected, rel_tol=1e-2):
        raise AssertionError(f"{lib.__name__} at depth {depth}: gradient {grad}, expected about {expected}")
    del root, x
    gc.collect()
    return dict(watch.per(1), build_cpu_seconds=built - start)


def measure(depths=DEPTHS, repeats=5, torch_max_depth=1_000_000):
    """Backward seconds per depth for the engine (and torch up to `torch_max_depth`); per-node costs and the fit.

    Per-node costs and the fits ("engine", "torch") use process CPU time; "engine_wall"
    and "torch_wall" are the same fits on wall-clock time.
    """
    import engine

    torch = timing.optional_torch()
    notes = []
    if torch is None:
        notes.append("torch is not installed: torch column skipped")
    available = _available_bytes()
    rows = []
    with timing.single_threaded():
        for depth in depths:
            if available is not None and 2 * BYTES_PER_NODE * depth > available:
                notes.append(f"depth {depth:,} skipped: about {2 * BYTES_PER_NODE * depth / 1e9:.1f} GB needed, "
                             f"{available / 1e9:.1f} GB available")
                continue
            measurements = {"engine": lambda d=depth: one_measurement(engine, d)}
            if torch is not None and depth <= torch_max_depth:
                measurements["torch"] = lambda d=depth: one_measurement(torch, d)
            rounds = repeats_for(depth, repeats)
            raw = timing.interleaved(measurements, rounds, warmup=0)
            row = {"depth": depth, "rounds": rounds}
            for name, samples in raw.items():
                summary = timing.summarize(samples)
                summary["us_per_node"] = summary["median_cpu_seconds"] / depth * 1e6
                summary["wall_us_per_node"] = summary["median_seconds"] / depth * 1e6
                summary["build_us_per_node"] = summary["median_build_cpu_seconds"] / depth * 1e6
                row[name] = summary
            if "torch" in row:
                row["engine/torch"] = timing.ratio(row["engine"], row["torch"])
            rows.append(row)
    result = {
        "benchmark": "backward_depth",
        "operation": f"y = y * {FACTOR} on {SIZE} float32 elements, then y.sum(); backward timed alone",
        "rows": rows,
        "notes": notes,
    }
    for name in ("engine", "torch"):
        for clock, suffix in (("cpu_seconds", ""), ("seconds", "_wall")):
            fitted = [(row["depth"], row[name][f"median_{clock}"]) for row in rows if name in row]
            if len(fitted) >= 2:
                result[name + suffix] = _fit(fitted)
    return result


def _fit(points):
    """Time ∝ depth: the least-squares slope through the origin, the log-log exponent, and per-node cost drift."""
    depths = np.array([d for d, _ in points], dtype=float)
    seconds = np.array([t for _, t in points], dtype=float)
    per_node = seconds / depths
    exponent = np.polyfit(np.log(depths), np.log(seconds), 1)[0]
    return {
        "us_per_node_fit": float((seconds @ depths) / (depths @ depths) * 1e6),
        "loglog_exponent": float(exponent),
        "per_node_ratio": float(per_node[-1] / per_node[0]),  # deepest vs shallowest
        "per_node_spread": float(per_node.max() / per_node.min()),
        "depths": (int(depths[0]), int(depths[-1])),
    }


if __name__ == "__main__":
    result = measure()
    for row in result["rows"]:
        line = f"{row['depth']:>9,}  engine {row['engine']['us_per_node']:6.2f} CPU µs/node"
        if "torch" in row:
            line += f"  torch {row['torch']['us_per_node']:6.2f} CPU µs/node"
        print(line)
    print({key: result[key] for key in ("engine", "torch") if key in result})
