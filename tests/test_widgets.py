"""engine.widgets: the live explorers compute what autograd computes, and draw it."""
import re

import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")

import engine as torch  # noqa: E402
from engine import viz  # noqa: E402
from engine.widgets import (  # noqa: E402
    BackwardStepper, GraphExplorer, PathExplorer, RecordedGraphs, naive_gradients, walk,
)

RUNNING = dict(a=2.0, w1=0.5, w2=-1.5, w3=2.0, w4=0.25)


def running_example(a, w1, w2, w3, w4):
    b = w1 * a
    c = w2 * a
    d = w3 * b + w4 * c
    L = d ** 2
    return L, locals()


def reuse(a):
    b = a + a
    c = b + b
    return c, locals()


def grads_in(source):
    return [float(v) for v in re.findall(r"grad=(-?[\d.]+)", source)]


def test_graph_explorer_shows_autograds_gradients_and_follows_its_sliders():
    explorer = GraphExplorer(running_example, **RUNNING)
    assert explorer.value == pytest.approx(1.5625)
    assert explorer.gradients == pytest.approx({"a": 1.5625, "w1": 10.0, "w2": 1.25, "w3": 2.5, "w4": -7.5})
    assert "<svg" in explorer.picture.value and "1.5625" in explorer.summary.value
    explorer.sliders["a"].value = 1.0  # moving a slider recomputes everything
    assert explorer.value == pytest.approx(0.390625)
    assert explorer.gradients["a"] == pytest.approx(2 * 0.625 * (0.5 * 2 - 1.5 * 0.25))


def test_graph_explorer_update_reports_its_time_and_can_draw_backward():
    explorer = GraphExplorer(running_example, direction="backward", **RUNNING)
    assert 0 < explorer.update() < 10
    with pytest.raises(ValueError, match="direction"):
        GraphExplorer(running_example, direction="sideways", **RUNNING)
    with pytest.raises(ValueError, match="starting value"):
        GraphExplorer(running_example)


def test_naive_recursive_walk_counts_a_reused_value_too_often():
    a = torch.tensor(1.0, requires_grad=True)
    _, names = reuse(a)
    totals = naive_gradients(names["c"])
    assert totals[a._accumulator] == 6.0  # autograd, walking in topological order, says 4
    assert naive_gradients(names["c"], a) == 6.0 and naive_gradients(names["c"], names["b"]) == 2.0
    names["c"].backward()
    assert a.grad.item() == 4.0


def test_backward_stepper_replays_the_engines_walk_step_by_step():
    stepper = BackwardStepper(reuse, a=1.0)
    assert [node.name() for node, _, _ in stepper.events] == ["AddBackward0", "AddBackward0",
                                                              "torch::autograd::AccumulateGrad"]
    gathered = [sorted(stepper.gathered(step).values()) for step in range(4)]
    assert gathered == [[1.0], [1.0, 2.0], [1.0, 2.0, 4.0], [1.0, 2.0, 4.0]]
    stepper.slider.value = 1
    assert "Step 1 of 3" in stepper.caption.value
    stepper.toggle.value = True
    assert "naive 6, engine 4" in stepper.caption.value


def test_backward_drawing_shows_given_gradients_and_outlines_the_focused_node():
    a = torch.tensor(1.0, requires_grad=True)
    _, names = reuse(a)
    c = names["c"]
    plain = viz.draw_backward(c, names).source
    staged = viz.draw_backward(c, names, grads={(c.grad_fn, 0): 1.0}, focus=c.grad_fn).source
    assert grads_in(staged) == [1.0] and grads_in(plain) == []
    assert staged.count('color="#2563EB"') == plain.count('color="#2563EB"') + 1


def test_path_explorer_sums_products_to_autograds_answer():
    explorer = PathExplorer(running_example, **RUNNING)
    assert [p.product for p in explorer.paths["a"]] == pytest.approx([2.5, -0.9375])
    assert explorer.autograd["a"] == pytest.approx(1.5625)
    assert "sum of products = 1.5625" in explorer.summary.value
    explorer.choice.value = "w4"
    assert explorer.index.max == 0 and "-7.5" in explorer.summary.value


def test_recorded_graphs_redraws_the_graph_each_count_records():
    def repeat(n, x):
        for _ in range(n):
            x = x * 2
        return x

    explorer = RecordedGraphs(repeat, n=(1, 5, 2), x=1.5)
    two = explorer.picture.value
    assert explorer.output.item() == 6.0
    explorer.slider.value = 4
    assert explorer.output.item() == 24.0
    assert explorer.picture.value != two and "n = 4" in explorer.caption.value


def test_walk_records_each_node_with_what_it_received_and_sent():
    a = torch.tensor(1.0, requires_grad=True)
    b = a + a
    c = b * 3
    events = walk(c)
    assert [node.name() for node, _, _ in events] == ["MulBackward0", "AddBackward0",
                                                      "torch::autograd::AccumulateGrad"]
    (mul, got, sent), (add, add_got, add_sent), (leaf, leaf_got, leaf_sent) = events
    assert mul is c.grad_fn and [g.item() for g in got] == [1.0] and sent[0].item() == 3.0
    assert [g.item() for g in add_got] == [3.0] and [g.item() for g in add_sent] == [3.0, 3.0]
    assert leaf.variable is a and leaf_got[0].item() == 6.0 and leaf_sent is None
    assert a.grad.item() == 6.0
    walk(c)  # retain_graph=True by default: a second walk runs, and accumulates
    assert a.grad.item() == 12.0


def outlined(source):
    """The labels of the nodes a drawing outlines (edges of a highlighted path left out)."""
    return [re.match(r"\s*\w+ \[label=<(.*?)>, ", line).group(1)
            for line in source.splitlines() if 'penwidth="2.8"' in line and "->" not in line]


@pytest.mark.parametrize("build, leaves", [(running_example, RUNNING), (reuse, dict(a=1.0))])
def test_backward_stepper_caption_names_the_node_it_outlines_at_every_step(build, leaves):
    stepper = BackwardStepper(build, **leaves)
    assert stepper.slider.value == len(stepper.events)  # it starts on the last step, an AccumulateGrad
    for step in range(len(stepper.events) + 1):
        stepper.slider.value = step
        caption, shown = stepper.caption.value, outlined(stepper.drawing.source)
        assert stepper.picture.value == stepper.drawing._repr_mimebundle_()["text/html"]
        if step == 0:
            assert shown == [] and "nothing has run yet" in caption
            continue
        node = stepper.events[step - 1][0]
        assert len(shown) == 1, (step, caption)
        if node.name().endswith("AccumulateGrad"):
            leaf = re.search(r"into (\w+)\.grad", caption).group(1)
            assert stepper.names[leaf]._accumulator is node
            assert shown[0].startswith(f"<B>{leaf}</B>")  # the leaf stands for its AccumulateGrad
        else:
            named = re.search(r"ran (\w+)", caption).group(1)
            assert named == shown[0] == node.name()
