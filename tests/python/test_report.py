"""Reports, plots and notebook display."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import breakeven
import numpy as np
import pytest
from breakeven.cli import main
from breakeven.formatting import money
from conftest import BASE_YAML

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def stochastic_result(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "small.yaml"
    path.write_text(BASE_YAML)
    return breakeven.load(path).run(paths=200)


def _markdown_table(text: str, after: str) -> list[list[str]]:
    block = text.split(after, 1)[1].split("\n\n")[2]  # heading, note, table
    rows = [line.strip("|").split(" | ") for line in block.splitlines()]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def test_report_numbers_equal_the_results(stochastic_result, tmp_path):
    r = stochastic_result
    text = r.report(tmp_path / "r.md").read_text()
    rows = _markdown_table(text, "## Strategies")
    df = r.summary()
    months = r.months
    totals = r.cost.sum(axis=2)
    for row, (name, s) in zip(rows, df.iterrows()):
        assert row[0].startswith(name)
        assert row[1] == money(s.mean_monthly_cost)
        assert (
            row[4]
            == money(s.total_cost)
            == money(totals[r.strategies.index(name)].mean())
        )
        assert row[5] == money(s.total_cost_p5)
        assert row[6] == money(s.total_cost_p95)
        assert row[2] == money(s.total_cost_p5 / months)
    hosted = rows[1]
    assert hosted[7] == f"{100 * df.loc['hosted', 'savings']:.1f}%"
    assert hosted[11] == f"{df.loc['hosted', 'p_break_even']:.0%}"
    doc = json.loads(r.report(tmp_path / "r.json").read_text())
    assert doc["result"] == r.as_dict()
    assert doc["assumptions"] == r.scenario.resolved()


def test_recommendation_names_the_cheapest_strategy_with_its_band(write_scenario):
    from breakeven.report import build_content

    # GPUs at $0.01/hour: self-hosting wins.
    cheap_gpus = BASE_YAML.replace(
        "gpu_price_per_hour: 0.5", "gpu_price_per_hour: 0.01"
    )
    result = breakeven.load(write_scenario(cheap_gpus)).run(paths=200)
    df = result.summary()
    assert df["total_cost"].idxmin() == "hosted"
    sav = df.loc["hosted"]
    assert build_content(result).recommendation.startswith(
        f"Self-host chat and nightly on gpu, cache prompt prefixes and use batch APIs for "
        f"batch work (hosted): saves {100 * sav.savings:.0f}% (p5-p95 "
        f"{100 * sav.savings_p5:.0f}-{100 * sav.savings_p95:.0f}%) against api over 3 months"
    )


def test_recommendation_keeps_the_baseline_when_nothing_is_cheaper(stochastic_result):
    from breakeven.report import build_content

    mean = stochastic_result.summary().loc["api", "total_cost"]
    assert build_content(stochastic_result).recommendation == (
        f"Keep api: no alternative is cheaper on average over 3 months (mean {money(mean)})."
    )


def outside_code(markdown: str) -> str:
    """The Markdown without its fenced code blocks (shown as written, never read as
    markup)."""
    return re.sub(r"(?ms)^(`{3,})\n.*?^\1$", "", markdown)


def test_markdown_report_matches_golden_file(tmp_path):
    result = breakeven.load(GOLDEN / "expected-cluster.yaml").run()
    text = result.report(tmp_path / "r.md").read_text()
    golden = GOLDEN / "report-expected.md"
    if os.environ.get("BREAKEVEN_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_script_in_a_scenario_name_shows_as_text(write_scenario, tmp_path):
    evil = "<script>alert(1)</script>"
    file = write_scenario(BASE_YAML.replace("name: small", f"name: '{evil}'"))
    result = breakeven.load(file).run(paths=20)
    html = result.report(tmp_path / "r.html").read_text()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = result.report(tmp_path / "r.md").read_text()
    # Only the scenario file, shown as written in a fenced block, holds it raw.
    assert "<script" not in outside_code(md) and "&lt;script&gt;" in outside_code(md)
    assert "<script" not in result._repr_html_()


def test_html_is_self_contained(stochastic_result, tmp_path):
    html = stochastic_result.report(tmp_path / "r.html").read_text()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    # fan, cumulative, break-even, breakdown and cluster charts
    assert html.count("data:image/png;base64,") == 5
    for section in (
        "Recommendation",
        "Strategies",
        "Monthly cost",
        "Where the money goes",
        "Clusters",
        "Assumptions",
        "Precision",
    ):
        assert f"<h2>{section}</h2>" in html


def test_html_opens_in_headless_chromium_without_console_errors(
    stochastic_result, tmp_path
):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium package is needed (tests/run.sh installs it)"
    page = stochastic_result.report(tmp_path / "r.html")
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={tmp_path / 'shot.png'}",
            "--window-size=1200,1600",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert (
        tmp_path / "shot.png"
    ).stat().st_size > 20000  # a rendered page, not a blank one


def test_pdf_first_page_converts_to_png(stochastic_result, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, (
        "Debian's poppler-utils package is needed (tests/run.sh installs it)"
    )
    pdf = stochastic_result.report(tmp_path / "r.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", pdf, tmp_path / "page"],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 5000


def test_cli_report_infers_the_format_and_exits_2_on_bad_input(
    write_scenario, tmp_path, capsys
):
    out = tmp_path / "report.md"
    assert main(["report", str(write_scenario()), "-o", str(out), "--paths", "20"]) == 0
    assert out.read_text().startswith("# Break-even report: small")
    assert "md report written" in capsys.readouterr().out
    bad = write_scenario(
        BASE_YAML.replace("horizon_months: 3", "horizon_months: 0"), "bad.yaml"
    )
    assert main(["report", str(bad), "-o", str(tmp_path / "x.html")]) == 2


def test_plots_share_strategy_colours_and_label_axes(stochastic_result):
    r = stochastic_result
    fan, cum = r.plot_fan(), r.plot_cumulative()
    colours = [
        {line.get_label(): line.get_color() for line in f.axes[0].get_lines()}
        for f in (fan, cum)
    ]
    assert colours[0] == colours[1] and set(colours[0]) == {"api", "hosted"}
    for fig in (fan, cum, r.plot_break_even(), r.plot_breakdown(), r.plot_cluster()):
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel() or ax.get_xlabel()
            assert ax.get_title()
    assert "USD" in fan.axes[0].get_ylabel()
    assert fan.axes[0].yaxis.get_major_formatter()(150000, 0) == "$150k"


def test_plot_cluster_is_none_without_clusters(tmp_path):
    text = BASE_YAML.replace("route: {default: gpu}", "route: {default: my-model}")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    assert breakeven.load(path).run(mode="expected").plot_cluster() is None


def test_notebook_display(stochastic_result, small):
    html = stochastic_result._repr_html_()
    assert "<table>" in html and "data:image/png;base64," in html
    assert "hosted" in html
    s_html = small._repr_html_()
    assert "chat" in s_html and "nightly" in s_html and "<table>" in s_html


def test_progress_bar_and_quiet(small, capsys):
    calls = []
    small.run(paths=30, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (30, 30)
    small.run(paths=30, progress=True)  # a bar on stderr, closed afterwards
    small.run(paths=30, progress=False)
    np.testing.assert_array_equal(
        small.run(paths=5, progress=True).cost, small.run(paths=5, progress=False).cost
    )


MATH = r"$\frac{}$"  # mathtext that fails to parse: matplotlib raised on drawing it


def test_mathtext_and_markdown_in_names_are_drawn_and_written_as_text(write_scenario, tmp_path):
    """A strategy, workload, scenario name or description holding ``$...$`` or a
    Markdown link: every chart draws it as the characters written (matplotlib raised
    ValueError on ``$\\frac{}$``), the PDF carries it as text and the Markdown report
    escapes it (the link reached the report as a live ``javascript:`` link)."""
    text = (BASE_YAML.replace("name: small", f"name: 's {MATH}'\ndescription: "
                              "'see [here](javascript:alert(1)) and *this*'")
            .replace("name: hosted", f"name: 'h {MATH}'")
            .replace("name: chat", "name: 'c $x$'"))
    result = breakeven.load(write_scenario(text)).run(paths=20)
    assert result.report(tmp_path / "r.html").stat().st_size > 0
    pdf = result.report(tmp_path / "r.pdf")
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert f"s {MATH}" in words and f"h {MATH}" in words
    md = result.report(tmp_path / "r.md").read_text()
    assert not re.search(r"(?<!\\)\]\(javascript:", outside_code(md))
    assert r"\[here\](javascript:alert(1))" in md
    assert r"\*this\*" in md and r"h \$\\frac{}\$" in md
    from breakeven.decisions import sensitivity

    tornado = sensitivity(result.scenario, f"h {MATH}", paths=20).plot()
    tornado.savefig(tmp_path / "t.png")
    assert f"h {MATH}" in tornado.axes[0].get_xlabel().replace("\\$", "$")


def test_plain_keeps_every_character_of_a_name():
    from matplotlib.text import Text

    from breakeven.plots import plain

    for name in (MATH, "$x$", "a\\$b$", "$$", "\\", "$5$ and $6", "plain"):
        shown, is_math = Text(0, 0, plain(name))._preprocess_math(plain(name))
        assert (shown, is_math) == (name, False)
