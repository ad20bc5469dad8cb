"""Charts show what they draw: a flat series inside the frame, identical
break-even curves each visible, money axes with few enough ticks to read, and a
sweep heatmap with its values written, colours that an extreme cannot wash out,
and the break-even contour where a saving changes sign."""

from __future__ import annotations

from types import SimpleNamespace

import breakeven
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import LogNorm, TwoSlopeNorm

from breakeven import plots


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from conftest import BASE_YAML

    path = tmp_path_factory.mktemp("plots") / "s.yaml"
    path.write_text(BASE_YAML)
    return breakeven.load(path).run(paths=30)


def test_a_flat_series_is_drawn_inside_the_frame(result):
    fig = result.plot_cluster()
    gpus = fig.axes[0]
    line = gpus.get_lines()[0].get_ydata()
    assert np.ptp(line) == 0  # a fixed cluster: the same GPUs every month
    assert gpus.get_ylim()[1] == pytest.approx(1.1 * line[0])
    be = result.plot_break_even().axes[0]
    assert be.get_ylim()[1] > 1.0


def test_strategies_with_the_same_break_even_curve_are_all_visible(result):
    data = result.scenario.data
    data["strategies"].append({"name": "hosted-2", "route": {"default": "gpu"},
                               "caching": True, "batch_api": True})
    twin = breakeven.load(data).run(paths=30)
    lines = twin.plot_break_even().axes[0].get_lines()
    assert np.array_equal(lines[0].get_ydata(), lines[1].get_ydata())
    assert lines[0].get_linewidth() > lines[1].get_linewidth()


def test_money_axes_have_at_most_six_ticks(result):
    ax = result.plot_breakdown().axes[0]
    ax.figure.canvas.draw()
    assert len(ax.get_xticks()) <= 7


def sweep_of(values: np.ndarray, column: str):
    xs, ys = np.arange(values.shape[1]), np.arange(values.shape[0])
    rows = [{"x": x, "y": y, column: values[j, i]} for j, y in enumerate(ys)
            for i, x in enumerate(xs)]
    return SimpleNamespace(table=lambda: pd.DataFrame(rows))


def test_the_heatmap_writes_its_values_and_draws_the_break_even_contour():
    savings = np.array([[-0.5, -0.1, 0.2], [-0.2, 0.1, 0.4], [0.0, 0.3, 0.6]])
    fig = plots.plot_sweep(sweep_of(savings, "self-host.savings"), "x", "y",
                           "self-host.savings")
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(
        f"{v:.0%}" for v in savings.ravel())
    assert isinstance(ax.collections[0].norm, TwoSlopeNorm)
    assert len(ax.collections) == 2  # the mesh and the zero contour
    assert ax.get_legend().get_texts()[0].get_text() == "break-even (saving 0)"


def test_a_wide_positive_range_is_coloured_on_a_log_scale():
    costs = np.array([[1e3, 2e3], [5e4, 9e6]])
    fig = plots.plot_sweep(sweep_of(costs, "api.total_cost"), "x", "y", "api.total_cost")
    ax = fig.axes[0]
    assert isinstance(ax.collections[0].norm, LogNorm)
    assert "$9M" in {t.get_text() for t in ax.texts}
    assert ax.get_legend() is None


def test_a_long_name_is_cut_in_charts_and_the_axes_keep_their_size(recwarn):
    long = "x" * 900  # a task name from a log: any length
    hourly = pd.DataFrame({long: [1.0, 2.0, 3.0], "b\x1f": [2.0, 1.0, 0.5]},
                          index=pd.date_range("2026-01-05", periods=3, freq="h", tz="UTC"))
    fig = plots.plot_hourly_requests(hourly)
    fig.savefig(__import__("io").BytesIO(), format="png")  # warned: axes collapsed
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[0] == "x" * (plots.MAX_DRAWN_NAME - 1) + "…"
    assert texts[1] == "b\\x1f"  # no font has a glyph for a control character
    assert not [w for w in recwarn if "constrained_layout" in str(w.message)
                or "missing from font" in str(w.message)]


def test_a_character_no_font_has_is_drawn_without_a_warning(tmp_path, recwarn):
    """Found by the long fuzz run: 'Glyph 751 missing from font' on stderr."""
    from breakeven.presentation import Document, Section

    hourly = pd.DataFrame({"\u02ef task": [1.0, 2.0]},
                          index=pd.date_range("2026-01-05", periods=2, freq="h", tz="UTC"))
    doc = Document("t", [Section("chart", figure=lambda: plots.plot_hourly_requests(hourly))])
    for name in ("t.html", "t.md", "t.pdf"):
        doc.write(tmp_path / name)
    assert not [w for w in recwarn if "missing from font" in str(w.message)]
