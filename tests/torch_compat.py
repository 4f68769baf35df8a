"""Helpers for comparing the engine with real torch, and for skipping cleanly without it.

Test modules import the `torch` fixture from here (`from torch_compat import torch`);
a test that asks for it is skipped, with the reason below, where torch is not installed,
and every other test still runs. The helpers take either library as `lib`, because the
engine's API is a subset of torch's: the same call works with both.
"""
import traceback
from pathlib import Path

import numpy as np
import pytest

import engine

TORCH_REASON = "real torch not installed: pip install torch==2.13.0 to compare"
ENGINE_DIR = Path(engine.__file__).resolve().parent
NUMPY_DIR = Path(np.__file__).resolve().parent


def import_torch():
    """Real torch, or a clean skip of the calling test."""
    return pytest.importorskip("torch", reason=TORCH_REASON)


@pytest.fixture(scope="session")
def torch():
    return import_torch()


def to_torch(torch, value, requires_grad=None):
    """The torch counterpart of an engine tensor (or of a NumPy array): same values, dtype and flag."""
    array = value._data if isinstance(value, engine.Tensor) else np.asarray(value)
    result = torch.from_numpy(np.array(array, order="C", copy=True))
    flag = value.requires_grad if requires_grad is None and isinstance(value, engine.Tensor) else requires_grad
    return result.requires_grad_(True) if flag else result


def as_array(value):
    """A NumPy array from an engine tensor, a torch tensor, a number or an array."""
    if isinstance(value, engine.Tensor):
        return value.detach().numpy()
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value.detach().numpy()
    return np.asarray(value)


def dtype_name(value):
    """'float32', 'int64', ... for a tensor of either library."""
    return str(value.dtype).removeprefix("torch.")


def assert_same_tensor(ours, theirs, rtol=1e-6, atol=1e-9, check_dtype=True):
    """Same shape, dtype and values (within rounding) for an engine tensor and a torch tensor."""
    assert tuple(ours.shape) == tuple(theirs.shape), f"shape {tuple(ours.shape)} != torch's {tuple(theirs.shape)}"
    if check_dtype:
        assert dtype_name(ours) == dtype_name(theirs), f"dtype {ours.dtype} != torch's {theirs.dtype}"
    np.testing.assert_allclose(as_array(ours).astype(np.float64), as_array(theirs).astype(np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)


def outcome(call):
    """What `call()` did: ('ok', result) or ('raised', exception)."""
    try:
        return "ok", call()
    except Exception as error:  # noqa: BLE001  (any exception is an outcome to compare)
        return "raised", error


def assert_same_error(ours, theirs):
    """The engine raised the same exception type, with the same message, as torch."""
    assert ours[0] == "raised", f"the engine did not raise (torch raised {theirs[1]!r}), it returned {ours[1]!r}"
    assert theirs[0] == "raised", f"torch did not raise, but the engine raised {ours[1]!r}"
    assert type(ours[1]) is type(theirs[1]) or isinstance(ours[1], type(theirs[1])), (
        f"engine raised {type(ours[1]).__name__}, torch raised {type(theirs[1]).__name__}")
    assert str(ours[1]) == str(theirs[1])


def raised_from_engine(error):
    """True when the last frame of `error`'s traceback is engine code (not NumPy, not the test)."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(ENGINE_DIR)


def last_frame_in_numpy(error):
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(NUMPY_DIR)
