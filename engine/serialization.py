"""`save` and `load`: checkpoints on disk, and a loader that runs none of a file's code.

A file is a pickle, as torch's is, in which each tensor is stored as plain data: its
dtype's name, its shape and its bytes. Pickle itself can rebuild any object by calling
any function the file names (that is how a class instance comes back), so unpickling a
file you did not write can run anything. `load` therefore defaults to
`weights_only=True`, as torch >= 2.6 does: it unpickles with an allow-list, and a file
that names any other function or class is refused before anything is called.

>>> import io
>>> import engine as torch
>>> buffer = io.BytesIO()
>>> torch.save({"weight": torch.ones(2), "step": 3}, buffer)
>>> _ = buffer.seek(0)
>>> torch.load(buffer)
{'weight': tensor([1., 1.]), 'step': 3}
"""
import collections
import os
import pickle

import numpy as np

from .dtypes import from_numpy_dtype
from .tensor import Tensor, _wrap

DEFAULT_PROTOCOL = 4  # bytes are native from protocol 3 on, so tensors need no helper but ours

# What weights_only=True lets a file name: the two rebuilders below and OrderedDict
# (state_dict's type). Dicts, lists, tuples, sets, strings, bytes, numbers, booleans and
# None are pickle's own opcodes and need no global at all.
_ALLOWED = {
    ("engine.serialization", "_rebuild_tensor"),
    ("engine.serialization", "_rebuild_parameter"),
    ("collections", "OrderedDict"),
}
# Modules whose names alone mark a file as an attack (torch words these separately).
_BLOCKED_MODULES = {"os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "builtins", "runpy", "importlib"}
_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats: never Python objects


def save(obj, f, pickle_protocol=DEFAULT_PROTOCOL):
    """Write `obj` (typically a state_dict, or a dict of them) to `f`, a path or a binary file."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            _TensorPickler(file, protocol=pickle_protocol).dump(obj)
    else:
        _TensorPickler(f, protocol=pickle_protocol).dump(obj)


def load(f, map_location=None, *, weights_only=True):
    """Read what `save` wrote to `f` (a path or a binary file).

    With weights_only=True (the default) only tensors, numbers, strings, None and dicts,
    OrderedDicts, lists and tuples of them load; anything else raises
    pickle.UnpicklingError without running any of the file's code. weights_only=False
    is plain pickle: it runs whatever the file asks, so use it only on files you trust.
    `map_location` is accepted for torch's sake: the engine has only the CPU.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return _load(file, weights_only)
    return _load(f, weights_only)


def _load(file, weights_only):
    if not weights_only:
        return pickle.load(file)
    try:
        return _WeightsUnpickler(file).load()
    except _Refused as refusal:
        raise pickle.UnpicklingError(_refusal_message(str(refusal))) from None


class _TensorPickler(pickle.Pickler):
    """A Pickler that writes every tensor as (dtype name, shape, bytes), whatever its class does."""

    def reducer_override(self, obj):
        if not isinstance(obj, Tensor):
            return NotImplemented
        array = obj._data
        little_endian = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        arguments = (array.dtype.name, tuple(array.shape), little_endian.tobytes(), bool(obj.requires_grad))
        from .nn.parameter import Parameter  # here: nn imports this package's tensor machinery

        return (_rebuild_parameter if isinstance(obj, Parameter) else _rebuild_tensor), arguments


class _Refused(Exception):
    """Raised inside the unpickler; `load` turns it into torch's UnpicklingError text."""


class _WeightsUnpickler(pickle.Unpickler):
    """An Unpickler that hands out only the allowed globals; every other name is refused unused."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _REBUILDERS[module, name]
        if module.split(".")[0] in _BLOCKED_MODULES:
            raise _Refused(f"Trying to load unsupported GLOBAL {module}.{name} whose module {module} is blocked.")
        raise _Refused(f"Unsupported global: GLOBAL {module}.{name} was not an allowed global by default.")

    def persistent_load(self, pid):
        raise _Refused(f"Unsupported persistent id {pid!r}.")


def _refusal_message(reason):
    return (
        "Weights only load failed. This file can still be loaded, but do it only if you trust the source of the "
        "checkpoint: re-running `engine.load` with `weights_only` set to `False` will likely succeed, but it can "
        "result in arbitrary code execution. Do it only if you got the file from a trusted source.\n"
        f"\tWeightsUnpickler error: {reason}\n\n"
        "With weights_only=True, engine.load accepts only tensors, numbers, strings, None, and dicts, "
        "OrderedDicts, lists and tuples of them."
    )


def _array(dtype_name, shape, data):
    """The array a file describes, checked to be plain numbers of exactly the stated size."""
    if not isinstance(dtype_name, str) or not isinstance(shape, tuple) or not isinstance(data, bytes):
        raise _Refused("a tensor's record must be (dtype name, shape, bytes).")
    if not all(isinstance(size, int) and not isinstance(size, bool) and size >= 0 for size in shape):
        raise _Refused(f"a tensor's shape must be non-negative integers, not {shape!r}.")
    try:
        dtype = np.dtype(dtype_name)
        from_numpy_dtype(dtype)
    except (TypeError, ValueError) as error:
        raise _Refused(f"unsupported tensor dtype {dtype_name!r}.") from error
    if dtype.kind not in _NUMERIC_KINDS:
        raise _Refused(f"unsupported tensor dtype {dtype_name!r}.")
    if len(data) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise _Refused(f"a tensor of shape {shape} and dtype {dtype_name} cannot hold {len(data)} bytes.")
    return np.frombuffer(data, dtype=dtype.newbyteorder("<")).astype(dtype).reshape(shape)


def _rebuild_tensor(dtype_name, shape, data, requires_grad):
    tensor = _wrap(_array(dtype_name, shape, data))
    return tensor.requires_grad_(True) if requires_grad is True else tensor


def _rebuild_parameter(dtype_name, shape, data, requires_grad):
    from .nn.parameter import Parameter

    return Parameter(_wrap(_array(dtype_name, shape, data)), requires_grad=requires_grad is True)


_REBUILDERS = {
    ("engine.serialization", "_rebuild_tensor"): _rebuild_tensor,
    ("engine.serialization", "_rebuild_parameter"): _rebuild_parameter,
    ("collections", "OrderedDict"): collections.OrderedDict,
}

__all__ = ["load", "save"]
