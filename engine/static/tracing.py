"""Tracing: run a Python function once on example inputs and keep the operations it did.

What the trace keeps is one path through the function. Python control flow that
looked at values (`if x.sum() > 0`) is not recorded, only its outcome on the
example, so the trace warns (`TracerWarning`) and later replays that same branch.

>>> import engine as torch
>>> from engine import static
>>> double = static.trace(lambda x: x * 2, torch.tensor([1., 2.]))
>>> double(torch.tensor([5., 6.]))
tensor([10., 12.])
"""
from ..tensor import Tensor
from .graph import Graph


class TracedFunction:
    """A recorded graph, called like the function it was traced from."""

    def __init__(self, graph, inputs, outputs):
        self.graph = graph
        self.inputs = inputs
        self.outputs = outputs

    def __call__(self, *values):
        if len(values) != len(self.inputs):
            raise TypeError(f"the traced function takes {len(self.inputs)} inputs, got {len(values)}")
        results = self.graph.run(list(self._flat_outputs()), dict(zip(self.inputs, values)))
        return results[0] if isinstance(self.outputs, Tensor) else tuple(results)

    def _flat_outputs(self):
        return [self.outputs] if isinstance(self.outputs, Tensor) else list(self.outputs)

    def __str__(self):
        return str(self.graph)

    def draw(self):
        return self.graph.draw(self._flat_outputs())


class _TraceGraph(Graph):
    _mode = "trace"


def trace(fn, *example_inputs):
    """Record what `fn(*example_inputs)` does as a graph callable on new inputs."""
    graph = _TraceGraph()
    with graph:
        inputs = [
            graph.placeholder(f"x{i}", tuple(x.shape), x.dtype, example=x) for i, x in enumerate(example_inputs)
        ]
        outputs = fn(*inputs)
    return TracedFunction(graph, inputs, outputs)
