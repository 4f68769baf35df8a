"""`engine.nn`: layers, containers and losses for building models (torch.nn's names).

- `Module`, the base class: registers Parameters and child Modules on assignment.
- `Parameter`: a tensor a Module learns.
- Layers: `Linear`, `ReLU`, `Tanh`, `Sigmoid`, `Softmax`, `LogSoftmax`, `Dropout`,
  `Flatten`, `Identity`; containers `Sequential`, `ModuleList`.
- Losses: `MSELoss`, `CrossEntropyLoss`, `NLLLoss`.
- `functional` (the functions the layers call) and `init` (starting values).

>>> import engine as torch
>>> from engine import nn
>>> nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
Sequential(
  (0): Linear(in_features=64, out_features=128, bias=True)
  (1): ReLU()
  (2): Linear(in_features=128, out_features=10, bias=True)
)
"""
from . import functional, init
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "CrossEntropyLoss", "Dropout", "Flatten", "Identity", "Linear", "LogSoftmax", "MSELoss", "Module", "ModuleList",
    "NLLLoss", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh", "functional", "init",
]
