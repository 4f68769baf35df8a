"""Seeded random programs, run under the engine and under real torch, compared observation by observation.

Each case is a short program in torch's own words (`torch.tensor(...)`, `x[1:].mul_(3)`,
`loss.backward()`), written by a seeded generator for one class of behaviour:

* views     views, and in-place ops on views and on their bases, with backward through both
* indexing  advanced, boolean and mixed indices (separated, repeated, with ... and None), read and write
* reductions  sum, mean, prod, max, min, amax, amin, argmax, std, var, logsumexp, norm, softmax, with
            dim and keepdim, ties, NaN and inf, with backward
* promotion bool, int and float tensors, 0-d tensors and Python numbers through every arithmetic and
            comparison operator, in-place ones included
* layout    strides, is_contiguous() and whether .view(-1) works, after each step of a chain of ops
* errors    bad inputs: torch's exception type and message
* edges     empty tensors, size-1 dims, 0-d tensors, NaN and inf, pow and clamp at their boundaries

The same program text runs with `torch` bound to the engine and to real torch. It calls
`record(label, value)` to note what it sees; a tensor is noted with its shape, dtype, values,
requires_grad, grad_fn's `name()`, strides, is_contiguous() and whether `.view(-1)` succeeds
(layout is compared in the views and layout classes). An exception ends the program and is
noted with its type and message. The two lists must match: values within rounding (exactly for
ints and bools), everything else exactly; and the engine must never let a NumPy error out.

Not compared, on purpose: `type(grad_fn).__name__` (one engine Function may stand for several
of torch's nodes, so its class name is the engine's own; `name()` is torch's), the strides of
dims of size 1 and of empty tensors (no element is reached through them), and the grad_fn of a
gradient made with create_graph=True (torch names it after its internal backward formula).

A case is named by its class and index (`views-17`); its program depends only on those, so

    python tests/differential.py              # runs every case, prints failures by class and kind
    python tests/differential.py views 17     # replays one: the program and both observation lists

tests/test_differential.py runs every case under pytest.
"""
import math
import re
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20261204
PROGRAM_FILE = "<differential case>"


# ------------------------------------------------------------------------ writing programs
class Program:
    """Lines of a torch program, written by a generator."""

    def __init__(self):
        self.lines = []

    def __call__(self, line):
        self.lines.append(line)

    def see(self, *expressions):
        """Note the value of each expression."""
        for expression in expressions:
            self.lines.append(f"record({expression!r}, {expression})")

    def see_gradient(self, expression):
        """Note a gradient made with create_graph=True, but not its grad_fn: torch names the nodes
        of a backward pass after its internal formulas (SelectBackwardBackward0, ...)."""
        self.lines.append(f"record({expression!r}, {expression}, grad_fn=False)")

    def attempt(self, expression):
        """Note the value of an expression, or the exception it raises, and go on."""
        self.lines.append(f"attempt({expression!r}, lambda: {expression})")

    def backward(self, loss, leaves):
        """Backpropagate from `loss` when it requires grad, then note each leaf's .grad."""
        self.see(f"{loss}.requires_grad")
        self.lines.append(f"if {loss}.requires_grad:\n    {loss}.backward()")
        self.see(*[f"{leaf}.grad" for leaf in leaves])

    @property
    def text(self):
        return "\n".join(self.lines)


def number(value):
    """A Python literal for one element."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    return repr(value)


def nested(array):
    if array.ndim == 0:
        return number(array.item())
    return "[" + ", ".join(nested(row) for row in array) + "]"


def literal(array, dtype="float32", requires_grad=False):
    """`torch.tensor(...)` text for a NumPy array (torch.zeros(...) for an empty one)."""
    # Python floats, ints and bools give float32, int64 and bool; other dtypes are named.
    options = [f"dtype=torch.{dtype}"] if dtype in ("float64", "int32", "uint8") else []
    if requires_grad:
        options.append("requires_grad=True")
    tail = "".join(", " + option for option in options)
    if array.size == 0:
        sizes = ", ".join(str(n) for n in array.shape)
        dtype_option = f", dtype=torch.{dtype}" if dtype != "float32" else ""
        grad_option = ", requires_grad=True" if requires_grad else ""
        return f"torch.zeros({sizes}{dtype_option}{grad_option})"
    if dtype == "float32" or dtype == "float64":
        array = array.astype(np.float64)
    elif dtype == "bool":
        array = array.astype(bool)
    else:
        array = array.astype(np.int64)
    return f"torch.tensor({nested(array)}{tail})"


def halves(rng, shape, low=-3, high=3):
    """Multiples of 0.5: exact in binary, so both libraries compute the same sums."""
    return rng.integers(2 * low, 2 * high + 1, shape) * 0.5


def with_specials(rng, array, nan=0.1, inf=0.05):
    array = np.array(array, dtype=np.float64)
    if array.size:
        draws = rng.random(array.shape)
        array[draws < nan] = np.nan
        array[(draws >= nan) & (draws < nan + inf)] = np.inf * rng.choice([-1.0, 1.0])
    return array


def pick(rng, options):
    return options[int(rng.integers(len(options)))]


def chance(rng, p):
    return bool(rng.random() < p)


def shape_of(rng, min_dims=1, max_dims=3, min_side=1, max_side=4):
    return tuple(int(n) for n in rng.integers(min_side, max_side + 1, int(rng.integers(min_dims, max_dims + 1))))


def weights(name):
    """Text for distinct weights shaped like tensor `name`, so each position gets its own gradient."""
    return f"torch.arange(1., {name}.numel() + 1., dtype={name}.dtype).reshape({name}.shape)"


def weighted_loss(program, loss, name):
    program(f"{loss} = ({name} * {weights(name)}).sum()")


# ------------------------------------------------------------------------------ views
def _view_step(rng, shape):
    """One view of a tensor of `shape`: (text with {t}, resulting shape, kind)."""
    ndim = len(shape)
    dummy = np.empty(shape)
    options = ["slice", "unsqueeze", "view", "reshape", "ellipsis", "none"]
    if ndim >= 1:
        options += ["int", "int", "select", "split", "chunk", "unbind", "expand", "flatten"]
    if ndim >= 2:
        options += ["transpose", "transpose", "permute", "t", "slice_dim1"]
    if 1 in shape:
        options += ["squeeze"]
    if 0 in shape:  # an empty view: nothing to pick an element or a piece of
        options = [o for o in options if o not in ("int", "select", "split", "chunk", "unbind", "slice_dim1")]
    kind = pick(rng, options)
    if kind == "int":
        i = int(rng.integers(-shape[0], shape[0]))
        return f"{{t}}[{i}]", dummy[i].shape, kind
    if kind == "select":
        d = int(rng.integers(-ndim, ndim))
        i = int(rng.integers(-shape[d], shape[d]))
        return f"{{t}}.select({d}, {i})", np.take(dummy, i, axis=d).shape, kind
    if kind == "slice":
        if ndim == 0:
            return "{t}[...]", shape, "ellipsis"
        a, b = sorted(int(n) for n in rng.integers(-shape[0], shape[0] + 1, 2))
        step = pick(rng, [1, 1, 2])
        text = f"{{t}}[{a}:{b}]" if step == 1 else f"{{t}}[{a}:{b}:{step}]"
        return text, dummy[a:b:step].shape, kind
    if kind == "slice_dim1":
        a = int(rng.integers(0, shape[1]))
        step = pick(rng, [1, 2])
        return f"{{t}}[:, {a}::{step}]", dummy[:, a::step].shape, kind
    if kind == "transpose":
        d0, d1 = (int(n) for n in rng.integers(-ndim, ndim, 2))
        return f"{{t}}.transpose({d0}, {d1})", np.swapaxes(dummy, d0, d1).shape, kind
    if kind == "t":
        return "{t}.t()", dummy.T.shape, kind
    if kind == "permute":
        order = [int(n) for n in rng.permutation(ndim)]
        return f"{{t}}.permute({', '.join(map(str, order))})", np.transpose(dummy, order).shape, kind
    if kind in ("view", "reshape"):
        target = pick(rng, [(-1,), tuple(reversed(shape)) or (1,), (1,) + shape, (-1, 1)])
        resolved = dummy.reshape(target).shape
        return f"{{t}}.{kind}({', '.join(map(str, target))})", resolved, kind
    if kind == "unsqueeze":
        d = int(rng.integers(-ndim - 1, ndim + 1))
        return f"{{t}}.unsqueeze({d})", np.expand_dims(dummy, d).shape, kind
    if kind == "squeeze":
        d = shape.index(1)
        return f"{{t}}.squeeze({d})", np.squeeze(dummy, d).shape, kind
    if kind == "expand":
        return f"{{t}}.unsqueeze(0).expand(2, {', '.join(['-1'] * ndim)})", (2,) + shape, kind
    if kind == "flatten":
        return "{t}.flatten()", (dummy.size,), kind
    if kind == "ellipsis":
        return "{t}[...]", shape, kind
    if kind == "none":
        return "{t}[None]", (1,) + shape, kind
    d = int(rng.integers(-ndim, ndim))
    size = shape[d]
    if kind == "unbind":
        j = int(rng.integers(0, size))
        return f"{{t}}.unbind({d})[{j}]", np.take(dummy, j, axis=d).shape, kind
    k = int(rng.integers(1, 4))
    pieces = (np.array_split(dummy, range(k, size, k), axis=d) if kind == "split"
              else np.array_split(dummy, range(-(-size // k), size, -(-size // k)), axis=d))
    j = int(rng.integers(0, len(pieces)))
    return f"{{t}}.{kind}({k}, {d})[{j}]", pieces[j].shape, kind


def _operand(rng, program, shape, dtype, leaves):
    """Text for the right-hand side of an in-place op on a tensor of `shape`."""
    kind = pick(rng, ["number", "number", "tensor", "row", "leaf"])
    if kind == "number" or not shape and kind == "row":
        return number(float(halves(rng, ())))
    target = shape if kind != "row" else shape[-1:]
    array = halves(rng, target)
    if kind == "leaf":
        name = f"w{len(leaves)}"
        program(f"{name} = {literal(array, dtype, requires_grad=True)}")
        leaves.append(name)
        return name
    return literal(array, dtype)


def _inplace(rng, program, name, shape, dtype, leaves):
    """One in-place op on tensor `name` of `shape`."""
    op = pick(rng, ["add_", "add_", "mul_", "mul_", "sub_", "div_", "zero_", "fill_", "copy_", "setitem",
                    "setitem", "iadd", "imul", "clamp_", "neg_", "exp_", "relu_", "pow_"])
    if op in ("add_", "mul_"):
        program(f"{name}.{op}({_operand(rng, program, shape, dtype, leaves)})")
    elif op == "sub_":
        program(f"{name}.sub_({_operand(rng, program, shape, dtype, leaves)}, alpha=2)")
    elif op == "div_":
        program(f"{name}.div_({pick(rng, ['2', '-4.0', '0.5'])})")
    elif op == "zero_" or op == "neg_" or op == "exp_" or op == "relu_":
        program(f"{name}.{op}()")
    elif op == "fill_":
        value = _operand(rng, program, (), dtype, leaves) if chance(rng, 0.3) else number(float(halves(rng, ())))
        program(f"{name}.fill_({value})")
    elif op == "copy_":
        operand = _operand(rng, program, shape, dtype, leaves)
        if operand[0].isdigit() or operand[0] == "-":
            operand = f"torch.tensor({operand})"
        program(f"{name}.copy_({operand})")
    elif op == "iadd":
        program(f"{name} += {_operand(rng, program, shape, dtype, leaves)}")
    elif op == "imul":
        program(f"{name} *= {_operand(rng, program, shape, dtype, leaves)}")
    elif op == "clamp_":
        program(f"{name}.clamp_(-1, 1.5)")
    elif op == "pow_":
        program(f"{name}.pow_(2)")
    elif not shape:
        program(f"{name}[...] = {_operand(rng, program, shape, dtype, leaves)}")
    else:
        i = int(rng.integers(-shape[0], shape[0])) if shape[0] else 0
        index, target = pick(rng, [(f"{i}", shape[1:]), ("1:", (max(shape[0] - 1, 0),) + shape[1:]),
                                   ("..., 0", shape[:-1])])
        program(f"{name}[{index}] = {_operand(rng, program, target, dtype, leaves)}")


def gen_views(rng):
    program, leaves = Program(), ["x"]
    shape = shape_of(rng, 1, 3, 1, 4)
    dtype = pick(rng, ["float32", "float32", "float64"])
    requires_grad = chance(rng, 0.75)
    program(f"x = {literal(halves(rng, shape), dtype, requires_grad)}")
    base_kind = pick(rng, ["mul", "mul", "clone", "add", "leaf"] if requires_grad else ["mul", "clone", "leaf"])
    base = {"mul": "x * 2", "clone": "x.clone()", "add": "x + 0.5", "leaf": "x"}[base_kind]
    program(f"base = {base}")
    pattern = pick(rng, ["base_after_view", "on_view", "on_view", "before_view", "sibling", "chain", "iterate"])
    step, view_shape, kind = _view_step(rng, shape)
    if pattern == "iterate":
        op = pick(rng, ["add_(1)", "mul_(3)", "zero_()", "fill_(2.5)"])
        program(f"for e in base:\n    e.{op}")
        program(f"v = {step.format(t='base')}")
    elif pattern == "before_view":
        _inplace(rng, program, "base", shape, dtype, leaves)
        program(f"v = {step.format(t='base')}")
    elif pattern == "base_after_view":
        program(f"v = {step.format(t='base')}")
        _inplace(rng, program, "base", shape, dtype, leaves)
    elif pattern == "on_view":
        program(f"v = {step.format(t='base')}")
        _inplace(rng, program, "v", view_shape, dtype, leaves)
    elif pattern == "chain":
        program(f"u = {step.format(t='base')}")
        second, view_shape, _ = _view_step(rng, view_shape)
        program(f"v = {second.format(t='u')}")
        _inplace(rng, program, "v", view_shape, dtype, leaves)
        program.see("u")
    else:  # sibling: two views of one base, in-place on one, read the other
        program(f"v = {step.format(t='base')}")
        other, other_shape, _ = _view_step(rng, shape)
        program(f"u = {other.format(t='base')}")
        _inplace(rng, program, "u", other_shape, dtype, leaves)
        program.see("u")
    program.see("v", "base")
    program(f"loss = (base * {weights('base')}).sum() + (v * {weights('v')}).sum()")
    program.backward("loss", leaves)
    return program.text


# ---------------------------------------------------------------------------- indexing
def _torch_index_shape(shape, parts):
    """The shape torch gives x[parts]: ints select first, then NumPy's rules for the rest."""
    dummy = np.zeros(shape)
    consumed = sum(0 if p is None or p is Ellipsis else (p.ndim if isinstance(p, np.ndarray) and p.dtype == bool
                                                          else 1) for p in parts)
    dims, dim = [], 0
    for p in parts:
        dims.append(dim)
        if p is Ellipsis:
            dim += len(shape) - consumed
        elif p is not None:
            dim += p.ndim if isinstance(p, np.ndarray) and p.dtype == bool else 1
    for p, d in sorted(((p, d) for p, d in zip(parts, dims) if isinstance(p, int)), key=lambda pd: -pd[1]):
        dummy = np.take(dummy, p, axis=d)
    rest = tuple(p for p in parts if not isinstance(p, int))
    return dummy[rest].shape


def _index_text(part, style):
    if part is None:
        return "None"
    if part is Ellipsis:
        return "..."
    if isinstance(part, int):
        return str(part)
    if isinstance(part, slice):
        start = "" if part.start is None else str(part.start)
        stop = "" if part.stop is None else str(part.stop)
        return f"{start}:{stop}" + ("" if part.step is None else f":{part.step}")
    if part.dtype == bool:
        return literal(part, "bool")
    if style == "list" and part.ndim == 1:
        return "[" + ", ".join(str(int(n)) for n in part) + "]"
    return literal(part, "int64")


def _index_parts(rng, shape):
    """A random index for `shape` (as NumPy objects) and its torch text."""
    ndim = len(shape)
    parts, styles = [], []
    broadcast = pick(rng, [(2,), (3,), (1,), (2, 2), (3,)])
    has_mask = False
    dim = 0
    ellipsis_used = False
    while dim < ndim:
        if not ellipsis_used and dim > 0 and chance(rng, 0.15):
            parts.append(Ellipsis)
            styles.append(None)
            ellipsis_used = True
            skip = int(rng.integers(0, ndim - dim + 1))
            dim += skip
            continue
        if chance(rng, 0.1):
            parts.append(None)
            styles.append(None)
            continue
        kinds = ["int", "slice", "full", "array", "array"]
        if not has_mask:
            kinds.append("mask")
        kind = pick(rng, kinds)
        size = shape[dim]
        if kind == "int":
            parts.append(int(rng.integers(-size, size)))
        elif kind == "slice":
            a = int(rng.integers(-size, size))
            parts.append(slice(a, None, pick(rng, [None, 2])))
        elif kind == "full":
            parts.append(slice(None))
        elif kind == "array":
            parts.append(rng.integers(-size, size, broadcast))
        else:
            count = 2 if dim + 1 < ndim and chance(rng, 0.3) else 1
            mask = rng.random(shape[dim:dim + count]) < 0.5
            parts.append(mask)
            has_mask = True
            dim += count
            styles.append("mask")
            continue
        styles.append(pick(rng, ["list", "tensor"]))
        dim += 1
    # A mask's nonzero count must broadcast with the other index arrays: keep only one kind.
    arrays = [i for i, p in enumerate(parts) if isinstance(p, np.ndarray) and p.dtype != bool]
    if has_mask and arrays:
        for i in arrays:
            parts[i] = slice(None)
    if chance(rng, 0.06):  # out of bounds
        candidates = [i for i, p in enumerate(parts) if isinstance(p, int)]
        if candidates:
            i = pick(rng, candidates)
            consumed = [p for p in parts[:i] if p is not None and p is not Ellipsis]
            if not any(p is Ellipsis for p in parts[:i]):
                parts[i] = shape[len(consumed)] + int(rng.integers(0, 2))
    text = ", ".join(_index_text(p, s) for p, s in zip(parts, styles))
    if len(parts) == 1 and isinstance(parts[0], np.ndarray) and styles[0] == "list":
        text = _index_text(parts[0], "list")
    return parts, text or "..."


def gen_indexing(rng):
    program = Program()
    shape = shape_of(rng, 1, 3, 2, 4)
    requires_grad = chance(rng, 0.85)
    program(f"x = {literal(halves(rng, shape), 'float32', requires_grad)}")
    parts, index = _index_parts(rng, shape)
    try:
        result_shape = _torch_index_shape(shape, parts)
    except (IndexError, ValueError):
        result_shape = None
    mode = pick(rng, ["read", "read", "write", "write", "twice", "double"])
    leaves = ["x"]
    if mode == "write" and result_shape is not None:
        program(f"z = {pick(rng, ['x * 1', 'x.clone()'])}")
        value_kind = pick(rng, ["number", "zero_d", "one", "full", "row", "leaf"])
        if value_kind == "number":
            value = number(float(halves(rng, ())))
        elif value_kind == "zero_d":
            value = literal(halves(rng, ()))
        elif value_kind == "one":
            value = literal(halves(rng, (1,)))
        elif value_kind in ("full", "leaf"):
            value = literal(halves(rng, result_shape), requires_grad=value_kind == "leaf")
        else:
            value = literal(halves(rng, result_shape[-1:]))
        if value_kind == "leaf":
            program(f"w = {value}")
            value = "w"
            leaves.append("w")
        program(f"z[{index}] = {value}")
        program.see("z")
        weighted_loss(program, "loss", "z")
        program.backward("loss", leaves)
        return program.text
    program(f"y = x[{index}]")
    program.see("y")
    if mode == "twice":
        program("s = (y * 2).sum()" if chance(rng, 0.5) else "s = y.sum()")
        program("s.backward()")
        program.see("x.grad")
        program("s.backward()")
        program.see("x.grad")
    elif mode == "double" and requires_grad:
        program("g, = torch.autograd.grad((y * y).sum(), x, create_graph=True)")
        program.see_gradient("g")
        program(f"(g * {weights('g')}).sum().backward()")
        program.see("x.grad")
    else:
        weighted_loss(program, "loss", "y")
        program.backward("loss", leaves)
    return program.text


# -------------------------------------------------------------------------- reductions
def _dim_argument(rng, ndim, tuples=True):
    kinds = ["int", "int"] + (["tuple"] if tuples and ndim else [])
    if pick(rng, kinds) == "int" or not ndim:
        return str(int(rng.integers(-max(ndim, 1), max(ndim, 1))))
    count = int(rng.integers(1, ndim + 1))
    dims = [int(d) - (ndim if chance(rng, 0.3) else 0) for d in rng.permutation(ndim)[:count]]
    return "(" + ", ".join(map(str, dims)) + ("," if count == 1 else "") + ")"


def gen_reductions(rng):
    program = Program()
    shape = shape_of(rng, 0, 3, 1, 4)
    if chance(rng, 0.05) and shape:
        shape = shape[:-1] + (0,)
    ndim = len(shape)
    op = pick(rng, ["sum", "mean", "prod", "max", "min", "max_dim", "min_dim", "amax", "amin", "argmax", "argmin",
                    "std", "var", "logsumexp", "norm", "softmax", "log_softmax", "all", "any", "sum_int"])
    if op in ("all", "any"):
        program(f"x = {literal(rng.random(shape) < 0.5, 'bool')}")
        dim = _dim_argument(rng, ndim) if chance(rng, 0.7) else None
        program(f"y = x.{op}({'' if dim is None else dim + ', keepdim=' + str(chance(rng, 0.5))})")
        program.see("y")
        return program.text
    if op == "sum_int":
        program(f"x = {literal(rng.integers(-3, 4, shape), pick(rng, ['int64', 'bool', 'int32']))}")
        program(f"y = x.{pick(rng, ['sum', 'prod', 'amax', 'argmax'])}({_dim_argument(rng, ndim, tuples=False)})")
        program.see("y")
        return program.text
    values = rng.integers(-2, 3, shape) * pick(rng, [0.5, 1.0])  # small integers: ties are common
    if chance(rng, 0.3):
        values = with_specials(rng, values, nan=0.15, inf=0.1)
    dtype = pick(rng, ["float32", "float32", "float64"])
    program(f"x = {literal(values, dtype, requires_grad=True)}")
    keepdim = chance(rng, 0.5)
    keep = f", keepdim={keepdim}" if chance(rng, 0.7) else ""
    all_dims = chance(rng, 0.3)
    if op in ("sum", "mean", "amax", "amin"):
        call = f"x.{op}()" if all_dims and op in ("sum", "mean") else f"x.{op}({_dim_argument(rng, ndim)}{keep})"
    elif op == "prod":
        call = "x.prod()" if all_dims else f"x.prod({_dim_argument(rng, ndim, tuples=False)}{keep})"
    elif op in ("max", "min"):
        call = f"x.{op}()" if chance(rng, 0.6) else f"torch.{op}(x)"
    elif op in ("max_dim", "min_dim"):
        name = op[:3]
        call = f"x.{name}({_dim_argument(rng, ndim, tuples=False)}{keep})"
        program(f"values, indices = {call}")
        program.see("values", "indices")
        weighted_loss(program, "loss", "values")
        program.backward("loss", ["x"])
        return program.text
    elif op in ("argmax", "argmin"):
        call = f"x.{op}()" if all_dims else f"x.{op}({_dim_argument(rng, ndim, tuples=False)}{keep})"
    elif op in ("std", "var"):
        correction = pick(rng, ["", ", correction=0", ", correction=1", ", unbiased=False"])
        call = (f"x.{op}({correction.lstrip(', ')})" if all_dims
                else f"x.{op}({_dim_argument(rng, ndim)}{correction}{keep})")
    elif op == "logsumexp":
        call = f"torch.logsumexp(x, {_dim_argument(rng, ndim)}{keep})"
    elif op == "norm":
        p = pick(rng, ["", "1", "2", "3", "float('inf')"])
        call = (f"x.norm({p})" if all_dims else
                f"x.norm({p or '2'}, {_dim_argument(rng, ndim)}{keep})" if p != "3" else
                f"torch.norm(x, dim={_dim_argument(rng, ndim)}{keep})")
    else:
        call = f"x.{op}({_dim_argument(rng, ndim, tuples=False)})"
    program(f"y = {call}")
    program.see("y")
    if op not in ("argmax", "argmin"):
        weighted_loss(program, "loss", "y")
        program.backward("loss", ["x"])
    return program.text


# ---------------------------------------------------------------------------- promotion
PROMOTION_DTYPES = ["bool", "int64", "int32", "uint8", "float32", "float64"]
BINARY_SYMBOLS = ["+", "-", "*", "/", "**", "//", "%", "==", "!=", "<", "<=", ">", ">=", "&", "|", "^"]


def _promotion_operand(rng, allow_number=True):
    kind = pick(rng, ["tensor", "tensor", "zero_d", "number"] if allow_number else ["tensor", "zero_d"])
    if kind == "number":
        return pick(rng, ["True", "False", "2", "-3", "0", "2.5", "-0.5", "1.0"]), None
    dtype = pick(rng, PROMOTION_DTYPES)
    shape = (3,) if kind == "tensor" else ()
    if dtype == "bool":
        array = rng.random(shape) < 0.5
    elif dtype.startswith("int"):
        array = rng.integers(-3, 4, shape)
    elif dtype == "uint8":
        array = rng.integers(0, 5, shape)
    else:
        array = halves(rng, shape)
    return literal(array, dtype), dtype


UNARY_CALLS = ["-a", "~a", "a.abs()", "a.exp()", "a.sqrt()", "a.sigmoid()", "a.sum()", "a.mean()", "a.prod()",
               "torch.sign(a)", "a.float()", "a.long()", "a.bool()", "a.clamp(0)", "a.relu()", "a.neg()",
               "a.reciprocal()", "a.square()", "torch.logical_not(a)"]


def gen_promotion(rng):
    program = Program()
    a, a_dtype = _promotion_operand(rng, allow_number=False)
    b, b_dtype = _promotion_operand(rng)
    program(f"a = {a}")
    if b_dtype is not None:
        program(f"b = {b}")
        b = "b"
    form = pick(rng, ["binary", "binary", "binary", "reflected", "function", "inplace", "inplace", "unary",
                      "grad"])
    if form == "binary" or (form == "reflected" and b != "b"):
        program(f"r = a {pick(rng, BINARY_SYMBOLS)} {b}")
    elif form == "reflected":
        program(f"r = {b} {pick(rng, BINARY_SYMBOLS)} a")
    elif form == "function":
        name = pick(rng, ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "lt", "where", "pow",
                          "floor_divide", "remainder"])
        if name == "where":
            program(f"r = torch.where(a > 0, a, {b})")
        elif name in ("add", "sub") and chance(rng, 0.5):
            program(f"r = torch.{name}(a, {b}, alpha={pick(rng, ['2', '0.5', 'True'])})")
        else:
            program(f"r = torch.{name}(a, {b})")
    elif form == "inplace":
        op = pick(rng, ["add_", "sub_", "mul_", "div_", "+=", "*=", "/=", "-=", "pow_", "copy_", "fill_", "setitem",
                        "clamp_"])
        if op in ("+=", "*=", "/=", "-="):
            program(f"a {op} {b}")
        elif op == "copy_":
            program(f"a.copy_({b if b == 'b' else 'torch.tensor(' + b + ')'})")
        elif op == "fill_":
            program(f"a.fill_({b})")
        elif op == "setitem":
            program(f"a[...] = {b}")
        elif op == "clamp_":
            program(f"a.clamp_({pick(rng, ['0', '0.5', '-1, 1', 'min=-0.5'])})")
        else:
            program(f"a.{op}({b})")
        program("r = a")
    elif form == "unary":
        program(f"r = {pick(rng, UNARY_CALLS)}")
    else:  # gradients through mixed dtypes
        program(f"f = {literal(halves(rng, (3,)), pick(rng, ['float32', 'float64']), requires_grad=True)}")
        symbol = pick(rng, ["+", "-", "*", "/", "**"])
        program(f"r = f {symbol} a" if chance(rng, 0.5) else f"r = a {symbol} f")
        program.see("r")
        weighted_loss(program, "loss", "r")
        program.backward("loss", ["f"])
        return program.text
    program.see("r")
    return program.text


# ------------------------------------------------------------------------------ layout
def _layout_step(rng, name, shape, first=False):
    """Text for one op on tensor `name` of `shape`, and the result's shape.

    A first step mostly makes a layout that is not the plain row-major one (a transpose,
    a permutation, an expansion, a step), so that the next steps show how torch carries it on.
    """
    ndim = len(shape)
    dummy = np.empty(shape)
    options = ["clone", "contiguous", "elementwise", "binary", "sum_keep", "sum", "cat", "softmax", "slice",
               "unsqueeze", "reshape", "flatten", "to", "expand", "stack", "mul_self", "repeat"]
    if ndim >= 2:
        options += ["t" if ndim == 2 else "transpose", "transpose", "permute", "permute", "mT_add"]
    if first and chance(rng, 0.85):
        options = ["expand", "slice"] + (["t" if ndim == 2 else "transpose", "transpose", "permute", "permute"]
                                         if ndim >= 2 else [])
    kind = pick(rng, options)
    d = int(rng.integers(-ndim, ndim)) if ndim else 0
    if kind == "t":
        return f"{name}.t()", shape[::-1]
    if kind == "transpose":
        d0, d1 = (int(n) for n in rng.integers(-ndim, ndim, 2))
        return f"{name}.transpose({d0}, {d1})", np.swapaxes(dummy, d0, d1).shape
    if kind == "permute":
        order = [int(n) for n in rng.permutation(ndim)]
        return f"{name}.permute({', '.join(map(str, order))})", np.transpose(dummy, order).shape
    if kind == "clone":
        return f"{name}.clone()", shape
    if kind == "contiguous":
        return f"{name}.contiguous()", shape
    if kind == "elementwise":
        pointwise = ["({t} + 1)", "({t} * 2)", "{t}.exp()", "{t}.relu()", "{t}.clamp(min=1)", "-{t}", "{t}.abs()"]
        return pick(rng, pointwise).format(t=name), shape
    if kind == "binary":
        other = pick(rng, ["contiguous", "row", "scalar"])
        if other == "contiguous":
            return f"({name} + torch.ones({', '.join(map(str, shape))}))" if shape else f"({name} + 1)", shape
        if other == "row" and shape:
            return f"({name} * torch.ones({shape[-1]}))", shape
        return f"({name} + torch.tensor(1.))", shape
    if kind == "mul_self":
        return f"({name} * {name})", shape
    if kind == "mT_add" and shape[-1] == shape[-2]:
        return f"({name} + {name}.mT)", shape
    if not ndim:
        return f"{name}.unsqueeze(0)", (1,)
    if kind in ("sum_keep", "sum"):
        keep = kind == "sum_keep"
        op = pick(rng, ["sum", "mean", "amax"])
        return f"{name}.{op}({d}, keepdim={keep})", np.sum(dummy, axis=d, keepdims=keep).shape
    if kind == "cat":
        return f"torch.cat([{name}, {name}], {d})", np.concatenate([dummy, dummy], axis=d).shape
    if kind == "stack":
        return f"torch.stack([{name}, {name}], {d})", np.stack([dummy, dummy], axis=d).shape
    if kind == "softmax":
        return f"{name}.{pick(rng, ['softmax', 'log_softmax'])}({d})", shape
    if kind == "slice":
        if ndim >= 2 and chance(rng, 0.5):
            return f"{name}[:, ::2]", dummy[:, ::2].shape
        return f"{name}[1:]", dummy[1:].shape
    if kind == "unsqueeze":
        u = int(rng.integers(-ndim - 1, ndim + 1))
        return f"{name}.unsqueeze({u})", np.expand_dims(dummy, u).shape
    if kind == "reshape":
        return f"{name}.reshape(-1)", (dummy.size,)
    if kind == "flatten":
        return f"{name}.flatten()", (dummy.size,)
    if kind == "to":
        return f"{name}.{pick(rng, ['double()', 'to(torch.float64)', 'float()', 'detach()'])}", shape
    if kind == "expand":
        return f"{name}.unsqueeze(0).expand(2, {', '.join(['-1'] * ndim)})", (2,) + shape
    if kind == "repeat":
        return f"{name}.repeat({', '.join(['2'] + ['1'] * (ndim - 1))})", (2 * shape[0],) + shape[1:]
    return f"{name}.clone()", shape


def gen_layout(rng):
    program = Program()
    shape = shape_of(rng, 1, 3, 2, 4) if chance(rng, 0.8) else shape_of(rng, 1, 3, 1, 4)
    program(f"x = torch.arange({int(np.prod(shape))}.).reshape({', '.join(map(str, shape))})")
    name = "x"
    for step in range(int(rng.integers(2, 5))):
        text, shape = _layout_step(rng, name, shape, first=step == 0)
        program(f"y{step} = {text}")
        # Labelled with the op, so that failures group by it; noted with strides, is_contiguous()
        # and whether .view(-1) works.
        program(f"record({f'y{step} = {text}'!r}, y{step})")
        name = f"y{step}"
    program.attempt(f"{name}.view({', '.join(map(str, reversed(shape)))})" if shape else f"{name}.view(1)")
    return program.text


# ------------------------------------------------------------------------------ errors
def _float_tensor(rng, shape, requires_grad=False):
    return literal(halves(rng, shape), "float32", requires_grad)


def gen_errors(rng):
    """One bad input (sometimes a good one next to it), with torch's exception to match."""
    program = Program()
    template = pick(rng, ERROR_TEMPLATES)
    template(rng, program)
    return program.text


def _bad_broadcast(rng, p):
    a, b = shape_of(rng, 1, 3, 2, 4), shape_of(rng, 1, 3, 2, 4)
    p(f"a = {_float_tensor(rng, a)}")
    p(f"b = {_float_tensor(rng, b)}")
    p.see(f"a {pick(rng, ['+', '*', '-', '/', '<'])} b")


def _bad_matmul(rng, p):
    a = shape_of(rng, 1, 3, 1, 4)
    b = shape_of(rng, 1, 3, 1, 4)
    p(f"a = {_float_tensor(rng, a)}")
    p(f"b = {_float_tensor(rng, b)}")
    p.see(pick(rng, ["a @ b", "torch.matmul(a, b)", "a.mm(b)", "torch.mv(a, b)", "torch.dot(a, b)"]))


def _bad_dim(rng, p):
    shape = shape_of(rng, 0, 3, 1, 3)
    ndim = len(shape)
    p(f"x = {_float_tensor(rng, shape)}")
    bad = pick(rng, [ndim, ndim + 1, -ndim - 1, -ndim - 2]) if ndim else pick(rng, [1, -2, 2])
    call = pick(rng, [f"x.sum({bad})", f"x.mean({bad}, keepdim=True)", f"x.transpose({bad}, 0)",
                      f"x.unsqueeze({bad + (1 if bad > 0 else -1)})", f"x.softmax({bad})", f"x.squeeze({bad})",
                      f"torch.cat([x, x], {bad})", f"x.max({bad})", f"x.argmax({bad})", f"x.std({bad})",
                      f"x.unbind({bad})", f"x.split(1, {bad})", f"x.chunk(2, {bad})", f"x.flip({bad})",
                      f"x.amax({bad})", f"x.prod({bad})", f"torch.logsumexp(x, {bad})", f"x.size({bad})",
                      f"x.select({bad}, 0)", f"x.flatten({bad})",
                      f"torch.stack([x, x], {bad + 1 if bad >= 0 else bad - 1})"])
    p.see(call)


def _bad_view(rng, p):
    shape = shape_of(rng, 1, 3, 2, 4)
    numel = int(np.prod(shape))
    p(f"x = {_float_tensor(rng, shape)}")
    target = pick(rng, [f"{numel + 1}", "-1, -1", f"{numel}, 2", "2, -1" if numel % 2 else "3, -1",
                        "0, -1", "-2", f"{numel // 2 + 1}, 2"])
    call = pick(rng, [f"x.view({target})", f"x.reshape({target})"] +
                ([f"x.transpose(0, 1).view(-1)", f"x.t().view({numel})"] if len(shape) == 2 else []) +
                [f"x.permute({', '.join(map(str, reversed(range(len(shape)))))}).view(-1)",
                 f"x.expand({', '.join(str(n + 1) for n in shape)})", f"x.expand(2)",
                 f"x.permute({', '.join(['0'] * len(shape))})", f"x.permute(0)",
                 f"x.flip((0, 0))", f"x.squeeze(0).view({numel + 2})"])
    p.see(call)


def _bad_index(rng, p):
    shape = shape_of(rng, 1, 3, 2, 4)
    p(f"x = {_float_tensor(rng, shape)}")
    n = shape[0]
    call = pick(rng, [f"x[{n}]", f"x[{-n - 1}]", f"x[[0, {n}]]", f"x[torch.tensor([{n + 1}])]",
                      f"x[{', '.join(['0'] * (len(shape) + 1))}]", "x[1.5]", "x[[1.0, 0.0]]",
                      f"x[torch.tensor([True] * {n + 1})]", "x[..., ...]",
                      f"x[:, {shape[-1]}]" if len(shape) > 1 else "x['a']",
                      "x[torch.tensor([0.5])]", f"x[0:1, [0, {shape[-1] + 2}]]" if len(shape) > 1 else "x[None, 9]"])
    p.see(call)


def _bad_setitem(rng, p):
    shape = shape_of(rng, 1, 3, 2, 4)
    requires_grad = chance(rng, 0.5)
    p(f"x = {_float_tensor(rng, shape, requires_grad)}")
    p(f"z = x * 1" if requires_grad else "z = x.clone()")
    wrong = shape[-1] + 1
    target = pick(rng, [f"z[0] = torch.ones({wrong})", f"z[0:1] = torch.ones(2, {wrong})",
                        f"z[[0, 1]] = torch.ones({wrong})", f"z[..., 0] = torch.ones({wrong}, 1)",
                        f"z[{shape[0]}] = 1.0", f"z[z > 0] = torch.ones({int(np.prod(shape)) + 1})",
                        "z[0] = 'a'", f"x[0] = 1.0", f"z[0] = torch.ones(1, {wrong})"])
    p(target)
    p.see("z")


def _bad_dtype(rng, p):
    p(f"i = {literal(rng.integers(-3, 4, (3,)), 'int64')}")
    p(f"f = {_float_tensor(rng, (3,))}")
    p(f"b = {literal(rng.random((3,)) < 0.5, 'bool')}")
    call = pick(rng, ["i.mean()", "torch.tensor([1, 2], requires_grad=True)", "i.requires_grad_()",
                      "i.softmax(0)", "i.std()", "i.var(0)", "b - b", "-b", "i.add_(1.5)", "i.mul_(f)", "b.add_(1)",
                      "i ** -1", "i // 0", "i % 0", "f & f", "f | i", "~f", "torch.where(f, f, f)",
                      "torch.where(i, f, f)", "torch.logsumexp(i, 0)", "i.norm()",
                      "torch.mm(i.view(1, 3), f.view(3, 1))",
                      "torch.cat([f, b])", "f.eq(None)", "torch.tensor(['a'])", "i.log_softmax(0)", "torch.dot(i, f)",
                      "torch.tensor([1, 2]) @ torch.tensor([1., 2.])", "f.fill_(f)", "i.div_(2)", "i /= 2",
                      "i.exp_()", "b.mul_(2.5)", "torch.arange(3).requires_grad_()"])
    p.see(call)


def _bad_inplace_leaf(rng, p):
    shape = shape_of(rng, 1, 2, 1, 3)
    p(f"x = {_float_tensor(rng, shape, requires_grad=True)}")
    call = pick(rng, ["x.add_(1)", "x.mul_(2)", "x.zero_()", "x.fill_(1.0)", "x[0] = 2.0", "x += 1", "x.copy_(x * 2)",
                      "x[0].mul_(5)", "x[:1].add_(1)", "x.relu_()", "x.exp_()",
                      "x.view(-1).add_(1)", "x.clamp_(0, 1)", "x.neg_()", "x.uniform_()"])
    p(call)
    p.see("x")


LOSSES = ["(x * x).sum()", "x.exp().sum()", "(x ** 2).mean()", "x.sigmoid().sum()", "x.sum()", "(x * 2).sum()",
          "x.relu().sum()", "x.max()", "x.softmax(0).max()"]
SAVING_OPS = ["y.exp()", "y * y", "y.sigmoid()", "y.relu()", "y ** 2", "2 ** y", "y.tanh()", "y.sqrt()", "y.log()"]


def _bad_backward(rng, p):
    shape = shape_of(rng, 1, 2, 2, 3)
    p(f"x = {_float_tensor(rng, shape, requires_grad=True)}")
    kind = pick(rng, ["twice", "twice", "non_scalar", "no_grad", "saved_inplace", "twice_retain", "wrong_gradient",
                      "after_exp", "grad_of_int", "no_grad_mode"])
    if kind in ("twice", "twice_retain"):
        p(f"y = {pick(rng, LOSSES)}")
        p("y.backward(retain_graph=True)" if kind == "twice_retain" else "y.backward()")
        p.see("x.grad")
        p("y.backward()")
        p.see("x.grad")
    elif kind == "non_scalar":
        p("(x * 2).backward()")
    elif kind == "no_grad":
        p("x.detach().sum().backward()")
    elif kind == "saved_inplace":
        p(f"y = {pick(rng, ['x * 1', 'x + 0', 'x.clone()'])}")
        p(f"z = {pick(rng, SAVING_OPS)}")
        p(f"{pick(rng, ['y', 'z'])}.{pick(rng, ['mul_(2)', 'add_(1)', 'zero_()', 'exp_()', 'relu_()'])}")
        p("z.sum().backward()")
        p.see("x.grad")
    elif kind == "wrong_gradient":
        p(f"(x * 2).backward({_float_tensor(rng, shape[:-1] + (shape[-1] + 1,))})")
    elif kind == "after_exp":
        p("y = x * 1")
        p(f"y.{pick(rng, ['exp_()', 'relu_()'])}")
        p(f"y.{pick(rng, ['mul_(2)', 'add_(1)'])}")
        p("y.sum().backward()")
        p.see("x.grad")
    elif kind == "grad_of_int":
        p("torch.autograd.grad(x.sum(), [x, torch.ones(2)])")
    else:
        p("with torch.no_grad():\n    y = x * 2")
        p.see("y")
        p("y.sum().backward()")


def _bad_creation(rng, p):
    n = int(rng.integers(1, 4))
    ragged = f"torch.tensor([[1, 2], [{', '.join(['3'] * (n + 2))}]])"
    call = pick(rng, [f"torch.zeros(-{n})", f"torch.ones({n}, -1)", ragged,
                      f"torch.arange(0, {n}, 0)", f"torch.full(({n},), 1.5, dtype=torch.int64)",
                      "torch.tensor([1.0]).item() + torch.ones(2).item()", f"torch.ones({n} + 1).item()",
                      f"bool(torch.ones({n + 1}))", f"torch.ones(2, {n}).tolist()[5]", f"torch.eye({n}, -1)",
                      f"torch.linspace(0, 1, -{n})", f"torch.randn({n}, 'a')", "torch.tensor(1.).unbind()",
                      f"int(torch.ones({n + 1}))", f"float(torch.zeros(0))"])
    p.see(call)


def _bad_shapes_joining(rng, p):
    a, b = shape_of(rng, 1, 3, 1, 3), shape_of(rng, 1, 3, 1, 3)
    p(f"a = {_float_tensor(rng, a)}")
    p(f"b = {_float_tensor(rng, b)}")
    call = pick(rng, ["torch.cat([a, b])", "torch.cat([a, b], 1)", "torch.stack([a, b])", "torch.cat([])",
                      "torch.stack([])", "a.split(0)", "a.chunk(0)", "a.expand_as(b)", "a.view_as(b)",
                      "torch.where(a > 0, a, b)", "a.add_(b)", "a.copy_(b)", "torch.maximum(a, b)",
                      "a.split([1, 1, 1])", "torch.broadcast_to(a, b.shape)", "a.reshape_as(b)", "torch.cat((a, 1))",
                      "torch.cat(a)"])
    p.see(call)


ERROR_TEMPLATES = [_bad_broadcast, _bad_matmul, _bad_dim, _bad_dim, _bad_view, _bad_index, _bad_index, _bad_setitem,
                   _bad_dtype, _bad_dtype, _bad_inplace_leaf, _bad_backward, _bad_backward, _bad_creation,
                   _bad_shapes_joining]


# ------------------------------------------------------------------------------- edges
def gen_edges(rng):
    program = Program()
    pick(rng, EDGE_TEMPLATES)(rng, program)
    return program.text


def _edge_empty(rng, p):
    shape = pick(rng, [(0,), (2, 0), (0, 3), (1, 0, 2)])
    p(f"x = torch.zeros({', '.join(map(str, shape))}, requires_grad=True)")
    ndim = len(shape)
    d = int(rng.integers(-ndim, ndim))
    call = pick(rng, ["x.sum()", "x.mean()", "x.prod()", f"x.sum({d})", f"x.mean({d})", f"x.amax({d})",
                      f"x.max({d})[0]", "x.max()", f"x.std({d})", "x.var()", f"x.softmax({d})", f"x.chunk(3, {d})",
                      f"x.split(2, {d})", f"x.unbind({d})", f"torch.cat([x, x], {d})", "x * 2", "x.exp()",
                      f"x.flip({d})", "x.reshape(-1)", f"x.unsqueeze({d})", "x.t()" if ndim <= 2 else "x.mT",
                      f"torch.logsumexp(x, {d})", "x.norm()", f"x.argmax({d})", "x.argmax()", f"x.all({d})",
                      f"x.any()", f"x[x > 0]", f"torch.stack([x, x])", "x.relu()", f"x.min({d})[0]"])
    p(f"y = {call}")
    p.see("y")
    p("out = y[0] if isinstance(y, tuple) else y")
    p("if out.requires_grad:\n    out.sum().backward()")
    p.see("x.grad")


def _edge_zero_d(rng, p):
    p(f"s = {literal(halves(rng, ()), pick(rng, ['float32', 'float64']), requires_grad=True)}")
    p(f"v = {_float_tensor(rng, (3,), requires_grad=True)}")
    call = pick(rng, ["s * v", "v + s", "s.expand(3) * v", "s.sum()", "s.max()", "s.max(0)[0]", "s.softmax(0)",
                      "s.unsqueeze(0)", "s.view(1)", "s.reshape(())", "s[None]", "s[...]", "s.t()", "s.prod()",
                      "s.mean(0)", "s.std()", "s.squeeze()", "s.squeeze(0)", "s.unsqueeze(-1)", "torch.stack([s, s])",
                      "s.flatten()", "s.permute(())", "s.transpose(0, -1)", "s.amax(0, keepdim=True)", "s.argmax()",
                      "s.sum(0)", "s.log_softmax(-1)", "torch.cat([s.view(1), v])", "s.item() * v", "s ** v",
                      "torch.logsumexp(s, 0)", "s.norm()", "torch.where(v > 0, s, v)", "s.expand(2, 2)"])
    p(f"y = {call}")
    p.see("y")
    p(f"({'y' if 'item' not in call else 'y'} * {weights('y')}).sum().backward()")
    p.see("s.grad", "v.grad")


SPECIALS = ["float('nan')", "float('inf')", "-float('inf')", "0.0", "-0.0", "1.0", "-1.0", "2.0", "0.5"]


def _edge_pointwise(rng, p):
    values = [pick(rng, SPECIALS) for _ in range(int(rng.integers(1, 4)))]
    dtype = pick(rng, ["torch.float32", "torch.float64"])
    p(f"x = torch.tensor([{', '.join(values)}], dtype={dtype}, requires_grad=True)")
    call = pick(rng, ["x.exp()", "x.log()", "x.sqrt()", "x.abs()", "x.sign()", "x.relu()", "x.sigmoid()", "x.tanh()",
                      "x.reciprocal()", "1 / x", "x / 0", "x.sin()", "x.cos()", "x ** 2", "x ** 0.5", "x ** 0",
                      "x ** -1", "x.pow(x)", "0.0 ** x", "2.0 ** x", "x.clamp(0, 1)", "x.clamp(min=0)",
                      "x.clamp(max=0)", "x.clamp(-1, -1)", "torch.maximum(x, torch.zeros_like(x))",
                      "torch.minimum(x, torch.ones_like(x))", "torch.maximum(x, x)", "x.max()", "x.min()", "x.prod()",
                      "x.softmax(0)", "x.log_softmax(0)", "x.square()", "x * 0", "x - x", "x.sum()", "x.mean()",
                      "x.std()", "x.var()", "x.amax(0)", "torch.logsumexp(x, 0)", "x.norm()",
                      "x.clamp(torch.zeros_like(x), torch.ones_like(x))", "x.exp().log()", "x.neg()",
                      "torch.where(x > 0, x, 0.5 * x)", "x.sigmoid().log()"])
    p(f"y = {call}")
    p.see("y")
    p(f"(y * {weights('y')}).sum().backward()")
    p.see("x.grad")


TIE_OPS = ["x.max()", "x.min()", "x.max(0)[0]", "x.amax(0)", "x.amin()", "torch.maximum(x, torch.ones_like(x))",
           "torch.minimum(x, torch.zeros_like(x))", "x.argmax()", "x.max(0)[1]", "x.relu()", "x.abs()", "x.sign()",
           "x.clamp(0, 1)", "torch.logsumexp(x, 0)", "x.norm(p=3)"]


def _edge_boundaries(rng, p):
    kind = pick(rng, ["pow_zero", "clamp_tie", "std_constant", "prod_zero", "prod_zero_double", "max_tie",
                      "size_one", "chunk_empty", "all_ignored", "retain_inplace", "grad_dtype", "nan_max",
                      "sort_of_ties"])
    if kind == "pow_zero":
        p(f"x = torch.tensor([0.0, {pick(rng, SPECIALS[3:])}], requires_grad=True)")
        p(f"y = torch.tensor([{pick(rng, ['0.0', '-1.0', '2.0', '-0.5', '0.5', '1.0'])}, 0.0], requires_grad=True)")
        p(f"z = {pick(rng, ['x ** y', 'x.pow(y)', 'torch.pow(x, y)', 'x ** 0.0', '0.0 ** y', 'x ** -1.0'])}")
        p.see("z")
        p("z.sum().backward()")
        p.see("x.grad", "y.grad")
    elif kind == "clamp_tie":
        values = [pick(rng, ["0.0", "1.0", "0.5", "-1.0", "2.0"]) for _ in range(3)]
        p(f"x = torch.tensor([{', '.join(values)}], requires_grad=True)")
        p(f"lo = torch.tensor([0.0, 0.5, {pick(rng, ['-1.0', '1.0', '0.0'])}], requires_grad=True)")
        p(f"hi = torch.tensor([1.0, 0.5, {pick(rng, ['2.0', '1.0', '0.0'])}], requires_grad=True)")
        clamp = pick(rng, ["x.clamp(lo, hi)", "x.clamp(min=lo)", "x.clamp(max=hi)", "torch.clamp(x, lo)",
                           "x.clamp(hi, lo)"])
        p(f"z = {clamp}")
        p.see("z")
        p(f"(z * {weights('z')}).sum().backward()")
        p.see("x.grad", "lo.grad", "hi.grad")
    elif kind == "std_constant":
        n = int(rng.integers(1, 4))
        v = pick(rng, ["2.0", "0.0", "-1.5"])
        dtype = pick(rng, ["torch.float32", "torch.float64"])
        p(f"x = torch.tensor([{', '.join([v] * n)}], dtype={dtype}, requires_grad=True)")
        spread = pick(rng, ["x.std()", "x.var()", "x.std(0)", "x.std(correction=0)", "x.var(0, keepdim=True)",
                            "x.norm()", "torch.norm(x - x)"])
        p(f"y = {spread}")
        p.see("y")
        p("y.sum().backward()")
        p.see("x.grad")
    elif kind in ("prod_zero", "prod_zero_double"):
        values = [pick(rng, ["0.0", "2.0", "-1.0", "0.5"]) for _ in range(int(rng.integers(1, 5)))]
        p(f"x = torch.tensor([{', '.join(values)}], requires_grad=True)")
        p(f"y = {pick(rng, ['x.prod()', 'x.prod(0)', 'x.view(1, -1).prod(1)', 'x.prod(0, keepdim=True)'])}")
        p.see("y")
        if kind == "prod_zero":
            p("y.sum().backward()")
            p.see("x.grad")
        else:
            p("g, = torch.autograd.grad(y.sum(), x, create_graph=True)")
            p.see_gradient("g")
            p(f"(g * {weights('g')}).sum().backward()")
            p.see("x.grad")
    elif kind in ("max_tie", "nan_max", "sort_of_ties"):
        pool = ["1.0", "1.0", "0.0", "float('nan')"] if kind == "nan_max" else ["1.0", "1.0", "0.0", "-1.0"]
        values = [pick(rng, pool) for _ in range(int(rng.integers(1, 5)))]
        p(f"x = torch.tensor([{', '.join(values)}], requires_grad=True)")
        p(f"y = {pick(rng, TIE_OPS)}")
        p.see("y")
        p("if y.requires_grad:\n    (y * 3).sum().backward()")
        p.see("x.grad")
    elif kind == "size_one":
        shape = pick(rng, [(1,), (1, 1), (3, 1), (1, 3), (1, 2, 1)])
        p(f"x = {_float_tensor(rng, shape, requires_grad=True)}")
        call = pick(rng, ["x.squeeze()", "x.squeeze(0)", "x.squeeze(-1)", "x.expand(2, *x.shape)", "x.sum(0)",
                          "x.softmax(0)", "x.std(0)", "x.var(-1)", "x.t()" if len(shape) <= 2 else "x.mT",
                          "x.max(0)[0]", "x.unbind(0)[0]", "x.view(-1)",
                          "x + x.mT" if len(shape) >= 2 else "x + x", "x.prod(-1)", "x.mean(0, keepdim=True)"])
        p(f"y = {call}")
        p.see("y", "y.is_contiguous()")
        p(f"(y * {weights('y')}).sum().backward()")
        p.see("x.grad")
    elif kind == "chunk_empty":
        shape = pick(rng, [(2, 0), (0, 2), (0,), (3, 0)])
        d = int(rng.integers(0, len(shape)))
        p(f"x = torch.zeros({', '.join(map(str, shape))})")
        p.see(pick(rng, [f"x.chunk({int(rng.integers(1, 5))}, {d})", f"x.split({int(rng.integers(1, 3))}, {d})",
                         f"x.unbind({d})", f"torch.cat([x, x], {d}).shape"]))
    elif kind == "all_ignored":
        n = int(rng.integers(1, 4))
        p(f"logits = {_float_tensor(rng, (n, 3), requires_grad=True)}")
        targets = [pick(rng, ["-100", "-100", "1"]) for _ in range(n)]
        p(f"target = torch.tensor([{', '.join(targets)}])")
        fn = pick(rng, ["torch.nn.functional.cross_entropy(logits, target)",
                        "torch.nn.functional.nll_loss(logits.log_softmax(1), target)",
                        "torch.nn.functional.cross_entropy(logits, target, reduction='sum')"])
        p(f"loss = {fn}")
        p.see("loss")
        p("loss.backward()")
        p.see("logits.grad")
    elif kind == "retain_inplace":
        p(f"x = {_float_tensor(rng, (3,), requires_grad=True)}")
        p("y = x * 2")
        p("y.retain_grad()")
        p(f"y.{pick(rng, ['add_(1)', 'mul_(3)', 'zero_()'])}")
        p.see("y.retains_grad")
        p(f"(y * {weights('y')}).sum().backward()")
        p.see("y.grad", "x.grad")
    elif kind == "grad_dtype":
        leaf, gradient = pick(rng, [("float32", "float64"), ("float64", "float32"), ("float32", "float32")])
        p(f"a = {literal(halves(rng, (3,)), leaf, requires_grad=True)}")
        retained = chance(rng, 0.5)
        if retained:
            p("b = a * 2")
            p("b.retain_grad()")
            p(f"b.backward({literal(halves(rng, (3,)), gradient)})")
            p.see("b.grad", "a.grad")
        else:
            p(f"a.backward({literal(halves(rng, (3,)), gradient)})")
            p.see("a.grad")


SCALE_FUNCTION = """class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * 2 + b

    @staticmethod
    def backward(ctx, grad):
        return grad * 2, None"""

PAIR_FUNCTION = """class Pair(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.set_materialize_grads(False)
        return a * 2, a * 3

    @staticmethod
    def backward(ctx, first, second):
        record('first is None', first is None)
        record('second is None', second is None)
        if first is None:
            return second * 3
        return first * 2 if second is None else first * 2 + second * 3"""


def _edge_autograd(rng, p):
    """Custom Functions, hooks, and the graph's own nodes."""
    kind = pick(rng, ["function_none", "materialize", "hook", "hook", "cat_empty", "accumulate_name", "repeat"])
    shape = shape_of(rng, 1, 2, 1, 3)
    p(f"x = {_float_tensor(rng, shape, requires_grad=True)}")
    if kind == "function_none":
        p(SCALE_FUNCTION)
        p(f"b = {_float_tensor(rng, shape, requires_grad=True)}")
        p("y = Scale.apply(x, b)")
        p.see("y")
        p(f"(y * {weights('y')}).sum().backward()")
        p.see("x.grad", "b.grad")
    elif kind == "materialize":
        p(PAIR_FUNCTION)
        p("u, v = Pair.apply(x)")
        p.see("u", "v")
        p(f"{pick(rng, ['u', 'v', '(u + v)'])}.sum().backward()")
        p.see("x.grad")
    elif kind == "hook":
        target = pick(rng, ["x", "y"])
        p("y = x * x")
        hook = pick(rng, ["lambda g: g * 2", "lambda g: record('hook', g)", "lambda g: g + 1", "lambda g: None"])
        p(f"handle = {target}.register_hook({hook})")
        if chance(rng, 0.3):
            p("handle.remove()")
        p(f"(y * {weights('y')}).sum().backward()")
        p.see("x.grad")
    elif kind == "cat_empty":
        p(f"e = torch.zeros({', '.join(map(str, shape[:-1] + (0,)))}, requires_grad=True)")
        p(f"y = torch.cat({pick(rng, ['[x, e]', '[e, x]', '[e, x, e]'])}, -1)")
        p.see("y")
        p(f"(y * {weights('y')}).sum().backward()")
        p.see("x.grad", "e.grad")
    elif kind == "accumulate_name":
        p(f"y = {pick(rng, ['x * 2', 'x.exp()', 'x + x', 'x.sum()'])}")
        p.see("y.grad_fn.name()", "y.grad_fn.next_functions[0][0].name()",
              "type(y.grad_fn.next_functions[0][0]).__name__", "len(y.grad_fn.next_functions)")
    else:
        sizes = pick(rng, ["2", "1, 2", "2, 1", "2, 2, 1", "3"])
        p(f"y = x.repeat({sizes})")
        p.see("y")
        p(f"(y * {weights('y')}).sum().backward()")
        p.see("x.grad")


EDGE_TEMPLATES = [_edge_empty, _edge_empty, _edge_zero_d, _edge_pointwise, _edge_pointwise, _edge_boundaries,
                  _edge_boundaries, _edge_boundaries, _edge_autograd]


# -------------------------------------------------------------------------------- cases
GENERATORS = {  # class name: (generator, number of cases)
    "views": (gen_views, 700),
    "indexing": (gen_indexing, 600),
    "reductions": (gen_reductions, 450),
    "promotion": (gen_promotion, 450),
    "layout": (gen_layout, 300),
    "errors": (gen_errors, 350),
    "edges": (gen_edges, 300),
}


@dataclass(frozen=True)
class Case:
    kind: str
    index: int
    program: str

    @property
    def id(self):
        return f"{self.kind}-{self.index}"


def make_case(kind, index):
    """Case `index` of class `kind`: its program depends on nothing else."""
    generator, _ = GENERATORS[kind]
    rng = np.random.default_rng([SEED, list(GENERATORS).index(kind), index])
    return Case(kind, index, generator(rng))


def all_cases():
    return [make_case(kind, index) for kind, (_, count) in GENERATORS.items() for index in range(count)]


# ---------------------------------------------------------------------------- running
@dataclass
class Raised:
    """An exception a program (or an attempt in it) raised."""
    type_name: str
    message: str
    line: int
    from_numpy: bool

    def __str__(self):
        return f"{self.type_name}: {self.message}"


NUMPY_DIR = Path(np.__file__).resolve().parent
# NumPy's own messages, for errors raised in its C code (where no frame of NumPy's shows).
NUMPY_PHRASES = ("could not be broadcast", "could not broadcast", "truth value of an array", "out of bounds for axis",
                 "ufunc", "ndarray", "dtype('", "cannot reshape array",
                 "setting an array element with a sequence", "assignment destination is read-only",
                 "boolean index did not match", "too many indices for array", "arrays used as indices must be",
                 "numpy boolean", "numpy.newaxis")


def _raised(error):
    frames = traceback.extract_tb(error.__traceback__)
    line = max((f.lineno for f in frames if f.filename == PROGRAM_FILE), default=0)
    in_numpy = bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(NUMPY_DIR)
    kind = type(error)
    builtin = next(c for c in kind.__mro__ if c.__module__ == "builtins")
    from_numpy = in_numpy or kind.__module__.startswith("numpy") or any(p in str(error) for p in NUMPY_PHRASES)
    return Raised(builtin.__name__, str(error), line, from_numpy)


def _grad_fn_name(grad_fn):
    # torch's name() of its C++ nodes (CopySlices, CopyBackwards) carries their namespace; their type does not.
    return None if grad_fn is None else grad_fn.name().removeprefix("torch::autograd::")


def _strides(value):
    """stride(), with None for dims of size 1 (no step is ever taken along them) and for empty tensors."""
    if 0 in value.shape:
        return None
    return tuple(None if n == 1 else s for n, s in zip(value.shape, value.stride()))


def observe(value, tensor_type, grad_fn=True):
    """What a program sees in `value`, as plain data that either library's run can be compared with."""
    if isinstance(value, tensor_type):
        try:
            value.view(-1)
            viewable = "ok"
        except Exception as error:  # noqa: BLE001
            viewable = f"{type(error).__name__}: {error}"
        return {
            "shape": tuple(value.shape), "dtype": str(value.dtype).removeprefix("torch."),
            "values": value.detach().numpy().copy(), "requires_grad": value.requires_grad,
            "grad_fn": _grad_fn_name(value.grad_fn) if grad_fn else "(not compared)",
            "stride": _strides(value), "contiguous": value.is_contiguous(), "view(-1)": viewable,
        }
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [observe(v, tensor_type) for v in value]
    return repr(value)


def run(program, lib):
    """The observations a program makes with `torch` bound to `lib`, ending with what it raised, if anything."""
    observations = []

    def record(label, value, grad_fn=True):
        observations.append((label, observe(value, lib.Tensor, grad_fn)))

    def attempt(label, call):
        try:
            value = call()
        except Exception as error:  # noqa: BLE001
            observations.append((label, _raised(error)))
        else:
            observations.append((label, observe(value, lib.Tensor)))

    code = compile(program, PROGRAM_FILE, "exec")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(code, {"torch": lib, "record": record, "attempt": attempt})
        except Exception as error:  # noqa: BLE001
            observations.append(("<raised>", _raised(error)))
    return observations


# ---------------------------------------------------------------------------- comparing
TOLERANCES = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12), "float16": (1e-3, 1e-3)}


# Classes whose tensors are compared on layout too (strides, is_contiguous, whether .view(-1) works).
# Elsewhere layout is compared only where a program asks for it: torch's layout for the result of
# advanced indexing or of a reduction follows its kernels' internals, not a rule a learner meets.
LAYOUT_CLASSES = ("views", "layout")
LAYOUT_KEYS = ("stride", "contiguous", "view(-1)")


def _tensor_difference(ours, theirs, layout, metadata):
    for key in ("shape", "dtype"):
        if ours[key] != theirs[key]:
            return f"{key} {ours[key]} != torch's {theirs[key]}"
    a, b = ours["values"], theirs["values"]
    if ours["dtype"] in TOLERANCES:
        rtol, atol = TOLERANCES[ours["dtype"]]
        same = np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True)
    else:
        same = np.array_equal(a, b)
    if not same:
        return f"values differ:\n  engine {a.tolist()}\n  torch  {b.tolist()}"
    if not metadata:
        return None
    for key in ("requires_grad", "grad_fn") + (LAYOUT_KEYS if layout else ()):
        if ours[key] != theirs[key]:
            return f"{key} {ours[key]!r} != torch's {theirs[key]!r}"
    return None


def _difference(ours, theirs, layout, metadata):
    """Why one observation differs from torch's, or None."""
    if isinstance(ours, Raised) or isinstance(theirs, Raised):
        if not isinstance(theirs, Raised):
            return f"engine raised {ours}"
        if not isinstance(ours, Raised):
            return f"torch raised {theirs}"
        if ours.type_name != theirs.type_name:
            return f"exception type {ours.type_name} != torch's {theirs.type_name} ({theirs.message})"
        if ours.message != theirs.message:
            return f"exception message differs:\n  engine {ours.message}\n  torch  {theirs.message}"
        return None
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _tensor_difference(ours, theirs, layout, metadata)
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f"length {len(ours)} != torch's {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            problem = _difference(a, b, layout, metadata)
            if problem:
                return f"[{i}]: {problem}"
        return None
    if type(ours) is not type(theirs) and not (isinstance(ours, (int, float)) and isinstance(theirs, (int, float))
                                               and not isinstance(ours, bool) and not isinstance(theirs, bool)):
        return f"{_summary(ours)} != torch's {_summary(theirs)}"
    if isinstance(ours, float) and isinstance(theirs, float):
        both_nan = math.isnan(ours) and math.isnan(theirs)
        if not (ours == theirs or both_nan or math.isclose(ours, theirs, rel_tol=1e-6)):
            return f"{ours!r} != torch's {theirs!r}"
        return None
    if ours != theirs:
        return f"{ours!r} != torch's {theirs!r}"
    return None


def _summary(value):
    if isinstance(value, dict):
        return f"tensor of shape {value['shape']}"
    if isinstance(value, list):
        return f"sequence of {len(value)}"
    return repr(value) if not isinstance(value, Raised) else f"raised {value}"


def compare(ours, theirs, layout=True):
    """The first divergence of the engine's observations from torch's, as text, or None.

    Numbers, shapes, dtypes and exceptions are compared first, across the whole run, so that a
    wrong gradient is reported ahead of a wrong grad_fn name or stride noted before it.
    """
    for label, mine in ours:
        if isinstance(mine, Raised) and mine.from_numpy:
            return f"{label}: raw NumPy error {mine}"
    for metadata in (False, True):
        for (label, mine), (their_label, their) in zip(ours, theirs):
            if label != their_label:
                # One side raised and stopped earlier than the other.
                if isinstance(mine, Raised):
                    return f"{label}: engine raised {mine} (torch went on)"
                return f"{their_label}: torch raised {their} (the engine went on)"
            problem = _difference(mine, their, layout, metadata)
            if problem:
                return f"{label}: {problem}"
            if isinstance(mine, Raised) and mine.line != their.line:
                return f"{label}: raised on line {mine.line}, torch on line {their.line}"
        if len(ours) != len(theirs):
            return f"{len(ours)} observations != torch's {len(theirs)}"
    return None


def diverges(case, torch):
    """How the engine's run of `case` differs from torch's, or None."""
    import engine

    return compare(run(case.program, engine), run(case.program, torch), layout=case.kind in LAYOUT_CLASSES)


def divergence_kind(text):
    """The first line of a divergence with its numbers and names blanked, to group like failures."""
    label, _, problem = text.splitlines()[0].partition(": ")
    if " = " in label:  # an op's result (the layout class): group by the op
        problem = f"{label.partition(' = ')[2]}: {problem}"
    problem = re.sub(r" at 0x[0-9a-f]+", "", problem)  # object addresses
    problem = re.sub(r"\by\d\b", "y", problem)
    problem = re.sub(r"\[[^\]]*\]", "[…]", problem)
    problem = re.sub(r"-?\d+(\.\d+)?", "#", problem)
    return problem[:140]


# ------------------------------------------------------------------------- command line
def _print_observations(title, observations):
    print(f"--- {title}")
    for label, value in observations:
        if isinstance(value, dict):
            shown = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in value.items()}
            print(f"{label}: {shown}")
        else:
            print(f"{label}: {value}")


def main(argv):
    import engine
    import torch

    if len(argv) == 2:
        case = make_case(argv[0], int(argv[1]))
        print(f"=== {case.id}\n{case.program}")
        ours, theirs = run(case.program, engine), run(case.program, torch)
        _print_observations("engine", ours)
        _print_observations("torch", theirs)
        print(f"=== {compare(ours, theirs, case.kind in LAYOUT_CLASSES) or 'same as torch'}")
        return 0
    kinds = argv or list(GENERATORS)
    failures = {}
    total = 0
    for kind in kinds:
        for index in range(GENERATORS[kind][1]):
            total += 1
            case = make_case(kind, index)
            problem = diverges(case, torch)
            if problem:
                failures.setdefault(kind, []).append((case.id, problem))
    print(f"{sum(len(f) for f in failures.values())} of {total} cases diverge from torch")
    for kind in kinds:
        print(f"  {kind:<11} {len(failures.get(kind, [])):4} of {GENERATORS[kind][1]}")
    groups = {}
    for kind, items in failures.items():
        for case_id, problem in items:
            groups.setdefault((kind, divergence_kind(problem)), []).append(case_id)
    for (kind, text), ids in sorted(groups.items(), key=lambda item: -len(item[1])):
        print(f"{len(ids):4}  {kind:<11} {text}   e.g. {ids[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
