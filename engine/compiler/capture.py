"""Capture: run a function once on symbols and keep what it did, with its backward, as one program.

This is the part torch calls Dynamo (capture) and AOTAutograd (the backward, made ahead
of time). The tracer is `engine.static`'s: every `Function.apply` on a traced value
records a node instead of computing. Two things are added here:

* tensors the function reads from outside (an `nn.Module`'s parameters, a closure's
  weights) that require grad are *lifted*: they become inputs of the program, so their
  gradients flow;
* whatever the tracer cannot record (a tensor turned into a Python value for an `if`,
  an in-place write into a traced value, an index made of traced values) raises
  `GraphBreak`, naming the operation and the user's source line.
"""
import linecache
import os
import sys

from ..autograd.function import set_apply_hook
from ..tensor import Tensor
from ..static import Graph, Symbol, gradients
from .program import Program

_ENGINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class GraphBreak(Exception):
    """The function did something a captured program cannot hold; that call runs eagerly."""

    def __init__(self, operation, where):
        super().__init__(f"{operation} at {where}")
        self.operation, self.where = operation, where


def _where(frames):
    """'file.py:12: the line' for the innermost frame outside the engine, or '<unknown>'."""
    for filename, lineno in frames:
        if not os.path.abspath(filename).startswith(_ENGINE_DIR + os.sep):
            line = linecache.getline(filename, lineno).strip()
            return f"{os.path.basename(filename)}:{lineno}" + (f" `{line}`" if line else "")
    return "<unknown>"


def _stack_frames():
    frame = sys._getframe(1)
    while frame is not None:
        yield frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back


def _traceback_frames(tb):
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    return reversed(frames)  # innermost first


class CaptureGraph(Graph):
    """A tracing graph that lifts outside tensors needing grad and breaks where tracing cannot follow."""

    _mode = "trace"

    def __init__(self):
        super().__init__()
        self.lifted = []  # (tensor, its placeholder), in the order first read
        self.values_read = set()  # ids of the arrays of constant tensors an operation computed with

    def __enter__(self):
        super().__enter__()
        set_apply_hook(self._hook)
        return self

    def _hook(self, function, args, kwargs):
        if not any(isinstance(a, Tensor) and (type(a) is Symbol or a.requires_grad) for a in args):
            # Constants only: compute now, the result is a constant of the program. An integer
            # tensor read this way shaped the program by its values (labels.py needs to know).
            self.values_read.update(id(a._data) for a in args if isinstance(a, Tensor))
            return NotImplemented
        args = tuple(self._lift(a) if isinstance(a, Tensor) and type(a) is not Symbol else a for a in args)
        for a in args:
            if type(a) is Symbol and a._graph is not self:
                raise GraphBreak("a value of another graph", _where(_stack_frames()))
        try:
            return self._record(function, args, kwargs)
        finally:
            set_apply_hook(self._hook)  # _record restores static's own hook

    def _lift(self, tensor):
        if not tensor.requires_grad:
            return tensor
        for known, symbol in self.lifted:
            if known is tensor:
                return symbol
        symbol = self.placeholder(f"p{len(self.lifted)}", tuple(tensor.shape), tensor.dtype, example=tensor)
        self.lifted.append((tensor, symbol))
        return symbol

    def _concretize(self, symbol, kind):
        raise GraphBreak(f"converting a traced tensor to a Python {kind}", _where(_stack_frames()))


class Captured:
    """One trace of the forward: the program, which inputs need grad, the lifted tensors, the result's shape."""

    def __init__(self, program, needs_grad, lifted, structure, values_read=frozenset()):
        self.program, self.needs_grad, self.lifted, self.structure = program, needs_grad, lifted, structure
        self.values_read = values_read


def capture(fn, args):
    """Trace `fn(*args)`: float tensor arguments become placeholders, everything else stays a constant.

    Raises GraphBreak where the trace cannot stand for later calls.
    """
    graph = CaptureGraph()
    try:
        with graph:
            inputs, call_args = [], []
            for index, arg in enumerate(args):
                if isinstance(arg, Tensor) and arg.dtype.is_floating_point:
                    symbol = graph.placeholder(f"x{index}", tuple(arg.shape), arg.dtype, example=arg)
                    inputs.append((arg, symbol))
                    call_args.append(symbol)
                else:
                    call_args.append(arg)
            structure, outputs = _flatten(fn(*call_args))
            _check_no_writes(graph)
    except GraphBreak:
        raise
    except Exception as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise GraphBreak(f"{type(error).__name__}: {message}", _where(_traceback_frames(error.__traceback__))) from error
    inputs += graph.lifted
    program = Program([s for _, s in inputs], graph.nodes, outputs)
    return Captured(program, [t.requires_grad for t, _ in inputs], [t for t, _ in graph.lifted], structure,
                    graph.values_read)


class Joint:
    """The forward program replayed with its backward: seeds (one gradient per differentiable output) in,
    one gradient per input that needs it out."""

    def __init__(self, program, outputs, seeds, grad_inputs, differentiable):
        self.program, self.outputs, self.seeds = program, outputs, seeds
        self.grad_inputs, self.differentiable = grad_inputs, differentiable


def differentiate(forward, needs_grad, with_backward):
    """Replay `forward` in a fresh graph, so each node (fused ones too) gets a ctx, and build its gradients.

    This is AOTAutograd's step: the backward is traced ahead of time, from each node's own backward.
    """
    graph = CaptureGraph()
    with graph:
        values = {}
        for s in forward.inputs:
            values[id(s)] = graph.placeholder(Graph.describe(s), tuple(s.shape), s.dtype, example=s)
        for node in forward.nodes:
            args = tuple(values.get(id(a), a) if type(a) is Symbol else a for a in node.args)
            results = node.function.apply(*args, **node.kwargs)
            for out, value in zip(node.outputs, results if isinstance(results, tuple) else (results,)):
                values[id(out)] = value
        inputs = [values[id(s)] for s in forward.inputs]
        outputs = [values[id(s)] for s in forward.outputs]
        grad_inputs = [s for s, needs in zip(inputs, needs_grad) if needs]
        differentiable = _depending_on(graph, grad_inputs, outputs)
        read = {id(a) for node in graph.nodes_for(differentiable) for a in node.args} | {id(o) for o in differentiable}
        grad_inputs = [s for s in grad_inputs if id(s) in read]  # eager leaves the others' .grad None
        seeds, grads = [], []
        if with_backward and grad_inputs and differentiable:
            seeds = [graph.placeholder(f"g{i}", tuple(o.shape), o.dtype) for i, o in enumerate(differentiable)]
            grads = gradients(differentiable, grad_inputs, grad_ys=seeds)
    positions = [i for i, o in enumerate(outputs) if any(o is d for d in differentiable)] if seeds else []
    program = Program(inputs + seeds, graph.nodes, outputs + list(grads))
    return Joint(program, len(outputs), seeds, grad_inputs, positions)


def _depending_on(graph, sources, outputs):
    """The float outputs that depend on `sources`: as in eager mode, only they will require grad."""
    reached = {id(s) for s in sources}
    for node in graph.nodes:
        if any(type(a) is Symbol and id(a) in reached for a in node.args):
            reached.update(id(o) for o in node.outputs)
    return [o for o in outputs if o.dtype.is_floating_point and id(o) in reached]


def _flatten(result):
    single = isinstance(result, Tensor)
    outputs = [result] if single else list(result) if isinstance(result, (tuple, list)) else None
    if outputs is None or not all(type(o) is Symbol for o in outputs):
        raise GraphBreak("returning something other than tensors computed from the inputs", "the return")
    return (None if single else len(outputs)), outputs


def _check_no_writes(graph):
    for symbol in list(graph.placeholders.values()) + [o for node in graph.nodes for o in node.outputs]:
        if symbol._version_counter[0] != 0:
            raise GraphBreak(f"an in-place write into {Graph.describe(symbol)}", "a line of the function")
