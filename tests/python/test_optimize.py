"""breakeven optimize finds the plan a brute-force search over every plan finds,
keeps to min_quality, the unserved cap and the budget, and quality: is validated."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import breakeven as be
import numpy as np
import pytest
from breakeven.cli import main
from breakeven.decisions import optimize
from breakeven.decisions.optimize import (
    SIZES,
    Plan,
    _Evaluator,
    allowed_targets,
    route_field,
)
from breakeven.errors import ScenarioError

SMALL = {
    "name": "small-plan", "horizon_months": 6, "simulation": {"paths": 100, "seed": 3},
    "models": {
        "frontier": {"input": 5.0, "output": 25.0, "cached_input": 0.5, "batch_discount": 0.5},
        "mid": {"input": 1.0, "output": 5.0, "cached_input": 0.1, "batch_discount": 0.5},
        "cheap": {"input": 0.1, "output": 0.4},
    },
    "workloads": [
        {"name": "chat", "requests": {"per_hour": 3000}, "input_tokens": 3000,
         "prefix_tokens": 2000, "output_tokens": 200, "hourly_weights": "consumer",
         "min_quality": 0.8, "spikiness": {"weekly_p95_over_p5": 3}},
        {"name": "tagging", "requests": {"per_hour": 20000}, "input_tokens": 800,
         "output_tokens": 5, "min_quality": 0.5},
        {"name": "digest", "requests": {"per_day": 50000}, "input_tokens": 4000,
         "output_tokens": 300, "latency": {"batch": {"deadline_hours": 24}}},
    ],
    "clusters": {
        "gpu": {"gpu_price_per_hour": 2.5, "gpus": 2, "prefill_tokens_per_s": 20000,
                "decode_tokens_per_s": 3000, "utilization": 0.7, "overflow": "mid",
                "fixed": {"ops_per_month": 2000}},
    },
    "quality": {
        "frontier": {"chat": 0.95, "tagging": 0.95, "digest": 0.95},
        "mid": {"chat": 0.85, "tagging": 0.9, "digest": 0.9},
        "cheap": {"chat": 0.6, "tagging": 0.7, "digest": 0.6},
        "gpu": {"chat": 0.7, "tagging": 0.8, "digest": 0.8},
    },
    "strategies": [{"name": "all-frontier", "route": {"default": "frontier"}}],
}


def brute_force(scenario, objective: str, paths: int, seed: int):
    """Every plan: each workload on each allowed target, each cluster size, each
    flag setting; all evaluated on the same paths."""
    ev = _Evaluator(scenario, paths, seed, None)
    targets = allowed_targets(scenario)
    names = [w["name"] for w in scenario.resolved()["workloads"]]
    plans = set()
    for size in [v for v in ev.variants]:
        options = [[size if t == "gpu" else t for t in targets[w]] for w in names]
        for combo in itertools.product(*options):
            for caching, batch in itertools.product((False, True), repeat=2):
                plans.add(Plan(tuple(zip(names, combo)), caching, batch))
    scored = ev.evaluate(sorted(plans, key=repr))
    return min(scored, key=lambda e: (e.objective(objective), e.mean)), len(plans)


@pytest.mark.parametrize("objective", ["mean", "cvar95"])
def test_optimizer_finds_the_brute_force_optimum(objective):
    scenario = be.load(SMALL)
    truth, n = brute_force(scenario, objective, paths=100, seed=3)
    assert n > 200  # the brute force needs more than one engine run
    best = optimize(scenario, objective=objective, max_unserved=1.0, mixed_routes=False)
    assert best.best.plan == truth.plan
    assert best.best.objective(objective) == truth.objective(objective)
    # and it did not get there by evaluating everything
    assert len(best.evaluated) < n / 2
    # splits, and cascades asked for, only add options: never worse than the best
    # single routes
    mixed = optimize(scenario, objective=objective, max_unserved=1.0)
    assert mixed.best.objective(objective) <= truth.objective(objective)
    cascaded = optimize(scenario, objective=objective, max_unserved=1.0, cascades=True)
    assert cascaded.best.objective(objective) <= mixed.best.objective(objective)


def test_cascades_are_searched_only_when_asked():
    # quality-routing: with --cascades, fact-checking and reasoning cascade from
    # gpt-5-mini to gpt-5.5 on a perfect verifier's quality; without, no plan the
    # optimizer proposes rests on that bound.
    scenario = be.load(Path(__file__).resolve().parents[2] / "scenarios/quality-routing.yaml")
    plain = optimize(scenario, paths=40)
    assert not any(" -> " in label for label in plain.labels[plain.best.plan].values())
    cascaded = optimize(scenario, paths=40, cascades=True)
    assert any(" -> " in label for label in cascaded.labels[cascaded.best.plan].values())
    assert cascaded.best.mean < plain.best.mean
    with pytest.raises(be.OptionError, match="cascades"):
        optimize(scenario, paths=40, cascades=True, mixed_routes=False)


def test_no_route_below_min_quality():
    scenario = be.load(SMALL)
    best = optimize(scenario, max_unserved=1.0, mixed_routes=False)
    quality = SMALL["quality"]
    for w, t in best.best.plan.route:
        base = t.split("@")[0]
        need = next(x.get("min_quality") for x in SMALL["workloads"] if x["name"] == w)
        assert need is None or quality[base][w] >= need
    # the cheap model never serves chat (0.6 < 0.8) even though it is cheapest
    assert dict(best.best.plan.route)["chat"] != "cheap"


def test_unserved_cap_and_budget_are_kept():
    data = copy.deepcopy(SMALL)
    del data["clusters"]["gpu"]["overflow"]  # a full cluster now leaves work unserved
    scenario = be.load(data)
    strict = optimize(scenario, max_unserved=0.0)
    assert strict.best.unserved_share == 0.0
    assert all(e.unserved_share == 0.0 for e in strict.evaluated)
    budget = strict.best.p95_monthly * 1.5
    capped = optimize(scenario, budget=budget)
    assert all(e.p95_monthly <= budget for e in capped.evaluated)
    with pytest.raises(be.OptionError, match="budget"):
        optimize(scenario, budget=1.0)


def test_savings_are_against_the_baseline_on_the_same_paths():
    best = optimize(be.load(SMALL), max_unserved=1.0)
    assert best.savings["mean"] == pytest.approx(best.baseline.mean - best.best.mean)
    assert best.savings["p5"] <= best.savings["mean"] <= best.savings["p95"]
    front = best.pareto()
    assert front[0].mean == min(e.mean for e in best.evaluated)
    assert all(a.p95 > b.p95 for a, b in zip(front, front[1:]))


def test_yaml_pastes_into_the_scenario_and_runs():
    import yaml

    best = optimize(be.load(SMALL), max_unserved=1.0)
    data = copy.deepcopy(SMALL)
    data["strategies"] += yaml.safe_load(best.yaml())["strategies"]
    for line in best.yaml().splitlines():
        if line.startswith("# and in clusters."):
            cluster, gpus = line.removeprefix("# and in clusters.").split(": gpus: ")
            data["clusters"][cluster]["gpus"] = int(gpus)
    result = be.load(data).run(paths=100, seed=3, progress=False)
    totals = np.asarray(result._core.array("cost")).sum(axis=2)
    assert totals[1].mean() == pytest.approx(best.best.mean)


def test_cli_optimize(tmp_path, capsys):
    import json

    path = tmp_path / "small.yaml"
    import yaml

    path.write_text(yaml.safe_dump(SMALL))
    out = tmp_path / "opt.json"
    assert main(["optimize", str(path), "--max-unserved", "1", "--json", str(out),
                 "--plot", str(tmp_path / "pareto.png")]) == 0
    text = capsys.readouterr().out
    assert "name: optimized" in text and "Pareto" in text
    doc = json.loads(out.read_text())
    assert doc["objective"] == "mean" and doc["pareto"]
    assert (tmp_path / "pareto.png").stat().st_size > 0
    with pytest.raises(SystemExit) as exit_:
        main(["optimize", str(path), "--objective", "median"])
    assert exit_.value.code == 2


@pytest.mark.parametrize("change, message", [
    (lambda d: d["quality"].update({"nope": {"chat": 1}}), "quality.nope: unknown model or cluster"),
    (lambda d: d["quality"]["mid"].update({"typo": 1}), "quality.mid.typo: unknown workload"),
    (lambda d: d["quality"]["mid"].update({"chat": -1}), "quality.mid.chat: must be between 0"),
    (lambda d: d["workloads"][0].update({"min_quality": "high"}), "workloads[0].min_quality"),
    (lambda d: d["strategies"].append({"name": "bad", "route": {"default": "cheap"}}),
     "strategies[1].route.default: workload 'chat' needs quality >= 0.8 and 'cheap' scores 0.6"),
])
def test_quality_is_validated_with_field_paths(change, message):
    data = copy.deepcopy(SMALL)
    change(data)
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        be.load(data)


def test_sizes_tried_include_the_written_one():
    ev = _Evaluator(be.load(SMALL), 10, 0, None)
    assert set(ev.variants) == {"gpu"} | {f"gpu@{n}" for n in SIZES if n <= 8 and n != 2}


BUNDLED = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_optimize_works_on_every_bundled_scenario_and_its_plan_replays(path):
    """Ten of the sixteen bundled scenarios have one workload; optimize raised an
    IndexError on each (workload_cost had no workload axis). The best plan, run again
    as a strategy of the scenario on the same paths, costs what the optimizer said."""
    scenario = be.load(path)
    best = optimize(scenario, paths=20, seed=11, threads=1)
    targets = allowed_targets(scenario)
    data = scenario.data
    data.pop("expect", None)
    for w in data["workloads"]:
        w.pop("min_quality", None)
    route = {}
    for w, t in best.best.plan.route:
        cluster, gpus = best.clusters.get(t, (t, None))
        if isinstance(cluster, str):  # a split's or a cascade's quality: test_routes.py
            assert cluster in targets[w]
        route[w] = route_field(cluster)
        if gpus is not None:
            data["clusters"][cluster]["gpus"] = gpus
    assert best.best.unserved_share <= best.max_unserved
    data["strategies"] = [{"name": "replay", "route": route,
                           "caching": best.best.plan.caching_field(),
                           "batch_api": best.best.plan.batch_api}]
    data.pop("baseline", None)
    replay = be.load(data).run(paths=20, seed=11, threads=1, progress=False)
    totals = replay["replay"].cost.sum(axis=1)
    assert totals.mean() == pytest.approx(best.best.mean, rel=1e-12)
    for w in replay.workloads:
        assert replay["replay"].workload_cost[w].shape == (replay.paths, scenario.horizon_months)


def test_optimizer_chooses_the_cache_ttl_per_workload():
    """The support chat of caching-ttl-support pays for the 1-hour TTL, the quick
    assistant of caching-ttl-low-traffic does not: in one scenario, the optimizer
    gives each its own tier, and no combination of tiers on the same routes is
    cheaper."""
    import yaml

    chat = be.load(Path(__file__).resolve().parents[2] / "scenarios/caching-ttl-support.yaml")
    quick = be.load(Path(__file__).resolve().parents[2]
                    / "scenarios/caching-ttl-low-traffic.yaml")
    data = chat.data
    data["workloads"] += quick.data["workloads"]
    data["strategies"] = [{"name": "sonnet", "route": {"default": "claude-sonnet-4.5"}}]
    data["baseline"] = "sonnet"
    data.pop("expect")
    data["simulation"] = {"paths": 40, "seed": 5}
    scenario = be.load(data)
    best = optimize(scenario, paths=40, seed=5)
    plan = best.best.plan
    assert plan.caching and dict(plan.ttl) == {"support-chat": 60}
    assert yaml.safe_load(best.yaml())["strategies"][0]["caching"] == {
        "by_workload": {"support-chat": 60}}
    ev = _Evaluator(scenario, 40, 5, None)
    others = [Plan(plan.route, True, plan.batch_api,
                   tuple((w, t) for w, t in zip(("support-chat", "internal-assistant"), ttls)
                         if t))
              for ttls in itertools.product((None, 60.0), repeat=2)]
    scored = ev.evaluate(others)
    assert min(e.mean for e in scored) == pytest.approx(best.best.mean, rel=1e-12)
