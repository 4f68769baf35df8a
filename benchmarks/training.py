"""Benchmark 7: a whole training run, as chapter 8 writes it, in the engine and in real torch.

The digits (1797 images of 8×8 pixels) split once, with a seeded permutation,
into 1437 for training and 360 for testing; `nn.Sequential(Linear(64, 64),
ReLU(), Linear(64, 10))`, `nn.CrossEntropyLoss()`, `optim.SGD(lr=0.05,
momentum=0.9)`, a `DataLoader` of batches of 64, 10 epochs. The training loop
is one function, `train(model, loader, ...)`, run once with engine objects and
once with torch objects.

Same work, checked before timing: torch's model starts from the engine's
initial weights (copied through `state_dict`), and both DataLoaders draw their
batches through a sampler seeded the same way (`SeededOrder`), so both see the
same batches in the same order; the losses of the first epoch must agree.
Each timed run trains a fresh copy of the model from those initial weights.
The loaders are also timed alone (one pass over the data per epoch, no
training), because torch's DataLoader builds a batch from a TensorDataset one
sample at a time while the engine's indexes whole rows at once: that
difference is part of what a user of either pays, so the main ratio is of
whole runs; the ratio with each library's loader time subtracted is given
beside it, and says how the engine's steps alone compare.

    >>> from benchmarks import training
    >>> training.measure(repeats=3)["ratios"]["engine/torch"]["cpu"]  # doctest: +SKIP
"""
import numpy as np

from benchmarks import mlp_step, timing

EPOCHS = 10
BATCH_SIZE = 64
TRAIN_SIZE = 1437
LEARNING_RATE = 0.05
MOMENTUM = 0.9
SEED = 0


class SeededOrder:
    """A sampler: a new random order of range(n) each epoch, from a NumPy generator seeded once.

    Two SeededOrders with the same seed give the same orders, whichever DataLoader uses them.
    """

    def __init__(self, n, seed=SEED):
        self.n = n
        self.rng = np.random.default_rng(seed)

    def __iter__(self):
        return iter(self.rng.permutation(self.n).tolist())

    def __len__(self):
        return self.n


def split(seed=SEED):
    """(x_train, y_train, x_test, y_test) as NumPy arrays, and where the data came from."""
    images, labels, source = mlp_step.data()
    order = np.random.default_rng(seed).permutation(len(labels))
    train, test = order[:TRAIN_SIZE], order[TRAIN_SIZE:]
    return images[train], labels[train], images[test], labels[test], source


def make_model(nn):
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def train(model, loader, loss_fn, optimizer, epochs=EPOCHS):
    """Chapter 8's loop; returns the loss of the last batch of each epoch."""
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        losses.append(loss.item())
    return losses


def accuracy(lib, model, x, y):
    with lib.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


class Contestant:
    """One library: its data as tensors, its copy of the initial weights, and fresh runs from them."""

    def __init__(self, lib, data, initial_state):
        from importlib import import_module

        self.lib = lib
        self.data_module = import_module(f"{lib.__name__}.utils.data")
        x_train, y_train, x_test, y_test = data
        self.train_set = self.data_module.TensorDataset(lib.tensor(x_train), lib.tensor(y_train))
        self.x_test, self.y_test = lib.tensor(x_test), lib.tensor(y_test)
        self.initial_state = {key: lib.tensor(value.copy()) for key, value in initial_state.items()}

    def loader(self):
        return self.data_module.DataLoader(self.train_set, batch_size=BATCH_SIZE,
                                           sampler=SeededOrder(len(self.train_set)))

    def fresh(self):
        """A model at the initial weights, its optimizer, the loss and a loader at the start of its orders."""
        lib = self.lib
        model = make_model(lib.nn)
        model.load_state_dict(self.initial_state)
        optimizer = lib.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        return model, self.loader(), lib.nn.CrossEntropyLoss(), optimizer

    def run(self, epochs=EPOCHS):
        model, loader, loss_fn, optimizer = self.fresh()
        losses = train(model, loader, loss_fn, optimizer, epochs)
        return losses, accuracy(self.lib, model, self.x_test, self.y_test)

    def timed_training(self, epochs):
        def measure():
            model, loader, loss_fn, optimizer = self.fresh()  # not timed
            timing.collected()
            with timing.Stopwatch() as watch:
                train(model, loader, loss_fn, optimizer, epochs)
            return watch.per(1)
        return measure

    def timed_loading(self, epochs):
        def measure():
            loader = self.loader()
            with timing.Stopwatch() as watch:
                for _ in range(epochs):
                    for _batch in loader:
                        pass
            return watch.per(1)
        return measure


def _without_loader(raw):
    """engine/torch for the training alone: each library's loader time subtracted from its training time."""
    result = {}
    for clock, name in (("cpu_seconds", "cpu"), ("seconds", "wall")):
        net = {lib: [run - load for run, load in zip(raw[lib][clock], raw[f"{lib} loader"][clock])]
               for lib in ("engine", "torch")}
        result[name] = timing.median(net["engine"]) / timing.median(net["torch"])
        result[f"{name}_paired"] = timing.median([e / t for e, t in zip(net["engine"], net["torch"])])
    return result


def contestants():
    import engine

    *data, source = split()
    engine.manual_seed(SEED)
    initial_state = {key: value.detach().numpy().copy() for key, value in make_model(engine.nn).state_dict().items()}
    libraries = {"engine": engine}
    torch = timing.optional_torch()
    if torch is not None:
        libraries["torch"] = torch
    return {name: Contestant(lib, data, initial_state) for name, lib in libraries.items()}, source


def check_same_work(players, rtol=1e-4):
    """One epoch each from the same weights and batches: the losses must agree."""
    losses = {name: player.run(epochs=1)[0] for name, player in players.items()}
    if "torch" in losses and not np.allclose(losses["engine"], losses["torch"], rtol=rtol):
        raise AssertionError(f"engine and torch disagree after one epoch: {losses}")
    return losses


def measure(repeats=7, epochs=EPOCHS, warmup=1):
    """Seconds per training run (and per pass of the loader alone) for each library, ratios, accuracies, as a dict.

    `repeats` interleaved rounds, each training every library once from the initial weights for `epochs` epochs.
    """
    with timing.single_threaded():
        players, source = contestants()
        first_epoch = check_same_work(players)
        finals = {name: player.run(epochs) for name, player in players.items()}
        timing.collected()
        measurements = {name: player.timed_training(epochs) for name, player in players.items()}
        measurements.update({f"{name} loader": player.timed_loading(epochs) for name, player in players.items()})
        raw = timing.interleaved(measurements, repeats, warmup)
    results = {name: timing.summarize(samples) for name, samples in raw.items()}
    steps = epochs * -(-TRAIN_SIZE // BATCH_SIZE)
    for summary in results.values():
        summary["median_ms_per_step"] = summary["median_cpu_seconds"] / steps * 1e3
    ratios, notes = {}, []
    if "torch" in results:
        ratios["engine/torch"] = timing.ratio(results["engine"], results["torch"])
        ratios["engine/torch, loader alone"] = timing.ratio(results["engine loader"], results["torch loader"])
        ratios["engine/torch, loader time subtracted"] = _without_loader(raw)
    else:
        notes.append("torch is not installed: no engine/torch ratio")
    return {
        "benchmark": "training",
        "data": source,
        "setup": (f"{TRAIN_SIZE} training digits, batches of {BATCH_SIZE}, {epochs} epochs ({steps} steps); "
                  f"Linear 64→64 → ReLU → Linear 64→10, cross-entropy, SGD lr {LEARNING_RATE} momentum {MOMENTUM}"),
        "epochs": epochs,
        "steps": steps,
        "rounds": repeats,
        "first_epoch_losses": first_epoch,
        "final_losses": {name: losses[-1] for name, (losses, _) in finals.items()},
        "test_accuracy": {name: acc for name, (_, acc) in finals.items()},
        "contestants": results,
        "ratios": ratios,
        "notes": notes,
    }


def _x(value):
    return f"{value:.2f}×"


def summary_rows(result):
    """Rows for the README's summary table (run.py)."""
    ratio = result["ratios"].get("engine/torch")
    if ratio is None:
        return []
    return [f"| 7. training | engine/torch, {result['epochs']} epochs | {_x(ratio['cpu'])} ({_x(ratio['cpu_paired'])}) | "
            f"{_x(ratio['wall'])} ({_x(ratio['wall_paired'])}) | – |"]


def markdown(result):
    """The README section for this benchmark (run.py)."""
    lines = [
        "### 7. Training: " + result["setup"],
        "",
        f"{result['rounds']} interleaved rounds, each training every library once from the same initial weights "
        "on the same batches; \"loader\" rows iterate the DataLoader alone, for as many epochs, without training.",
        "",
        "| contestant | median CPU ms per run | median wall ms per run | CPU ms per step |",
        "|---|---|---|---|",
    ]
    for name, summary in result["contestants"].items():
        lines.append(f"| {name} | {summary['median_cpu_seconds'] * 1e3:.1f} | {summary['median_seconds'] * 1e3:.1f} | "
                     f"{summary['median_ms_per_step']:.3f} |")
    lines.append("")
    if result["ratios"]:
        lines.append("Ratios, CPU time (paired) / wall clock (paired): " + "; ".join(
            f"{key} {_x(v['cpu'])} ({_x(v['cpu_paired'])}) / {_x(v['wall'])} ({_x(v['wall_paired'])})"
            for key, v in result["ratios"].items()) + ".")
        lines.append("")
    lines.append("Test accuracy after training (360 held-out digits): " + ", ".join(
        f"{name} {acc:.4f}" for name, acc in result["test_accuracy"].items()) + "; final losses: " + ", ".join(
        f"{name} {loss:.6f}" for name, loss in result["final_losses"].items()) + ".")
    lines.append("")
    lines.extend(f"Note: {note}." for note in result["notes"])
    return "\n".join(lines)


if __name__ == "__main__":
    result = measure()
    print(result["setup"])
    for name, summary in result["contestants"].items():
        print(f"{name:14} {summary['median_cpu_seconds'] * 1e3:8.1f} CPU ms per run "
              f"{summary['median_seconds'] * 1e3:8.1f} wall ms ({summary['median_ms_per_step']:.3f} CPU ms/step)")
    for key, value in result["ratios"].items():
        print(f"{key:28} CPU time {value['cpu']:.2f} (paired {value['cpu_paired']:.2f}), wall {value['wall']:.2f}")
    print("test accuracy", result["test_accuracy"], "final loss", result["final_losses"])
