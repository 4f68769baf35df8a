"""How long engine.viz takes to draw a big graph: 1,000 nodes, traced, written as DOT and laid out by dot.

The budget is 2 s per drawing with the default node cap (the drawing folds what
lies beyond it into one box). Uncapped times are printed too, for information.

    .venv/bin/python benchmarks/viz_render.py [--nodes 1000] [--uncapped]
"""
import argparse
import time

import engine as torch
from engine import viz
from engine.viz.graph import trace

BUDGET_S = 2.0


def build(nodes):
    """A scalar network with reuse: tanh(x * w + b) repeated, three operations per step."""
    torch.manual_seed(0)
    weights = [torch.tensor(0.1 * (i + 1), requires_grad=True) for i in range(10)]
    bias = torch.tensor(0.5, requires_grad=True)
    x = torch.tensor(1.0, requires_grad=True)
    for step in range(nodes // 3):
        x = (x * weights[step % 10] + bias).tanh()
    return x


def timed(label, make):
    start = time.perf_counter()
    drawing = make()
    built = time.perf_counter() - start
    try:
        drawing.svg()
    except RuntimeError as error:  # dot gave up
        print(f"{label:<34} DOT {built * 1000:7.1f} ms   {error}")
        return float("inf")
    total = time.perf_counter() - start
    verdict = "ok" if total < BUDGET_S else f"OVER the {BUDGET_S:.0f} s budget"
    print(f"{label:<34} DOT {built * 1000:7.1f} ms   DOT + dot -Tsvg {total * 1000:8.1f} ms   {verdict}")
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000, help="graph nodes (grad_fns and AccumulateGrads)")
    parser.add_argument("--uncapped", action="store_true", help="also draw every node (max_nodes=None)")
    args = parser.parse_args()
    L = build(args.nodes)
    graph = trace(L)
    engine_nodes = len(graph.ops) + sum(1 for var in graph.vars if var.kind == "weight")
    print(f"graph: {engine_nodes} engine nodes ({len(graph.ops)} operations), {len(graph.items)} tensors + operations")
    bias = L.grad_fn.next_functions[0][0].next_functions[1][0].variable  # tanh ← add ← (x * w, bias)
    start = time.perf_counter()
    paths = viz.gradient_paths(L, bias)
    elapsed = (time.perf_counter() - start) * 1000
    print(f"{'gradient_paths (to the bias)':<34} {len(paths)} paths in {elapsed:.1f} ms")
    worst = max(timed("draw_forward (max_nodes=150)", lambda: viz.draw_forward(L)),
                timed("draw_backward (max_nodes=150)", lambda: viz.draw_backward(L)))
    if args.uncapped:
        timed("draw_forward (uncapped)", lambda: viz.draw_forward(L, max_nodes=None))
        timed("draw_backward (uncapped)", lambda: viz.draw_backward(L, max_nodes=None))
    return 0 if worst < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
