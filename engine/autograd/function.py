"""`Function`: an operation with its forward and backward side by side, recorded as a node of the graph.

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

from ..grad_mode import _state as _grad_state
from ..tensor import Tensor, _view_of
from .node import BackwardNode, _SavedOutput, _accumulator

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
    - `static_name`: the operation's name in a program recorded before it runs (define-then-run), "matmul".
    - `ordered_inputs`: True where the inputs are not interchangeable (a - b), so the
      drawing numbers their edges; `broadcasts`: True where inputs broadcast, so the
      gradient is summed back to each input's shape.
    - `result_layout`: one of engine.layout's rules, laying the result out in memory as torch
      does (`follow_inputs` for element-wise operations, `contiguous` for reductions), which
      decides whether `.view` works on it later.
    """

    node_name = None  # the grad_fn name; torch names a custom Function's node "<Name>Backward"
    symbol = None  # None: the node name, in snake case
    derivatives = None  # None: the drawing names the node instead
    static_name = None  # None: the class name, in lower case
    ordered_inputs = False
    broadcasts = False
    result_layout = None  # None: the result keeps the strides NumPy gave it
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
            layout = cls.result_layout
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
        layout = cls.result_layout
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
