"""`engine.nn.functional`: the functions that layers and losses are made of (torch.nn.functional's names).

Three are primitives, each a `Function` with its forward and backward side by
side: `Addmm` (a Linear layer's bias + x @ Wᵀ in one step), `MseLoss` and
`NllLoss`. Everything else is composed from engine operations, as in torch:
`cross_entropy` is `nll_loss(log_softmax(x))`, `dropout` multiplies by a random mask.

>>> import engine as torch
>>> import engine.nn.functional as F
>>> logits = torch.tensor([[2.0, 0.0, -1.0]], requires_grad=True)
>>> F.cross_entropy(logits, torch.tensor([0]))
tensor(0.1698, grad_fn=<NllLossBackward0>)
"""
import warnings

import numpy as np

from .. import functional as _engine
from ..autograd.function import Function
from ..broadcasting import broadcast_shapes
from ..creation import rand, zeros
from ..grad_mode import is_grad_enabled
from ..ops.common import _wrap, common_arrays, constant_like

__all__ = [
    "cross_entropy", "dropout", "linear", "log_softmax", "mse_loss", "nll_loss", "relu", "sigmoid", "softmax", "tanh",
]

_REDUCTIONS = ("none", "mean", "sum")


def _type(tensor):
    return tensor.dtype._legacy.removesuffix("Tensor")  # 'Float', 'Long', ...


# torch's C++ names for dtypes, which some of its messages print.
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _check_reduction(reduction, size_average=None, reduce=None):
    """The reduction to use, from `reduction` or from the deprecated size_average/reduce flags."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
            UserWarning, stacklevel=3,
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


# ----------------------------------------------------------------------------- linear
class Addmm(Function):
    """bias + mat1 @ mat2; d/dmat1 = grad @ mat2ᵀ, d/dmat2 = mat1ᵀ @ grad, d/dbias = grad (summed over rows)."""

    node_name = "AddmmBackward0"
    symbol = "addmm"
    derivatives = ("Σ grad over rows", "grad @ Bᵀ", "Aᵀ @ grad")
    static_name = "addmm"

    @staticmethod
    def forward(ctx, bias, mat1, mat2):
        if bias.dtype is not mat2.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_type(bias)} and {_type(mat2)}")
        if mat1.dtype is not mat2.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_type(mat1)} and {_type(mat2)}")
        (rows, inner), (inner2, columns) = mat1._data.shape, mat2._data.shape
        if inner != inner2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner} and {inner2}x{columns})")
        if not _expands(bias._data.shape, (rows, columns)):
            sizes = ", ".join(map(str, bias._data.shape))
            raise RuntimeError(
                f"The expanded size of the tensor ({columns}) must match the existing size ({bias._data.shape[-1]}) at "
                f"non-singleton dimension 1.  Target sizes: [{rows}, {columns}].  Tensor sizes: [{sizes}]"
            )
        _, needs_mat1, needs_mat2 = ctx.needs_input_grad
        ctx.save_for_backward(mat1 if needs_mat2 else None, mat2 if needs_mat1 else None)
        result = mat1._data @ mat2._data
        result += bias._data  # in place: no second (rows, columns) buffer
        return _wrap(result)

    @staticmethod
    def backward(ctx, grad):
        mat1, mat2 = ctx.saved_tensors
        grad_mat1 = grad.mm(mat2.t()) if mat2 is not None else None
        grad_mat2 = mat1.t().mm(grad) if mat1 is not None else None
        return grad, grad_mat1, grad_mat2  # the engine sums the bias gradient back to the bias's shape


def _expands(shape, target):
    return len(shape) <= len(target) and all(s in (1, t) for s, t in zip(reversed(shape), reversed(target)))


def linear(input, weight, bias=None):
    """input @ weightᵀ + bias, for an input whose last dimension has weight.shape[1] features.

    A 2-D input takes one fused step (AddmmBackward0). Other inputs are flattened
    to 2-D, multiplied, and viewed back to their leading dimensions, as torch does.
    """
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {input.dim()}D and {weight.dim()}D"
        )
    if bias is None:
        if input.dtype is not weight.dtype:
            raise RuntimeError(
                "expected m1 and m2 to have the same dtype, but got: "
                f"{_CPP_NAMES[input.dtype.name]} != {_CPP_NAMES[weight.dtype.name]}"
            )
        return input.matmul(weight.t())
    if input.dim() == 2:
        return Addmm.apply(bias, input, weight.t())
    leading = tuple(input.shape[:-1])
    output = Addmm.apply(bias, input.reshape(-1, input.shape[-1]), weight.t())
    return output.view(*leading, output.shape[-1])


# ------------------------------------------------------------------------ activations
def relu(input, inplace=False):
    """max(x, 0) element-wise."""
    return input.relu_() if inplace else _engine.relu(input)


def tanh(input):
    return _engine.tanh(input)


def sigmoid(input):
    """1 / (1 + e^-x) element-wise."""
    return _engine.sigmoid(input)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        UserWarning, stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / Σ exp(x) along `dim`: each slice becomes a probability distribution."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return _engine.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along `dim`, computed without taking the log of a rounded-off zero."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _engine.log_softmax(input, dim, dtype=dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the survivors by 1/(1-p); the identity when not training.

    The mask comes from the engine's random generator (seed it with manual_seed),
    so the dropped positions differ from torch's for the same seed.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        noise = zeros((), dtype=input.dtype)
    else:
        noise = (rand(*input.shape) < 1 - p).to(input.dtype)  # keep with probability 1 - p
        noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


# ----------------------------------------------------------------------------- losses
class MseLoss(Function):
    """(input - target)², averaged (or summed, or kept); d/dinput = 2(input - target)/n, d/dtarget = its negative."""

    node_name = "MseLossBackward0"
    symbol = "mse_loss"
    derivatives = ("2 (x − y) * grad / n", "−2 (x − y) * grad / n")
    static_name = "mseloss"

    @staticmethod
    def forward(ctx, input, target, reduction):
        x, y = common_arrays(input, target)
        if x.dtype.kind != "f":
            raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_type(input)}'")
        difference = x - y
        squared = difference * difference
        ctx.save_for_backward(input, target)
        ctx.reduction, ctx.count = reduction, squared.size
        if reduction == "none":
            return _wrap(squared)
        total = np.add.reduce(squared, axis=None)
        if reduction == "sum":
            return _wrap(np.asarray(total, dtype=squared.dtype))
        with np.errstate(invalid="ignore", divide="ignore"):
            return _wrap(np.divide(total, squared.size, dtype=squared.dtype))

    @staticmethod
    def backward(ctx, grad):
        input, target = ctx.saved_tensors
        scale = 2 / ctx.count if ctx.reduction == "mean" else 2
        grad_input = (input - target) * scale * grad
        needs_input, needs_target, _ = ctx.needs_input_grad
        return grad_input if needs_input else None, -grad_input if needs_target else None, None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean squared error between input and target (reduction 'mean', 'sum' or 'none').

    With `weight` (the input's shape), each squared error is weighted and 'mean'
    divides by the total weight; torch composes that case from plain operations too.
    """
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            UserWarning, stacklevel=2,
        )
        broadcast_shapes(input.shape, target.shape)
    if weight is None:
        return MseLoss.apply(input, target, _check_reduction(reduction, size_average, reduce))
    if size_average is not None or reduce is not None:
        reduction = _check_reduction(reduction, size_average, reduce)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    weighted = (input - target).pow(2) * weight
    if reduction == "none":
        return weighted
    return weighted.sum() if reduction == "sum" else weighted.sum() / weight.sum()


class NllLoss(Function):
    """-Σᵢ wᵢ·input[i, targetᵢ] / Σᵢ wᵢ for 'mean' (no division for 'sum', per element for 'none');
    d/dinput is -wᵢ/Σw at each target position and 0 elsewhere.

    Class scores are on dim 1 (dim 0 for a single unbatched sample); targets equal
    to ignore_index count for nothing.
    """

    node_name = "NllLossBackward0"
    symbol = "nll_loss"
    derivatives = ("−grad at the target / n",)
    static_name = "nllloss"

    @staticmethod
    def forward(ctx, input, target, weight, reduction, ignore_index):
        scores = input._data
        if scores.dtype.kind != "f":
            raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{_type(input)}'")
        if target._data.dtype not in (np.int64, np.uint8):
            raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type(target)}")
        scores = np.moveaxis(scores, 1, -1) if scores.ndim > 2 else scores  # classes on the last axis
        classes = scores.shape[-1]
        targets = target._data.astype(np.int64)
        kept = targets != ignore_index
        out_of_bounds = kept & ((targets < 0) | (targets >= classes))
        if out_of_bounds.any():
            raise IndexError(f"Target {targets[out_of_bounds].flat[0]} is out of bounds.")
        safe = np.where(kept, targets, 0)
        weights = (weight._data[safe] if weight is not None else np.ones(safe.shape, scores.dtype)) * kept
        weights = weights.astype(scores.dtype, copy=False)
        picked = np.take_along_axis(scores, safe[..., None], axis=-1)[..., 0]
        with np.errstate(invalid="ignore"):  # an ignored -inf score times weight 0
            losses = np.where(kept, -picked * weights, 0).astype(scores.dtype, copy=False)
        ctx.safe, ctx.kept, ctx.weights, ctx.reduction = safe, kept, weights, reduction
        ctx.shape, ctx.classes_last = input._data.shape, scores.shape
        if reduction == "none":
            return _wrap(losses.reshape(targets.shape))
        total = losses.sum()
        if reduction == "sum":
            return _wrap(np.asarray(total, dtype=scores.dtype))
        ctx.total_weight = weights.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            return _wrap(np.asarray(total / ctx.total_weight, dtype=scores.dtype))

    @staticmethod
    def backward(ctx, grad):
        # torch writes -weight·grad (over the total weight for 'mean') at each kept target and leaves
        # every other element 0: an ignored target gets 0 even when the total weight is 0.
        column = ctx.classes_last[:-1] + (1,)
        placed = np.zeros(ctx.classes_last, dtype=ctx.weights.dtype)
        np.put_along_axis(placed, ctx.safe.reshape(column), ctx.weights.reshape(column), axis=-1)
        chosen = np.zeros(ctx.classes_last, dtype=bool)
        np.put_along_axis(chosen, ctx.safe.reshape(column), ctx.kept.reshape(column), axis=-1)
        if len(ctx.shape) > 2:
            placed, chosen = np.moveaxis(placed, -1, 1), np.moveaxis(chosen, -1, 1)
        placed, chosen = placed.reshape(ctx.shape), chosen.reshape(ctx.shape)
        scale = -(grad / float(ctx.total_weight)) if ctx.reduction == "mean" else -grad
        if ctx.reduction == "none" and grad.dim() > 0:
            scale = scale.unsqueeze(1)
        return _engine.where(_wrap(chosen), scale * constant_like(placed, grad), 0.0), None, None, None, None


class NllLoss2D(NllLoss):
    """nll_loss of scores with dims past the class dim (an image's pixels), under torch's name for it."""

    node_name = "NllLoss2DBackward0"


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """The negative log likelihood of the target classes, given log-probabilities (class scores on dim 1)."""
    reduction = _check_reduction(reduction, size_average, reduce)
    if input.dim() == 1 and target.dim() == 1:  # one unbatched sample: its target may come as [class]
        if target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
        target = target.squeeze(0)
    _check_nll_shapes(input, target, weight)
    if weight is not None:
        if weight.dtype is not input.dtype:
            raise RuntimeError(f"expected scalar type {_type(input)} but found {_type(weight)}")
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError(
                "The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. "
                "This input cannot have requires_grad True."
            )
    return (NllLoss2D if input._data.ndim > 2 else NllLoss).apply(input, target, weight, reduction, ignore_index)


def _check_nll_shapes(input, target, weight):
    """torch's checks, in torch's order, for the shapes nll_loss accepts."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    target_batch = target.shape[0] if target.dim() else 0
    if input.dim() != 1 and input.shape[0] != target_batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({target_batch}).")
    if input.dim() <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif input.dim() == 4:
        if target.dim() != 3:
            raise RuntimeError(
                f"only batches of spatial targets supported (3D tensors) but got targets of dimension: {target.dim()}"
            )
        if tuple(target.shape) != tuple(input.shape[:1]) + tuple(input.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
    elif tuple(target.shape[1:]) != tuple(input.shape[2:]):
        expected = [input.shape[0], *input.shape[2:]]
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    classes = input.shape[0 if input.dim() == 1 else 1]
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes but got weight tensor "
            f"of shape: {list(weight.shape)}"
        )


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Softmax cross-entropy between raw scores (logits) and targets: nll_loss(log_softmax(input)).

    `target` holds class indices (int64), or class probabilities with the input's shape.
    """
    reduction = _check_reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    if not input.is_floating_point():
        kernel = "log_softmax_lastdim_kernel_impl" if class_dim == input.dim() - 1 else "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type(input)}'")
    if input.shape == target.shape:  # the same shape means class probabilities
        return _cross_entropy_probabilities(input, target, weight, reduction, ignore_index, label_smoothing, class_dim)
    log_probs = _engine.log_softmax(input, class_dim)
    loss = nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return loss
    # Label smoothing mixes in the loss against a uniform target, computed as torch does.
    classes = input.shape[class_dim]
    weight_view = None if weight is None else weight.reshape([-1 if d == class_dim else 1 for d in range(input.dim())])
    smooth = -(log_probs if weight is None else log_probs * weight_view).sum(class_dim)
    ignored = target == ignore_index
    smooth = _engine.where(ignored, 0.0, smooth)
    if reduction == "mean":
        kept = ignored.logical_not()
        smooth = smooth.sum() / (kept.sum() if weight is None else weight[target[kept]].sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)


def _cross_entropy_probabilities(input, target, weight, reduction, ignore_index, label_smoothing, class_dim):
    if not target.is_floating_point():
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got {_type(target)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    classes = input.shape[class_dim]
    log_probs = _engine.log_softmax(input, class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    products = log_probs * target
    if weight is not None:
        products = products * weight.reshape([-1 if d == class_dim else 1 for d in range(input.dim())])
    if reduction == "none":
        return -products.sum(class_dim)
    if reduction == "sum":
        return -products.sum()
    return -products.sum() / (input.numel() // classes)
