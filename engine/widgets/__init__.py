"""Live pictures for the notebooks: ipywidgets that recompute and redraw as a control moves.

Each chapter's widgets live in their own module here; every widget shows a complete first
picture before anyone touches it, so the HTML book (which has no kernel) shows it too, and
each stands beside a static figure that makes the same point.

* `compare`: the same cell under the engine and real torch (SameCell, ComparisonTable).
* `products`: the matrix product as rows times columns, and its shape rule (ProductExplorer, ShapeTable).
* `memory`: views over flat memory (ViewExplorer, draw_view, view_layout): shape, strides
  and offset drawn over the buffer a view reads.
* `broadcasting`: two shapes lined up from the right, and the sum's shape or the error
  (BroadcastExplorer, broadcast_report).
* `graphs`: computational graphs you can change (GraphExplorer, PathExplorer,
  BackwardStepper, RecordedGraphs) and `walk`, the backward pass replayed step by step.
* `descent`: gradient descent with and without zeroing the gradient (DescentExplorer).
* `modes`: forward mode against reverse mode, one Jacobian computed both ways (ModesExplorer).
* `training`: training runs over a grid of learning rates and hidden sizes (sweep,
  plot_sweep, SweepExplorer).
"""
from .broadcasting import BroadcastExplorer, broadcast_report  # noqa: F401
from .compare import ComparisonTable, SameCell, compare, run_cell  # noqa: F401
from .descent import DescentExplorer  # noqa: F401
from .graphs import BackwardStepper, GraphExplorer, PathExplorer, RecordedGraphs, naive_gradients, walk  # noqa: F401
from .memory import ViewExplorer, draw_view, view_layout  # noqa: F401
from .modes import ModesExplorer, timing_grid  # noqa: F401
from .products import ProductExplorer, ShapeTable, counting_matrix, draw_product, product_shape  # noqa: F401
from .training import SweepExplorer, plot_sweep, sweep  # noqa: F401
