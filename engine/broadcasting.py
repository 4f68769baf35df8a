"""Broadcasting: the shape that tensors of several shapes stretch to.

(Its adjoint, summing a gradient back to a shape, is `ops.reductions.sum_to_shape`.)

>>> broadcast_shapes((2, 1), (3,))
torch.Size([2, 3])
"""
from .size import Size


def broadcast_shapes(*shapes):
    """The shape that all `shapes` stretch to, or torch's error naming the first clash."""
    ndim = max(len(s) for s in shapes)
    result = [1] * ndim
    for position in range(-1, -ndim - 1, -1):
        for shape in shapes:
            if len(shape) < -position:
                continue
            size = shape[position]
            if size == result[position] or size == 1:
                continue
            if result[position] == 1:
                result[position] = size
                continue
            first = next(s for s in shapes if len(s) >= -position and s[position] not in (1, size))
            raise RuntimeError(
                f"The size of tensor a ({first[position]}) must match the size of tensor b ({size}) "
                f"at non-singleton dimension {ndim + position}"
            )
    return Size(result)


def expands_to(shape, target):
    """True when a tensor of `shape` broadcasts to exactly `target`."""
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(target)))
