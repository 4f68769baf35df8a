"""Broadcasting, and its adjoint: a gradient is summed back over the dimensions that were stretched.

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


def sum_to_shape(tensor, shape):
    """Sum `tensor` down to `shape`: the backward of broadcasting `shape` up to `tensor.shape`.

    Written with engine operations, so it is recorded when the backward pass is.
    """
    shape = tuple(shape)
    if tensor._data.shape == shape:
        return tensor
    leading = tensor._data.ndim - len(shape)
    stretched = tuple(range(leading)) + tuple(
        leading + i for i, size in enumerate(shape) if size == 1 and tensor._data.shape[leading + i] != 1
    )
    if stretched == tuple(range(leading)):  # only new leading dims: sum them away directly
        return Sum.apply(tensor, stretched, False)
    result = Sum.apply(tensor, stretched, True) if stretched else tensor
    return reshape_to(result, shape)


from .ops.reductions import Sum  # noqa: E402  (the ops modules import this one first)
from .ops.views import reshape_to  # noqa: E402
