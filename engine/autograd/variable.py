"""`Variable`, kept for old code: since PyTorch 0.4 it simply returns a Tensor.

>>> import engine as torch
>>> v = torch.autograd.Variable(torch.ones(2), requires_grad=True)
>>> type(v).__name__, v.requires_grad
('Tensor', True)
"""


class _VariableMeta(type):
    def __instancecheck__(cls, instance):
        from ..tensor import Tensor

        return isinstance(instance, Tensor)


class Variable(metaclass=_VariableMeta):
    """Calling `Variable(t, requires_grad=...)` returns `t` itself (a Tensor), as torch does today."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        from ..tensor import Tensor

        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            import warnings

            warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2)
        return data.requires_grad_(requires_grad) if requires_grad else data
