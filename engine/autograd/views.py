"""How autograd follows views: the history of a view and of its base stay in step.

A view shares its base's memory and version counter. Two things follow, as in torch:

* When the base (or another view of it) is written in place, the view's recorded
  history is out of date. The next time it is needed, the view's `grad_fn` is
  re-derived from the base's new history: an `AsStridedBackward0` node that reads
  the view's elements out of the base's gradient.
* When a view is written in place by a recorded operation, the write is recorded
  on the base: its new `grad_fn` is a `CopySlices` node that sends the gradient
  of the written elements through that operation and the rest unchanged.

>>> import engine as torch
>>> x = torch.tensor([0., 1., 2.], requires_grad=True)
>>> y = x * 2
>>> y[1:].mul_(3)
tensor([ 6., 12.], grad_fn=<AsStridedBackward0>)
>>> y.grad_fn
<CopySlices object ...>
>>> y.sum().backward(); x.grad
tensor([2., 6., 6.])
"""
import numpy as np

from ..layout import OVERLAP_ERROR, overlaps_itself

from .function import Function, _connect, _sequence
from .node import BackwardNode, _SECOND_BACKWARD, _accumulator, _short_name


def requires_grad(view):
    """torch's rule for a view: it requires grad when its history does, or when its base does."""
    return view._requires_grad or view._grad_fn is not None or view._base._requires_grad


def needs_grad(view):
    """Whether an op on `view` is recorded; its grad_fn is brought up to date first, for the op's edge."""
    refresh(view)
    return view._requires_grad or view._grad_fn is not None or view._base._requires_grad


def refresh(view):
    """Re-derive a view's grad_fn if its base was written in place since it was last recorded."""
    if view._view_version == view._version_counter[0]:
        return
    base = view._base
    if view._grad_fn is None and not base._requires_grad:
        return  # nothing to differentiate through
    if view._view_creation is not None:
        raise RuntimeError(_rebase_error(view, indirect=True))
    node = AsStrided._node_class()
    node.positions, node.base_shape = positions(view._data, base._data), base._data.shape
    node.needs_input_grad = (True,)
    _connect(node, (base,), (view,))
    view._view_version = view._version_counter[0]
    if view._retains_grad:  # retain_grad follows the tensor; hooks stay with the old node, as in torch
        node._retain_grad_of(view)


def check_writable(view):
    """torch's refusal to record a write into a view made by split/unbind, under no_grad or in a custom Function."""
    if view._view_creation is not None:
        raise RuntimeError(_rebase_error(view, indirect=False))


def _rebase_error(view, indirect):
    modified = "its base or another view of its base has been" if indirect else "is being"
    grad_fn = view._grad_fn
    if grad_fn is not None:
        message = f"Output {view._output_nr} of {_short_name(grad_fn)} is a view and {modified} modified inplace."
    else:
        message = f"A view was created in no_grad mode and {modified} modified inplace with grad mode enabled."
    if view._view_creation == "custom_function":
        return message + (
            " This view was created inside a custom Function (or because an input was returned as-is) and the "
            "autograd logic to handle view+inplace would override the custom backward associated with the custom "
            "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the "
            "output of the custom Function."
        )
    if view._view_creation == "multi_output":
        return message + (
            " This view is the output of a function that returns multiple views. Such functions do not allow the "
            "output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        )
    return message + (
        " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
        "both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be "
        "tracked) or both outside (if you want the inplace to be tracked)."
    )


def positions(view_array, base_array):
    """For each element of the view, the flat (C-order) index of the base element it shares memory with."""
    view_addresses = _addresses(view_array) - _start(base_array)
    if base_array.flags.c_contiguous:
        return view_addresses // base_array.itemsize
    base_addresses = (_addresses(base_array) - _start(base_array)).reshape(-1)
    order = np.argsort(base_addresses, kind="stable")
    return order[np.searchsorted(base_addresses[order], view_addresses)]


def _start(array):
    return array.__array_interface__["data"][0]


def _addresses(array):
    addresses = np.full(array.shape, _start(array), dtype=np.int64)
    for axis, (size, stride) in enumerate(zip(array.shape, array.strides)):
        shape = [1] * array.ndim
        shape[axis] = size
        addresses = addresses + (np.arange(size, dtype=np.int64) * stride).reshape(shape)
    return addresses


class AsStrided(Function):
    """A view re-read from its base's memory; backward adds the gradient at the positions it reads."""

    node_name = "AsStridedBackward0"
    symbol = "as_strided"
    derivatives = ("grad added where it was read",)
    static_name = "asstrided"

    @staticmethod
    def backward(ctx, grad):
        return _scatter(grad, ctx.positions, ctx.base_shape)


def _scatter(values, where, shape):
    """zeros(shape) with `values` added at the flat positions `where` (differentiable)."""
    from ..ops.indexing import IndexScatter

    size = int(np.prod(shape, dtype=np.int64))
    return IndexScatter.apply(values.reshape(-1), (where.reshape(-1),), (size,)).reshape(shape)


class CopySlices(BackwardNode):
    """The base's history after a recorded write into one of its views.

    The gradient of the written elements goes through the write's own backward
    (`fn`); its gradient for the view's old values, and the gradient of every
    other element, go to the base's old history.
    """

    _name = "torch::autograd::CopySlices"
    symbol = "setitem"  # what drawings show, as a Function declares it (see Function)
    derivatives = ("grad, written part zeroed", "grad[index]")
    ordered_inputs = True
    _released = False

    def _run(self, grad_outputs):
        from ..ops.indexing import Index

        if self._released:  # torch drops `fn` on release, so any second pass raises
            raise RuntimeError(_SECOND_BACKWARD)
        if self.view_overlaps and self._input_meta[0] is not None:
            # torch copies the gradient for the view's old values into a view of the base's gradient
            # shaped like the written one, and that copy refuses to write shared memory
            raise RuntimeError(OVERLAP_ERROR)
        grad, = grad_outputs
        flat = grad.reshape(-1)
        where = self.positions.reshape(-1)
        written = Index.apply(flat, (where,)).reshape(self.view_shape)
        kept = np.ones(flat._data.shape, dtype=bool)
        kept[where] = False
        if not self.replaces_first_input:  # the write was recorded as several nodes: send it to the last
            return [(flat * _constant(kept)).reshape(grad._data.shape) if self._input_meta[0] else None, written]
        fn_grads = self.fn._run([written])
        if self._input_meta[0] is None:
            return [None, *fn_grads[1:]]
        base_grad = flat * _constant(kept)
        if fn_grads[0] is not None:
            base_grad = base_grad + _scatter(fn_grads[0], self.positions, flat._data.shape)
        return [base_grad.reshape(grad._data.shape), *fn_grads[1:]]

    def __call__(self, *grad_outputs):
        return tuple(self._run(grad_outputs))

    def _release(self):
        self._released = True
        if self.replaces_first_input:  # otherwise fn is a node of the graph, released when it runs
            self.fn._release()


def _constant(array):
    from ..tensor import _wrap

    return _wrap(array)


def rebase(view, result, self_edge):
    """`view` now holds `result`, computed by a recorded write: record the write on the base.

    `self_edge` is the edge by which the write's node reads the view's old value.
    """
    base = view._base
    fn, output_nr = result._grad_fn, result._output_nr
    node = CopySlices()
    if base._requires_grad:
        base_edge = (base._grad_fn if base._grad_fn is not None else _accumulator(base), base._output_nr)
        base_meta = (base._data.shape, base._data.dtype)
    else:
        base_edge, base_meta = (None, 0), None
    node.fn = fn
    node.replaces_first_input = (
        isinstance(fn, BackwardNode) and fn._num_outputs == 1 and fn.next_functions[:1] == (self_edge,)
    )
    if node.replaces_first_input:  # torch's shape: the write's other inputs hang off CopySlices
        node.next_functions = (base_edge, *fn.next_functions[1:])
        node._input_meta = [base_meta, *fn._input_meta[1:]]
    else:
        node.next_functions = (base_edge, (fn, output_nr))
        node._input_meta = [base_meta, (view._data.shape, view._data.dtype)]
    node._num_args = len(node.next_functions)
    node._input_positions = None
    node._sequence_nr = next(_sequence)
    node._num_outputs = 1
    node.positions, node.view_shape = positions(view._data, base._data), view._data.shape
    node.view_overlaps = overlaps_itself(view._data)
    node.needs_input_grad = tuple(edge[0] is not None for edge in node.next_functions)
    base._grad_fn, base._requires_grad, base._output_nr = node, True, 0
    if base._retains_grad:
        node._retain_grad_of(base)
    refresh(view)
