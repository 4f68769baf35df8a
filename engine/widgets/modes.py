"""Forward mode against reverse mode: one Jacobian, computed column by column or row by row.

The problem is a dense layer, y = tanh(W x), with n inputs and m outputs. Forward mode
finds the Jacobian one column per pass (one pass per input); reverse mode one row per
pass (one pass per output). The chapter writes both `jacobian` functions, each taking
`(W, x)` as NumPy arrays and returning `(J, passes)`; this module times them.

>>> import numpy as np
>>> def columns(W, x):  # the exact Jacobian, one column per input, as forward mode finds it
...     slope = 1 - np.tanh(W @ x) ** 2
...     return slope[:, None] * W, W.shape[1]
>>> row = measure(columns, columns, inputs=3, outputs=2, repeat=1)
>>> row["inputs"], row["outputs"], row["forward passes"], row["agree"]
(3, 2, 3, True)
"""
import html
import time

import ipywidgets as widgets
import numpy as np

SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def layer_problem(inputs, outputs, seed=0):
    """A seeded weight matrix (outputs × inputs) and input vector, scaled so tanh stays off its flat tails."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((outputs, inputs)) / np.sqrt(inputs)
    x = rng.standard_normal(inputs)
    return W, x


def _best_time(jacobian, W, x, repeat):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = jacobian(W, x)
        best = min(best, time.perf_counter() - start)
    return result, best


def measure(forward_jacobian, reverse_jacobian, inputs, outputs, repeat=3):
    """Both Jacobians of tanh(W x) for one size: passes each way, best time of `repeat`, and agreement."""
    W, x = layer_problem(inputs, outputs)
    (J_forward, forward_passes), forward_seconds = _best_time(forward_jacobian, W, x, repeat)
    (J_reverse, reverse_passes), reverse_seconds = _best_time(reverse_jacobian, W, x, repeat)
    return {
        "inputs": inputs, "outputs": outputs,
        "forward passes": forward_passes, "reverse passes": reverse_passes,
        "forward ms": 1e3 * forward_seconds, "reverse ms": 1e3 * reverse_seconds,
        "agree": bool(np.allclose(J_forward, J_reverse, atol=1e-5)),
    }


def timing_grid(forward_jacobian, reverse_jacobian, sizes, repeat=3):
    """`measure` for every (inputs, outputs) pair in `sizes`: the static twin of ModesExplorer."""
    return [measure(forward_jacobian, reverse_jacobian, n, m, repeat) for n, m in sizes]


def _bar(milliseconds, longest, colour):
    width = 0 if longest == 0 else max(1, round(220 * milliseconds / longest))
    return f"<span style='display:inline-block;height:0.8em;width:{width}px;background:{colour}'></span>"


def _report(row):
    longest = max(row["forward ms"], row["reverse ms"])
    cell = "padding:0 0.8em 0 0;text-align:left"
    lines = [
        ("forward (one pass per input)", row["forward passes"], row["forward ms"], "#2b6cb0"),
        ("reverse (one pass per output)", row["reverse passes"], row["reverse ms"], "#b7791f"),
    ]
    body = "".join(
        f"<tr><td style='{cell}'>{html.escape(name)}</td><td style='{cell}'>{passes}</td>"
        f"<td style='{cell}'>{ms:.2f}</td><td style='{cell}'>{_bar(ms, longest, colour)}</td></tr>"
        for name, passes, ms, colour in lines
    )
    fewer = "reverse" if row["reverse passes"] < row["forward passes"] else (
        "forward" if row["forward passes"] < row["reverse passes"] else "neither")
    verdict = "the two Jacobians agree" if row["agree"] else "the two Jacobians DIFFER"
    return (
        f"<p>J is {row['outputs']} × {row['inputs']}: {verdict}; fewer passes: {fewer} mode.</p>"
        f"<table class='engine-widget-table'><tr><th style='{cell}'>mode</th><th style='{cell}'>passes</th>"
        f"<th style='{cell}'>ms</th><th style='{cell}'></th></tr>{body}</table>"
    )


class ModesExplorer:
    """Sliders for the number of inputs and outputs of tanh(W x); both Jacobians recomputed and timed live."""

    def __init__(self, forward_jacobian, reverse_jacobian, inputs=64, outputs=1, repeat=3):
        self._jacobians = forward_jacobian, reverse_jacobian
        self._repeat = repeat
        self.sliders = {
            name: widgets.SelectionSlider(options=SIZES, value=value, description=name,
                                          layout=widgets.Layout(width="360px"))
            for name, value in (("inputs", inputs), ("outputs", outputs))
        }
        self.report = widgets.HTML()
        for slider in self.sliders.values():
            slider.observe(lambda change: self.update(), names="value")
        self.widget = widgets.VBox([*self.sliders.values(), self.report])
        self.update()

    def update(self):
        """Recompute both Jacobians for the sliders' sizes and redraw the table."""
        self.row = measure(*self._jacobians, self.sliders["inputs"].value, self.sliders["outputs"].value,
                           self._repeat)
        self.report.value = _report(self.row)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
