"""Live pictures for the notebooks: ipywidgets that recompute and redraw as a control moves.

Each chapter's widgets live in their own module here; every widget shows a complete first
picture before anyone touches it, so the HTML book (which has no kernel) shows it too, and
each stands beside a static figure that makes the same point.

* `graphs`: computational graphs you can change (GraphExplorer, PathExplorer,
  BackwardStepper, RecordedGraphs) and `walk`, the backward pass replayed step by step.
* `compare`: the same cell under the engine and real torch (SameCell, ComparisonTable).
* `products`: the matrix product as rows times columns, and its shape rule (ProductExplorer, ShapeTable).
"""
from .compare import ComparisonTable, SameCell, compare, run_cell  # noqa: F401
from .graphs import BackwardStepper, GraphExplorer, PathExplorer, RecordedGraphs, naive_gradients, walk  # noqa: F401
from .products import ProductExplorer, ShapeTable, counting_matrix, draw_product, product_shape  # noqa: F401
