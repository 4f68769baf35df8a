"""engine.compile: compiled and eager agree on values and gradients; guards, recompilation, graph breaks."""
import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import engine as torch
from engine.compiler import CompileWarning

UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "sin": lambda a: a.sin(),
    "neg": lambda a: -a,
    "square": lambda a: a * a,
    "scale": lambda a: a * 0.5 + 1.0,
    "log_softmax": lambda a: a.log_softmax(dim=1),
    "matmul": lambda a, w=None: a,  # replaced below: needs the weight
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
}
FINAL = {
    "sum": lambda a: a.sum(),
    "mean": lambda a: a.mean(),
    "rowmean": lambda a: a.mean(dim=0).sum(),
}

step = st.one_of(
    st.tuples(st.sampled_from(sorted(set(UNARY) - {"matmul"})), st.integers(0, 10)),
    st.tuples(st.just("matmul"), st.integers(0, 10)),
    st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 10), st.integers(0, 10)),
    st.tuples(st.just("bias"), st.integers(0, 10)),
)


def make_program(steps, final):
    """A function of (x, w, b) built from drawn steps; each step reads earlier values."""

    def program(x, w, b):
        values = [x]
        for op, *picks in steps:
            args = [values[p % len(values)] for p in picks]
            if op == "matmul":
                values.append(args[0] @ w)
            elif op == "bias":
                values.append(args[0] + b)
            elif op in BINARY:
                values.append(BINARY[op](*args))
            else:
                values.append(UNARY[op](*args))
        return FINAL[final](values[-1]), values[-1]

    return program


def inputs(seed, requires_grad=(True, True, True)):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4, 4), (4,)]
    return [torch.tensor(rng.standard_normal(s), dtype=torch.float64, requires_grad=r)
            for s, r in zip(shapes, requires_grad)]


def eager_and_compiled(fn, compiled, seed, requires_grad=(True, True, True)):
    results = []
    for run in (fn, compiled):
        args = inputs(seed, requires_grad)
        loss, last = run(*args)
        total = loss + 0.25 * last.sum()
        if total.requires_grad:
            total.backward()
        results.append((loss, last, [a.grad for a in args]))
    return results


def assert_same(eager, compiled):
    (loss, last, grads), (closs, clast, cgrads) = eager, compiled
    assert (closs.requires_grad, clast.requires_grad) == (loss.requires_grad, last.requires_grad)
    loss, last, closs, clast = loss.detach(), last.detach(), closs.detach(), clast.detach()
    np.testing.assert_allclose(closs.numpy(), loss.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(clast.numpy(), last.numpy(), rtol=0, atol=1e-10)
    for g, cg in zip(grads, cgrads):
        assert (g is None) == (cg is None)
        if g is not None:
            np.testing.assert_allclose(cg.numpy(), g.numpy(), rtol=0, atol=1e-10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=6), st.sampled_from(sorted(FINAL)),
       st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_compiled_programs_match_eager_values_and_gradients(steps, final, requires_grad):
    fn = make_program(steps, final)
    compiled = torch.compile(fn)
    for seed in (0, 1):  # the first call compiles, the second replays on new values
        eager, replayed = eager_and_compiled(fn, compiled, seed, requires_grad)
        assert_same(eager, replayed)
    assert len(compiled.cache) == 1


def mlp_loss(x, y, w1, b1, w2, b2):
    h = (x @ w1 + b1).relu()
    logp = (h @ w2 + b2).log_softmax(dim=1)
    return -logp[torch.arange(x.shape[0]), y].mean()


def mlp_inputs(seed, rows=20):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.standard_normal((rows, 6)), dtype=torch.float64)
    y = torch.tensor(rng.integers(0, 5, size=rows))
    params = [torch.tensor(rng.standard_normal(s), dtype=torch.float64, requires_grad=True)
              for s in ((6, 8), (8,), (8, 5), (5,))]
    return x, y, params


def test_the_mlp_step_compiled_fills_the_same_grads_as_eager():
    step = torch.compile(mlp_loss)
    x, y, params = mlp_inputs(0)
    twins = [p.detach().clone().requires_grad_() for p in params]
    for _ in range(3):  # compile, then replay after SGD updates
        loss = step(x, y, *params)
        assert loss.grad_fn.name() == "CompiledFunctionBackward"
        loss.backward()
        eager = mlp_loss(x, y, *twins)
        eager.backward()
        assert abs(loss.item() - eager.item()) < 1e-10
        with torch.no_grad():
            for p, q in zip(params, twins):
                np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=0, atol=1e-10)
                p -= 0.1 * p.grad
                q -= 0.1 * q.grad
                p.grad = q.grad = None
    assert len(step.cache) == 1


def test_one_grad_fn_node_leads_to_the_inputs_that_need_grad():
    step = torch.compile(lambda a, b: (a * b).sum())
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0])
    loss = step(a, b)
    (edge,) = [fn for fn, _ in loss.grad_fn.next_functions if fn is not None]
    assert edge.variable is a
    loss.backward()
    assert torch.equal(a.grad, b) and b.grad is None


def test_parameters_read_from_outside_are_lifted_and_get_gradients():
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 2).double()
    x = torch.randn(4, 3, dtype=torch.float64)
    step = torch.compile(lambda x: layer(x).tanh().sum())
    step(x).backward()
    compiled_grads = [p.grad.clone() for p in layer.parameters()]
    layer.zero_grad()
    layer(x).tanh().sum().backward()
    for got, want in zip(compiled_grads, layer.parameters()):
        np.testing.assert_allclose(got.numpy(), want.grad.numpy(), atol=1e-12)


def test_guards_replay_a_known_signature_and_compile_a_new_one():
    calls = []

    def f(x):
        calls.append(1)  # runs only while tracing
        return (x * 2).sum()

    step = torch.compile(f)
    step(torch.ones(3))
    step(torch.zeros(3))
    assert len(calls) == 1 and len(step.cache) == 1
    step(torch.ones(4))  # new shape
    step(torch.ones(3, dtype=torch.float64))  # new dtype
    step(torch.ones(3, requires_grad=True))  # new requires_grad
    assert len(calls) == 4 and len(step.cache) == 4
    with torch.no_grad():  # grad mode is part of the signature, and nothing is recorded
        assert step(torch.ones(3, requires_grad=True)).grad_fn is None
    assert len(step.cache) == 5


def test_index_tensors_are_inputs_and_python_values_are_guarded_by_value():
    step = torch.compile(lambda x, index, k: x[index] * k)
    x = torch.arange(5.0)
    assert step(x, torch.tensor([0, 1]), 2).tolist() == [0.0, 2.0]
    assert step(x, torch.tensor([3, 4]), 2).tolist() == [6.0, 8.0]  # new index values, same program
    assert step(x, torch.tensor([3, 4]), 3).tolist() == [9.0, 12.0]  # a new Python value compiles again
    assert len(step.cache) == 2
    with pytest.raises(IndexError, match="^index 5 is out of bounds for dimension 0 with size 5$"):
        step(x, torch.tensor([1, 5]), 2)


@pytest.mark.parametrize("use", [lambda x, y: x * y, lambda x, y: x[y.tolist()], lambda x, y: x[y + 1],
                                 lambda x, y: x[y][:int(y.max()) + 1]])  # the last: same values, rolled
def test_integer_tensors_used_otherwise_are_guarded_by_value(use):
    step = torch.compile(use)
    x = torch.arange(1.0, 6.0)
    for y in ([0, 1, 2, 0, 1], [2, 3, 1, 1, 0], [0, 1, 2, 0, 1]):
        y = torch.tensor(y)
        assert torch.equal(step(x, y), use(x, y))
    assert len(step.cache) == 2


def test_minibatches_with_new_labels_run_one_program():
    step = torch.compile(mlp_loss)
    _, _, params = mlp_inputs(6)
    for seed in range(3):
        x, y, _ = mlp_inputs(10 + seed)
        for p in params:
            p.grad = None
        loss = step(x, y, *params)
        loss.backward()
        expected_loss, expected = eager_grads(x, y, params)
        np.testing.assert_allclose(loss.item(), expected_loss.item(), rtol=1e-12)
        for p, g in zip(params, expected):
            np.testing.assert_allclose(p.grad.numpy(), g.numpy(), rtol=1e-10, atol=1e-12)
    assert len(step.cache) == 1


def test_a_branch_on_a_tensor_value_is_a_graph_break_that_runs_eagerly():
    def f(x):
        if x.sum() > 0:  # the line the warning names
            return x * 2
        return -x

    step = torch.compile(f)
    with pytest.warns(CompileWarning, match=r"graph break in f: converting a traced tensor to a Python boolean at "
                                            r"test_compile.py:\d+ `if x.sum\(\) > 0:"):
        assert step(torch.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once per signature
        assert step(torch.tensor([-1.0, -2.0])).tolist() == [1.0, 2.0]


def test_item_and_in_place_writes_are_graph_breaks():
    with pytest.warns(CompileWarning, match="Python number"):
        assert torch.compile(lambda x: x * x.sum().item())(torch.tensor([1.0, 2.0])).tolist() == [3.0, 6.0]

    def write(x):
        y = x * 2
        y.add_(1)
        return y

    with pytest.warns(CompileWarning, match="in-place write"):
        assert torch.compile(write)(torch.tensor([1.0])).tolist() == [3.0]


def test_past_the_recompile_limit_new_signatures_run_eagerly():
    step = torch.compile(lambda x: x + 1)
    for n in range(1, 9):
        step(torch.ones(n))
    with pytest.warns(CompileWarning, match="recompiled 8 times"):
        assert step(torch.ones(9)).shape == (9,)


def test_decorator_form_and_several_outputs():
    @torch.compile
    def both(x):
        return x.exp(), (x * 3).sum()

    x = torch.tensor([0.0, 1.0], requires_grad=True)
    e, s = both(x)
    assert e.grad_fn is s.grad_fn  # one node for the whole program
    s.backward()  # the other output gets zeros
    assert x.grad.tolist() == [3.0, 3.0]
    assert both.__name__ == "both"


def test_explain_prints_each_pass_with_node_counts_and_bytes():
    step = torch.compile(mlp_loss)
    x, y, params = mlp_inputs(0)
    step(x, y, *params)
    out = io.StringIO()
    step.explain(file=out)
    text = out.getvalue()
    for title in ("captured", "dead-code elimination", "common-subexpression elimination", "forward program",
                  "backward program"):
        assert f"# {title}" in text
    assert "nodes," in text and "allocated per step" in text and "compiled in" in text


def test_dead_code_and_common_subexpressions_are_removed():
    from engine.compiler.passes import eliminate_common_subexpressions, eliminate_dead_code
    from engine.compiler.program import Program

    with torch.static.Graph() as g:
        x = torch.static.placeholder("x", shape=(3,))
        a, b = x.tanh(), x.tanh()
        unused = x.exp()  # noqa: F841
        out = a + b
    program = Program([x], g.nodes, [out])
    assert len(eliminate_dead_code(program)) == 3
    merged = eliminate_common_subexpressions(eliminate_dead_code(program))
    assert [node.op for node in merged.nodes] == ["tanh", "add"]
    assert merged.nodes[1].args[0] is merged.nodes[1].args[1]


def test_the_mlp_step_is_fused_and_planned_in_place():
    step = torch.compile(mlp_loss)
    x, y, params = mlp_inputs(1)
    step(x, y, *params)
    out = io.StringIO()
    step.explain(file=out)
    planned = out.getvalue().split("# forward program, memory planned")[1]
    for op in ("cross_entropy_fused_(", "softmax_minus_one_hot(", "relu_mask_(", "add_(", "mul_("):
        assert op in planned
    assert "log_softmax" not in planned and "index_scatter" not in planned


def test_backward_twice_with_retain_graph_gives_the_same_gradients():
    step = torch.compile(mlp_loss)
    x, y, params = mlp_inputs(2)
    loss = step(x, y, *params)
    loss.backward(retain_graph=True)
    first = [p.grad.clone() for p in params]
    loss.backward()
    for p, g in zip(params, first):
        np.testing.assert_allclose(p.grad.numpy(), 2 * g.numpy(), rtol=0, atol=1e-12)


def test_backward_frees_what_forward_kept_so_a_second_backward_raises_as_in_eager():
    x, y, params = mlp_inputs(2)
    for fn in (mlp_loss, torch.compile(mlp_loss)):
        loss = fn(x, y, *params)
        loss.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            loss.backward()


def test_relu_keeps_torchs_gradient_at_nan():
    x = torch.tensor([float("nan"), -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.compile(lambda x: (x.relu() * 3).sum())(x).backward()
    compiled = x.grad.clone()
    x.grad = None
    (x.relu() * 3).sum().backward()
    assert torch.equal(compiled, x.grad)


def eager_grads(x, y, params):
    twins = [p.detach().clone().requires_grad_() for p in params]
    loss = mlp_loss(x, y, *twins)
    loss.backward()
    return loss, [t.grad for t in twins]


def test_two_calls_in_flight_keep_their_own_buffers():
    # The forward buffers hold what backward reads: a second call before the first one's backward
    # must not overwrite them.
    step = torch.compile(mlp_loss)
    x, y, params = mlp_inputs(3, rows=2048)  # hidden layer 2048×8 float64: large enough for kept buffers
    assert step(x, y, *params) is not None and step.last.forward.buffers
    other = x * 2 - 1
    first, second = step(x, y, *params), step(other, y, *params)
    for loss, inputs in ((first, x), (second, other)):
        for p in params:
            p.grad = None
        loss.backward()
        expected_loss, expected = eager_grads(inputs, y, params)
        np.testing.assert_allclose(loss.item(), expected_loss.item(), rtol=1e-12)
        for p, g in zip(params, expected):
            np.testing.assert_allclose(p.grad.numpy(), g.numpy(), rtol=1e-10, atol=1e-12)


def test_buffers_are_reused_between_steps_but_results_are_new():
    step = torch.compile(mlp_loss)
    x, y, params = mlp_inputs(4, rows=2048)
    step(x, y, *params).backward()
    plan = step.last
    assert plan.forward.buffers and plan.arenas  # the first call's buffers came back when its graph was freed
    spare = plan.arenas[-1]
    grads = [p.grad for p in params]
    for p in params:
        p.grad = None
    step(x + 1, y, *params).backward()
    assert plan.arenas[-1] is spare  # the same arrays, written again
    for g, p in zip(grads, params):
        assert not np.shares_memory(g.numpy(), p.grad.numpy())  # .grad is new each step
        assert not any(np.shares_memory(p.grad.numpy(), b) for b in spare)


def test_a_result_that_views_an_intermediate_is_not_overwritten():
    def hidden_and_loss(x, w):
        h = (x @ w).relu()
        return h.t(), (h * h).sum()

    compiled = torch.compile(hidden_and_loss)
    w = torch.tensor(np.random.default_rng(5).standard_normal((3, 4)), requires_grad=True)
    x = torch.ones(2, 3, dtype=torch.float64)
    view, _ = compiled(x, w)
    kept = view.clone()
    compiled(x * -1, w)
    assert torch.equal(view, kept)


def test_zero_dim_programs_keep_arrays_and_match_eager():
    def unrolled(n, h, w):
        for _ in range(n):
            h = (w * h).tanh()
        return h

    h, w = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.5, 1.5))
    result = torch.compile(unrolled)(2, h, w)
    assert isinstance(result.detach().numpy(), np.ndarray) and result.shape == ()
    result.backward()
    twins = [t.detach().clone().requires_grad_() for t in (h, w)]
    unrolled(2, *twins).backward()
    for compiled, eager in zip((h, w), twins):
        np.testing.assert_allclose(compiled.grad.numpy(), eager.grad.numpy(), rtol=1e-12)


def test_labels_that_change_the_path_stay_guarded():
    def picky(x, y):
        if y.tolist()[0] == 0:  # a Python branch on a label: the rolled trace breaks the graph
            return x[y] * 2
        raise ValueError("only batches that start with class 0")

    step = torch.compile(picky)
    x = torch.arange(4.0)
    assert step(x, torch.tensor([0, 1, 3])).tolist() == [0.0, 2.0, 6.0]
    assert step(x, torch.tensor([0, 2, 2])).tolist() == [0.0, 4.0, 4.0]
    assert len(step.cache) == 2
