"""engine.optim: SGD and Adam follow torch's update rules step for step."""
import copy
import math

import numpy as np
import pytest

import engine
import engine.nn as nn
import engine.nn.functional as F
import engine.optim as optim
from torch_compat import assert_same_error, outcome, torch  # noqa: F401  (torch is a fixture)


def mlp(lib, dtype):
    return lib.nn.Sequential(lib.nn.Linear(64, 32), lib.nn.ReLU(), lib.nn.Linear(32, 10)).to(dtype)


def data(dtype):
    rng = np.random.default_rng(0)
    return rng.standard_normal((48, 64)).astype(dtype), rng.integers(0, 10, 48)


OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=1e-2, maximize=False)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("Adam", dict(lr=1e-2, betas=(0.3, 0.9))),  # 1 - β₁ ≥ 0.5: the other branch of torch's lerp
    ("AdamW", dict(lr=1e-2)),
]


def run_side_by_side(torch, name, options, dtype, steps=20):
    """Train the same MLP in both libraries; yield (step, engine params, torch params, losses)."""
    torch_dtype, engine_dtype = getattr(torch, dtype), getattr(engine, dtype)
    torch.manual_seed(0)
    theirs = mlp(torch, torch_dtype)
    ours = mlp(engine, engine_dtype)
    ours.load_state_dict({k: engine.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    their_opt = getattr(torch.optim, name)(theirs.parameters(), **options)
    our_opt = getattr(optim, name)(ours.parameters(), **options)
    x, y = data(dtype)
    tx, ty, ex, ey = torch.tensor(x), torch.tensor(y), engine.tensor(x), engine.tensor(y)
    for step in range(steps):
        their_opt.zero_grad()
        their_loss = torch.nn.functional.cross_entropy(theirs(tx), ty)
        their_loss.backward()
        their_opt.step()
        our_opt.zero_grad()
        our_loss = F.cross_entropy(ours(ex), ey)
        our_loss.backward()
        our_opt.step()
        yield step, list(ours.parameters()), list(theirs.parameters()), (our_loss.item(), their_loss.item()), (our_opt, their_opt)


@pytest.mark.parametrize("name, options", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)])
def test_training_matches_torch_step_for_step_float32(torch, name, options):
    # Adam divides each gradient by its own running size, so an element whose gradient is
    # almost zero (where the two libraries' last-bit rounding differs most) still moves by up
    # to lr: in float32 that leaves differences of ~2e-6 in a few such elements.
    atol = 1e-6 if name == "SGD" else 1e-5
    for step, ours, theirs, (our_loss, their_loss), _ in run_side_by_side(torch, name, options, "float32"):
        assert math.isclose(our_loss, their_loss, rel_tol=1e-5, abs_tol=1e-6), step
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=atol, err_msg=f"step {step}")


@pytest.mark.parametrize("name, options", [OPTIMIZERS[2], OPTIMIZERS[5], OPTIMIZERS[6]], ids=["SGD", "Adam", "amsgrad"])
def test_training_matches_torch_float64_and_state(torch, name, options):
    for step, ours, theirs, losses, (our_opt, their_opt) in run_side_by_side(torch, name, options, "float64", steps=10):
        for p, q in zip(ours, theirs):  # (see the xfail below for why not tighter)
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=f"step {step}")
    our_state, their_state = our_opt.state_dict(), their_opt.state_dict()
    assert our_state["param_groups"] == their_state["param_groups"]
    assert our_state["state"].keys() == their_state["state"].keys()
    for index, entries in their_state["state"].items():
        assert our_state["state"][index].keys() == entries.keys()
        for key, value in entries.items():
            ours_value = our_state["state"][index][key]
            assert ours_value.dtype.name == str(value.dtype).removeprefix("torch.") and ours_value.shape == tuple(value.shape)
            np.testing.assert_allclose(ours_value.numpy(), value.numpy(), rtol=1e-5, atol=1e-6)


def test_float64_updates_are_exactly_torchs(torch):
    for step, ours, theirs, _, _ in run_side_by_side(torch, "SGD", dict(lr=0.1, momentum=0.9), "float64", steps=3):
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------- the rules, without torch
def quadratic_step(optimizer_class, grads, **options):
    """Parameter values after one step per gradient in `grads`, on a scalar parameter starting at 1."""
    p = nn.Parameter(engine.tensor([1.0]))
    optimizer = optimizer_class([p], **options)
    values = []
    for g in grads:
        p.grad = engine.tensor([g])
        optimizer.step()
        values.append(p.item())
    return values, optimizer


def test_sgd_rules():
    values, _ = quadratic_step(optim.SGD, [2.0, 2.0], lr=0.5)
    assert values == [0.0, -1.0]
    approx = lambda expected: pytest.approx(expected, rel=1e-6)  # noqa: E731
    # Momentum: the first step's buffer is the gradient itself (no dampening), then buf = m·buf + (1-d)·g.
    values, opt = quadratic_step(optim.SGD, [1.0, 1.0, 1.0], lr=1.0, momentum=0.5, dampening=0.5)
    buffers = [1.0, 0.5 * 1.0 + 0.5, 0.5 * 1.0 + 0.5]
    assert values == approx(list(1 - np.cumsum(buffers)))
    assert opt.state[opt.param_groups[0]["params"][0]]["momentum_buffer"].item() == approx(1.0)
    # Nesterov looks ahead: step = g + m·buf.
    values, _ = quadratic_step(optim.SGD, [1.0, 1.0], lr=1.0, momentum=0.5, nesterov=True)
    assert values == approx([1 - 1.5, 1 - 1.5 - (1 + 0.5 * 1.5)])
    # Weight decay adds wd·p to the gradient; maximize climbs.
    values, _ = quadratic_step(optim.SGD, [0.0], lr=1.0, weight_decay=0.25)
    assert values == pytest.approx([0.75])
    values, _ = quadratic_step(optim.SGD, [1.0], lr=0.5, maximize=True)
    assert values == [1.5]


def test_adam_rules():
    approx = lambda expected: pytest.approx(expected, rel=1e-5)  # noqa: E731
    # After bias correction Adam's first step is lr·g/|g| (up to eps), whatever the gradient's size.
    for g in (1e-3, 5.0, -2.0):
        values, opt = quadratic_step(optim.Adam, [g], lr=0.1)
        assert values[0] == approx(1 - 0.1 * np.sign(g))
    state = opt.state[opt.param_groups[0]["params"][0]]
    assert state["step"].item() == 1.0 and state["step"].dtype is engine.float32
    assert state["exp_avg"].item() == approx(0.1 * -2.0) and state["exp_avg_sq"].item() == approx(0.001 * 4.0)
    # A second step with the same gradient moves by lr again (m̂ = g, v̂ = g²).
    values, _ = quadratic_step(optim.Adam, [3.0, 3.0], lr=0.1)
    assert values == approx([0.9, 0.8])
    # AdamW shrinks the parameter before the Adam step; Adam adds wd·p to the gradient instead.
    values, _ = quadratic_step(optim.AdamW, [1.0], lr=0.1, weight_decay=0.5)
    assert values[0] == approx(1 * (1 - 0.05) - 0.1)
    values, _ = quadratic_step(optim.Adam, [0.0], lr=0.1, weight_decay=0.5)
    assert values[0] == approx(0.9)
    # amsgrad divides by the largest second moment so far: a small gradient after a big one moves less.
    values, opt = quadratic_step(optim.Adam, [4.0, 0.1], lr=0.1, amsgrad=True)
    plain, _ = quadratic_step(optim.Adam, [4.0, 0.1], lr=0.1)
    state = opt.state[opt.param_groups[0]["params"][0]]
    assert state["max_exp_avg_sq"].item() > state["exp_avg_sq"].item()
    assert plain[1] - plain[0] < values[1] - values[0] < 0


def test_steps_skip_parameters_without_grad_and_run_under_no_grad():
    a, b = nn.Parameter(engine.ones(2)), nn.Parameter(engine.ones(2))
    optimizer = optim.Adam([a, b], lr=0.1)
    (a * 3).sum().backward()
    optimizer.step()
    assert engine.equal(b, engine.ones(2)) and b not in optimizer.state
    assert a.is_leaf and a.grad_fn is None and a.requires_grad and not engine.equal(a, engine.ones(2))


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    w = nn.Parameter(engine.tensor([2.0]))
    optimizer = optim.SGD([w], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    with engine.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


# ------------------------------------------------------------------------ bookkeeping
def test_zero_grad_set_to_none_semantics():
    model = nn.Linear(3, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    model(engine.ones(2, 3)).sum().backward()
    grad = model.weight.grad
    optimizer.zero_grad(set_to_none=False)
    assert model.weight.grad is grad and not grad.any()
    optimizer.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_param_groups_have_their_own_options():
    a, b = nn.Parameter(engine.ones(1)), nn.Parameter(engine.ones(1))
    optimizer = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 1.0]
    assert optimizer.param_groups[1]["params"] == [b] and optimizer.param_groups[0]["momentum"] == 0.0
    a.grad, b.grad = engine.ones(1), engine.ones(1)
    optimizer.step()
    assert a.item() == pytest.approx(0.9) and b.item() == 0.0
    optimizer.param_groups[0]["lr"] = 0.5  # what a learning-rate schedule does
    optimizer.step()
    assert a.item() == pytest.approx(0.4)


def test_optimizer_state_dict_round_trip_continues_identically():
    engine.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    x, y = engine.randn(8, 4), engine.randn(8, 1)

    def train(m, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            F.mse_loss(m(x), y).backward()
            opt.step()

    train(model, optimizer, 3)
    twin = copy.deepcopy(model)
    twin_optimizer = optim.Adam(twin.parameters(), lr=0.05)
    twin_optimizer.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    assert twin_optimizer.state_dict()["param_groups"] == optimizer.state_dict()["param_groups"]
    train(model, optimizer, 3)
    train(twin, twin_optimizer, 3)
    assert all(engine.equal(p, q) for p, q in zip(model.parameters(), twin.parameters()))
    with pytest.raises(ValueError, match="loaded state dict contains a parameter group that doesn't match the size"):
        optim.Adam(list(twin.parameters())[:2]).load_state_dict(optimizer.state_dict())


def test_optimizer_follows_model_dtype_changes():
    model = nn.Linear(2, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.double()  # the same Parameter objects, now float64
    model(engine.ones(1, 2, dtype=engine.float64)).sum().backward()
    optimizer.step()
    assert all(p.dtype is engine.float64 for p in optimizer.param_groups[0]["params"])


def test_optimizer_repr_is_torchs(torch):
    for name, options in [("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)), ("Adam", {}),
                          ("Adam", dict(lr=3e-4, betas=(0.8, 0.9), amsgrad=True)), ("AdamW", {})]:
        ours = getattr(optim, name)(nn.Linear(2, 2).parameters(), **options)
        theirs = getattr(torch.optim, name)(torch.nn.Linear(2, 2).parameters(), **options)
        assert repr(ours) == repr(theirs)
        assert ours.state_dict() == theirs.state_dict()  # no state yet: the same options, params as [0, 1]


def test_optimizer_errors_match_torch(torch):
    def params(lib):
        return lib.nn.Linear(2, 2).parameters()

    cases = [
        lambda lib: lib.optim.SGD([], lr=0.1),
        lambda lib: lib.optim.Adam([]),
        lambda lib: lib.optim.SGD(params(lib), lr=-1),
        lambda lib: lib.optim.SGD(params(lib), lr=0.1, momentum=-1),
        lambda lib: lib.optim.SGD(params(lib), lr=0.1, weight_decay=-1),
        lambda lib: lib.optim.SGD(params(lib), lr=0.1, nesterov=True),
        lambda lib: lib.optim.SGD(params(lib), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        lambda lib: lib.optim.Adam(params(lib), lr=-1),
        lambda lib: lib.optim.Adam(params(lib), betas=(1.0, 0.9)),
        lambda lib: lib.optim.Adam(params(lib), betas=(0.9, -0.1)),
        lambda lib: lib.optim.Adam(params(lib), eps=-1),
        lambda lib: lib.optim.Adam(params(lib), weight_decay=-1),
        lambda lib: lib.optim.Adam(params(lib), betas=(0, 0.9)),
        lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
        lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
        lambda lib: lib.optim.SGD([3], lr=0.1),
        lambda lib: lib.optim.SGD([{"params": {lib.ones(1, requires_grad=True)}}], lr=0.1),
        lambda lib: lib.optim.SGD([{"lr": 0.1}], lr=0.1),
    ]
    for case in cases:
        assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))


def test_empty_parameter_list_message_without_torch():
    with pytest.raises(ValueError, match="^optimizer got an empty parameter list$"):
        optim.SGD(nn.Sequential(nn.ReLU()).parameters(), lr=0.1)
