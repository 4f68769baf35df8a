"""`engine.utils`: helpers around the engine; `engine.utils.data` feeds batches to a training loop."""
from . import data

__all__ = ["data"]
