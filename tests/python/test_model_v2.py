"""Model v2 through the Python API: the new fields validate with file, line and
field; offers fill in prices; the summary and reports show what the new parts did,
with the engine's numbers."""

from __future__ import annotations

import breakeven
import numpy as np
import pytest
from breakeven.constants import DETAIL_NAMES
from conftest import BASE_YAML, REPO, line_of


def edited(old: str, new: str) -> str:
    assert old in BASE_YAML, old
    return BASE_YAML.replace(old, new, 1)


CASES = [
    (
        edited("spikiness: {weekly_p95_over_p5: 3, autocorrelation: 0.5}",
               "spikiness: {hourly_sigma: 0.3, hourly_autocorrelation: 1.0}"),
        "hourly_autocorrelation",
        "workloads[0].spikiness.hourly_autocorrelation: must be in [0, 1) (got 1)",
    ),
    (
        edited("batch_discount: 0.5}", "batch_discount: 0.5,\n"
               "              price_changes: [{month: 2, factor: -0.5}]}"),
        "price_changes",
        "models.my-model.price_changes[0].factor: must be > 0 and at most 100 (got -0.5)",
    ),
    (
        edited("batch_discount: 0.5}", "batch_discount: 0.5,\n"
               "              rate_limit: {requests_per_minute: 5, fallback: nope}}"),
        "rate_limit",
        "models.my-model.rate_limit.fallback: unknown API model 'nope'",
    ),
    (
        edited("    gpus: 1\n", "    gpus: 1\n    commitment: {gpus: 2, price_per_hour: 0.3}\n"),
        "commitment",
        "clusters.gpu.commitment.gpus: must be <= the cluster's gpus (got 2 > 1)",
    ),
    (
        edited("    gpu_price_per_hour: 0.5\n", "    offer: h100-nowhere\n"),
        "offer",
        "clusters.gpu.offer: unknown GPU offer 'h100-nowhere' (offers: a100-aws-p4de",
    ),
    (
        edited("    gpus: 1\n", "    gpus: 1\n    spot: {gpus: 2, interruptions_per_month: 1,"
               " outage_hours: 4}\n"),
        "spot",
        "clusters.gpu.spot.price_per_hour: is required",
    ),
]


@pytest.mark.parametrize("text, fragment, message", CASES, ids=[c[1] for c in CASES])
def test_new_fields_validate_with_file_line_and_field(write_scenario, text, fragment, message):
    path = write_scenario(text)
    with pytest.raises(breakeven.ScenarioError) as e:
        breakeven.load(path)
    assert str(e.value).startswith(f"{path}:{line_of(text, fragment)}: {message}")


def test_an_offer_fills_in_the_prices_a_cluster_leaves_out(write_scenario):
    text = edited("    gpu_price_per_hour: 0.5\n", "    offer: h100-hyperstack\n").replace(
        "    gpus: 1\n",
        "    gpus: 2\n    commitment: {gpus: 1}\n"
        "    spot: {gpus: 1, interruptions_per_month: 2, outage_hours: 3}\n",
    )
    gpu = breakeven.load(write_scenario(text)).resolved()["clusters"]["gpu"]
    offer = breakeven.catalog()["gpu_offers"]["h100-hyperstack"]
    assert gpu["gpu_price_per_hour"] == offer["on_demand"] == 3.20
    r = breakeven.load(write_scenario(text)).run(mode="expected")
    d = dict(zip(DETAIL_NAMES, r.details[1].sum(axis=(0, 1))))
    d["on_demand_gpu_cost"] = sum(r.as_dict()["strategies"][1]["details"]["on_demand_gpu_cost"])
    months = r.months
    # 1 committed GPU at 2.72, 1 on demand at 3.20, 1 spot at 2.56, every hour.
    assert d["committed_gpu_cost"] == pytest.approx(2.72 * 730 * months)
    assert d["on_demand_gpu_cost"] == pytest.approx(3.20 * 730 * months)
    assert d["spot_gpu_cost"] == pytest.approx(2.56 * 730 * months)


def test_summary_and_reports_show_what_the_new_parts_did(tmp_path):
    r = breakeven.load(REPO / "scenarios" / "spot.yaml").run(paths=60, seed=3)
    doc = r.as_dict()
    spot = doc["strategies"][r.strategies.index("spot")]
    outage = sum(spot["details"]["spot_outage_hours"])
    np.testing.assert_allclose(
        outage, r.details[2, ..., DETAIL_NAMES.index("spot_outage_hours")].sum(axis=1).mean()
    )
    md = r.report(tmp_path / "r.md").read_text()
    section = md.split("### GPUs by kind", 1)[1]
    row = next(line for line in section.splitlines() if line.startswith("| spot |"))
    assert row.split(" | ")[-1].rstrip(" |") == f"{outage:,.0f}"

    limited = breakeven.load(REPO / "scenarios" / "rate-limit.yaml").run(paths=40, seed=1)
    md = limited.report(tmp_path / "l.md").read_text()
    s = limited.strategies.index("haiku-tier1")
    fallback = limited.details[s, ..., DETAIL_NAMES.index("fallback_requests")].sum(axis=1).mean()
    assert f"| haiku-tier1 | {fallback:,.0f} |" in md

    falling = breakeven.load(REPO / "scenarios" / "falling-api-prices.yaml").run(paths=40)
    band = falling.as_dict()["price_paths"]["claude-haiku-4.5"]
    assert band["p50"][0] == 1.0 and band["p95"][-1] < 1.0
    html = falling.report(tmp_path / "f.html").read_text()
    assert "Prices over the horizon" in html and 'alt="Prices over the horizon"' in html
