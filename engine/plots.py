"""Figures the book draws in more than one chapter: broadcasting, memory layout, timings.

`draw_broadcast` draws broadcasting as stretched grids, `draw_memory` draws how an array
reads its memory through its strides, and `bar_timings` charts what `best_seconds`
measures. The drawing functions take NumPy arrays, engine tensors or real torch tensors
(at most two dimensions for the grids) and return a matplotlib Figure. Matplotlib is
imported inside the functions, so `import engine` stays light.

>>> format_seconds(0.0000426)
'42.6 µs'
"""
import timeit

import numpy as np

# One colour per role, shared by every figure: first operand, second operand, result.
COLOURS = ("#4c72b0", "#dd8452", "#55a868")
_CELL_INCHES = 0.42
_MAX_WIDTH = 7.0
_OPERATORS = {"+": np.add, "-": np.subtract, "*": np.multiply}


def format_seconds(seconds):
    """A duration with three significant digits and a unit a reader can picture."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def best_seconds(f, repeat=5, budget=0.02):
    """Seconds per call of `f()`: the fastest of `repeat` timed loops of at least `budget` seconds.

    Like `timeit`'s autorange, the loop length doubles until one loop takes `budget`
    seconds, so short calls are timed many at a time (which also keeps a threaded
    library's threads awake) and a call slower than `budget` runs once per loop. The
    fastest loop is the one least disturbed by whatever else the machine was doing.
    """
    number = 1
    while timeit.timeit(f, number=number) < budget:
        number *= 2
    return min(timeit.repeat(f, number=number, repeat=repeat)) / number


def _as_numpy(x):
    """The NumPy array behind `x` (shared memory for tensors), or a new array for lists."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return x.detach().numpy()
    return np.asarray(x)


def _as_grid(array):
    """`array` read as two-dimensional, by adding leading dimensions of size 1."""
    if array.ndim > 2:
        raise ValueError(f"can only draw arrays of at most 2 dimensions, got shape {array.shape}")
    return array.reshape((1,) * (2 - array.ndim) + array.shape)


def _text(value):
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def _cell(ax, column, row, colour, stored, label, subscript=None, fontsize=10):
    """One grid cell: a solid tint where data is stored, a dashed ghost where it is only read."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle(
        (column, row), 1, 1,
        facecolor=to_rgba(colour, 0.55 if stored else 0.10),
        edgecolor=colour if stored else "#9a9a9a",
        linestyle="-" if stored else (0, (3, 2)),
        linewidth=1.2,
    ))
    y = row + (0.42 if subscript else 0.5)
    ax.text(column + 0.5, y, label, ha="center", va="center", fontsize=fontsize,
            color="#1a1a1a" if stored else "#8a8a8a")
    if subscript:
        ax.text(column + 0.5, row + 0.8, subscript, ha="center", va="center", fontsize=fontsize * 0.62,
                color="#555555")


def _frame(ax, columns, rows):
    ax.set_xlim(-0.05, columns + 0.05)
    ax.set_ylim(rows + 0.05, -0.05)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_broadcast(a, b, op="+", names=("a", "b")):
    """Draw `a op b` as stretched grids: each operand repeated along its size-1 dimensions.

    `a` and `b` have at most two dimensions and `op` is "+", "-" or "*". Solid cells hold
    the values an operand stores; dashed, faded cells are the repeats that broadcasting
    reads, without copying them, to reach the common shape. The third grid is the result.
    Shapes that do not broadcast raise NumPy's ValueError.
    """
    import matplotlib.pyplot as plt

    a, b = _as_numpy(a), _as_numpy(b)
    result = _OPERATORS[op](a, b)
    grids = [_as_grid(a), _as_grid(b), _as_grid(result)]
    rows, columns = grids[2].shape
    width = min(_MAX_WIDTH, max(6.0, 3 * columns * _CELL_INCHES + 1.2))
    cell = min(_CELL_INCHES, (width - 0.4) / 3.5 / columns)
    scale = cell / _CELL_INCHES
    fig, axes = plt.subplots(
        1, 5, figsize=(width, rows * cell + 1.25),
        gridspec_kw={"width_ratios": [1, 0.25, 1, 0.25, 1], "wspace": 0.05},
    )
    labels = [names[0], names[1], f"{names[0]} {op} {names[1]}"]
    for ax, grid, original, label, colour in zip(axes[::2], grids, (a, b, result), labels, COLOURS):
        stretched = np.broadcast_to(grid, (rows, columns))
        for i in range(rows):
            for j in range(columns):
                stored = i < grid.shape[0] and j < grid.shape[1]
                _cell(ax, j, i, colour, stored, _text(stretched[i, j]), fontsize=10 * scale)
        _frame(ax, columns, rows)
        note = ""
        if original is not result:
            padded = f"read as {grid.shape} " if original.ndim < 2 else ""
            note = f"\n{padded}→ {result.shape}" if grid.shape != (rows, columns) else "\nnot stretched"
        ax.set_title(f"{label}  {original.shape}{note}", fontsize=9, color="#1a1a1a")
    for ax, symbol in zip(axes[1::2], (op, "=")):
        ax.axis("off")
        ax.text(0.5, 0.5, symbol, ha="center", va="center", fontsize=16, transform=ax.transAxes)
    fig.text(0.5, 0.02, "solid: values stored in memory    dashed: repeats that broadcasting reads, never copies",
             ha="center", va="bottom", fontsize=8, color="#555555")
    return fig


def _extent(array):
    """The lowest byte address `array` reads and one past the highest."""
    start = array.__array_interface__["data"][0]
    low = start + sum(s * (n - 1) for s, n in zip(array.strides, array.shape) if s < 0)
    high = start + sum(s * (n - 1) for s, n in zip(array.strides, array.shape) if s > 0) + array.itemsize
    return low, high


def _lowest(array):
    """A one-element view of the element of `array` at the lowest address."""
    return array[tuple(slice(n - 1, n) if s < 0 else slice(0, 1) for s, n in zip(array.strides, array.shape))]


def _buffer(array):
    """The memory `array` reads from, as a read-only one-dimensional view, and where `array` starts in it.

    That is the whole buffer of the array at the end of its `.base` chain when there is
    one (so a slice is drawn inside the memory it slices), else just the span it reads.
    """
    root = array
    while isinstance(root.base, np.ndarray):
        root = root.base
    low, high = _extent(array)
    root_low, root_high = _extent(root)
    source = root if root_low <= low and high <= root_high and root.dtype == array.dtype else array
    source_low, source_high = _extent(source)
    flat = np.lib.stride_tricks.as_strided(
        _lowest(source), shape=((source_high - source_low) // array.itemsize,), strides=(array.itemsize,),
        writeable=False,
    )
    return flat, (array.__array_interface__["data"][0] - source_low) // array.itemsize


def draw_memory(x, name="a"):
    """Draw how an array or tensor reads its memory: the buffer, and the offset of each element.

    Top: the memory buffer, one cell per element, numbered by offset; the cells `x` reads
    are coloured and the arrows follow the order in which `x` visits them (row by row).
    Bottom: `x` as a grid (at most two dimensions), each cell with its value and the
    offset it is read from, offset = start + sum(index * stride). Contiguous memory reads
    as one left-to-right sweep; a transpose hops; a negative stride walks backwards.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    array = _as_numpy(x)
    grid = _as_grid(array)
    buffer, start = _buffer(array)
    strides = tuple(s // array.itemsize for s in array.strides)
    grid_strides = tuple(s // grid.itemsize for s in grid.strides)
    rows, columns = grid.shape
    offsets = np.array([[start + i * grid_strides[0] + j * grid_strides[1] for j in range(columns)]
                        for i in range(rows)])
    width_cells = max(len(buffer), columns)
    scale = min(1.0, _MAX_WIDTH / (width_cells * _CELL_INCHES + 0.6))
    cell = _CELL_INCHES * scale
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(max(4.8, width_cells * cell + 0.6), (rows + 3.2) * cell + 0.8),
        gridspec_kw={"height_ratios": [3.2, rows], "hspace": 0.3},
    )
    read = set(offsets.ravel().tolist())
    for offset, value in enumerate(buffer):
        _cell(top, offset, 0, COLOURS[0], offset in read, _text(value), f"@{offset}", fontsize=10 * scale)
    order = offsets.ravel().tolist()
    for here, there in zip(order, order[1:]):
        if here == there:  # a stride of 0 reads the same element again
            continue
        edge = 1.05 if there > here else -0.05  # forward hops arc below the row, backward hops above
        bend = min(0.4, 0.9 / abs(there - here))  # long hops bend less, so every arc stays low
        top.add_patch(FancyArrowPatch(
            (here + 0.5, edge), (there + 0.5, edge), connectionstyle=f"arc3,rad={bend}",
            arrowstyle="-|>", mutation_scale=8 * scale, color=COLOURS[1], linewidth=0.9, shrinkA=1, shrinkB=1,
        ))
    top.set_xlim(-0.05, width_cells + 0.05)
    top.set_ylim(2.1, -1.1)
    top.set_aspect("equal")
    top.axis("off")
    top.set_title("memory, @offset in elements; arrows: the order of reading", fontsize=8, color="#555555")
    shift = (width_cells - columns) / 2  # centre the grid under the memory row
    for i in range(rows):
        for j in range(columns):
            _cell(bottom, shift + j, i, COLOURS[0], True, _text(grid[i, j]), f"@{offsets[i, j]}", fontsize=10 * scale)
    _frame(bottom, width_cells, rows)
    layout = "contiguous" if array.flags.c_contiguous else "not contiguous"
    bottom.set_title(f"{name}: shape {array.shape}, strides {strides} (elements), {layout}", fontsize=9)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.02)
    return fig


def bar_timings(timings, title=None):
    """Run times as horizontal bars on a logarithmic axis, each labelled with its time.

    `timings` maps a label to seconds, in the order the bars should appear (top first).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    labels, seconds = list(timings), list(timings.values())
    fig, ax = plt.subplots(figsize=(6.8, 0.45 * len(labels) + 1.0))
    colours = [COLOURS[i % len(COLOURS)] for i in range(len(labels))]
    bars = ax.barh(labels, seconds, color=colours, height=0.6)
    ax.set_xscale("log")
    ax.invert_yaxis()
    # Whole decades, labelled only at powers of ten, however close the times are.
    ax.set_xlim(10 ** np.floor(np.log10(min(seconds) / 2)), 10 ** np.ceil(np.log10(max(seconds) * 4)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("seconds per call (log scale)")
    for bar, value in zip(bars, seconds):
        ax.text(value * 1.15, bar.get_y() + bar.get_height() / 2, format_seconds(value), va="center", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
