"""engine.save and engine.load: round trips, resumed training, a fresh process, and refused files."""
import io
import os
import pickle
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import engine
from engine import nn, optim
from torch_compat import torch  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[1]


def small_model(seed=0):
    engine.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def round_trip(obj, **load_args):
    buffer = io.BytesIO()
    engine.save(obj, buffer)
    buffer.seek(0)
    return engine.load(buffer, **load_args)


def test_model_round_trip_gives_identical_outputs(tmp_path):
    model = small_model()
    path = tmp_path / "model.pt"
    engine.save(model.state_dict(), path)
    loaded = engine.load(path)
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(model.state_dict())
    fresh = small_model(seed=1)
    assert fresh.load_state_dict(loaded).missing_keys == []
    x = engine.randn(5, 4)
    with engine.no_grad():
        assert engine.equal(fresh(x), model(x))


def test_plain_values_dtypes_and_flags_survive():
    value = {
        "floats": engine.tensor([1.5, -2.0], dtype=engine.float64),
        "ints": engine.arange(6).reshape(2, 3).T,  # not contiguous
        "mask": engine.tensor([True, False]),
        "scalar": engine.tensor(3.0, requires_grad=True),
        "nested": [1, 2.5, "text", None, True, (3, 4)],
        0: OrderedDict(a=1),
    }
    loaded = round_trip(value)
    for key in ("floats", "ints", "mask", "scalar"):
        assert loaded[key].dtype == value[key].dtype and engine.equal(loaded[key], value[key])
    assert loaded["scalar"].requires_grad and loaded["scalar"].is_leaf and not loaded["floats"].requires_grad
    assert loaded["nested"] == value["nested"] and loaded[0] == OrderedDict(a=1)
    loaded["ints"][0, 0] = 7  # a loaded tensor owns writable memory
    parameter = round_trip(nn.Parameter(engine.ones(2)))
    assert isinstance(parameter, nn.Parameter) and parameter.requires_grad


def train(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    lambda params: optim.Adam(params, lr=0.01),
], ids=["sgd-momentum", "adam"])
def test_training_resumes_identically_after_save_and_load(make_optimizer, tmp_path):
    engine.manual_seed(0)
    batches = [(engine.randn(6, 4), engine.randint(0, 3, (6,))) for _ in range(8)]
    model = small_model()
    optimizer = make_optimizer(model.parameters())
    uninterrupted = train(model, optimizer, batches)

    model = small_model()
    optimizer = make_optimizer(model.parameters())
    first = train(model, optimizer, batches[:3])
    engine.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, tmp_path / "checkpoint.pt")
    checkpoint = engine.load(tmp_path / "checkpoint.pt")
    resumed_model = small_model(seed=5)
    resumed_optimizer = make_optimizer(resumed_model.parameters())
    resumed_model.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    assert first + train(resumed_model, resumed_optimizer, batches[3:]) == uninterrupted


def test_a_file_reads_back_in_a_fresh_process(tmp_path):
    model = small_model()
    path = tmp_path / "model.pt"
    engine.save({"model": model.state_dict(), "epoch": 4}, path)
    script = (
        "import sys, engine\n"
        "checkpoint = engine.load(sys.argv[1])\n"
        "print(checkpoint['epoch'], repr(checkpoint['model']['2.bias'].tolist()))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, cwd=tmp_path)
    assert result.stdout == f"4 {model[2].bias.tolist()!r}\n"


class RunsOnLoad:
    """A pickle whose loading would call `action(*arguments)`: what an attacker's file does."""

    def __init__(self, action, *arguments):
        self.action, self.arguments = action, arguments

    def __reduce__(self):
        return self.action, self.arguments


@pytest.mark.parametrize("how", ["plain pickle", "engine.save"])
def test_a_malicious_pickle_is_refused_and_its_command_never_runs(how, tmp_path):
    marker = tmp_path / "marker"
    payload = {"trap": RunsOnLoad(os.system, f"touch {marker}"), "weight": engine.ones(2)}
    path = tmp_path / "evil.pt"
    if how == "plain pickle":
        path.write_bytes(pickle.dumps(payload))
    else:
        engine.save(payload, path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as refusal:
        engine.load(path)
    assert f"GLOBAL {os.system.__module__}.system" in str(refusal.value)
    assert "is blocked" in str(refusal.value)
    assert not marker.exists()


def test_weights_only_false_runs_the_file_which_is_why_it_is_not_the_default(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.pt"
    engine.save(RunsOnLoad(open, str(marker), "w"), path)
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL io.open"):
        engine.load(path)
    assert not marker.exists()
    engine.load(path, weights_only=False).close()
    assert marker.exists()


@pytest.mark.parametrize("obj, name", [
    (small_model(), "engine.nn.container.Sequential"),
    (np.zeros(2), "numpy"),
    ({1, 2}.union, "builtins"),
])
def test_anything_but_tensors_and_containers_is_refused(obj, name):
    with pytest.raises(pickle.UnpicklingError, match=f"Unsupported global: GLOBAL {name}|GLOBAL {name}"):
        round_trip(obj)


def forged(dtype_name, shape, data):
    """A file that calls the engine's own tensor rebuilder with arguments of the attacker's choice."""
    from engine import serialization

    return pickle.dumps(RunsOnLoad(serialization._rebuild_tensor, dtype_name, shape, data, False))


@pytest.mark.parametrize("arguments, reason", [
    (("object", (1,), b"\0" * 8), "unsupported tensor dtype"),
    (("float32", (3,), b"\0" * 8), "cannot hold 8 bytes"),
    (("float32", (-1,), b""), "non-negative"),
    (("float32", [2], b"\0" * 8), "must be"),
])
def test_a_forged_tensor_record_is_refused(arguments, reason):
    with pytest.raises(pickle.UnpicklingError, match=reason):
        engine.load(io.BytesIO(forged(*arguments)))


def test_state_dicts_have_torchs_keys_and_shapes(torch):
    ours = small_model()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    our_opt = optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    their_opt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for model, opt, lib in ((ours, our_opt, engine), (theirs, their_opt, torch)):
        model(lib.ones(2, 4)).sum().backward()
        opt.step()
    ours_state, theirs_state = round_trip(our_opt.state_dict()), their_opt.state_dict()
    assert ours_state["param_groups"] == theirs_state["param_groups"]
    assert {k: sorted(v) for k, v in ours_state["state"].items()} == \
        {k: sorted(v) for k, v in theirs_state["state"].items()}


def test_torch_refuses_the_same_malicious_file(torch, tmp_path):
    path = tmp_path / "evil.pt"
    marker = tmp_path / "marker"
    path.write_bytes(pickle.dumps(RunsOnLoad(os.system, f"touch {marker}"), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as theirs:
        torch.load(path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as ours:
        engine.load(path)
    reason = f"Trying to load unsupported GLOBAL {os.system.__module__}.system whose module"
    assert reason in str(theirs.value) and reason in str(ours.value)
    assert not marker.exists()
