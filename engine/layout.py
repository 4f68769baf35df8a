"""Memory layout: the strides torch gives a new result, which decide whether `.view` works on it.

torch's rules, which the engine follows:
* clone, the *_like constructors and elementwise operations preserve the layout: the result's
  dims are ordered in memory as the inputs' strides order them, the first input that orders two
  dims deciding (TensorIterator's rule). So `x.t().clone()` and `x.t() + y` are transposed too,
  and `.view(-1)` on them fails as in torch.
* reductions along a dim, softmax, cat and stack give contiguous results.

NumPy's own choice (`order="K"`) agrees with the first rule except where the inputs disagree
(or a dim has size 1), so a result is laid out again only then. The strides of empty tensors,
and of a size-1 dim where a Python number meets a tensor whose size-1 dim has an odd stride,
can still differ from torch's; is_contiguous and .view do not depend on them.
"""
import functools

import numpy as np

from .tensor import Tensor


def iterator_order(shape, operand_strides):
    """The dims of a result of `shape`, from fastest- to slowest-varying, as torch's TensorIterator orders them.

    `operand_strides` holds each input's strides as broadcast to `shape` (0 along a broadcast dim).
    """
    order = list(range(len(shape) - 1, -1, -1))

    def should_swap(dim0, dim1):
        for strides in operand_strides:
            stride0, stride1 = strides[dim0], strides[dim1]
            if stride0 == 0 or stride1 == 0:  # broadcast along one of them: this input has no say
                continue
            if stride0 != stride1:
                return 1 if stride0 > stride1 else -1
            if shape[dim0] > shape[dim1]:
                return 1
        return 0

    for i in range(1, len(shape)):  # an insertion sort that leaves ambiguous pairs where they are
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            comparison = should_swap(order[dim0], order[dim1])
            if comparison > 0:
                order[dim0], order[dim1] = order[dim1], order[dim0]
                dim1 = dim0
            elif comparison < 0:
                break
    return order


@functools.lru_cache(maxsize=256)
def _plain_strides(shape, itemsize):
    """The strides of a contiguous array, as torch gives them (a size-1 dim steps over what follows it)."""
    return tuple(_strides_in(shape, range(len(shape) - 1, -1, -1), itemsize))


def _broadcast_strides(array, shape):
    strides = [0] * (len(shape) - array.ndim) + list(array.strides)
    sizes = [1] * (len(shape) - array.ndim) + list(array.shape)
    return [0 if size == 1 and full != 1 else stride for stride, size, full in zip(strides, sizes, shape)]


def _strides_in(shape, order, itemsize):
    strides, step = [0] * len(shape), itemsize
    for dim in order:
        strides[dim] = step
        step *= shape[dim]
    return strides


def empty_in(shape, order, dtype):
    """An uninitialised array whose dims vary from fastest to slowest in `order`."""
    slowest_first = order[::-1]
    return np.empty([shape[d] for d in slowest_first], dtype=dtype).transpose(np.argsort(slowest_first))


def laid_out(array, order):
    """`array` copied into memory where the dims vary from fastest to slowest in `order`, unless it already is."""
    if array.size == 0 or list(array.strides) == _strides_in(array.shape, order, array.itemsize):
        return array
    result = empty_in(array.shape, order, array.dtype)
    result[...] = array
    return result


def _own_order(array):
    return iterator_order(array.shape, [_broadcast_strides(array, array.shape)])


def is_dense(array):
    """True when the elements fill one block of memory, each once (torch's "non-overlapping and dense")."""
    expected = _strides_in(array.shape, _own_order(array), array.itemsize)
    return all(size <= 1 or stride == want for size, stride, want in zip(array.shape, array.strides, expected))


OVERLAP_ERROR = (
    "unsupported operation: more than one element of the written-to tensor refers to a single memory location. "
    "Please clone() the tensor before performing the operation."
)


def overlaps_itself(array):
    """True when two elements share one memory location, as in an expanded tensor (a stride 0 over a size > 1).

    torch refuses to write such a tensor with most in-place ops; fill_ and zero_ are allowed,
    as writing one value twice does no harm.
    """
    if array.size == 0:  # NumPy may give an empty array stride-0 dims; nothing is written twice
        return False
    return any(size > 1 and stride == 0 for size, stride in zip(array.shape, array.strides))


def expanded(array, shape):
    """A writable view of `array` repeated to `shape` along stride-0 dims, as torch's expand gives.

    NumPy's broadcast_to would do, but its views are read-only, and torch lets fill_ and
    writes through a non-overlapping part of the view reach the memory.
    """
    if 1 in array.shape:  # NumPy would zero the strides of size-1 dims too; torch keeps them
        return np.lib.stride_tricks.as_strided(array, shape, _broadcast_strides(array, shape))
    view = np.broadcast_to(array, shape)  # the faster way, where it gives the same strides
    if array.flags.writeable:
        view.flags.writeable = True
    return view


def preserved_empty(array, dtype):
    """An uninitialised array shaped and laid out like `array`, as torch's empty_like makes it.

    A dense `array` lends its strides exactly, even those of its size-1 dims; any other is
    packed densely with its dims in the order of its strides.
    """
    dtype = np.dtype(dtype)
    if array.ndim < 2 or array.size == 0 or array.flags.c_contiguous and 1 not in array.shape:
        return np.empty(array.shape, dtype=dtype)
    if not is_dense(array):
        return empty_in(array.shape, _own_order(array), dtype)
    strides = [stride // array.itemsize * dtype.itemsize for stride in array.strides]
    return np.ndarray(array.shape, dtype=dtype, buffer=np.empty(array.size, dtype=dtype), strides=strides)


def preserved_copy(array):
    """A copy laid out as torch's clone lays it out (see preserved_empty)."""
    result = preserved_empty(array, array.dtype)
    result[...] = array
    return result


def follow_inputs(outputs, args):
    """After an elementwise forward: lay its result out as torch's TensorIterator would."""
    data = outputs._data
    if data.ndim < 2 or data.size < 2:
        return outputs
    arrays = [a._data for a in args if isinstance(a, Tensor) and a._data.ndim]  # a 0-d input has no say
    if all(a.flags.c_contiguous for a in arrays):
        if 1 not in data.shape:  # contiguous inputs give a contiguous result under both rules
            return outputs
        if all(a.shape == data.shape for a in arrays):  # torch's fast path: contiguous, with plain strides
            if data.strides != _plain_strides(data.shape, data.itemsize):
                outputs._data = np.ascontiguousarray(data).reshape(-1).reshape(data.shape)
            return outputs
    outputs._data = laid_out(data, iterator_order(data.shape, [_broadcast_strides(a, data.shape) for a in arrays]))
    return outputs


def contiguous(outputs, args):
    """After a reduction, softmax, cat or stack: torch's result is contiguous."""
    for out in outputs if type(outputs) is tuple else (outputs,):
        data = out._data
        if data.ndim < 2:
            continue
        if not data.flags.c_contiguous:
            out._data = np.ascontiguousarray(data)
        elif 1 in data.shape:  # NumPy may give a size-1 dim any stride; torch gives it the contiguous one
            out._data = data.reshape(-1).reshape(data.shape)
    return outputs
