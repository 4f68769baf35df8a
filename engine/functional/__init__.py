"""The torch-level functions (`engine.add`, `engine.exp`, `engine.cat`, ...).

Each checks and normalises its arguments as torch does, then calls the primitive
`Function` that computes it. Tensor methods and operators call these, so there
is one implementation per operation. The modules here, one idea each:

* `operands`: what a function accepts as an operand (tensors, numbers);
* `elementwise`, `linalg`, `reductions`, `shapes`: the functions, by theme;
* `indexing`: torch's indexing rules, translated to NumPy (`x[i]`, `x[i] = v`);
* `in_place`: in-place writes (`x.add_(y)`, `fill_`, `copy_`) and torch's checks before them;
* `out`: writing into a given `out=` tensor.

>>> import engine as torch
>>> torch.add(torch.tensor([1, 2]), 0.5)
tensor([1.5000, 2.5000])
"""
from .elementwise import (  # noqa: F401
    COMPARABLE, _CPP_TYPE_NAMES, _check_clamp_cast, abs, absolute, add, allclose, bitwise_and, bitwise_not,
    bitwise_or, bitwise_xor, clamp, clip, cos, div, divide, eq, equal, exp, floor_divide, ge, gt, isclose, le, log,
    logical_not, lt, maximum, minimum, mul, multiply, ne, neg, negative, not_comparable, pow, reciprocal, relu,
    remainder, rsub, sigmoid, sign, sin, sqrt, square, sub, subtract, tanh, true_divide, where,
)
from .linalg import dot, matmul, mm, mv  # noqa: F401
from .reductions import (  # noqa: F401
    all, amax, amin, any, argmax, argmin, log_softmax, logsumexp, max, mean, min, norm, prod, softmax, std, sum, var,
)
from .shapes import (  # noqa: F401
    broadcast_to, cat, chunk, concat, concatenate, expand, flatten, flip, permute, repeat, reshape, select, split,
    squeeze, stack, swapaxes, t, transpose, unbind, unsqueeze, view,
)
from .in_place import copy_, fill_, inplace, normal_, uniform_  # noqa: F401
from .indexing import index, index_put_  # noqa: F401
