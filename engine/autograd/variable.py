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
    """Calling `Variable(t, requires_grad=...)` returns a Tensor: a new leaf sharing `t`'s memory."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        from ..tensor import Tensor

        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            import warnings

            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        # A new leaf over the same memory, as torch returns: `data` itself is left as it was.
        return data.detach().requires_grad_(requires_grad)
