"""Every seeded program of tests/differential.py gives torch's numbers, layouts and errors.

One test per case, named by its class and index:
`pytest "tests/test_differential.py::test_same_as_torch[views-17]"` runs one, and
`python tests/differential.py views 17` prints its program and both results.
"""
import numpy as np
import pytest

import differential
import engine
from torch_compat import torch  # noqa: F401  (the fixture: a clean skip where torch is absent)

CASES = differential.all_cases()

# Case id -> why the engine still differs from torch there. Each entry is a strict xfail, so a
# fix that makes the case pass also forces its entry out of this table.
KNOWN_DIVERGENCES = {}


def _marked(case):
    reason = KNOWN_DIVERGENCES.get(case.id)
    return case if reason is None else pytest.param(case, marks=pytest.mark.xfail(reason=reason, strict=True))


def test_enough_cases_in_every_class():
    assert len(CASES) >= 2000
    counts = {kind: sum(case.kind == kind for case in CASES) for kind in differential.GENERATORS}
    assert all(count >= 250 for count in counts.values()), counts


def test_cases_are_reproducible():
    """A case's program depends only on its class and index."""
    assert differential.make_case("views", 17) == differential.make_case("views", 17)
    assert differential.make_case("views", 17).program != differential.make_case("views", 18).program


@pytest.mark.parametrize("case", [_marked(case) for case in CASES], ids=[case.id for case in CASES])
def test_same_as_torch(case, torch):
    divergence = differential.diverges(case, torch)
    if divergence is not None:
        # No traceback: the divergence and the program say it all (and hundreds of failures stay quick).
        pytest.fail(f"{case.id}: {divergence}\n\n{case.program}", pytrace=False)


# ------------------------------------------------------------------ the comparator can fail
PLANTED = """x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
record('y', y)
y.sum().backward()
record('x.grad', x.grad)"""


def _planted(observations, label, key, change):
    """A copy of `observations` with one field of one tensor changed."""
    result = []
    for name, value in observations:
        if name == label:
            value = dict(value)
            value[key] = change(value[key])
        result.append((name, value))
    return result


def test_runs_agree_on_a_plain_program(torch):
    assert differential.compare(differential.run(PLANTED, engine), differential.run(PLANTED, torch)) is None


@pytest.mark.parametrize("label, key, change", [
    ("y", "values", lambda v: v + 1e-4),
    ("x.grad", "values", lambda v: v * -1),
    ("y", "shape", lambda s: (1,) + s),
    ("y", "dtype", lambda d: "float64"),
    ("y", "grad_fn", lambda n: "AddBackward0"),
    ("y", "requires_grad", lambda r: not r),
    ("y", "stride", lambda s: (2,)),
    ("y", "contiguous", lambda c: not c),
    ("y", "view(-1)", lambda v: "RuntimeError: view size is not compatible"),
])
def test_comparator_detects_a_planted_difference(torch, label, key, change):
    theirs = differential.run(PLANTED, torch)
    ours = _planted(theirs, label, key, change)
    assert differential.compare(ours, theirs) is not None


def test_comparator_detects_a_missing_gradient(torch):
    theirs = differential.run(PLANTED, torch)
    ours = [(name, None if name == "x.grad" else value) for name, value in theirs]
    assert "x.grad" in differential.compare(ours, theirs)


def test_comparator_detects_a_different_error(torch):
    program = "x = torch.ones(2)\nrecord('x', x)\nx.view(3)"
    theirs = differential.run(program, torch)
    assert isinstance(theirs[-1][1], differential.Raised)
    ours = theirs[:-1] + [("<raised>", differential.Raised("RuntimeError", "another message", 3, False))]
    assert "message" in differential.compare(ours, theirs)
    ours = theirs[:-1] + [("<raised>", differential.Raised("ValueError", theirs[-1][1].message, 3, False))]
    assert "type" in differential.compare(ours, theirs)
    assert differential.compare(theirs[:-1], theirs) is not None  # the engine did not raise


def test_a_raw_numpy_error_is_a_divergence_even_when_torch_raises(torch):
    program = "x = torch.ones(2)\nx.view(3)"
    theirs = differential.run(program, torch)
    numpy_error = differential.run("import numpy\nnumpy.broadcast_to(numpy.ones(2), (3,))", torch)[-1][1]
    assert numpy_error.from_numpy
    ours = theirs[:-1] + [("<raised>", numpy_error)]
    assert "NumPy" in differential.compare(ours, theirs)


def test_diverges_reports_a_planted_engine_difference(torch, monkeypatch):
    """Run end to end with an engine that multiplies wrongly: the case must fail."""
    monkeypatch.setattr(engine.Tensor, "__mul__", lambda self, other: engine.add(self, other))
    case = differential.Case("planted", 0, PLANTED)
    divergence = differential.diverges(case, torch)
    assert divergence is not None and divergence.startswith("y: values differ")


def test_observations_compare_floats_tightly():
    ours = [("y", {"shape": (1,), "dtype": "float32", "values": np.array([1.0 + 1e-4], dtype=np.float32),
                   "requires_grad": False, "grad_fn": None, "stride": None, "contiguous": True, "view(-1)": "ok"})]
    theirs = [("y", dict(ours[0][1], values=np.array([1.0], dtype=np.float32)))]
    assert differential.compare(ours, theirs) is not None
