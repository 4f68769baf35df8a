"""The engine's one source of randomness, seeded by `manual_seed`.

The engine draws from NumPy's PCG64 generator, so a seed gives the same numbers
on every run, but not the numbers torch's own generator gives for that seed.
"""
import numpy as np

# A fixed default seed keeps every notebook reproducible even before manual_seed.
_DEFAULT_SEED = 67280421310721


class Generator:
    """A seeded stream of random numbers (torch.Generator's role)."""

    def __init__(self, device="cpu"):
        self._initial_seed = _DEFAULT_SEED
        self._numpy = np.random.Generator(np.random.PCG64(_DEFAULT_SEED))

    def manual_seed(self, seed):
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
        self._initial_seed = seed
        self._numpy = np.random.Generator(np.random.PCG64(seed % 2**64))
        return self

    def initial_seed(self):
        return self._initial_seed

    def get_state(self):
        return self._numpy.bit_generator.state

    def set_state(self, state):
        self._numpy.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator; returns it.

    >>> import engine as torch
    >>> _ = torch.manual_seed(0); a = torch.rand(2)
    >>> _ = torch.manual_seed(0); torch.equal(a, torch.rand(2))
    True
    """
    return default_generator.manual_seed(seed)


def initial_seed():
    return default_generator.initial_seed()


def numpy_generator(generator=None):
    """The NumPy generator behind `generator` (the default one when None)."""
    return (generator or default_generator)._numpy
