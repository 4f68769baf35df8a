"""The torch-level functions (`engine.add`, `engine.exp`, `engine.cat`, ...).

Each checks and normalises its arguments as torch does, then calls the primitive
`Function` that computes it. Tensor methods and operators call these, so there
is one implementation per operation. The modules here, one idea each:

* `operands`: what a function accepts as an operand (tensors, numbers);
* `elementwise`, `linalg`, `reductions`, `shapes`: the functions, by theme;
* `indexing`: torch's indexing rules, translated to NumPy (`x[i]`, `x[i] = v`);
* `in_place`: in-place writes (`x.add_(y)`, `fill_`, `copy_`) and torch's checks before them;
* `out`: writing into a given `out=` tensor.

>>> import engine as torch
>>> torch.add(torch.tensor([1, 2]), 0.5)
tensor([1.5000, 2.5000])
"""
import inspect

from . import elementwise, linalg, reductions, shapes
from .elementwise import COMPARABLE, _CPP_TYPE_NAMES, _check_clamp_cast, _not_comparable  # noqa: F401
from .in_place import copy_, fill_, inplace, normal_, uniform_  # noqa: F401
from .indexing import index, index_put_  # noqa: F401
from .shapes import _repeat  # noqa: F401


def _operations(module):
    """The public functions `module` defines: its torch-level operations (helpers start with _)."""
    return [name for name, value in vars(module).items()
            if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == module.__name__]


# Every torch-level operation, by theme. engine/__init__ exports exactly these, so a new
# operation is one function in its theme's module and nothing else here.
__all__ = [name for theme in (elementwise, linalg, reductions, shapes) for name in _operations(theme)]
globals().update({name: getattr(theme, name) for theme in (elementwise, linalg, reductions, shapes)
                  for name in _operations(theme)})
