"""engine.widgets.training: a grid of training runs, its static figure, and the explorer over it."""
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from engine.widgets import SweepExplorer, plot_sweep, sweep  # noqa: E402
from engine.widgets.training import final_accuracies  # noqa: E402

PNG = b"\x89PNG"


def fake_train(lr, hidden):
    """A stand-in for training: curves that depend on both settings, so each run is recognisable."""
    return {"loss": [2.0, 2.0 * lr, lr / hidden], "accuracy": [0.1, 0.5, min(1.0, hidden / 100 + lr)]}


@pytest.fixture
def grid():
    return sweep(fake_train, learning_rates=[0.01, 0.1, 0.5], hidden_sizes=[8, 64])


def test_sweep_trains_once_per_pair():
    calls = []
    grid = sweep(lambda lr, hidden: calls.append((lr, hidden)) or fake_train(lr, hidden), [0.1, 0.5], [8, 64])
    assert sorted(calls) == sorted(grid) == [(0.1, 8), (0.1, 64), (0.5, 8), (0.5, 64)]
    assert len(calls) == 4 and grid[0.5, 8] == fake_train(0.5, 8)


def test_final_accuracies_are_rows_of_hidden_sizes(grid):
    table = final_accuracies(grid)
    assert table.shape == (2, 3)
    assert table[1, 2] == pytest.approx(min(1.0, 64 / 100 + 0.5))


def test_an_incomplete_grid_is_an_error(grid):
    del grid[0.1, 8]
    with pytest.raises(ValueError, match=r"no run for .* \[\(0.1, 8\)\]"):
        SweepExplorer(grid)


def test_static_twin_has_a_panel_per_hidden_size_and_the_accuracy_map(grid):
    fig = plot_sweep(grid)
    assert len(fig.axes) == 3
    assert [len(ax.lines) for ax in fig.axes[:2]] == [3, 3]
    assert len(fig.axes[2].texts) == 6


def test_explorer_shows_a_complete_first_picture(grid):
    explorer = SweepExplorer(grid)
    assert (explorer.learning_rate.value, explorer.hidden_size.value) == (0.1, 64)
    assert bytes(explorer.picture.value).startswith(PNG)
    assert explorer.caption.value == (
        "learning rate 0.1, 64 hidden units: training loss 0.00156 after 3 epochs, test accuracy 74.0%"
    )


def test_moving_a_slider_redraws_the_chosen_run(grid):
    explorer = SweepExplorer(grid, learning_rate=0.01, hidden_size=8)
    first = bytes(explorer.picture.value)
    explorer.learning_rate.value = 0.5
    assert "learning rate 0.5, 8 hidden units" in explorer.caption.value
    assert "test accuracy 58.0%" in explorer.caption.value
    assert bytes(explorer.picture.value) != first
