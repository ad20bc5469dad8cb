"""Sweeps: grid and Latin-hypercube points, identical numbers on local processes
and on a Dask LocalCluster of 2 worker processes, CSV and Parquet tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from breakeven import load
from dask import distributed
from breakeven.decisions import load_sweep, sweep
from breakeven.decisions.sweep import latin_hypercube
from conftest import REPO

SWEEP = {
    "base": str(REPO / "scenarios" / "self-host-high-spend.yaml"),
    "paths": 40,
    "seed": 3,
    "parameters": {
        "workloads.extraction.requests.per_day": {"values": [50000, 143000]},
        "clusters.llama4-scout.gpu_price_per_hour": {"min": 2.0, "max": 4.0, "steps": 3},
    },
}


@pytest.fixture
def sweep_file(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(SWEEP))
    return path


def test_grid_points_and_the_numbers_of_one_point(sweep_file):
    spec = load_sweep(sweep_file)
    assert len(spec.points) == 6
    assert spec.points[0] == {
        "workloads.extraction.requests.per_day": 50000,
        "clusters.llama4-scout.gpu_price_per_hour": 2.0,
    }
    table = sweep(spec, workers=2, progress=False).table()
    # The point at the base's own values is the base scenario's run.
    row = table[(table["workloads.extraction.requests.per_day"] == 143000)
                & np.isclose(table["clusters.llama4-scout.gpu_price_per_hour"], 3.0)]
    base = load(SWEEP["base"])
    data = base.data
    data["clusters"]["llama4-scout"]["gpu_price_per_hour"] = 3.0
    direct = load(data).run(paths=40, seed=3, progress=False).as_dict()["strategies"][1]
    assert row["self-host.total_cost"].item() == direct["total_cost"]["mean"]
    assert row["self-host.savings"].item() == direct["savings_vs_baseline"]["mean"]
    # More traffic saves more; a dearer GPU saves less.
    pivot = table.pivot_table(index="clusters.llama4-scout.gpu_price_per_hour",
                              columns="workloads.extraction.requests.per_day",
                              values="self-host.savings")
    assert (np.diff(pivot.to_numpy(), axis=1) > 0).all()
    assert (np.diff(pivot.to_numpy(), axis=0) < 0).all()


def test_latin_hypercube_puts_one_point_in_each_stratum():
    points = latin_hypercube({"a": (0.0, 1.0), "b": (10.0, 20.0)}, 50, seed=4)
    for name, lo, hi in (("a", 0.0, 1.0), ("b", 10.0, 20.0)):
        strata = sorted(int((p[name] - lo) / (hi - lo) * 50) for p in points)
        assert strata == list(range(50))
    assert points == latin_hypercube({"a": (0.0, 1.0), "b": (10.0, 20.0)}, 50, seed=4)


def test_dask_local_cluster_gives_the_same_table(sweep_file, tmp_path):
    spec = load_sweep(sweep_file)
    local = sweep(spec, workers=2, progress=False).table()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            remote = sweep(spec, client=client, progress=False).table()
    pd.testing.assert_frame_equal(local, remote)
    result = sweep(spec, workers=1, progress=False)
    doc = json.loads(json.dumps(result.to_dict()))  # plain JSON, the table's columns
    assert [list(row) for row in doc["rows"]] == [list(local.columns)] * len(local)
    result.to_csv(tmp_path / "t.csv")
    result.to_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), result.table())
    assert list(pd.read_csv(tmp_path / "t.csv").columns) == list(result.table().columns)


def test_an_invalid_point_is_an_error_before_any_run(tmp_path):
    bad = dict(SWEEP, parameters={"clusters.llama4-scout.utilization": {"values": [0.5, 1.5]}})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    from breakeven import ScenarioError

    with pytest.raises(ScenarioError, match=r"is not a valid scenario: clusters.llama4-scout.utilization"):
        load_sweep(path)
