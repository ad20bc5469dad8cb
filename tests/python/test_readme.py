"""The README states what the code gives: tools/readme_check.py reruns every command
under a readme-check marker and renders every figure marked <!-- fig:NAME --> in its
prose and tables (tools/readme_figures.py: computed now, or as a bench recorded it
in tests/bench/results/); `--write` updates them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import readme_figures  # noqa: E402


def test_the_readme_shows_what_the_code_gives():
    proc = subprocess.run([sys.executable, str(REPO / "tools/readme_check.py")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "README differs from the code (run tools/readme_check.py " \
        "--write):\n" + proc.stdout[-4000:] + proc.stderr[-2000:]


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr(readme_figures, "SOURCES", {})
    readme_figures.source("demo")(lambda: {"a": "1", "table": "\n| x |\n"})


def fig(name: str, text: str) -> str:
    return f"<!-- fig:{name} -->{text}<!-- /fig -->"


def test_figures_are_put_in_whatever_the_readme_said(demo):
    text = f"saves {fig('demo.a', '7')}%\n{fig('demo.table', chr(10) + 'old' + chr(10))}\n"
    assert readme_figures.render(text) == (
        f"saves {fig('demo.a', '1')}%\n{fig('demo.table', chr(10) + '| x |' + chr(10))}\n")


@pytest.mark.parametrize("text, message", [
    (fig("nothing.a", "1") + fig("demo.a", "1") + fig("demo.table", ""), "no source 'nothing'"),
    (fig("demo.b", "1") + fig("demo.a", "1") + fig("demo.table", ""), "demo has no figure 'b'"),
    (fig("demo.a", "1"), "figure demo.table is computed but the README does not show it"),
    ("no figures", "figure source demo is not used"),
    ("words\n" + fig("demo.a", "1") + " more" + fig("demo.table", ""), "starts a line"),
])
def test_a_figure_named_wrong_or_left_out_is_an_error(demo, text, message):
    with pytest.raises(readme_figures.FigureError, match=message):
        readme_figures.render(text)


def test_every_recorded_bench_says_when_where_and_how():
    files = sorted((REPO / "tests" / "bench" / "results").glob("*.json"))
    assert {f.stem for f in files} == {"engine", "ingest", "antithetic", "fit_calibration"}
    for f in files:
        doc = json.loads(f.read_text())
        script = doc["command"].split()[1]  # python tests/bench/SCRIPT.py ...
        assert doc["bench"] == f.stem and (REPO / script).is_file(), f.name
        assert script.startswith("tests/bench/") and doc["date"] and doc["commit"]
        assert doc["machine"]["cores"] >= 1 and doc["results"]
