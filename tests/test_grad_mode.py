"""no_grad, enable_grad and set_grad_enabled: as context managers, as decorators, and as calls."""
import pytest

import engine
from torch_compat import torch  # noqa: F401


def records(lib=engine):
    return (lib.ones(1, requires_grad=True) * 2).requires_grad


def test_is_grad_enabled_by_default():
    assert engine.is_grad_enabled() and records()


def test_no_grad_context():
    x = engine.ones(2, requires_grad=True)
    with engine.no_grad():
        assert not engine.is_grad_enabled()
        y = x * 2
        with engine.enable_grad():
            assert engine.is_grad_enabled() and records()
        assert not engine.is_grad_enabled()
    assert engine.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert x.requires_grad  # leaves keep their flag


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with engine.no_grad():
            1 / 0
    assert engine.is_grad_enabled()
    with engine.no_grad():
        with pytest.raises(KeyError):
            with engine.enable_grad():
                raise KeyError
        assert not engine.is_grad_enabled()
    assert engine.is_grad_enabled()


def test_decorators_with_and_without_parentheses():
    @engine.no_grad()
    def called():
        return records()

    @engine.no_grad
    def bare():
        return records()

    @engine.enable_grad()
    def enabled():
        return records()

    @engine.set_grad_enabled(False)
    def disabled():
        return records()

    assert engine.is_grad_enabled()  # making the decorators changed nothing
    assert not called() and not bare() and not disabled()
    assert called.__name__ == "called" and bare.__name__ == "bare"
    with engine.no_grad():
        assert enabled()
    assert engine.is_grad_enabled()


def test_a_decorated_function_can_be_called_recursively():
    @engine.no_grad()
    def depth(n):
        assert not engine.is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3 and engine.is_grad_enabled()


def test_set_grad_enabled_as_a_call_and_as_a_context():
    engine.set_grad_enabled(False)
    try:
        assert not engine.is_grad_enabled() and not records()
    finally:
        engine.set_grad_enabled(True)
    assert engine.is_grad_enabled()
    with engine.set_grad_enabled(False):
        assert not records()
    assert engine.is_grad_enabled()
    with engine.no_grad():
        with engine.set_grad_enabled(True):
            assert records()
        assert not engine.is_grad_enabled()


def test_autograd_namespace_has_the_same_managers():
    assert engine.autograd.no_grad is engine.no_grad
    assert engine.autograd.enable_grad is engine.enable_grad
    assert engine.autograd.set_grad_enabled is engine.set_grad_enabled


def test_the_same_programs_behave_as_in_torch(torch):
    def program(lib):
        seen = []

        @lib.no_grad()
        def inner():
            seen.append(lib.is_grad_enabled())

        @lib.no_grad
        def bare():
            seen.append(lib.is_grad_enabled())

        inner()
        bare()
        with lib.no_grad():
            seen.append(records(lib))
            with lib.enable_grad():
                seen.append(records(lib))
            with lib.set_grad_enabled(True):
                seen.append(lib.is_grad_enabled())
            seen.append(lib.is_grad_enabled())
        lib.set_grad_enabled(False)
        seen.append(records(lib))
        lib.set_grad_enabled(True)
        seen.append(records(lib))
        return seen

    assert program(engine) == program(torch)
