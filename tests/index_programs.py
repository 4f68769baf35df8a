"""Seeded random indexing programs, run under the engine and under torch by tests/test_indexing.py.

Each seed draws a tensor shape and an index mixing ints, slices, None, ..., int lists, 2-D int
tensors, bool masks over one or two dims and Python bools, in any order: so advanced indices
that are separated, repeated positions, masks after `...`, out-of-range positions and indices
that do not broadcast all turn up. A program reads with the index (values, then the gradient of
a weighted sum), then writes through it twice: once outside autograd and once while recording,
with a value shaped like the result or broadcast into it. Each step's result, or its error type
and message, must be torch's.
"""
import numpy as np

PART_KINDS = ["int", "0-d tensor", "slice", "full slice", "None", "...", "list", "float list", "2-D tensor", "mask",
              "bool"]
PART_WEIGHTS = [0.17, 0.03, 0.15, 0.07, 0.1, 0.08, 0.17, 0.03, 0.07, 0.1, 0.03]


def draw_shape(rng):
    low = 0 if rng.random() < 0.1 else 1  # sometimes an empty dim
    return tuple(int(size) for size in rng.integers(low, 4, rng.integers(1, 4)))


def draw_index(rng, shape):
    """A list of (kind, data) parts; `build` turns it into either library's index."""
    parts, dim, ellipsis_used = [], 0, False
    for _ in range(rng.integers(1, 5)):
        kind = str(rng.choice(PART_KINDS, p=PART_WEIGHTS))
        size = shape[dim] if dim < len(shape) else 3  # past the last dim: a bad index, on purpose
        if kind == "int":
            parts.append(("int", int(rng.integers(-size, size)) if size else 0))
        elif kind == "0-d tensor":
            parts.append(("tensor", np.array(int(rng.integers(-size, size)) if size else 0)))
        elif kind == "float list":  # torch truncates the floats to positions
            parts.append(("list", [float(v) for v in rng.uniform(-size + 0.5, size - 0.5, rng.integers(1, 3))]
                          if size else []))
        elif kind == "slice":
            parts.append(("slice", (int(rng.integers(0, 3)), int(rng.integers(1, 5)), int(rng.integers(1, 3)))))
        elif kind == "full slice":
            parts.append(("slice", (None, None, None)))
        elif kind == "None":
            parts.append(("None", None))
        elif kind == "..." and not ellipsis_used:
            ellipsis_used = True
            parts.append(("...", None))
        elif kind == "list":
            parts.append(("list", [int(v) for v in rng.integers(-size, size, rng.integers(0, 4))] if size else []))
        elif kind == "2-D tensor":
            parts.append(("tensor", rng.integers(-size, size, (2, int(rng.integers(1, 3)))) if size
                          else np.zeros((2, 0), np.int64)))
        elif kind == "mask":
            dims = int(rng.integers(1, 3))
            mask_shape = shape[dim:dim + dims] if dim + dims <= len(shape) else (3,) * dims
            parts.append(("mask", rng.random(mask_shape) < 0.5))
            dim += dims - 1
        elif kind == "bool":
            parts.append(("bool", bool(rng.random() < 0.7)))
            continue
        else:
            continue
        dim += kind not in ("None", "...")
    return parts


def build(lib, parts):
    """The index `parts` describe, for `lib` (engine or torch)."""
    index = []
    for kind, data in parts:
        if kind == "slice":
            index.append(slice(*data))
        elif kind == "None":
            index.append(None)
        elif kind == "...":
            index.append(Ellipsis)
        elif kind in ("tensor", "mask"):
            index.append(lib.tensor(data))
        elif kind == "list":
            index.append(list(data))
        else:
            index.append(data)
    return tuple(index)


def describe(parts):
    return ", ".join(f"{kind}{list(data.shape) if isinstance(data, np.ndarray) else '' if data is None else data}"
                     for kind, data in parts)


def read(lib, seed, values, parts):
    """x[index], and the gradient of a weighted sum of it."""
    x = lib.tensor(values, requires_grad=True)
    result = x[build(lib, parts)]
    weights = lib.tensor(np.random.default_rng(seed).standard_normal(tuple(result.shape)))
    (result * weights).sum().backward()
    return result, x.grad


def write(lib, seed, values, parts, value_shape, recording):
    """x[index] = value; while recording, also the gradients of x and of value."""
    x = lib.tensor(values, requires_grad=recording)
    target = x * 1 if recording else x
    value = lib.tensor(np.random.default_rng(seed + 1).standard_normal(value_shape), requires_grad=recording)
    target[build(lib, parts)] = value
    if not recording:
        return (target,)
    (target * lib.tensor(values)).sum().backward()
    return target, x.grad, value.grad
