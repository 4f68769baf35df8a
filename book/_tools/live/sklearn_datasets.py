"""The two scikit-learn datasets the chapters load, for the live book.

scikit-learn needs scipy and OpenBLAS in the browser, 26 MB for two small datasets; this
module gives the same arrays (tests/test_live_book.py checks them against scikit-learn's).
make_moons follows scikit-learn's algorithm step for step, random draws included;
load_digits reads scikit-learn's own digits.csv.gz (BSD-3-Clause, copied at build time).
Labels have NumPy's default integer type, as scikit-learn's do: 32 bits on wasm32, so a
chapter that uses them as class indices converts them to int64 itself, as it must for the
real scikit-learn under Pyodide.
"""

import gzip
import numbers
from pathlib import Path

import numpy as np


class Bunch(dict):
    """A dict whose keys are also attributes, as sklearn.utils.Bunch."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as error:
            raise AttributeError(key) from error


def make_moons(n_samples=100, *, shuffle=True, noise=None, random_state=None):
    if isinstance(n_samples, numbers.Integral):
        n_out = n_samples // 2
        n_in = n_samples - n_out
    else:
        n_out, n_in = n_samples
    generator = (random_state if isinstance(random_state, np.random.RandomState)
                 else np.random.mtrand._rand if random_state is None
                 else np.random.RandomState(random_state))
    outer_x, outer_y = np.cos(np.linspace(0, np.pi, n_out)), np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    if shuffle:
        order = np.arange(len(X))
        generator.shuffle(order)
        X, y = X[order], y[order]
    if noise is not None:
        X += generator.normal(scale=noise, size=X.shape)
    return X, y


def load_digits(*, n_class=10, return_X_y=False):
    with gzip.open(Path(__file__).with_name("digits.csv.gz"), "rt") as handle:
        data = np.loadtxt(handle, delimiter=",")
    target = data[:, -1].astype(int, copy=False)
    flat = data[:, :-1]
    if n_class < 10:
        keep = target < n_class
        flat, target = flat[keep], target[keep]
    if return_X_y:
        return flat, target
    return Bunch(data=flat, target=target, frame=None, target_names=np.arange(10),
                 images=flat.reshape(-1, 8, 8),
                 feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)])
