"""`Function`: an operation with its forward and backward side by side, and the graph nodes it records.

A learner writes a new differentiable operation exactly as in PyTorch:

>>> import engine as torch
>>> class Cube(torch.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad_output):
...         x, = ctx.saved_tensors
...         return grad_output * 3 * x ** 2
>>> x = torch.tensor(2., requires_grad=True)
>>> Cube.apply(x).backward(); x.grad
tensor(12.)
"""
import itertools
import re
import weakref

import numpy as np

from ..broadcasting import expands_to
from ..dtypes import _BY_NUMPY as dtypes_by_numpy
from ..grad_mode import _state as _grad_state
from ..tensor import Tensor, _view_of, _wrap

_sequence = itertools.count()

_apply_hook = None  # see set_apply_hook


def set_apply_hook(hook):
    """Let `hook(function, args, kwargs)` see every `Function.apply` call first; returns the previous hook.

    An outer layer may record calls instead of computing them: whatever the hook
    returns is the call's result, unless it returns `NotImplemented`, and then the
    call computes as usual. `set_apply_hook(None)` removes it, so eager code pays
    one check per call. Restore the previous hook when done.

    >>> import engine as torch
    >>> calls = []
    >>> previous = set_apply_hook(lambda fn, args, kwargs: calls.append(fn.__name__) or NotImplemented)
    >>> torch.tensor(2.) * 3
    tensor(6.)
    >>> _ = set_apply_hook(previous); calls
    ['Mul']
    """
    global _apply_hook
    previous, _apply_hook = _apply_hook, hook
    return previous


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


class Function:
    """Base class of every differentiable operation, built-in or written by a learner.

    Subclasses define `forward(ctx, *args)` and `backward(ctx, *grad_outputs)` as
    static methods and are called through `apply`. Backward formulas use tensor
    operations, so with `create_graph=True` they are recorded too.

    Each grad_fn torch can give an operation is its own class (a small subclass where only the
    name differs; forward or backward may be a class method to read what its class says), and
    the class says everything the rest of the engine needs (a learner's Function may leave them unset):

    - `node_name`: torch's name for the node, "MulBackward0" (default "<Name>Backward").
    - `symbol`: how the forward drawing shows the operation, "×", "@" or "log_softmax";
      "{attr}" is filled from the node ("** {exponent}" draws `x ** 2` as "** 2").
    - `derivatives`: the local derivative along each input edge of the backward drawing,
      as a rule on `grad`: ("grad @ Bᵀ", "Aᵀ @ grad"); one rule stands for every input.
    - `static_name`: the operation's name in engine.static's printed programs, "matmul".
    - `ordered_inputs`: True where the inputs are not interchangeable (a - b), so the
      drawing numbers their edges; `broadcasts`: True where inputs broadcast, so the
      gradient is summed back to each input's shape.
    """

    node_name = None  # the grad_fn name; torch names a custom Function's node "<Name>Backward"
    symbol = None  # None: the node name, in snake case
    derivatives = None  # None: the drawing names the node instead
    static_name = None  # None: the class name, in lower case
    ordered_inputs = False
    broadcasts = False
    _result_layout = None  # set by engine.layout: lays the result out in memory as torch does
    not_graph_inputs = ()  # positions of tensor arguments that never get a gradient nor an edge

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Like torch, each Function gets its own node class, named after it.
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward"
        cls._node_class = type(name, (BackwardNode,), {
            "_function": cls, "_name": name, "__module__": cls.__module__,
            "_custom": not cls.__module__.startswith("engine."),  # a learner's own Function (see _connect)
            # what the drawings need, read from the node's class
            "symbol": cls.symbol, "derivatives": cls.derivatives,
            "ordered_inputs": cls.ordered_inputs, "broadcasts": cls.broadcasts,
        })

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        if _apply_hook is not None:  # an outer layer records calls (see set_apply_hook)
            recorded = _apply_hook(cls, args, kwargs)
            if recorded is not NotImplemented:
                return recorded
        node_class = cls._node_class
        if not _grad_state.enabled:  # nothing is recorded: the fast path backward formulas take
            ctx = node_class() if node_class._custom else _UnrecordedContext()
            ctx.needs_input_grad = _NOTHING_NEEDED[len(args)] if len(args) < 8 else (False,) * len(args)
            outputs = cls.forward(ctx, *args, **kwargs)
            layout = cls._result_layout
            if type(outputs) is not tuple:
                if outputs._base is not None:
                    _mark_no_grad_view(outputs, args)
                if layout is None or outputs._data.ndim < 2:  # 0-d and 1-D tensors have one layout
                    return outputs
                return layout(outputs, args)
            if outputs and outputs[0]._base is not None:
                for output in outputs:
                    _mark_no_grad_view(output, args)
            return outputs if layout is None else layout(outputs, args)
        ctx = node_class()
        needs_input_grad = tuple([
            isinstance(a, Tensor) and (a._requires_grad if a._base is None else a._view_is_recorded()) for a in args
        ])
        ctx.needs_input_grad = needs_input_grad
        _grad_state.enabled = False  # forward computes values only; nothing inside it is recorded
        try:
            outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            _grad_state.enabled = True
        layout = cls._result_layout
        if layout is not None and (type(outputs) is tuple or outputs._data.ndim > 1):
            outputs = layout(outputs, args)
        if True not in needs_input_grad:
            ctx._saved = None
            return outputs
        if type(outputs) is not tuple:
            output = _fresh_output(outputs, args)
            _connect(ctx, args, (output,))
            return output
        outputs = tuple(_fresh_output(out, args) for out in outputs)
        _connect(ctx, args, outputs)
        return outputs


_NOTHING_NEEDED = [(False,) * n for n in range(8)]


def new_context(function):
    """A fresh ctx for a call of `function` that a layer makes itself, `function.forward(ctx, ...)`,
    instead of through `apply` (to record the call, say); `ctx.apply_backward` later runs its backward.
    Set `ctx.needs_input_grad` before calling forward."""
    return function._node_class()


class _UnrecordedContext:
    """The ctx of an engine op run under no_grad (as every op inside backward is): no node will
    ever run its backward, so what forward asks it to save is dropped. A learner's own Function
    still gets a real ctx."""

    def save_for_backward(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass


def _mark_no_grad_view(output, args):
    # torch remembers that a view was made under no_grad, and refuses to record a write into it later.
    # Only a new view counts: an op may hand back an input (an existing view) unchanged.
    if not any(output is a for a in args):
        output._view_creation = "no_grad"
_NO_EDGE = (None, 0)


def _fresh_output(output, args):
    # An output that is one of the inputs must become a new tensor to carry a grad_fn.
    for arg in args:
        if output is arg:
            return _view_of(arg, arg._data)
    return output


def _connect(ctx, args, outputs):
    """Record the edges from this node to its inputs, and make it the grad_fn of its outputs."""
    edges, meta, positions = [], [], []
    skipped = ctx._function.not_graph_inputs
    needs = ctx.needs_input_grad
    for position, arg in enumerate(args):
        if isinstance(arg, Tensor) and position not in skipped:
            positions.append(position)
            if needs[position] and (arg._requires_grad or arg._grad_fn is not None):
                producer = arg._grad_fn
                edges.append((producer if producer is not None else _accumulator(arg), arg._output_nr))
                data = arg._data
                meta.append((data.shape, data.dtype))
            else:  # (a view made under no_grad of a base that requires grad gets no edge, as in torch)
                edges.append(_NO_EDGE)
                meta.append(None)
    ctx.next_functions = tuple(edges)
    ctx._input_meta = meta
    ctx._num_args = len(args)
    ctx._input_positions = None if len(edges) == len(args) else positions
    ctx._sequence_nr = next(_sequence)
    ctx._num_outputs = len(outputs)
    custom = ctx._custom
    if custom or len(outputs) > 1:  # for zeros where some outputs receive no gradient
        ctx._output_meta = [(out._data.shape, out._data.dtype) for out in outputs]
    non_differentiable = ctx._non_differentiable
    for output_nr, out in enumerate(outputs):
        if out._base is not None and (custom or out._view_creation == "no_grad"):
            # A view made inside forward (which runs under no_grad): torch forbids writing into it when the
            # Function is a learner's own, whose backward the write would bypass; for the engine's own it is a view.
            out._view_creation = "custom_function" if custom else None
        if out._data.dtype.kind != "f" or (non_differentiable and any(out is t for t in non_differentiable)):
            continue
        out._grad_fn = ctx
        out._requires_grad = True
        out._output_nr = output_nr
    saved = ctx._saved
    if saved:
        # A saved output would point back at this node, which points at it: a reference
        # cycle that keeps big buffers alive until the garbage collector runs. Keep its
        # array instead, and rebuild the tensor when backward asks (torch does the same).
        for entry in saved:
            if entry is not None and entry[0]._grad_fn is ctx:
                ctx._saved = tuple(
                    _SavedOutput(e[0], e[1]) if e is not None and e[0]._grad_fn is ctx else e for e in saved
                )
                break


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
