"""engine.widgets.memory: the view explorer works out shape, strides and offset as NumPy and the engine do."""
import re

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")

import engine as torch  # noqa: E402
from engine.widgets import ViewExplorer, draw_view, view_layout  # noqa: E402
from engine.widgets.memory import parse_index  # noqa: E402

VIEWS = [
    ((3, 4), "", False),
    ((3, 4), ":, 1", False),
    ((3, 4), "", True),
    ((3, 4), "::-1", False),
    ((3, 4), "1:, ::-1", False),
    ((3, 4), "::2, 1:3", True),
    ((4, 3), "-1", False),
    ((12,), "2:11:3", False),
    ((12,), "::-4", False),
    ((2, 3, 4), "1, :, ::2", False),
    ((2, 3, 4), ":, 1:", True),
    ((2, 3, 4), "-1, 2, 3", False),
    ((3, 4), "2:1", False),
]


def numpy_view(base_shape, index, transpose):
    """The same view made by NumPy from a fresh arange, and that arange."""
    m = np.arange(int(np.prod(base_shape))).reshape(base_shape)
    view = m[parse_index(index, m.ndim) + (Ellipsis,)]  # the Ellipsis keeps m[1, 2] a 0-d view, not a copy
    return (view.T if transpose else view), m


@pytest.mark.parametrize("base_shape, index, transpose", VIEWS)
def test_layout_matches_numpy(base_shape, index, transpose):
    layout = view_layout(base_shape, index, transpose)
    view, m = numpy_view(base_shape, index, transpose)
    assert layout.shape == view.shape
    assert layout.offsets == view.ravel().tolist()  # m holds 0, 1, 2, ...: each value is its offset
    assert layout.contiguous == view.flags.c_contiguous
    if view.size:
        assert layout.strides == tuple(s // m.itemsize for s in view.strides)
        start = view.__array_interface__["data"][0] - m.__array_interface__["data"][0]
        assert layout.offset == start // m.itemsize


@pytest.mark.parametrize("base_shape, index, transpose",
                         [v for v in VIEWS if "-" not in v[1] and v[1] != "2:1"])
def test_layout_matches_the_engine_for_views_it_allows(base_shape, index, transpose):
    m = torch.arange(int(np.prod(base_shape))).view(*base_shape)
    view = m[parse_index(index, m.ndim)]
    if transpose:
        view = view.permute(*reversed(range(view.ndim)))
    layout = view_layout(base_shape, index, transpose)
    assert tuple(view.shape) == layout.shape and view.stride() == layout.strides
    assert (view.data_ptr() - m.data_ptr()) // m.element_size() == layout.offset
    assert view.reshape(-1).tolist() == layout.offsets


def highlighted(svg):
    """The memory cells a drawing colours as read, and those it leaves grey."""
    cells = re.findall(r"<rect class='(read|unread)' data-offset='(\d+)'", svg)
    return ({int(k) for kind, k in cells if kind == "read"}, {int(k) for kind, k in cells if kind == "unread"})


@pytest.mark.parametrize("base_shape, index, transpose", VIEWS)
def test_drawing_highlights_exactly_the_cells_the_view_reads(base_shape, index, transpose):
    drawing = draw_view(base_shape, index, transpose)
    view, m = numpy_view(base_shape, index, transpose)
    read, unread = highlighted(drawing.html())
    assert read == set(view.ravel().tolist())
    assert read | unread == set(range(m.size)) and not read & unread
    assert f"offset {drawing.layout.offset}" in repr(drawing)


def test_drawing_states_shape_strides_and_offset_in_elements_and_bytes():
    page = draw_view((3, 4), "1:, ::-1").html()
    assert "shape <code>(2, 4)</code>" in page
    assert "strides <code>(4, -1)</code> elements = <code>(32, -8)</code> bytes" in page
    assert "offset <code>7</code>" in page and "not contiguous" in page
    assert repr(draw_view((3, 4), ":, 1")) == "m[:, 1]: shape (3,), strides (4,), offset 1; reads @1 @5 @9"


def test_explorer_draws_a_first_picture_and_follows_its_controls():
    explorer = ViewExplorer((3, 4), ":, 1")
    assert highlighted(explorer.picture.value)[0] == {1, 5, 9}  # drawn before anyone touches it
    explorer.transpose.value = True
    explorer.index.value = "::-1"
    assert explorer.layout.expression == "m[::-1].T"
    assert explorer.layout.strides == (1, -4) and explorer.layout.offset == 8
    explorer.shape.value = (2, 3, 4)
    assert explorer.layout.shape == (4, 3, 2) and highlighted(explorer.picture.value)[0] == set(range(24))


@pytest.mark.parametrize("index, message", [
    ("5", "index 5 is out of bounds for axis 0 with size 3"),
    ("1, 2, 3", "too many indices for array: array is 2-dimensional, but 3 were indexed"),
    ("::0", "slice step cannot be zero"),
])
def test_explorer_shows_numpys_error_for_a_bad_index(index, message):
    explorer = ViewExplorer((3, 4), index)
    assert explorer.layout is None and message in explorer.picture.value
    m = np.arange(12).reshape(3, 4)
    with pytest.raises((IndexError, ValueError), match=re.escape(message)):
        m[eval(f"np.s_[{index}]")]
