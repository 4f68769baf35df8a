"""Text for drawings: numbers as the engine prints them, shapes, and escaping for DOT.

>>> number(0.25), number(-1.5), number(2.0), shape_text((3, 4))
('0.25', '-1.5', '2.0', '[3, 4]')
>>> escape('a<b> & "c"')
'a&lt;b&gt; &amp; &quot;c&quot;'
"""
import html
import re

import numpy as np


def number(value):
    """A number as the engine prints it, without the padding zeros: 0.25, -1.5, 2.0, 1.0e-07."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value == 0 or 1e-4 <= abs(value) < 1e8:
        text = f"{value:.4f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    mantissa, exponent = f"{value:.4e}".split("e")
    mantissa = mantissa.rstrip("0")
    return f"{mantissa}0e{exponent}" if mantissa.endswith(".") else f"{mantissa}e{exponent}"


def shape_text(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


def plain(value):
    return number(value) if isinstance(value, float) else str(value)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape(text, limit=60):
    """Text for an HTML-like DOT label: control characters spelled out, & < > " escaped, long names cut."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return html.escape(text, quote=True)


def quote(text):
    """A double-quoted DOT string (for attributes such as tooltips)."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def attributes(attrs):
    return ", ".join(f"{key}={quote(value)}" for key, value in attrs.items())
