"""A compact autograd engine whose API is a faithful subset of torch.

>>> import engine as torch
>>> x = torch.tensor([1., 2., 3.], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
tensor([2., 4., 6.])

The package reads like a table of contents: `tensor` (the Tensor), `dtypes`,
`creation` (making tensors), `functional` (the operations), `ops` (the primitive
differentiable Functions), `autograd` (the graph, backward, gradcheck),
`grad_mode` (no_grad and friends), `random`, `formatting` (printing), `nn`, `optim`
and `utils.data` (training, as torch's), `static` (define-then-run graphs and tracing),
`viz` (drawing graphs), `widgets` (live graphs in notebooks), `plots` (the book's figures).
"""
from .tensor import Tensor  # first: it binds the operations and autograd once it exists (see its end)
from . import autograd, cuda
from .autograd.function import Function
from .creation import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, is_tensor, linspace, normal, numel,
    ones, ones_like, rand, rand_like, randint, randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from .device import device
from .dtypes import (
    bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int, int8, int16, int32, int64,
    long, promote_types, set_default_dtype, short, uint8,
)
from .formatting import set_printoptions
from .functional import *  # noqa: F401,F403  (every torch-level operation: functional.__all__)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, initial_seed, manual_seed
from .serialization import load, save
from .size import Size
from .broadcasting import broadcast_shapes
from . import functional, nn, optim, return_types, static, utils, viz
from .compiler import compile  # noqa: A001  (torch.compile's name, as torch shadows the builtin too)

__version__ = "0.1.0"

__all__ = sorted([
    "Function", "Generator", "Size", "Tensor", "arange", "as_tensor", "autograd", "bool", "broadcast_shapes", "compile", "cuda",
    "device", "double", "dtype", "empty", "empty_like", "enable_grad", "eye", "float", "float16", "float32",
    "float64", "from_numpy", "full", "full_like", "get_default_dtype", "half", "initial_seed", "int", "int8",
    "int16", "int32", "int64", "is_grad_enabled", "is_tensor", "linspace", "long", "manual_seed", "nn", "no_grad",
    "normal", "numel", "ones", "ones_like", "optim", "promote_types", "rand", "rand_like", "randint", "randint_like",
    "randn", "randn_like", "randperm", "return_types", "set_default_dtype", "set_grad_enabled", "set_printoptions",
    "short", "tensor", "uint8", "utils", "zeros", "zeros_like",
    "load", "save",
] + functional.__all__)
