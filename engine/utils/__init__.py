"""`engine.utils`: helpers around the engine; `engine.utils.data` feeds batches to a training loop,
`engine.utils.hooks` holds the handle that `Tensor.register_hook` returns."""
from . import data, hooks

__all__ = ["data", "hooks"]
