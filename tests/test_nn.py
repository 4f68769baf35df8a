"""engine.nn: Module bookkeeping, layers, losses and init, checked against real torch where installed."""
import copy
import math
import pickle
import warnings

import numpy as np
import pytest

import engine
import engine.nn as nn
import engine.nn.functional as F
from engine.autograd import gradcheck
from torch_compat import assert_same_error, outcome, torch  # noqa: F401  (torch is a fixture)


def to_torch(torch, tensor, requires_grad=False):
    result = torch.from_numpy(np.array(tensor.detach().numpy(), copy=True))
    return result.requires_grad_(True) if requires_grad else result


def copy_weights(torch_model, engine_model):
    """Give the engine model the torch model's exact parameters."""
    engine_model.load_state_dict({k: engine.tensor(v.numpy()) for k, v in torch_model.state_dict().items()})


def seeded(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------------------------ Module
def make_net(lib):
    """The same custom model class written against either library."""

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.nn.Linear(4, 8)
            self.act = lib.nn.Tanh()
            self.drop = lib.nn.Dropout(0.1)
            self.head = lib.nn.Sequential(lib.nn.Linear(8, 3), lib.nn.Sigmoid())
            self.register_buffer("scale", lib.ones(3))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.head(self.drop(self.act(self.fc1(x)))) * self.scale

    return Net()


def test_parameters_and_submodules_are_registered_in_assignment_order():
    net = make_net(engine)
    assert [name for name, _ in net.named_parameters()] == ["fc1.weight", "fc1.bias", "head.0.weight", "head.0.bias"]
    assert [p is q for p, q in zip(net.parameters(), [net.fc1.weight, net.fc1.bias, net.head[0].weight, net.head[0].bias])] == [True] * 4
    assert all(isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf for p in net.parameters())
    assert [name for name, _ in net.named_children()] == ["fc1", "act", "drop", "head"]
    assert [name for name, _ in net.named_modules()] == ["", "fc1", "act", "drop", "head", "head.0", "head.1"]
    assert list(net.children())[3] is net.head and list(net.modules())[0] is net
    assert [name for name, _ in net.named_buffers()] == ["scale", "scratch"]
    assert len(list(net.parameters(recurse=False))) == 0


def test_named_members_match_torch(torch):
    ours, theirs = make_net(engine), make_net(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


def test_shared_parameters_and_modules_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert [name for name, _ in model.named_modules()] == ["", "0", "1"]


def test_plain_tensors_and_values_are_not_registered():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.cache = engine.ones(3)
            self.size = 3

    m = M()
    assert list(m.parameters()) == [] and list(m.state_dict()) == []
    assert m.size == 3 and engine.equal(m.cache, engine.ones(3))


def test_reassigning_replaces_and_deleting_unregisters():
    m = nn.Linear(2, 3)
    new = nn.Parameter(engine.zeros(3, 2))
    m.weight = new
    assert m.weight is new and next(m.parameters()) is new
    m.bias = None
    assert [n for n, _ in m.named_parameters()] == ["weight"] and m.bias is None
    del m.weight
    assert list(m.parameters()) == []
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weight'"):
        m.weight


def test_registration_errors_match_torch(torch):
    def assign_tensor(lib):
        layer = lib.nn.Linear(2, 3)
        layer.weight = lib.ones(3, 2)

    def before_init(lib):
        class Bad(lib.nn.Module):
            def __init__(self):
                self.layer = lib.nn.Linear(2, 2)

        Bad()

    def param_before_init(lib):
        class Bad(lib.nn.Module):
            def __init__(self):
                self.w = lib.nn.Parameter(lib.ones(2))

        Bad()

    def no_forward(lib):
        class Empty(lib.nn.Module):
            pass

        Empty()(lib.ones(1))

    cases = [
        assign_tensor, before_init, param_before_init, no_forward,
        lambda lib: lib.nn.Sequential(lib.nn.ReLU()).missing,
        lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3],
        lambda lib: lib.nn.Linear(2, 2).to(lib.int64),
        lambda lib: lib.nn.Linear(2, 2).train(1),
        lambda lib: lib.nn.Linear(2, 2).register_buffer("weight", lib.ones(1)),
        lambda lib: lib.nn.Linear(2, 2).register_buffer("a.b", lib.ones(1)),
        lambda lib: lib.nn.Linear(2, 2).register_parameter("p", lib.ones(1)),
        lambda lib: lib.nn.Linear(2, 2).add_module("m", 3),
        lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64)),
    ]
    for case in cases:
        assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))


def test_call_runs_forward():
    class Double(nn.Module):
        def forward(self, x, factor=2):
            return x * factor

    assert Double()(engine.tensor(3.0), factor=4).item() == 12


# --------------------------------------------------------------------------------- repr
def build_models(lib):
    n = lib.nn
    return [
        n.Sequential(n.Linear(64, 128), n.ReLU(), n.Dropout(0.2), n.Linear(128, 10)),
        n.Sequential(n.Flatten(), n.Linear(64, 32, bias=False), n.Tanh(), n.Linear(32, 10), n.LogSoftmax(dim=1)),
        n.Sequential(n.Linear(3, 3), n.Sigmoid(), n.Softmax(dim=-1), n.Identity(), n.ReLU(inplace=True)),
        n.Sequential(),
        n.Sequential(n.Sequential(n.Linear(1, 2), n.ReLU()), n.Sequential(n.Linear(2, 1))),
        n.ModuleList([n.Linear(2, 2), n.Linear(2, 2), n.ReLU(), n.Linear(2, 2)]),
        n.ModuleList(),
        n.MSELoss(), n.CrossEntropyLoss(), n.CrossEntropyLoss(reduction="sum", label_smoothing=0.1), n.NLLLoss(),
        n.Dropout(), n.Dropout(p=0.25, inplace=True), n.Flatten(0, 2), n.Linear(5, 1, bias=False),
        make_net(lib),
    ]


def test_module_repr_is_torchs(torch):
    for ours, theirs in zip(build_models(engine), build_models(torch)):
        assert repr(ours) == repr(theirs)


def test_sequential_repr_without_torch():
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=64, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=128, out_features=10, bias=True)\n"
        ")"
    )


def test_parameter_repr_is_torchs(torch):
    values = [[1.0, -2.5], [3.25, 4.0]]
    for requires_grad in (True, False):
        ours = nn.Parameter(engine.tensor(values), requires_grad=requires_grad)
        theirs = torch.nn.Parameter(torch.tensor(values), requires_grad=requires_grad)
        assert repr(ours) == repr(theirs)
    assert repr(nn.Parameter(engine.arange(30.0).reshape(3, 10))) == repr(torch.nn.Parameter(torch.arange(30.0).reshape(3, 10)))
    assert repr(nn.Parameter()) == repr(torch.nn.Parameter())


def test_parameter_shares_memory_and_stays_a_leaf():
    data = engine.zeros(3)
    param = nn.Parameter(data)
    with engine.no_grad():
        param[0] = 5.0
    assert data[0].item() == 5.0
    with engine.no_grad():
        param.mul_(2)
    assert param.requires_grad and param.is_leaf and type(param) is nn.Parameter
    assert type(param * 2) is engine.Tensor and type(param.detach()) is engine.Tensor
    assert repr(nn.Parameter(engine.ones(1))) == "Parameter containing:\ntensor([1.], requires_grad=True)"


def test_parameter_copies_and_pickles_as_a_parameter():
    param = nn.Parameter(engine.tensor([1.0, 2.0]))
    for clone in (copy.deepcopy(param), pickle.loads(pickle.dumps(param))):
        assert type(clone) is nn.Parameter and clone.requires_grad and engine.equal(clone, param)
        assert clone.data_ptr() != param.data_ptr()
    model = nn.Sequential(nn.Linear(2, 2))
    twin = copy.deepcopy(model)
    assert all(engine.equal(a, b) and a is not b for a, b in zip(model.parameters(), twin.parameters()))


# ------------------------------------------------------------------------------- Linear
def test_linear_initialisation_follows_torchs_bounds():
    engine.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert weight.shape == (300, 400) and bias.shape == (300,) and weight.dtype == np.float32
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    # Uniform on ±bound: mean 0, variance bound²/3, and reaching close to both ends.
    assert abs(weight.mean()) < 0.02 * bound and abs(weight.var() / (bound**2 / 3) - 1) < 0.02
    assert weight.max() > 0.99 * bound and weight.min() < -0.99 * bound
    engine.manual_seed(0)
    assert engine.equal(nn.Linear(400, 300).weight, layer.weight)  # the engine's generator, reproducibly


def test_linear_init_distribution_matches_torchs(torch):
    torch.manual_seed(0)
    theirs = torch.nn.Linear(256, 512).weight.detach().numpy()
    ours = nn.Linear(256, 512).weight.detach().numpy()
    assert abs(ours.std() - theirs.std()) < 0.02 * theirs.std()
    assert abs(np.abs(ours).max() - np.abs(theirs).max()) < 0.01 * np.abs(theirs).max()


def test_linear_forward_is_x_wt_plus_b():
    layer = nn.Linear(3, 2)
    x = engine.randn(4, 3)
    expected = x.numpy() @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(layer(x[0]).detach().numpy(), expected[0], rtol=1e-6)
    batched = engine.randn(2, 5, 3)
    np.testing.assert_allclose(layer(batched).detach().numpy(),
                               batched.numpy() @ layer.weight.detach().numpy().T + layer.bias.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch_values_grads_and_grad_fn(torch, shape, bias):
    t_layer = torch.nn.Linear(3, 2, bias=bias)
    e_layer = nn.Linear(3, 2, bias=bias)
    copy_weights(t_layer, e_layer)
    x = engine.randn(*shape, requires_grad=True)
    tx = to_torch(torch, x, requires_grad=True)
    ours, theirs = e_layer(x), t_layer(tx)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
    ours.pow(2).sum().backward()
    theirs.pow(2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for (name, p), q in zip(e_layer.named_parameters(), t_layer.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-5, err_msg=name)


def test_linear_graph_has_torchs_shape(torch):
    ours = nn.Linear(3, 2)(engine.randn(4, 3, requires_grad=True)).grad_fn
    theirs = torch.nn.Linear(3, 2)(torch.randn(4, 3, requires_grad=True)).grad_fn
    assert [n.name() if n else None for n, _ in ours.next_functions] == [
        n.name() if n else None for n, _ in theirs.next_functions
    ]  # (AccumulateGrad for the bias, None for an input without grad, TBackward0 for the weight)
    leaf_input = nn.Linear(3, 2)(engine.randn(4, 3)).grad_fn
    assert leaf_input.next_functions[1] == (None, 0)


def test_linear_errors_match_torch(torch):
    cases = [
        lambda lib: lib.nn.Linear(3, 2)(lib.ones(4, 5)),
        lambda lib: lib.nn.Linear(3, 2)(lib.ones(5)),
        lambda lib: lib.nn.Linear(3, 2)(lib.ones(2, 4, 5)),
        lambda lib: lib.nn.Linear(3, 2)(lib.ones(4, 3, dtype=lib.int64)),
        lambda lib: lib.nn.Linear(3, 2)(lib.ones(4, 3, dtype=lib.float64)),
        lambda lib: lib.nn.Linear(3, 2, bias=False)(lib.ones(4, 3, dtype=lib.float64)),
        lambda lib: lib.nn.Linear(3, 2)(lib.tensor(1.0)),
        lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 3), lib.ones(5)),
        lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 3), lib.ones(4, dtype=lib.float64)),
    ]
    for case in cases:
        assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))


def test_linear_gradcheck():
    rng = seeded(1)
    weight = engine.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    bias = engine.tensor(rng.standard_normal(2), requires_grad=True)
    for shape in [(4, 3), (3,), (2, 2, 3)]:
        x = engine.tensor(rng.standard_normal(shape), requires_grad=True)
        assert gradcheck(F.linear, (x, weight, bias))
        assert gradcheck(lambda x, w: F.linear(x, w), (x, weight))


def test_linear_double_backward():
    x = engine.tensor([[1.0, 2.0]], dtype=engine.float64, requires_grad=True)
    w = engine.tensor([[3.0, -1.0]], dtype=engine.float64, requires_grad=True)
    b = engine.tensor([0.5], dtype=engine.float64, requires_grad=True)
    (gw,) = engine.autograd.grad(F.linear(x, w, b).pow(2).sum(), w, create_graph=True)
    (gx,) = engine.autograd.grad(gw.sum(), x)  # d/dx Σ 2(x·w + b)x
    y = (x.detach() * w.detach()).sum() + b.detach()
    expected = 2 * w.detach() * x.detach().sum() + 2 * y
    np.testing.assert_allclose(gx.numpy(), expected.numpy())


# ------------------------------------------------------------------------- activations
def test_activation_layers_match_functions(torch):
    x = engine.randn(3, 4)
    tx = to_torch(torch, x)
    for ours, theirs in [(nn.ReLU(), torch.nn.ReLU()), (nn.Tanh(), torch.nn.Tanh()), (nn.Sigmoid(), torch.nn.Sigmoid()),
                         (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)), (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
                         (nn.Flatten(0), torch.nn.Flatten(0)), (nn.Identity(), torch.nn.Identity())]:
        np.testing.assert_allclose(ours(x).numpy(), theirs(tx).numpy(), rtol=1e-6, atol=1e-7)


def test_softmax_without_dim_warns_and_picks_torchs_dim(torch):
    for shape in [(4,), (2, 3), (2, 3, 4)]:
        x = engine.randn(*shape)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
            ours = F.softmax(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.nn.functional.softmax(to_torch(torch, x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_relu_inplace():
    x = engine.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]


# ------------------------------------------------------------------------------ Dropout
def test_dropout_in_training_zeroes_about_p_and_scales_the_rest():
    engine.manual_seed(0)
    drop = nn.Dropout(0.3)
    out = drop(engine.ones(100_000)).numpy()
    kept = out != 0
    assert abs(1 - kept.mean() - 0.3) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_is_the_identity_in_eval_and_train_eval_reach_children():
    model = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Dropout(0.5)))
    x = engine.randn(8, 4)
    assert model.training and all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    assert engine.equal(model(x), model[0](x))
    inner = model[1][0]
    assert inner(x) is x
    model.train()
    assert all(m.training for m in model.modules())
    assert not engine.equal(model(x), model[0](x))


def test_dropout_edge_cases_and_gradient(torch):
    x = engine.ones(6, requires_grad=True)
    assert F.dropout(x, 0.0) is x and F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 1.0).tolist() == [0.0] * 6
    engine.manual_seed(3)
    out = F.dropout(x, 0.5)
    assert out.grad_fn.name() == torch.nn.functional.dropout(torch.ones(2, requires_grad=True), 0.5).grad_fn.name()
    out.sum().backward()
    assert engine.equal(x.grad, out.detach())  # d/dx of x·mask/(1-p) is mask/(1-p), and x is ones
    engine.manual_seed(3)
    assert engine.equal(F.dropout(x, 0.5), out)  # the engine's seed fixes the mask
    for case in (lambda lib: lib.nn.Dropout(1.5), lambda lib: lib.nn.functional.dropout(lib.ones(2), -0.1)):
        assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))


# ------------------------------------------------------------------------------- losses
REDUCTIONS = ["mean", "sum", "none"]


def _loss_inputs(seed=0, shape=(5, 4)):
    rng = seeded(seed)
    return rng.standard_normal(shape), rng.integers(0, shape[1] if len(shape) > 1 else shape[0], (shape[0],))


def _compare_loss(torch, our_fn, their_fn, inputs, grad_positions, rtol=1e-6, atol=1e-7, same_grad_fn=True):
    ours_in = [engine.tensor(a, requires_grad=i in grad_positions) if a is not None and a.dtype.kind == "f"
               else (engine.tensor(a) if a is not None else None) for i, a in enumerate(inputs)]
    theirs_in = [torch.tensor(a, requires_grad=i in grad_positions) if a is not None and a.dtype.kind == "f"
                 else (torch.tensor(a) if a is not None else None) for i, a in enumerate(inputs)]
    ours, theirs = our_fn(*ours_in), their_fn(*theirs_in)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)
    if same_grad_fn:
        assert ours.grad_fn.name() == theirs.grad_fn.name()
    weights = np.linspace(0.5, 1.5, max(1, ours.numel())).reshape(tuple(ours.shape))  # a non-uniform upstream gradient
    (ours * engine.tensor(weights, dtype=ours.dtype)).sum().backward()
    (theirs * torch.tensor(weights, dtype=theirs.dtype)).sum().backward()
    for i in grad_positions:
        np.testing.assert_allclose(ours_in[i].grad.numpy(), theirs_in[i].grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mse_loss_matches_torch(torch, reduction, dtype):
    rng = seeded(2)
    a, b = rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal((4, 3)).astype(dtype)
    _compare_loss(torch, lambda x, y: F.mse_loss(x, y, reduction=reduction),
                  lambda x, y: torch.nn.functional.mse_loss(x, y, reduction=reduction), [a, b], {0, 1})
    _compare_loss(torch, lambda x, y: nn.MSELoss(reduction=reduction)(x, y),
                  lambda x, y: torch.nn.MSELoss(reduction=reduction)(x, y), [a, b], {0})
    weight = np.abs(a) + 0.5
    _compare_loss(torch, lambda x, y, w: F.mse_loss(x, y, reduction=reduction, weight=w),
                  lambda x, y, w: torch.nn.functional.mse_loss(x, y, reduction=reduction, weight=w), [a, b, weight], {0, 1})


def test_mse_loss_broadcasting_warns_like_torch(torch):
    a, b = np.arange(3.0), np.arange(6.0).reshape(3, 2) / 7
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[3, 2\]\)\) that is different to the input size \(torch.Size\(\[3, 1\]\)\)"):
        _compare_loss(torch, F.mse_loss, torch.nn.functional.mse_loss, [a[:, None], b], {0, 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in (lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(4)),
                     lambda lib: lib.nn.functional.mse_loss(lib.ones(3, dtype=lib.int64), lib.ones(3, dtype=lib.int64)),
                     lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(3), reduction="avg"),
                     lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(3), weight=lib.ones(2)),
                     lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(3), weight=lib.ones(3), reduction="avg")):
            assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(torch, reduction):
    scores, target = _loss_inputs(3)
    log_probs = scores - np.log(np.exp(scores).sum(1, keepdims=True))
    _compare_loss(torch, lambda x, t: F.nll_loss(x, t, reduction=reduction),
                  lambda x, t: torch.nn.functional.nll_loss(x, t, reduction=reduction), [log_probs, target], {0})
    weight = np.array([0.2, 1.0, 2.0, 0.5])
    target[1] = -100  # ignored
    _compare_loss(torch, lambda x, t, w: F.nll_loss(x, t, w, reduction=reduction, ignore_index=-100),
                  lambda x, t, w: torch.nn.functional.nll_loss(x, t, w, reduction=reduction), [log_probs, target, weight], {0})
    _compare_loss(torch, lambda x, t: nn.NLLLoss(reduction=reduction, ignore_index=2)(x, t),
                  lambda x, t: torch.nn.NLLLoss(reduction=reduction, ignore_index=2)(x, t), [log_probs, np.array([2, 0, 2, 1, 3])], {0})


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_matches_torch(torch, reduction, dtype):
    scores, target = _loss_inputs(4, (6, 5))
    scores = scores.astype(dtype)
    _compare_loss(torch, lambda x, t: F.cross_entropy(x, t, reduction=reduction),
                  lambda x, t: torch.nn.functional.cross_entropy(x, t, reduction=reduction), [scores, target], {0})
    _compare_loss(torch, lambda x, t: nn.CrossEntropyLoss(reduction=reduction)(x, t),
                  lambda x, t: torch.nn.CrossEntropyLoss(reduction=reduction)(x, t), [scores, target], {0})
    weight = np.linspace(0.5, 2, 5).astype(dtype)
    target[0] = -100
    _compare_loss(torch, lambda x, t, w: F.cross_entropy(x, t, w, reduction=reduction),
                  lambda x, t, w: torch.nn.functional.cross_entropy(x, t, w, reduction=reduction), [scores, target, weight], {0})


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_variants_match_torch(torch, reduction):
    rng = seeded(5)
    scores = rng.standard_normal((4, 3))
    probabilities = np.exp(rng.standard_normal((4, 3)))
    probabilities /= probabilities.sum(1, keepdims=True)
    # Class probabilities as targets (same shape as the input); both sides need gradients.
    # (torch's mean divides by a C++ number, recorded as DivBackward1; dividing by a Python number records DivBackward0.)
    _compare_loss(torch, lambda x, p: F.cross_entropy(x, p, reduction=reduction),
                  lambda x, p: torch.nn.functional.cross_entropy(x, p, reduction=reduction), [scores, probabilities], {0, 1},
                  same_grad_fn=reduction != "mean")
    # Label smoothing, with and without class weights and an ignored target.
    target = np.array([0, 2, -100, 1])
    for weight in (None, np.array([0.5, 1.0, 3.0])):
        _compare_loss(torch, lambda x, t, w: F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=0.2),
                      lambda x, t, w: torch.nn.functional.cross_entropy(x, t, w, reduction=reduction, label_smoothing=0.2),
                      [scores, target, weight], {0}, rtol=1e-6)
    # A single unbatched sample, and spatial (N, C, d) inputs.
    _compare_loss(torch, lambda x, t: F.cross_entropy(x, t, reduction=reduction),
                  lambda x, t: torch.nn.functional.cross_entropy(x, t, reduction=reduction), [scores[0], np.array(2)], {0})
    spatial, spatial_target = rng.standard_normal((2, 3, 4)), rng.integers(0, 3, (2, 4))
    if reduction != "none":  # torch's 'none' result for (N, C, d) is a view of a 4-D one (ViewBackward0)
        _compare_loss(torch, lambda x, t: F.cross_entropy(x, t, reduction=reduction),
                      lambda x, t: torch.nn.functional.cross_entropy(x, t, reduction=reduction), [spatial, spatial_target], {0})


def test_loss_errors_match_torch(torch):
    def ce(input, target, **kw):
        return lambda lib: lib.nn.functional.cross_entropy(lib.tensor(input), lib.tensor(target), **kw)

    def nll(input, target, **kw):
        return lambda lib: lib.nn.functional.nll_loss(lib.tensor(input), lib.tensor(target), **kw)

    scores = np.zeros((4, 5), dtype=np.float32)
    cases = [
        ce(scores, np.array([1.0, 0, 4, 2], dtype=np.float32)),   # float targets of the wrong shape
        ce(scores, np.zeros((4, 3), dtype=np.float32)),
        ce(scores, np.array([1, 0, 4, 2], dtype=np.int32)),
        ce(scores, np.array([1, 2, 3])),
        ce(scores, np.array([1, 2, 3, 5])),
        ce(scores, np.array([1, 2, 3, -1])),
        ce(scores, np.zeros((4, 1), dtype=np.int64)),
        ce(scores, np.ones((4, 5), dtype=np.int64)),
        ce(scores, np.array([1, 2, 3, 4]), reduction="avg"),
        ce(scores, np.array([1, 2, 3, 4]), label_smoothing=1.5),
        ce(scores, np.ones((4, 5), dtype=np.float32), ignore_index=1),
        ce(scores.astype(np.int64), np.array([1, 2, 3, 4])),
        ce(np.zeros((2, 3, 4), dtype=np.int64), np.zeros((2, 4), dtype=np.int64)),
        ce(np.zeros(5, dtype=np.float32), np.array([1, 2])),
        ce(np.zeros((2, 5, 3), dtype=np.float32), np.zeros((2, 4), dtype=np.int64)),
        ce(np.zeros((2, 5, 3, 3), dtype=np.float32), np.zeros((2, 3), dtype=np.int64)),
        ce(np.zeros((2, 5, 3, 3), dtype=np.float32), np.zeros((2, 3, 4), dtype=np.int64)),
        nll(scores, np.array([1.0, 0, 4, 2], dtype=np.float32)),
        nll(np.float32(1.0), np.array(1)),
        nll(scores.astype(np.int64), np.array([1, 2, 3, 4])),
    ]
    for case in cases:
        assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))


def test_nll_loss_weight_errors_match_torch(torch):
    for make_weight in (lambda lib: lib.ones(4), lambda lib: lib.ones(5, dtype=lib.float64),
                        lambda lib: lib.ones(5, requires_grad=True)):
        case = lambda lib: lib.nn.functional.nll_loss(lib.zeros(3, 5), lib.ones(3, dtype=lib.int64), weight=make_weight(lib))  # noqa: E731
        assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))


def test_losses_without_torch():
    logits = engine.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(logits, engine.tensor([0, 2]))
    expected = np.mean([-np.log(np.exp(2) / (np.exp(2) + 1 + np.exp(-1))), np.log(3)])
    assert loss.grad_fn.name() == "NllLossBackward0" and abs(loss.item() - expected) < 1e-6
    loss.backward()
    softmax = np.exp(logits.detach().numpy()) / np.exp(logits.detach().numpy()).sum(1, keepdims=True)
    np.testing.assert_allclose(logits.grad.numpy(), (softmax - np.eye(3)[[0, 2]]) / 2, rtol=1e-6)
    mse = F.mse_loss(engine.tensor([1.0, 2.0, 3.0]), engine.tensor([1.0, 0.0, 0.0]), reduction="none")
    assert mse.tolist() == [0.0, 4.0, 9.0]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_gradcheck(reduction):
    rng = seeded(6)
    x = engine.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = engine.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    target = engine.tensor([0, 2, 1, -100])
    weight = engine.tensor([0.5, 2.0, 1.0], dtype=engine.float64)
    probabilities = engine.tensor(rng.dirichlet(np.ones(3), 4), requires_grad=True)
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (x, y))
    with pytest.warns(UserWarning, match="Using a target size"):
        assert gradcheck(lambda a: F.mse_loss(a, y.detach()[0], reduction=reduction), (x,))  # broadcast target
    assert gradcheck(lambda a: F.nll_loss(a, target, weight, reduction=reduction), (x,))
    assert gradcheck(lambda a: F.cross_entropy(a, target, reduction=reduction), (x,))
    assert gradcheck(lambda a: F.cross_entropy(a, target, weight, reduction=reduction, label_smoothing=0.1), (x,))
    assert gradcheck(lambda a, p: F.cross_entropy(a, p, reduction=reduction), (x, probabilities))
    spatial = engine.tensor(rng.standard_normal((2, 3, 2)), requires_grad=True)
    assert gradcheck(lambda a: F.cross_entropy(a, engine.tensor([[0, 2], [1, 1]]), reduction=reduction), (spatial,))
    single = engine.tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda a: F.cross_entropy(a, engine.tensor(1), reduction=reduction), (single,))


def test_nll_loss_double_backward():
    # The gradient of nll_loss is linear in the upstream gradient, so it is recorded under create_graph.
    x = engine.tensor([[0.1, 0.7], [0.4, 0.2]], dtype=engine.float64, requires_grad=True)
    loss = F.cross_entropy(x, engine.tensor([1, 0]))
    (g,) = engine.autograd.grad(loss, x, create_graph=True)
    assert g.requires_grad
    assert gradcheck(lambda a: engine.autograd.grad(F.cross_entropy(a, engine.tensor([1, 0])), a, create_graph=True)[0], (x,))


ALL_IGNORED = {  # (call, targets): losses whose every target is ignored, or whose kept targets weigh nothing
    "cross_entropy": (lambda lib, x, t, **kw: lib.nn.functional.cross_entropy(x, t, **kw), [-100, -100]),
    "cross_entropy, ignore_index=1": (lambda lib, x, t, **kw: lib.nn.functional.cross_entropy(x, t, ignore_index=1, **kw),
                                      [1, 1]),
    "cross_entropy with label smoothing": (
        lambda lib, x, t, **kw: lib.nn.functional.cross_entropy(x, t, label_smoothing=0.1, **kw), [-100, -100]),
    "nll_loss": (lambda lib, x, t, **kw: lib.nn.functional.nll_loss(x.log_softmax(1), t, **kw), [-100, -100]),
    "NLLLoss, unbatched": (lambda lib, x, t, **kw: lib.nn.NLLLoss(**kw)(x[0], t[0]), [-100, -100]),
    "nll_loss, zero weights": (lambda lib, x, t, **kw: lib.nn.functional.nll_loss(
        x, t, weight=lib.tensor([0.0, 0.0, 1.0]), **kw), [0, -100]),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ALL_IGNORED)
def test_losses_with_every_target_ignored_match_torch(torch, name, reduction):
    """torch: a 'mean' over no target is NaN, and every gradient is 0 (no NaN leaks into ignored rows)."""
    call, targets = ALL_IGNORED[name]

    def run(lib, upstream):
        x = lib.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], requires_grad=True)
        loss = call(lib, x, lib.tensor(targets), reduction=reduction)
        loss.backward(lib.full_like(loss, upstream))
        return loss, x.grad

    for upstream in (1.0, -2.0):
        for ours, theirs in zip(run(engine, upstream), run(torch, upstream)):
            np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
            np.testing.assert_array_equal(np.signbit(ours.detach().numpy()), np.signbit(theirs.detach().numpy()))


def test_cross_entropy_with_every_target_ignored():
    x = engine.tensor([[0.5, -1.0], [1.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, engine.tensor([-100, -100]))
    loss.backward()
    assert math.isnan(loss.item()) and x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


# ------------------------------------------------------------------------------- state
def test_state_dict_is_ordered_detached_and_shares_memory_like_torch():
    model = make_net(engine)
    state = model.state_dict()
    assert list(state) == ["scale", "fc1.weight", "fc1.bias", "head.0.weight", "head.0.bias"]
    assert all(not t.requires_grad and type(t) is engine.Tensor for t in state.values())
    assert state["fc1.weight"].data_ptr() == model.fc1.weight.data_ptr()  # as in torch: references, not copies
    assert all(t.requires_grad for k, t in model.state_dict(keep_vars=True).items() if k != "scale")


def test_state_dict_round_trip():
    engine.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    snapshot = copy.deepcopy(model.state_dict())
    x = engine.randn(5, 4)
    before = model(x).detach().clone()
    with engine.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    assert not engine.allclose(model(x), before)
    weight = model[0].weight
    result = model.load_state_dict(snapshot)
    assert repr(result) == "<All keys matched successfully>" and result.missing_keys == [] == result.unexpected_keys
    assert model[0].weight is weight  # loaded in place
    assert engine.equal(model(x), before)
    fresh = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    fresh.load_state_dict(model.state_dict())
    assert all(engine.equal(a, b) for a, b in zip(fresh.parameters(), model.parameters()))
    assert fresh[0].weight.data_ptr() != model[0].weight.data_ptr()


def test_load_state_dict_strictness_matches_torch(torch):
    def load(state, **kw):
        def run(lib):
            model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU())
            result = model.load_state_dict({k: (lib.ones(*v) if isinstance(v, tuple) else v) for k, v in state.items()}, **kw)
            return repr(result)
        return run

    cases = [
        load({"0.weight": (3, 2)}),
        load({"0.weight": (3, 2), "0.bias": (3,), "2.weight": (1,), "extra": (1,)}),
        load({"0.weight": (3, 2), "extra": (1,)}),
        load({"0.weight": (2, 2), "0.bias": (3,)}),
        load({"0.weight": 3, "0.bias": (3,)}),
        lambda lib: lib.nn.Linear(2, 2).load_state_dict([1]),
    ]
    for case in cases:
        assert_same_error(outcome(lambda: case(engine)), outcome(lambda: case(torch)))
    non_strict = load({"0.weight": (3, 2), "extra": (1,)}, strict=False)
    assert non_strict(engine) == non_strict(torch) == "_IncompatibleKeys(missing_keys=['0.bias'], unexpected_keys=['extra'])"


def test_load_state_dict_converts_dtypes_and_assign_replaces():
    model = nn.Linear(2, 1)
    model.load_state_dict({"weight": engine.ones(1, 2, dtype=engine.float64), "bias": engine.zeros(1, dtype=engine.int64)})
    assert model.weight.dtype is engine.float32 and model.weight.tolist() == [[1.0, 1.0]]
    new_weight = engine.full((1, 2), 2.0)
    model.load_state_dict({"weight": new_weight, "bias": engine.zeros(1)}, assign=True)
    assert type(model.weight) is nn.Parameter and model.weight.requires_grad
    assert model.weight.data_ptr() == new_weight.data_ptr()


def test_buffers_travel_with_state_and_dtype():
    model = make_net(engine)
    assert "scratch" not in model.state_dict()
    model.scale = engine.full((3,), 2.0)
    assert engine.equal(model.state_dict()["scale"], engine.full((3,), 2.0))
    model.double()
    assert model.scale.dtype is engine.float64 and model.scratch.dtype is engine.float64


# ------------------------------------------------------------------------------ grads, dtype
def test_zero_grad_set_to_none_semantics():
    model = nn.Linear(3, 2)
    model(engine.randn(4, 3)).sum().backward()
    grad = model.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is grad and not grad.any() and not grad.requires_grad
    model(engine.randn(4, 3)).sum().backward()
    assert model.weight.grad is grad and grad.any()  # accumulates into the same tensor
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None
    model.zero_grad()  # nothing to do is fine


def test_to_double_float_convert_in_place_and_keep_parameters():
    model = nn.Sequential(nn.Linear(3, 2))
    weight = model[0].weight
    model(engine.randn(1, 3)).sum().backward()
    assert model.double() is model
    assert model[0].weight is weight and weight.dtype is engine.float64 and weight.grad.dtype is engine.float64
    assert model(engine.randn(2, 3, dtype=engine.float64)).dtype is engine.float64
    model.float()
    assert weight.dtype is engine.float32 and weight.requires_grad and weight.is_leaf
    assert model.to(engine.float64) is model and weight.dtype is engine.float64
    assert model.to("cpu") is model
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_apply_visits_every_module():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2)))

    def zero(module):
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)

    model.apply(zero)
    assert all(not m.weight.any() for m in model.modules() if isinstance(m, nn.Linear))


# ------------------------------------------------------------------------- containers
def test_sequential_indexing_and_mutation():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    assert isinstance(model[1:], nn.Sequential) and list(model[1:]) == layers[1:]
    assert [name for name, _ in model[1:].named_children()] == ["1", "2"]  # torch keeps the names
    with pytest.raises(IndexError, match="index 3 is out of range"):
        model[3]
    x = engine.randn(4, 2)
    assert engine.equal(model(x), layers[2](layers[1](layers[0](x))))
    model.append(nn.Sigmoid())
    del model[1]
    assert [name for name, _ in model.named_children()] == ["0", "1", "2"]
    assert isinstance(model[2], nn.Sigmoid)
    model[0] = nn.Linear(2, 3)
    assert model[0] is not layers[0]
    from collections import OrderedDict

    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert [name for name, _ in named.named_parameters()] == ["hidden.weight", "hidden.bias"]
    assert named.hidden is named[0]


def test_module_list_registers_its_modules():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(blocks) == 3 and len(list(blocks.parameters())) == 6
    blocks.append(nn.ReLU())
    assert isinstance(blocks[-1], nn.ReLU) and len(blocks[1:]) == 3


# ------------------------------------------------------------------------------- init
def test_init_functions():
    w = engine.empty(50, 40)
    assert nn.init.zeros_(w) is w and not w.any()
    assert nn.init.ones_(w).numpy().min() == 1
    nn.init.constant_(w, 0.5)
    assert np.all(w.numpy() == 0.5)
    bound = math.sqrt(6 / (50 + 40))
    nn.init.xavier_uniform_(w)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.9 * bound
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(w.numpy()).max() <= math.sqrt(6 / 40)
    nn.init.normal_(w, 2.0, 0.1)
    assert abs(w.numpy().mean() - 2.0) < 0.02
    nn.init.uniform_(w, -3, -2)
    assert w.numpy().min() >= -3 and w.numpy().max() < -2
    param = nn.Parameter(engine.empty(3, 3))
    nn.init.kaiming_normal_(param)
    nn.init.xavier_normal_(param)
    assert param.requires_grad and param.is_leaf
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"):
        nn.init.xavier_uniform_(engine.empty(3))
    generator = engine.Generator().manual_seed(7)
    a = nn.init.uniform_(engine.empty(4), generator=generator).clone()
    assert engine.equal(a, nn.init.uniform_(engine.empty(4), generator=engine.Generator().manual_seed(7)))


def test_calculate_gain_matches_torch(torch):
    for args in [("linear",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",), ("leaky_relu", 0.2),
                 ("leaky_relu", math.sqrt(5)), ("selu",)]:
        assert nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    for args in [("swish",), ("leaky_relu", "x")]:
        assert_same_error(outcome(lambda: nn.init.calculate_gain(*args)), outcome(lambda: torch.nn.init.calculate_gain(*args)))
