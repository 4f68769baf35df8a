"""engine.widgets.modes: both ways of computing a Jacobian are counted, timed and compared."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")

import engine as torch  # noqa: E402
from engine.widgets import ModesExplorer, timing_grid  # noqa: E402
from engine.widgets.modes import layer_problem, measure  # noqa: E402


def exact(W, x):
    return (1 - np.tanh(W @ x) ** 2)[:, None] * W


def by_columns(W, x):
    return exact(W, x), W.shape[1]


def by_rows(W, x):
    """Reverse mode with the engine: one backward pass per output."""
    x = torch.tensor(x, requires_grad=True)
    y = (torch.tensor(W) @ x).tanh()
    rows = [torch.autograd.grad(y[i], x, retain_graph=True)[0].numpy() for i in range(y.shape[0])]
    return np.stack(rows), len(rows)


def test_layer_problem_is_seeded_and_shaped():
    W, x = layer_problem(3, 2)
    assert W.shape == (2, 3) and x.shape == (3,)
    assert np.array_equal(W, layer_problem(3, 2)[0])


def test_measure_counts_passes_and_checks_the_engine_against_the_exact_jacobian():
    row = measure(by_columns, by_rows, inputs=5, outputs=3, repeat=1)
    assert (row["forward passes"], row["reverse passes"], row["agree"]) == (5, 3, True)
    assert row["forward ms"] >= 0 and row["reverse ms"] >= 0


def test_measure_notices_a_wrong_jacobian():
    wrong = lambda W, x: (exact(W, x) + 1, W.shape[1])  # noqa: E731
    assert measure(wrong, by_rows, inputs=2, outputs=2, repeat=1)["agree"] is False


def test_timing_grid_has_one_row_per_size():
    rows = timing_grid(by_columns, by_rows, [(1, 4), (4, 1)], repeat=1)
    assert [(r["inputs"], r["outputs"], r["reverse passes"]) for r in rows] == [(1, 4, 4), (4, 1, 1)]


def test_explorer_shows_a_first_picture_and_follows_its_sliders():
    explorer = ModesExplorer(by_columns, by_rows, inputs=8, outputs=1, repeat=1)
    assert "8" in explorer.report.value and "fewer passes: reverse mode" in explorer.report.value
    explorer.sliders["outputs"].value = 32
    assert explorer.row["reverse passes"] == 32 and "fewer passes: forward mode" in explorer.report.value
    assert "agree" in explorer.report.value
