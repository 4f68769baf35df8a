"""Benchmark 6: why tensors matter. The same training step in a scalar engine and in the tensor engine.

`Value` below is a complete scalar autograd engine in the style of micrograd:
every number is an object that remembers its inputs and the local derivative
with respect to each, and `backward()` walks them in reverse topological order,
accumulating gradients (`+=`, so a value used twice gets both contributions).
It is written for this benchmark and kept deliberately plain.

Both engines run one SGD step of the same small MLP on the same batch:
32 digits (8×8 pixels) → Linear 64→16 → ReLU → Linear 16→10 → log-softmax →
mean negative log-likelihood → backward → SGD (lr 0.1). The scalar engine
builds one graph node per multiplication and addition, about eighty thousand
of them per step; the tensor engine builds about a dozen nodes whose NumPy
kernels do the same arithmetic. Before timing, the losses of two consecutive
steps (the second one sees the update) must agree between the two.

    >>> from benchmarks import scalar_engine
    >>> scalar_engine.measure(repeats=3)["ratios"]["scalar/tensor"]["cpu"]  # doctest: +SKIP
"""
import math

import numpy as np

from benchmarks import mlp_step, timing

BATCH = 32
HIDDEN = 16
CLASSES = 10
LEARNING_RATE = 0.1


class Value:
    """One scalar in the graph: its value, its gradient, its inputs and d(self)/d(input) for each."""

    __slots__ = ("data", "grad", "inputs", "local_grads")

    def __init__(self, data, inputs=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self.inputs = inputs
        self.local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,))

    def __sub__(self, other):
        return self + (-other)

    __radd__ = __add__
    __rmul__ = __mul__

    def relu(self):
        return Value(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,))

    def exp(self):
        out = math.exp(self.data)
        return Value(out, (self,), (out,))

    def log(self):
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def backward(self):
        """Gradients of self with respect to every value it was computed from."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # depth-first, with an explicit stack: deep graphs need no recursion
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node.inputs if child not in seen)
        self.grad = 1.0
        for node in reversed(order):  # every node before its inputs
            for child, local in zip(node.inputs, node.local_grads):
                child.grad += local * node.grad


def nodes_in(root):
    """How many Values the graph of `root` holds."""
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop().inputs:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


class ScalarMLP:
    """The MLP, one Value per weight; weights laid out input×output, as in the tensor version."""

    def __init__(self, weights):
        self.params = [[[Value(float(v)) for v in row] for row in w] if w.ndim == 2 else [Value(float(v)) for v in w]
                       for w in weights]

    def loss(self, x, y):
        w1, b1, w2, b2 = self.params
        total = 0.0
        for pixels, label in zip(x, y):
            inputs = [Value(float(p)) for p in pixels]
            hidden = [sum((inputs[i] * w1[i][j] for i in range(len(inputs))), b1[j]).relu() for j in range(HIDDEN)]
            logits = [sum((hidden[i] * w2[i][k] for i in range(HIDDEN)), b2[k]) for k in range(CLASSES)]
            shift = max(z.data for z in logits)  # a constant: log-sum-exp does not depend on it
            log_total = sum((z - shift).exp() for z in logits).log() + shift
            total = total + (log_total - logits[int(label)])
        return total * (1.0 / len(y))

    def flat_params(self):
        for p in self.params:
            for row in p:
                yield from row if isinstance(row, list) else [row]

    def step(self, x, y, lr=LEARNING_RATE):
        loss = self.loss(x, y)
        loss.backward()
        for p in self.flat_params():
            p.data -= lr * p.grad
            p.grad = 0.0
        self.last_loss = loss
        return loss.data


def initial_weights(seed=0):
    rng = np.random.default_rng(seed)
    w1 = rng.uniform(-1, 1, size=(64, HIDDEN)) / math.sqrt(64)
    w2 = rng.uniform(-1, 1, size=(HIDDEN, CLASSES)) / math.sqrt(HIDDEN)
    b1 = rng.uniform(-0.1, 0.1, size=HIDDEN)
    b2 = rng.uniform(-0.1, 0.1, size=CLASSES)
    return [a.astype(np.float32) for a in (w1, b1, w2, b2)]


def contestants():
    """{name: step function}: the scalar engine and the tensor engine, each with its own copy of the weights."""
    import engine

    images, labels, source = mlp_step.data()
    x, y = images[:BATCH], labels[:BATCH]
    weights = initial_weights()
    scalar = ScalarMLP(weights)
    lx, ly = engine.tensor(x.copy()), engine.tensor(y.copy())
    params = [engine.tensor(w.copy(), requires_grad=True) for w in weights]
    steps = {
        "scalar": lambda: scalar.step(x, y),
        "tensor": lambda: mlp_step.step(engine, lx, ly, params),
    }
    return steps, scalar, source


def check_same_work(steps, rtol=1e-4):
    """Two steps of each from the same weights: the losses must agree. Returns them."""
    losses = {name: [run(), run()] for name, run in steps.items()}
    for got, want in zip(losses["tensor"], losses["scalar"]):
        if not abs(got - want) <= rtol * abs(want):
            raise AssertionError(f"the scalar and tensor engines disagree on the loss: {losses}")
    return losses


def measure(repeats=5, tensor_steps=50, warmup=1):
    """Seconds per training step for each engine, and how many times slower the scalar one is, as a dict.

    `repeats` interleaved rounds: one scalar step, then `tensor_steps` tensor steps.
    """
    with timing.single_threaded():
        steps, scalar, source = contestants()
        losses = check_same_work(steps)
        graph_nodes = nodes_in(scalar.last_loss)
        del scalar.last_loss
        timing.collected()
        raw = timing.interleaved({"scalar": timing.block(steps["scalar"], 1),
                                  "tensor": timing.block(steps["tensor"], tensor_steps)}, repeats, warmup)
    results = {name: timing.summarize(samples) for name, samples in raw.items()}
    ratios = {"scalar/tensor": timing.ratio(results["scalar"], results["tensor"])}
    return {
        "benchmark": "scalar_engine",
        "data": source,
        "model": f"{BATCH} digits, Linear 64→{HIDDEN} → ReLU → Linear {HIDDEN}→{CLASSES}, log-softmax + NLL, SGD",
        "rounds": repeats,
        "tensor_steps_per_round": tensor_steps,
        "losses_first_two_steps": losses,
        "scalar_graph_nodes": graph_nodes,
        "scalar_us_per_node": results["scalar"]["median_cpu_seconds"] / graph_nodes * 1e6,
        "contestants": results,
        "ratios": ratios,
        "notes": [],
    }


def summary_rows(result):
    """Rows for the README's summary table (run.py)."""
    ratio = result["ratios"]["scalar/tensor"]
    return [f"| 6. scalar engine | scalar/tensor, one training step | {ratio['cpu']:.0f}× ({ratio['cpu_paired']:.0f}×) | "
            f"{ratio['wall']:.0f}× ({ratio['wall_paired']:.0f}×) | – |"]


def markdown(result):
    """The README section for this benchmark (run.py)."""
    scalar, tensor = result["contestants"]["scalar"], result["contestants"]["tensor"]
    ratio = result["ratios"]["scalar/tensor"]
    losses = ", ".join(f"{name} {a:.6f} → {b:.6f}" for name, (a, b) in result["losses_first_two_steps"].items())
    return "\n".join([
        f"### 6. Scalar engine against tensor engine: {result['model']}",
        "",
        f"{result['rounds']} interleaved rounds of one scalar step and {result['tensor_steps_per_round']} tensor "
        f"steps. Losses of the first two steps (they agree to 1e-4 before timing): {losses}.",
        "",
        "| engine | median CPU ms per step | median wall ms per step | graph nodes per step |",
        "|---|---|---|---|",
        f"| scalar (`Value`, one node per number) | {scalar['median_cpu_seconds'] * 1e3:.1f} | "
        f"{scalar['median_seconds'] * 1e3:.1f} | {result['scalar_graph_nodes']:,} |",
        f"| tensor (the engine) | {tensor['median_cpu_seconds'] * 1e3:.3f} | {tensor['median_seconds'] * 1e3:.3f} | "
        "about a dozen |",
        "",
        f"The scalar engine is **{ratio['cpu']:.0f}×** slower in CPU time (paired {ratio['cpu_paired']:.0f}×; wall "
        f"clock {ratio['wall']:.0f}×), about {result['scalar_us_per_node']:.1f} CPU µs per scalar node.",
        "",
    ])


if __name__ == "__main__":
    result = measure()
    for name, summary in result["contestants"].items():
        print(f"{name:7} engine {summary['median_cpu_seconds'] * 1e3:9.3f} CPU ms/step "
              f"{summary['median_seconds'] * 1e3:9.3f} wall ms/step")
    ratio = result["ratios"]["scalar/tensor"]
    print(f"scalar/tensor: CPU time {ratio['cpu']:.0f}× (paired {ratio['cpu_paired']:.0f}×), "
          f"wall clock {ratio['wall']:.0f}×; {result['scalar_graph_nodes']:,} scalar nodes per step, "
          f"{result['scalar_us_per_node']:.2f} CPU µs per node")
    print("losses", result["losses_first_two_steps"])
