"""Benchmark 2: a tiny graph, where per-operation overhead is everything.

`((x*x + x).tanh() * 2).sum()` on 10 elements, forward and backward, engine vs
torch. The arrays are so small that the arithmetic costs next to nothing: what
is timed is the price of dispatching five operations, recording them, and
walking them backwards. This is the regime of a teaching notebook, of scalar
examples and of Python-side loops, where a slow engine feels slow.

    >>> from benchmarks import tiny_graph
    >>> tiny_graph.measure(repeats=5)["ratios"]  # doctest: +SKIP
"""
import numpy as np

from benchmarks import timing

SIZE = 10


def forward_backward(x):
    """The whole timed unit: build the graph, differentiate it, drop the gradient for the next call."""
    ((x * x + x).tanh() * 2).sum().backward()
    x.grad = None


def expression(x):
    return ((x * x + x).tanh() * 2).sum()


def compiled_forward_backward(compiled, x):
    """The same unit with the expression and its backward compiled."""
    compiled(x).backward()
    x.grad = None


def contestants(compile_seconds=None):
    """{name: call}, and the libraries; the compiled contestants' compile time goes into `compile_seconds`."""
    import time

    import engine
    from benchmarks.mlp_step import compiled_libraries

    start = np.random.default_rng(0).standard_normal(SIZE).astype(np.float32)
    libraries = {"engine": engine}
    torch = timing.optional_torch()
    if torch is not None:
        libraries["torch"] = torch
    calls = {}
    for name, lib in libraries.items():
        x = lib.tensor(start.copy(), requires_grad=True)
        calls[name] = lambda x=x: forward_backward(x)
    for name, lib in compiled_libraries(libraries).items():
        x = lib.tensor(start.copy(), requires_grad=True)
        compiled = lib.compile(expression)
        began = time.perf_counter()
        compiled_forward_backward(compiled, x)
        if compile_seconds is not None:
            compile_seconds[name] = time.perf_counter() - began
        calls[name] = lambda c=compiled, x=x: compiled_forward_backward(c, x)
    return calls, libraries


def check_same_work(libraries):
    """Both libraries must produce the same gradient, 2(1 - tanh²(x² + x))(2x + 1)."""
    start = np.random.default_rng(1).standard_normal(SIZE).astype(np.float32)
    grads = {}
    for name, lib in libraries.items():
        x = lib.tensor(start.copy(), requires_grad=True)
        ((x * x + x).tanh() * 2).sum().backward()
        grads[name] = x.grad.numpy().copy()
    expected = 2 * (1 - np.tanh(start * start + start) ** 2) * (2 * start + 1)
    for name, grad in grads.items():
        if not np.allclose(grad, expected, rtol=1e-4, atol=1e-5):
            raise AssertionError(f"{name} computes a different gradient: {grad} vs {expected}")


def measure(repeats=31, number=200, warmup=2):
    """Median seconds per forward+backward for each library, and the engine/torch ratio, as a dict."""
    with timing.single_threaded():
        compile_seconds = {}
        calls, libraries = contestants(compile_seconds)
        check_same_work(libraries)
        timing.collected()
        raw = timing.interleaved({name: timing.block(call, number) for name, call in calls.items()}, repeats, warmup)
    results = {name: timing.summarize(samples) for name, samples in raw.items()}
    ratios, notes = {}, []
    if "torch" in results:
        ratios["engine/torch"] = timing.ratio(results["engine"], results["torch"])
    else:
        notes.append("torch is not installed: no engine/torch ratio")
    for other in ("engine", "torch", "torch.compile"):
        if other in results:
            ratios[f"engine.compile/{other}"] = timing.ratio(results["engine.compile"], results[other])
    return {
        "benchmark": "tiny_graph",
        "expression": "((x*x + x).tanh() * 2).sum(), forward + backward",
        "elements": SIZE,
        "rounds": repeats,
        "calls_per_round": number,
        "contestants": results,
        "ratios": ratios,
        "compile_seconds": compile_seconds,
        "notes": notes,
    }


if __name__ == "__main__":
    result = measure()
    for name, summary in result["contestants"].items():
        print(f"{name:14} {summary['median_cpu_seconds'] * 1e6:8.1f} CPU µs, {summary['median_seconds'] * 1e6:8.1f} wall µs "
              "per forward+backward")
    for name, seconds in result["compile_seconds"].items():
        print(f"{name} compiled in {seconds * 1e3:.0f} ms (first call with its backward)")
    for key, value in result["ratios"].items():
        print(f"{key:28} CPU time {value['cpu']:.3f} (paired {value['cpu_paired']:.3f}), "
                  f"wall clock {value['wall']:.3f} (paired {value['wall_paired']:.3f})")
