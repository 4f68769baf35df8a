"""Control flow as graph operations: `cond` and a bounded `while_loop`.

A define-then-run graph cannot use Python's `if` on a value it does not know
yet, so the choice itself becomes a node. Both branches are built into the
graph; when it runs, only the branch the predicate picks is computed.

>>> import engine as torch
>>> from engine import static
>>> with static.Graph() as g:
...     x = static.placeholder("x", shape=())
...     y = static.cond(x > 0, lambda: x * 2, lambda: -x)
>>> g.run(y, {"x": 3.0}), g.run(y, {"x": -4.0})
(tensor(6.), tensor(4.))
"""
from ..tensor import Tensor
from .graph import Symbol, current_graph


class CondNode:
    """pred ? true_value : false_value, computing only the chosen side."""

    function = None
    op = "cond"
    kwargs = {}
    ctx = None

    def __init__(self, pred, true_value, false_value, output):
        self.args = (pred, true_value, false_value)
        self.outputs = (output,)

    def inputs(self):
        return [a for a in self.args if isinstance(a, Symbol)]

    def needed(self, values):
        pred, true_value, false_value = self.args
        if isinstance(pred, Symbol) and pred not in values:
            return [pred]
        chosen = true_value if _truth(values.get(pred, pred)) else false_value
        return [chosen] if isinstance(chosen, Symbol) else []

    def evaluate(self, values):
        pred, true_value, false_value = self.args
        chosen = true_value if _truth(values.get(pred, pred)) else false_value
        return (values[chosen] if isinstance(chosen, Symbol) else chosen,)


def _truth(value):
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"cond needs a predicate with one element, got shape {list(value.shape)}")
        return bool(value._data.reshape(()))
    return bool(value)


def cond(pred, true_fn, false_fn):
    """`true_fn()` where `pred` holds, else `false_fn()`; both are built, one runs.

    The branches must give values of the same shape and dtype.
    """
    graph = current_graph()
    if graph is None:
        raise RuntimeError("cond() needs a graph: use it inside `with engine.static.Graph() as g:`")
    true_value, false_value = true_fn(), false_fn()
    for side, value in (("true", true_value), ("false", false_value)):
        if not isinstance(value, Tensor):
            raise TypeError(f"cond's {side} branch must return a tensor, got {type(value).__name__}")
    if true_value.shape != false_value.shape or true_value.dtype is not false_value.dtype:
        raise ValueError(
            f"cond branches must return the same shape and dtype: the true branch gives "
            f"{true_value.dtype.name}{list(true_value.shape)}, the false branch {false_value.dtype.name}{list(false_value.shape)}"
        )
    if not isinstance(pred, Symbol):  # known now: no node needed
        return true_value if _truth(pred) else false_value
    if pred.numel() != 1:
        raise ValueError(f"cond needs a predicate with one element, got shape {list(pred.shape)}")
    chosen = true_value if (graph._mode == "trace" and bool(pred._data.reshape(()))) else false_value
    stand_in = true_value._data if graph._mode != "trace" else chosen._data
    label = f"v{next(graph._names)}"
    output = graph._symbol(stand_in, label)
    node = CondNode(pred, true_value, false_value, output)
    output._node = node
    graph.nodes.append(node)
    graph._plans.clear()
    return output


def while_loop(cond_fn, body_fn, loop_vars, maximum_iterations):
    """Repeat `loop_vars = body_fn(*loop_vars)` while `cond_fn(*loop_vars)` holds, at most
    `maximum_iterations` times.

    The bound is what makes it a graph: the body is built `maximum_iterations` times,
    each copy guarded by a `cond`, so iterations past the stopping point compute nothing.
    """
    if not isinstance(maximum_iterations, int) or maximum_iterations < 0:
        raise ValueError(f"maximum_iterations must be a non-negative int, got {maximum_iterations!r}")
    single = not isinstance(loop_vars, (tuple, list))
    values = [loop_vars] if single else list(loop_vars)
    running = None
    for _ in range(maximum_iterations):
        keep_going = cond_fn(*values)
        running = keep_going if running is None else running & keep_going
        updated = body_fn(*values)
        updated = [updated] if single else list(updated)
        if len(updated) != len(values):
            raise ValueError(f"while_loop's body returned {len(updated)} values for {len(values)} loop variables")
        guard = running
        values = [cond(guard, lambda new=new: new, lambda old=old: old) for new, old in zip(updated, values)]
    return values[0] if single else tuple(values)
