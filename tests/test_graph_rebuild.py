"""benchmarks.graph_rebuild: the rows Chapter 7 prints, from a run and from the committed reference run."""
import pytest

from benchmarks import graph_rebuild

ROW_KEYS = {"parameters", "eager_us", "replay_us", "ratio", "build_us", "build_in_eager_steps"}


def test_reference_rows_come_from_the_committed_run():
    rows, machine = graph_rebuild.reference()
    assert list(rows) == list(graph_rebuild.MODELS)
    assert all(set(row) == ROW_KEYS for row in rows.values())
    assert rows["tiny"]["parameters"] == 4
    assert {"date", "cpu"} <= set(machine)
    for row in rows.values():
        assert row["ratio"] > 0 and row["build_in_eager_steps"] == pytest.approx(row["build_us"] / row["eager_us"])


def test_measure_checks_the_contestants_agree_and_returns_rows():
    rows = graph_rebuild.measure(rounds=1, models=("tiny",))  # no time is asserted: one quick round
    assert list(rows) == ["tiny"] and set(rows["tiny"]) == ROW_KEYS


def test_table_has_a_line_per_model_and_the_reference_column():
    rows, _ = graph_rebuild.reference()
    lines = graph_rebuild.table(rows, rows).splitlines()
    assert len(lines) == 1 + len(rows)
    assert lines[0].split()[-1] == "reference"
    assert lines[1].split()[0] == "tiny"


def test_figure_draws_both_panels():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, _ = graph_rebuild.reference()
    fig = graph_rebuild.figure(rows)
    assert len(fig.axes) == 2
    plt.close(fig)
