"""Checking gradients numerically: analytic (autograd) against central differences.

>>> import engine as torch
>>> x = torch.randn(3, dtype=torch.float64, requires_grad=True)
>>> torch.autograd.gradcheck(lambda t: (t * t.sin()).sum(), (x,))
True
"""
import warnings

import numpy as np


class GradcheckError(RuntimeError):
    """Raised when the analytic and numerical Jacobians disagree."""


def _as_tuple(value):
    from ..tensor import Tensor

    return (value,) if isinstance(value, Tensor) else tuple(value)


def _numerical_jacobian(fn, inputs, index, eps, outputs):
    """d(output)/d(input[index]) by central differences, one input element at a time."""
    array = inputs[index]._data  # perturbed in place, so fn sees the change
    columns = []
    for position in np.ndindex(array.shape):
        original = array[position]
        array[position] = original + eps
        plus = [o.detach()._data.astype(np.float64).ravel().copy() for o in _as_tuple(fn(*inputs))]
        array[position] = original - eps
        minus = [o.detach()._data.astype(np.float64).ravel().copy() for o in _as_tuple(fn(*inputs))]
        array[position] = original
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    return [np.stack([c[i] for c in columns], axis=1) if columns else np.zeros((o._data.size, 0))
            for i, o in enumerate(outputs)]


def _analytical_jacobian(outputs, inputs, index):
    """d(output)/d(input[index]) by backpropagating one unit vector per output element."""
    from .engine import grad
    from ..creation import zeros_like

    target = inputs[index]
    result = []
    for output in outputs:
        jacobian = np.zeros((output._data.size, target._data.size))
        if output._requires_grad:
            for row in range(output._data.size):
                unit = zeros_like(output)
                unit._data.flat[row] = 1  # .flat: unit may be laid out like a transposed output
                (g,) = grad(output, target, unit, retain_graph=True, allow_unused=True)
                if g is not None:
                    jacobian[row] = g._data.astype(np.float64).ravel()
        result.append(jacobian)
    return result


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **ignored):
    """True when autograd's gradients of `func` match finite differences for every input element."""
    from ..tensor import Tensor

    inputs = _as_tuple(inputs)
    for position, t in enumerate(inputs):
        if isinstance(t, Tensor) and t._requires_grad and t._data.dtype != np.float64:
            warnings.warn(
                f"Input #{position} requires gradient and is not a double precision floating point or complex. "
                "This check will likely fail if all the inputs are not of double precision floating point or complex. ",
                UserWarning,
                stacklevel=2,
            )
    outputs = _as_tuple(func(*inputs))
    for index, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t._requires_grad):
            continue
        analytical = _analytical_jacobian(outputs, inputs, index)
        numerical = _numerical_jacobian(func, inputs, index, eps, outputs)
        for output_index, (a, n) in enumerate(zip(analytical, numerical)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {output_index} with respect to input {index},\n"
                    f"numerical:{n}\nanalytical:{a}\n"
                )
    return True
