"""Define-then-run: a graph of symbolic values that runs later, many times, on new feeds.

Inside `with Graph() as g:`, engine operations on placeholders do not compute;
they record a node and return a `Symbol`, a value known only by its shape and
dtype. `g.run(fetches, feed_dict)` then executes the recorded program.

>>> import engine as torch
>>> from engine import static
>>> with static.Graph() as g:
...     x = static.placeholder("x", shape=(3,))
...     y = (x * x).sum()
>>> g.run(y, {"x": torch.tensor([1., 2., 3.])})
tensor(14.)
"""
import inspect
import itertools
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import new_context, set_apply_hook
from ..grad_mode import no_grad
from ..creation import tensor
from ..tensor import Tensor
from .drawing import GraphDrawing


class TracerWarning(UserWarning):
    """A traced function turned a traced value into a Python value: the trace may not generalise."""


class Symbol(Tensor):
    """A value in a static graph: a placeholder, or the output of a recorded node.

    It carries a stand-in array of the right shape and dtype (ones while defining a
    graph, the example values while tracing), so shapes are checked as the graph is built.
    """

    _graph = None
    _node = None
    _label = "?"

    @property
    def _requires_grad(self):
        # Every recorded operation asks its tensor arguments this, so a symbol used after its
        # graph closed is caught here instead of computing quietly on its stand-in array.
        if self._graph is not None and self._graph not in _active:
            raise RuntimeError(
                f"{self._label} is a value of a static graph that is no longer being built; compute with it "
                "inside `with graph:`, or run the graph to get a tensor"
            )
        return False

    @_requires_grad.setter
    def _requires_grad(self, value):
        pass  # a symbol never requires grad: its gradients are built with engine.static.gradients

    def _check_index(self):
        raise TypeError(
            f"indexing with {self._label}, a value of a static graph, is not supported: the index is read "
            "when the graph is built. Use a constant index, or one-hot weights and a sum"
        )

    def __repr__(self):
        return f"<Symbol {self._label}: {self.dtype.name}{list(self._data.shape)}>"

    __str__ = __repr__

    def _concrete(self, kind):
        return self._graph._concretize(self, kind)

    def item(self):
        return self._concrete("number").item()

    def tolist(self):
        return self._concrete("list").tolist()

    def numpy(self, *, force=False):
        return self._concrete("array")

    def __bool__(self):
        return bool(self._concrete("boolean"))

    def __float__(self):
        return float(self._concrete("number"))

    def __int__(self):
        return int(self._concrete("number"))

    def __index__(self):
        return int(self._concrete("index"))

    def __array__(self, dtype=None, copy=None):
        array = self._concrete("array")
        return array if dtype is None else array.astype(dtype)


class Node:
    """One recorded operation: a Function applied to symbols and constants."""

    def __init__(self, function, args, kwargs, ctx, outputs):
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.ctx = ctx  # the build-time call's ctx: symbolic gradients run its backward
        self.outputs = outputs

    @property
    def op(self):
        return _op_name(self.function)

    def inputs(self):
        return [a for a in self.args if isinstance(a, Symbol)]

    def needed(self, values):
        """The symbols that must be computed before this node runs."""
        return self.inputs()

    def evaluate(self, values):
        args = [values[a] if isinstance(a, Symbol) else a for a in self.args]
        results = self.function.apply(*args, **self.kwargs)
        return results if isinstance(results, tuple) else (results,)


def _op_name(function):
    """The operation's name in a printed program: what its Function declares, else its class name."""
    return function.static_name if function.static_name is not None else function.__name__.lower()


_active = []


def current_graph():
    """The innermost graph being built, or None."""
    return _active[-1] if _active else None


def _intercept(function, args, kwargs):
    if not any(isinstance(a, Symbol) for a in args):
        return NotImplemented  # constants only: compute now, as usual
    if not _active:
        label = next(a._label for a in args if isinstance(a, Symbol))
        raise RuntimeError(
            f"{label} is a value of a static graph that is no longer being built; compute with it inside "
            "`with graph:`, or run the graph to get a tensor"
        )
    graph = _active[-1]
    for a in args:
        if isinstance(a, Symbol) and a._graph is not graph:
            raise RuntimeError(f"{a._label} belongs to another graph; a graph can only use its own symbols")
    return graph._record(function, args, kwargs)


class Graph(GraphDrawing):
    """A program recorded ahead of its data, run with `run(fetches, feed_dict)`."""

    _mode = "define"  # or "trace"

    def __init__(self):
        self.placeholders = {}
        self.nodes = []
        self._names = itertools.count(1)
        self._plans = {}

    def __enter__(self):
        _active.append(self)
        set_apply_hook(_intercept)
        return self

    def __exit__(self, *exc):
        _active.remove(self)
        if not _active:
            set_apply_hook(None)  # eager code pays nothing once no graph is being built
        return False

    # ------------------------------------------------------------------ building
    def placeholder(self, name, shape, dtype=None, *, example=None):
        """A named input to the graph, fed a value at each run."""
        if name in self.placeholders:
            raise ValueError(f"the graph already has a placeholder named {name!r}")
        dtype = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
        shape = tuple(shape)
        if any(n is None or not isinstance(n, int) or n < 0 for n in shape):
            # The graph is shaped with stand-in arrays, so an unknown size would be baked in as 1.
            raise ValueError(
                f"placeholder {name!r}: every dimension needs a size (got {shape}); this engine builds static "
                "graphs for one shape at a time"
            )
        if example is not None:
            stand_in = np.array(example._data, dtype=dtype.numpy, copy=True)
        else:
            # Ones rather than zeros: the stand-in must not divide by zero or take log(0).
            stand_in = np.ones(shape, dtype=dtype.numpy)
        symbol = self._symbol(stand_in, name)
        symbol._shape_spec = shape
        self.placeholders[name] = symbol
        return symbol

    def _symbol(self, array, label, node=None):
        symbol = _new_symbol(array)
        symbol._graph, symbol._label, symbol._node = self, label, node
        return symbol

    def _record(self, function, args, kwargs):
        if not function.__module__.startswith("engine.ops"):
            for a in args:
                if isinstance(a, Symbol) and not a.dtype.is_floating_point:
                    # Such a Function may keep what it read from the stand-in (say, class labels)
                    # for its backward, which would then be wrong at run time.
                    raise TypeError(
                        f"{_op_name(function)} takes {a._label}, an integer graph value: in a static graph "
                        "give it as a constant, or feed one-hot floats instead (as TensorFlow 1 programs did)"
                    )
        ctx = new_context(function)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and (isinstance(a, Symbol) or a._requires_grad) for a in args)
        label = f"v{next(self._names)}"
        set_apply_hook(None)  # a custom Function's forward computes on the stand-ins
        try:
            with no_grad():
                outputs = function.forward(ctx, *args, **kwargs)
        except Exception as error:
            shown = ", ".join(_describe(a) for a in args)
            raise type(error)(f"while building {label} = {_op_name(function)}({shown}): {error}") from error
        finally:
            set_apply_hook(_intercept)
        single = not isinstance(outputs, tuple)
        outputs = (outputs,) if single else tuple(outputs)
        symbols = []
        for index, out in enumerate(outputs):
            if any(out is a for a in args):  # an input returned as is: record a distinct value
                out = _new_symbol(out._data)
            # The same object becomes the symbol, so a ctx that saved it saves the symbol.
            out.__class__ = Symbol
            out._graph, out._label = self, label if len(outputs) == 1 else f"{label}.{index}"
            out._requires_grad, out._grad_fn = False, None
            symbols.append(out)
        node = Node(function, args, kwargs, ctx, tuple(symbols))
        for out in symbols:
            out._node = node
        self.nodes.append(node)
        self._plans.clear()
        return symbols[0] if single else tuple(symbols)

    def _concretize(self, symbol, kind):
        if self._mode == "trace":
            warnings.warn(
                f"Converting a tensor to a Python {kind} might cause the trace to be incorrect. We can't record the "
                "data flow of Python values, so this value will be treated as a constant in the future. This means "
                "that the trace might not generalize to other inputs!",
                TracerWarning,
                stacklevel=3,
            )
            return symbol._data
        raise TypeError(
            f"{symbol._label} has no value until the graph runs, so it cannot be used as a Python {kind} "
            "(in `if`, `while`, float(), .item() ...). Put data-dependent choices in the graph with "
            "engine.static.cond or engine.static.while_loop."
        )

    # ------------------------------------------------------------------- running
    def run(self, fetches, feed_dict=None):
        """Compute `fetches` (a symbol or a list of them), feeding placeholders from `feed_dict`.

        Feed keys are placeholder names or the placeholder symbols; values are tensors,
        arrays or nested lists. Only what the fetches need is computed.
        """
        single = isinstance(fetches, Symbol)
        wanted = [fetches] if single else list(fetches)
        values = self._feed(feed_dict or {})
        key = tuple(id(s) for s in wanted)
        if key not in self._plans:
            self._plans[key] = self._plan(wanted)
        plan = self._plans[key]
        # A run computes values; gradients are part of the graph (engine.static.gradients).
        with no_grad():
            if plan is None:  # a cond inside: decide what to compute as values become known
                for symbol in wanted:
                    self._evaluate(symbol, values)
            else:
                self._execute(plan, values)
        results = [values[s] for s in wanted]
        return results[0] if single else results

    def _plan(self, wanted):
        """The nodes `wanted` needs, in an order that computes each input first; None if a cond
        means the order depends on the data. Planned once per set of fetches: the saving a
        graph declared ahead of time buys over rebuilding it every step."""
        order, placeholders, done = [], [], set()
        stack = [(s, False) for s in wanted]
        while stack:
            symbol, inputs_ready = stack.pop()
            node = symbol._node
            if node is None:
                if symbol not in done:
                    done.add(symbol)
                    placeholders.append(symbol)
                continue
            if not isinstance(node, Node):
                return None
            if id(node) in done:
                continue
            if inputs_ready:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((symbol, True))
            stack.extend((a, False) for a in node.inputs())
        return _Plan(order, placeholders, wanted)

    def _execute(self, plan, values):
        for symbol in plan.placeholders:
            if symbol not in values:
                self._evaluate(symbol, values)  # raises the missing-feed error
        for node, done_with in zip(plan.nodes, plan.free_after):
            for out, value in zip(node.outputs, node.evaluate(values)):
                values[out] = value
            for symbol in done_with:  # as eager code frees a temporary: memory stays flat
                del values[symbol]

    def _feed(self, feed_dict):
        values = {}
        for key, value in feed_dict.items():
            symbol = self.placeholders.get(key) if isinstance(key, str) else key
            if not isinstance(symbol, Symbol) or symbol._graph is not self or symbol._node is not None:
                raise KeyError(f"{key!r} is not a placeholder of this graph; placeholders: {sorted(self.placeholders)}")
            if not isinstance(value, Tensor):
                value = tensor(value, dtype=symbol.dtype)
            elif value.dtype is not symbol.dtype:
                value = value.to(symbol.dtype)
            spec = symbol._shape_spec
            if len(spec) != value.ndim or any(n is not None and n != m for n, m in zip(spec, value.shape)):
                raise ValueError(
                    f"Cannot feed value of shape {tuple(value.shape)} for placeholder {symbol._label!r}, "
                    f"which has shape {spec}"
                )
            values[symbol] = value
        return values

    def _evaluate(self, target, values):
        # Iterative, so long programs (an unrolled loop) need no deep recursion.
        stack = [target]
        while stack:
            symbol = stack[-1]
            if symbol in values:
                stack.pop()
                continue
            node = symbol._node
            if node is None:
                raise RuntimeError(
                    f"You must feed a value for placeholder {symbol._label!r} with dtype {symbol.dtype.name} "
                    f"and shape {symbol._shape_spec}"
                )
            missing = [s for s in node.needed(values) if s not in values]
            if missing:
                stack.extend(missing)
                continue
            for out, value in zip(node.outputs, node.evaluate(values)):
                values[out] = value
            stack.pop()

    # ------------------------------------------------------------------ showing
    def __str__(self):
        inputs = ", ".join(f"{name}: {s.dtype.name}{list(s._shape_spec)}" for name, s in self.placeholders.items())
        lines = [f"graph({inputs}):"]
        for node in self.nodes:
            outputs = ", ".join(o._label for o in node.outputs)
            lines.append(f"  {outputs} = {node.op}({', '.join(_describe(a) for a in _shown_args(node))})")
        return "\n".join(lines)

    def __repr__(self):
        return f"<Graph: {len(self.placeholders)} placeholders, {len(self.nodes)} nodes>"

    def nodes_for(self, values):
        """The recorded nodes that `values` depend on, in the order they were recorded."""
        needed, stack = set(), [v._node for v in values if getattr(v, "_node", None) is not None]
        while stack:
            node = stack.pop()
            if id(node) in needed:
                continue
            needed.add(id(node))
            stack.extend(a._node for a in node.inputs() if a._node is not None)
        return [node for node in self.nodes if id(node) in needed]

    @staticmethod
    def describe(value):
        """A short text for a value in a printed or drawn program: a symbol's name, a constant's value."""
        return _describe(value)


class _Plan:
    """Nodes in run order, and after each node the values nothing later needs (freed there)."""

    def __init__(self, nodes, placeholders, wanted):
        self.nodes, self.placeholders = nodes, placeholders
        last_use = {}
        for step, node in enumerate(nodes):
            for symbol in node.inputs():
                if symbol._node is not None:  # fed values belong to the caller
                    last_use[symbol] = step
        kept = set(wanted)
        self.free_after = [[] for _ in nodes]
        for symbol, step in last_use.items():
            if symbol not in kept:
                self.free_after[step].append(symbol)


def _new_symbol(array):
    symbol = object.__new__(Symbol)
    symbol._data = array
    symbol._version_counter = [0]
    return symbol


def _shown_args(node):
    """The arguments worth printing: values, and settings that differ from "off" as name=value."""
    if node.function is None:
        return list(node.args)
    names = list(inspect.signature(node.function.forward).parameters)[1:]
    shown = []
    for name, value in zip(names, node.args):
        if isinstance(value, Tensor):
            shown.append(value)
        elif value is not None and value is not False:
            shown.append(_Setting(name, value))
    return shown


class _Setting:
    """A non-tensor argument, printed as name=value."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __repr__(self):
        return f"{self.name}={_describe(self.value)}"


def _describe(value):
    """A short text for an argument in a printed program."""
    if isinstance(value, Symbol):
        return value._label
    if isinstance(value, Tensor):
        if value._data.ndim == 0:
            return f"{value._data.item():g}"
        return f"const{list(value._data.shape)}"
    if isinstance(value, dtypes.dtype):
        return value.name
    if isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value):
        return "[index]"
    if callable(value):
        return getattr(value, "__name__", "fn")
    return repr(value)


def placeholder(name, shape, dtype=None):
    """A named input of the graph being built: `placeholder("x", shape=(3,))`."""
    graph = current_graph()
    if graph is None:
        raise RuntimeError("placeholder() needs a graph: use it inside `with engine.static.Graph() as g:`")
    return graph.placeholder(name, shape, dtype)
