"""Antithetic variates (simulation: {antithetic: true}, --antithetic): the same
distribution as independent paths, standard errors from pair means, and a real
variance reduction where the cost is close to linear in the shocks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REPO

import breakeven as be
from breakeven import _core
from breakeven.cli import main

STANDARD = REPO / "tests" / "bench" / "standard.yaml"


@pytest.fixture(scope="module")
def runs():
    s = be.load(STANDARD)
    return s, s.run(paths=1000, progress=False), s.run(paths=1000, antithetic=True,
                                                       progress=False)


def totals(result):
    return np.asarray(result._core.array("cost")).sum(axis=2)


def test_means_agree_with_independent_paths(runs):
    _, plain, anti = runs
    a, b = plain._core.summary(), anti._core.summary()
    assert b["antithetic"] is True and a["antithetic"] is False
    for x, y in zip(a["strategies"], b["strategies"]):
        gap = abs(x["total_cost"]["mean"] - y["total_cost"]["mean"])
        assert gap < 4 * np.hypot(x["total_cost"]["se"], y["total_cost"]["se"]), x["name"]


def test_standard_error_comes_from_pair_means(runs):
    _, _, anti = runs
    t = totals(anti)[0]
    pairs = 0.5 * (t[0::2] + t[1::2])
    se = pairs.std(ddof=1) / np.sqrt(len(pairs))
    assert anti._core.summary()["strategies"][0]["total_cost"]["se"] == pytest.approx(se)
    # and it is far below what independent paths would give (weekly shocks dominate)
    assert (t.std(ddof=1) / np.sqrt(len(t)) / se) ** 2 > 3


def test_bits_do_not_depend_on_threads():
    s = be.load(STANDARD)
    one = s.run(paths=30, threads=1, antithetic=True, progress=False)
    two = s.run(paths=30, threads=2, antithetic=True, progress=False)
    assert np.array_equal(totals(one), totals(two))


def test_scenario_field_and_cli_flag(tmp_path, capsys):
    text = STANDARD.read_text().replace("simulation: {paths: 10000, seed: 1}",
                                        "simulation: {paths: 40, seed: 1, antithetic: true}")
    path = tmp_path / "anti.yaml"
    path.write_text(text)
    s = be.load(path)
    assert s.resolved()["simulation"]["antithetic"] is True
    assert np.array_equal(totals(s.run(progress=False)),
                          totals(be.load(STANDARD).run(paths=40, antithetic=True,
                                                       progress=False)))
    out = tmp_path / "r.json"
    assert main(["run", str(STANDARD), "--paths", "20", "--antithetic", "--quiet",
                 "--json", str(out)]) == 0
    assert json.loads(out.read_text())["antithetic"] is True
    # sample_traffic gives exactly the run's traffic, pairs included
    demand = np.asarray(s.run(progress=False)._core.array("demand"))
    traffic = _core.sample_traffic(s._core, paths=40, hours=730 * 24, bucket_hours=730)
    assert np.array_equal(traffic["requests"].sum(axis=1), demand)


def test_precision_runs_whole_pairs_and_needs_fewer_paths():
    s = be.load(STANDARD)
    plain = s.run(precision=0.002, progress=False)
    anti = s.run(precision=0.002, antithetic=True, progress=False)
    assert anti.paths % 2 == 0
    assert anti._core.precision_met and plain._core.precision_met
    assert anti.paths < plain.paths


def test_antithetic_must_be_a_boolean():
    with pytest.raises(be.OptionError, match="antithetic"):
        be.load(STANDARD).run(paths=2, antithetic="yes")
