"""`engine.compile(fn)`: capture once per input signature, optimise, then replay forward and backward.

>>> import engine as torch
>>> @torch.compile
... def f(x):
...     return ((x * x + x).tanh() * 2).sum()
>>> x = torch.tensor([0.5, -1.0], requires_grad=True)
>>> loss = f(x)
>>> loss.grad_fn.name()
'CompiledFunctionBackward'
>>> loss.backward()
>>> torch.allclose(x.grad, 2 * (1 - (x * x + x).tanh() ** 2) * (2 * x + 1))
True

A signature is what the guards compare on each call: the grad mode, each tensor
argument's shape, dtype and requires_grad, and every other argument's value. An integer
tensor used only as an index (labels) is an input of the program (see `labels`); one
used otherwise has its values guarded too. A call whose signature was compiled before
replays that program; a new one compiles again.
"""
import functools
import time
import warnings

from ..autograd.function import Function
from ..grad_mode import is_grad_enabled, no_grad
from ..tensor import Tensor
from ..static import Symbol
from .capture import GraphBreak, capture, differentiate
from .kernels import lower_kernels
from .labels import Labels, find_labels, integer_arguments, rolled, same_program, substitute
from .memory import plan_buffers, plan_memory
from .passes import eliminate_common_subexpressions, eliminate_dead_code
from .program import Executor, Program
from .rewrites import fuse_patterns

FORWARD_PASSES = (
    ("dead-code elimination", eliminate_dead_code),
    ("common-subexpression elimination", eliminate_common_subexpressions),
    ("pattern rewrites", fuse_patterns),
)
JOINT_PASSES = (
    ("dead-code elimination", eliminate_dead_code),
    ("common-subexpression elimination", eliminate_common_subexpressions),
)
RECOMPILE_LIMIT = 8  # torch's cache_size_limit: past it, new signatures run eagerly


class CompileWarning(UserWarning):
    """A call could not run compiled (a graph break, or too many recompilations) and ran eagerly."""


class CompiledFunction(Function):
    """The whole compiled program as one operation: its node is the outputs' single grad_fn."""

    node_name = "CompiledFunctionBackward"  # torch's name: its CompiledFunction is a Python autograd.Function
    static_name = "compiled"
    symbol = "compiled"
    derivatives = ("the compiled backward program",)

    @staticmethod
    def forward(ctx, plan, labels, *inputs):
        ctx.plan, ctx.labels = plan, labels
        if plan.forward.buffers:
            arena = plan.take_arena()
            ctx.lease = _Lease(plan.arenas, arena)
            values = plan.forward.run(inputs, arena, labels)
        else:
            values = plan.forward.run(inputs, labels=labels)
        ctx.save_for_backward(*values[plan.num_outputs:])  # so backward frees them, as eager nodes do
        outputs = tuple(values[:plan.num_outputs])
        if plan.constant_outputs:  # as in eager mode, an output that no input with grad reaches needs none
            ctx.mark_non_differentiable(*[outputs[i] for i in plan.constant_outputs])
        return outputs

    @staticmethod
    def backward(ctx, *grad_outputs):
        plan = ctx.plan
        seeds = [grad_outputs[i] for i in plan.differentiable]
        kept = list(ctx.saved_tensors)  # raises on a second backward without retain_graph, as eager does
        if plan.backward_arena is None:
            plan.backward_arena = plan.backward.new_arena()
        if is_grad_enabled():  # create_graph=True: the compiled backward is not itself differentiable
            with no_grad():
                grads = plan.backward.run(seeds + kept, plan.backward_arena, ctx.labels)
        else:
            grads = plan.backward.run(seeds + kept, plan.backward_arena, ctx.labels)
        result = [None] * (2 + plan.input_count)  # none for the plan and the labels
        for position, grad in zip(plan.grad_positions, grads):
            result[2 + position] = grad
        return tuple(result)


class _Lease:
    """A call's forward buffers, handed back to the plan's spare sets when the graph holding them is freed."""

    __slots__ = ("spares", "arena")

    def __init__(self, spares, arena):
        self.spares, self.arena = spares, arena

    def __del__(self):
        self.spares.append(self.arena)


class CompiledPlan:
    """What one signature compiled to: the forward and backward executors, and the stages for explain().

    Forward buffers hold values backward reads, so each call whose backward may still run
    has its own set (`take_arena`); backward's buffers die within its run, so one set serves all.
    """

    eager = False
    backward_arena = None

    def __init__(self, captured, joint, stages, forward, backward, seconds, labels, guarded):
        self.structure, self.stages, self.compile_seconds = captured.structure, stages, seconds
        self.labels = labels  # the integer arguments read as inputs (labels.Labels), or None
        self.guarded = guarded  # positions of the integer arguments guarded by value
        self.lifted = [(t, t._data.shape) for t in captured.lifted]
        self.num_outputs = joint.outputs
        self.input_count = len(captured.program.inputs)
        self.differentiable = joint.differentiable
        self.constant_outputs = [i for i in range(self.num_outputs) if i not in self.differentiable]
        positions = {id(s): i for i, s in enumerate(joint.program.inputs)}
        self.grad_positions = [positions[id(s)] for s in joint.grad_inputs]
        self.forward = Executor(forward)
        self.backward = Executor(backward) if backward is not None else None
        self.arenas = []  # spare sets of forward buffers

    def take_arena(self):
        return self.arenas.pop() if self.arenas else self.forward.new_arena()

    def guards_hold(self):
        return all(t._data.shape == shape and t.requires_grad for t, shape in self.lifted)


class _Eager:
    eager = True

    def __init__(self, reason):
        self.reason = reason


def compile_program(fn, args, with_backward):
    """Capture `fn(*args)`, run the passes, build and split the backward: a CompiledPlan. Raises GraphBreak.

    Integer tensor arguments used only as indices become inputs (see `labels`), when a second
    trace with their values rolled gives the same program; the others are guarded by value.
    """
    start = time.perf_counter()
    captured, joint, stages, forward, backward = _build(fn, args, with_backward)
    integers = integer_arguments(args)
    labels = None
    candidates = {p: bounds for p, bounds in find_labels(captured.program, integers).items()
                  if id(integers[p]) not in captured.values_read}
    other_args = rolled(args, candidates) if candidates else None
    try:
        other = _build(fn, other_args, with_backward) if other_args is not None else None
    except GraphBreak:  # the rolled labels took the function somewhere else: keep them guarded
        other = None
    if other is not None:
        mine, theirs = [integers[p] for p in candidates], [other_args[p]._data for p in candidates]
        if same_program(forward, other[3], mine, theirs) and (
                backward is None or same_program(backward, other[4], mine, theirs)):
            labels = Labels(candidates)
            forward = substitute(forward, mine)
            backward = substitute(backward, mine) if backward is not None else None
            final = {"forward program, memory planned": forward, "backward program, memory planned": backward}
            stages = [(title, final.get(title, program)) for title, program in stages]
    guarded = [p for p in integers if labels is None or p not in labels.positions]
    return CompiledPlan(captured, joint, stages, forward, backward, time.perf_counter() - start, labels, guarded)


def _build(fn, args, with_backward):
    captured = capture(fn, args)
    program = captured.program
    stages = [("captured forward", program)]
    for name, run_pass in FORWARD_PASSES:
        program = run_pass(program)
        stages.append((name, program))
    joint = differentiate(program, captured.needs_grad, with_backward)
    program = joint.program
    stages.append(("forward and backward", program))
    for name, run_pass in JOINT_PASSES:
        program = run_pass(program)
        stages.append((name, program))
    forward, backward = split(program, joint)
    forward = plan_buffers(lower_kernels(plan_memory(forward)), forward.outputs[:joint.outputs])
    stages.append(("forward program, memory planned", forward))
    if backward is not None:
        backward = plan_buffers(lower_kernels(plan_memory(backward)), backward.outputs)
        stages.append(("backward program, memory planned", backward))
    return captured, joint, stages, forward, backward


def split(program, joint):
    """The forward part (which also returns what backward reads), and the backward part (None without one).

    A node belongs to backward when it reads a gradient; everything else runs in forward,
    and the forward values backward reads are kept between the two, as saved tensors are.
    """
    inputs = program.inputs[:len(program.inputs) - len(joint.seeds)]
    outputs = program.outputs[:joint.outputs]
    if not joint.seeds:
        return eliminate_dead_code(Program(inputs, program.nodes, outputs)), None
    made_by_backward = {id(s) for s in joint.seeds}
    forward_nodes, backward_nodes = [], []
    for node in program.nodes:
        if any(id(a) in made_by_backward for a in node.args if type(a) is Symbol):
            backward_nodes.append(node)
            made_by_backward.update(id(o) for o in node.outputs)
        else:
            forward_nodes.append(node)
    grads = program.outputs[joint.outputs:]
    backward = eliminate_dead_code(Program(joint.seeds, backward_nodes, grads))
    kept, seen = [], set()
    for value in [a for node in backward.nodes for a in node.args] + grads:
        if type(value) is Symbol and id(value) not in made_by_backward and id(value) not in seen:
            seen.add(id(value))
            kept.append(value)
    backward = Program(list(joint.seeds) + kept, backward.nodes, grads)
    forward = eliminate_dead_code(Program(inputs, forward_nodes, outputs + kept))
    return forward, backward


class Compiled:
    """A compiled function: call it as the original; `explain()` shows what the compiler did."""

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.cache = {}
        self.last = None
        self.valued = set()  # positions of integer arguments whose values are part of the signature

    def __call__(self, *args):
        key = _signature(args, self.valued)
        plan = self.cache.get(key)
        if plan is None or (not plan.eager and not plan.guards_hold()):
            plan = self._compile(key, args)
        if plan.eager:
            return self.fn(*args)
        self.last = plan
        inputs = [a for a in args if isinstance(a, Tensor) and a._data.dtype.kind == "f"] + [t for t, _ in plan.lifted]
        labels = plan.labels.read(args) if plan.labels is not None else ()
        if plan.backward is None:
            arena = plan.take_arena()
            with no_grad():
                outputs = plan.forward.run(inputs, arena, labels)[:plan.num_outputs]
            plan.arenas.append(arena)
        else:
            outputs = CompiledFunction.apply(plan, labels, *inputs)
        return outputs[0] if plan.structure is None else tuple(outputs)

    def _compile(self, key, args):
        if len(self.cache) >= RECOMPILE_LIMIT:
            plan = _Eager(f"more than {RECOMPILE_LIMIT} signatures")
            warnings.warn(f"engine.compile: {self.__name__} was recompiled {RECOMPILE_LIMIT} times; calls with new "
                          "signatures now run eagerly", CompileWarning, stacklevel=3)
        else:
            try:
                plan = compile_program(self.fn, args, with_backward=is_grad_enabled())
            except GraphBreak as graph_break:
                plan = _Eager(str(graph_break))
                warnings.warn(f"engine.compile: graph break in {self.__name__}: {graph_break}; it runs eagerly",
                              CompileWarning, stacklevel=3)
            else:
                if not self.valued.issuperset(plan.guarded):  # from now on, their values are part of the key
                    self.valued |= set(plan.guarded)
                    key = _signature(args, self.valued)
        self.cache[key] = plan
        return plan

    def explain(self, file=None):
        """Print the program before and after each pass, with node counts and bytes allocated per step."""
        if self.last is None:
            print(f"{self.__name__} has not been compiled yet: call it once", file=file)
            return
        previous = None
        for title, program in self.last.stages:
            summary = f"# {title}: {len(program)} nodes, {_bytes(program.bytes_per_step())} allocated per step"
            if program.buffers:
                summary += f", {_bytes(program.buffer_bytes())} in buffers kept between steps"
            if previous is not None and str(program) == previous:
                print(summary + " (unchanged)", file=file)
                continue
            print(summary, file=file)
            print(program, file=file)
            previous = str(program)
        print(f"# compiled in {self.last.compile_seconds * 1e3:.1f} ms", file=file)


def _bytes(count):
    return f"{count / 1024:.1f} KiB" if count >= 1024 else f"{count} B"


def _signature(args, valued=()):
    key = [is_grad_enabled()]
    for position, a in enumerate(args):
        if isinstance(a, Tensor):
            data = a._data
            if data.dtype.kind == "f":
                key.append((data.shape, data.dtype, a.requires_grad))
            else:
                key.append((data.shape, data.dtype, data.tobytes() if position in valued else None))
        else:
            try:
                hash(a)
                key.append((type(a), a))
            except TypeError:
                key.append(("object", id(a)))
    return tuple(key)


def compile(fn=None, **options):
    """Compile `fn`, as `torch.compile` does; use as `compile(fn)` or as the decorator `@compile`.

    The first call for a signature traces `fn` and its backward into a program, runs the
    passes, and from then on calls replay it. Options torch takes (`mode`, `fullgraph`, ...)
    are accepted and ignored.
    """
    if fn is None:
        return lambda f: Compiled(f)
    return Compiled(fn)
