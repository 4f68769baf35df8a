"""`Parameter`: a tensor that a Module registers as something to learn.

>>> import engine as torch
>>> torch.nn.Parameter(torch.zeros(2))
Parameter containing:
tensor([0., 0.], requires_grad=True)
"""
from .. import formatting
from ..creation import empty
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default (even under no_grad).

    It shares memory with `data`, as torch's does. Assigning one to a Module
    attribute registers it, so it shows up in `parameters()` and `state_dict()`.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        param = object.__new__(cls)
        param._data = data._data
        param._version_counter = data._version_counter
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        param._requires_grad = bool(requires_grad)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__; Tensor.__init__ would allocate again

    def __repr__(self):
        grad_fn = self._grad_fn
        return formatting.tensor_repr(
            self._data, self.dtype, self._requires_grad, grad_fn.name() if grad_fn is not None else None,
            prefix="Parameter containing:\ntensor(",
        )

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.data.clone(), self._requires_grad)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return _rebuild_parameter, (self._data, self._requires_grad)


def _rebuild_parameter(array, requires_grad):
    from ..tensor import _wrap

    return Parameter(_wrap(array), requires_grad)
