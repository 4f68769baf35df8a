"""Live pictures for the notebooks: ipywidgets that recompute and redraw as a control moves.

Each chapter's widgets live in their own module here; every widget shows a complete first
picture before anyone touches it, so the HTML book (which has no kernel) shows it too, and
each stands beside a static figure that makes the same point.

* `graphs`: computational graphs you can change (GraphExplorer, PathExplorer,
  BackwardStepper, RecordedGraphs) and `walk`, the backward pass replayed step by step.
* `training`: training runs over a grid of learning rates and hidden sizes (sweep,
  plot_sweep, SweepExplorer).
"""
from .graphs import BackwardStepper, GraphExplorer, PathExplorer, RecordedGraphs, naive_gradients, walk  # noqa: F401
from .training import SweepExplorer, plot_sweep, sweep  # noqa: F401
