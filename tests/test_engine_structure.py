"""The engine's shape, as the README's layout section states it: checked, so it cannot drift.

* the only import cycle is the inherent one (Tensor ↔ ops ↔ autograd), bound late in one place;
* the outer layers (viz, static, widgets) import no private name of the core;
* the core never mentions its users;
* the backward walk fits in 60 lines;
* no module grows past ~500 lines, apart from the Tensor class's own.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"
OUTER = ("viz", "static", "widgets", "plots", "recorded", "compiler")  # built on the core, never the other way round
LARGEST_MODULE = 520  # "about 500 lines"
WALK_LINES = 60


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(ENGINE.rglob("*.py"))}


def is_outer(name):
    return name.split(".")[1] in OUTER if "." in name else False


def imported_modules(name, tree, top_level_only=True):
    """(module imported, names taken from it) for each import in `tree`."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = ".".join(base[: len(base) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield (submodule, None) if submodule in MODULES else (source, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None


def import_graph():
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        graph[name] = {source for source, _ in imported_modules(name, tree) if source in MODULES and source != name}
    return graph


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_planted_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


LATE_BINDING = "# ---- late binding"  # the marker in tensor.py above the one documented cyclic import


def core_import_graph():
    """Every import in the engine, module-level and inside functions, minus tensor.py's late binding."""
    graph = {}
    for name, path in MODULES.items():
        source = path.read_text()
        if name == "engine.tensor":
            source = source.split(LATE_BINDING)[0]
        tree = ast.parse(source)
        graph[name] = {module for module, _ in imported_modules(name, tree, top_level_only=False)
                       if module in MODULES and module != name}
    return graph


def test_the_only_import_cycle_is_the_late_binding_in_tensor():
    assert LATE_BINDING in (ENGINE / "tensor.py").read_text()
    assert cycles(core_import_graph()) == []


def test_the_late_binding_is_what_closes_the_one_cycle():
    """With tensor.py's last lines counted, Tensor, the operations and autograd form one cycle."""
    graph = core_import_graph()
    tail = (ENGINE / "tensor.py").read_text().split(LATE_BINDING)[1].split("\n", 1)[1]
    graph["engine.tensor"] |= {m for m, _ in imported_modules("engine.tensor", ast.parse(tail)) if m in MODULES}
    (cycle,) = cycles(graph)
    assert {"engine.tensor", "engine.autograd.function", "engine.autograd.engine", "engine.functional"} <= cycle
    assert not any(is_outer(name) for name in cycle)


OUTER_MODULES = [name for name in MODULES if is_outer(name)]


@pytest.mark.parametrize("name", OUTER_MODULES)
def test_outer_layers_import_no_private_name_of_the_core(name):
    tree = ast.parse(MODULES[name].read_text())
    private = [
        f"{module}.{taken}" for module, taken in imported_modules(name, tree, top_level_only=False)
        if module.startswith("engine") and not is_outer(module) and taken is not None and taken.startswith("_")
    ]
    assert private == []


CORE_MODULES = [name for name in MODULES if not is_outer(name) and name != "engine"]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_the_core_never_names_its_users(name):
    """The core offers seams (set_apply_hook, observe_backward); only the outer layers know who uses them."""
    source = MODULES[name].read_text()
    tree = ast.parse(source)
    imported = {module for module, _ in imported_modules(name, tree, top_level_only=False)}
    assert not any(is_outer(module) for module in imported)
    assert not re.search(r"\bengine\.(static|widgets)\b|\bstatic graph|\bwidgets?\b|\bSymbol\b", source)


def function_length(path, name):
    tree = ast.parse(path.read_text())
    (function,) = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == name]
    return function.end_lineno - function.lineno + 1


def test_the_backward_walk_fits_in_sixty_lines():
    assert function_length(ENGINE / "autograd" / "engine.py", "_execute") <= WALK_LINES


@pytest.mark.parametrize("name", [name for name in MODULES if name != "engine.tensor"])
def test_no_module_grows_past_about_500_lines(name):
    assert len(MODULES[name].read_text().splitlines()) <= LARGEST_MODULE


def test_every_operation_the_functional_layer_defines_is_exported_once():
    """Adding an operation is one function in its theme's module: engine exports it from there."""
    import engine
    import engine.functional as F

    assert len(F.__all__) == len(set(F.__all__)) > 80
    assert set(F.__all__) <= set(engine.__all__)
    assert all(getattr(engine, name) is getattr(F, name) for name in F.__all__)
    assert "index_put_" not in F.__all__ and "_repeat" not in F.__all__  # plumbing and method-only ops stay out
