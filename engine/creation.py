"""Making tensors: from data (`tensor`, `from_numpy`), filled (`zeros`, `full`, `arange`...) or random.

>>> import engine as torch
>>> torch.tensor([[1, 2], [3, 4]])
tensor([[1, 2],
        [3, 4]])
>>> torch.zeros(2, 3).shape
torch.Size([2, 3])
"""
import math
import warnings

import numpy as np

from . import dtypes
from .random import numpy_generator
from .size import Size
from .tensor import Tensor, _wrap


def _infer(data, depth=0, shape=None):
    """Walk nested sequences: check they are rectangular and find the dtype torch infers for them
    (None for no elements): the promotion of every element's dtype, where tensors and NumPy
    values keep theirs and Python's bool, int, float give bool, int64 and the default float."""
    if shape is None:
        shape = []
    if isinstance(data, Tensor) and depth:  # torch reads a tensor inside a list as a number
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        data = data._data.reshape(())[()]  # a NumPy scalar of its dtype, handled below
    if isinstance(data, Tensor):
        if depth == len(shape):
            shape.extend(data._data.shape)
        return data.dtype
    if isinstance(data, np.ndarray):
        if depth == len(shape):
            shape.extend(data.shape)
        return dtypes.from_numpy_dtype(data.dtype)
    if isinstance(data, (bool, int, float, np.generic)):
        if depth < len(shape) and shape[depth] is not None:
            raise TypeError("not a sequence")
        if depth == len(shape):
            shape.append(None)  # numbers at this depth: a sequence here later is an error
        if isinstance(data, np.generic):  # np.float64 is a float, but keeps its dtype
            return dtypes.from_numpy_dtype(data.dtype)
        return dtypes.bool if isinstance(data, bool) else dtypes.int64 if isinstance(data, int) else dtypes.get_default_dtype()
    if isinstance(data, (list, tuple)):
        if depth == len(shape):
            shape.append(len(data))
        elif depth < len(shape) and shape[depth] is None:
            # torch words this by the dtype it was filling ("must be real number, not list" for floats)
            raise TypeError(f"must be real number, not {type(data).__name__}")
        elif depth >= len(shape) or shape[depth] != len(data):
            expected = shape[depth] if depth < len(shape) else 0
            raise ValueError(f"expected sequence of length {expected} at dim {depth} (got {len(data)})")
        result = None
        for item in data:
            found = _infer(item, depth + 1, shape)
            if found is not None:
                result = found if result is None else dtypes.promote_types(result, found)
        return result
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _check_first_elements(data):
    """torch measures nested sequences along their first elements, and a non-empty str is a sequence
    of strs without end: a str there makes too many dimensions before its dtype is looked at."""
    item, depth = data, 0
    while isinstance(item, (list, tuple)) and item:
        item, depth = item[0], depth + 1
    if depth and isinstance(item, str) and item:
        raise ValueError("too many dimensions 'str'")


def _plain(data, inner=False):
    """Nested sequences with tensors replaced by their values, ready for np.array."""
    if isinstance(data, Tensor):
        return data._data.reshape(()) if inner else data._data  # inside a list, a tensor is one number
    if isinstance(data, (list, tuple)):
        return [_plain(item, True) for item in data]
    return data


def _array_from_data(data, dtype=None):
    """A new NumPy array holding `data`, in `dtype` or the one torch infers."""
    if isinstance(data, np.ndarray):
        inferred = dtypes.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=(dtype or inferred).numpy, copy=True)
    _check_first_elements(data)
    inferred = _infer(data)
    if dtype is None:
        dtype = inferred or dtypes.get_default_dtype()
    try:
        return np.array(_plain(data), dtype=dtype.numpy)
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") from None


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (nested lists, numbers, a NumPy array or a tensor).

    Integers give int64, any float gives float32, booleans give bool.
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
            "sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data._data
    if device is not None:
        from .device import as_device

        as_device(device)
    result = _wrap(_array_from_data(data, dtypes.as_dtype(dtype) if dtype is not None else None))
    if requires_grad:
        _require_grad(result)
    return result


def _require_grad(result):
    if result._data.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    result._requires_grad = True
    return result


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a NumPy array or tensor when no conversion is needed."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtypes.as_dtype(dtype).numpy == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor that shares memory with `ndarray`: writes to one show in the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy_dtype(ndarray.dtype)
    if any(stride < 0 for stride in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative strides are not "
            "currently supported. (You can probably work around this by making a copy of your array  with "
            "array.copy().) "
        )
    return _wrap(ndarray)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"size must be tuple of ints, but found element of type {type(n).__name__}")
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(size)}")
    return tuple(int(n) for n in size)


def _finish(array, requires_grad, device=None):
    if device is not None:
        from .device import as_device

        as_device(device)  # only the CPU exists: 'cuda' fails as it does in a CPU build of torch
    result = _wrap(array)
    return _require_grad(result) if requires_grad else result


def _float_dtype(dtype):
    return dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()


def zeros(*size, dtype=None, device=None, requires_grad=False):
    try:
        shape = _size(size)
    except RuntimeError:  # torch's zeros checks sizes itself, with its own words
        raise RuntimeError("zeros: Dimension size must be non-negative.") from None
    return _finish(np.zeros(shape, dtype=_float_dtype(dtype).numpy), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.ones(_size(size), dtype=_float_dtype(dtype).numpy), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """A tensor whose memory is not initialised: its values are whatever was there."""
    return _finish(np.empty(_size(size), dtype=_float_dtype(dtype).numpy), requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of `size` filled with `fill_value` (its dtype inferred from the value)."""
    if isinstance(fill_value, Tensor) and fill_value._data.ndim == 0:
        fill_value = fill_value.item()
    if not isinstance(fill_value, (bool, int, float, np.number, np.bool_)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not {type(fill_value).__name__}")
    if dtype is None:
        dtype = dtypes.result_type(fill_value)
    return _finish(np.full(_size((size,)), fill_value, dtype=dtypes.as_dtype(dtype).numpy), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    return _finish(np.eye(n, n if m is None else m, dtype=_float_dtype(dtype).numpy), requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Numbers from start (inclusive) to end (exclusive) by step; integers unless any argument is a float."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dtype = dtypes.result_type(*values)
        if dtype is dtypes.bool:
            dtype = dtypes.int64
    dtype = dtypes.as_dtype(dtype)
    count = math.ceil((end - start) / step)
    # Computed in double precision, then converted, as torch does.
    array = (start + step * np.arange(count, dtype=np.float64)).astype(dtype.numpy)
    return _finish(array, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """`steps` numbers evenly spaced from start to end, both included."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps, dtype=np.float64).astype(_float_dtype(dtype).numpy), requires_grad, device)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Numbers drawn uniformly from [0, 1)."""
    _check_random_dtype(_float_dtype(dtype), "check_uniform_bounds")
    array = numpy_generator(generator).random(_size(size)).astype(_float_dtype(dtype).numpy)
    return _finish(array, requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Numbers drawn from the standard normal distribution."""
    _check_random_dtype(_float_dtype(dtype), "normal_kernel_cpu")
    array = numpy_generator(generator).standard_normal(_size(size)).astype(_float_dtype(dtype).numpy)
    return _finish(array, requires_grad, device)


def _check_random_dtype(dtype, kernel):
    # torch has no kernel that draws these distributions in integers (use randint).
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtype._legacy.removesuffix('Tensor')}'")


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers drawn uniformly from [low, high)."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    array = numpy_generator(generator).integers(low, high, _size((size,)))
    return _finish(array.astype((dtypes.as_dtype(dtype) if dtype else dtypes.int64).numpy), requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random ordering of 0 .. n-1."""
    array = numpy_generator(generator).permutation(n)
    return _finish(array.astype((dtypes.as_dtype(dtype) if dtype else dtypes.int64).numpy), requires_grad, device)


def normal(mean, std, size=None, *, generator=None):
    """Numbers drawn from normal distributions with the given mean and standard deviation."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        reference = mean if isinstance(mean, Tensor) else std
        return _wrap(numpy_generator(generator).normal(m, s, np.broadcast_shapes(np.shape(m), np.shape(s))).astype(reference._data.dtype))
    return _wrap(numpy_generator(generator).normal(mean, std, _size((size,))).astype(dtypes.get_default_dtype().numpy))


def _like(input, dtype):
    return dtypes.as_dtype(dtype) if dtype is not None else input.dtype


def _filled_like(input, value, dtype):
    """An array shaped, and laid out in memory, like `input` (torch's preserve_format), holding `value`."""
    data, numpy_dtype = input._data, _like(input, dtype).numpy
    if data.ndim < 2:  # 0-d and 1-D tensors have one layout; this path is the root gradient of every backward
        return np.empty(data.shape, numpy_dtype) if value is None else np.full(data.shape, value, numpy_dtype)
    from .layout import preserved_empty

    array = preserved_empty(data, numpy_dtype)
    if value is not None:
        array[...] = value
    return array


def zeros_like(input, *, dtype=None, device=None, requires_grad=False):
    return _finish(_filled_like(input, 0, dtype), requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False):
    return _finish(_filled_like(input, 1, dtype), requires_grad, device)


def empty_like(input, *, dtype=None, device=None, requires_grad=False):
    return _finish(_filled_like(input, None, dtype), requires_grad, device)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    return _finish(_filled_like(input, fill_value, dtype), requires_grad, device)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False):
    return rand(input._data.shape, generator=generator, dtype=_like(input, dtype), requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False):
    return randn(input._data.shape, generator=generator, dtype=_like(input, dtype), requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, generator=generator, dtype=_like(input, dtype))
