"""`RemovableHandle`: what `register_hook` returns, to take the hook off again (torch.utils.hooks)."""
import itertools

_ids = itertools.count()


class RemovableHandle:
    """Removes one registered hook: `handle.remove()`, or leave a `with` block."""

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = next(_ids)

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()
