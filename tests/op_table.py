"""The one table of operations that drives the forward, gradient and torch-comparison tests.

Each `Op` says
* how to call it, with either library: `call(lib, *tensors, **params)`, where `lib` is
  `engine` or real `torch` (the engine's API is a subset of torch's, so one call serves both);
* what NumPy says the result is: `ref(*arrays, **params)`;
* where its inputs come from: `cases` draws the input shapes (broadcasting included) and
  the parameters (dims, keepdim, ...) with hypothesis, and `domains` gives, per input, the
  values to sample, kept away from the points where the op is not differentiable
  (ties for max/min/maximum/clamp/abs/relu, non-positive numbers for log/sqrt);
* torch's name for the grad_fn of its result (checked against the engine always, and
  against torch where torch is installed), or None for a result that never requires grad.

tests/test_ops.py runs every entry against NumPy, through `engine.autograd.gradcheck`,
and against torch.
"""
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# Modest example counts keep the whole suite fast; deadline=None because a first
# call (imports, torch's warm-up) can be slow for reasons that are not the engine's.
FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GRADCHECK = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------- values
# Each domain turns (rng, shape) into a NumPy array of values for one input.
def REAL(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def POSITIVE(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def NONZERO(rng, shape):
    return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def ODD_TWENTIETHS(rng, shape):
    """Multiples of 0.1 plus 0.05: never 0, never ±0.5, never equal to an EVEN_TENTHS value."""
    return rng.integers(-20, 20, shape) * 0.1 + 0.05


def EVEN_TENTHS(rng, shape):
    """Multiples of 0.1: ties with each other happen (for ==), never with ODD_TWENTIETHS."""
    return rng.integers(-20, 20, shape) * 0.1


def DISTINCT(rng, shape):
    """All values 0.1 apart, in a random order: max, min, argmax have a single winner."""
    count = int(np.prod(shape))
    return ((rng.permutation(count) - count / 2) * 0.1 + 0.05).reshape(shape)


def NEGATIVE_TENTHS(rng, shape):
    """Multiples of 0.1 below 0: lower bounds that never tie with ODD_TWENTIETHS, nor reach POSITIVE_TENTHS."""
    return rng.integers(-20, 0, shape) * 0.1


def POSITIVE_TENTHS(rng, shape):
    return rng.integers(1, 20, shape) * 0.1


def DISTINCT_MAGNITUDES(rng, shape):
    """Values whose absolute values are all 0.1 apart, with random signs: a single largest |x|."""
    count = int(np.prod(shape))
    return ((rng.permutation(count) + 1) * 0.1 * rng.choice([-1.0, 1.0], count)).reshape(shape)


def BOOL(rng, shape):
    return rng.random(shape) < 0.5


def INT(rng, shape):
    return rng.integers(-5, 6, shape)


VARIES = "<torch's grad_fn name depends on its internal strategy>"

# -------------------------------------------------------------------------- shapes
@dataclass(frozen=True)
class Case:
    shapes: tuple
    params: dict = field(default_factory=dict)


SIDE = st.integers(1, 3)


def shapes_of(*, count=1, min_dims=0, max_dims=3, min_side=1, max_side=3):
    """`count` independent shapes."""
    shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return st.tuples(*[shape] * count).map(Case)


def broadcastable(count=2, max_dims=3):
    """Shapes that broadcast together (sizes of 1 and missing leading dims included)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=max_dims, min_side=1,
                                             max_side=3).map(lambda r: Case(tuple(r.input_shapes)))


@st.composite
def dim_case(draw, *, tuples=True, none=True, keepdim=True, min_dims=0, min_side=1, empty=False, pass_none=True):
    """One shape and a reduction `dim` (None, an int, or a tuple of distinct ints; negative ones too).

    With pass_none=False a dim of None is left out of the call instead: torch names the node
    of `x.sum(dim=None)` SumBackward1 but that of `x.sum()` SumBackward0, and the engine,
    whose default is dim=None, cannot tell them apart.
    """
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=min_side, max_side=3))
    ndim = len(shape)
    choices = ["int"] + (["none"] if none else []) + (["tuple"] if tuples and ndim else [])
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        dim = None
    elif kind == "int":
        dim = draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))
    else:
        chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=0 if empty else 1, max_size=ndim, unique=True))
        dim = tuple(d - ndim if draw(st.booleans()) else d for d in chosen)
    if dim is None and not pass_none:
        return Case((shape,), {})
    params = {"dim": dim}
    if keepdim:
        params["keepdim"] = draw(st.booleans())
    return Case((shape,), params)


@st.composite
def one_dim_case(draw, *, min_dims=1, extra=0):
    """A shape and one dim of it (a dim of a new axis with extra=1, as unsqueeze and stack take)."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=3))
    ndim = len(shape) + extra
    return Case((shape,), {"dim": draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))})


@st.composite
def matmul_case(draw):
    """Operands of every kind matmul takes: 1-D·1-D, matrix·vector, vector·matrix, matrix·matrix,
    and batched operands whose leading dims broadcast."""
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    kind = draw(st.sampled_from(["dot", "mv", "vm", "mm", "batched", "batched-vector", "vector-batched"]))
    batch_a, batch_b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2,
                                                               max_side=3)).input_shapes
    shapes = {
        "dot": ((k,), (k,)),
        "mv": ((n, k), (k,)),
        "vm": ((k,), (k, m)),
        "mm": ((n, k), (k, m)),
        "batched": (batch_a + (n, k), batch_b + (k, m)),
        "batched-vector": (batch_a + (n, k), (k,)),
        "vector-batched": ((k,), batch_b + (k, m)),
    }[kind]
    return Case(shapes)


@st.composite
def mm_case(draw):
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    return Case(((n, k), (k, m)))


def matmul_grad_fn(case):
    a, b = case.shapes
    if len(a) == 1 and len(b) == 1:
        return "DotBackward0"
    if len(a) == 2 and len(b) == 1:
        return "MvBackward0"
    if len(a) == 1 and len(b) == 2:
        return "SqueezeBackward4"
    if len(a) == 2 and len(b) == 2:
        return "MmBackward0"
    # Batched: torch picks among several strategies (folding into one mm, bmm on expanded
    # copies...) by shapes, strides and which operand requires grad, and the node it ends
    # with (UnsafeViewBackward0, TransposeBackward0, CloneBackward0...) names the strategy.
    # The engine always reports UnsafeViewBackward0; values and gradients are still compared.
    return VARIES


@st.composite
def cat_case(draw, *, same=False):
    """Two or three shapes equal except along `dim` (equal everywhere for stack)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    count = draw(st.integers(2, 3))
    ndim = len(shape) + (1 if same else 0)
    dim = draw(st.integers(-ndim, ndim - 1))
    if same:
        return Case((shape,) * count, {"dim": dim})
    shapes = []
    for _ in range(count):
        s = list(shape)
        s[dim] = draw(SIDE)
        shapes.append(tuple(s))
    return Case(tuple(shapes), {"dim": dim})


@st.composite
def permute_case(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    order = draw(st.permutations(range(len(shape))))
    return Case((shape,), {"dims": tuple(d - len(shape) if draw(st.booleans()) else d for d in order)})


@st.composite
def transpose_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    ndim = len(shape)
    return Case((shape,), {"dim0": draw(st.integers(-ndim, ndim - 1)), "dim1": draw(st.integers(-ndim, ndim - 1))})


@st.composite
def view_case(draw):
    """A shape and another with the same number of elements, one size possibly given as -1."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    target = list(draw(st.permutations(shape)))
    if draw(st.booleans()):
        target.append(1)
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return Case((shape,), {"shape": tuple(target)})


@st.composite
def flatten_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    ndim = len(shape)
    start = draw(st.integers(0, ndim - 1))
    end = draw(st.integers(start, ndim - 1))
    return Case((shape,), {"start_dim": start - ndim if draw(st.booleans()) else start,
                           "end_dim": end - ndim if draw(st.booleans()) else end})


@st.composite
def squeeze_case(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=2))
    ndim = len(shape)
    kind = draw(st.sampled_from(["all", "int", "tuple"] if ndim else ["all"]))
    if kind == "all":
        return Case((shape,), {})
    if kind == "int":
        return Case((shape,), {"dim": draw(st.integers(-ndim, ndim - 1))})
    return Case((shape,), {"dim": tuple(draw(st.lists(st.integers(0, ndim - 1), max_size=ndim, unique=True)))})


@st.composite
def expand_case(draw):
    """A shape with some sizes 1, and a target that stretches them (and may add leading dims)."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=2))
    target = [draw(st.sampled_from([n, 3])) if n == 1 else draw(st.sampled_from([n, -1])) for n in shape]
    leading = draw(st.lists(SIDE, max_size=2))
    return Case((shape,), {"sizes": tuple(leading + target)})


@st.composite
def flip_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    return Case((shape,), {"dims": tuple(dims)})


@st.composite
def split_case(draw, chunk=False):
    case = draw(one_dim_case())
    size = draw(st.integers(1, 4))
    return Case(case.shapes, dict(case.params, **({"chunks": size} if chunk else {"split_size": size})))


@st.composite
def sections_case(draw):
    case = draw(one_dim_case())
    length = case.shapes[0][case.params["dim"]]
    cuts = sorted(draw(st.lists(st.integers(0, length), max_size=2)))
    sections = [b - a for a, b in zip([0] + cuts, cuts + [length])]
    return Case(case.shapes, dict(case.params, sections=sections))


@st.composite
def mask_case(draw, after=0):
    """A shape, and the shape of a boolean mask over some of its dims (starting at dim `after`)."""
    shape = draw(hnp.array_shapes(min_dims=1 + after, max_dims=3, min_side=1, max_side=3))
    count = draw(st.integers(1, len(shape) - after))
    return Case((shape, shape[after:after + count]))


@st.composite
def repeat_case(draw):
    """A shape and as many repeats as it has dims, or more (the extra ones add leading dims)."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    extra = draw(st.integers(0, 2))
    return Case((shape,), {"repeats": tuple(draw(st.integers(0, 3)) for _ in range(len(shape) + extra))})


def _shape_at_least(min_dims, min_side=1):
    return shapes_of(min_dims=min_dims, min_side=min_side)


# ---------------------------------------------------------------------- references
def _axis(dim, ndim):
    """A torch `dim` as NumPy's `axis` (None for all dims; torch's empty tuple reduces all too)."""
    if dim is None or ndim == 0:
        return None
    dims = dim if isinstance(dim, tuple) else (dim,)
    return tuple(d % ndim for d in dims) if dims else None


def _reduce(function):
    def ref(a, dim=None, keepdim=False, **kwargs):
        return function(a, axis=_axis(dim, a.ndim), keepdims=keepdim, **kwargs)

    return ref


def _arg(function):
    def ref(a, dim=None, keepdim=False):
        if dim is None:
            index = function(a.reshape(-1))
            return np.reshape(index, (1,) * a.ndim) if keepdim else np.asarray(index)
        if a.ndim == 0:
            return np.asarray(0)
        return function(a, axis=dim % a.ndim, keepdims=keepdim)

    return ref


def _max_along(function, arg):
    def ref(a, dim, keepdim=False):
        if a.ndim == 0:
            return a, np.asarray(0)
        axis = dim % a.ndim
        return function(a, axis=axis, keepdims=keepdim), arg(a, axis=axis, keepdims=keepdim)

    return ref


def _softmax(a, dim):
    if a.ndim == 0:
        return np.ones_like(a)
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax(a, dim):
    if a.ndim == 0:
        return np.zeros_like(a)
    shifted = a - a.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def _var(a, dim=None, keepdim=False, correction=1):
    return np.var(a, axis=_axis(dim, a.ndim), ddof=correction, keepdims=keepdim)


def _std(a, dim=None, keepdim=False, correction=1):
    return np.std(a, axis=_axis(dim, a.ndim), ddof=correction, keepdims=keepdim)


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _squeeze(a, dim=None):
    if dim is None:
        return np.squeeze(a)
    dims = dim if isinstance(dim, tuple) else (dim,)
    return np.squeeze(a, axis=tuple(d % a.ndim for d in dims if a.shape[d] == 1))


def _expand(a, sizes):
    leading = len(sizes) - a.ndim
    target = [a.shape[i - leading] if n == -1 else n for i, n in enumerate(sizes)]
    return np.broadcast_to(a, target)


def _view(a, shape):
    return a.reshape(shape)


def _flatten(a, start_dim, end_dim):
    start, end = start_dim % a.ndim, end_dim % a.ndim
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1:])


def _pieces(a, sizes, dim):
    bounds = np.cumsum(sizes)[:-1]
    return tuple(np.split(a, bounds, axis=dim))


def _split(a, split_size, dim):
    length = a.shape[dim]
    sizes = [split_size] * (length // split_size) + ([length % split_size] if length % split_size else [])
    return _pieces(a, sizes, dim)


def _chunk(a, chunks, dim):
    length = a.shape[dim]
    return _split(a, -(-length // chunks), dim)


def _prod_dims(a, dim=None, keepdim=False):
    if dim is None:
        result = np.prod(a)
        return np.reshape(result, (1,) * a.ndim) if keepdim else result
    return np.prod(a, axis=_axis(dim, a.ndim), keepdims=keepdim)


def _logsumexp(a, dim, keepdim=False):
    return np.log(np.sum(np.exp(a), axis=_axis(dim, a.ndim), keepdims=keepdim))


def _norm(p):
    def ref(a, dim=None, keepdim=False):
        axis = _axis(dim, a.ndim)
        if p == np.inf:
            return np.max(np.abs(a), axis=axis, keepdims=keepdim)
        return np.sum(np.abs(a) ** p, axis=axis, keepdims=keepdim) ** (1 / p)

    return ref


# ------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Op:
    name: str
    call: Callable
    ref: Callable
    cases: object
    domains: tuple
    grad_fn: object = None  # a name, or case -> name (None: compared with torch only; VARIES: not compared)
    differentiable: bool = True
    torch_rtol: float = None  # looser than the default only where torch itself rounds more

    def grad_fn_name(self, case):
        return self.grad_fn(case) if callable(self.grad_fn) else self.grad_fn

    def arrays(self, case, seed):
        rng = np.random.default_rng(seed)
        # np.asarray: a 0-d draw comes back from NumPy as a scalar, not an array.
        return [np.asarray(domain(rng, shape)) for domain, shape in zip(self.domains, case.shapes)]

    def __repr__(self):  # pytest ids
        return self.name


def unary(name, call, ref, domain=REAL, grad_fn=None, cases=None, **extra):
    return Op(name, call, ref, cases if cases is not None else shapes_of(), (domain,), grad_fn, **extra)


def binary(name, call, ref, domains=(REAL, REAL), grad_fn=None, **extra):
    return Op(name, call, ref, broadcastable(2), domains, grad_fn, **extra)


def _sum_name(case):
    return "SumBackward0" if case.params.get("dim") is None else "SumBackward1"


def _mean_name(case):
    return "MeanBackward0" if case.params.get("dim") is None else "MeanBackward1"


def _squeeze_name(case):
    dim = case.params.get("dim", "all")
    return "SqueezeBackward0" if dim == "all" else "SqueezeBackward2" if isinstance(dim, tuple) else "SqueezeBackward1"


OPS = [
    # Arithmetic, with broadcasting.
    binary("add", lambda lib, a, b: a + b, np.add, grad_fn="AddBackward0"),
    binary("add_alpha", lambda lib, a, b: lib.add(a, b, alpha=2.5), lambda a, b: a + 2.5 * b, grad_fn="AddBackward0"),
    binary("sub", lambda lib, a, b: a - b, np.subtract, grad_fn="SubBackward0"),
    binary("sub_alpha", lambda lib, a, b: lib.sub(a, b, alpha=3), lambda a, b: a - 3 * b, grad_fn="SubBackward0"),
    binary("mul", lambda lib, a, b: a * b, np.multiply, grad_fn="MulBackward0"),
    binary("div", lambda lib, a, b: a / b, np.divide, domains=(REAL, NONZERO), grad_fn="DivBackward0"),
    binary("pow", lambda lib, a, b: a ** b, np.power, domains=(POSITIVE, REAL), grad_fn="PowBackward1"),
    binary("maximum", lambda lib, a, b: lib.maximum(a, b), np.maximum, domains=(ODD_TWENTIETHS, EVEN_TENTHS),
           grad_fn="MaximumBackward0"),
    binary("minimum", lambda lib, a, b: lib.minimum(a, b), np.minimum, domains=(EVEN_TENTHS, ODD_TWENTIETHS),
           grad_fn="MinimumBackward0"),
    binary("max_binary", lambda lib, a, b: lib.max(a, b), np.maximum, domains=(ODD_TWENTIETHS, EVEN_TENTHS),
           grad_fn="MaximumBackward0"),
    Op("where", lambda lib, c, a, b: lib.where(c, a, b), np.where, broadcastable(3), (BOOL, REAL, REAL),
       "WhereBackward0"),
    Op("where_scalar", lambda lib, c, a: lib.where(c, a, 0.5), lambda c, a: np.where(c, a, 0.5), broadcastable(2),
       (BOOL, REAL), "WhereBackward0"),
    # With Python numbers, on either side (the reflected operators).
    unary("neg", lambda lib, a: -a, np.negative, grad_fn="NegBackward0"),
    unary("add_number", lambda lib, a: a + 2, lambda a: a + 2, grad_fn="AddBackward0"),
    unary("radd_number", lambda lib, a: 2.5 + a, lambda a: 2.5 + a, grad_fn="AddBackward0"),
    unary("sub_number", lambda lib, a: a - 1.5, lambda a: a - 1.5, grad_fn="SubBackward0"),
    unary("rsub_number", lambda lib, a: 2 - a, lambda a: 2 - a, grad_fn="RsubBackward1"),
    unary("mul_number", lambda lib, a: a * 3, lambda a: a * 3, grad_fn="MulBackward0"),
    unary("rmul_number", lambda lib, a: 0.5 * a, lambda a: 0.5 * a, grad_fn="MulBackward0"),
    unary("div_number", lambda lib, a: a / 4, lambda a: a / 4, grad_fn="DivBackward0"),
    unary("rdiv_number", lambda lib, a: 1.5 / a, lambda a: 1.5 / a, NONZERO, grad_fn="MulBackward0"),
    unary("pow_2", lambda lib, a: a ** 2, np.square, grad_fn="PowBackward0"),
    unary("pow_3", lambda lib, a: a ** 3, lambda a: a ** 3, grad_fn="PowBackward0"),
    unary("pow_half", lambda lib, a: a ** 0.5, np.sqrt, POSITIVE, grad_fn="PowBackward0"),
    unary("pow_minus_1", lambda lib, a: a ** -1, lambda a: 1 / a, NONZERO, grad_fn="PowBackward0"),
    unary("pow_0", lambda lib, a: a ** 0, np.ones_like, grad_fn="PowBackward0"),
    # For the gradient of number ** x torch rounds log(number) to float32, even for float64 x;
    # the engine keeps it in float64 (gradcheck holds it to the exact derivative).
    unary("rpow_number", lambda lib, a: 2 ** a, lambda a: 2.0 ** a, grad_fn="PowBackward2", torch_rtol=1e-7),
    unary("rpow_float", lambda lib, a: 2.5 ** a, lambda a: 2.5 ** a, grad_fn="PowBackward2", torch_rtol=1e-7),
    unary("pow_function", lambda lib, a: lib.pow(a, 3), lambda a: a ** 3, grad_fn="PowBackward0"),
    unary("reciprocal", lambda lib, a: a.reciprocal(), np.reciprocal, NONZERO, grad_fn="ReciprocalBackward0"),
    unary("square", lambda lib, a: lib.square(a), np.square, grad_fn="PowBackward0"),
    # Element-wise functions.
    unary("exp", lambda lib, a: lib.exp(a), np.exp, grad_fn="ExpBackward0"),
    unary("log", lambda lib, a: lib.log(a), np.log, POSITIVE, grad_fn="LogBackward0"),
    unary("log1p", lambda lib, a: lib.log1p(a), np.log1p, POSITIVE, grad_fn="Log1PBackward0"),
    unary("log1p_method", lambda lib, a: a.log1p(), np.log1p, POSITIVE, grad_fn="Log1PBackward0"),
    unary("sqrt", lambda lib, a: a.sqrt(), np.sqrt, POSITIVE, grad_fn="SqrtBackward0"),
    unary("abs", lambda lib, a: lib.abs(a), np.abs, NONZERO, grad_fn="AbsBackward0"),
    unary("tanh", lambda lib, a: lib.tanh(a), np.tanh, grad_fn="TanhBackward0"),
    unary("sigmoid", lambda lib, a: lib.sigmoid(a), _sigmoid, grad_fn="SigmoidBackward0"),
    unary("relu", lambda lib, a: lib.relu(a), lambda a: np.maximum(a, 0), ODD_TWENTIETHS, grad_fn="ReluBackward0"),
    unary("sin", lambda lib, a: lib.sin(a), np.sin, grad_fn="SinBackward0"),
    unary("cos", lambda lib, a: a.cos(), np.cos, grad_fn="CosBackward0"),
    unary("sign", lambda lib, a: a.sign(), np.sign, NONZERO, grad_fn="SignBackward0"),
    unary("clamp", lambda lib, a: lib.clamp(a, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), ODD_TWENTIETHS,
          grad_fn="ClampBackward1"),
    unary("clamp_min", lambda lib, a: a.clamp(min=-0.5), lambda a: np.maximum(a, -0.5), ODD_TWENTIETHS,
          grad_fn="ClampBackward1"),
    unary("clamp_max", lambda lib, a: a.clamp(max=0.5), lambda a: np.minimum(a, 0.5), ODD_TWENTIETHS,
          grad_fn="ClampBackward1"),
    unary("clip", lambda lib, a: lib.clip(a, -1, 1), lambda a: np.clip(a, -1, 1), ODD_TWENTIETHS,
          grad_fn="ClampBackward1"),
    # torch's backward fails unless the input has the broadcast shape (tested in test_ops.py).
    Op("clamp_tensor", lambda lib, a, low, high: lib.clamp(a, low, high),
       lambda a, low, high: np.minimum(np.maximum(a, low), high),
       broadcastable(3).filter(lambda c: np.broadcast_shapes(*c.shapes) == c.shapes[0]),
       (ODD_TWENTIETHS, NEGATIVE_TENTHS, POSITIVE_TENTHS), "ClampBackward0"),
    Op("clamp_tensor_min", lambda lib, a, low: a.clamp(min=low), np.maximum, broadcastable(2),
       (ODD_TWENTIETHS, EVEN_TENTHS), "ClampBackward0"),
    Op("clamp_tensor_max", lambda lib, a, high: a.clamp(max=high), np.minimum, broadcastable(2),
       (ODD_TWENTIETHS, EVEN_TENTHS), "ClampBackward0"),
    # Floor division and remainder: floor_divide has no derivative in torch (its node refuses backward).
    binary("floor_divide", lambda lib, a, b: a // b, np.floor_divide, domains=(REAL, NONZERO), differentiable=False),
    binary("floor_divide_function", lambda lib, a, b: lib.floor_divide(a, b), np.floor_divide, domains=(REAL, NONZERO),
           differentiable=False),
    unary("rfloordiv_number", lambda lib, a: 2.5 // a, lambda a: 2.5 // a, NONZERO, differentiable=False),
    binary("remainder", lambda lib, a, b: a % b, np.remainder, domains=(REAL, NONZERO), grad_fn="RemainderBackward1"),
    unary("remainder_number", lambda lib, a: lib.remainder(a, 1.5), lambda a: np.remainder(a, 1.5),
          grad_fn="RemainderBackward0"),
    unary("rmod_number", lambda lib, a: 2.5 % a, lambda a: np.remainder(2.5, a), NONZERO, differentiable=False),
    # Comparisons and logic: never differentiable, results are bool.
    binary("eq", lambda lib, a, b: a == b, np.equal, (EVEN_TENTHS, EVEN_TENTHS), differentiable=False),
    binary("ne", lambda lib, a, b: a != b, np.not_equal, (EVEN_TENTHS, EVEN_TENTHS), differentiable=False),
    binary("lt", lambda lib, a, b: a < b, np.less, (EVEN_TENTHS, EVEN_TENTHS), differentiable=False),
    binary("le", lambda lib, a, b: a <= b, np.less_equal, (EVEN_TENTHS, EVEN_TENTHS), differentiable=False),
    binary("gt", lambda lib, a, b: a > b, np.greater, (EVEN_TENTHS, EVEN_TENTHS), differentiable=False),
    binary("ge", lambda lib, a, b: lib.ge(a, b), np.greater_equal, (EVEN_TENTHS, EVEN_TENTHS), differentiable=False),
    unary("gt_number", lambda lib, a: a > 0.5, lambda a: a > 0.5, EVEN_TENTHS, differentiable=False),
    unary("req_number", lambda lib, a: 1 == a, lambda a: a == 1, INT, differentiable=False),
    binary("and", lambda lib, a, b: a & b, np.bitwise_and, (BOOL, BOOL), differentiable=False),
    binary("or", lambda lib, a, b: a | b, np.bitwise_or, (BOOL, BOOL), differentiable=False),
    binary("xor", lambda lib, a, b: a ^ b, np.bitwise_xor, (BOOL, BOOL), differentiable=False),
    binary("and_int", lambda lib, a, b: a & b, np.bitwise_and, (INT, INT), differentiable=False),
    binary("or_int", lambda lib, a, b: a | b, np.bitwise_or, (INT, INT), differentiable=False),
    unary("invert", lambda lib, a: ~a, np.invert, BOOL, differentiable=False),
    unary("invert_int", lambda lib, a: ~a, np.invert, INT, differentiable=False),
    unary("logical_not", lambda lib, a: lib.logical_not(a), np.logical_not, INT, differentiable=False),
    binary("equal", lambda lib, a, b: lib.equal(a, b), lambda a, b: a.shape == b.shape and bool(np.all(a == b)),
           (BOOL, BOOL), differentiable=False),
    binary("allclose", lambda lib, a, b: lib.allclose(a, b, atol=0.15), lambda a, b: bool(np.allclose(a, b, atol=0.15)),
           (EVEN_TENTHS, EVEN_TENTHS), differentiable=False),
    # Reductions.
    Op("sum", lambda lib, a, **p: a.sum(**p), _reduce(np.sum), dim_case(empty=True, pass_none=False), (REAL,),
       _sum_name),
    Op("sum_function", lambda lib, a, **p: lib.sum(a, **p), _reduce(np.sum), dim_case(pass_none=False), (REAL,),
       _sum_name),
    Op("sum_all", lambda lib, a: lib.sum(a), np.sum, shapes_of(), (REAL,), "SumBackward0"),
    Op("mean", lambda lib, a, **p: a.mean(**p), _reduce(np.mean), dim_case(empty=True, pass_none=False), (REAL,),
       _mean_name),
    Op("prod", lambda lib, a, **p: a.prod(**p), _prod_dims, dim_case(tuples=False, none=False), (NONZERO,),
       "ProdBackward1"),
    Op("prod_all", lambda lib, a: a.prod(), np.prod, shapes_of(), (NONZERO,), "ProdBackward0"),
    Op("var", lambda lib, a, **p: a.var(**p), _var, dim_case(min_dims=1, min_side=2), (REAL,), "VarBackward0"),
    Op("var_uncorrected", lambda lib, a, **p: a.var(**p, correction=0), lambda a, **p: _var(a, **p, correction=0),
       dim_case(), (REAL,), "VarBackward0"),
    Op("std", lambda lib, a, **p: a.std(**p), _std, dim_case(min_dims=1, min_side=2), (REAL,), "StdBackward0"),
    Op("std_function", lambda lib, a, **p: lib.std(a, **p, correction=0), lambda a, **p: _std(a, **p, correction=0),
       dim_case(min_dims=1, min_side=2), (REAL,), "StdBackward0"),
    Op("max_all", lambda lib, a: a.max(), np.max, shapes_of(), (DISTINCT,), "MaxBackward1"),
    Op("min_all", lambda lib, a: lib.min(a), np.min, shapes_of(), (DISTINCT,), "MinBackward1"),
    Op("max_dim", lambda lib, a, **p: tuple(a.max(**p)), _max_along(np.max, np.argmax), dim_case(tuples=False, none=False),
       (DISTINCT,), "MaxBackward0"),
    Op("min_dim", lambda lib, a, **p: tuple(lib.min(a, **p)), _max_along(np.min, np.argmin),
       dim_case(tuples=False, none=False), (DISTINCT,), "MinBackward0"),
    Op("amax", lambda lib, a, **p: a.amax(**p), _reduce(np.max), dim_case(none=False), (DISTINCT,), "AmaxBackward0"),
    Op("amin", lambda lib, a, **p: lib.amin(a, **p), _reduce(np.min), dim_case(none=False), (DISTINCT,),
       "AminBackward0"),
    Op("argmax", lambda lib, a, **p: a.argmax(**p), _arg(np.argmax), dim_case(tuples=False), (DISTINCT,),
       differentiable=False),
    Op("argmin", lambda lib, a, **p: lib.argmin(a, **p), _arg(np.argmin), dim_case(tuples=False), (DISTINCT,),
       differentiable=False),
    Op("all", lambda lib, a, **p: a.all(**p), _reduce(np.all), dim_case(), (BOOL,), differentiable=False),
    Op("any", lambda lib, a, **p: lib.any(a, **p), _reduce(np.any), dim_case(), (BOOL,), differentiable=False),
    Op("all_float", lambda lib, a: a.all(), np.all, shapes_of(), (EVEN_TENTHS,), differentiable=False),
    Op("logsumexp", lambda lib, a, **p: a.logsumexp(**p), _logsumexp, dim_case(none=False), (REAL,),
       "LogsumexpBackward0"),
    Op("logsumexp_function", lambda lib, a, **p: lib.logsumexp(a, **p), _logsumexp, dim_case(none=False, tuples=False),
       (REAL,), "LogsumexpBackward0"),
    Op("norm", lambda lib, a, **p: a.norm(2, **p), _norm(2), dim_case(pass_none=False), (NONZERO,),
       "LinalgVectorNormBackward0"),
    # 'fro' (the default) over more than 2 dims is a matrix norm in torch, and an error.
    Op("norm_fro_dim", lambda lib, a, dim: a.norm(dim=dim), lambda a, dim: _norm(2)(a, dim), one_dim_case(min_dims=0),
       (NONZERO,), "LinalgVectorNormBackward0"),
    Op("norm_function", lambda lib, a: lib.norm(a), _norm(2), shapes_of(), (NONZERO,), "LinalgVectorNormBackward0"),
    Op("norm_1", lambda lib, a, **p: a.norm(1, **p), _norm(1), dim_case(pass_none=False), (NONZERO,),
       "LinalgVectorNormBackward0"),
    Op("norm_3", lambda lib, a, **p: a.norm(3, **p), _norm(3), dim_case(pass_none=False), (NONZERO,),
       "LinalgVectorNormBackward0"),
    Op("norm_1_5", lambda lib, a, **p: a.norm(1.5, **p), _norm(1.5), dim_case(pass_none=False), (NONZERO,),
       "LinalgVectorNormBackward0"),
    Op("norm_inf", lambda lib, a, **p: a.norm(float("inf"), **p), _norm(np.inf), dim_case(pass_none=False),
       (DISTINCT_MAGNITUDES,),
       "LinalgVectorNormBackward0"),
    Op("softmax", lambda lib, a, dim: a.softmax(dim), _softmax, one_dim_case(min_dims=0), (REAL,), "SoftmaxBackward0"),
    Op("softmax_function", lambda lib, a, dim: lib.softmax(a, dim=dim), _softmax, one_dim_case(), (REAL,),
       "SoftmaxBackward0"),
    Op("log_softmax", lambda lib, a, dim: lib.log_softmax(a, dim), _log_softmax, one_dim_case(min_dims=0), (REAL,),
       "LogSoftmaxBackward0"),
    # Matrix products.
    Op("matmul", lambda lib, a, b: a @ b, np.matmul, matmul_case(), (REAL, REAL), matmul_grad_fn),
    Op("matmul_function", lambda lib, a, b: lib.matmul(a, b), np.matmul, matmul_case(), (REAL, REAL), matmul_grad_fn),
    Op("mm", lambda lib, a, b: a.mm(b), np.matmul, mm_case(), (REAL, REAL), "MmBackward0"),
    # Shapes and views.
    Op("view", lambda lib, a, shape: a.view(*shape) if shape else a.view(shape), _view, view_case(), (REAL,), "ViewBackward0"),
    Op("view_tuple", lambda lib, a, shape: a.view(shape), _view, view_case(), (REAL,), "ViewBackward0"),
    Op("reshape", lambda lib, a, shape: a.reshape(shape), _view, view_case(), (REAL,), "ViewBackward0"),
    Op("reshape_copy", lambda lib, a: a.t().reshape(-1), lambda a: a.T.reshape(-1),
       shapes_of(min_dims=2, max_dims=2, min_side=2), (REAL,), "UnsafeViewBackward0"),
    Op("flatten", lambda lib, a, **p: a.flatten(**p), _flatten, flatten_case(), (REAL,)),
    Op("t", lambda lib, a: a.t(), np.transpose, shapes_of(max_dims=2), (REAL,), "TBackward0"),
    Op("T", lambda lib, a: a.T, np.transpose, shapes_of(min_dims=2, max_dims=2), (REAL,), "PermuteBackward0"),
    Op("mT", lambda lib, a: a.mT, lambda a: np.swapaxes(a, -1, -2), shapes_of(min_dims=2), (REAL,),
       "TransposeBackward0"),
    Op("transpose", lambda lib, a, **p: a.transpose(p["dim0"], p["dim1"]),
       lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1), transpose_case(), (REAL,), "TransposeBackward0"),
    Op("permute", lambda lib, a, dims: a.permute(*dims) if dims else a.permute(dims), lambda a, dims: np.transpose(a, dims), permute_case(),
       (REAL,), "PermuteBackward0"),
    Op("permute_function", lambda lib, a, dims: lib.permute(a, dims), lambda a, dims: np.transpose(a, dims),
       permute_case(), (REAL,), "PermuteBackward0"),
    Op("squeeze", lambda lib, a, **p: a.squeeze(**p), _squeeze, squeeze_case(), (REAL,), _squeeze_name),
    Op("unsqueeze", lambda lib, a, dim: a.unsqueeze(dim), lambda a, dim: np.expand_dims(a, dim % (a.ndim + 1)),
       one_dim_case(min_dims=0, extra=1), (REAL,), "UnsqueezeBackward0"),
    Op("expand", lambda lib, a, sizes: a.expand(*sizes) if sizes else a.expand(sizes), _expand, expand_case(), (REAL,), "ExpandBackward0"),
    Op("expand_as", lambda lib, a, b: a.expand_as(b) * b, lambda a, b: a * b,
       broadcastable(2).filter(lambda c: np.broadcast_shapes(*c.shapes) == c.shapes[1]), (REAL, REAL),
       "MulBackward0"),
    Op("contiguous", lambda lib, a: a.transpose(0, -1).contiguous(), lambda a: np.swapaxes(a, 0, -1).copy(),
       shapes_of(min_dims=2, min_side=2), (REAL,), "CloneBackward0"),
    Op("flip", lambda lib, a, dims: a.flip(dims), lambda a, dims: np.flip(a, dims), flip_case(), (REAL,),
       "FlipBackward0"),
    Op("cat", lambda lib, *ts, dim: lib.cat(ts, dim), lambda *arrays, dim: np.concatenate(arrays, axis=dim),
       cat_case(), (REAL, REAL, REAL), "CatBackward0"),
    Op("stack", lambda lib, *ts, dim: lib.stack(list(ts), dim=dim), lambda *arrays, dim: np.stack(arrays, axis=dim),
       cat_case(same=True), (REAL, REAL, REAL), "StackBackward0"),
    Op("split", lambda lib, a, split_size, dim: a.split(split_size, dim), _split, split_case(), (REAL,),
       "SplitBackward0"),
    Op("split_sections", lambda lib, a, sections, dim: lib.split(a, sections, dim),
       lambda a, sections, dim: _pieces(a, sections, dim), sections_case(), (REAL,), "SplitWithSizesBackward0"),
    Op("chunk", lambda lib, a, chunks, dim: a.chunk(chunks, dim), _chunk, split_case(chunk=True), (REAL,),
       "SplitBackward0"),
    Op("repeat", lambda lib, a, repeats: a.repeat(*repeats) if repeats else a.repeat(repeats),
       lambda a, repeats: np.tile(a, repeats), repeat_case(), (REAL,), "RepeatBackward0"),
    Op("unbind", lambda lib, a, dim: a.unbind(dim), lambda a, dim: tuple(np.moveaxis(a, dim, 0)),
       one_dim_case(), (REAL,), "UnbindBackward0"),
    # Indexing.
    unary("index_int", lambda lib, a: a[0], lambda a: a[0], cases=_shape_at_least(1), grad_fn="SelectBackward0"),
    unary("index_negative", lambda lib, a: a[..., -1], lambda a: a[..., -1], cases=_shape_at_least(1),
          grad_fn="SelectBackward0"),
    unary("index_slice", lambda lib, a: a[1:], lambda a: a[1:], cases=_shape_at_least(1), grad_fn="SliceBackward0"),
    unary("index_step", lambda lib, a: a[:, ::2], lambda a: a[:, ::2], cases=_shape_at_least(2),
          grad_fn="SliceBackward0"),
    unary("index_none", lambda lib, a: a[None, ..., None], lambda a: a[None, ..., None], grad_fn="UnsqueezeBackward0"),
    unary("index_ellipsis", lambda lib, a: a[...], lambda a: a[...], grad_fn="AliasBackward0"),
    unary("index_mixed", lambda lib, a: a[0, None, 1:], lambda a: a[0, None, 1:], cases=_shape_at_least(2),
          grad_fn="SliceBackward0"),
    unary("index_list_repeats", lambda lib, a: a[[0, 0, -1, 0]], lambda a: a[[0, 0, -1, 0]],
          cases=_shape_at_least(1), grad_fn="IndexBackward0"),
    unary("index_tensor", lambda lib, a: a[lib.tensor([[1, 0], [1, 1]])], lambda a: a[np.array([[1, 0], [1, 1]])],
          cases=_shape_at_least(1, min_side=2), grad_fn="IndexBackward0"),
    unary("index_two_lists", lambda lib, a: a[[0, 1, 0], [1, 0, 1]], lambda a: a[[0, 1, 0], [1, 0, 1]],
          cases=_shape_at_least(2, min_side=2), grad_fn="IndexBackward0"),
    unary("index_mask", lambda lib, a: a[a > 0], lambda a: a[a > 0], ODD_TWENTIETHS, grad_fn="IndexBackward0"),
    Op("index_mask_leading", lambda lib, a, m: a[m], lambda a, m: a[m], mask_case(), (REAL, BOOL), "IndexBackward0"),
    Op("index_mask_after_slice", lambda lib, a, m: a[:, m], lambda a, m: a[:, m], mask_case(after=1), (REAL, BOOL),
       "IndexBackward0"),
]

BY_NAME = {op.name: op for op in OPS}
assert len(BY_NAME) == len(OPS), "op names must be unique"
DIFFERENTIABLE = [op for op in OPS if op.differentiable]
