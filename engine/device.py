"""Where a tensor lives. The engine computes with NumPy, so always on the CPU."""


class device:
    """A device name; only 'cpu' exists in the engine.

    >>> import engine as torch
    >>> torch.ones(2).device
    device(type='cpu')
    """

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type = type.type
        self.type = str(type).split(":")[0]
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type

    def __eq__(self, other):
        return isinstance(other, (device, str)) and str(self) == str(device(other) if isinstance(other, str) else other)

    __hash__ = object.__hash__


cpu = device("cpu")


def as_device(value):
    """Accept 'cpu' (or a device); anything else fails as torch does on a machine without CUDA."""
    name = value.type if isinstance(value, device) else str(value).split(":")[0]
    if name == "cpu":
        return cpu
    if name == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    raise RuntimeError(f"Expected one of cpu, cuda, ... device type at start of device string: {value}")
