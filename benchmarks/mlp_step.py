"""Benchmark 1: one full training step of a small MLP, engine vs torch vs hand-written NumPy.

The step: 1797×64 float32 inputs (the scikit-learn digits when available) →
Linear 64→128 → ReLU → Linear 128→10 → log_softmax → NLL loss (the mean of
-logp[arange(n), y]) → backward → plain SGD (lr 0.1).

* The engine and torch run the *same* function, `step(lib, ...)`, once with
  `lib = engine` and once with `lib = torch`.
* The NumPy floor does the same arithmetic by hand: forward, the fused
  softmax-minus-one-hot gradient, backward, update, with in-place operations
  wherever they are free. An engine built on NumPy pays these kernels plus its
  own bookkeeping, so this is the floor it cannot beat; the ratio to it is the
  engine's overhead.
* All three start from the same weights, and before anything is timed the
  losses of their first two steps (the second one sees the SGD update) must
  agree to 1e-4 relative, so the timings compare equal work.

    >>> from benchmarks import mlp_step
    >>> result = mlp_step.measure(repeats=5)
    >>> result["ratios"]["engine/numpy"]["cpu"]  # doctest: +SKIP
    1.6
"""
import math
import time

import numpy as np

from benchmarks import timing

HIDDEN = 128
CLASSES = 10
LEARNING_RATE = 0.1


def data():
    """The digits (1797×64 pixels scaled to [0, 1], labels 0-9), or random data of that shape without scikit-learn.

    The digits are read straight from the CSV file that scikit-learn ships, without
    importing scikit-learn (which would import SciPy into the measured process).
    """
    import importlib.util
    import os

    spec = importlib.util.find_spec("sklearn")
    path = None
    if spec is not None and spec.submodule_search_locations:
        path = os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data", "digits.csv.gz")
    if path is not None and os.path.exists(path):
        table = np.loadtxt(path, delimiter=",")
        images, labels = table[:, :-1], table[:, -1]
        source = "the scikit-learn digits"
    else:
        rng = np.random.default_rng(0)
        images = rng.integers(0, 17, size=(1797, 64))
        labels = rng.integers(0, CLASSES, size=1797)
        source = "random digits-shaped data (scikit-learn not installed)"
    return (images / 16).astype(np.float32), labels.astype(np.int64), source


def initial_weights(features=64, seed=0):
    """W1, b1, W2, b2 as float32 NumPy arrays (weights laid out input×output, so `x @ W`)."""
    rng = np.random.default_rng(seed)
    w1 = rng.uniform(-1, 1, size=(features, HIDDEN)) / math.sqrt(features)
    w2 = rng.uniform(-1, 1, size=(HIDDEN, CLASSES)) / math.sqrt(HIDDEN)
    return [a.astype(np.float32) for a in (w1, np.zeros(HIDDEN), w2, np.zeros(CLASSES))]


def step(lib, x, y, params, lr=LEARNING_RATE):
    """One SGD step, written once for any torch-like library `lib`; returns the loss before the update."""
    w1, b1, w2, b2 = params
    h = (x @ w1 + b1).relu()
    logp = (h @ w2 + b2).log_softmax(dim=1)
    loss = -logp[lib.arange(x.shape[0]), y].mean()
    loss.backward()
    with lib.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
    return loss.item()


def loss_of(lib, x, y, params):
    """The forward half of `step`: what the compiled contestants compile."""
    w1, b1, w2, b2 = params
    h = (x @ w1 + b1).relu()
    logp = (h @ w2 + b2).log_softmax(dim=1)
    return -logp[lib.arange(x.shape[0]), y].mean()


def compiled_step(compiled_loss, lib, x, y, params, lr=LEARNING_RATE):
    """`step` with its forward and backward run by a compiled loss; the SGD update is the same eager code."""
    loss = compiled_loss(x, y, *params)
    loss.backward()
    with lib.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
    return loss.item()


def compile_loss(lib, x, y, params):
    """`lib.compile` applied to `loss_of`, compiled by one call and its backward; returns it and the seconds taken."""
    compiled = lib.compile(lambda x, y, *params: loss_of(lib, x, y, params))
    start = time.perf_counter()
    compiled(x, y, *params).backward()
    seconds = time.perf_counter() - start
    for p in params:
        p.grad = None
    return compiled, seconds


class NumpyFloor:
    """The same step written by hand in NumPy, as tight as plain NumPy allows.

    Tricks used, all of which any NumPy program could use: in-place updates;
    ReLU as `h *= mask` with the mask kept for backward; log_softmax, NLL and
    their backward fused into softmax - one-hot (divided by n), so neither the
    log-probabilities nor the one-hot matrix are ever built.
    """

    def __init__(self, x, y, weights, lr=LEARNING_RATE):
        self.x, self.y, self.lr = x, y, lr
        self.w1, self.b1, self.w2, self.b2 = (w.copy() for w in weights)

    def step(self):
        x, y, lr = self.x, self.y, self.lr
        w1, b1, w2, b2 = self.w1, self.b1, self.w2, self.b2
        n = x.shape[0]
        rows = np.arange(n)
        # forward
        h = x @ w1
        h += b1
        active = h > 0
        h *= active  # ReLU, in place (cheaper than np.maximum(h, 0) here)
        z = h @ w2
        z += b2
        z -= z.max(axis=1, keepdims=True)
        z_target = z[rows, y]
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        loss = (np.log(total).sum() - z_target.sum()) / n
        # backward: d loss / d logits = (softmax - onehot) / n, built in e's memory
        total *= n
        e /= total
        e[rows, y] -= 1.0 / n
        grad_w2 = h.T @ e
        grad_b2 = e.sum(axis=0)
        grad_h = e @ w2.T
        grad_h *= active
        grad_w1 = x.T @ grad_h
        grad_b1 = grad_h.sum(axis=0)
        # SGD
        for p, g in ((w1, grad_w1), (b1, grad_b1), (w2, grad_w2), (b2, grad_b2)):
            g *= lr
            p -= g
        return float(loss)


def contestants(compile_seconds=None):
    """{name: step function with no arguments}, each with its own copy of the same data and weights.

    The compiled contestants (`engine.compile`, and `torch.compile` where torch and a C++
    compiler are present) are compiled here; the seconds that took go into `compile_seconds`.
    """
    import engine

    x, y, source = data()
    weights = initial_weights(x.shape[1])
    steps = {}
    libraries = {"engine": engine}
    torch = timing.optional_torch()
    if torch is not None:
        libraries["torch"] = torch
    for name, lib in libraries.items():
        lx, ly = lib.tensor(x.copy()), lib.tensor(y.copy())
        params = [lib.tensor(w.copy(), requires_grad=True) for w in weights]
        steps[name] = lambda lib=lib, lx=lx, ly=ly, params=params: step(lib, lx, ly, params)
    for name, lib in compiled_libraries(libraries).items():
        lx, ly = lib.tensor(x.copy()), lib.tensor(y.copy())
        params = [lib.tensor(w.copy(), requires_grad=True) for w in weights]
        compiled, seconds = compile_loss(lib, lx, ly, params)
        if compile_seconds is not None:
            compile_seconds[name] = seconds
        steps[name] = lambda c=compiled, lib=lib, lx=lx, ly=ly, params=params: compiled_step(c, lib, lx, ly, params)
    steps["numpy"] = NumpyFloor(x.copy(), y.copy(), weights).step
    return steps, source


def compiled_libraries(libraries):
    """{contestant name: library} for the compilers to run: the engine's always, torch's with a C++ compiler."""
    import shutil

    compilers = {"engine.compile": libraries["engine"]}
    if "torch" in libraries and (shutil.which("c++") or shutil.which("g++")):
        compilers["torch.compile"] = libraries["torch"]
    return compilers


def check_same_work(steps, rtol=1e-4):
    """Run two steps of each contestant from the same weights; the losses must agree. Returns them."""
    losses = {name: [run(), run()] for name, run in steps.items()}
    reference = losses["numpy"]
    for name, values in losses.items():
        for got, want in zip(values, reference):
            if not abs(got - want) <= rtol * abs(want):
                raise AssertionError(f"{name} and numpy disagree on the loss: {values} vs {reference}")
    return losses


def measure(repeats=31, number=10, warmup=2):
    """Time the step for every contestant; returns medians, ratios and page faults as a dict.

    `repeats` interleaved rounds of `number` steps each (plus `warmup` discarded rounds).
    """
    with timing.single_threaded():
        compile_seconds = {}
        steps, source = contestants(compile_seconds)
        losses = check_same_work(steps)
        timing.collected()
        raw = timing.interleaved({name: timing.block(run, number) for name, run in steps.items()}, repeats, warmup)
    results = {name: timing.summarize(samples) for name, samples in raw.items()}
    ratios = {"engine/numpy": timing.ratio(results["engine"], results["numpy"])}
    notes = []
    if "torch" in results:
        ratios["engine/torch"] = timing.ratio(results["engine"], results["torch"])
        ratios["torch/numpy"] = timing.ratio(results["torch"], results["numpy"])
    else:
        notes.append("torch is not installed: torch column skipped")
    ratios.update(compiled_ratios(results))
    if "torch" in results and "torch.compile" not in results:
        notes.append("no C++ compiler: torch.compile column skipped")
    return {
        "benchmark": "mlp_step",
        "data": source,
        "batch": 1797,
        "rounds": repeats,
        "steps_per_round": number,
        "losses_first_two_steps": losses,
        "contestants": results,
        "ratios": ratios,
        "compile_seconds": compile_seconds,
        "notes": notes,
    }


def compiled_ratios(results):
    """engine.compile against the floor, eager engine, torch eager and torch.compile, where they ran."""
    ratios = {}
    for other in ("numpy", "engine", "torch", "torch.compile"):
        if "engine.compile" in results and other in results:
            ratios[f"engine.compile/{other}"] = timing.ratio(results["engine.compile"], results[other])
    return ratios


def _main():
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    parser.add_argument("--number", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the result dict as JSON (used by run.py)")
    args = parser.parse_args()
    result = measure(repeats=args.repeats, number=args.number)
    if args.json:
        print(json.dumps(result))
    else:
        for name, summary in result["contestants"].items():
            print(f"{name:8} {summary['median_cpu_seconds'] * 1e3:8.3f} CPU ms/step {summary['median_seconds'] * 1e3:8.3f} wall ms/step"
                  f"  {summary['median_minor_faults']:7.1f} faults/step")
        for name, seconds in result["compile_seconds"].items():
            print(f"{name} compiled in {seconds * 1e3:.0f} ms (first call with its backward)")
        for key, value in result["ratios"].items():
            print(f"{key:28} CPU time {value['cpu']:.3f} (paired {value['cpu_paired']:.3f}), "
                  f"wall clock {value['wall']:.3f} (paired {value['wall_paired']:.3f})")


if __name__ == "__main__":
    _main()
