"""engine.widgets.broadcasting: the explorer reports what adding tensors of the chosen shapes does."""
import re

import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")

import engine as torch  # noqa: E402
from engine.widgets import BroadcastExplorer, broadcast_report  # noqa: E402


def clashes(report):
    return len(re.findall(r"class='clash'", report))


def test_a_fitting_pair_reports_the_shape_of_the_sum():
    report = broadcast_report((4, 1), (3,))
    assert "<code>torch.Size([4, 3])</code>" in report and clashes(report) == 0
    assert str((torch.zeros(4, 1) + torch.zeros(3)).shape) == "torch.Size([4, 3])"


def test_a_clashing_pair_shows_the_engines_error_and_shades_the_clash():
    report = broadcast_report((4, 3), (4,))
    with pytest.raises(RuntimeError) as error:
        torch.zeros(4, 3) + torch.zeros(4)
    assert str(error.value) in report and clashes(report) == 2  # the 3 of a and the 4 of b


def test_explorer_reports_before_display_and_follows_its_dropdowns():
    explorer = BroadcastExplorer((4, 1), (3,))
    assert explorer.shapes == ((4, 1), (3,)) and "torch.Size([4, 3])" in explorer.report.value
    explorer.picks["b"][1].value = 2  # b becomes (2, 3): a's 4 rows cannot meet b's 2
    assert explorer.shapes == ((4, 1), (2, 3)) and "RuntimeError" in explorer.report.value
