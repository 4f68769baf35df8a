"""Shape functions: views (view, transpose, expand, ...) and joining and splitting (cat, stack, split, ...)."""
import builtins

import numpy as np

from .. import dtypes
from ..ops import indexing, joining, views
from ..size import Size
from ..tensor import Tensor, _normalize_dim
from .out import _into


def _shape_argument(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or isinstance(n, builtins.bool):
            raise TypeError(f"shape must be a sequence of ints, but found element of type {type(n).__name__}")
    return tuple(builtins.int(n) for n in shape)


def _infer_shape(shape, numel):
    """Replace a single -1 in `shape` by the size that makes the element count match."""
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, n in enumerate(shape):
        if n < -1:
            raise RuntimeError(f"invalid shape dimension {n} at index {i} of shape [{', '.join(map(str, shape))}]")
    known = 1
    for n in shape:
        if n != -1:
            known *= n
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape = shape[: unknown[0]] + (numel // known,) + shape[unknown[0] + 1 :]
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return shape


def view(input, *shape):
    """The same memory read with a new shape (one size may be -1); never copies."""
    shape = _infer_shape(_shape_argument(shape), input._data.size)
    return views.View.apply(input, shape)


def reshape(input, *shape):
    """Like view, but copies when the memory layout does not allow a view."""
    shape = _infer_shape(_shape_argument(shape), input._data.size)
    if views.reshaped_view(input._data, shape) is None:
        return views.reshape_copy(input, shape)
    return views.View.apply(input, shape)


def flatten(input, start_dim=0, end_dim=-1):
    start, end = _normalize_dim(start_dim, input.ndim), _normalize_dim(end_dim, input.ndim)
    if input.ndim == 0:
        return reshape(input, 1)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])


def t(input):
    """Transpose of a matrix (a vector or scalar is returned as is)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return views.TransposeMatrix.apply(input, tuple(range(input.ndim))[::-1])


def transpose(input, dim0, dim1):
    dim0, dim1 = _normalize_dim(dim0, input.ndim), _normalize_dim(dim1, input.ndim)
    order = list(range(input.ndim))
    if order:  # a 0-d tensor has one "dim 0" to swap with itself
        order[dim0], order[dim1] = order[dim1], order[dim0]
    return views.Transpose.apply(input, tuple(order))


swapaxes = transpose


def permute(input, *dims):
    dims = _shape_argument(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired "
            f"ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}"
        )
    normalized = tuple(_normalize_dim(d, input.ndim) for d in dims)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return views.Permute.apply(input, normalized)


def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all of them, or those in `dim` that have size 1)."""
    shape = input._data.shape
    if dim is None:
        return views.Squeeze.apply(input, tuple(i for i, n in enumerate(shape) if n == 1))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    normalized = tuple(_normalize_dim(d, input.ndim) for d in dims) if input.ndim else ()
    function = views.SqueezeDim if not isinstance(dim, (tuple, list)) else views.SqueezeDims
    return function.apply(input, tuple(d for d in normalized if shape[d] == 1))


def unsqueeze(input, dim):
    """A new dimension of size 1 at position `dim`."""
    return views.Unsqueeze.apply(input, _normalize_dim(dim, input.ndim + 1))


def expand(input, *sizes):
    """Repeat size-1 dimensions to `sizes` (-1 keeps a size) without copying."""
    sizes = _shape_argument(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({_type_name(input)}{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
            f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(shape)})"
        )
    leading = len(sizes) - len(shape)
    target = []
    for i, size in reversed(list(enumerate(sizes))):  # from the last dim, so errors name the one torch names
        current = shape[i - leading] if i >= leading else None
        if size == -1:
            if current is None:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}")
            size = current
        elif current is not None and current != 1 and current != size:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size ({current}) at non-singleton "
                f"dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  Tensor sizes: [{', '.join(map(str, shape))}]"
            )
        target.append(size)
    return views.Expand.apply(input, tuple(reversed(target)))


def broadcast_to(input, size):
    return expand(input, size)


def flip(input, dims):
    """Reverse the order of elements along `dims` (a copy: tensors have no negative strides)."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    normalized = tuple(_normalize_dim(d, input.ndim) for d in dims)
    if len(set(normalized)) != len(normalized):
        duplicate = next(d for d in normalized if normalized.count(d) > 1)
        raise RuntimeError(f"dim {duplicate} appears multiple times in the list of dims")
    return views.Flip.apply(input, normalized if input.ndim else ())


def _type_name(tensor):
    return f"torch.{tensor.dtype._legacy}"


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dimension; the other sizes must match."""
    tensors = _tensor_list(tensors, "cat")
    if out is not None:
        return _into(out, "cat", lambda: cat(tensors, dim), *tensors)
    for position, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {position}) cannot be concatenated")
    shaped = [t for t in tensors if not _legacy_empty(t)]  # torch skips 1-D empty tensors
    if not shaped:
        return joining.Cat.apply(0, _common(tensors), *tensors)
    reference = shaped[0]
    dim = _normalize_dim(dim, reference.ndim)
    for number, t in enumerate(tensors):
        if _legacy_empty(t):
            continue
        if t.ndim != reference.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {reference.ndim} and {t.ndim}")
        for d in range(reference.ndim):
            if d != dim and t._data.shape[d] != reference._data.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {reference._data.shape[d]} "
                    f"but got size {t._data.shape[d]} for tensor number {number} in the list."
                )
    return joining.Cat.apply(dim, _common(tensors), *tensors)


def _legacy_empty(tensor):
    return tensor._data.ndim == 1 and tensor._data.size == 0


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of one shape along a new dimension."""
    tensors = _tensor_list(tensors, "stack")
    if out is not None:
        return _into(out, "stack", lambda: stack(tensors, dim), *tensors)
    for number, t in enumerate(tensors):
        if t._data.shape != tensors[0]._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0]._data.shape)} at entry 0 and "
                f"{list(t._data.shape)} at entry {number}"
            )
    dim = _normalize_dim(dim, tensors[0].ndim + 1)
    return joining.Stack.apply(dim, _common(tensors), *tensors)


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:  # torch checks these in two different places, with two different words
        if name == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{name}(): expected a non-empty list of Tensors")
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got {type(t).__name__}")
    return tensors


def _common(tensors):
    result = tensors[0].dtype
    for t in tensors[1:]:
        result = dtypes.promote_types(result, t.dtype)
    return result


def split(tensor, split_size_or_sections, dim=0):
    """Consecutive pieces of a size (the last may be smaller), or of the listed sizes; views."""
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _normalize_dim(dim, tensor.ndim)
    length = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = builtins.int(split_size_or_sections)
        if size == 0 and length != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {length}")
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        sizes = [size] * (length // size) + ([length % size] if length % size else []) if size else [0]
    else:
        sizes = [builtins.int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's size at dimension "
                f"{dim}), but got split_sizes={sizes}"
            )
    function = joining.Split if isinstance(split_size_or_sections, (int, np.integer)) else joining.SplitWithSizes
    return function.apply(tensor, tuple(sizes), dim)  # a tuple, even of one piece


def chunk(input, chunks, dim=0):
    """Split into `chunks` pieces of equal size (the last may be smaller)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    length = input._data.shape[_normalize_dim(dim, input.ndim)]
    if length == 0:  # as many empty pieces as asked for, as torch (a split size of 0 would give one)
        return split(input, [0] * chunks, dim)
    return split(input, -(-length // chunks), dim)


def _repeat(input, *repeats):
    """The tensor tiled `repeats[i]` times along dim i (extra leading repeats add dims); a copy."""
    if len(repeats) == 1 and isinstance(repeats[0], (tuple, list, Size)):
        repeats = tuple(repeats[0])
    if not repeats and input.ndim:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    for n in repeats:
        if not isinstance(n, (builtins.int, np.integer)) or isinstance(n, builtins.bool):
            raise TypeError(f"repeat(): argument 'repeats' (position 1) must be tuple of ints, not {type(n).__name__}")
    if len(repeats) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(repeats) - input.ndim) + input._data.shape
    target = [builtins.int(n) * size for n, size in zip(repeats, padded)]
    negative = next((n for n in target if n < 0), None)
    if negative is not None:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: {target}")
    return joining.Repeat.apply(input, tuple(builtins.int(n) for n in repeats))


def select(input, dim, index, *, _method=False):
    """input[..., index, ...] with the index at dimension `dim`: a view with that dimension removed."""
    first = 1 if _method else 2  # torch counts the arguments from 1, and input is not one for the method
    for position, (name, value) in enumerate((("dim", dim), ("index", index)), start=first):
        if isinstance(value, (builtins.bool, np.bool_)) or not isinstance(value, (int, np.integer, Tensor)):
            raise TypeError(f"select(): argument '{name}' (position {position}) must be int, not {type(value).__name__}")
    dim, index = builtins.int(dim), builtins.int(index)
    if input._data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _normalize_dim(dim, input.ndim)
    size = input._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input._data.shape)} at dimension {dim}"
        )
    return indexing.Select.apply(input, (slice(None),) * dim + (index,))


def unbind(input, dim=0):
    """Every slice along `dim`, as a tuple of views."""
    dim = _normalize_dim(dim, input.ndim)
    if not input.ndim:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return joining.Unbind.apply(input, dim)  # a tuple, even of one slice
