"""Views over flat memory: pick a shape, a slicing and a transpose; see what the view reads.

An array (or a tensor) is one flat block of memory plus a recipe for reading it: a shape,
one stride per dimension, and the offset of its first element, all counted in elements
here, as tensors count them. `view_layout` works the recipe out the way NumPy and
PyTorch do, so that a reader can follow each step:

* a slice ``start:stop:step`` along a dimension moves the offset by ``start * stride``,
  multiplies the stride by ``step`` and keeps ``len(range(start, stop, step))`` elements;
* an integer index moves the offset by ``index * stride`` and drops the dimension;
* a transpose (``.T``) reverses the shape and the strides, and moves nothing.

Element ``[i, j, ...]`` of the view is then read from ``offset + i*strides[0] + j*strides[1] + ...``.

>>> layout = view_layout((3, 4), "1:, ::-1")
>>> layout.shape, layout.strides, layout.offset
((2, 4), (4, -1), 7)
>>> layout.offsets
[7, 6, 5, 4, 11, 10, 9, 8]
"""
import html
import itertools
from dataclasses import dataclass

import ipywidgets as widgets

READ = "#4c72b0"  # the plots' first colour, so the drawings match the book's figures
UNREAD = "#eeeeee"
HOP = "#dd8452"
_CELL = 34  # pixels per memory cell
_PAD = 12


@dataclass(frozen=True)
class ViewLayout:
    """How a view of `m = arange(size).reshape(base_shape)` reads m's flat memory."""

    base_shape: tuple
    index: str
    transpose: bool
    shape: tuple
    strides: tuple
    offset: int

    @property
    def size(self):
        """How many elements the flat memory holds."""
        return _product(self.base_shape)

    @property
    def offsets(self):
        """The memory offset of each element of the view, in the view's row-by-row order."""
        return [self.offset + sum(i * s for i, s in zip(position, self.strides))
                for position in itertools.product(*(range(n) for n in self.shape))]

    @property
    def expression(self):
        """The Python that makes this view of `m`, e.g. ``m[1:, ::-1].T``."""
        text = f"m[{self.index}]" if self.index.strip() else "m"
        return text + (".T" if self.transpose else "")

    @property
    def contiguous(self):
        """Whether reading row by row sweeps memory left to right without gaps."""
        expected = _row_major_strides(self.shape)
        return _product(self.shape) <= 1 or all(s == e for s, e, n in zip(self.strides, expected, self.shape) if n != 1)

    def __str__(self):
        return (f"{self.expression}: shape {self.shape}, strides {self.strides}, offset {self.offset}; "
                f"reads {' '.join(f'@{k}' for k in self.offsets) or 'nothing'}")


def _product(sizes):
    total = 1
    for n in sizes:
        total *= n
    return total


def _row_major_strides(shape):
    """The strides of a fresh (C-contiguous) array of this shape: the last dimension steps by 1."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def parse_index(text, ndim):
    """The index written between the brackets, e.g. ``"1:, ::-1"``, as a tuple of ints and slices."""
    parts = [part.strip() for part in text.split(",")] if text.strip() else []
    if len(parts) > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, "
                         f"but {len(parts)} were indexed")
    items = []
    for part in parts:
        if ":" in part:
            bounds = [int(b) if b.strip() else None for b in part.split(":")]
            if len(bounds) > 3:
                raise ValueError(f"not a slice: {part!r}")
            items.append(slice(*bounds))
        else:
            items.append(int(part))
    return tuple(items)


def view_layout(base_shape, index="", transpose=False):
    """Shape, strides and offset of ``m[index]`` (then ``.T`` if `transpose`) for a fresh `m` of `base_shape`."""
    base_shape = tuple(base_shape)
    shape, strides, offset = [], [], 0
    items = parse_index(index, len(base_shape))
    items += (slice(None),) * (len(base_shape) - len(items))
    for axis, (item, n, stride) in enumerate(zip(items, base_shape, _row_major_strides(base_shape))):
        if isinstance(item, slice):
            if item.step == 0:
                raise ValueError("slice step cannot be zero")
            start, stop, step = item.indices(n)
            shape.append(len(range(start, stop, step)))
            strides.append(stride * step)
            offset += start * stride if shape[-1] else 0
        else:
            if not -n <= item < n:
                raise IndexError(f"index {item} is out of bounds for axis {axis} with size {n}")
            offset += (item % n) * stride
    if transpose:
        shape, strides = shape[::-1], strides[::-1]
    return ViewLayout(base_shape, index, transpose, tuple(shape), tuple(strides), offset)


class ViewDrawing:
    """A view drawn over the flat memory it reads (SVG), with its shape, strides and offset.

    Top: the memory, one cell per element (m holds 0, 1, 2, ..., so each value is its
    offset); the cells the view reads are coloured, numbered by the order it reads them
    in, and joined by arrows in that order. Bottom: the view itself, each cell showing
    the offset it is read from. `str()` gives the same facts as text.
    """

    def __init__(self, layout, itemsize=8):
        self.layout, self.itemsize = layout, itemsize

    def __repr__(self):
        return str(self.layout)

    def _repr_html_(self):
        return self.html()

    def html(self):
        layout = self.layout
        nbytes = tuple(s * self.itemsize for s in layout.strides)
        facts = (f"<code>{html.escape(layout.expression)}</code>: shape <code>{layout.shape}</code>, "
                 f"strides <code>{layout.strides}</code> elements = <code>{nbytes}</code> bytes, "
                 f"offset <code>{layout.offset}</code>, "
                 f"{'contiguous' if layout.contiguous else 'not contiguous'}")
        return f"<div class='engine-view-drawing'><p style='margin:0 0 4px 0'>{facts}</p>{self.svg()}</div>"

    def svg(self):
        layout = self.layout
        offsets = layout.offsets
        order = {}
        for position, offset in enumerate(offsets):
            order.setdefault(offset, position)
        arc_room = 3 * _CELL // 2
        memory_top = _PAD + 14 + arc_room  # room above the strip for backward hops
        width = max(2 * _PAD + max(layout.size, 1) * _CELL, 500)
        parts = [f"<text x='{_PAD}' y='{_PAD + 6}' font-size='11' fill='#555'>memory of m (value = offset); "
                 f"under each read cell: when it is read</text>"]
        for k in range(layout.size):
            x = _PAD + k * _CELL
            read = k in order
            parts.append(
                f"<rect class='{'read' if read else 'unread'}' data-offset='{k}' x='{x}' y='{memory_top}' "
                f"width='{_CELL}' height='{_CELL}' fill='{READ if read else UNREAD}' stroke='#888'/>"
                f"<text x='{x + _CELL / 2}' y='{memory_top + _CELL / 2 + 4}' text-anchor='middle' "
                f"font-size='12' fill='{'white' if read else '#999'}'>{k}</text>")
            if read:
                parts.append(f"<text x='{x + _CELL / 2}' y='{memory_top + _CELL + 13}' text-anchor='middle' "
                             f"font-size='10' fill='{READ}'>{order[k]}</text>")
        for here, there in zip(offsets, offsets[1:]):
            parts.append(self._hop(here, there, memory_top, arc_room))
        grid_top = memory_top + _CELL + 16 + arc_room + 8
        grid, grid_width, grid_height = self._grid(offsets, grid_top)
        width = max(width, grid_width)
        height = grid_top + grid_height + _PAD
        marker = (f"<defs><marker id='engine-view-hop' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='6' "
                  f"markerHeight='6' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{HOP}'/>"
                  f"</marker></defs>")
        return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
                f"viewBox='0 0 {width} {height}' font-family='monospace'>{marker}{''.join(parts)}{grid}</svg>")

    @staticmethod
    def _hop(here, there, memory_top, arc_room):
        """An arrow from one read to the next: forward hops arc below the strip, backward hops above."""
        if here == there:
            return ""
        x0, x1 = _PAD + (here + 0.5) * _CELL, _PAD + (there + 0.5) * _CELL
        forward = there > here
        y = memory_top + _CELL + 16 if forward else memory_top - 2
        rise = min(arc_room - 16, 8 + 4 * abs(there - here)) * (1 if forward else -1)
        return (f"<path d='M{x0},{y} Q{(x0 + x1) / 2},{y + 2 * rise} {x1},{y}' fill='none' stroke='{HOP}' "
                f"stroke-width='1.2' marker-end='url(#engine-view-hop)'/>")

    def _grid(self, offsets, top):
        """The view as a grid of the offsets it reads: rows and columns, 3-D as blocks side by side."""
        shape = self.layout.shape
        if len(shape) <= 2:
            blocks, (rows, columns) = 1, (1,) * (2 - len(shape)) + shape
        else:
            blocks, rows, columns = _product(shape[:-2]), shape[-2], shape[-1]
        parts = [f"<text x='{_PAD}' y='{top - 6}' font-size='11' fill='#555'>the view, "
                 f"each cell showing the offset it reads</text>"]
        block_width = columns * _CELL + _CELL // 2
        for number, offset in enumerate(offsets):
            block, rest = divmod(number, max(rows * columns, 1))
            i, j = divmod(rest, max(columns, 1))
            x, y = _PAD + block * block_width + j * _CELL, top + i * _CELL
            parts.append(f"<rect x='{x}' y='{y}' width='{_CELL}' height='{_CELL}' fill='{READ}' "
                         f"fill-opacity='0.18' stroke='{READ}'/><text x='{x + _CELL / 2}' y='{y + _CELL / 2 + 4}' "
                         f"text-anchor='middle' font-size='12'>{offset}</text>")
        if not offsets:
            parts.append(f"<text x='{_PAD}' y='{top + 14}' font-size='12'>(empty: the view has no elements)</text>")
        return "".join(parts), 2 * _PAD + blocks * block_width, max(rows, 1) * _CELL


def draw_view(base_shape, index="", transpose=False):
    """The drawing of ``m[index]`` (``.T`` if `transpose`) over m's memory: a static picture."""
    return ViewDrawing(view_layout(base_shape, index, transpose))


class ViewExplorer:
    """Choose m's shape, an index such as ``1:, ::-2`` and a transpose; the drawing follows.

    The first picture is drawn before display, so the HTML book (which has no kernel)
    shows it. A bad index shows NumPy's error instead of a drawing.
    """

    SHAPES = ((12,), (3, 4), (4, 3), (2, 3, 4))

    def __init__(self, base_shape=(3, 4), index=":, 1", transpose=False):
        self.shape = widgets.Dropdown(options=[(str(s), s) for s in self.SHAPES], value=tuple(base_shape),
                                      description="m.shape", layout=widgets.Layout(width="200px"))
        self.index = widgets.Text(value=index, description="m[ ... ]", continuous_update=False,
                                  layout=widgets.Layout(width="260px"))
        self.transpose = widgets.Checkbox(value=transpose, description=".T", indent=False,
                                          layout=widgets.Layout(width="60px"))
        self.picture = widgets.HTML()
        for control in (self.shape, self.index, self.transpose):
            control.observe(lambda change: self.update(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.shape, self.index, self.transpose]), self.picture])
        self.layout = None
        self.update()

    def update(self):
        try:
            self.layout = view_layout(self.shape.value, self.index.value, self.transpose.value)
        except (IndexError, ValueError) as error:
            self.layout = None
            self.picture.value = (f"<p style='color:#b00020'><code>{type(error).__name__}: "
                                  f"{html.escape(str(error))}</code></p>")
            return
        self.picture.value = ViewDrawing(self.layout).html()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
