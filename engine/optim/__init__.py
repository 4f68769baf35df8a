"""`engine.optim`: optimizers that update parameters from their gradients (torch.optim's names).

>>> import engine as torch
>>> model = torch.nn.Linear(3, 1)
>>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> loss = model(torch.ones(4, 3)).pow(2).mean()
>>> optimizer.zero_grad(); loss.backward(); optimizer.step()
"""
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD"]
