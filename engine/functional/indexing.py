"""Indexing: reading a torch index, translating it to NumPy, and `x[i]` and `x[i] = v`."""
import builtins
import math
import warnings

import numpy as np

from .. import layout
from ..creation import tensor
from ..ops import indexing
from ..tensor import Tensor, _warn_at_caller, _wrap, _wrapped_number
from .in_place import _check_inplace, _commit_inplace, _edge, _records, copy_
from .out import _OVERLAP, _check_no_overlap
from .shapes import expand


_NON_TUPLE_SEQUENCE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in pytorch 2.9; "
    "use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor index, "
    "x[torch.tensor(seq)], which will result either in an error or a different result"
)
_SEQUENCES = (Tensor, list, tuple, range, np.ndarray, slice)


def _index_parts(index):
    """The parts of an index, as a tuple: torch reads a list as one index, unless it holds tensors, lists, slices,
    None or ... (then it is read as a tuple, with a warning)."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and builtins.any(
        isinstance(p, _SEQUENCES) or p is None or p is Ellipsis for p in index
    ):
        warnings.warn(_NON_TUPLE_SEQUENCE, UserWarning, stacklevel=5)  # at the caller's x[...]
        return tuple(index)
    return (index,)


def _index_array(values):
    """A list used as an index, as torch reads it: a bool mask, or int64 positions (floats truncated)."""
    array = tensor(values)._data
    if array.dtype.kind in "bi":
        return array if array.dtype.kind == "b" else array.astype(np.int64, copy=False)
    if array.size and not (np.isfinite(array).all() and (np.abs(array) < 2.0 ** 63).all()):
        raise RuntimeError("value cannot be converted to type int64 without overflow")
    return np.trunc(array).astype(np.int64)


def _index_part(part):
    """One component of an index, checked and converted for NumPy."""
    if isinstance(part, slice):
        if part.step == 0:
            raise ValueError("slice step cannot be zero")  # Python's own words, which torch lets through
        if part.step is not None and part.step < 0:
            raise ValueError("step must be greater than zero")
        return part
    if isinstance(part, str):  # torch tries to make a tensor of it
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(part, Tensor):
        if part._check_index is not None:
            part._check_index()
        kind = part._data.dtype.kind
        if kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if kind != "b" and part._data.ndim == 0:
            return builtins.int(part._data)
        return part._data
    if isinstance(part, (list, tuple, range)):
        return _index_array(list(part))
    if isinstance(part, np.ndarray):
        return part
    if isinstance(part, (builtins.bool, np.bool_)):
        return np.asarray(part)
    if isinstance(part, (int, np.integer)):
        return builtins.int(part)
    if part is None or part is Ellipsis:
        return part
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices "
        f"(got {type(part).__name__})"
    )


def _dims_taken(part):
    """How many dimensions of the indexed tensor one part uses up."""
    if part is None or part is Ellipsis:
        return 0
    if isinstance(part, np.ndarray) and part.dtype == np.bool_:
        return part.ndim  # x[True] takes none: it adds a dim, like None
    return 1


def _numpy_index(tensor, index):
    """Translate a torch index to a NumPy index that gives torch's result, raising torch's errors for bad ones.

    torch first applies the ints, slices and None, then indexes the dims that are left with the
    arrays and masks. Where the arrays sit next to each other there, their broadcast dims take
    their place; otherwise they go first. NumPy counts ints as arrays too (and an empty ... as a
    separator), so where the two rules disagree, as in x[1, :, [0, 3]], every dim gets an integer
    array shaped to land where torch puts it.
    """
    parts = [_index_part(p) for p in _index_parts(index)]
    ellipses = [i for i, p in enumerate(parts) if p is Ellipsis]
    if len(ellipses) > 1:  # torch lets every ... after the first cover no dims; NumPy refuses them
        parts = [p for i, p in enumerate(parts) if p is not Ellipsis or i == ellipses[0]]
    shape = tensor._data.shape
    consumed = builtins.sum(_dims_taken(p) for p in parts)
    if consumed > len(shape):
        if not shape and len(parts) == 1 and isinstance(parts[0], slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if not shape and len(parts) == 1 and isinstance(parts[0], int):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                "convert a 0-dim tensor to a number"
            )
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    kept = []  # what torch indexes with the arrays: (kind, input dim or None, part), one per dim left after the ints
    torch_kinds, numpy_kinds = [], []  # under each rule, "a" for an advanced part and "b" for any other dim
    masks = []  # (position in kept, mask, input dim), checked once every int has been applied, as torch does
    selected = {}  # input dim -> the int that selects it
    array_dims = {}  # position in the index -> input dim, for each integer array
    dim, ellipsis_seen = 0, False
    for position, part in enumerate(parts):
        if part is Ellipsis:
            covered = 0 if ellipsis_seen else len(shape) - consumed
            ellipsis_seen = True
            kept += [("slice", d, slice(None)) for d in range(dim, dim + covered)]
            torch_kinds += ["b"] * covered
            numpy_kinds += ["b"] * builtins.max(covered, 1)  # NumPy's ... separates even when it covers nothing
            dim += covered
        elif part is None:
            kept.append(("new", None, None))
            torch_kinds.append("b")
            numpy_kinds.append("b")
        elif isinstance(part, int):
            size = shape[dim]
            if not -size <= part < size:  # torch names the position in the index, not the dim
                raise IndexError(f"index {part} is out of bounds for dimension {position} with size {size}")
            numpy_kinds.append("a")
            selected[dim] = part
            dim += 1
        elif isinstance(part, slice):
            kept.append(("slice", dim, part))
            torch_kinds.append("b")
            numpy_kinds.append("b")
            dim += 1
        else:
            torch_kinds.append("a")
            numpy_kinds.append("a")
            if part.dtype != np.bool_:
                kept.append(("array", dim, part))
                array_dims[position] = dim
            elif not part.ndim:  # x[True]: torch adds a dim of size 1 and indexes it with [0] ([] for False)
                kept.append(("array", None, np.zeros(builtins.int(part), dtype=np.int64)))
            else:
                masks.append((len(kept), part, dim))
                kept += [("array", dim + i, None) for i in range(part.ndim)]  # filled below
            dim += _dims_taken(part)
    kept += [("slice", d, slice(None)) for d in range(dim, len(shape))]
    if "a" not in torch_kinds:
        return tuple(parts)
    _expand_masks(shape, kept, masks)
    broadcast = _broadcast_index_shapes([part for kind, _, part in kept if kind == "array"])
    if math.prod(broadcast) and builtins.any(kind == "array" and dim is not None and not shape[dim]
                                             for kind, dim, _ in kept):
        raise IndexError("index is out of bounds for dimension with size 0")
    if math.prod(broadcast) * math.prod(_kept_size(shape, *entry) for entry in kept if entry[0] != "array"):
        _check_in_bounds(shape, kept, broadcast)
    else:  # torch reads nothing for an empty result, so it never checks the positions: neither should NumPy
        kept = [(kind, dim, np.clip(part, -shape[dim], shape[dim] - 1) if kind == "array" and dim is not None
                 and shape[dim] else part) for kind, dim, part in kept]
        parts = [np.clip(part, -shape[dim], shape[dim] - 1) if position in array_dims and shape[dim] else part
                 for position, part in enumerate(parts) for dim in [array_dims.get(position)]]
    if _adjacent(torch_kinds) == _adjacent(numpy_kinds):
        return tuple(parts)
    return _index_grid(shape, kept, selected, broadcast, _adjacent(torch_kinds))


def _adjacent(kinds):
    return "b" not in "".join(kinds).strip("b")


def _kept_size(shape, kind, dim, part):
    if dim is None:
        return 1
    return len(range(*part.indices(shape[dim]))) if kind == "slice" else shape[dim]


def _expand_masks(shape, kept, masks):
    """Check each mask against the dims it covers, then put its nonzero positions in its entries of `kept`."""
    indexed = [_kept_size(shape, *entry) for entry in kept]  # the tensor torch's error names
    for position, mask, dim in masks:
        expected = tuple(indexed[position:position + mask.ndim])
        if mask.shape != expected:
            bad = next(i for i in range(mask.ndim) if i >= len(expected) or mask.shape[i] != expected[i])
            raise IndexError(
                f"The shape of the mask [{', '.join(map(str, mask.shape))}] at index {bad} does not match the shape "
                f"of the indexed tensor [{', '.join(map(str, indexed))}] at index {position + bad}"
            )
        for i, positions in enumerate(np.nonzero(mask)):
            kept[position + i] = ("array", dim + i, positions)


def _broadcast_index_shapes(arrays):
    if len(arrays) == 1:
        return arrays[0].shape
    try:
        return np.broadcast(*arrays).shape if len(arrays) <= 32 else np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(f"[{', '.join(map(str, a.shape))}]" for a in arrays)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None


def _check_in_bounds(shape, kept, broadcast):
    """torch's error for the first position, in broadcast order, where an index is out of range."""
    entries = [(dim, part) for kind, dim, part in kept if kind == "array"]
    if builtins.all(not part.size or -size <= part.min() and part.max() < size
                    for dim, part in entries for size in [1 if dim is None else shape[dim]]):
        return
    bad = [np.broadcast_to((part >= size) | (part < -size), broadcast)
           for dim, part in entries for size in [1 if dim is None else shape[dim]]]
    anywhere = np.logical_or.reduce(bad, axis=0)
    if not anywhere.any():
        return
    first = np.flatnonzero(anywhere)[0]
    which = next(i for i, b in enumerate(bad) if b.flat[first])
    dim, part = entries[which]
    value = np.broadcast_to(part, broadcast).flat[first]
    raise IndexError(f"index {value} is out of bounds for dimension {which} with size {shape[dim]}")


def _index_grid(shape, kept, selected, broadcast, adjacent):
    """One integer array per input dim, shaped so that NumPy lays the result out as torch does."""
    first = next(i for i, (kind, _, _) in enumerate(kept) if kind == "array")
    before = kept[:first] if adjacent else []
    after = [entry for entry in kept[len(before):] if entry[0] != "array"]
    out_shape = [_kept_size(shape, *entry) for entry in before] + list(broadcast)
    out_shape += [_kept_size(shape, *entry) for entry in after]
    grid = [np.asarray(selected.get(dim, 0)) for dim in range(len(shape))]

    def place(values, start):
        grid_shape = [1] * len(out_shape)
        grid_shape[start:start + values.ndim] = values.shape
        return values.reshape(grid_shape)

    for offset, (kind, dim, part) in enumerate(before):
        if kind == "slice":
            grid[dim] = place(np.arange(shape[dim])[part], offset)
    for kind, dim, part in kept:
        if kind == "array" and dim is not None:
            grid[dim] = place(part, len(before) + len(broadcast) - part.ndim)
    for offset, (kind, dim, part) in enumerate(after, start=len(before) + len(broadcast)):
        if kind == "slice":
            grid[dim] = place(np.arange(shape[dim])[part], offset)
    return tuple(np.broadcast_to(values, out_shape) for values in grid)


def _index_function(index, shape=None):
    """The Function that reads input[index]: torch names a basic index after its last part that does something."""
    if not builtins.all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in index):
        return indexing.Index
    meaningful = [p for p, size in zip(index, _sizes_indexed(index, shape))
                  if not _takes_whole_dim(p, size) and p is not Ellipsis]
    if not meaningful:
        return indexing.IndexAlias
    last = meaningful[-1]
    if isinstance(last, slice):
        return indexing.Slice
    if last is None:
        return indexing.IndexUnsqueeze
    return indexing.Select


def _sizes_indexed(index, shape):
    """The size of the input dim each part of a basic index applies to (None where unknown)."""
    if shape is None:
        return [None] * len(index)
    sizes, dim = [], 0
    for part in index:
        sizes.append(shape[dim] if isinstance(part, (int, slice)) and dim < len(shape) else None)
        if part is Ellipsis:
            dim += len(shape) - builtins.sum(isinstance(p, (int, slice)) for p in index)
        elif part is not None:
            dim += 1
    return sizes


def _takes_whole_dim(part, size):
    """torch skips a slice that starts at 0 with step 1 and reaches the end of its dim."""
    if not isinstance(part, slice) or part.start not in (None, 0) or part.step not in (None, 1):
        return False
    return part.stop is None or size is not None and part.stop >= size


def index(input, index):
    """input[index]: basic indices give views; integer lists, tensors and masks give copies."""
    numpy_index = _numpy_index(input, index)
    kind = _index_function(numpy_index, input._data.shape)
    if kind is indexing.IndexAlias and isinstance(index, slice):
        kind = indexing.Slice  # torch slices on x[a:b] alone even when it keeps the whole dim
    return kind.apply(input, numpy_index)


def index_put_(input, index, value):
    """input[index] = value, in place."""
    numpy_index = _numpy_index(input, index)
    kind = _index_function(numpy_index, input._data.shape)
    if isinstance(value, Tensor) and value.dtype is not input.dtype and kind is indexing.Index:
        mask = len(numpy_index) == 1 and getattr(numpy_index[0], "dtype", None) == np.bool_
        if not (mask and value._data.size == 1):  # torch fills through a mask with masked_fill, which converts
            raise RuntimeError(
                "Index put requires the source and destination dtypes match, got "
                f"{input.dtype._legacy.removesuffix('Tensor')} for the destination and "
                f"{value.dtype._legacy.removesuffix('Tensor')} for the source."
            )
    value = value if isinstance(value, Tensor) else _as_value_tensor(value, input)
    if kind is indexing.Index and layout.overlaps_itself(input._data):
        _warn_if_expanded(input, index)
    if _records(input, (value,)):
        if kind is not indexing.Index and kind is not indexing.IndexAlias:
            # torch writes through the view x[index]: the write is recorded on x as CopySlices
            view = kind.apply(input, numpy_index)
            copy_(view, _value_that_fits(input, numpy_index, value, view))
            return input
        _check_inplace(input, True)
        if kind is indexing.IndexAlias:  # x[...] = v: torch writes into x itself, with fill_ or copy_
            _check_no_overlap(input)
            if value._data.ndim or not input._data.ndim:  # torch copies equal shapes, and fills from a 0-d value
                return copy_(input, _value_that_fits(input, numpy_index, value, input))
            return _commit_inplace(input, indexing.FillTensor.apply(input, value), _edge(input))
        if input._requires_grad and input._grad_fn is None and _views_first(index):
            # torch writes through a view x[i] before the arrays, so it names the view
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        try:
            write = indexing.IndexPutThroughView if _views_first(index) else indexing.IndexPut
            result = write.apply(input, numpy_index, value)
        except (ValueError, TypeError) as error:  # NumPy's TypeError: a mask given a value of too many dims
            raise RuntimeError(_setitem_error(input, numpy_index, value, error)) from None
        return _commit_inplace(input, result)
    if kind is not indexing.Index and layout.overlaps_itself(input._data[numpy_index]):
        # torch copies into the view x[index], even a single number: it checks the shapes, then the overlap
        _value_that_fits(input, numpy_index, value, _wrap(input._data[numpy_index]))
        raise RuntimeError(_OVERLAP)
    try:
        input._data[numpy_index] = value._data.reshape(indexing._without_leading_ones(value._data.shape))
    except (ValueError, TypeError) as error:
        raise RuntimeError(_setitem_error(input, numpy_index, value, error)) from None
    input._version_counter[0] += 1
    return input


def _warn_if_expanded(input, index):
    """torch lets x[arrays] = v write an expanded tensor, with a warning, if the view it indexes shares memory."""
    with warnings.catch_warnings():  # the index was read once already, with its warnings
        warnings.simplefilter("ignore")
        parts = [_index_part(p) for p in _index_parts(index)]
    basic = []
    for part in parts:  # torch applies the ints, slices and None first; the arrays index what is left
        if isinstance(part, np.ndarray):
            basic += [None] if part.dtype == np.bool_ and part.ndim == 0 else [slice(None)] * _dims_taken(part)
        else:
            basic.append(part)
    if layout.overlaps_itself(input._data[tuple(basic)]):
        _warn_at_caller(
            "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before performing this "
            "operation. This also applies to advanced indexing e.g. tensor[indices] = tensor"
        )


def _value_that_fits(input, index, value, view):
    """`value` ready to be copied into `view`: leading dims of size 1 dropped, as torch does."""
    if value._data.shape == view._data.shape:
        return value
    shape = indexing._without_leading_ones(value._data.shape)
    if shape != value._data.shape:
        value = value.reshape(shape)
    try:
        np.broadcast_to(np.empty(shape, dtype=np.bool_), view._data.shape)
    except ValueError as error:
        raise RuntimeError(_setitem_error(input, index, value, error)) from None
    return value


def _views_first(index):
    """True when torch takes a view (an int, None, a bool or a partial slice) before writing with the arrays."""
    for part in index if isinstance(index, tuple) else (index,):
        if part is None or isinstance(part, (int, np.integer, np.bool_)):
            return True
        if isinstance(part, Tensor) and part._data.ndim == 0:
            return True
        if isinstance(part, slice) and not (part.start in (None, 0) and part.step in (None, 1) and part.stop is None):
            return True
    return False


def _setitem_error(input, index, value, error):
    if "read-only" in str(error):
        return _OVERLAP
    target = input._data[index].shape
    if _index_function(index) is not indexing.Index:  # torch copies into the view x[index]: expand's error
        shape = value._data.shape
        while shape and shape[0] == 1 and len(shape) > len(target):
            shape = shape[1:]  # torch drops leading 1s of the value first
        try:
            expand(value.reshape(shape), target)
        except RuntimeError as expand_error:
            return str(expand_error)
    return f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be broadcast to indexing result of shape {list(target)}"


def _as_value_tensor(value, like):
    if isinstance(value, (bool, int, float, np.number)):
        return _wrapped_number(value)
    if not isinstance(value, (list, tuple, np.ndarray)):  # PyTorch also refuses lists and arrays here
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"can't assign a {name} to a torch.{like.dtype._legacy}")
    return tensor(value, dtype=like.dtype)
