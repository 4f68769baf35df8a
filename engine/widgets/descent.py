"""Gradient descent live: the weight after each epoch, with and without zeroing the gradient.

`train(zero_grad, epochs, lr)` is the chapter's own training loop and returns the weight
after each epoch; the explorer runs it both ways and draws the two paths towards the
`target` weight.

>>> def halve(zero_grad, epochs, lr):  # a stand-in loop: the distance to 2 halves each epoch
...     return [2 - 0.5 ** (k + 1) for k in range(epochs)]
>>> explorer = DescentExplorer(halve, lr=0.01, epochs=3)
>>> explorer.paths["with zero_grad"]
[1.5, 1.75, 1.875]
"""
import html

import ipywidgets as widgets

_COLOURS = {"with zero_grad": "#2b6cb0", "without": "#b4235a"}


def _svg(paths, target, width=360, height=180):
    """Each path as a polyline over epochs 0..n, with the target as a dashed line."""
    values = [v for path in paths.values() for v in path] + [target]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    epochs = max(len(path) for path in paths.values())

    def point(k, v):
        return f"{10 + (width - 20) * k / max(epochs - 1, 1):.1f},{10 + (height - 20) * (high - v) / span:.1f}"

    lines = [
        f"<line x1='10' x2='{width - 10}' y1='{point(0, target).split(',')[1]}' "
        f"y2='{point(0, target).split(',')[1]}' stroke='#6b7280' stroke-dasharray='4 3'/>"
    ]
    for name, path in paths.items():
        points = " ".join(point(k, v) for k, v in enumerate(path))
        lines.append(f"<polyline fill='none' stroke='{_COLOURS[name]}' stroke-width='2' points='{points}'/>")
    return f"<svg width='{width}' height='{height}' xmlns='http://www.w3.org/2000/svg'>{''.join(lines)}</svg>"


class DescentExplorer:
    """A learning-rate and an epochs slider; the weight's path with and without zeroing, redrawn live."""

    def __init__(self, train, lr=0.01, epochs=10, target=2.0):
        self._train, self._target = train, target
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=-0.5, step=0.05, description="lr",
                                         readout_format=".3f", layout=widgets.Layout(width="360px"))
        self.epochs = widgets.IntSlider(value=epochs, min=2, max=40, description="epochs",
                                        layout=widgets.Layout(width="360px"))
        self.picture = widgets.HTML()
        for control in (self.lr, self.epochs):
            control.observe(lambda change: self.update(), names="value")
        self.widget = widgets.VBox([self.lr, self.epochs, self.picture])
        self.update()

    def update(self):
        """Train both ways for the sliders' values and redraw."""
        self.paths = {
            "with zero_grad": self._train(True, self.epochs.value, self.lr.value),
            "without": self._train(False, self.epochs.value, self.lr.value),
        }
        legend = " ".join(
            f"<span style='color:{_COLOURS[name]}'>■ {html.escape(name)}: w = {path[-1]:.4g}</span>"
            for name, path in self.paths.items()
        )
        self.picture.value = (
            f"<p>w after each epoch (dashed: the target {self._target:g})<br>{legend}</p>"
            + _svg(self.paths, self._target)
        )

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
