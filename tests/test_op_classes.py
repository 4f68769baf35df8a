"""Every operation of the engine is one Function class per grad_fn torch gives it, and that class
declares what the drawings and the static IR show: adding an op is one class, in one place."""
import re

import pytest

import engine as torch
from engine import static, viz
from engine.autograd.function import Function
from engine.ops import arithmetic, comparison, linalg, pointwise, views


def _engine_functions():
    found, stack = [], list(Function.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("engine.") and not cls.__module__.startswith("engine.compiler."):
            found.append(cls)  # (the compiler's fused nodes exist only inside compiled programs)
    return sorted(set(found), key=lambda c: (c.__module__, c.__name__))


FUNCTIONS = _engine_functions()
# Family bases that are never applied themselves: each of their subclasses is one grad_fn.
FAMILIES = [cls for cls in FUNCTIONS if cls.node_name is None and cls.__subclasses__()]
APPLIED = [cls for cls in FUNCTIONS if cls not in FAMILIES]
TORCH_NODE_NAME = re.compile(r"[A-Z][A-Za-z0-9]*Backward[0-9]+|torch::autograd::[A-Za-z]+|CompiledFunctionBackward")


def test_the_walk_finds_the_engine_operations():
    names = {cls.__name__ for cls in APPLIED}
    assert {"Add", "Mul", "MatMul", "Mm", "Transpose", "Slice", "Std", "NllLoss2D"} <= names
    assert len(APPLIED) > 80


@pytest.mark.parametrize("cls", APPLIED, ids=lambda cls: cls.__name__)
def test_every_operation_declares_what_the_rest_of_the_engine_reads(cls):
    if issubclass(cls, comparison.Compare):  # a boolean result: torch records no node, so it has no name
        assert cls.node_name is None
    else:
        assert isinstance(cls.node_name, str) and TORCH_NODE_NAME.fullmatch(cls.node_name), cls.node_name
        assert cls._node_class.__name__ == cls.node_name
    assert isinstance(cls.symbol, str) and cls.symbol
    assert isinstance(cls.derivatives, tuple) and cls.derivatives
    assert all(isinstance(rule, str) and rule for rule in cls.derivatives)
    # a rule says how the gradient is formed, never just which node forms it
    assert not any("Backward" in rule or rule == cls.node_name for rule in cls.derivatives), cls.derivatives
    assert isinstance(cls.static_name, str) and cls.static_name
    assert isinstance(cls.ordered_inputs, bool) and isinstance(cls.broadcasts, bool)


@pytest.mark.parametrize("cls", FAMILIES, ids=lambda cls: cls.__name__)
def test_a_family_base_is_only_shared_code(cls):
    assert cls.__subclasses__() and not any(sub in FAMILIES for sub in cls.__subclasses__())


def test_variants_of_one_node_name_share_one_class_or_family():
    """Two classes may claim one torch name only where torch itself reuses it for different ops."""
    by_name = {}
    for cls in APPLIED:
        if cls.node_name is not None:
            by_name.setdefault(cls.node_name, []).append(cls.__name__)
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {
        "AliasBackward0": ["Alias", "IndexAlias"],  # x.alias() and x[...]
        "IndexPutBackward0": ["IndexPut", "IndexScatter"],
        "UnsqueezeBackward0": ["IndexUnsqueeze", "Unsqueeze"],  # x.unsqueeze(0) and x[None]
        "UnsafeViewBackward0": ["MatMul", "UnsafeView"],  # a batched matmul ends in a reshape
        "torch::autograd::NotImplemented": ["FloorDivide", "RemainderOfNumber"],
    }


def test_no_grad_fn_name_travels_as_an_argument():
    import inspect

    for cls in APPLIED:
        parameters = inspect.signature(cls.forward).parameters
        assert "name" not in parameters, cls


def test_the_drawings_read_symbol_and_rules_off_the_class():
    a = torch.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([[3., 4.], [5., 6.]], requires_grad=True)
    y = (a * a) @ b
    forward = viz.draw_forward(y).source
    backward = viz.draw_backward(y).source
    assert y.grad_fn.name() == linalg.VectorMatrix.node_name
    assert f">{arithmetic.Mul.symbol}<" in forward and f">{linalg.VectorMatrix.symbol}<" in forward
    for rule in linalg.VectorMatrix.derivatives + arithmetic.Mul.derivatives:
        assert rule.replace("&", "&amp;") in backward


def test_a_symbol_may_show_the_values_of_the_node():
    x = torch.tensor(3., requires_grad=True)
    assert ">** 2<" in viz.draw_forward(x ** 2).source
    assert ">2 **<" in viz.draw_forward(2 ** x).source
    assert arithmetic.PowScalar.symbol == "** {exponent}"


def test_the_static_ir_reads_names_off_the_class():
    with static.Graph() as g:
        x = static.placeholder("x", shape=(2, 3))
        x.t().sum()
    assert [node.op for node in g.nodes] == [views.TransposeMatrix.static_name, "sum"]
    assert views.TransposeMatrix.static_name == "permute"


def test_a_learners_function_gets_the_fallbacks():
    class Twice(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    assert Twice.symbol is None and Twice.derivatives is None and Twice.static_name is None
    x = torch.ones(2, requires_grad=True)
    source = viz.draw_backward(Twice.apply(x)).source
    assert "TwiceBackward" in source


def test_comparisons_are_one_class_each():
    assert comparison.Less.static_name == "less"
    with static.Graph() as g:
        x = static.placeholder("x", shape=(2,))
        x < 1.0
    assert [node.op for node in g.nodes] == ["less"]
    assert str(g).splitlines()[-1] == "  v1 = less(x, 1)"
    y = torch.tensor([1., 2.], requires_grad=True)
    assert (y < 1.5).grad_fn is None and (y < 1.5).tolist() == [True, False]
