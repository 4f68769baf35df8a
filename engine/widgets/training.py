"""Training runs side by side: how the learning rate and the hidden size shape the curves.

`sweep` trains once for every pair of settings and keeps each run's history, a small
grid computed ahead of time. `plot_sweep` draws the whole grid as one static figure
(what the HTML book shows), and `SweepExplorer` picks one run from it with two sliders,
drawing that run over the faint curves of all the others. Reading from the grid, the
widget answers at once, and shows the same first picture with or without a kernel.

>>> grid = sweep(lambda lr, hidden: {"loss": [1.0, lr], "accuracy": [0.5, hidden / 100]},
...              learning_rates=[0.1, 0.5], hidden_sizes=[10, 20])
>>> grid[0.5, 20]
{'loss': [1.0, 0.5], 'accuracy': [0.5, 0.2]}
>>> SweepExplorer(grid, learning_rate=0.1, hidden_size=20).caption.value
'learning rate 0.1, 20 hidden units: training loss 0.1 after 2 epochs, test accuracy 20.0%'
"""
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np


def sweep(train, learning_rates, hidden_sizes):
    """{(learning rate, hidden size): train(lr, hidden)} for every pair, in order.

    `train(lr, hidden)` returns a dict with two lists, one entry per epoch: "loss"
    (the training loss) and "accuracy" (on the test set, as a fraction).
    """
    return {(lr, hidden): train(lr, hidden) for hidden in hidden_sizes for lr in learning_rates}


def _settings(grid):
    learning_rates = sorted({lr for lr, _ in grid})
    hidden_sizes = sorted({hidden for _, hidden in grid})
    missing = [(lr, h) for lr in learning_rates for h in hidden_sizes if (lr, h) not in grid]
    if missing:
        raise ValueError(f"the grid has no run for (learning rate, hidden size) {missing}")
    return learning_rates, hidden_sizes


def final_accuracies(grid):
    """A (hidden sizes × learning rates) array of each run's last test accuracy."""
    learning_rates, hidden_sizes = _settings(grid)
    return np.array([[grid[lr, h]["accuracy"][-1] for lr in learning_rates] for h in hidden_sizes])


def plot_sweep(grid):
    """The static twin: each hidden size's loss curves, one per learning rate, and a map of final accuracy."""
    learning_rates, hidden_sizes = _settings(grid)
    fig, axes = plt.subplots(1, len(hidden_sizes) + 1, figsize=(2.6 * (len(hidden_sizes) + 1), 2.8))
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(learning_rates)))
    for ax, hidden in zip(axes, hidden_sizes):
        for lr, colour in zip(learning_rates, colours):
            losses = grid[lr, hidden]["loss"]
            ax.plot(range(1, len(losses) + 1), losses, ".-", color=colour, label=f"lr {lr:g}")
        ax.set(yscale="log", xlabel="epoch", title=f"{hidden} hidden units")
    axes[0].set_ylabel("training loss")
    axes[0].legend(fontsize=7)
    _accuracy_map(axes[-1], final_accuracies(grid), learning_rates, hidden_sizes)
    fig.tight_layout()
    return fig


def _accuracy_map(ax, accuracies, learning_rates, hidden_sizes):
    ax.imshow(accuracies, cmap="Greens", vmin=0, vmax=1, origin="lower")
    for (row, column), value in np.ndenumerate(accuracies):
        ax.text(column, row, f"{value:.0%}", ha="center", va="center", fontsize=8,
                color="white" if value > 0.6 else "black")
    ax.set(xticks=range(len(learning_rates)), xticklabels=[f"{lr:g}" for lr in learning_rates],
           yticks=range(len(hidden_sizes)), yticklabels=hidden_sizes,
           xlabel="learning rate", ylabel="hidden units", title="final test accuracy")


class SweepExplorer:
    """Two sliders over a `sweep` grid: the chosen run's loss and accuracy, drawn over all the others."""

    def __init__(self, grid, learning_rate=None, hidden_size=None):
        self.grid = grid
        learning_rates, hidden_sizes = _settings(grid)
        self.learning_rate = widgets.SelectionSlider(
            options=learning_rates, value=learning_rates[len(learning_rates) // 2] if learning_rate is None
            else learning_rate, description="learning rate", style={"description_width": "initial"})
        self.hidden_size = widgets.SelectionSlider(
            options=hidden_sizes, value=hidden_sizes[-1] if hidden_size is None else hidden_size,
            description="hidden units", style={"description_width": "initial"})
        self.picture = widgets.Image(format="png")
        self.caption = widgets.HTML()
        for slider in (self.learning_rate, self.hidden_size):
            slider.observe(lambda _: self.update(), names="value")
        self.update()

    def update(self):
        lr, hidden = self.learning_rate.value, self.hidden_size.value
        run = self.grid[lr, hidden]
        self.caption.value = (
            f"learning rate {lr:g}, {hidden} hidden units: training loss {run['loss'][-1]:.3g} after "
            f"{len(run['loss'])} epochs, test accuracy {run['accuracy'][-1]:.1%}"
        )
        self.picture.value = self._draw(lr, hidden)

    def _draw(self, chosen_lr, chosen_hidden):
        fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(7, 2.6))
        for (lr, hidden), run in self.grid.items():
            chosen = (lr, hidden) == (chosen_lr, chosen_hidden)
            style = dict(color="C3", linewidth=2.5, zorder=3) if chosen else dict(color="0.8", linewidth=1)
            epochs = range(1, len(run["loss"]) + 1)
            loss_ax.plot(epochs, run["loss"], **style)
            accuracy_ax.plot(epochs, [100 * a for a in run["accuracy"]], **style)
        loss_ax.set(yscale="log", xlabel="epoch", ylabel="training loss", title="loss")
        accuracy_ax.set(xlabel="epoch", ylabel="% of test set right", ylim=(0, 100), title="test accuracy")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        plt.close(fig)
        return buffer.getvalue()

    def _ipython_display_(self):
        from IPython.display import display

        display(widgets.VBox([widgets.HBox([self.learning_rate, self.hidden_size]), self.caption, self.picture]))
