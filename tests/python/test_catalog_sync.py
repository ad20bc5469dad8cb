"""breakeven catalog import reads LiteLLM's price table (an excerpt of the real file,
tests/data/litellm/) into prices the test computes by hand; catalog diff shows what
moved; --catalog and catalog: price a scenario from a catalog file; hostile files
get one line."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

import breakeven as be
from breakeven import _core, litellm_prices
from breakeven.cli import main
from breakeven.errors import ScenarioError
from breakeven.litellm_prices import import_litellm

FIXTURE = REPO / "tests/data/litellm/model_prices_excerpt.json"
AS_OF = "2026-12-01"
M = 1e6  # per token -> per 1M tokens


@pytest.fixture(scope="module")
def imported():
    return import_litellm(FIXTURE, AS_OF)


def test_prices_are_the_per_token_prices_times_a_million(imported):
    raw = json.loads(FIXTURE.read_text())
    haiku = imported.models["claude-haiku-4-5"]
    r = raw["claude-haiku-4-5"]
    assert haiku["input"] == pytest.approx(r["input_cost_per_token"] * M) == 1.0
    assert haiku["output"] == pytest.approx(r["output_cost_per_token"] * M) == 5.0
    assert haiku["cached_input"] == pytest.approx(r["cache_read_input_token_cost"] * M)
    assert haiku["cache_write_multiplier"] == pytest.approx(
        r["cache_creation_input_token_cost"] / r["input_cost_per_token"]) == 1.25
    assert haiku["cache_ttl_tiers"] == [{"ttl_minutes": 60, "write_multiplier": 2.0}]
    assert haiku["cache_min_tokens"] == 4096 and haiku["max_input_tokens"] == 200000
    assert haiku["provider"] == "anthropic" and haiku["as_of"] == AS_OF
    assert "batch_discount" not in haiku  # LiteLLM gives no Anthropic batch price here
    gpt = imported.models["gpt-5.4"]
    r = raw["gpt-5.4"]
    assert (gpt["input"], gpt["output"], gpt["cached_input"]) == (2.5, 15.0, 0.25)
    assert gpt["batch_discount"] == pytest.approx(
        1 - r["input_cost_per_token_batches"] / r["input_cost_per_token"]) == 0.5
    assert "cache_write_multiplier" not in gpt
    # The engine reads the imported entries as the test computed them.
    resolved = _core.catalog_models(json.dumps(imported.catalog))
    assert resolved["gpt-5.4"]["batch_discount"] == 0.5
    assert resolved["claude-haiku-4-5"]["cache_write_multiplier"] == 1.25
    assert resolved["ai21.jamba-1-5-mini-v1:0"]["cached_input"] is None


def test_what_is_skipped_left_out_and_absent_is_counted(imported):
    assert set(imported.models) == {
        "ai21.jamba-1-5-mini-v1:0", "claude-haiku-4-5", "claude-4-sonnet-20250514",
        "claude-sonnet-4-5", "gpt-5.5-pro", "gpt-5.4", "gpt-5.4-mini",
        "groq/openai/gpt-oss-120b"}
    # sample_spec, the image and the audio entry
    assert sum(imported.skipped.values()) == 3
    assert imported.left_out["input_cost_per_token_flex"] == 3
    assert imported.left_out["input_cost_per_token_above_200k_tokens"] == 2
    assert imported.left_out["input_cost_per_token_above_272k_tokens"] == 2
    assert "supports_vision" in imported.left_out
    assert imported.absent["cache_read_input_token_cost"] == 1  # the Bedrock model
    assert imported.absent["input_cost_per_token_batches"] == 5
    assert sorted(imported.long_context) == ["claude-4-sonnet-20250514",
                                             "claude-sonnet-4-5", "gpt-5.4", "gpt-5.5-pro"]
    notes = imported.models["claude-sonnet-4-5"]["notes"]
    assert "above 200k" in notes and "input_cost_per_token 6," in notes


def test_input_and_output_batch_discounts_that_differ_keep_the_smaller(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"m": {
        "mode": "chat", "input_cost_per_token": 2e-6, "output_cost_per_token": 8e-6,
        "input_cost_per_token_batches": 1e-6, "output_cost_per_token_batches": 4.8e-6}}))
    done = import_litellm(path, AS_OF)
    assert done.models["m"]["batch_discount"] == pytest.approx(0.4)
    assert any("batch discounts differ (input 50.0%, output 40.0%)" in r for r in done.remarks)


def test_cli_import_then_models_and_provider_filter(tmp_path, capsys):
    out = tmp_path / "catalog.json"
    summary = tmp_path / "summary.json"
    assert main(["catalog", "import", str(FIXTURE), "-o", str(out), "--as-of", AS_OF,
                 "--json", str(summary)]) == 0
    text = capsys.readouterr().out
    assert "8 models imported" in text and "input_cost_per_token_flex: 3" in text
    assert json.loads(summary.read_text())["imported"] == 8
    written = json.loads(out.read_text())
    assert written["models"]["gpt-5.4-mini"]["input"] == 0.75
    assert written["gpu_offers"]  # the bundled offers come along
    assert main(["models", "--catalog", str(out)]) == 0
    listing = capsys.readouterr().out
    assert "claude-sonnet-4-5" in listing and "1,050,000" in listing
    assert main(["catalog", "import", str(FIXTURE), "-o", str(out), "--as-of", AS_OF,
                 "--provider", "groq"]) == 0
    assert set(json.loads(out.read_text())["models"]) == {"groq/openai/gpt-oss-120b"}


def test_diff_shows_added_removed_and_changed_with_percent(tmp_path, capsys):
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    catalog = import_litellm(FIXTURE, AS_OF).catalog
    old.write_text(json.dumps(catalog))
    catalog["models"]["gpt-5.4"]["input"] = 2.0
    del catalog["models"]["groq/openai/gpt-oss-120b"]
    catalog["models"]["newcomer"] = {"input": 1, "output": 2}
    new.write_text(json.dumps(catalog))
    report = tmp_path / "diff.json"
    assert main(["catalog", "diff", str(old), str(new), "--json", str(report)]) == 0
    text = capsys.readouterr().out
    assert "1 added, 1 removed, 1 with changed prices" in text and "-20.0%" in text
    d = json.loads(report.read_text())
    assert d["added"] == ["newcomer"] and d["removed"] == ["groq/openai/gpt-oss-120b"]
    assert d["changed"] == [{"model": "gpt-5.4", "field": "input", "old": 2.5, "new": 2.0,
                             "percent": pytest.approx(-20.0)}]


SCENARIO = """\
name: priced-from-litellm
horizon_months: 2
simulation: {paths: 10, seed: 1, mode: expected}
workloads:
  - {name: chat, requests: {per_hour: 100}, input_tokens: 1000, output_tokens: 100}
strategies:
  - {name: haiku, route: {default: claude-haiku-4-5}}
"""


@pytest.fixture
def litellm_catalog(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(import_litellm(FIXTURE, AS_OF).catalog))
    return path


def test_catalog_option_and_key_price_the_scenario(tmp_path, litellm_catalog, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO)
    # The bundled catalog spells it claude-haiku-4.5: without the file it is unknown.
    assert main(["validate", str(scenario)]) == 2
    assert "unknown" in capsys.readouterr().err
    assert main(["validate", str(scenario), "--catalog", str(litellm_catalog)]) == 0
    assert main(["run", str(scenario), "--catalog", str(litellm_catalog), "--quiet"]) == 0
    capsys.readouterr()
    # catalog: in the file, relative to it
    scenario.write_text(SCENARIO + "catalog: catalog.json\n")
    s = be.load(scenario)
    assert s.resolved()["models"]["claude-haiku-4-5"]["input"] == 1.0
    # expected mode, no caching: (1000 x 1.0 + 100 x 5.0) / 1e6 per request
    result = s.run()
    per_request = (1000 * 1.0 + 100 * 5.0) / 1e6
    months = result.cost.mean(axis=1)[0]
    requests = result.requests.mean(axis=1)[0].sum(axis=-1)
    assert months.sum() == pytest.approx(per_request * requests.sum(), rel=1e-9)
    # an edited copy keeps its catalog
    assert s.with_values({"horizon_months": 3}).catalog == s.catalog


@pytest.mark.parametrize("value, message", [
    ("5", "catalog: must be a string"),
    ("missing.json", "catalog: .*missing.json: no such file"),
])
def test_a_bad_catalog_key_names_the_field(tmp_path, value, message):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO + f"catalog: {value}\n")
    with pytest.raises(ScenarioError, match=message):
        be.load(scenario)


def test_a_bad_catalog_file_names_the_catalog_file_and_field(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"models": {"x": {"input": -1, "output": 1}}}')
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO)
    assert main(["validate", str(scenario), "--catalog", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {bad}:1: models.x.input: must be") and "\n" not in err


def one_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "must be a JSON object of model name -> prices (got list)"),
    (b'{"m": {"mode": "chat", "input_cost_per_token": "cheap", "output_cost_per_token": 1}}',
     "m.input_cost_per_token: must be a number >= 0"),
    (b'{"m": {"mode": "chat", "input_cost_per_token": NaN, "output_cost_per_token": 1}}',
     "NaN is not a number JSON allows"),
    (b'{"m": {"mode": "chat", "input_cost_per_token": true, "output_cost_per_token": 1}}',
     "m.input_cost_per_token: must be a number"),
    (b'{"m": {"mode": "chat", "input_cost_per_token": 5, "output_cost_per_token": 1}}',
     "models.m.input: must be between 0 and 1000000"),
    (b'{"m": {"mode": "image_generation"}}', "no text model"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_hostile_litellm_files_get_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "prices.json"
    path.write_bytes(content)
    out = tmp_path / "catalog.json"
    assert main(["catalog", "import", str(path), "-o", str(out)]) == 2
    err = one_error(capsys)
    assert str(path) in err and message in err
    assert not out.exists()


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(litellm_prices, "MAX_LITELLM_BYTES", 1000)
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({f"m{i}": {"mode": "chat"} for i in range(100)}))
    assert main(["catalog", "import", str(path), "-o", str(tmp_path / "c.json")]) == 2
    assert "LiteLLM price files are at most 1,000" in one_error(capsys)


def test_more_models_than_a_catalog_holds_is_an_error(tmp_path):
    limit = _core.LIMITS["max_models"]
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({f"m{i}": {"mode": "chat", "input_cost_per_token": 1e-6,
                                          "output_cost_per_token": 1e-6}
                                for i in range(limit + 1)}))
    with pytest.raises(ScenarioError, match=f"at most {limit:,}: choose some with --provider"):
        import_litellm(path, AS_OF)


def test_bad_as_of_is_an_option_error(tmp_path, capsys):
    assert main(["catalog", "import", str(FIXTURE), "-o", str(tmp_path / "c.json"),
                 "--as-of", "last week"]) == 2
    assert "--as-of: must be a date YYYY-MM-DD" in one_error(capsys)


def test_a_sweep_points_keep_the_base_catalog_from_any_folder(tmp_path, litellm_catalog,
                                                              monkeypatch):
    from breakeven.decisions.sweep import load_sweep, run_point

    (tmp_path / "base.yaml").write_text(SCENARIO + "catalog: catalog.json\n")
    (tmp_path / "sweep.yaml").write_text(
        "base: base.yaml\npaths: 5\ndesign: grid\nparameters:\n"
        "  workloads.chat.requests.per_hour: {values: [100, 200]}\n")
    spec = load_sweep(tmp_path / "sweep.yaml")
    assert spec.base["catalog"] == str(litellm_catalog.resolve())
    monkeypatch.chdir(REPO)  # a worker elsewhere
    row = run_point(spec.base, spec.points[1], 5, 1)
    assert row["haiku.total_cost"] == pytest.approx(
        2 * run_point(spec.base, spec.points[0], 5, 1)["haiku.total_cost"], rel=1e-9)


def test_a_catalog_file_over_the_limit_names_the_limit(tmp_path, capsys):
    from breakeven._yaml import MAX_FILE_BYTES

    big = tmp_path / "big.json"
    big.write_text('{"models": {}, "notes": "' + "x" * MAX_FILE_BYTES + '"}')
    assert main(["models", "--catalog", str(big)]) == 2
    assert f"catalog files are at most {MAX_FILE_BYTES:,}" in one_error(capsys)
