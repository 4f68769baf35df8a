"""The named pairs some reductions return, printed as torch prints them.

>>> import engine as torch
>>> values, indices = torch.tensor([[1., 5.], [7., 2.]]).max(dim=1)
>>> indices
tensor([1, 0])
"""
from collections import namedtuple


def _result_type(name):
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__repr__": __repr__, "__slots__": (), "__module__": "torch.return_types"})


max = _result_type("max")
min = _result_type("min")
