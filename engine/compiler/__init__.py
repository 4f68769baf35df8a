"""`engine.compiler`: the graph compiler behind `engine.compile` (torch.compile's counterpart).

- `capture`: trace a function, then its backward, into programs (torch's Dynamo and AOTAutograd).
- `passes`, `rewrites`, `memory`, `kernels`: make the program smaller and cheaper, each step
  printable: dead code, common subexpressions, fused patterns, buffers reused in place,
  direct NumPy kernels (Inductor's job).
- `labels`: integer index arguments (class labels) made inputs, so new labels replay the program.
- `program`: the program itself, and the executor that runs it as generated Python.
- `compiled`: `compile(fn)`, the guards that pick a compiled program per signature, and
  the `CompiledFunctionBackward` node that runs the backward program.
"""
from .capture import GraphBreak
from .compiled import Compiled, CompiledFunction, CompileWarning, compile

__all__ = ["Compiled", "CompiledFunction", "CompileWarning", "GraphBreak", "compile"]
