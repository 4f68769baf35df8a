"""engine.static: graphs defined first and run later, symbolic gradients, control flow, tracing."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import engine as torch
from engine import static


def test_a_graph_runs_many_times_on_new_feeds_without_being_rebuilt():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(3,))
        w = static.placeholder("w", shape=(3,))
        y = (x * w).sum()
    nodes = len(g.nodes)
    for values in ([1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]):
        result = g.run(y, {"x": values, w: torch.tensor([2.0, 0.0, 1.0])})
        assert isinstance(result, torch.Tensor)
        assert result.item() == pytest.approx(2 * values[0] + values[2])
    assert len(g.nodes) == nodes


def test_run_takes_one_fetch_or_a_list():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(2,))
        doubled, squared = x * 2, x * x
    assert torch.equal(g.run(doubled, {"x": [1.0, 3.0]}), torch.tensor([2.0, 6.0]))
    both = g.run([doubled, squared], {"x": [1.0, 3.0]})
    assert isinstance(both, list) and torch.equal(both[1], torch.tensor([1.0, 9.0]))


def test_operations_on_placeholders_record_instead_of_computing():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(2, 2))
        y = x @ x
    assert isinstance(y, static.Symbol)
    assert [node.op for node in g.nodes] == ["matmul"]


def test_printing_reads_as_a_program():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(3,))
        w = static.placeholder("w", shape=(3,))
        (x * w).sum(0).tanh()
    assert str(g).splitlines() == [
        "graph(x: float32[3], w: float32[3]):",
        "  v1 = mul(x, w)",
        "  v2 = sum(v1, dims=(0,))",
        "  v3 = tanh(v2)",
    ]


def test_shape_errors_surface_when_the_graph_is_built_naming_the_node():
    with pytest.raises(RuntimeError, match=r"while building v2 = matmul\(v1, q\): mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x4\)"):
        with static.Graph():
            p = static.placeholder("p", shape=(3, 4))
            q = static.placeholder("q", shape=(3, 4))
            (p * 2) @ q


def test_feeding_a_wrong_shape_or_forgetting_a_feed_is_a_clear_error():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(3,))
        y = x + 1
    with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2,\) for placeholder 'x', which has shape \(3,\)"):
        g.run(y, {"x": [1.0, 2.0]})
    with pytest.raises(RuntimeError, match="You must feed a value for placeholder 'x'"):
        g.run(y, {})
    with pytest.raises(KeyError, match="not a placeholder"):
        g.run(y, {"nope": [1.0, 2.0, 3.0]})


def test_python_control_flow_on_a_symbol_is_refused_while_defining():
    with static.Graph():
        x = static.placeholder("x", shape=(3,))
        with pytest.raises(TypeError, match="has no value until the graph runs"):
            if x.sum() > 0:
                pass
        with pytest.raises(TypeError, match="engine.static.cond"):
            x.sum().item()


def test_symbolic_gradients_exist_before_any_data_and_match_autograd():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(3,))
        w = static.placeholder("w", shape=(3,))
        y = (x * w).sum().tanh()
        before = len(g.nodes)
        grad_x, grad_w = static.gradients(y, [x, w])
    assert len(g.nodes) > before  # the backward program is part of the graph
    x_value, w_value = torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0.5, -1.0, 0.25])
    gx, gw = g.run([grad_x, grad_w], {"x": x_value, "w": w_value})
    xe, we = x_value.clone().requires_grad_(), w_value.clone().requires_grad_()
    (xe * we).sum().tanh().backward()
    assert torch.allclose(gx, xe.grad) and torch.allclose(gw, we.grad)


_UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "exp": lambda a: (a * 0.3).exp(),
    "sin": lambda a: a.sin(),
    "square": lambda a: a ** 2,
    "relu": lambda a: a.relu(),
}
_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "maximum": lambda a, b: torch.maximum(a, b),
}


@st.composite
def programs(draw):
    """A random straight-line program over two (3,)-shaped inputs, as a list of steps."""
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            steps.append(("unary", draw(st.sampled_from(sorted(_UNARY))), draw(st.integers(0, 10))))
        else:
            steps.append(("binary", draw(st.sampled_from(sorted(_BINARY))), draw(st.integers(0, 10)), draw(st.integers(0, 10))))
    return steps


def _run_program(steps, a, b):
    values = [a, b]
    for step in steps:
        if step[0] == "unary":
            values.append(_UNARY[step[1]](values[step[2] % len(values)]))
        else:
            values.append(_BINARY[step[1]](values[step[2] % len(values)], values[step[3] % len(values)]))
    return (values[-1] * torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)).sum() + values[-1].sum() * 0


@settings(max_examples=40, deadline=None)
@given(programs(), st.integers(0, 2**16))
def test_symbolic_gradients_match_eager_autograd_on_random_programs(steps, seed):
    rng = np.random.default_rng(seed)
    a_value = torch.tensor(rng.uniform(-2, 2, 3))
    b_value = torch.tensor(rng.uniform(-2, 2, 3))
    with static.Graph() as g:
        a = static.placeholder("a", shape=(3,), dtype=torch.float64)
        b = static.placeholder("b", shape=(3,), dtype=torch.float64)
        out = _run_program(steps, a, b)
        grad_a, grad_b = static.gradients(out, [a, b])
    value, ga, gb = g.run([out, grad_a, grad_b], {"a": a_value, "b": b_value})
    ae, be = a_value.clone().requires_grad_(), b_value.clone().requires_grad_()
    eager = _run_program(steps, ae, be)
    eager.backward()
    assert torch.allclose(value, eager.detach())
    assert torch.allclose(ga, ae.grad if ae.grad is not None else torch.zeros(3, dtype=torch.float64))
    assert torch.allclose(gb, be.grad if be.grad is not None else torch.zeros(3, dtype=torch.float64))


def test_cond_puts_both_branches_in_the_graph_and_computes_one():
    calls = []

    class Spy(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            calls.append("ran")
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    with static.Graph() as g:
        x = static.placeholder("x", shape=())
        y = static.cond(x > 0, lambda: x * x, lambda: Spy.apply(x) * -3)
        (dy,) = static.gradients(y, [x])
    assert {node.op for node in g.nodes} >= {"cond", "mul", "spy"}
    calls.clear()
    assert g.run([y, dy], {"x": 2.0}) == [torch.tensor(4.0), torch.tensor(4.0)]
    assert calls == []  # the false branch never ran
    assert g.run([y, dy], {"x": -2.0}) == [torch.tensor(6.0), torch.tensor(-3.0)]
    assert calls == ["ran"]


def test_cond_branches_must_agree_in_shape():
    with static.Graph():
        x = static.placeholder("x", shape=(2,))
        with pytest.raises(ValueError, match="same shape and dtype"):
            static.cond(x.sum() > 0, lambda: x, lambda: x.sum())


def test_a_bounded_loop_runs_a_fed_number_of_times_up_to_its_bound():
    with static.Graph() as g:
        n = static.placeholder("n", shape=(), dtype=torch.int64)
        v = static.placeholder("v", shape=())
        _, out = static.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, v * 2), (torch.tensor(0), v), maximum_iterations=5)
        (dv,) = static.gradients(out, [v])
    assert g.run([out, dv], {"n": 3, "v": 1.5}) == [torch.tensor(12.0), torch.tensor(8.0)]
    assert g.run([out, dv], {"n": 0, "v": 1.5}) == [torch.tensor(1.5), torch.tensor(1.0)]
    assert g.run(out, {"n": 9, "v": 1.0}) == torch.tensor(32.0)  # stopped by the bound


def test_trace_replays_the_operations_on_new_inputs():
    traced = static.trace(lambda x, w: (x @ w).relu(), torch.ones(2, 3), torch.ones(3, 4))
    x, w = torch.randn(2, 3), torch.randn(3, 4)
    assert torch.allclose(traced(x, w), (x @ w).relu())
    assert str(traced).splitlines()[1:] == ["  v1 = matmul(x0, x1)", "  v2 = relu(v1)"]


def test_trace_warns_on_python_control_flow_and_bakes_in_the_branch_it_saw():
    def absolute_sum(x):
        if x.sum() > 0:
            return x * 1
        return -x

    with pytest.warns(static.TracerWarning, match="Converting a tensor to a Python boolean might cause the trace to be incorrect"):
        traced = static.trace(absolute_sum, torch.tensor([1.0, 2.0]))
    negative = torch.tensor([-3.0, -4.0])
    assert torch.equal(absolute_sum(negative), torch.tensor([3.0, 4.0]))
    assert torch.equal(traced(negative), torch.tensor([-3.0, -4.0]))  # silently the other branch


def test_trace_warns_when_a_value_becomes_a_python_number():
    with pytest.warns(static.TracerWarning, match="Python number"):
        traced = static.trace(lambda x: x * x.max().item(), torch.tensor([1.0, 2.0]))
    assert torch.equal(traced(torch.tensor([1.0, 5.0])), torch.tensor([2.0, 10.0]))  # 2 was baked in


def test_graphs_draw_as_dot_with_their_placeholders_and_operations():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(3,))
        y = (x * 2).sum()
        static.gradients(y, [x])
    dot = g.to_dot()
    assert dot.startswith("digraph") and '"x\\nfloat32[3]"' in dot
    assert dot.count('shape=ellipse') == len(g.nodes)
    assert dot == g.to_dot()  # deterministic


def test_symbols_from_another_graph_are_refused():
    with static.Graph():
        x = static.placeholder("x", shape=(2,))
    with static.Graph():
        with pytest.raises(RuntimeError, match="belongs to another graph"):
            x * 2


def test_placeholder_needs_a_graph():
    with pytest.raises(RuntimeError, match="needs a graph"):
        static.placeholder("x", shape=(1,))


def test_eager_code_is_untouched_after_a_graph_closes():
    with static.Graph():
        static.placeholder("x", shape=(1,))
    y = torch.ones(2, requires_grad=True) * 3
    assert not isinstance(y, static.Symbol) and y.grad_fn.name() == "MulBackward0"


def test_tracing_and_defining_leave_no_warning_behind():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traced = static.trace(lambda x: x.exp(), torch.zeros(2))
        assert torch.equal(traced(torch.zeros(2)), torch.ones(2))


def test_placeholders_need_every_size_known():
    with static.Graph():
        with pytest.raises(ValueError, match="every dimension needs a size"):
            static.placeholder("x", shape=(None, 3))


def test_integer_graph_values_are_refused_where_they_would_be_read_at_build_time():
    with static.Graph():
        scores = static.placeholder("scores", shape=(4, 3))
        labels = static.placeholder("labels", shape=(4,), dtype=torch.int64)
        with pytest.raises(TypeError, match="indexing with labels, a value of a static graph"):
            scores[torch.arange(4), labels]
        with pytest.raises(TypeError, match="one-hot"):
            torch.nn.functional.cross_entropy(scores, labels)


def test_a_symbol_used_after_its_graph_closed_fails_instead_of_computing_on_its_stand_in():
    with static.Graph():
        x = static.placeholder("x", shape=())
        y = x * 2
    with pytest.raises(RuntimeError, match="no longer being built"):
        bool(y > 1)
    assert torch.equal(torch.ones(2) * 3, torch.full((2,), 3.0))  # plain tensors are unaffected


def test_a_run_frees_each_intermediate_after_its_last_use():
    import tracemalloc

    with static.Graph() as g:
        x = static.placeholder("x", shape=(1_000_000,))
        y = x
        for _ in range(8):
            y = y * 1.5
    value = torch.ones(1_000_000)
    g.run(y, {"x": value})  # plan once, outside the measurement
    tracemalloc.start()
    result = g.run(y, {"x": value})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result[0].item() == pytest.approx(1.5 ** 8)
    assert peak < 3 * 4_000_000  # two 4 MB buffers alive at a time, not eight
