"""How tensors print: the same text as torch, character for character.

The book shows printed tensors next to the code that made them, and readers
run that code under real torch too, so `repr` must not differ in a single
space. This module follows torch's printing rules (torch/_tensor_str.py),
including a few quirks that are kept on purpose and marked as such below.

>>> import numpy as np
>>> from engine import dtypes
>>> print(tensor_repr(np.array([1.0, 2.5], np.float32), dtypes.float32, False, None))
tensor([1.0000, 2.5000])
"""
import contextlib
import math

import numpy as np

from . import dtypes

# torch's defaults, and the named profiles that `set_printoptions` accepts.
_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}
_options = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Change how tensors print, as `torch.set_printoptions` does.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: more elements than this and only the edges are shown (default 1000).
        edgeitems: how many items each edge keeps when summarising (default 3).
        linewidth: characters per line before rows wrap (default 80).
        profile: "default", "short" or "full"; the other arguments then override it.
        sci_mode: True or False forces scientific notation on or off; None chooses.
    """
    if profile is not None:
        # Like torch, an unknown profile name changes nothing.
        _options.update(_PROFILES.get(profile, {}))
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _options[name] = value
    # Unlike the others, sci_mode is always assigned: torch resets it to None
    # (choose automatically) whenever it is not passed.
    _options["sci_mode"] = sci_mode


def get_printoptions():
    """The current options, as a dict that `set_printoptions(**d)` accepts back.

    torch keeps this in torch._tensor_str rather than at top level.
    """
    return dict(_options)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a `with` block only."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """Turns one element into text, every element padded to a shared width.

    torch picks one style for the whole tensor from the values it will show:
    whole-number floats print as `3.`, others with `precision` decimals, and
    scientific notation takes over when the magnitudes are too far apart.
    """

    def __init__(self, values, floating):
        # `values` is a flat NumPy array of every element that will be shown.
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        precision = _options["precision"]
        if not floating:
            # Integers and booleans: their plain str, right-aligned.
            self.width = max([1] + [len(str(v)) for v in values.tolist()])
            return
        # Work in float64, as torch does: float16 and float32 values convert
        # exactly, and float16 would overflow at the 1e8 test below.
        values = values.astype(np.float64)
        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            # Only zeros, nan and inf: print as whole numbers ("0.", "nan"),
            # even when sci_mode is forced on (torch stops here too).
            return
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        magnitudes = np.abs(shown)
        # Python floats: their ratio may overflow to inf without NumPy's warning.
        biggest, smallest = float(magnitudes.max()), float(magnitudes.min())
        if _options["sci_mode"] is None:
            self.sci_mode = biggest / smallest > 1000.0 or biggest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _options["sci_mode"]
        # Only non-zero finite values set the width. That is why torch prints
        # "tensor([nan, 1.])": "nan" is wider than "1." and simply overflows.
        if self.sci_mode:
            texts = [f"{v:.{precision}e}" for v in shown.tolist()]
        elif self.int_mode:
            texts = [f"{v:.0f}." for v in shown.tolist()]  # the "." counts too
        else:
            texts = [f"{v:.{precision}f}" for v in shown.tolist()]
        self.width = max(self.width, max(map(len, texts)))

    def __call__(self, value):
        """`value` is a Python float, int or bool (from `.tolist()` or `.item()`)."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{_options['precision']}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."  # marks the tensor as floating point: "2." not "2"
        else:
            text = f"{value:.{_options['precision']}f}"
        return text.rjust(self.width)


def _summarized(data, edgeitems):
    """Only the elements a summarised print shows: `edgeitems` at each end of every axis."""
    for axis, size in enumerate(data.shape):
        if size > 2 * edgeitems:
            keep = np.r_[0:edgeitems, size - edgeitems:size]
            data = data.take(keep, axis=axis)
    return data


def _body(data, indent, summarize, fmt):
    """The bracketed text of `data`; `indent` is the column its "[" sits at."""
    if data.ndim == 0:
        return fmt(data.item())
    edgeitems = _options["edgeitems"]
    size = data.shape[0]
    cut = summarize and size > 2 * edgeitems  # drop the middle of this axis?

    if data.ndim == 1:
        if summarize and not edgeitems:
            items = ["..."]
        elif cut:
            # The " ..." carries its own space so it lines up as a column.
            items = ([fmt(v) for v in data[:edgeitems].tolist()] + [" ..."]
                     + [fmt(v) for v in data[size - edgeitems:].tolist()])
        else:
            items = [fmt(v) for v in data.tolist()]
        # As many items per line as fit in linewidth, counting ", " after
        # each; at least one, however narrow the line.
        per_line = max(1, math.floor((_options["linewidth"] - indent) / (fmt.width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"

    rows = range(size)
    if cut:
        rows = [*range(edgeitems), None, *range(size - edgeitems, size)]
    parts = ["..." if i is None else _body(data[i], indent + 1, summarize, fmt) for i in rows]
    # Sub-blocks go one per line, with a blank line between matrices of a
    # 3-d tensor, two between the 3-d blocks of a 4-d tensor, and so on.
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _add_suffixes(text, suffixes, indent):
    """Append ", size=...", ", dtype=..." etc, wrapping onto a new line when too long."""
    # torch's measure of the last line, kept exactly: two more than the
    # characters on it, which moves the wrap point two columns left.
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _options["linewidth"]:
            text += ",\n" + " " * indent + suffix
            last_line = indent + len(suffix)
        else:
            text += ", " + suffix
            last_line += len(suffix) + 2
    return text + ")"


def tensor_repr(data, dtype, requires_grad, grad_fn_name, prefix="tensor("):
    """`repr` of a tensor holding the NumPy array `data`, as torch writes it.

    dtype: the tensor's `engine.dtypes.dtype`.
    grad_fn_name: e.g. "MulBackward0" for a result of autograd, else None.
    prefix: the text before the values. A prefix spanning lines, such as
        "Parameter containing:\\ntensor(", lays out from its last line, which
        is how torch prints a Parameter.
    """
    data = np.asarray(data)
    head, newline, prefix = prefix.rpartition("\n")
    indent = len(prefix)  # continuation lines start under the first "["
    default = dtypes.get_default_dtype()
    suffixes = []
    if data.size == 0:
        # numpy-style: a shape other than (0,) is spelled out, and so is any
        # dtype but the default float, since no element shows what it is.
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype.name != default.name:
            suffixes.append(f"dtype=torch.{dtype.name}")
        body = "[]"
    else:
        if not _options["edgeitems"]:
            # edgeitems=0 would summarise to a bare "[...]", so torch always
            # states the size then, summarised or not.
            suffixes.append(f"size={tuple(data.shape)}")
        # Elements already reveal int64 ("1"), bool ("True") and the default
        # float ("1."), so only other dtypes are named.
        if dtype.name not in (default.name, "int64", "bool"):
            suffixes.append(f"dtype=torch.{dtype.name}")
        summarize = data.size > _options["threshold"]
        shown = _summarized(data, _options["edgeitems"]) if summarize else data
        fmt = _Formatter(shown.reshape(-1), dtype.is_floating_point)
        body = _body(data, indent, summarize, fmt)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return head + newline + _add_suffixes(prefix + body, suffixes, indent)
