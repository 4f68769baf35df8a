"""gradcheck: analytic gradients against central differences, and its verdict on wrong ones."""
import importlib
import warnings

import pytest

import engine
from engine.autograd import GradcheckError, gradcheck
from torch_compat import torch  # noqa: F401


def double(*shape):
    return engine.randn(*shape, dtype=engine.float64, requires_grad=True)


def wrong_square_class(lib):
    """x² whose backward forgets the factor 2: the mistake gradcheck is for."""

    class WrongSquare(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * x

    return WrongSquare


def right_square_class(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return 2 * grad_output * x

    return Square


def test_gradcheck_passes_on_correct_functions():
    engine.manual_seed(0)
    assert gradcheck(lambda t: (t * t.sin()).sum(), (double(3),))
    assert gradcheck(lambda a, b: a @ b, (double(2, 3), double(3, 2)))
    assert gradcheck(lambda a, b: (a * b, a - b), (double(2), double(2)))  # several outputs
    assert gradcheck(right_square_class(engine).apply, (double(4),))
    assert gradcheck(lambda a, k: a * k, (double(2), engine.tensor([2.0, 3.0])))  # k does not require grad


def test_gradcheck_raises_on_a_wrong_backward():
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(wrong_square_class(engine).apply, (double(3),))
    assert issubclass(GradcheckError, RuntimeError)
    # Where torch keeps it (torch.autograd.gradcheck is both a function and a module).
    assert importlib.import_module("engine.autograd.gradcheck").GradcheckError is GradcheckError


def test_gradcheck_can_return_false_instead():
    assert gradcheck(wrong_square_class(engine).apply, (double(3),), raise_exception=False) is False


def test_gradcheck_catches_a_wrong_gradient_for_one_input_only():
    class HalfWrong(engine.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * b  # the second should be grad * a

    with pytest.raises(GradcheckError, match="with respect to input 1"):
        gradcheck(HalfWrong.apply, (double(2), double(2)))


def test_gradcheck_warns_about_single_precision():
    x = engine.randn(3, requires_grad=True)
    with pytest.warns(UserWarning, match="^Input #0 requires gradient and is not a double precision floating point"):
        gradcheck(lambda t: t * 2, (x,), eps=1e-3, atol=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradcheck(lambda t: t * 2, (double(3),))


def test_verdicts_match_torchs_gradcheck(torch):
    torch.manual_seed(0)
    for make, expected in ((right_square_class, True), (wrong_square_class, False)):
        ours = gradcheck(make(engine).apply, (double(3),), raise_exception=False)
        theirs = torch.autograd.gradcheck(make(torch).apply, (torch.randn(3, dtype=torch.float64,
                                                                             requires_grad=True),),
                                          raise_exception=False)
        assert ours is theirs is expected
    with pytest.raises(importlib.import_module("torch.autograd.gradcheck").GradcheckError):
        torch.autograd.gradcheck(wrong_square_class(torch).apply,
                                 (torch.randn(3, dtype=torch.float64, requires_grad=True),))


def test_single_precision_warning_matches_torch(torch):
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        gradcheck(lambda t: t * 2, (engine.randn(3, requires_grad=True),), eps=1e-3, atol=1e-2, raise_exception=False)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.autograd.gradcheck(lambda t: t * 2, (torch.randn(3, requires_grad=True),), eps=1e-3, atol=1e-2,
                                 raise_exception=False)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
