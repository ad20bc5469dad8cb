"""ingest and backtest priced from a catalog file (``--catalog``,
``ingest(catalog=)``): list prices, the fitted scenario and its ``catalog:`` line."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

import breakeven
from breakeven.catalog import catalog, read_catalog
from breakeven.cli import main
from breakeven.scenario import load

DOUBLED = "gpt-5.5"  # the model content-platform's baseline routes everything to


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """Four days of synthetic OpenAI logs, and a catalog file in which DOUBLED's
    input price is twice the bundled one."""
    folder = tmp_path_factory.mktemp("ingest-catalog")
    out = folder / "openai.jsonl"
    assert main(["synth-logs", str(REPO / "scenarios" / "content-platform.yaml"),
                 "--days", "4", "--format", "openai", "-o", str(out)]) == 0
    doc = catalog()
    doc["models"][DOUBLED]["input"] *= 2
    (folder / "cat").mkdir()
    path = folder / "cat" / "catalog.json"
    path.write_text(json.dumps(doc))
    return out, path


def _list_cost_by_model(usage) -> dict[str, float]:
    return usage.hourly_table.groupby("model")["list_cost"].sum().to_dict()


def test_doubled_input_price_adds_the_uncached_input_tokens_once_more(logs):
    out, path = logs
    bundled = breakeven.ingest(out, task="metadata.task")
    priced = breakeven.ingest(out, task="metadata.task", catalog=path)
    assert bundled.catalog is None and priced.catalog.path == path
    before, after = _list_cost_by_model(bundled), _list_cost_by_model(priced)
    assert DOUBLED in before and before.keys() == after.keys()
    h = bundled.hourly_table[bundled.hourly_table.model == DOUBLED]
    p = catalog()["models"][DOUBLED]
    # Uncached input and cache writes are billed at the input price (writes at its
    # multiplier); cache reads at the cached price, which did not move.
    write_x = p.get("cache_write_multiplier", 1.0)
    tokens = (h.input_tokens.sum() - h.cached_tokens.sum() - h.cache_write_tokens.sum()
              + h.cache_write_tokens.sum() * write_x)
    assert tokens > 0
    assert after[DOUBLED] - before[DOUBLED] == pytest.approx(tokens * p["input"] / 1e6,
                                                             rel=1e-9)
    for model in before.keys() - {DOUBLED}:
        assert after[model] == pytest.approx(before[model], rel=1e-12)
    # A CatalogFile already read prices the same as its path.
    again = breakeven.ingest(out, task="metadata.task", catalog=read_catalog(path))
    assert _list_cost_by_model(again) == pytest.approx(after, rel=1e-12)


def test_fitted_yaml_names_the_catalog_and_runs_priced_by_it(logs, tmp_path, capsys):
    out, path = logs
    fitted = tmp_path / "fitted.yaml"
    assert main(["ingest", str(out), "--task", "metadata.task", "--catalog", str(path),
                 "-o", str(fitted), "--bootstrap", "0"]) == 0
    lines = [x for x in fitted.read_text().splitlines() if x.startswith("catalog:")]
    # relative to the YAML's folder: both folders are in pytest's base folder
    assert path.parent.parent.parent == tmp_path.parent
    expected = f"../{path.parent.parent.name}/cat/catalog.json"
    assert lines == [f'catalog: "{expected}"  # the catalog the logs were priced with '
                     "(--catalog)"]
    scenario = load(fitted)
    assert scenario.catalog is not None and scenario.catalog.path.resolve() == path.resolve()
    assert main(["run", str(fitted), "--paths", "20", "--quiet"]) == 0
    capsys.readouterr()
    # Without --catalog the fitted YAML names none.
    plain = tmp_path / "plain.yaml"
    assert main(["ingest", str(out), "--task", "metadata.task", "-o", str(plain),
                 "--bootstrap", "0"]) == 0
    assert "catalog:" not in plain.read_text()


def test_the_fit_prices_from_the_catalog(logs):
    out, path = logs
    usage = breakeven.ingest(out, task="metadata.task", catalog=path)
    scenario = usage.fit(bootstrap=0)
    assert scenario.catalog is usage.catalog
    assert scenario.fit_report.catalog_path == path.resolve()
    assert f"catalog: {json.dumps(str(path.resolve()))}" in scenario.fit_report.yaml


@pytest.mark.parametrize("command", ["ingest", "backtest"])
def test_missing_or_bad_catalog_is_one_line_naming_the_file(logs, tmp_path, capsys, command):
    out, _ = logs
    extra = ["--train-days", "2"] if command == "backtest" else []
    missing = tmp_path / "nope.json"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"models": {"m": {"input": "cheap", "output": 1.0}}}))
    for path in (missing, bad):
        assert main([command, str(out), "--catalog", str(path), *extra]) != 0
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(path) in err, err
        assert "Traceback" not in err


def test_backtest_takes_a_catalog(logs, tmp_path, capsys):
    out, path = logs
    report = tmp_path / "bt.json"
    assert main(["backtest", str(out), "--task", "metadata.task", "--catalog", str(path),
                 "--train-days", "3", "--paths", "50", "--json", str(report)]) == 0
    assert json.loads(report.read_text())["train_days"] == 3
    capsys.readouterr()


def test_an_aggregated_export_is_priced_from_the_catalog(logs):
    """The OpenAI usage page (per-bucket sums) takes the same catalog."""
    _, path = logs
    page = REPO / "tests" / "data" / "logs" / "openai-usage-page.json"
    before = breakeven.ingest(page)
    after = breakeven.ingest(page, catalog=path)
    assert after.catalog.path == path
    h = before.hourly_table[before.hourly_table.model == DOUBLED]
    uncached = h.input_tokens.sum() - h.cached_tokens.sum()
    assert uncached > 0
    diff = _list_cost_by_model(after)[DOUBLED] - _list_cost_by_model(before)[DOUBLED]
    assert diff == pytest.approx(uncached * catalog()["models"][DOUBLED]["input"] / 1e6,
                                 rel=1e-9)
