"""Errors a learner meets, in torch's words; and no bad input ever surfaces as a NumPy traceback.

MESSAGES holds torch's exact text for the errors the book shows. The engine must raise
them without torch installed; with torch installed, torch must raise the same, which
keeps the table honest.

BAD_CALLS is a wider net: for each, the exception must be one torch would raise (a
RuntimeError, IndexError, TypeError or ValueError, compared with torch's where it is
installed), raised by engine code rather than from inside NumPy, and not a NumPy
exception type or message.
"""
import re
import traceback

import numpy as np
import pytest

import engine
from torch_compat import last_frame_in_numpy, outcome, raised_from_engine, torch  # noqa: F401


def _numpy_of(lib):
    return lambda: lib.ones(2, requires_grad=True).numpy()


MESSAGES = {
    "size of a 0-d tensor": (
        lambda lib: lib.tensor(1.5).size(0), IndexError, "Dimension specified as 0 but tensor has no dimensions"),
    "stride of a 0-d tensor": (
        lambda lib: lib.tensor(1.5).stride(-2), IndexError, "Dimension specified as -2 but tensor has no dimensions"),
    "flatten a 0-d tensor from dim -2": (
        lambda lib: lib.tensor(1.5).flatten(-2), IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got -2)"),
    "std of a 0-d tensor along dim 1": (
        lambda lib: lib.tensor(0.0).std(1), IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    "sum of a 0-d tensor along dim -2": (
        lambda lib: lib.tensor(0.0).sum(-2), IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got -2)"),
    "softmax of a 0-d tensor along dim 1": (
        lambda lib: lib.tensor(0.0).softmax(1), IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    "cat of a tensor and an int": (
        lambda lib: lib.cat((lib.ones(2), 1)), TypeError, "expected Tensor as element 1 in argument 0, but got int"),
    "stack of a tensor and an int": (
        lambda lib: lib.stack((lib.ones(2), 1)), TypeError, "expected Tensor as element 1 in argument 0, but got int"),
    "sub of a bool tensor with a bool alpha": (
        lambda lib: lib.sub(lib.tensor(True), lib.ones(2), alpha=True), RuntimeError,
        "Subtraction, the `-` operator, with a bool tensor is not supported. "
        "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."),
    "sub of an int tensor and a bool one with a float alpha": (
        lambda lib: lib.sub(lib.tensor([1, 2]), lib.tensor(True), alpha=0.5), RuntimeError,
        "Subtraction, the `-` operator, with a bool tensor is not supported. "
        "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."),
    "amax over an empty dim given from the end": (
        lambda lib: lib.ones(2, 0).amax(-1), IndexError, "amax(): Expected reduction dim -1 to have non-zero size."),
    "amin over dims, one empty and given from the end": (
        lambda lib: lib.ones(2, 0).amin((0, -1)), IndexError,
        "amin(): Expected reduction dim -1 to have non-zero size."),
    "mv of a vector and a 3-d tensor": (
        lambda lib: lib.mv(lib.ones(3), lib.ones(3, 4, 1)), RuntimeError,
        "vector + matrix @ vector expected, got 1, 1, 3"),
    "assign a str to an element": (
        lambda lib: lib.ones(2, 3).__setitem__(0, "a"), TypeError, "can't assign a str to a torch.FloatTensor"),
    "assign None to an element": (
        lambda lib: lib.ones(2, dtype=lib.int64).__setitem__(0, None), TypeError,
        "can't assign a NoneType to a torch.LongTensor"),
    "flatten a 0-d tensor up to dim 1": (
        lambda lib: lib.tensor(1.5).flatten(0, 1), IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    "broadcasting": (
        lambda lib: lib.ones(2, 4) + lib.ones(2, 3), RuntimeError,
        "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1"),
    "broadcasting, leading dim": (
        lambda lib: lib.ones(5, 1, 3) * lib.ones(4, 3, 3), RuntimeError,
        "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0"),
    "matmul 2-D": (
        lambda lib: lib.ones(3, 4) @ lib.ones(3, 4), RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (3x4 and 3x4)"),
    "matmul 1-D by 2-D": (
        lambda lib: lib.ones(3) @ lib.ones(4, 2), RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)"),
    "matmul 2-D by 1-D": (
        lambda lib: lib.ones(2, 3) @ lib.ones(4), RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (4)"),
    "matmul 1-D by 1-D": (
        lambda lib: lib.ones(3) @ lib.ones(4), RuntimeError,
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 "
        "and 4 elements respectively"),
    "matmul 0-D": (
        lambda lib: lib.tensor(2.0) @ lib.ones(2), RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    "matmul batched": (
        lambda lib: lib.ones(2, 3, 4) @ lib.ones(2, 5, 6), RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5]."),
    "matmul batched by a vector": (  # torch folds the batch into the rows of one matrix, then calls mv
        lambda lib: lib.ones(2, 3, 4) @ lib.ones(5), RuntimeError, "size mismatch, got input (6), mat (6x4), vec (5)"),
    "matmul vector by batched": (  # no fold here (the transposed batch is not contiguous): bmm
        lambda lib: lib.ones(5) @ lib.ones(2, 3, 4), RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 5] but got: [2, 3]."),
    "matmul of a vector that requires grad by batched": (  # torch folds to spare the backward a big expand
        lambda lib: lib.ones(5, requires_grad=True) @ lib.ones(2, 3, 4), RuntimeError,
        "size mismatch, got input (8), mat (8x3), vec (5)"),
    "backward of a non-scalar": (
        lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(), RuntimeError,
        "grad can be implicitly created only for scalar outputs"),
    "backward without a graph": (
        lambda lib: lib.ones(2).sum().backward(), RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn"),
    "requires_grad on int, factory": (
        lambda lib: lib.tensor([1, 2], requires_grad=True), RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients"),
    "requires_grad on int, method": (
        lambda lib: lib.tensor([1, 2]).requires_grad_(), RuntimeError,
        "only Tensors of floating point dtype can require gradients"),
    "numpy of a tensor that requires grad": (
        lambda lib: lib.ones(2, requires_grad=True).numpy(), RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
    "item of several elements": (
        lambda lib: lib.ones(3).item(), RuntimeError, "a Tensor with 3 elements cannot be converted to Scalar"),
    "bool of several elements": (
        lambda lib: bool(lib.ones(3)), RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"),
    "if on a comparison": (
        lambda lib: 1 if lib.ones(2) > 0 else 0, RuntimeError,
        "Boolean value of Tensor with more than one value is ambiguous"),
    "cat size mismatch": (
        lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), RuntimeError,
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in "
        "the list."),
    "cat dims mismatch": (
        lambda lib: lib.cat([lib.ones(2, 3), lib.ones(3)]), RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 1"),
    "stack shape mismatch": (
        lambda lib: lib.stack([lib.ones(2), lib.ones(3)]), RuntimeError,
        "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"),
    "view with two -1": (
        lambda lib: lib.ones(6).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    "view of the wrong size": (
        lambda lib: lib.ones(6).view(4, 2), RuntimeError, "shape '[4, 2]' is invalid for input of size 6"),
    "view across strides": (
        lambda lib: lib.ones(2, 3).t().view(6), RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
        "contiguous subspaces). Use .reshape(...) instead."),
    "negative step": (lambda lib: lib.ones(3)[::-1], ValueError, "step must be greater than zero"),
    "index out of range": (
        lambda lib: lib.ones(3)[3], IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
    "dim out of range": (
        lambda lib: lib.ones(2, 3).sum(dim=2), IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    "in-place on a leaf": (
        lambda lib: lib.ones(2, requires_grad=True).add_(1), RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation."),
    "in-place cast": (
        lambda lib: lib.tensor([1, 2]).add_(0.5), RuntimeError,
        "result type Float can't be cast to the desired output type Long"),
    "mean of ints": (
        lambda lib: lib.tensor([1, 2]).mean(), RuntimeError,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"),
    "integer to a negative power": (
        lambda lib: lib.tensor([2, 3]) ** -1, RuntimeError, "Integers to negative integer powers are not allowed."),
    "bool minus bool": (
        lambda lib: lib.tensor([True]) - lib.tensor([False]), RuntimeError,
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
        "operator instead."),
    "negating a bool": (
        lambda lib: -lib.tensor([True]), RuntimeError,
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the "
        "`~` or `logical_not()` operator instead."),
    "ragged data": (lambda lib: lib.tensor([[1, 2], [3]]), ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
    "a list of strs": (lambda lib: lib.tensor(["a"]), ValueError, "too many dimensions 'str'"),
    "eq with None": (
        lambda lib: lib.eq(lib.ones(2), None), TypeError,
        "eq() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n"
        " * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n"),
    "lt with a number first": (
        lambda lib: lib.lt(1, lib.ones(2)), TypeError,
        "lt() received an invalid combination of arguments - got (int, Tensor), but expected one of:\n"
        " * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n"),
    "the method ge with a str": (
        lambda lib: lib.ones(2).ge("a"), TypeError,
        "ge() received an invalid combination of arguments - got (str), but expected one of:\n * (Tensor other)\n"
        "      didn't match because some of the arguments have invalid types: (!str!)\n * (Number other)\n"
        "      didn't match because some of the arguments have invalid types: (!str!)\n"),
    "< with None": (
        lambda lib: lib.ones(2) < None, TypeError, "'<' not supported between instances of 'Tensor' and 'NoneType'"),
    "a str after a number": (lambda lib: lib.tensor([1, "a"]), TypeError, "new(): invalid data type 'str'"),
    "a list of bytes": (lambda lib: lib.tensor([b"a"]), TypeError, "new(): invalid data type 'bytes'"),
    "flip a dim twice": (
        lambda lib: lib.ones(2, 3).flip((0, -2)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    "flip a 0-d tensor's dim twice": (
        lambda lib: lib.tensor(1.0).flip((0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    "unbind a 0-d tensor": (
        lambda lib: lib.tensor(1.0).unbind(), IndexError, "Dimension specified as 0 but tensor has no dimensions"),
    "len of a 0-d tensor": (lambda lib: len(lib.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
    "index of a 0-d tensor": (
        lambda lib: lib.tensor(1.0)[0], IndexError,
        "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a "
        "0-dim tensor to a number"),
    "std of ints": (
        lambda lib: lib.tensor([1, 2]).std(), RuntimeError, "std and var only support floating point and complex dtypes"),
    "allclose of two dtypes": (
        lambda lib: lib.allclose(lib.ones(2, dtype=lib.int64), lib.ones(2)), RuntimeError, "Long did not match Float"),
    "grad of another size": (
        lambda lib: setattr(lib.ones(2, requires_grad=True), "grad", lib.ones(3)), RuntimeError,
        "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. Please ensure that the gradient and "
        "the tensor are the same size"),
    "cat of nothing": (lambda lib: lib.cat([]), ValueError, "torch.cat(): expected a non-empty list of Tensors"),
}


@pytest.mark.parametrize("name", MESSAGES)
def test_engine_raises_torchs_message(name):
    call, kind, message = MESSAGES[name]
    with pytest.raises(kind) as caught:
        call(engine)
    assert type(caught.value) is kind and str(caught.value) == message


@pytest.mark.parametrize("name", MESSAGES)
def test_the_messages_are_torchs(name, torch):
    call, kind, message = MESSAGES[name]
    with pytest.raises(kind) as caught:
        call(torch)
    assert str(caught.value) == message


BAD_CALLS = {
    "add a string": lambda lib: lib.ones(2) + "a",
    "add a list": lambda lib: lib.ones(2) + [1, 2],
    "mul shapes": lambda lib: lib.ones(2, 3) * lib.ones(3, 2),
    "compare shapes": lambda lib: lib.ones(2) < lib.ones(3),
    "where shapes": lambda lib: lib.where(lib.ones(2) > 0, lib.ones(3), lib.ones(4)),
    "where of floats": lambda lib: lib.where(lib.ones(2), lib.ones(2), lib.ones(2)),
    "maximum shapes": lambda lib: lib.maximum(lib.ones(2), lib.ones(3)),
    "matmul shapes": lambda lib: lib.ones(2, 3).matmul(lib.ones(2, 3)),
    "mm of vectors": lambda lib: lib.mm(lib.ones(3), lib.ones(3)),
    "dot of matrices": lambda lib: lib.dot(lib.ones(2, 2), lib.ones(2, 2)),
    "sum dim": lambda lib: lib.ones(2).sum(dim=3),
    "sum repeated dims": lambda lib: lib.ones(2, 3).sum(dim=(0, 0)),
    "mean dim": lambda lib: lib.ones(2).mean(dim=-3),
    "max dim": lambda lib: lib.ones(2).max(dim=1),
    "max of empty": lambda lib: lib.ones(0).max(),
    "argmax dim": lambda lib: lib.ones(2).argmax(dim=2),
    "argmax of empty": lambda lib: lib.ones(0).argmax(),
    "argmax along an empty dim": lambda lib: lib.ones(0, 2).argmax(0),
    "argmin along an empty dim, keepdim": lambda lib: lib.ones(2, 0).argmin(1, keepdim=True),
    "max along an empty dim": lambda lib: lib.ones(0, 2).max(0),
    "stack empty list": lambda lib: lib.stack([]),
    "softmax of ints": lambda lib: lib.tensor([1, 2]).softmax(0),
    "prod dim": lambda lib: lib.ones(2).prod(dim=4),
    "var dim": lambda lib: lib.ones(2).var(dim=2),
    "softmax dim": lambda lib: lib.ones(2).softmax(dim=1),
    "log_softmax dim": lambda lib: lib.log_softmax(lib.ones(2, 2), dim=-3),
    "all dim": lambda lib: lib.ones(2).all(dim=1),
    "view size": lambda lib: lib.ones(4).view(3),
    "view -2": lambda lib: lib.ones(4).view(-2, 2),
    "reshape size": lambda lib: lib.ones(4).reshape(5),
    "reshape float": lambda lib: lib.ones(4).reshape(2.0, 2),
    "transpose dim": lambda lib: lib.ones(2, 2).transpose(0, 5),
    "permute length": lambda lib: lib.ones(2, 2).permute(0),
    "permute repeated": lambda lib: lib.ones(2, 2).permute(1, 1),
    "t of 3-D": lambda lib: lib.ones(2, 2, 2).t(),
    "squeeze dim": lambda lib: lib.ones(2).squeeze(3),
    "unsqueeze dim": lambda lib: lib.ones(2).unsqueeze(5),
    "expand size": lambda lib: lib.ones(2).expand(3),
    "expand fewer dims": lambda lib: lib.ones(2, 2).expand(2),
    "flatten dims": lambda lib: lib.ones(2, 2).flatten(1, 0),
    "flip dim": lambda lib: lib.ones(2).flip(3),
    "cat empty list": lambda lib: lib.cat([]),
    "cat a tensor": lambda lib: lib.cat(lib.ones(2)),
    "cat dim": lambda lib: lib.cat([lib.ones(2), lib.ones(2)], dim=2),
    "stack shapes": lambda lib: lib.stack([lib.ones(2), lib.ones(2, 1)]),
    "split sizes": lambda lib: lib.ones(4).split([1, 2]),
    "split zero": lambda lib: lib.ones(4).split(0),
    "chunk zero": lambda lib: lib.ones(4).chunk(0),
    "index too many": lambda lib: lib.ones(2)[0, 0],
    "index float": lambda lib: lib.ones(2)[0.5],
    "index out of range": lambda lib: lib.ones(2)[-3],
    "index list out of range": lambda lib: lib.ones(2)[[0, 2]],
    "index float tensor": lambda lib: lib.ones(2)[lib.tensor([0.0])],
    "mask shape": lambda lib: lib.ones(2)[lib.tensor([True, False, True])],
    "setitem shape": lambda lib: lib.ones(2, 2).__setitem__(0, lib.ones(3)),
    "setitem advanced shape": lambda lib: lib.ones(3).__setitem__([0, 1], lib.ones(3)),
    "copy_ shape": lambda lib: lib.ones(2).copy_(lib.ones(3)),
    "add_ shape": lambda lib: lib.ones(2).add_(lib.ones(2, 2)),
    "fill_ with a vector": lambda lib: lib.ones(2).fill_(lib.ones(2)),
    "tensor ragged": lambda lib: lib.tensor([[1], [2, 3]]),
    "tensor mixed": lambda lib: lib.tensor([[1], 2]),
    "tensor of an object": lambda lib: lib.tensor(object()),
    "zeros negative": lambda lib: lib.zeros(2, -1),
    "ones float size": lambda lib: lib.ones(1.5),
    "arange zero step": lambda lib: lib.arange(0, 1, 0),
    "eye negative": lambda lib: lib.eye(-2),
    "randint empty range": lambda lib: lib.randint(3, 3, (2,)),
    "from_numpy of a list": lambda lib: lib.from_numpy([1.0]),
    "from_numpy of objects": lambda lib: lib.from_numpy(np.array([object()])),
    "float of a vector": lambda lib: float(lib.ones(2)),
    "int of a vector": lambda lib: int(lib.ones(2)),
    "index with a float tensor": lambda lib: [1, 2][lib.tensor(1.0)],
    "backward twice": lambda lib: (lambda y: (y.backward(), y.backward()))((lib.ones(2, requires_grad=True) ** 2).sum()),
    "backward wrong gradient shape": lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(lib.ones(3)),
    "grad of an unused input": lambda lib: lib.autograd.grad((lib.ones(1, requires_grad=True) * 2).sum(),
                                                            lib.ones(1, requires_grad=True)),
    "bitwise on floats": lambda lib: lib.ones(2) & lib.ones(2),
    "invert floats": lambda lib: ~lib.ones(2),
    "clamp without bounds": lambda lib: lib.ones(2).clamp(),
    "set grad of the wrong shape": lambda lib: setattr(lib.ones(2, requires_grad=True), "grad", lib.ones(3)),
    "data set to a list": lambda lib: setattr(lib.ones(2), "data", [1.0]),
    "to an unknown device": lambda lib: lib.ones(2).to("tpu"),
    "out of the wrong dtype": lambda lib: lib.add(lib.ones(2), 0.5, out=lib.zeros(2, dtype=lib.int64)),
    "int of a float tensor index": lambda lib: lib.ones(3)[lib.tensor([True, False])],
    "std of ints": lambda lib: lib.tensor([1, 2]).std(),
    "var of ints": lambda lib: lib.tensor([1, 2]).var(dim=0),
    "abs of bools": lambda lib: lib.tensor([True]).abs(),
    "cat of 0-d tensors": lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]),
    "split of a 0-d tensor": lambda lib: lib.tensor(1.0).split(1),
    "chunk of a 0-d tensor": lambda lib: lib.tensor(1.0).chunk(1),
    "index of a 0-d tensor": lambda lib: lib.tensor(1.0)[0],
    "slice of a 0-d tensor": lambda lib: lib.tensor(1.0)[:],
    "amax of empty": lambda lib: lib.ones(0).amax(),
    "amin along an empty dim": lambda lib: lib.ones(0, 2).amin(0),
    "allclose of two dtypes": lambda lib: lib.allclose(lib.ones(2, dtype=lib.int64), lib.ones(2)),
    "isclose of two dtypes": lambda lib: lib.isclose(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    "tensor of a list of vectors": lambda lib: lib.tensor([lib.ones(2), lib.ones(2)]),
    "Tensor of a float": lambda lib: lib.Tensor(2.5),
    "Tensor of a bool": lambda lib: lib.Tensor(True),
    "where with an int condition": lambda lib: lib.where(lib.tensor([1, 0]), 1.0, 0.0),
    "grad of another dtype": lambda lib: setattr(lib.ones(2, requires_grad=True), "grad", lib.ones(2, dtype=lib.int64)),
    "detach_ of a view": lambda lib: (lib.ones(2, requires_grad=True) * 1)[0].detach_(),
}

NUMPY_WORDS = re.compile(r"numpy|ndarray|\baxis\b|operands could not be broadcast|dtype\('|ufunc", re.IGNORECASE)
TORCH_LIKE = (RuntimeError, IndexError, TypeError, ValueError)


@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_calls_raise_from_engine_code_with_torch_like_errors(name):
    try:
        BAD_CALLS[name](engine)
    except Exception as error:  # noqa: BLE001  (the point is to look at whatever was raised)
        where = "".join(traceback.format_exception(error)[-3:])
        assert isinstance(error, TORCH_LIKE), f"{type(error).__name__} is not an error torch raises here:\n{where}"
        assert type(error).__module__ in ("builtins", "engine.autograd.gradcheck"), \
            f"{type(error)} is a library's own exception type:\n{where}"
        assert not last_frame_in_numpy(error), f"raised from inside NumPy:\n{where}"
        assert raised_from_engine(error), f"not raised by engine code:\n{where}"
        assert not NUMPY_WORDS.search(str(error)) or name.startswith("from_numpy"), \
            f"NumPy's words leaked into the message: {error}"
    else:
        pytest.fail(f"{name}: nothing was raised")


@pytest.mark.parametrize("name", BAD_CALLS)
def test_bad_calls_raise_the_same_type_as_torch(name, torch):
    ours, theirs = outcome(lambda: BAD_CALLS[name](engine)), outcome(lambda: BAD_CALLS[name](torch))
    assert theirs[0] == "raised", f"torch accepts this: {theirs[1]!r}"
    assert ours[0] == "raised"
    assert type(ours[1]) is type(theirs[1]), \
        f"engine {type(ours[1]).__name__}: {ours[1]}\ntorch {type(theirs[1]).__name__}: {theirs[1]}"


MATMUL_SHAPES = [(5,), (4,), (2, 5), (5, 4), (4, 5), (2, 3, 4), (2, 4, 5), (3, 5, 4), (1, 4, 5), (2, 2, 3, 4),
                 (3, 1, 5, 4), (0,), (2, 0, 4)]


@pytest.mark.parametrize("a", MATMUL_SHAPES, ids=str)
def test_matmul_shapes_results_and_errors_match_torch(a, torch):
    """Every pair of shapes, each operand requiring grad or not and laid out plainly or transposed: torch
    picks mm, mv, a fold of the batch or bmm by all of these, and its error names the shapes that path saw."""
    def run(lib, b, grads, transposed):
        x, y = lib.ones(a, requires_grad=grads[0]), lib.ones(b, requires_grad=grads[1])
        if transposed and x.dim() >= 2:
            x = x.mT.contiguous().mT
        return tuple((x @ y).shape)

    for b in MATMUL_SHAPES:
        for grads in ((False, False), (True, False), (False, True)):
            for transposed in (False, True):
                ours = outcome(lambda: run(engine, b, grads, transposed))
                theirs = outcome(lambda: run(torch, b, grads, transposed))
                assert (ours[0], type(ours[1]), str(ours[1])) == (theirs[0], type(theirs[1]), str(theirs[1])), (b, grads)


def test_equality_with_other_objects_is_false_as_in_torch(torch):
    for lib in (engine, torch):
        x = lib.ones(2)
        assert (x == None) is False and (x != None) is True and (x == "a") is False  # noqa: E711
