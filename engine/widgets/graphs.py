"""Live graphs: ipywidgets that rebuild a small computation and redraw it as you move a slider.

Each explorer takes `build`, a function of the leaves (as tensors) that returns the
output, or `(output, names)` with `names` labelling the intermediate values
(`return L, locals()` works). Every widget shows a complete first picture before
anyone touches it, so the HTML book (which has no kernel) shows it too.

>>> def running_example(a, w1, w2, w3, w4):
...     b = w1 * a; c = w2 * a; d = w3 * b + w4 * c; L = d ** 2
...     return L, locals()
>>> explorer = GraphExplorer(running_example, a=2.0, w1=0.5, w2=-1.5, w3=2.0, w4=0.25)
>>> round(explorer.gradients["a"], 4)
1.5625
"""
import html
import time

import ipywidgets as widgets

from .. import viz
from ..autograd.engine import backward, observe_backward
from ..autograd.node import AccumulateGrad
from ..viz.graph import short_name
from ..creation import tensor


def _build(build, values):
    """Fresh leaves from `values`, the output, and the names to label the drawing with."""
    leaves = {name: tensor(float(value), requires_grad=True) for name, value in values.items()}
    result = build(**leaves)
    output, names = result if isinstance(result, tuple) else (result, {})
    names = {**leaves, **{k: v for k, v in names.items() if not k.startswith("_")}}
    for value in names.values():
        if getattr(value, "_grad_fn", None) is not None and value is not output:
            value.retain_grad()  # so every named value shows its gradient
    return output, names


def _picture(drawing):
    return drawing._repr_mimebundle_()["text/html"]


def _number(value):
    return f"{value:.6g}"


def _table(rows, header):
    cells = "".join(f"<th style='text-align:left;padding:0 0.8em 0 0'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:0 0.8em 0 0'>{cell}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table class='engine-widget-table'><tr>{cells}</tr>{body}</table>"


def _slider(name, value, span):
    low, high = span if span else (min(-3.0, value - 3.0), max(3.0, value + 3.0))
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=0.05, description=name, continuous_update=True,
        readout_format=".2f", layout=widgets.Layout(width="320px"),
    )


class _Explorer:
    """What every explorer shares: a widget tree shown by `display(explorer)`."""

    widget = None

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class GraphExplorer(_Explorer):
    """Sliders for the leaves; the drawing shows every value and gradient, recomputed live.

    `direction` picks the forward drawing (values, then gradients) or the backward one
    (arrows from the output to the leaves, with local derivatives). `spans` maps a
    leaf to its slider's (min, max).
    """

    def __init__(self, build, *, direction="forward", spans=None, **leaves):
        if direction not in ("forward", "backward"):
            raise ValueError(f"direction must be 'forward' or 'backward', got {direction!r}")
        if not leaves:
            raise ValueError("give each leaf a starting value, e.g. GraphExplorer(build, a=2.0)")
        self.build, self.direction = build, direction
        spans = spans or {}
        self.sliders = {name: _slider(name, float(value), spans.get(name)) for name, value in leaves.items()}
        self.picture, self.summary = widgets.HTML(), widgets.HTML()
        for slider in self.sliders.values():
            slider.observe(lambda change: self.update(), names="value")
        controls = widgets.VBox(list(self.sliders.values()))
        self.widget = widgets.VBox([widgets.HBox([controls, self.summary]), self.picture])
        self.update()

    def update(self):
        """Rebuild, backpropagate and redraw; returns the seconds it took."""
        start = time.perf_counter()
        output, names = _build(self.build, {name: s.value for name, s in self.sliders.items()})
        output.backward(retain_graph=True)
        draw = viz.draw_forward if self.direction == "forward" else viz.draw_backward
        self.picture.value = _picture(draw(output, names))
        self.value = output.item()
        self.gradients = {name: names[name].grad.item() for name in self.sliders}
        rows = [[html.escape(name), _number(names[name].item()), _number(self.gradients[name])] for name in self.sliders]
        self.summary.value = f"<p>output = {_number(self.value)}</p>" + _table(rows, ["leaf", "value", "∂output/∂leaf"])
        return time.perf_counter() - start


def walk(output, retain_graph=True):
    """Run backward from a scalar `output` and return the walk: (node, gradients received, gradients sent).

    The order is the order the engine ran the nodes in; leaves' `.grad` are filled as by backward().

    >>> import engine as torch
    >>> a = torch.tensor(1., requires_grad=True)
    >>> [node.name() for node, _, _ in walk((a + a) * 3)]
    ['MulBackward0', 'AddBackward0', 'torch::autograd::AccumulateGrad']
    """
    events = []

    def record(node, grads, sent):
        events.append((node, tuple(grads), None if sent is None else tuple(sent)))

    with observe_backward(record):
        backward(output, retain_graph=retain_graph)
    return events


def naive_gradients(output, wrt=None):
    """What a first, naive backward pass computes on a scalar graph: recurse into each input
    as soon as a gradient arrives, passing on everything gathered at that node so far.

    A value used twice sends its running total down twice, so it is counted too often:
    for b = a + a; c = b + b, `naive_gradients(c, a)` is 6 where autograd gives 4.
    With `wrt`, the number for that tensor; without, {graph key: gradient} for every
    tensor, keyed as in `engine.viz` (`Var.key`).
    """
    graph = viz.graph.trace(output)
    derivatives = viz.derivatives.Derivatives(graph)
    totals = {}
    # Explicit stack of (var, incoming gradient): the recursion, without Python's depth limit.
    stack = [(graph.root, 1.0)]
    while stack:
        var, incoming = stack.pop()
        totals[var.key] = totals.get(var.key, 0.0) + incoming
        op = var.producer
        if op is None:
            continue
        for index in reversed(range(len(op.inputs))):
            child = op.inputs[index]
            if child is None or child.kind == "constant":
                continue
            factor = derivatives.factor(op, index)
            if not isinstance(factor, float):
                raise ValueError("naive_gradients works on scalar graphs only")
            stack.append((child, totals[var.key] * factor))
    if wrt is not None:
        return totals.get(viz.graph._key_of(wrt), 0.0)
    return totals


def _is_weight(value):
    return getattr(value, "_grad_fn", 1) is None and getattr(value, "requires_grad", False)


def _leaf_key(leaf):
    return leaf._accumulator


class BackwardStepper(_Explorer):
    """A slider that replays the engine's backward pass one node at a time.

    Step k shows the gradient gathered so far at every tensor after the first k nodes
    ran, the running node outlined. The toggle shows instead what a naive recursive
    walk ends with, which counts a reused value too often.
    """

    def __init__(self, build, **leaves):
        output, names = _build(build, leaves)
        self.output, self.names = output, names
        self.events = walk(output, retain_graph=True)
        self.naive = naive_gradients(output)
        self.slider = widgets.IntSlider(value=len(self.events), min=0, max=len(self.events), description="step",
                                        layout=widgets.Layout(width="420px"))
        self.toggle = widgets.ToggleButton(value=False, description="naive recursive walk",
                                           layout=widgets.Layout(width="200px"))
        self.picture, self.caption = widgets.HTML(), widgets.HTML()
        self.slider.observe(lambda change: self.show(), names="value")
        self.toggle.observe(lambda change: self.show(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.slider, self.toggle]), self.caption, self.picture])
        self.show()

    def gathered(self, step):
        """{graph key: gradient summed so far} after the first `step` nodes ran."""
        sums = {}
        for node, received, sent in self.events[:step]:
            key = node if type(node) is AccumulateGrad else None
            if key is not None:
                continue
            for (child, output_nr), grad in zip(node.next_functions, sent):
                if child is None or grad is None:
                    continue
                child_key = child if type(child) is AccumulateGrad else (child, output_nr)
                sums[child_key] = sums.get(child_key, 0.0) + grad.item()
        sums[(self.output._grad_fn, self.output._output_nr)] = 1.0
        return sums

    def show(self):
        step = self.slider.value
        if self.toggle.value:
            grads, focus = self.naive, None
            wrong = ", ".join(
                f"∂output/∂{html.escape(name)}: naive {_number(self.naive.get(_leaf_key(t), 0.0))}, "
                f"engine {_number(t.grad.item())}" for name, t in self.names.items() if _is_weight(t)
            )
            text = ("The naive walk pushes each node's running total into its inputs every time it is reached, "
                    f"so a reused value is counted too often ({wrong}).")
        else:
            grads = self.gathered(step)
            focus = self.events[step - 1][0] if step else None
            text = f"Step {step} of {len(self.events)}: {self._ran(step)}"
        self.caption.value = f"<p>{text}</p>"
        self.drawing = viz.draw_backward(self.output, self.names, grads=grads, focus=focus)
        self.picture.value = _picture(self.drawing)

    def _ran(self, step):
        """The caption's account of the node run at `step`, naming what the drawing outlines."""
        if not step:
            return "nothing has run yet; the output's gradient is 1."
        node, received, _ = self.events[step - 1]
        if type(node) is AccumulateGrad:  # drawn as its leaf, which is outlined instead
            leaf = next((name for name, t in self.names.items() if getattr(t, "_accumulator", None) is node), "a leaf")
            total = _number(sum(g.item() for g in received))
            return f"ran AccumulateGrad, which adds {total} into {html.escape(leaf)}.grad (outlined)."
        made = next((name for name, t in self.names.items() if getattr(t, "_grad_fn", None) is node), None)
        which = f", which made {html.escape(made)}" if made else ""
        return f"ran {html.escape(short_name(node))}{which} (outlined)."


class PathExplorer(_Explorer):
    """Pick a tensor: its paths back from the output light up, one at a time, with each
    path's product of local derivatives, their sum, and autograd's gradient beside it."""

    def __init__(self, build, **leaves):
        output, names = _build(build, leaves)
        self.output, self.names = output, names
        choices = [name for name, value in names.items() if value is not output and getattr(value, "requires_grad", False)]
        self.paths = {name: viz.gradient_paths(output, names[name]) for name in choices}
        output.backward(retain_graph=True)
        self.autograd = {name: names[name].grad.item() for name in choices}
        self.choice = widgets.Dropdown(options=choices, value=choices[0] if choices else None, description="tensor")
        self.index = widgets.IntSlider(value=0, min=0, max=0, description="path")
        self.picture, self.summary = widgets.HTML(), widgets.HTML()
        self.choice.observe(lambda change: self._chosen(), names="value")
        self.index.observe(lambda change: self.show(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.choice, self.index]), self.summary, self.picture])
        self._chosen()

    def _chosen(self):
        paths = self.paths[self.choice.value]
        self.index.max = max(len(paths) - 1, 0)
        self.index.value = 0
        self.show()

    def show(self):
        name = self.choice.value
        paths = self.paths[name]
        rows = []
        for number, path in enumerate(paths):
            steps = " → ".join(html.escape(short_name(n)) for n in path.nodes)
            factors = " × ".join(_number(f) for f in path.factors) or "1"
            mark = "▶ " if number == self.index.value else ""
            rows.append([f"{mark}{number}", steps, factors, _number(path.product)])
        total = sum(p.product for p in paths)
        self.summary.value = (
            _table(rows, ["path", "nodes", "local derivatives", "product"])
            + f"<p>sum of products = {_number(total)}; autograd's ∂output/∂{html.escape(name)} = "
            f"{_number(self.autograd[name])}</p>"
        )
        highlight = paths[self.index.value] if paths else None
        self.picture.value = _picture(viz.draw_backward(self.output, self.names, highlight=highlight))


class RecordedGraphs(_Explorer):
    """A slider for a Python number that steers control flow; the drawing shows the graph recorded for it.

    `build(n, **tensors)` runs ordinary Python (loops, ifs) and returns the output;
    each slider position runs it again, so each shows the graph that run recorded.

    >>> def repeat(n, x):
    ...     for _ in range(n):
    ...         x = x * 2
    ...     return x
    >>> explorer = RecordedGraphs(repeat, n=(1, 5, 3), x=1.5)
    >>> explorer.output.item()
    12.0
    """

    def __init__(self, build, **arguments):
        (name, (low, high, start)), = [(k, v) for k, v in arguments.items() if isinstance(v, tuple)]
        self.build, self.name = build, name
        self.leaves = {k: v for k, v in arguments.items() if k != name}
        self.slider = widgets.IntSlider(value=start, min=low, max=high, description=name)
        self.picture, self.caption = widgets.HTML(), widgets.HTML()
        self.slider.observe(lambda change: self.update(), names="value")
        self.widget = widgets.VBox([self.slider, self.caption, self.picture])
        self.update()

    def update(self):
        count = self.slider.value
        output, names = _build(lambda **leaves: self.build(count, **leaves), self.leaves)
        self.output = output
        drawing = viz.draw_forward(output, names)
        self.caption.value = (
            f"<p>{html.escape(self.name)} = {count}: the run recorded the graph below; "
            f"output = {_number(output.item())}</p>"
        )
        self.picture.value = _picture(drawing)
