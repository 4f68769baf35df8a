"""The backward pass: walk the recorded graph from the outputs back to the leaves.

Nodes run in a topological order (a node runs only once every node that feeds it
a gradient has run), found iteratively so that graphs of any depth work. Among
ready nodes the most recently created runs first, as in torch. Gradients that
reach a node along several edges are summed before it runs.

`_execute` is the walk; each optional feature is one named step beside it:
`_capture` (grad()), `_leads_to_needed` (inputs=), `_fill_retained_grads`
(retain_grad), the node's `_release` (freeing saved tensors), and the observer
that `observe_backward` installs.
"""
import contextlib
import heapq
import itertools

import numpy as np

from ..creation import ones_like, zeros, zeros_like
from ..dtypes import _BY_NUMPY
from ..grad_mode import _state as _grad_state
from ..tensor import Tensor, _warn_once
from .node import AccumulateGrad, _accumulator


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of `tensors` into the `.grad` of the leaves.

    >>> import engine as torch
    >>> x = torch.tensor(3., requires_grad=True)
    >>> torch.autograd.backward(x * x); x.grad
    tensor(6.)
    """
    tensors = _as_tuple(tensors)
    grads = _root_gradients(tensors, _as_tuple(grad_tensors) if grad_tensors is not None else None)
    if retain_graph is None:
        retain_graph = create_graph
    targets = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        targets = [_edge_of(t, "backward") for t in inputs]
    if create_graph:
        _warn_once(
            "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
            "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
            "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters to "
            "None after use to break the cycle and avoid the leak."
        )
    _execute(tensors, grads, retain_graph, create_graph, targets, capture=False)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned instead of stored in `.grad`.

    >>> import engine as torch
    >>> x = torch.tensor(2., requires_grad=True)
    >>> torch.autograd.grad(x ** 3, x)
    (tensor(12.),)
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _root_gradients(outputs, _as_tuple(grad_outputs) if grad_outputs is not None else None)
    if retain_graph is None:
        retain_graph = create_graph
    targets = [_edge_of(t, "grad") for t in inputs]
    captured = _execute(outputs, grads, retain_graph, create_graph, targets, capture=True)
    result = []
    for index, (tensor, value) in enumerate(zip(inputs, captured)):
        if value is None:
            if materialize_grads:
                value = zeros_like(tensor)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {index} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            value = value.detach()
        result.append(value)
    return tuple(result)


def _as_tuple(value):
    if isinstance(value, Tensor) or value is None:
        return (value,)
    return tuple(value)


def _edge_of(tensor, caller):
    if not (tensor._requires_grad if tensor._base is None else tensor.requires_grad):
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    if tensor._base is not None:
        tensor.grad_fn  # a view whose base was written in place re-derives its history first
    if tensor._grad_fn is None:
        return (_accumulator(tensor), 0)
    return (tensor._grad_fn, tensor._output_nr)


def _root_gradients(outputs, grad_outputs):
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) < len(outputs):  # extra gradients are ignored, as in torch
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    grads = []
    for index, (output, grad) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(output, Tensor):
            raise TypeError(f"backward expects tensors, got {type(output).__name__} for output {index}")
        if not (output._requires_grad if output._base is None else output.requires_grad):
            raise RuntimeError(f"element {index} of tensors does not require grad and does not have a grad_fn")
        if grad is None:
            if output._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = ones_like(output)
        else:
            if not isinstance(grad, Tensor):
                raise TypeError(f"gradient must be a Tensor, got {type(grad).__name__}")
            if grad._data.shape != output._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{index}] has a shape of {grad.shape} and output[{index}] "
                    f"has a shape of {output.shape}."
                )
            if grad._data.dtype != output._data.dtype:  # torch's engine casts it, so every .grad keeps its tensor's dtype
                grad = grad.to(output.dtype)
        grads.append(grad)
    return grads


@contextlib.contextmanager
def observe_backward(callback):
    """While the block runs, call `callback(node, grads, input_grads)` as each node of a backward pass runs.

    `grads` are the gradients the node received, one per output; `input_grads` the
    ones it sent to its inputs, one per `next_functions` entry (None for a leaf's
    AccumulateGrad, which sends nothing). One observer at a time: an inner block
    replaces the outer one until it ends. The callback must not change the lists.

    >>> import engine as torch
    >>> a = torch.tensor(1., requires_grad=True)
    >>> seen = []
    >>> with observe_backward(lambda node, grads, sent: seen.append(node.name())):
    ...     (a * 3).backward()
    >>> seen
    ['MulBackward0', 'torch::autograd::AccumulateGrad']
    """
    global _observer
    previous, _observer = _observer, callback
    try:
        yield
    finally:
        _observer = previous


_observer = None


def _execute(outputs, root_grads, retain_graph, create_graph, targets, capture):
    """Run the backward pass; with `capture`, return the gradients that reach `targets` instead of storing them.

    A node runs once every node that sends it a gradient has run; until then its
    gradients wait, summed, in `buffers`. Each optional feature is one named step.
    """
    roots = [_edge_of(t, "backward") for t in outputs]
    needed = _nodes_leading_to(roots, targets) if targets is not None else None  # inputs= prunes the graph
    dependencies = _count_dependencies({node for node, _ in roots}, needed)
    target_index = {edge: i for i, edge in enumerate(targets)} if targets is not None else {}
    captured = [None] * len(target_index)
    buffers, ready, order = _start(roots, root_grads, dependencies)
    observe = _observer
    previous_mode = _grad_state.enabled
    _grad_state.enabled = create_graph  # with create_graph the backward pass is itself recorded
    # Gradients at poles and edges (0 · inf, 1/0, log 0) are inf or nan without a word, as in torch:
    # one errstate for the whole pass costs less than one per formula.
    quiet = np.errstate(divide="ignore", invalid="ignore", over="ignore")
    quiet.__enter__()
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grads = buffers.pop(node, None)
            if grads is None:  # every edge into it brought no gradient (a None from a backward)
                grads = [None] * node._num_outputs
            if node._tensor_hooks:
                node._run_tensor_hooks(grads)
            if target_index:
                _capture(captured, target_index, node, grads)
            if type(node) is AccumulateGrad:
                if not capture and grads[0] is not None and (needed is None or (node, 0) in target_index):
                    node.accumulate(grads[0], create_graph)
                if observe is not None:
                    observe(node, grads, None)
                continue
            if node._retained:
                _fill_retained_grads(node, grads, create_graph)
            children = node.next_functions
            if needed is not None and not _leads_to_needed(children, needed):
                continue
            if len(grads) == 1 and grads[0] is not None:
                input_grads = node._run(grads)
            else:
                input_grads = _run_with_missing(node, grads, children)
            if not retain_graph:
                node._release()  # frees the saved tensors: a second backward raises
            if observe is not None:
                observe(node, grads, input_grads)
            _send(children, input_grads, buffers, dependencies, ready, order, needed)
    finally:
        quiet.__exit__(None, None, None)
        _grad_state.enabled = previous_mode
    return captured


def _start(roots, root_grads, dependencies):
    """The gradient buffers holding the root gradients, and the heap of roots ready to run."""
    buffers = {}
    for (node, output_nr), grad in zip(roots, root_grads):
        slots = buffers.get(node)
        if slots is None:
            slots = buffers[node] = [None] * node._num_outputs
        previous = slots[output_nr]
        slots[output_nr] = grad if previous is None else previous + grad
    order = itertools.count()  # breaks ties in the heap without comparing nodes
    ready = []
    for node in buffers:
        if dependencies.get(node, 0) == 0:
            # Among ready nodes the most recently created runs first, as in torch.
            heapq.heappush(ready, (-node._sequence_nr, next(order), node))
    return buffers, ready, order


def _send(children, input_grads, buffers, dependencies, ready, order, needed):
    """Add each gradient to its input's buffer; queue each input whose last gradient has now arrived."""
    for (fn, output_nr), grad in zip(children, input_grads):
        if fn is None or (needed is not None and fn not in needed):
            continue
        if grad is not None:
            slots = buffers.get(fn)
            if slots is None:
                slots = buffers[fn] = [None] * fn._num_outputs
            previous = slots[output_nr]
            slots[output_nr] = grad if previous is None else previous + grad
        remaining = dependencies[fn] - 1
        dependencies[fn] = remaining
        if remaining == 0:
            heapq.heappush(ready, (-fn._sequence_nr, next(order), fn))


def _capture(captured, target_index, node, grads):
    """grad(): keep the gradients that reach the requested inputs."""
    for output_nr, grad in enumerate(grads):
        index = target_index.get((node, output_nr))
        if index is not None:
            captured[index] = grad if captured[index] is None or grad is None else captured[index] + grad


def _leads_to_needed(children, needed):
    """inputs=: whether running this node can bring a gradient to a requested input."""
    return any(fn in needed for fn, _ in children)


def _run_with_missing(node, grads, children):
    """Run a node that some gradients did not reach: not at all if none did, else on zeros in their place."""
    # Counted by identity: `grads.count(None)` would call Tensor.__eq__ on every gradient.
    missing = sum(1 for g in grads if g is None)
    if missing == len(grads) and not (node._custom and node.materialize_grads):
        return [None] * len(children)
    materialize = missing and node.materialize_grads  # a Function may ask for None instead
    return node._run(_materialize(node, grads) if materialize else grads)


def _materialize(node, grads):
    # A multi-output node whose other outputs got no gradient sees zeros there, as in torch.
    return [
        grad if grad is not None else zeros(shape, dtype=_BY_NUMPY[dtype]) for grad, (shape, dtype) in zip(grads, node._output_meta)
    ]


def _fill_retained_grads(node, grads, create_graph):
    """retain_grad(): a non-leaf that asked for it keeps its gradient in `.grad`."""
    for output_nr, ref in node._retained.items():
        tensor = ref()
        grad = grads[output_nr]
        if tensor is None or grad is None or tensor._grad_fn is not node:
            continue
        if not create_graph:
            grad = grad.detach()
        tensor._grad = grad if tensor._grad is None else tensor._grad + grad


def _count_dependencies(root_nodes, needed):
    """How many edges enter each node from the nodes that will run (iterative, so depth is unlimited)."""
    dependencies = {}
    seen = set(root_nodes)
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        for fn, _ in node.next_functions:
            if fn is None or (needed is not None and fn not in needed):
                continue
            dependencies[fn] = dependencies.get(fn, 0) + 1
            if fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return dependencies


def _nodes_leading_to(roots, targets):
    """The nodes on some path from a root to a target: the only ones backward needs to visit."""
    parents = {}
    seen = {node for node, _ in roots}
    stack = list(seen)
    while stack:
        node = stack.pop()
        for fn, _ in node.next_functions:
            if fn is None:
                continue
            parents.setdefault(fn, []).append(node)
            if fn not in seen:
                seen.add(fn)
                stack.append(fn)
    needed = set()
    stack = [node for node, _ in targets if node in seen]
    while stack:
        node = stack.pop()
        if node in needed:
            continue
        needed.add(node)
        stack.extend(parents.get(node, ()))
    return needed
