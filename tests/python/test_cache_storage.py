"""An explicit cache's storage through a whole month (the engine's month sums):
a 5,000-token prefix kept warm every hour (h = 1 at 600 requests an hour) costs
5,000 tokens x 730 hours x $4.50 per 1M token-hours a month, on top of the same
reads and writes as a tier without storage."""

import breakeven
import pytest


def test_storage_is_billed_on_the_hours_the_prefix_is_kept():
    r = breakeven.load({
        "name": "storage", "horizon_months": 1, "simulation": {"mode": "expected"},
        "models": {"m": {"input": 1.0, "output": 1.0, "cached_input": 0.1,
                         "cache_ttl_minutes": 5,
                         "cache_ttl_tiers": [{"ttl_minutes": 60,
                                              "storage_per_mtok_hour": 4.5}]}},
        "workloads": [{"name": "w", "requests": {"per_hour": 600}, "input_tokens": 6000,
                       "prefix_tokens": 5000, "output_tokens": 10}],
        "strategies": [{"name": "implicit", "route": {"default": "m"}, "caching": True},
                       {"name": "explicit", "route": {"default": "m"},
                        "caching": {"ttl_minutes": 60}}]}).run(progress=False)
    api_input = breakeven.PART_NAMES.index("api_input")
    implicit, explicit = r.parts[0, 0, 0, api_input], r.parts[1, 0, 0, api_input]
    assert explicit - implicit == pytest.approx(5000 * 730 * 4.5e-6, rel=1e-12)
