"""engine.widgets.compare: a snippet runs as a notebook cell would, under either library."""
import json

import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")

import engine  # noqa: E402
from engine import recorded  # noqa: E402
from engine.widgets import ComparisonTable, SameCell, compare, run_cell  # noqa: E402

SNIPPETS = {
    "product": "torch.tensor([[1.0, 2.0]]) @ torch.tensor([[3.0], [4.0]])",
    "backward": "w = torch.tensor(3.0, requires_grad=True)\n(w * w).backward()\nw.grad",
    "error": "torch.ones(2, 3) @ torch.ones(2, 3)",
}


def test_a_cell_shows_its_prints_then_its_last_value_or_its_error():
    assert run_cell("x = torch.tensor([1.0, 2.0])\nprint(x.shape)\nx.sum()", engine) == "torch.Size([2])\ntensor(3.)"
    assert run_cell("x = torch.ones(2)", engine) == ""
    assert run_cell("torch.ones(2, 3) + torch.ones(3, 2)", engine).startswith("RuntimeError: The size of tensor a (3)")


def _recording(tmp_path, outputs):
    """A recording file whose torch side of each snippet is `outputs[name]`, as a run without torch reads it."""
    path = tmp_path / "record.json"
    versions = {"torch": "2.13.0+cpu", "numpy": "2.4.6", "Python": "3.11.7"}
    path.write_text(json.dumps({f"t/{name}": {"value": text, "versions": versions, "date": "2026-12-04"}
                                for name, text in outputs.items()}))
    return path


def test_torch_side_comes_from_the_recording_where_torch_is_absent(tmp_path, monkeypatch):
    monkeypatch.setattr(recorded.importlib.util, "find_spec", lambda name: None)
    outputs = {name: run_cell(source, engine) for name, source in SNIPPETS.items()}
    outputs["product"] = "tensor([[99.]])"  # a recording that disagrees shows as different
    comparisons = compare(SNIPPETS, engine, "t/", path=_recording(tmp_path, outputs))
    assert [c.same for c in comparisons] == [False, True, True]
    assert comparisons[1].engine == "tensor(6.)" and not comparisons[1].torch.live

    table = ComparisonTable(comparisons)
    assert "tensor([[11.]])" in repr(table) and "tensor([[99.]])" in repr(table)
    assert "recorded 2026-12-04" in table._repr_html_() and "<b>different</b>" in table._repr_html_()

    widget = SameCell(comparisons)
    assert widget.choice.value == "product" and "tensor([[99.]])" in widget.panel.value  # a first picture
    widget.choice.value = "error"
    assert "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)" in widget.panel.value
    assert "same text" in widget.panel.value


def test_where_torch_runs_each_snippet_agrees_with_it(tmp_path, monkeypatch):
    pytest.importorskip("torch", reason="real torch not installed: pip install torch==2.13.0 to compare")
    monkeypatch.setenv(recorded.RECORDING, "1")
    comparisons = compare(SNIPPETS, engine, "t/", path=tmp_path / "record.json")
    assert all(c.same and c.torch.live for c in comparisons)
    assert set(json.loads((tmp_path / "record.json").read_text())) == {"t/product", "t/backward", "t/error"}
