"""The Tensor: a NumPy array plus what autograd needs to differentiate through it.

A tensor owns (or, as a view, shares) a NumPy array. For autograd it carries
`requires_grad`, the node that made it (`grad_fn`), its `.grad`, and a version
counter that in-place operations bump, shared by every view of the same memory.

>>> import engine as torch
>>> x = torch.tensor([1., 2.], requires_grad=True)
>>> y = x * x
>>> y
tensor([1., 4.], grad_fn=<MulBackward0>)
"""
import warnings

import numpy as np

from . import dtypes, formatting
from .device import as_device, cpu
from .size import Size

_new_object = object.__new__


def _wrap(array):
    """A new tensor around `array` (no copy). The engine's fast internal constructor."""
    if type(array) is not np.ndarray:
        array = np.asarray(array)
    tensor = _new_object(Tensor)
    tensor._data = array
    tensor._version_counter = [0]
    return tensor


def _view_of(base, array):
    """A tensor that views `base`'s memory: same storage, same version counter."""
    tensor = _wrap(array)
    counter = tensor._version_counter = base._version_counter
    tensor._view_version = counter[0]  # when its history was last true (see autograd.views)
    if base._base is None:
        tensor._base = base
    else:  # a view of a view views the first base, and keeps how the first view was made
        tensor._base = base._base
        tensor._view_creation = base._view_creation
    return tensor


def _warn_at_caller(message, category=UserWarning):
    """Warn pointing at the first frame outside the engine: the user's line, however deep the call came."""
    import os
    import sys

    package = os.path.dirname(__file__) + os.sep
    frame, level = sys._getframe(1), 2  # level 1 is this function
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


_warned = set()


def _warn_once(message):
    """Warn the first time only, as torch's TORCH_WARN_ONCE does (torch also appends its C++ location)."""
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


_wrapped_numbers = {}


def _wrapped_number(value):
    """A Python number as a zero-dimensional tensor that type promotion ranks last.

    The same few numbers (1, 2, 0.5...) recur in every backward formula, so they are
    cached; the engine never writes into these tensors.
    """
    key = (type(value), value) if value else (type(value), value, str(value))  # -0.0 == 0.0, but prints as -0.
    tensor = _wrapped_numbers.get(key)
    if tensor is None:
        # Stored at full precision (a Python float is a double); promotion decides the result's
        # dtype from the number's kind, so 0.9 meets a float64 tensor as 0.9, not float32's 0.9.
        stored = np.bool_ if isinstance(value, bool) else np.int64 if isinstance(value, int) else np.float64
        tensor = _wrap(np.asarray(value, dtype=stored))
        tensor._is_wrapped_number = True
        if len(_wrapped_numbers) < 1024:
            _wrapped_numbers[key] = tensor
    return tensor


def _type_name(tensor):
    return f"torch.{tensor.dtype._legacy}"


class Tensor:
    """An n-dimensional array with autograd.

    `Tensor(2, 3)` is torch's legacy constructor: a float32 tensor of that shape whose
    memory is uninitialised (like `empty`). Prefer `tensor(data)` or `zeros(2, 3)`.
    """

    __array_priority__ = 1000  # NumPy defers `ndarray * Tensor` to Tensor.__rmul__

    # Defaults shared by all tensors; an instance stores only what differs.
    _requires_grad = False
    _grad_fn = None
    _grad = None
    _output_nr = 0
    _accumulator = None
    _retains_grad = False
    _is_wrapped_number = False
    _check_index = None  # a subclass whose values are not known yet sets a method that refuses to index with it
    _base = None
    _view_version = 0
    _view_creation = None  # "multi_output", "no_grad" or "custom_function": views torch forbids writing into

    def __init__(self, *args):
        if len(args) == 1 and (isinstance(args[0], bool) or not isinstance(args[0], (int, np.integer))):
            source = args[0]
            if isinstance(source, (bool, float, np.bool_, np.floating)):  # a number is neither a size nor data
                raise TypeError(f"new(): data must be a sequence (got {type(source).__name__})")
            if isinstance(source, Size):  # Tensor(x.shape) allocates, like Tensor(2, 3)
                array = np.empty(tuple(source), dtype=dtypes.get_default_dtype().numpy)
            elif isinstance(source, Tensor):
                array = source._data
            else:
                array = _array_from_data(source, dtypes.get_default_dtype())
        else:
            for n in args:
                if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
                    raise TypeError(f"new(): argument 'size' must be tuple of ints, but found element of type {type(n).__name__}")
                if n < 0:
                    raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(args)}")
            # Uninitialised on purpose: torch.Tensor(2, 3) does not fill its memory.
            array = np.empty(args if args else (0,), dtype=dtypes.get_default_dtype().numpy)
        self._data = array
        self._version_counter = [0]

    # ----------------------------------------------------------------- introspection
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape as a `Size`, or the length of dimension `dim`."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_dim_of_shape(dim, self._data.ndim)]

    @property
    def dtype(self):
        return dtypes._BY_NUMPY[self._data.dtype]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def device(self):
        return cpu

    @property
    def is_cuda(self):
        return False

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def stride(self, dim=None):
        """Steps, in elements, between neighbours along each dimension."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[_dim_of_shape(dim, self._data.ndim)]

    def is_contiguous(self):
        return self._data.flags.c_contiguous

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def type(self, dtype=None):
        if dtype is None:
            return _type_name(self)
        return self.to(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The NumPy array behind this tensor: shared memory, no copy."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __repr__(self, *, tensor_contents=None):
        grad_fn = self.grad_fn
        return formatting.tensor_repr(
            self._data, self.dtype, self.requires_grad,
            grad_fn.name().rpartition("::")[2] if grad_fn is not None else None,  # torch prints no C++ namespace
        )

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    __hash__ = object.__hash__

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
                "moment.  If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
            )
        copy = type(self).__new__(type(self))
        copy.__dict__.update({key: value for key, value in self.__dict__.items() if key not in ("_grad", "_accumulator")})
        copy._data = self._data.copy()
        copy._version_counter = [0]
        copy._base = None
        if self._grad is not None:
            copy._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = copy
        return copy

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self._data.reshape(()))

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._data.reshape(()))

    def __index__(self):
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    # ---------------------------------------------------------------------- autograd
    def _view_is_recorded(self):
        """For a view: whether an op on it is recorded, its history brought up to date first (Function.apply)."""
        return _view_needs_grad(self)

    def _summed_to(self, shape):
        """This gradient summed over the dims that broadcasting stretched to reach it from `shape`."""
        return _sum_to_shape(self, shape)

    @property
    def requires_grad(self):
        if self._base is not None:  # a view also requires grad when its base does, as in torch
            return _view_requires_grad(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self._data.dtype.kind != "f":  # torch words this one without "and complex"
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        """The node that produced this tensor, or None for a leaf."""
        if self._base is not None:
            _refresh_view(self)
        return self._grad_fn

    @property
    def is_leaf(self):
        """True for tensors made by the user, or that do not require grad."""
        return self.grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
                "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                "for more information.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor of size "
                    f"'{list(self._data.shape)}'. Please ensure that the gradient and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{dtypes.CPP_TYPE_NAMES[value.dtype.name]}' to a tensor "
                    f"with grad_dtype '{self.dtype._legacy.removesuffix('Tensor')}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                    "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                    "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume "
                    "they match."
                )
        self._grad = value

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self._grad_fn._retain_grad_of(self)

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a tensor it returns replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is None:
            if not self._requires_grad:  # a view made under no_grad of a base that requires grad
                raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
            node = _accumulator(self)
        return node._register_tensor_hook(self._output_nr, hook)

    @property
    def _version(self):
        return self._version_counter[0]

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into the `.grad` of every leaf that requires grad."""
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """The same memory and version counter, cut from the graph."""
        # Not a view autograd tracks (no _base): writing into it in place is allowed, as in torch.
        tensor = _wrap(self._data)
        tensor._version_counter = self._version_counter
        return tensor

    def detach_(self):
        if self._base is not None and self._base._requires_grad and self._grad_fn is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) "
                "for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and "
                "hence detach_() cannot be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """The same memory as a tensor outside autograd, with its own version counter.

        Writes through `.data` are invisible to autograd's checks; prefer `detach()`.
        """
        return _wrap(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def clone(self):
        return Clone.apply(self)

    # ------------------------------------------------------------------- conversion
    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        """Convert to another dtype (or 'cpu'); returns self when nothing changes."""
        dtype = _dtype_from_to_arguments(args, dtype, device)
        if dtype is None or dtype is self.dtype:
            return self.clone() if copy else self
        return ToCopy.apply(self, dtypes.as_dtype(dtype))

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def cpu(self):
        return self

    def cuda(self, device=None):
        as_device("cuda")

    # ----------------------------------------------------------- operators and maths
    # Each method hands over to the function of the same name in `engine.functional`,
    # which owns the one implementation shared with `engine.<name>(...)`.
    def __add__(self, other):
        return F.add(self, other)

    def __radd__(self, other):
        return F.add(self, other)

    def __sub__(self, other):
        return F.sub(self, other)

    def __rsub__(self, other):
        return F.rsub(self, other)

    def __mul__(self, other):
        return F.mul(self, other)

    def __rmul__(self, other):
        return F.mul(self, other)

    def __truediv__(self, other):
        return F.div(self, other)

    def __rtruediv__(self, other):
        return F.mul(F.reciprocal(self), other)

    def __floordiv__(self, other):
        return F.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return F.floor_divide(other, self)

    def __mod__(self, other):
        return F.remainder(self, other)

    def __rmod__(self, other):
        return F.remainder(other, self)

    def __pow__(self, exponent):
        return F.pow(self, exponent)

    def __rpow__(self, base):
        return F.pow(base, self)

    def __matmul__(self, other):
        return F.matmul(self, other)

    def __rmatmul__(self, other):
        return F.matmul(other, self)

    def __neg__(self):
        return F.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return F.abs(self)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ifloordiv__(self, other):
        return self.floor_divide_(other)

    def __imod__(self, other):
        return self.remainder_(other)

    def __eq__(self, other):
        return F.eq(self, other) if isinstance(other, F.COMPARABLE) else NotImplemented

    def __ne__(self, other):
        return F.ne(self, other) if isinstance(other, F.COMPARABLE) else NotImplemented

    def __lt__(self, other):
        return F.lt(self, other) if isinstance(other, F.COMPARABLE) else NotImplemented

    def __le__(self, other):
        return F.le(self, other) if isinstance(other, F.COMPARABLE) else NotImplemented

    def __gt__(self, other):
        return F.gt(self, other) if isinstance(other, F.COMPARABLE) else NotImplemented

    def __ge__(self, other):
        return F.ge(self, other) if isinstance(other, F.COMPARABLE) else NotImplemented

    def __and__(self, other):
        return F.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        return F.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return F.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __invert__(self):
        return F.bitwise_not(self)

    def __getitem__(self, index):
        return F.index(self, index)

    def __setitem__(self, index, value):
        F.index_put_(self, index, value)

    def add(self, other, *, alpha=1):
        return F.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return F.sub(self, other, alpha=alpha)

    def mul(self, other):
        return F.mul(self, other)

    def div(self, other):
        return F.div(self, other)

    def floor_divide(self, other):
        return F.floor_divide(self, other)

    def remainder(self, other):
        return F.remainder(self, other)

    def pow(self, exponent):
        return F.pow(self, exponent)

    def neg(self):
        return F.neg(self)

    def reciprocal(self):
        return F.reciprocal(self)

    def square(self):
        return F.pow(self, 2)

    def exp(self):
        return F.exp(self)

    def log(self):
        return F.log(self)

    def log1p(self):
        return F.log1p(self)

    def sqrt(self):
        return F.sqrt(self)

    def abs(self):
        return F.abs(self)

    def sign(self):
        return F.sign(self)

    def tanh(self):
        return F.tanh(self)

    def sigmoid(self):
        return F.sigmoid(self)

    def relu(self):
        return F.relu(self)

    def sin(self):
        return F.sin(self)

    def cos(self):
        return F.cos(self)

    def clamp(self, min=None, max=None):
        return F.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return F.maximum(self, other)

    def minimum(self, other):
        return F.minimum(self, other)

    def eq(self, other):
        return F.eq(self, other) if isinstance(other, F.COMPARABLE) else F._not_comparable("eq", other)

    def ne(self, other):
        return F.ne(self, other) if isinstance(other, F.COMPARABLE) else F._not_comparable("ne", other)

    def lt(self, other):
        return F.lt(self, other) if isinstance(other, F.COMPARABLE) else F._not_comparable("lt", other)

    def le(self, other):
        return F.le(self, other) if isinstance(other, F.COMPARABLE) else F._not_comparable("le", other)

    def gt(self, other):
        return F.gt(self, other) if isinstance(other, F.COMPARABLE) else F._not_comparable("gt", other)

    def ge(self, other):
        return F.ge(self, other) if isinstance(other, F.COMPARABLE) else F._not_comparable("ge", other)

    def logical_not(self):
        return F.logical_not(self)

    def equal(self, other):
        return F.equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.allclose(self, other, rtol, atol, equal_nan)

    def matmul(self, other):
        return F.matmul(self, other)

    def mm(self, other):
        return F.mm(self, other)

    def mv(self, vec):
        return F.mv(self, vec)

    def dot(self, other):
        return F.dot(self, other)

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return F.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return F.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return F.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim=False):
        return F.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return F.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return F.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return F.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return F.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return F.argmin(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return F.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return F.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, *dim_and_keepdim, **kwargs):  # dim is required, as in torch
        return F.logsumexp(self, *dim_and_keepdim, **kwargs)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return F.norm(self, p, dim, keepdim, dtype)

    def all(self, dim=None, keepdim=False):
        return F.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return F.any(self, dim, keepdim)

    def softmax(self, dim, dtype=None):
        return F.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return F.log_softmax(self, dim, dtype=dtype)

    # ---------------------------------------------------------------------- shapes
    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
            raise NotImplementedError("view(dtype) reinterprets bits; the engine does not support it. Use .to(dtype).")
        return F.view(self, *shape)

    def view_as(self, other):
        return F.view(self, other.shape)

    def reshape(self, *shape):
        return F.reshape(self, *shape)

    def reshape_as(self, other):
        return F.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return F.flatten(self, start_dim, end_dim)

    def t(self):
        return F.t(self)

    @property
    def T(self):
        if self._data.ndim == 0:
            _warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.")
        elif self._data.ndim != 2:
            _warn_once(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
                "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
                "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."
            )
        return F.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return F.transpose(self, -2, -1)

    def transpose(self, dim0, dim1):
        return F.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return F.permute(self, *dims)

    def squeeze(self, dim=None):
        return F.squeeze(self, dim)

    def unsqueeze(self, dim):
        return F.unsqueeze(self, dim)

    def expand(self, *sizes):
        return F.expand(self, *sizes)

    def expand_as(self, other):
        return F.expand(self, other.shape)

    def contiguous(self):
        if self._data.flags.c_contiguous:
            return self
        return Clone.apply(self, contiguous=True)

    def flip(self, dims):
        return F.flip(self, dims)

    def split(self, split_size_or_sections, dim=0):
        return F.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return F.chunk(self, chunks, dim)

    def repeat(self, *repeats):
        return F._repeat(self, *repeats)  # a method only: torch has no torch.repeat

    def unbind(self, dim=0):
        return F.unbind(self, dim)

    def select(self, dim, index):
        return F.select(self, dim, index, _method=True)

    # -------------------------------------------------------------------- in place
    # A trailing underscore means the result is written into this tensor's memory.
    def add_(self, other, *, alpha=1):
        return F.inplace(self, F.add, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return F.inplace(self, F.sub, other, alpha=alpha)

    def mul_(self, other):
        return F.inplace(self, F.mul, other)

    def div_(self, other):
        return F.inplace(self, F.div, other)

    def floor_divide_(self, other):
        return F.inplace(self, F.floor_divide, other)

    def remainder_(self, other):
        return F.inplace(self, F.remainder, other)

    def pow_(self, exponent):
        return F.inplace(self, F.pow, exponent)

    def clamp_(self, min=None, max=None):
        F._check_clamp_cast(self, min, max)
        return F.inplace(self, F.clamp, min, max)

    clip_ = clamp_

    def neg_(self):
        return F.inplace(self, F.neg)

    def exp_(self):
        return F.inplace(self, F.exp)

    def log1p_(self):
        return F.inplace(self, F.log1p)

    def relu_(self):
        return F.inplace(self, F.relu)

    def zero_(self):
        return F.fill_(self, 0, _zero=True)

    def fill_(self, value):
        return F.fill_(self, value)

    def copy_(self, src):
        return F.copy_(self, src)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return F.uniform_(self, a, b, generator=generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return F.normal_(self, mean, std, generator=generator)


def _dtype_from_to_arguments(args, dtype, device):
    """The dtype that `.to(...)`'s arguments ask for (None if none); checks the device on the way."""
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, dtypes.dtype):
            dtype = arg
        else:
            device = arg
    if device is not None:
        as_device(device)
    return None if dtype is None else dtypes.as_dtype(dtype)


def _normalize_dim(dim, ndim):
    """A dimension index in [0, ndim), from one that may count from the end."""
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if dim < low or dim > high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")
    return dim + ndim if dim < 0 else dim if ndim else 0


def _dim_of_shape(dim, ndim):
    """A dimension index for size() or stride(), which torch does not wrap for a 0-d tensor."""
    if ndim == 0 and isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _normalize_dim(dim, ndim)


# ---- late binding: the engine's one import cycle, Tensor <-> operations <-> autograd.
# A Tensor's methods call the operations (`F.add`, `Clone`) and autograd (`backward`); those are
# built on the Tensor class and import it. So they are imported here, after the class exists,
# and `engine/__init__.py` imports this module first. Every other import in the engine points
# one way only (tests/test_engine_structure.py checks it).
from . import functional as F  # noqa: E402
from .autograd.engine import backward as _autograd_backward  # noqa: E402
from .autograd.node import _accumulator  # noqa: E402
from .autograd.views import (  # noqa: E402
    needs_grad as _view_needs_grad, refresh as _refresh_view, requires_grad as _view_requires_grad,
)
from .creation import _array_from_data  # noqa: E402
from .ops.reductions import sum_to_shape as _sum_to_shape  # noqa: E402
from .ops.views import Clone, ToCopy  # noqa: E402
