"""Benchmark 4: rebuilding the graph every step (eager) against replaying a static graph.

The same loss function, written once, runs two ways on the engine:

* **eager** (define-by-run, PyTorch's default): every step runs the forward code,
  which records a fresh graph, and `loss.backward()` walks it back and frees it;
* **replay** (define-then-run, TensorFlow 1's style): the static graph of the loss
  and of its symbolic gradients (`engine.static.gradients`) is built once, ahead of
  any data, and every step is one `graph.run([loss, *grads], feed_dict)`.

Both compute the loss and the gradients of every parameter, and nothing else (no
optimizer update), so the timed difference is what recording and walking a graph
each step costs against replaying a stored one. Three models:

* **tiny**: 3 inputs → 1, squared error on one example: a handful of operations on
  three numbers, where per-operation overhead is everything;
* **medium**: a 256×64 batch → Linear 64→128 → ReLU → Linear 128→10 →
  log_softmax → cross-entropy against one-hot labels (static graphs cannot index
  with a placeholder, so the labels are one-hot, as in TensorFlow 1): arrays of
  tens of thousands of numbers, where the overhead still shows;
* **large**: the same network on 1024×512 → 512 → 10, where the matrix products
  take milliseconds and the overhead fades. Here the replay can even lose: the
  engine's `Graph.run` keeps every intermediate value until the run ends, while
  the eager step frees each one when no node needs it, so the replay touches more
  fresh memory (compare the minor page faults per step).

This is the chapter "Dynamic versus static graphs" (book/dynamic_vs_static.ipynb)
measured the house way; the chapter runs a short version of it through
benchmarks/graph_rebuild.py and quotes the reference run in results.json.

Before anything is timed, the two must agree on the loss and on every gradient.
The one-time cost of building the static graph (forward and gradients) is
measured too, with how many steps' saving pays it back.

    >>> from benchmarks import static_replay
    >>> result = static_replay.measure(repeats=5)
    >>> result["models"]["tiny"]["ratios"]["eager/replay"]["cpu"]  # doctest: +SKIP
    1.8
"""
import numpy as np

from benchmarks import timing

MODELS = ("tiny", "medium", "large")
# (batch, features, hidden, classes) of the two-layer networks
MLP_SIZES = {"medium": (256, 64, 128, 10), "large": (1024, 512, 512, 10)}
NUMBER = {"tiny": 200, "medium": 10, "large": 1}  # calls per timed block, so that each block lasts milliseconds


def tiny_loss(x, y, w, b):
    """Squared error of a linear model on one example: (x·w + b − y)²."""
    return (x @ w + b - y) ** 2


def mlp_loss(x, onehot, w1, b1, w2, b2):
    """Mean cross-entropy of a two-layer ReLU network, labels given one-hot."""
    h = (x @ w1 + b1).relu()
    logp = (h @ w2 + b2).log_softmax(dim=1)
    return -(onehot * logp).sum(dim=1).mean()


def problem(name, seed=0):
    """(loss function, {data name: array}, {parameter name: array}) for the model `name`, float32."""
    rng = np.random.default_rng(seed)
    if name == "tiny":
        data = {"x": rng.standard_normal(3), "y": rng.standard_normal(())}
        params = {"w": rng.standard_normal(3), "b": np.zeros(())}
        loss = tiny_loss
    elif name in MLP_SIZES:
        batch, features, hidden, classes = MLP_SIZES[name]
        labels = rng.integers(0, classes, size=batch)
        data = {"x": rng.standard_normal((batch, features)), "onehot": np.eye(classes)[labels]}
        params = {
            "w1": rng.uniform(-1, 1, (features, hidden)) / np.sqrt(features), "b1": np.zeros(hidden),
            "w2": rng.uniform(-1, 1, (hidden, classes)) / np.sqrt(hidden), "b2": np.zeros(classes),
        }
        loss = mlp_loss
    else:
        raise ValueError(f"unknown model {name!r}; choose from {MODELS}")
    as32 = lambda arrays: {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}  # noqa: E731
    return loss, as32(data), as32(params)


def eager_step(loss_fn, data, params):
    """One eager step: run the forward code (recording a graph), backward, read the gradients."""
    for p in params.values():
        p.grad = None
    loss = loss_fn(*data.values(), *params.values())
    loss.backward()
    return [loss] + [p.grad for p in params.values()]


def build_static(loss_fn, data, params):
    """The static graph of the loss and its gradients, built once; returns (graph, fetches)."""
    from engine import static

    with static.Graph() as graph:
        symbols = {name: static.placeholder(name, shape=value.shape) for name, value in {**data, **params}.items()}
        loss = loss_fn(*symbols.values())
        grads = static.gradients(loss, [symbols[name] for name in params])
    return graph, [loss, *grads]


def contestants(name):
    """{"eager": step(), "replay": step()}, each returning [loss, *grads], plus the parts to build the graph again."""
    import engine

    loss_fn, data, params = problem(name)
    eager_data = {k: engine.tensor(v) for k, v in data.items()}
    eager_params = {k: engine.tensor(v, requires_grad=True) for k, v in params.items()}
    graph, fetches = build_static(loss_fn, data, params)
    feed = {k: engine.tensor(v) for k, v in {**data, **params}.items()}
    steps = {
        "eager": lambda: eager_step(loss_fn, eager_data, eager_params),
        "replay": lambda: graph.run(fetches, feed),
    }
    return steps, (loss_fn, data, params)


def check_same_work(steps, rtol=1e-5, atol=1e-6):
    """The eager step and the static replay must give the same loss and gradients."""
    eager = [t.detach().numpy() for t in steps["eager"]()]
    replay = [t.numpy() for t in steps["replay"]()]
    for index, (a, b) in enumerate(zip(eager, replay)):
        if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol):
            what = "the loss" if index == 0 else f"gradient {index}"
            raise AssertionError(f"eager and replay disagree on {what}: {a} vs {b}")
    return float(eager[0])


def _build_seconds(parts, repeats):
    """Median CPU and wall seconds to build the static graph (forward and gradients) once."""

    def build():
        with timing.Stopwatch() as watch:
            build_static(*parts)
        return {"seconds": watch.seconds, "cpu_seconds": watch.cpu_seconds}

    samples = timing.interleaved({"build": build}, repeats, warmup=1)["build"]
    return {"median_seconds": timing.median(samples["seconds"]), "median_cpu_seconds": timing.median(samples["cpu_seconds"])}


def measure(repeats=21, models=MODELS, number=None, warmup=2):
    """Per-step seconds, eager against static replay, for each model; returns a dict.

    For each model: `repeats` interleaved rounds of `number` steps (default NUMBER[model])
    per contestant, after `warmup` discarded rounds; medians of CPU and wall time per
    step, the eager/replay ratio, the one-time build cost and the steps that repay it.
    """
    result = {"benchmark": "static_replay", "rounds": repeats, "models": {}}
    with timing.single_threaded():
        for name in models:
            steps, parts = contestants(name)
            loss = check_same_work(steps)
            calls = number or NUMBER[name]
            timing.collected()
            raw = timing.interleaved({k: timing.block(step, calls) for k, step in steps.items()}, repeats, warmup)
            summaries = {k: timing.summarize(samples) for k, samples in raw.items()}
            build = _build_seconds(parts, max(3, repeats // 3))
            saving = summaries["eager"]["median_cpu_seconds"] - summaries["replay"]["median_cpu_seconds"]
            _, data, params = parts
            result["models"][name] = {
                "description": _describe(name, data, params),
                "parameters": int(sum(v.size for v in params.values())),
                "steps_per_round": calls,
                "loss": loss,
                "contestants": summaries,
                "ratios": {"eager/replay": timing.ratio(summaries["eager"], summaries["replay"])},
                "build": build,
                "steps_to_repay_build": build["median_cpu_seconds"] / saving if saving > 0 else None,
            }
    return result


def _describe(name, data, params):
    if name == "tiny":
        return "3 inputs → 1, squared error, one example"
    batch, features = data["x"].shape
    return (f"{batch}×{features} → {params['w1'].shape[1]} → ReLU → {params['w2'].shape[1]}, "
            "log_softmax, cross-entropy (one-hot)")


def table(result):
    """One dict per model: eager and replay CPU µs per step, their ratio, page faults, the build and its repayment."""
    rows = []
    for name, model in result["models"].items():
        eager, replay = (model["contestants"][k]["median_cpu_seconds"] for k in ("eager", "replay"))
        repay = model["steps_to_repay_build"]
        rows.append({
            "model": name,
            "eager µs/step": eager * 1e6,
            "replay µs/step": replay * 1e6,
            "eager ÷ replay": model["ratios"]["eager/replay"]["cpu"],
            "eager faults/step": model["contestants"]["eager"]["median_minor_faults"],
            "replay faults/step": model["contestants"]["replay"]["median_minor_faults"],
            "build µs (once)": model["build"]["median_cpu_seconds"] * 1e6,
            "steps to repay": repay,
        })
    return rows


if __name__ == "__main__":
    outcome = measure()
    for row in table(outcome):
        repay = "never repaid" if row["steps to repay"] is None else f"repaid after {row['steps to repay']:.0f} steps"
        print(f"{row['model']:7} eager {row['eager µs/step']:9.1f} µs  replay {row['replay µs/step']:9.1f} µs  "
              f"eager/replay {row['eager ÷ replay']:.2f}×  build once {row['build µs (once)']:9.1f} µs  "
              f"{repay}  minor faults/step {row['eager faults/step']:.0f} / "
              f"{row['replay faults/step']:.0f}")
