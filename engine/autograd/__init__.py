"""`engine.autograd`: reverse-mode automatic differentiation, with torch's names.

- `Function`: write a differentiable operation (forward and backward side by side).
- `backward` / `grad`: run the backward pass into `.grad`, or return the gradients.
- `gradcheck`: compare autograd with finite differences.
- `Variable`: the pre-0.4 wrapper, which now just returns a Tensor.
"""
from ..grad_mode import enable_grad, no_grad, set_grad_enabled
from .function import Function
from .node import AccumulateGrad, Node
from .gradcheck import GradcheckError, gradcheck
from .engine import backward, grad
from .variable import Variable

__all__ = [
    "AccumulateGrad", "Function", "GradcheckError", "Node", "Variable", "backward", "enable_grad", "grad",
    "gradcheck", "no_grad", "set_grad_enabled",
]
