"""The small timing kit shared by the benchmarks: one thread, interleaved rounds, medians, ratios.

Rules every benchmark here follows:

* Single-threaded BLAS everywhere, so a comparison is between code, not between
  thread pools. `single_thread_env()` sets OMP/OPENBLAS/MKL_NUM_THREADS=1, which
  only works before NumPy is first imported (run.py calls it first thing);
  `single_threaded()` additionally limits an already-loaded BLAS through
  threadpoolctl (when installed) and calls torch.set_num_threads(1), so the
  measure() functions are also honest when imported into a running notebook.
* Contestants are interleaved, A, B, C, A, B, C, ...: a burst of load from
  elsewhere on the machine hits all of them instead of one.
* Results are medians, and comparisons are ratios of medians, of process CPU
  time (blind to other processes taking the core) and of wall-clock time.
  Nothing here asserts a time: the numbers are reported, never judged.
"""
import datetime
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

try:
    import resource
except ImportError:  # faults and preemptions then read 0, as where getrusage is missing (Pyodide)
    resource = None

# Pyodide's process_time() never moves: there (one thread, in the page's worker) wall-clock time
# stands in for CPU time. sys.platform, not engine.live: importing the engine would import NumPy
# before single_thread_env() could act.
cpu_clock = time.perf_counter if sys.platform == "emscripten" else time.process_time

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def single_thread_env():
    """Ask BLAS libraries for one thread. Effective only if NumPy is not imported yet; says whether it was."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    return "numpy" not in sys.modules


def optional_torch():
    """Real torch, or None when it is not installed (the torch columns are then skipped)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@contextmanager
def single_threaded():
    """One BLAS thread and one torch thread for the duration, restored afterwards."""
    torch = optional_torch()
    previous_torch = None
    if torch is not None:
        previous_torch = torch.get_num_threads()
        torch.set_num_threads(1)
    limiter = None
    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=1)
    except ImportError:
        pass
    try:
        yield
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        if torch is not None:
            torch.set_num_threads(previous_torch)


def _faults_and_preemptions():
    if not hasattr(resource, "getrusage"):  # Pyodide has a resource module without it
        return 0, 0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_minflt, usage.ru_nivcsw


def minor_faults():
    """Minor page faults of this process so far (a fresh page handed out by the kernel costs one)."""
    return _faults_and_preemptions()[0]


class Stopwatch:
    """Wall-clock and CPU time, minor page faults and forced context switches over a region.

    Wall-clock time is what a user waits; process CPU time leaves out the moments
    when another process had the core, so on a busy machine it is the steadier of
    the two. Both are kept; the forced (involuntary) context switches say how busy
    the machine was.
    """

    def __enter__(self):
        self._faults, self._switches = _faults_and_preemptions()
        self._cpu = cpu_clock()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter()
        cpu = cpu_clock()
        faults, switches = _faults_and_preemptions()
        self.seconds = wall - self._wall
        self.cpu_seconds = cpu - self._cpu
        self.minor_faults = faults - self._faults
        self.preemptions = switches - self._switches
        return False

    def per(self, number):
        return {
            "seconds": self.seconds / number,
            "cpu_seconds": self.cpu_seconds / number,
            "minor_faults": self.minor_faults / number,
            "preemptions": self.preemptions / number,
        }


def block(function, number):
    """A measurement: call `function` `number` times; report seconds, CPU seconds, page faults per call."""

    def measure():
        with Stopwatch() as watch:
            for _ in range(number):
                function()
        return watch.per(number)

    return measure


def interleaved(measurements, repeats, warmup=1):
    """Run the measurements round after round (A, B, C, A, B, C, ...) and collect every result.

    `measurements` maps a contestant's name to a callable that performs one
    measurement and returns a dict of numbers (at least "seconds"), such as the
    ones `block` makes. Returns {name: {key: [value per round]}}; the `warmup`
    rounds run first and are discarded.
    """
    results = {name: {} for name in measurements}
    for round_number in range(warmup + repeats):
        for name, measure in measurements.items():
            outcome = measure()
            if round_number < warmup:
                continue
            for key, value in outcome.items():
                results[name].setdefault(key, []).append(value)
    return results


def median(values):
    return statistics.median(values)


def summarize(samples):
    """Medians (plus the fastest and slowest round) of what `interleaved` collected for one contestant."""
    summary = {f"median_{key}": median(values) for key, values in samples.items()}
    for clock in ("seconds", "cpu_seconds"):
        if clock in samples:
            summary[f"min_{clock}"], summary[f"max_{clock}"] = min(samples[clock]), max(samples[clock])
    summary.update(rounds=len(samples["seconds"]), samples=samples)
    return summary


def ratio(numerator, denominator):
    """How many times slower `numerator` is than `denominator` (summaries from `summarize`).

    "cpu": the ratio of the medians of process CPU time, the one the book quotes: it
    counts only time this process actually ran (user and kernel, page faults
    included) and so is blind to other processes stealing the core.
    "wall": the same with wall-clock time, what a user waits for on a quiet machine.
    The "_paired" variants are the median of the round-by-round ratios, robust to the
    machine's speed drifting during the run; far from the ratio of medians, they
    say the run was noisy.
    """
    result = {}
    for clock, name in (("cpu_seconds", "cpu"), ("seconds", "wall")):
        a, b = numerator["samples"].get(clock), denominator["samples"].get(clock)
        if a and b:
            result[name] = median(a) / median(b)
            result[f"{name}_paired"] = median([x / y for x, y in zip(a, b)])
    return result


def collected():
    """Run the garbage collector now, so that no timed region pays for earlier garbage."""
    gc.collect()


def _cpu_model():
    """The CPU's model name from /proc/cpuinfo, with family/model numbers, clock and whether it is virtual."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if not line.strip():
                    break  # the first processor's block is enough
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        return platform.processor() or "unknown"
    name = fields.get("model name", platform.processor() or "unknown")
    details = []
    if "cpu family" in fields and "model" in fields:
        details.append(f"family {fields['cpu family']}, model {fields['model']}")
    if "cpu MHz" in fields:
        details.append(f"{float(fields['cpu MHz']):.0f} MHz")
    if "hypervisor" in fields.get("flags", "").split():
        details.append("virtual machine")
    return f"{name} ({', '.join(details)})" if details else name


def _blas():
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(
            f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('num_threads')} thread(s))"
            for pool in threadpool_info()
            if pool.get("user_api") == "blas"
        ) or "unknown"
    except ImportError:
        return "unknown (threadpoolctl not installed)"


def _engine_commit():
    """The commit of the engine measured, "+" marking uncommitted changes under engine/; None outside git."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "engine"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+" if dirty else "")


def machine():
    """Where and with what the numbers were measured."""
    import numpy

    torch = optional_torch()
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": load,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "engine_commit": _engine_commit(),
        "blas": _blas(),
        "libc": " ".join(platform.libc_ver()).strip() or "unknown",
        "thread_variables": {name: os.environ.get(name) for name in THREAD_VARIABLES},
    }
