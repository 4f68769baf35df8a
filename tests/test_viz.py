"""engine.viz: drawings checked through their DOT text, gradient paths against autograd, rendering through dot."""
import html
import math
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from hypothesis import assume, given, settings, strategies as st

import engine as torch
from engine import viz
from engine.viz.dot import HIGHLIGHT
from engine.viz.text import number

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


# --------------------------------------------------------------------------------------------- helpers
def param(value):
    return torch.tensor(value, requires_grad=True)


def running_example():
    """Chapter 5's example: two paths from L back to a."""
    a = param(2.0)
    w1, w2, w3, w4 = param(0.5), param(-1.5), param(2.0), param(0.25)
    b = w1 * a
    c = w2 * a
    d = w3 * b + w4 * c
    L = d ** 2
    return dict(a=a, w1=w1, w2=w2, w3=w3, w4=w4, b=b, c=c, d=d, L=L)


NODE = re.compile(r"^  (\w+) \[label=<(.*?)>, (\w+=.*)\];$")
EDGE = re.compile(r"^  (\w+) -> (\w+)(?: \[(.*)\])?;$")


def parse(source):
    """Nodes as id → (label text, attribute text) and edges as (tail, head, label text, attribute text)."""
    nodes, edges = {}, []
    for line in source.splitlines():
        if match := EDGE.match(line):
            tail, head, attrs = match.group(1), match.group(2), match.group(3) or ""
            label = re.search(r"label=<(.*?)>(?:, |$)", attrs)
            edges.append((tail, head, text(label.group(1)) if label else "", attrs))
        elif match := NODE.match(line):
            nodes[match.group(1)] = (text(match.group(2)), match.group(3))
    return nodes, edges


def text(label):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", label)).split())


def node_named(nodes, name):
    found = [node for node, (label, _) in nodes.items() if label.split(" ")[0] == name]
    assert len(found) == 1, (name, nodes)
    return found[0]


# ------------------------------------------------------------------------------------ forward drawing
def test_running_example_forward_structure_names_and_values():
    g = running_example()
    source = viz.draw_forward(g["L"], names=g).source
    nodes, edges = parse(source)
    tensors = [n for n in nodes if n.startswith("t")]
    ops = [n for n in nodes if n.startswith("op")]
    # a, w1..w4, b, c, w3*b, w4*c, d, L; and ×, ×, ×, ×, +, **2
    assert (len(tensors), len(ops), len(edges)) == (11, 6, 17)
    assert "rankdir=LR" in source
    labels = {label for label, _ in nodes.values()}
    for expected in ["a 2.0", "w1 0.5", "w2 -1.5", "w3 2.0", "w4 0.25", "b 1.0", "c -3.0", "d 1.25", "L 1.5625"]:
        assert expected in labels
    assert sorted(label for label, _ in (nodes[o] for o in ops)) == ["** 2", "+", "×", "×", "×", "×"]
    # arrows run from inputs to the operation, and from the operation to its result
    assert (node_named(nodes, "a"), ops[-1]) in [(t, h) for t, h, _, _ in edges]
    assert all(t.startswith("op") != h.startswith("op") for t, h, _, _ in edges)


def test_weights_stand_out_and_operations_look_different():
    g = running_example()
    nodes, _ = parse(viz.draw_forward(g["L"], names=g).source)
    for name in ["a", "w1", "w2", "w3", "w4"]:
        attrs = nodes[node_named(nodes, name)][1]
        assert 'fillcolor="#FFE2A8"' in attrs and 'penwidth="2.2"' in attrs
    for name in ["b", "c", "d", "L"]:
        attrs = nodes[node_named(nodes, name)][1]
        assert 'fillcolor="#EAF2FB"' in attrs and "shape=" not in attrs  # the default: a rounded box
    assert all('shape="circle"' in attrs or 'shape="ellipse"' in attrs for node, (_, attrs) in nodes.items()
               if node.startswith("op"))


def test_a_plus_a_is_drawn_as_a_multigraph():
    a, c = param(1.0), param(2.0)
    for y, count in ((a + a, 1), (a + c, 2)):
        nodes, edges = parse(viz.draw_forward(y, names={"a": a, "c": c, "y": y}).source)
        assert len(nodes) == count + 2 and len(edges) == 3
        into_add = [tail for tail, head, _, _ in edges if head == "op0"]
        assert len(into_add) == 2
    nodes, edges = parse(viz.draw_backward(a + a, names={"a": a}).source)
    to_a = [label for tail, head, label, _ in edges if head == node_named(nodes, "a")]
    assert to_a == ["+= 1.0", "+= 1.0"]  # gradients from the two uses add up


def test_names_from_locals_skip_private_and_non_tensors_and_first_name_wins():
    a = param(3.0)
    y = a * a
    names = {"first": a, "second": a, "_private": y, "number": 3, "text": "y", "y": y}
    nodes, _ = parse(viz.draw_forward(y, names=names).source)
    labels = {label for label, _ in nodes.values()}
    assert labels == {"y 9.0", "first 3.0", "×"}


def test_shapes_for_tensors_and_constants_where_known():
    x = torch.ones(4, 3)  # an input: no grad
    W = param([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    y = (x @ W).sum() * 3.0
    hidden = torch.ones(2)
    z = W.sum(0) + hidden  # `hidden` is not named, and Add saves nothing: it cannot be shown
    source = viz.draw_forward(y, names={"x": x, "W": W, "y": y}).source
    nodes, edges = parse(source)
    labels = {label for label, _ in nodes.values()}
    assert {"x [4, 3]", "W [3, 2]", "[4, 2]", "3.0", "@", "sum", "×"} <= labels
    assert 'style="rounded,filled,dashed"' in nodes[node_named(nodes, "x")][1]
    assert "1st" in [label for _, _, label, _ in edges] and "2nd" in [label for _, _, label, _ in edges]
    nodes, _ = parse(viz.draw_forward(z, names={"W": W}).source)
    assert "+ +1 constant" in {label for label, _ in nodes.values()}
    assert len(nodes) == 5  # z, +, W.sum(0), sum, W: no node for the unknown input
    # the backward graph has no constants: no gradient flows to them
    nodes, _ = parse(viz.draw_backward(y, names={"x": x, "W": W, "y": y}).source)
    assert not any(label.startswith("x ") or label == "3.0" for label, _ in nodes.values())


def test_drawing_is_deterministic_and_never_uses_ids():
    first = running_example()
    source = viz.draw_forward(first["L"], names=first).source
    assert viz.draw_forward(first["L"], names=first).source == source
    second = running_example()  # new objects, later sequence numbers, the same graph
    assert viz.draw_forward(second["L"], names=second).source == source
    assert viz.draw_backward(second["L"], names=second).source == viz.draw_backward(first["L"], names=first).source
    assert hex(id(first["a"])) not in source and "0x" not in source


def test_output_that_is_a_leaf_or_needs_no_grad():
    a = param(1.5)
    nodes, edges = parse(viz.draw_forward(a, names={"a": a}).source)
    assert list(nodes.values())[0][0] == "a 1.5" and edges == []
    nodes, _ = parse(viz.draw_backward(torch.ones(2, 2)).source)
    assert [label for label, _ in nodes.values()] == ["[2, 2]"]
    with pytest.raises(TypeError):
        viz.draw_forward(1.0)


# ----------------------------------------------------------------------------------- backward drawing
def test_backward_edges_carry_local_derivatives():
    g = running_example()
    source = viz.draw_backward(g["L"], names=g).source
    nodes, edges = parse(source)
    assert "rankdir=RL" in source
    assert {label for label, _ in nodes.values() if "Backward" in label} == {"PowBackward0", "AddBackward0",
                                                                            "MulBackward0"}
    labels = {(nodes[tail][0], nodes[head][0].split(" ")[0]): label for tail, head, label, _ in edges}
    # arrows run from L back to the leaves: operation → input
    assert labels[("MulBackward0", "c")] == "0.25"   # dd/dc = w4
    assert labels[("PowBackward0", "d")] == "2.5"    # dL/dd = 2d
    assert labels[("MulBackward0", "w4")] == "-3.0"  # d(w4 c)/dw4 = c
    assert labels[("MulBackward0", "a")].startswith("+=")  # a feeds two multiplications
    assert ("L 1.5625", "PowBackward0") in [(nodes[t][0], nodes[h][0]) for t, h, _, _ in edges]


def test_gradients_show_once_they_exist():
    g = running_example()
    g["d"].retain_grad()
    before, _ = parse(viz.draw_backward(g["L"], names=g).source)
    assert not any("grad=" in label for label, _ in before.values())
    g["L"].backward(retain_graph=True)
    nodes, edges = parse(viz.draw_backward(g["L"], names=g).source)
    assert nodes[node_named(nodes, "a")][0] == "a 2.0 grad=1.5625"
    assert nodes[node_named(nodes, "w4")][0] == "w4 0.25 grad=-7.5"
    assert nodes[node_named(nodes, "d")][0] == "d 1.25 grad=2.5"   # a non-leaf that retains grad
    assert nodes[node_named(nodes, "c")][0] == "c -3.0"            # one that does not
    assert 'COLOR="#B4235A">grad=' in viz.draw_forward(g["L"], names=g).source
    assert "0.25" in [label for _, _, label, _ in edges]  # retain_graph kept the values


def test_after_a_plain_backward_rules_replace_the_freed_numbers():
    g = running_example()
    g["L"].backward()
    source = viz.draw_backward(g["L"], names=g).source
    nodes, edges = parse(source)
    labels = {(nodes[tail][0], nodes[head][0].split(" ")[0]): label for tail, head, label, _ in edges}
    assert labels[("MulBackward0", "c")] == "grad * other"
    assert labels[("AddBackward0", "scalar")] == "1.0"  # Add saves nothing: still a number
    assert "retain_graph=True" in source


def test_tensor_graphs_label_edges_with_rules_and_shapes():
    x = param(torch.randn(8, 128).tolist())
    W = param(torch.randn(128, 10).tolist())
    bias = param([0.0] * 10)
    h = (x @ W + bias).relu()
    loss = h.sum()
    nodes, edges = parse(viz.draw_backward(loss, names=locals()).source)
    labels = {(nodes[tail][0], nodes[head][0].split(" ")[0]): label for tail, head, label, _ in edges}
    assert labels[("MmBackward0", "x")] == "grad @ Bᵀ [8, 10]→[8, 128]"
    assert labels[("MmBackward0", "W")] == "Aᵀ @ grad [8, 10]→[128, 10]"
    assert labels[("AddBackward0", "bias")] == "grad, summed [8, 10]→[10]"
    assert labels[("SumBackward0", "h")] == "expand []→[8, 10]"
    assert labels[("ReluBackward0", "[8,")] == "grad * (out > 0) [8, 10]→[8, 10]"


def test_highlight_one_path():
    g = running_example()
    paths = viz.gradient_paths(g["L"], g["a"])
    path = paths[1]  # through c
    source = viz.draw_backward(g["L"], names=g, highlight=path).source
    nodes, edges = parse(source)
    marked = [(nodes[t][0].split(" ")[0], nodes[h][0].split(" ")[0]) for t, h, _, attrs in edges
              if f'color="{HIGHLIGHT}"' in attrs and 'penwidth="2.8"' in attrs]
    assert len(marked) == 2 * len(path.edges) == 8
    assert ("MulBackward0", "c") in marked and ("c", "MulBackward0") in marked and ("L", "PowBackward0") in marked
    assert ("MulBackward0", "b") not in marked
    marked_nodes = [label.split(" ")[0] for label, attrs in nodes.values() if f'color="{HIGHLIGHT}"' in attrs]
    assert len(marked_nodes) == 9 and "c" in marked_nodes and "b" not in marked_nodes
    other = running_example()
    with pytest.raises(ValueError):
        viz.draw_backward(other["L"], highlight=path)


# --------------------------------------------------------------------------------------- gradient paths
def test_gradient_paths_of_the_running_example():
    g = running_example()
    paths = viz.gradient_paths(g["L"], g["a"])
    assert [p.product for p in paths] == [2.5, -0.9375]
    assert [p.factors for p in paths] == [(2.5, 1.0, 2.0, 0.5), (2.5, 1.0, 0.25, -1.5)]
    assert paths[0].nodes[0] is g["L"].grad_fn and paths[0].nodes[-1].variable is g["a"]
    assert [node.name() for node in paths[0].nodes] == ["PowBackward0", "AddBackward0", "MulBackward0",
                                                         "MulBackward0", "torch::autograd::AccumulateGrad"]
    named = viz.gradient_paths(g["L"], g["a"], names=g)
    assert [str(p) for p in named] == ["L → d → b → a: 2.5 × 1.0 × 2.0 × 0.5 = 2.5",
                                       "L → d → c → a: 2.5 × 1.0 × 0.25 × -1.5 = -0.9375"]
    g["L"].backward()
    assert sum(p.product for p in paths) == g["a"].grad.item() == 1.5625
    assert "product=2.5" in repr(paths[0])
    # backward freed the saved values: the factors that needed them are rules now
    assert str(viz.gradient_paths(g["L"], g["a"], names=g)[0]) == (
        "L → d → b → a: (grad * n * x^(n−1)) × 1.0 × (grad * other) × (grad * other)")


def test_reuse_gives_one_path_per_edge():
    a = param(2.0)
    b = a + a
    c = b + b
    paths = viz.gradient_paths(c, a)
    assert [p.product for p in paths] == [1.0] * 4
    c.backward()
    assert a.grad.item() == 4.0
    assert viz.gradient_paths(c, c)[0].product == 1.0 and len(viz.gradient_paths(c, c)) == 1


def test_paths_to_a_non_leaf_and_to_an_unused_tensor():
    g = running_example()
    g["c"].retain_grad()
    paths = viz.gradient_paths(g["L"], g["c"])
    assert len(paths) == 1 and paths[0].nodes[-1] is g["c"].grad_fn
    g["L"].backward()
    assert paths[0].product == g["c"].grad.item() == 0.625
    assert viz.gradient_paths(g["L"], param(1.0)) == []
    with pytest.raises(ValueError):
        viz.gradient_paths(g["L"], torch.tensor(1.0))


def test_tensor_paths_have_rules_not_products():
    W = param([[1.0, 2.0], [3.0, 4.0]])
    loss = (W @ W).sum()
    paths = viz.gradient_paths(loss, W)
    assert len(paths) == 2 and all(p.product is None for p in paths)
    assert paths[0].factors == ("expand", "grad @ Bᵀ") and paths[1].factors == ("expand", "Aᵀ @ grad")


OPS = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "tanh": lambda x, y: x.tanh(),
    "exp": lambda x, y: x.exp(),
    "sin": lambda x, y: x.sin(),
    "square": lambda x, y: x ** 2,
    "cube": lambda x, y: x ** 3,
    "pow": lambda x, y: x ** y if x.item() > 0 else x ** 2,
    "scale": lambda x, y: 2.5 * x - 1.0,
}


def run_program(leaf_values, steps):
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaf_values]
    pool = list(leaves)
    for op, i, j in steps:
        pool.append(OPS[op](pool[i % len(pool)], pool[j % len(pool)]))
    return leaves, pool[-1]


def check_paths_sum_to_grads(leaves, output):
    paths = {id(leaf): viz.gradient_paths(output, leaf) for leaf in leaves}
    output.backward()
    for leaf in leaves:
        total = sum(p.product for p in paths[id(leaf)])
        expected = leaf.grad.item() if leaf.grad is not None else 0.0
        assert math.isclose(total, expected, rel_tol=1e-9, abs_tol=1e-9), (total, expected)


def sensible(value):
    return math.isfinite(value) and abs(value) < 1e6


@pytest.mark.parametrize("seed", range(60))
def test_paths_sum_to_autograd_on_random_scalar_programs(seed):
    rng = random.Random(seed)
    while True:
        values = [rng.uniform(0.5, 1.5) for _ in range(rng.randint(1, 3))]
        steps = [(rng.choice(list(OPS)), rng.randrange(100), rng.randrange(100)) for _ in range(rng.randint(1, 9))]
        leaves, output = run_program(values, steps)
        if output.requires_grad and sensible(output.item()):
            break
    check_paths_sum_to_grads(leaves, output)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(0.5, 1.5), min_size=1, max_size=3),
    steps=st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 50), st.integers(0, 50)),
                   min_size=1, max_size=8),
)
def test_paths_sum_to_autograd_property(values, steps):
    leaves, output = run_program(values, steps)
    assume(output.requires_grad and sensible(output.item()))
    check_paths_sum_to_grads(leaves, output)


# ----------------------------------------------------------------------------------- text and escaping
@pytest.mark.parametrize("value, expected", [(0.25, "0.25"), (-1.5, "-1.5"), (2.0, "2.0"), (1.5625, "1.5625"),
                                             (1 / 3, "0.3333"), (0.0, "0.0"), (3, "3"), (1e-7, "1.0e-07"),
                                             (123456789.0, "1.2346e+08"), (float("nan"), "nan")])
def test_numbers_print_like_the_engine_without_padding(value, expected):
    assert number(value) == expected


AWKWARD = {'say "hi"': 1.0, "a<b> & c": 2.0, "λ₁ ✓ 🙂": 3.0, "back\\slash": 4.0, "new\nline": 5.0, "]}\"'": 6.0}


def awkward_graph():
    tensors = {name: param(value) for name, value in AWKWARD.items()}
    total = tensors['say "hi"']
    for tensor in list(tensors.values())[1:]:
        total = total * tensor
    tensors["L<&>\""] = total
    return tensors, total


@needs_dot
@pytest.mark.parametrize("draw", [viz.draw_forward, viz.draw_backward])
def test_awkward_names_give_valid_svg(draw):
    names, output = awkward_graph()
    drawing = draw(output, names=names)
    root = ET.fromstring(drawing._repr_mimebundle_()["text/html"])
    rendered = " ".join("".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text"))
    for name in ['say "hi"', "a<b> & c", "λ₁ ✓ 🙂", "back\\slash", "new\\nline", "]}\"'", "L<&>\""]:
        assert name in rendered
    ET.fromstring(drawing.svg())


@needs_dot
def test_inline_svg_fits_the_column_and_has_its_own_ids():
    g = running_example()
    forward, backward = viz.draw_forward(g["L"], names=g), viz.draw_backward(g["L"], names=g)
    svg = forward.svg()
    assert svg.startswith("<svg") and "<?xml" not in svg and "DOCTYPE" not in svg and "<!--" not in svg
    start = svg[:svg.index(">")]
    assert 'width="100%"' in start and "viewBox=" in start and "max-width:" in start and "height=" not in start
    ids = lambda text: set(re.findall(r'\bid="([^"]+)"', text))
    assert ids(svg) and not ids(svg) & ids(backward.svg())
    assert viz.draw_forward(g["L"], names=g).svg() == svg  # the same drawing, the same SVG
    bundle = forward._repr_mimebundle_()
    assert bundle["text/plain"] == forward.source and bundle["text/html"].startswith('<div class="engine-viz')
    assert set(forward._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert set(forward._repr_mimebundle_(exclude=["text/html"])) == {"text/plain"}
    assert repr(forward) == forward.source


def test_missing_dot_gives_a_clear_error_and_keeps_the_source(monkeypatch):
    g = running_example()
    drawing = viz.draw_forward(g["L"], names=g)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(viz.GraphvizNotFound) as error:
        drawing.svg()
    message = str(error.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "conda install graphviz" in message
    with pytest.raises(viz.GraphvizNotFound):
        drawing.save("never-written.svg")
    assert drawing.source.startswith("digraph forward {")
    bundle = drawing._repr_mimebundle_()
    assert bundle["text/plain"] == drawing.source
    assert "<pre>" in bundle["text/html"] and "apt-get install graphviz" in bundle["text/html"]
    assert html.escape(drawing.source) in bundle["text/html"]


@needs_dot
def test_a_layout_that_takes_too_long_says_what_to_do(monkeypatch):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", slow)
    with pytest.raises(RuntimeError, match="max_nodes"):
        viz.draw_forward(param(1.0) * 2).svg()


def dot_formats():
    if shutil.which("dot") is None:
        return set()
    listing = subprocess.run(["dot", "-T?"], capture_output=True, text=True).stderr
    return set(listing.split(":")[-1].split())


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_save_by_extension(tmp_path, suffix, magic):
    if suffix[1:] not in dot_formats():
        pytest.skip(f"this dot cannot write {suffix}")
    g = running_example()
    path = viz.draw_backward(g["L"], names=g).save(tmp_path / f"graph{suffix}")
    data = path.read_bytes()
    assert data.startswith(magic)
    if suffix == ".svg":
        ET.fromstring(data)


def test_save_rejects_unknown_extensions(tmp_path):
    with pytest.raises(ValueError, match="extension"):
        viz.draw_forward(param(1.0) * 2).save(tmp_path / "graph.jpg")


# ------------------------------------------------------------------------------------------- big graphs
def big_graph(operations=1000):
    weights = [param(0.1 * (i + 1)) for i in range(10)]
    bias = param(0.5)
    x = param(1.0)
    for step in range(operations // 3):
        x = (x * weights[step % 10] + bias).tanh()
    return x


def test_big_graphs_collapse_beyond_max_nodes():
    L = big_graph()
    source = viz.draw_forward(L).source
    nodes, _ = parse(source)
    assert len(nodes) == 150 + 1 and "more" in nodes
    more = re.search(r"more \[label=<… (\d+) more nodes>", source)
    assert more and int(more.group(1)) > 1800
    assert "Showing the 150 nodes nearest the output" in source and "max_nodes=150" in source
    assert len(parse(viz.draw_backward(L, max_nodes=20).source)[0]) == 20 + 1
    assert "more nodes" not in viz.draw_forward(L, max_nodes=None).source
    with pytest.raises(ValueError):
        viz.draw_forward(L, max_nodes=0)


@needs_dot
def test_a_thousand_node_graph_renders():
    L = big_graph()
    for draw in (viz.draw_forward, viz.draw_backward):
        root = ET.fromstring(draw(L).svg())
        assert any("more nodes" in "".join(element.itertext()) for element in root.iter())
