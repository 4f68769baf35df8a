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
from .functional import (
    abs, absolute, add, all, allclose, amax, amin, any, argmax, argmin, bitwise_and, bitwise_not, bitwise_or,
    bitwise_xor, broadcast_to, cat, chunk, clamp, clip, concat, concatenate, cos, div, divide, dot, eq, equal, exp,
    expand, flatten, flip, floor_divide, ge, gt, isclose, le, log, log_softmax, logsumexp, logical_not, lt, matmul, max, maximum, mean, min,
    minimum, mm, mul, multiply, mv, ne, neg, negative, norm, permute, pow, prod, reciprocal, relu, remainder, reshape, rsub, select, sigmoid,
    sign, sin, softmax, split, sqrt, square, squeeze, stack, std, sub, subtract, sum, swapaxes, t, tanh, transpose,
    true_divide, unbind, unsqueeze, var, view, where,
)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, initial_seed, manual_seed
from .size import Size
from .broadcasting import broadcast_shapes
from . import nn, optim, return_types, static, utils, viz

__version__ = "0.1.0"

__all__ = [
    "Function", "Generator", "Size", "Tensor", "abs", "absolute", "add", "all", "allclose", "amax", "amin", "any",
    "arange", "argmax", "argmin", "as_tensor", "autograd", "bitwise_and", "bitwise_not", "bitwise_or",
    "bitwise_xor", "bool", "broadcast_shapes", "broadcast_to", "cat", "chunk", "clamp", "clip", "concat",
    "concatenate", "cos", "cuda", "device", "div", "divide", "dot", "double", "dtype", "empty", "empty_like",
    "enable_grad", "eq", "equal", "exp", "expand", "eye", "flatten", "flip", "float", "float16", "float32",
    "float64", "floor_divide", "from_numpy", "full", "full_like", "ge", "get_default_dtype", "gt", "half", "initial_seed", "int",
    "int8", "int16", "int32", "int64", "is_grad_enabled", "is_tensor", "isclose", "le", "linspace", "log",
    "log_softmax", "logical_not", "logsumexp", "long", "lt", "manual_seed", "matmul", "max", "maximum", "mean", "min", "minimum",
    "mm", "mul", "multiply", "mv", "ne", "neg", "negative", "nn", "no_grad", "norm", "normal", "numel", "ones", "ones_like", "optim",
    "permute", "pow", "prod", "promote_types", "rand", "rand_like", "randint", "randint_like", "randn",
    "randn_like", "randperm", "reciprocal", "relu", "remainder", "reshape", "return_types", "rsub", "select", "set_default_dtype",
    "set_grad_enabled", "set_printoptions", "short", "sigmoid", "sign", "sin", "softmax", "split", "sqrt",
    "square", "squeeze", "stack", "std", "sub", "subtract", "sum", "swapaxes", "t", "tanh", "tensor", "transpose",
    "true_divide", "uint8", "unbind", "utils", "unsqueeze", "var", "view", "where", "zeros", "zeros_like",
]
