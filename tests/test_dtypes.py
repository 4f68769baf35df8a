"""dtypes under torch's names, and torch's type promotion.

Promotion has three tiers: tensors with dimensions, zero-dimensional tensors, Python
numbers. A lower tier changes the result only when it is of a higher category
(bool < integer < floating point). The literal cases below are torch's documented
rules; the full matrix of dtypes × operand kinds × operators is compared with torch.
"""
import itertools
import warnings

import numpy as np
import pytest

import engine
from torch_compat import dtype_name, outcome, torch  # noqa: F401

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def test_dtype_names_and_aliases():
    assert engine.float is engine.float32 and engine.double is engine.float64 and engine.half is engine.float16
    assert engine.long is engine.int64 and engine.int is engine.int32 and engine.short is engine.int16
    assert repr(engine.float32) == "torch.float32" and str(engine.int64) == "torch.int64"
    assert engine.float64.is_floating_point and not engine.int64.is_floating_point and not engine.bool.is_floating_point
    assert engine.int8.is_signed and not engine.uint8.is_signed and engine.float16.is_signed
    assert [getattr(engine, n).itemsize for n in NAMES] == [1, 1, 1, 2, 4, 8, 2, 4, 8]


def test_dtype_attributes_match_torch(torch):
    for name in NAMES:
        ours, theirs = getattr(engine, name), getattr(torch, name)
        assert repr(ours) == repr(theirs)
        assert ours.is_floating_point == theirs.is_floating_point
        assert ours.is_signed == theirs.is_signed
        assert ours.itemsize == theirs.itemsize
        assert engine.zeros(1, dtype=ours).type() == torch.zeros(1, dtype=theirs).type()


def test_promote_types_matches_torch(torch):
    for a, b in itertools.product(NAMES, repeat=2):
        ours = engine.promote_types(getattr(engine, a), getattr(engine, b))
        assert repr(ours) == repr(torch.promote_types(getattr(torch, a), getattr(torch, b))), (a, b)


@pytest.mark.parametrize("expression, expected", [
    (lambda: engine.tensor([1, 2]) * 2.5, engine.float32),  # int tensor * Python float
    (lambda: engine.tensor([1., 2.]) + engine.tensor([1., 2.], dtype=engine.float64), engine.float64),
    (lambda: engine.tensor([1, 2]) / engine.tensor([2, 2]), engine.float32),  # true division of ints
    (lambda: engine.tensor([True, False]) + engine.tensor([1, 2]), engine.int64),
    (lambda: engine.tensor([True, False]) + 1, engine.int64),
    (lambda: engine.tensor([True, False]) + True, engine.bool),
    (lambda: engine.tensor([1, 2], dtype=engine.int32) + 5, engine.int32),  # a Python int does not widen
    (lambda: engine.tensor([1, 2], dtype=engine.int32) + engine.tensor(5), engine.int32),  # nor a 0-d int64
    (lambda: engine.tensor([1, 2], dtype=engine.int32) + engine.tensor(5.0, dtype=engine.float64), engine.float64),
    (lambda: engine.tensor([1., 2.], dtype=engine.float16) * 2.5, engine.float16),
    (lambda: engine.tensor([1., 2.]) + engine.tensor(1.0, dtype=engine.float64), engine.float32),
    (lambda: engine.tensor(1.0) + engine.tensor(1.0, dtype=engine.float64), engine.float64),  # both 0-d
    (lambda: engine.tensor([1], dtype=engine.uint8) + engine.tensor([1], dtype=engine.int8), engine.int16),
    (lambda: engine.tensor([1, 2]) ** 2, engine.int64),
    (lambda: engine.tensor([1, 2]) ** 0.5, engine.float32),
    (lambda: 2 ** engine.tensor([1, 2]), engine.int64),
    (lambda: engine.tensor([1, 2]) < 1.5, engine.bool),
    (lambda: engine.tensor([1, 2]).sum(), engine.int64),
    (lambda: engine.tensor([True, True]).sum(), engine.int64),
    (lambda: engine.tensor([1, 2], dtype=engine.int32).sum(), engine.int64),
    (lambda: engine.tensor([1, 2]).exp(), engine.float32),
    (lambda: engine.where(engine.tensor([True, False]), engine.tensor([1, 2]), 0.5), engine.float32),
])
def test_documented_promotions(expression, expected):
    assert expression().dtype is expected


def test_default_dtype_decides_new_floats():
    assert engine.get_default_dtype() is engine.float32
    engine.set_default_dtype(engine.float64)
    try:
        assert engine.tensor([1.5]).dtype is engine.float64
        assert engine.zeros(2).dtype is engine.float64
        assert engine.arange(0, 1, 0.5).dtype is engine.float64
        assert (engine.tensor([1, 2]) / 2).dtype is engine.float64
        assert engine.tensor([1, 2]).dtype is engine.int64  # integers are not affected
    finally:
        engine.set_default_dtype(engine.float32)
    assert engine.tensor([1.5]).dtype is engine.float32
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        engine.set_default_dtype(engine.int64)


# ------------------------------------------------------- the promotion matrix vs torch
OPERATORS = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "pow": lambda lib, a, b: a ** b,
    "lt": lambda lib, a, b: a < b,
    "eq": lambda lib, a, b: a == b,
    "and": lambda lib, a, b: a & b,
    "or": lambda lib, a, b: a | b,
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "where": lambda lib, a, b: lib.where(lib.tensor([True, False, True]), a, b),
}


def operands(lib):
    """Every kind of operand, labelled: 1-D tensors and 0-d tensors of each dtype, Python numbers."""
    values = {"bool": [True, False, True]}
    result = []
    for name in NAMES:
        data = values.get(name, [1, 2, 3])
        result.append((f"tensor[{name}]", lib.tensor(data, dtype=getattr(lib, name))))
        result.append((f"0-d[{name}]", lib.tensor(data[0], dtype=getattr(lib, name))))
    result += [("python bool", True), ("python int", 2), ("python float", 1.5)]
    return result


@pytest.mark.parametrize("operator", OPERATORS, ids=str)
def test_promotion_matrix_matches_torch(operator, torch):
    """Result dtype and values of `a op b` for every pair of operand kinds, or the same error."""
    function = OPERATORS[operator]
    mismatches = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = itertools.product(zip(operands(engine), operands(torch)), repeat=2)
        for ((label_a, ours_a), (_, theirs_a)), ((label_b, ours_b), (_, theirs_b)) in pairs:
            if not isinstance(ours_a, engine.Tensor) and not isinstance(ours_b, engine.Tensor):
                continue
            ours = outcome(lambda: function(engine, ours_a, ours_b))
            theirs = outcome(lambda: function(torch, theirs_a, theirs_b))
            if ours[0] != theirs[0]:
                mismatches.append(f"{label_a} {operator} {label_b}: engine {ours[0]} {ours[1]!r}, torch {theirs[1]!r}")
            elif ours[0] == "raised":
                if type(ours[1]) is not type(theirs[1]) or str(ours[1]) != str(theirs[1]):
                    mismatches.append(f"{label_a} {operator} {label_b}: engine raised {ours[1]!r}, torch {theirs[1]!r}")
            elif dtype_name(ours[1]) != dtype_name(theirs[1]) or tuple(ours[1].shape) != tuple(theirs[1].shape):
                mismatches.append(f"{label_a} {operator} {label_b}: engine {ours[1].dtype}{tuple(ours[1].shape)}, "
                                  f"torch {theirs[1].dtype}{tuple(theirs[1].shape)}")
            elif not np.allclose(ours[1].numpy().astype(np.float64), theirs[1].numpy().astype(np.float64),
                                 rtol=1e-3, equal_nan=True):
                mismatches.append(f"{label_a} {operator} {label_b}: engine {ours[1]}, torch {theirs[1]}")
    assert not mismatches, "\n".join(mismatches)
