"""Drawing the graph autograd records, and reading the chain rule off it.

`draw_forward(L, names=locals())` shows how `L` was computed; `draw_backward`
shows the same graph with the arrows turned round, from `L` back to the leaves,
each labelled with its local derivative; `gradient_paths(L, a)` lists every route
from `L` back to `a` with the product of the local derivatives along it, and
those products add up to `a.grad`.

>>> import engine as torch
>>> from engine import viz
>>> a = torch.tensor(2., requires_grad=True)
>>> b = a + a
>>> L = b * b
>>> [p.product for p in viz.gradient_paths(L, a)]
[4.0, 4.0, 4.0, 4.0]
>>> L.backward(); a.grad
tensor(16.)

Modules: `graph` (the recorded nodes read back as tensors and operations),
`derivatives` (local derivatives and gradient paths), `dot` (the DOT text and
its styles), `drawing` (running Graphviz, inline SVG, saving files).
"""
from .derivatives import Path, gradient_paths, local_derivatives
from .dot import draw_backward, draw_forward
from .drawing import Drawing, GraphvizNotFound

__all__ = ["Drawing", "GraphvizNotFound", "Path", "draw_backward", "draw_forward", "gradient_paths",
           "local_derivatives"]
