"""engine.widgets.products: the shape rule of A @ B, and its rows-times-columns picture."""
import pytest

pytest.importorskip("ipywidgets", reason="ipywidgets is not installed: pip install -r requirements.txt")
pytest.importorskip("matplotlib", reason="matplotlib is not installed: pip install -r requirements.txt")

import engine as torch  # noqa: E402
from engine.widgets import ProductExplorer, ShapeTable, counting_matrix, draw_product, product_shape  # noqa: E402


def test_the_shape_rule_is_the_engines():
    assert product_shape(4, 2, 2, 5) == (True, "4×5")
    assert product_shape(2, 5, 4, 2) == (False, "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x5 and 4x2)")
    assert torch.equal(counting_matrix(2, 2, start=5), torch.tensor([[5.0, 6.0], [7.0, 8.0]]))


def test_the_picture_titles_the_entry_with_its_sum():
    import matplotlib.pyplot as plt

    A, B = counting_matrix(2, 3), counting_matrix(3, 2, start=7)
    fig = draw_product(A, B, row=1, col=0)
    assert fig._suptitle.get_text() == "C[1, 0] = row 1 of A · column 0 of B = 4·7 + 5·9 + 6·11 = 139"
    plt.close(fig)


def test_the_static_table_says_what_the_explorer_says():
    table = ShapeTable([(2, 3, 3, 4), (3, 4, 3, 4)])
    assert repr(table).splitlines() == [
        "  2×3 @ 3×4   -> 2×4",
        "  3×4 @ 3×4   -> RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x4 and 3x4)",
    ]
    assert table._repr_html_().count("<tr>") == 3


def test_the_explorer_starts_drawn_and_follows_its_sliders():
    explorer = ProductExplorer(n=2, m=3, m2=3, p=2, row=1, col=0)
    assert "2×2" in explorer.result.value and bytes(explorer.picture.value).startswith(b"\x89PNG")
    explorer.sliders["m2"].value = 4
    assert "(2x3 and 4x2)" in explorer.result.value and explorer.picture.layout.display == "none"
    explorer.sliders["m2"].value = 3
    explorer.sliders["n"].value = 1  # the chosen row no longer exists: it follows the smaller result
    assert explorer.sliders["row"].value == 0 and explorer.picture.layout.display is None
