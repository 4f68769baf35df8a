"""Switching the recording of operations on and off: no_grad, enable_grad, set_grad_enabled.

>>> import engine as torch
>>> x = torch.ones(2, requires_grad=True)
>>> with torch.no_grad():
...     y = x * 2
>>> y.requires_grad
False
"""
import functools


class _State:
    # PyTorch keeps this flag per thread; the engine is single-threaded.
    enabled = True


_state = _State()


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded."""
    return _state.enabled


class _GradModeContext:
    """Base for context managers that are also decorators, as torch's are."""

    _mode = True

    def __enter__(self):
        self._previous = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc):
        _state.enabled = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():  # a fresh context per call, so nested calls restore correctly
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Do not record operations: inside, results never require grad.

    Usable as `with no_grad():`, `@no_grad()` or `@no_grad`.
    """

    _mode = False

    def __new__(cls, func=None):
        instance = super().__new__(cls)
        if callable(func):  # used bare, as @no_grad
            return instance(func)
        return instance

    def __init__(self, func=None):
        pass


class enable_grad(no_grad):
    """Record operations again, even inside a no_grad block."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off: as a call it acts at once; as a context it restores on exit."""

    def __init__(self, mode):
        self._mode = bool(mode)
        self._previous = _state.enabled
        _state.enabled = self._mode

    def __enter__(self):
        pass

    def __call__(self, func):
        _state.enabled = self._previous  # as a decorator, the call above must not stick

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self._mode):
                return func(*args, **kwargs)

        return wrapper
