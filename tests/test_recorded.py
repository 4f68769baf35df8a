"""engine.recorded: torch's side of a comparison, recorded where torch runs and shown where it does not."""
import importlib.util
import json

import pytest

from engine import recorded
from torch_compat import torch  # noqa: F401  (the fixture: a clean skip where torch is absent)


def _without_torch(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(recorded.importlib.util, "find_spec", lambda name: None if name == "torch" else real(name))


def test_a_run_with_torch_records_then_a_run_without_shows_the_recording(tmp_path, monkeypatch, torch):
    path = tmp_path / "record.json"
    monkeypatch.setenv(recorded.RECORDING, "1")
    live = recorded.torch_side("sum", lambda t: t.arange(4.0).sum().item(), path=path)
    assert live.value == 6.0 and live.live
    stored = json.loads(path.read_text())["sum"]
    assert stored["value"] == 6.0 and stored["versions"]["torch"] == torch.__version__

    _without_torch(monkeypatch)
    shown = recorded.torch_side("sum", lambda t: pytest.fail("torch is not there to run"), path=path)
    assert shown.value == 6.0 and not shown.live
    assert shown.describe().startswith(f"real PyTorch {torch.__version__}, recorded {stored['date']} (numpy ")
    assert live.describe() == shown.describe()  # the same words whether just recorded or read back


def test_a_stale_recording_is_caught_where_torch_runs(tmp_path, monkeypatch, torch):
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"sum": {"value": 7.0, "versions": {"torch": "0"}, "date": "2026-01-01"}}))
    monkeypatch.delenv(recorded.RECORDING, raising=False)
    with pytest.raises(AssertionError, match="the recording says 7.0"):
        recorded.torch_side("sum", lambda t: t.arange(4.0).sum().item(), path=path)
    unchecked = recorded.torch_side("sum", lambda t: 6.0, check=False, path=path)
    assert unchecked.value == 7.0  # a timing: the recording is shown, not today's run


def test_values_are_kept_as_json_keeps_them(tmp_path, monkeypatch, torch):
    path = tmp_path / "record.json"
    monkeypatch.setenv(recorded.RECORDING, "1")
    side = recorded.torch_side("shape", lambda t: {"shape": tuple(t.ones(2, 3).shape), "n": t.ones(2).sum()},
                               path=path)
    assert side.value == {"shape": [2, 3], "n": 2.0}


def test_without_torch_or_a_recording_the_error_says_how_to_record(tmp_path, monkeypatch):
    _without_torch(monkeypatch)
    with pytest.raises(LookupError, match="run `make notebooks` on a machine with torch"):
        recorded.torch_side("missing", lambda t: 0, path=tmp_path / "none.json")
