"""Activation layers: `ReLU`, `Tanh`, `Sigmoid`, `Softmax`, `LogSoftmax`.

Each is a Module wrapper around the function of the same name in
`engine.nn.functional`, so it can sit inside a Sequential.

>>> import engine as torch
>>> torch.nn.ReLU()(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
from . import functional as F
from .module import Module


class ReLU(Module):
    """max(x, 0) element-wise."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh(x) element-wise: squashes to (-1, 1)."""

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + e^-x) element-wise: squashes to (0, 1)."""

    def forward(self, input):
        return F.sigmoid(input)


class Softmax(Module):
    """exp(x) / Σ exp(x) along `dim`."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along `dim`."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"
