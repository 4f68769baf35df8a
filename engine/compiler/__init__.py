"""`engine.compiler`: the graph compiler behind `engine.compile` (torch.compile's counterpart).

- `capture`: trace a function and its backward into one program (torch's Dynamo and AOTAutograd).
- `passes`, `rewrites`: make the program smaller and cheaper, each pass printable (Inductor's job).
- `program`: the program itself, and the executor that replays it.
- `compiled`: `compile(fn)`, the guards that pick a compiled program per signature, and
  the `CompiledFunctionBackward` node that runs the backward program.
"""
from .capture import GraphBreak
from .compiled import Compiled, CompiledFunction, CompileWarning, compile

__all__ = ["Compiled", "CompiledFunction", "CompileWarning", "GraphBreak", "compile"]
