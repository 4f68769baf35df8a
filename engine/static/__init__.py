"""`engine.static`: the define-then-run style of TensorFlow 1, and tracing, on the same engine.

- `Graph`, `placeholder`: declare a program, then `graph.run(fetches, feed_dict)` many times.
- `gradients`: the backward program, built symbolically before any data exists.
- `cond`, `while_loop`: control flow as graph operations.
- `trace`, `TracerWarning`: record one run of a Python function as a graph.
"""
from .control import cond, while_loop
from .gradients import gradients
from .graph import Graph, Symbol, TracerWarning, current_graph, placeholder
from .tracing import TracedFunction, trace

__all__ = [
    "Graph", "Symbol", "TracedFunction", "TracerWarning", "cond", "current_graph", "gradients", "placeholder",
    "trace", "while_loop",
]
