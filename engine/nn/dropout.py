"""`Dropout`: randomly zero activations while training, to discourage co-adaptation.

>>> import engine as torch
>>> drop = torch.nn.Dropout(p=0.5)
>>> x = torch.ones(8)
>>> y = drop(x)                                        # training: each element dropped or doubled
>>> bool(((y == 0) | (y == 2)).all())
True
>>> torch.equal(drop.eval()(x), x)                     # evaluation: the identity
True
"""
from . import functional as F
from .module import Module


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1/(1-p); in eval, pass through."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
