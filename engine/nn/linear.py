"""`Linear` (y = x Wᵀ + b) and `Identity`.

>>> import engine as torch
>>> layer = torch.nn.Linear(64, 128)
>>> layer
Linear(in_features=64, out_features=128, bias=True)
>>> layer.weight.shape, layer.bias.shape
(torch.Size([128, 64]), torch.Size([128]))
"""
import math

from .. import dtypes
from ..creation import empty
from . import functional as F, init
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """y = x Wᵀ + b, with W of shape (out_features, in_features).

    Initialised as torch does: W and b both uniform in ±1/√in_features (W through
    `kaiming_uniform_` with a=√5), drawn from the engine's generator.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # a=√5 makes kaiming's bound gain·√(3/fan_in) = √(1/3)·√(3/fan_in) = 1/√fan_in.
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer); accepts and ignores any arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
