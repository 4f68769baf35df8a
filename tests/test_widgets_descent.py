"""engine.widgets.descent: the explorer runs the chapter's loop both ways and follows its sliders."""
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")

import engine as torch  # noqa: E402
from engine.widgets import DescentExplorer  # noqa: E402

XS, YS = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]


def train(zero_grad, epochs, lr):
    w = torch.tensor(1.0, requires_grad=True)
    weights = []
    for _ in range(epochs):
        for x, y in zip(XS, YS):
            ((x * w - y) ** 2).backward()
            with torch.no_grad():
                w -= lr * w.grad
            if zero_grad:
                w.grad.zero_()
        weights.append(w.item())
    return weights


def test_first_picture_shows_both_paths():
    explorer = DescentExplorer(train)
    assert round(explorer.paths["with zero_grad"][-1], 4) == 1.9512
    assert len(explorer.paths["without"]) == 10
    assert explorer.picture.value.count("<polyline") == 2 and "w = 1.951" in explorer.picture.value


def test_sliders_retrain():
    explorer = DescentExplorer(train)
    explorer.epochs.value = 3
    assert len(explorer.paths["with zero_grad"]) == 3
    explorer.lr.value = 0.001
    assert explorer.paths["with zero_grad"][-1] < 1.5
