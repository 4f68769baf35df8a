"""The nodes of the backward graph: what a tensor's `grad_fn` is, and what it keeps for backward.

`BackwardNode` is the `ctx` of one Function call, which becomes the `grad_fn` of its
outputs: it holds the edges to its inputs (`next_functions`), the tensors saved for
backward, and runs the Function's backward on the gradients it receives.
`AccumulateGrad` ends every path at a leaf and adds into its `.grad`.
"""
import re
import weakref

import numpy as np

from ..broadcasting import expands_to
from ..dtypes import _BY_NUMPY as dtypes_by_numpy
from ..tensor import Tensor, _wrap


class Node:
    """A node of the backward graph: the `grad_fn` of a tensor.

    `next_functions` holds one `(node, output_nr)` pair per tensor input, in
    torch's shape: `(None, 0)` for an input that does not require grad.
    """

    _name = "Node"
    next_functions = ()
    _tensor_hooks = None  # output_nr -> {handle id: hook}, from Tensor.register_hook

    released = False  # see BackwardNode.released

    def name(self):
        return self._name

    def saved_values(self):
        """The tensors this node saved for backward (see BackwardNode.saved_values); none here."""
        return ()

    def _register_tensor_hook(self, output_nr, hook):
        from ..utils.hooks import RemovableHandle

        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(output_nr, {})
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def _run_tensor_hooks(self, grads):
        """Pass each gradient through the hooks of the tensor it belongs to; a hook may replace it."""
        for output_nr, hooks in self._tensor_hooks.items():
            grad = grads[output_nr]
            if grad is None:
                continue
            for hook in list(hooks.values()):
                result = hook(grad)
                if result is not None:
                    _check_hook_result(hook, grad, result)
                    grad = result
            grads[output_nr] = grad

    def __repr__(self):  # torch's repr drops the C++ namespace of a name
        return f"<{self.name().rpartition('::')[2]} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node that ends every path at a leaf: it adds the gradient into `variable.grad`."""

    _name = "torch::autograd::AccumulateGrad"  # torch's name() for its C++-only nodes carries the namespace

    def __init__(self, variable):
        self.variable = variable
        # Leaves run as soon as they are ready, as torch gives them the highest priority.
        self._sequence_nr = float("inf")
        self._num_outputs = 1

    def accumulate(self, grad, create_graph):
        variable = self.variable
        if not create_graph:
            grad = grad.detach()
        if variable._grad is None:
            # A fresh copy, so the stored .grad never aliases a buffer another leaf got too.
            variable._grad = grad if create_graph else _own_copy(grad)
        elif create_graph or variable._grad._requires_grad:
            variable._grad = variable._grad + grad
        else:
            variable._grad._data += grad._data
            variable._grad._version_counter[0] += 1


def _check_hook_result(hook, grad, result):
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    if result._data.dtype != grad._data.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was torch.{grad.dtype._legacy} got torch.{result.dtype._legacy})"
        )
    if result._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")


def _own_copy(tensor):
    return _wrap(np.array(tensor._data, copy=True))


class _Released:
    """Marks saved tensors that backward has already freed."""


_RELEASED = _Released()

_SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward."
)


class BackwardNode(Node):
    """The `ctx` of a Function call, which also becomes the `grad_fn` of its outputs."""

    _function = None
    _saved = None
    _retained = None
    _non_differentiable = ()
    _custom = False
    materialize_grads = True

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; their versions are checked when they are read back."""
        self._saved = tuple([None if t is None else (t, t._version_counter[0]) for t in tensors])

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is _RELEASED:
            raise RuntimeError(_SECOND_BACKWARD)
        if saved is None:
            return ()
        tensors = []
        for entry in saved:
            if entry is None:
                tensors.append(None)
            elif type(entry) is _SavedOutput:
                tensors.append(entry.unpack(self))
            else:
                tensor, version = entry
                if tensor._version_counter[0] != version:
                    raise RuntimeError(_modified_inplace_message(tensor, version, tensor._grad_fn))
                tensors.append(tensor)
        return tuple(tensors)

    @property
    def released(self):
        """Whether backward has freed this node's saved tensors (it does unless retain_graph=True)."""
        return self._saved is _RELEASED

    def saved_values(self):
        """The tensors saved for backward, in order, read without the checks of `saved_tensors`.

        A saved input is the tensor itself, with its current values; a saved output
        (which the node holds as its values only) is rebuilt as a tensor whose
        grad_fn is this node, or is None once it has been modified in place. A None
        saved stays None. Empty when nothing was saved or the values were released.
        """
        saved = self._saved
        if type(saved) is not tuple:  # None (nothing saved) or released
            return ()
        values = []
        for entry in saved:
            if entry is None or type(entry) is tuple:
                values.append(entry if entry is None else entry[0])
            else:
                values.append(entry.rebuild(self) if entry.version_counter[0] == entry.version else None)
        return tuple(values)

    def apply_backward(self, grad_outputs, inputs=None, needs_grad=None):
        """Run this node's backward on `grad_outputs` (one per output): its gradients, one per tensor input.

        They are checked as backward() checks them: summed back over broadcast
        dimensions, cast to the input's dtype, None where an input needs no gradient.

        For a ctx whose call never entered the graph (a layer that called `forward` itself),
        `inputs` gives the call's arguments and `needs_grad` (default `needs_input_grad`)
        which of them get a gradient.
        """
        if inputs is not None:
            if needs_grad is None:
                needs_grad = self.needs_input_grad
            positions = [i for i, a in enumerate(inputs) if isinstance(a, Tensor)]
            self._num_args = len(inputs)
            self._input_positions = None if len(positions) == len(inputs) else positions
            self._input_meta = [
                (inputs[i]._data.shape, inputs[i]._data.dtype) if needs_grad[i] else None for i in positions
            ]
        return self._run(grad_outputs)

    def _release(self):
        if self._saved is not None:
            self._saved = _RELEASED

    def _retain_grad_of(self, tensor):
        if self._retained is None:
            self._retained = {}
        self._retained[tensor._output_nr] = weakref.ref(tensor)

    def __call__(self, *grad_outputs):
        return self._function.backward(self, *grad_outputs)

    def _run(self, grad_outputs):
        """Call backward, then check each gradient against its input, as torch's engine does."""
        grads = self._function.backward(self, *grad_outputs)
        if type(grads) is not tuple:
            grads = (grads,)
        expected = self._num_args
        if len(grads) != expected:
            if len(grads) < expected or any(g is not None for g in grads[expected:]):
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {expected}, got {len(grads)})"
                )
            grads = grads[:expected]
        positions = self._input_positions
        if positions is not None:  # some arguments were not tensors: keep one gradient per tensor input
            grads = [grads[i] for i in positions]
        checked = []
        for index, (grad, meta) in enumerate(zip(grads, self._input_meta)):
            if grad is None or meta is None:
                checked.append(None)
                continue
            data = grad._data
            if data.shape != meta[0]:
                grad = _sum_to_input(grad, meta[0], self.name(), index)
            if data.dtype != meta[1]:
                grad = grad.to(dtypes_by_numpy[meta[1]])
            checked.append(grad)
        return checked


def _sum_to_input(grad, shape, name, index):
    """Undo broadcasting: the gradient of an expanded input is summed back to its shape."""
    if not expands_to(shape, grad._data.shape):
        raise RuntimeError(
            f"Function {name} returned an invalid gradient at index {index} - got "
            f"{list(grad._data.shape)} but expected shape compatible with {list(shape)}"
        )
    return grad._summed_to(shape)


def _short_name(node):
    """How torch names a node in its errors: MulBackward0 → Mul, PowBackward1 → Pow1, MyFnBackward → MyFn."""
    match = re.fullmatch(r"(.*)Backward([0-9]*)", node.name())
    if match is None:
        return node.name()
    return match[1] + ("" if match[2] == "0" else match[2])


def _modified_inplace_message(tensor, version, producer):
    # torch names the node that produced the tensor: this node for a saved output,
    # the tensor's current grad_fn for a saved input, nothing for a leaf.
    description = f"[torch.{tensor.dtype._legacy} [{', '.join(str(n) for n in tensor._data.shape)}]]"
    if producer is not None:
        description += f", which is output {tensor._output_nr} of {_short_name(producer)},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"{description} is at version {tensor._version_counter[0]}; expected version {version} instead. "
        "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class _SavedOutput:
    """An output saved by its own node, held without a reference to the tensor object."""

    __slots__ = ("array", "version_counter", "version", "output_nr")

    def __init__(self, tensor, version):
        self.array = tensor._data
        self.version_counter = tensor._version_counter
        self.version = version
        self.output_nr = tensor._output_nr

    def unpack(self, node):
        tensor = _wrap(self.array)
        tensor._version_counter = self.version_counter
        tensor._grad_fn, tensor._requires_grad, tensor._output_nr = node, True, self.output_nr
        if self.version_counter[0] != self.version:
            raise RuntimeError(_modified_inplace_message(tensor, self.version, node))
        return tensor

    def rebuild(self, node):
        """The output as a tensor again, whatever its version (unpack inlines this: it runs in every backward)."""
        tensor = _wrap(self.array)
        tensor._version_counter = self.version_counter
        tensor._grad_fn, tensor._requires_grad, tensor._output_nr = node, True, self.output_nr
        return tensor


def _accumulator(leaf):
    node = leaf._accumulator
    if node is None:
        node = leaf._accumulator = AccumulateGrad(leaf)
    return node
