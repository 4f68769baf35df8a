"""Seeded random layout programs, run under the engine and torch by tests/test_views.py.

Each seed makes a tensor with a random layout (a permutation of a contiguous block, sometimes
sliced with a step, transposed or expanded), applies one operation to it (clone, a *_like, a
unary or binary elementwise op with another tensor of its own layout, possibly broadcast, a
reduction along a dim with or without keepdim, softmax, cat, stack, contiguous), and reports
what decides whether `.view` works: is_contiguous(), stride(), and whether `.view(-1)` succeeds.
"""
import numpy as np

OPERATIONS = ["clone", "zeros_like", "exp", "neg", "add", "mul", "sub", "maximum", "gt", "where", "add scalar",
              "add broadcast", "sum", "mean", "amax", "softmax", "cat", "stack", "contiguous", "in place"]


def draw(rng):
    """A recipe: the base shape, the permutation, an optional step slice, the operation and its details."""
    ndim = int(rng.integers(2, 4))
    shape = [int(s) for s in rng.integers(2, 5, ndim)]  # no size-1 or empty dims: torch leaves their strides free
    step = int(rng.integers(0, ndim)) if rng.random() < 0.25 else None
    if step is not None:
        shape[step] = max(shape[step], 3)  # still more than one element after taking every other one
    return {
        "shape": tuple(shape),
        "perm": [int(p) for p in rng.permutation(ndim)],
        "step": step,
        "operation": str(rng.choice(OPERATIONS)),
        "other_perm": [int(p) for p in rng.permutation(ndim)],
        "dim": int(rng.integers(0, ndim)),
        "keepdim": bool(rng.random() < 0.5),
        "other_first": bool(rng.random() < 0.5),
    }


def _laid_out(lib, shape, perm, step=None):
    size = int(np.prod(shape))
    base = lib.arange(float(size)).reshape([shape[p] for p in np.argsort(perm)]).permute(*[int(i) for i in perm])
    if step is not None:
        index = [slice(None)] * len(shape)
        index[step] = slice(None, None, 2)
        base = base[tuple(index)]
    return base


def run(lib, recipe):
    x = _laid_out(lib, recipe["shape"], recipe["perm"], recipe["step"])
    other = _laid_out(lib, tuple(x.shape), recipe["other_perm"])
    first, second = (other, x) if recipe["other_first"] else (x, other)
    dim, keepdim, operation = recipe["dim"], recipe["keepdim"], recipe["operation"]
    result = {
        "clone": lambda: x.clone(),
        "zeros_like": lambda: lib.zeros_like(x),
        "exp": lambda: x.exp(),
        "neg": lambda: -x,
        "add": lambda: first + second,
        "mul": lambda: first * second,
        "sub": lambda: first - second,
        "maximum": lambda: lib.maximum(first, second),
        "gt": lambda: first > second,
        "where": lambda: lib.where(first > 3, first, second),
        "add scalar": lambda: x + 2,
        "add broadcast": lambda: (x + other.sum(dim, keepdim=True)) if not recipe["other_first"]
        else (other.sum(dim, keepdim=True) + x),
        "sum": lambda: x.sum(dim, keepdim=keepdim),
        "mean": lambda: x.mean(dim, keepdim=keepdim),
        "amax": lambda: x.amax(dim, keepdim=keepdim),
        "softmax": lambda: x.softmax(dim),
        "cat": lambda: lib.cat([x, x], dim),
        "stack": lambda: lib.stack([x, x], dim),
        "contiguous": lambda: x.contiguous(),
        "in place": lambda: x.clone().mul_(3),
    }[operation]()
    try:
        result.view(-1)
        viewed = True
    except RuntimeError:
        viewed = False
    return result.is_contiguous(), tuple(result.stride()), viewed
