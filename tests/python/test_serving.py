"""The serving catalog, memory fit and bench files (docs/model.md "Serving catalog
and memory fit")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

import breakeven
from breakeven import _core, schemas
from breakeven.catalog import serving_json, serving_rows
from breakeven.errors import ScenarioError
from breakeven.serving_bench import BenchFileError, read_bench

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tests" / "data" / "serving"
VLLM = sorted(BENCH.glob("vllm-*.json"))
SV = _core.SERVING


def scenario(serving, gpus=2, input_tokens=5000, output_tokens=500) -> dict:
    return {
        "name": "s", "horizon_months": 2, "simulation": {"paths": 20, "seed": 1},
        "workloads": [{"name": "w", "requests": {"per_hour": 100},
                       "input_tokens": input_tokens, "output_tokens": output_tokens}],
        "clusters": {"c": {"gpu_price_per_hour": 3, "gpus": gpus, "serving": serving}},
        "strategies": [{"name": "api", "route": {"default": "claude-haiku-4.5"}},
                       {"name": "self", "route": {"default": "c"}}],
    }


def error_of(data) -> str:
    with pytest.raises(ScenarioError) as e:
        breakeven.load(data)
    return str(e.value)


# -- the catalog ------------------------------------------------------------------
def test_every_catalog_entry_has_a_source_and_a_date():
    data = json.loads(serving_json())
    entries = [*data["gpus"].values(), *data["models"].values(), *data["measured"]]
    assert len(data["measured"]) >= 10 and len(data["models"]) >= 12 and len(data["gpus"]) == 7
    for e in entries:
        assert e["source"].strip() and e["as_of"].strip(), e
    wanted = {"llama-3.1-8b", "llama-3.3-70b", "llama-4-scout", "llama-4-maverick",
              "deepseek-v3", "gpt-oss-20b", "gpt-oss-120b"}
    assert wanted <= set(data["models"])
    assert {"l4", "l40s", "a100-80gb", "h100", "h200", "b200", "mi300x"} == set(data["gpus"])


def test_published_figures_are_the_references():
    # shared/reference/prices-2026.md: TensorRT-LLM, Llama 3.3 70B on 2x H100 FP8.
    entry = next(e for e in json.loads(serving_json())["measured"]
                 if e["model"] == "llama-3.3-70b" and e["engine"] == "trt-llm")
    assert entry["gpus"] == 2
    assert [(p["input_tokens"], p["output_tokens"], p["output_tokens_per_s"])
            for p in entry["points"]] == [(1000, 1000, 4205), (5000, 500, 898)]


def test_rows_say_measured_or_estimate():
    rows = serving_rows()
    assert {r["basis"] for r in rows} == {"measured", "estimate"}
    for r in rows:
        if r["basis"] == "estimate":
            assert r["source"].startswith("roofline estimate")
            assert r["prefill_calibration"] == r["decode_calibration"] == 1
    # DeepSeek-V3's 671 GB of FP8 weights fit no 8 H100s (576 GB usable).
    ds = next(r for r in rows if r["model"] == "deepseek-v3" and r["gpu"] == "h100")
    assert ds["gpus_per_replica"] is None and ds["memory_gb"] > 8 * 80 * SV["usable_memory_share"]


def test_models_command_lists_serving(capsys):
    from breakeven.cli import main

    assert main(["models"]) == 0
    out = capsys.readouterr().out
    serving = out[out.index("\nServing\n"):]
    assert "ESTIMATE" in serving and "measured" in serving and "over 8" in serving
    assert "llama-3.3-70b     h100       fp8        trt-llm  measured  2" in serving


# -- memory fit and resolution ------------------------------------------------------
def test_seventy_billion_fp8_takes_two_h100s():
    c = breakeven.load(scenario("llama-3.3-70b/h100/fp8")).resolved()["clusters"]["c"]
    v = c["serving"]
    # weights 70.6 GB; KV 64 requests x 5,500 tokens x 163,840 bytes = 57.67 GB;
    # one H100 holds 0.9 x 80 = 72 GB, two 144 GB.
    assert v["weights_gb"] == pytest.approx(70.6)
    assert v["kv_cache_gb"] == pytest.approx(64 * 5500 * 163840 / 1e9)
    assert (v["gpus_per_replica"], v["usable_gb"]) == (2, pytest.approx(144))
    assert (v["basis"], v["engine"], v["context_tokens"]) == ("measured", "trt-llm", 5500)
    assert c["replica_gpus"] == 2
    assert v["prefill_tokens_per_s_per_replica"] == pytest.approx(2 * c["prefill_tokens_per_s"])
    # Prefill stays at the roofline: 0.5 x 1979 TFLOP/s / (2 x 70.6e9).
    assert c["prefill_tokens_per_s"] == pytest.approx(
        SV["compute_efficiency"] * 1979e12 / (2 * 70.6e9))


def test_engine_picks_its_published_figure():
    trt = breakeven.load(scenario("llama-3.3-70b/h100/fp8")).resolved()["clusters"]["c"]
    nim = breakeven.load(scenario("llama-3.3-70b/h100/fp8/nim")).resolved()["clusters"]["c"]
    assert nim["serving"]["engine"] == "nim"
    # NIM's figure is latency-bound (concurrency 50): lower than TensorRT-LLM's.
    assert nim["decode_tokens_per_s"] < trt["decode_tokens_per_s"]
    assert nim["serving"]["source"].startswith("shared/reference/prices-2026.md, 'Latency")


def test_impossible_fits_are_one_line():
    msg = error_of(scenario("llama-3.3-70b/l4/bf16", gpus=8))
    assert msg == ("<dict>: clusters.c.serving: llama-3.3-70b at bf16 needs 256.5 GB per "
                   "replica (weights 141.2 GB + KV cache 115.3 GB for 64 requests of 5500 "
                   "tokens); 8 x l4 hold 172.8 GB (0.9 of 24 GB each), and a replica is at "
                   "most 8 GPUs (one node)")
    msg = error_of(scenario({"model": "llama-3.3-70b", "gpu": "l4", "precision": "fp8",
                             "gpus_per_replica": 1}, gpus=1))
    assert "needs 128.3 GB per replica" in msg and "1 x l4 hold 21.6 GB" in msg
    assert "\n" not in msg


@pytest.mark.parametrize("serving, gpus, field, reason", [
    ("llama-3.3-70b/h100/fp8", 3, "clusters.c.gpus", "must be a multiple of 2 (got 3)"),
    ("llama-3.3-70b/h100/fp8", {"min": 2, "max": 5}, "clusters.c.gpus.max",
     "must be a multiple of 2 (got 5)"),
    ("nope/h100/fp8", 2, "clusters.c.serving", "unknown model 'nope' (models: deepseek-v3,"),
    ("llama-3.3-70b/h100/fp9", 2, "clusters.c.serving", "unknown precision 'fp9'"),
    ("llama-3.3-70b/h100/fp8/sglang", 2, "clusters.c.serving",
     "no published figure for llama-3.3-70b on h100 at fp8 with engine 'sglang' "
     "(published: trt-llm, nim)"),
    ("llama-3.3-70b//fp8", 2, "clusters.c.serving", "must be MODEL/GPU/PRECISION"),
    ("a/b/c/d/e", 2, "clusters.c.serving", "must be MODEL/GPU/PRECISION"),
    ([1, 2], 2, "clusters.c.serving", "must be MODEL/GPU/PRECISION[/ENGINE] or {model"),
    ({"model": "llama-3.3-70b", "gpu": "h100"}, 2, "clusters.c.serving.precision",
     "is required"),
    ({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8", "concurrency": 0}, 2,
     "clusters.c.serving.concurrency", "must be between 1 and"),
    ({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8", "concurrency": "x"}, 2,
     "clusters.c.serving.concurrency", "must be a number"),
    ({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8", "gpus_per_replica": 16},
     2, "clusters.c.serving.gpus_per_replica", "must be between 1 and 8"),
    ({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8", "tp": 2}, 2,
     "clusters.c.serving.tp", "unknown field"),
    ({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8", "bench": 5}, 2,
     "clusters.c.serving.bench", "must be a file name or a list of file names"),
])
def test_hostile_serving_fields(serving, gpus, field, reason):
    msg = error_of(scenario(serving, gpus=gpus))
    assert f": {field}: " in msg and reason in msg, msg
    assert "\n" not in msg


def test_serving_and_typed_rates_are_exclusive():
    data = scenario("llama-3.3-70b/h100/fp8")
    data["clusters"]["c"]["prefill_tokens_per_s"] = 1000
    msg = error_of(data)
    assert "clusters.c.prefill_tokens_per_s: give at most one of serving" in msg


def test_autoscaled_cluster_runs_in_whole_replicas():
    data = scenario("llama-3.3-70b/h100/fp8", gpus={"min": 2, "max": 16})
    data["workloads"][0]["requests"] = {"per_hour": 6000}
    data["workloads"][0]["hourly_weights"] = "business_hours"
    result = breakeven.load(data).run(mode="expected")
    hours = result["self"].gpu_hours[0]
    # Every hour's GPUs are a multiple of 2, so every month's GPU-hours are, and
    # the quiet hours keep one replica (min 2).
    assert all(h % 2 == 0 and h >= 2 * 730 for h in hours), hours
    assert hours[0] > 2 * 730


# -- bench files ------------------------------------------------------------------
def test_vllm_files_round_trip():
    points = read_bench(VLLM)
    raw = [json.loads(p.read_text()) for p in VLLM]
    assert [p["output_tokens_per_s"] for p in points] == [r["output_throughput"] for r in raw]
    for p, r in zip(points, raw):
        assert p["input_tokens"] == r["total_input_tokens"] / r["completed"] == 5000
        assert p["output_tokens"] == 500
        assert p["request_throughput"] == r["request_throughput"]
        assert p["max_concurrency"] == r["max_concurrency"]
        assert p["request_rate"] == "inf"
        assert p["ttft_ms"] == {"mean": r["mean_ttft_ms"], "median": r["median_ttft_ms"],
                                "std": r["std_ttft_ms"], "p99": r["p99_ttft_ms"]}
        assert p["e2el_ms"]["p99"] == r["p99_e2el_ms"]
        assert p["tpot_ms"]["mean"] == r["mean_tpot_ms"]


def test_sglang_jsonl_round_trip():
    points = read_bench([BENCH / "sglang-llama-3.3-70b.jsonl"])
    assert [p["request_rate"] for p in points] == [2, 8]
    assert points[1]["output_tokens_per_s"] == 900
    assert points[0]["e2el_ms"]["mean"] == 25500
    assert points[0]["itl_ms"]["p99"] == 120


def test_bench_files_set_the_cluster(tmp_path):
    for f in VLLM:
        shutil.copy(f, tmp_path / f.name)
    data = scenario({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8",
                     "bench": [f.name for f in VLLM]})
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(data))
    sc = breakeven.load(path)
    c = sc.resolved()["clusters"]["c"]
    v = c["serving"]
    assert v["basis"] == "bench" and len(v["curve"]) == 4
    # The saturated point (917 output tokens/s at 5000/500 on the 2-GPU replica) is
    # what the rates give back: 2 x 500 / (5000 / prefill + 500 / decode).
    per_request = 5000 / c["prefill_tokens_per_s"] + 500 / c["decode_tokens_per_s"]
    assert 2 * 500 / per_request == pytest.approx(917)
    # An edited copy still finds its files (relative to the scenario's folder).
    moved = sc.with_values({"clusters.c.utilization": 0.5})
    assert moved.resolved()["clusters"]["c"]["decode_tokens_per_s"] == c["decode_tokens_per_s"]
    assert sc.data["clusters"]["c"]["serving"]["bench"] == [f.name for f in VLLM]


@pytest.mark.parametrize("text, reason", [
    ("{not json", ":1: not JSON"),
    ('{"completed": 10}', "'output_throughput' must be a number >= 0 (got missing)"),
    ('{"completed": 0, "output_throughput": 1}', "no request completed"),
    ("[1]", "a result must be a JSON object"),
    ('{"completed": 1, "output_throughput": 5, "total_input_tokens": "x", '
     '"total_output_tokens": 1}', "'total_input_tokens' must be a number >= 0 (got 'x')"),
    ("", "holds no results"),
    ('{"completed": 1, "output_throughput": 5, "total_input_tokens": 1, '
     '"total_output_tokens": 1, "mean_ttft_ms": -3}', "'mean_ttft_ms' must be a number"),
])
def test_bad_bench_files_are_one_line(tmp_path, text, reason):
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    with pytest.raises(BenchFileError) as e:
        read_bench([bad])
    assert reason in e.value.reason and str(bad) in e.value.reason
    data = scenario({"model": "llama-3.3-70b", "gpu": "h100", "precision": "fp8",
                     "bench": str(bad)})
    msg = error_of(data)
    assert "clusters.c.serving.bench: " in msg and reason in msg and "\n" not in msg


def test_missing_or_odd_bench_files(tmp_path):
    for name, reason in ((tmp_path / "none.json", "no such file"),
                         (tmp_path, "is a folder")):
        with pytest.raises(BenchFileError, match=reason):
            read_bench([name])
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe")
    with pytest.raises(BenchFileError, match="not UTF-8"):
        read_bench([tmp_path / "bin.json"])


# -- bundled scenario, report --------------------------------------------------------
def test_bundled_scenario_runs_and_reports_estimates():
    sc = breakeven.load(ROOT / "scenarios" / "self-host-serving-catalog.yaml")
    clusters = sc.resolved()["clusters"]
    bases = {name: c["serving"]["basis"] for name, c in clusters.items()}
    assert set(bases.values()) == {"measured", "estimate"}
    document = sc.run(paths=20).document()
    # The terminal's summary has the Serving section; the report's assumptions
    # mark the estimated rates too.
    assert "\nServing\n" in str(document) and "ESTIMATE (roofline)" in str(document)
    assert "(estimate)" in document.terminal(full=True)


def test_validate_names_the_memory_in_one_line(tmp_path, capsys):
    # DeepSeek-V3's MLA cache: 61 layers x 576 x 1 byte x 64 x 5,500 = 12.4 GB.
    from breakeven.cli import main

    path = tmp_path / "big.yaml"
    path.write_text(json.dumps(scenario("deepseek-v3/h100/fp8", gpus=8), indent=1))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {path}:") and "\n" not in err
    assert ("clusters.c.serving: deepseek-v3 at fp8 needs 683.4 GB per replica (weights "
            "671 GB + KV cache 12.4 GB for 64 requests of 5500 tokens); 8 x h100 hold "
            "576 GB") in err


def test_report_json_carries_the_basis(tmp_path):
    sc = breakeven.load(ROOT / "scenarios" / "self-host-serving-catalog.yaml")
    out = tmp_path / "r.json"
    sc.run(paths=20).report(out)
    clusters = json.loads(out.read_text())["assumptions"]["clusters"]
    assert clusters["qwen32-l40s"]["serving"]["basis"] == "estimate"
    assert clusters["llama70-h100"]["serving"]["basis"] == "measured"


def test_result_json_carries_the_basis():
    # The result JSON (run --json, Result.to_json) says where each cluster's rates
    # came from, as resolved() does; a scenario without `serving:` has no key.
    sc = breakeven.load(ROOT / "scenarios" / "self-host-serving-catalog.yaml")
    doc = sc.run(paths=20).as_dict()
    assert list(jsonschema.Draft7Validator(schemas.schema("result")).iter_errors(doc)) == []
    clusters = sc.resolved()["clusters"]
    assert doc["serving"] == {name: c["serving"] for name, c in clusters.items()}
    assert doc["serving"]["qwen32-l40s"]["basis"] == "estimate"
    plain = breakeven.load(ROOT / "scenarios" / "self-host-low-spend.yaml")
    assert "serving" not in plain.run(paths=20).as_dict()
