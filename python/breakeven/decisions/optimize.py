"""The best plan under quality and risk limits: per-workload routes (an API model or
a cluster), cluster sizes, the caching and batch flags and, with caching, each
workload's cache TTL tier, minimizing the mean, p95 or CVaR95 of the total cost
over the horizon (docs/decisions.md "Optimizer").

Every evaluation is an engine run on common random numbers: candidates are
strategies of one scenario, evaluated together in one call (up to the engine's
limit of strategies per scenario), so they differ only by their plan.

The search uses the structure of the problem:

1. API routes are separable: what a workload costs on an API model does not depend
   on the other workloads. One run with one "everything on model m" strategy per
   model and flag setting gives every workload's cost on every model on every path;
   With caching on, each TTL tier of a model is a probe of its own, so a
   workload's options are (model, TTL) pairs. The best API-only plan per flag
   setting then comes from those arrays alone
   (exhaustively when small, else by coordinate descent for p95 and CVaR, whose
   sums do not separate).
2. Clusters couple the workloads they serve (capacity, backlog, fixed costs), so
   they are searched greedily from the API plan: each round evaluates, in one run,
   every move of one workload onto a cluster at each size, every resize of a cluster
   in use and every move back to the API, and keeps the best feasible improvement.

Where it can miss the optimum: a cluster that pays only when two or more workloads
move onto it together (no single move improves), and API rate limits shared by
workloads (they break separability; the final evaluation is exact, the ranking
of API routes is not).
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field

import numpy as np

from ..constants import (
    DEFAULT_MAX_UNSERVED,
    LIMITS,
    NOT_SERVED,
    SERVED_NAMES,
    checked_max_unserved,
)
from ..edits import REMOVE
from ..errors import OptionError
from ..schemas import schema_id

OBJECTIVES = ("mean", "p95", "cvar95")
EXHAUSTIVE_LIMIT = 20_000  # API-only plans scored exhaustively up to this many
SIZES = (1, 2, 4, 8, 16, 32)  # fixed GPU counts tried per cluster (up to its max)


@dataclass(frozen=True)
class Plan:
    route: tuple[tuple[str, str], ...]  # (workload, target); a cluster target may be "c@N"
    caching: bool
    batch_api: bool
    # (workload, TTL minutes) where a workload asks a tier other than its model's
    # default; only with caching
    ttl: tuple[tuple[str, float], ...] = ()

    def routes(self) -> dict[str, str]:
        return dict(self.route)

    def with_route(self, workload: str, target: str) -> Plan:
        return Plan(tuple((w, target if w == workload else t) for w, t in self.route),
                    self.caching, self.batch_api, self.ttl)

    def caching_field(self):
        """The strategy's caching: a flag, or the TTL per workload."""
        if self.caching and self.ttl:
            return {"by_workload": {w: _number(t) for w, t in self.ttl}}
        return self.caching

    def caching_label(self) -> str:
        if not self.caching:
            return "off"
        return "on" + "".join(f"; {w}: {_number(t)} min" for w, t in self.ttl)

    def strategy(self, name: str) -> dict:
        return {"name": name, "route": self.routes(), "caching": self.caching_field(),
                "batch_api": self.batch_api}


def _number(x: float):
    return int(x) if float(x).is_integer() else x


@dataclass
class Evaluation:
    plan: Plan
    mean: float  # total cost over the horizon
    p95: float
    cvar95: float
    unserved_share: float
    p95_monthly: float  # p95 over paths of the mean monthly cost

    def objective(self, name: str) -> float:
        return getattr(self, name)


@dataclass
class Optimum:
    """What :func:`optimize` returns."""

    scenario: str
    objective: str
    budget: float | None
    max_unserved: float
    paths: int
    seed: int
    best: Evaluation
    baseline: Evaluation
    savings: dict  # mean, p5, p95 of (baseline - best) total over the horizon, and share
    evaluated: list[Evaluation] = field(default_factory=list)
    clusters: dict = field(default_factory=dict)  # variant -> (cluster, gpus)
    runs: int = 0

    def pareto(self) -> list[Evaluation]:
        """Feasible plans not beaten on both mean and p95 total cost."""
        pts = sorted(self.evaluated, key=lambda e: (e.mean, e.p95))
        front, best_p95 = [], float("inf")
        for e in pts:
            if e.p95 < best_p95:
                front.append(e)
                best_p95 = e.p95
        return front

    def yaml(self) -> str:
        """The best plan as YAML to paste into the scenario."""
        import yaml

        plan = self.best.plan
        route = {}
        used = {}
        for w, t in plan.route:
            base, gpus = self.clusters.get(t, (t, None))
            route[w] = base
            if gpus is not None:
                used[base] = gpus
        counts: dict[str, int] = {}
        for t in route.values():
            counts[t] = counts.get(t, 0) + 1
        default = max(counts, key=counts.get)
        r = {"default": default, **{w: t for w, t in route.items() if t != default}}
        text = yaml.safe_dump({"strategies": [{"name": "optimized", "route": r,
                                               "caching": plan.caching_field(),
                                               "batch_api": plan.batch_api}]},
                              sort_keys=False, default_flow_style=None, width=100)
        for c, gpus in used.items():
            text += f"# and in clusters.{c}: gpus: {gpus}\n"
        return text

    def to_dict(self) -> dict:
        def ev(e: Evaluation) -> dict:
            return {"route": e.plan.routes(), "caching": e.plan.caching,
                    "cache_ttl_minutes": {w: t for w, t in e.plan.ttl},
                    "batch_api": e.plan.batch_api, "mean": e.mean, "p95": e.p95,
                    "cvar95": e.cvar95, "unserved_share": e.unserved_share,
                    "p95_monthly": e.p95_monthly}

        return {"schema": schema_id("optimize"), "scenario": self.scenario,
                "objective": self.objective,
                "budget": self.budget, "max_unserved": self.max_unserved,
                "paths": self.paths, "seed": self.seed, "runs": self.runs,
                "best": ev(self.best), "baseline": ev(self.baseline),
                "savings": self.savings, "yaml": self.yaml(),
                "cluster_sizes": {k: {"cluster": c, "gpus": g}
                                  for k, (c, g) in self.clusters.items()},
                "pareto": [ev(e) for e in self.pareto()]}

    def plot(self):
        from ..plots import plot_pareto

        return plot_pareto(self)

    def document(self):
        """The best plan and what it saves, as a document."""
        from ..formatting import counted, money
        from ..presentation import Document, Section

        b, s = self.best, self.savings
        text = (f"The best plan by {self.objective} total cost over the horizon, among "
                f"{counted(len(self.evaluated), 'feasible plan')} "
                f"({counted(self.paths, 'path')}, seed {self.seed}, "
                f"{counted(self.runs, 'engine run')}): mean {money(b.mean)}, p95 "
                f"{money(b.p95)}, CVaR95 {money(b.cvar95)}; {b.unserved_share:.2%} of "
                f"requests unserved (at most {self.max_unserved:.2%} allowed)"
                + (f", p95 monthly cost within {money(self.budget)}" if self.budget else "")
                + f". It saves {money(s['mean'])} ({s['share']:.1%}) against "
                f"{self.scenario}'s baseline, p5-p95 {money(s['p5'])} to {money(s['p95'])}.")
        front = self.pareto()
        rows = [[", ".join(f"{w}: {t}" for w, t in e.plan.route),
                 e.plan.caching_label(), "on" if e.plan.batch_api else "off",
                 money(e.mean), money(e.p95), f"{e.unserved_share:.2%}"] for e in front]
        return Document(f"Best plan: {self.scenario}", [
            Section("Best plan", text, code=self.yaml(), summary=True),
            Section("Pareto front", f"{counted(len(front), 'plan')} not beaten on both mean "
                    "and p95 total cost.", (["routes", "caching", "batch API", "mean", "p95",
                                     "unserved"], rows), figure=self.plot, summary=True)])


class _Evaluator:
    """Runs candidate plans through the engine, many per run, on one seed."""

    def __init__(self, scenario, paths: int, seed: int, threads: int | None):
        written = scenario.data
        self.resolved = scenario.resolved()
        self.paths, self.seed, self.threads = paths, seed, threads
        self.variants: dict[str, tuple[str, object]] = {}
        for c, spec in written.get("clusters", {}).items():
            self.variants[c] = (c, None)
            g = spec.get("gpus")
            top = g.get("max", 1) if isinstance(g, dict) else int(g or 1)
            if "commitment" in spec or "spot" in spec:
                continue  # their GPU counts are a contract: keep the cluster as written
            replica = self.resolved["clusters"][c]["replica_gpus"]  # whole replicas
            for n in SIZES:
                if n <= max(2 * top, 8) and n != g and n % replica == 0:
                    self.variants[f"{c}@{n}"] = (c, n)
        clusters = {}
        for v, (c, n) in self.variants.items():
            spec = copy.deepcopy(written["clusters"][c])
            if n is not None:
                spec["gpus"] = n
            clusters[v] = spec
        # The optimizer enforces quality itself, and a plan has no expectations.
        edits: dict[str, object] = {f"workloads.{w['name']}.min_quality": REMOVE
                                    for w in self.resolved["workloads"]}
        edits["expect"] = REMOVE
        if clusters:
            edits["clusters"] = clusters
        self.base = scenario.with_values(edits)
        self.runs = 0
        self.cache: dict[Plan, Evaluation] = {}
        self.limit = LIMITS["max_strategies"]

    def run(self, strategies: list[dict]):
        """One engine run of these strategies; arrays per strategy."""
        result = self.base.with_values({"strategies": strategies, "baseline": REMOVE}).run(
            paths=self.paths, seed=self.seed, threads=self.threads, progress=False)
        self.runs += 1
        cost = result.cost.sum(axis=2)  # (strategy, path)
        requests = result.requests.sum(axis=2)  # (strategy, path, kind)
        per_workload = result.workload_cost.sum(axis=2)  # (strategy, path, workload)
        return cost, requests, per_workload

    def evaluate(self, plans: list[Plan]) -> list[Evaluation]:
        todo = [p for p in dict.fromkeys(plans) if p not in self.cache]
        for start in range(0, len(todo), self.limit):
            chunk = todo[start:start + self.limit]
            cost, requests, _ = self.run([p.strategy(f"c{i}") for i, p in enumerate(chunk)])
            for i, p in enumerate(chunk):
                self.cache[p] = _evaluation(p, cost[i], requests[i],
                                            self.resolved["horizon_months"])
        return [self.cache[p] for p in plans]


def _evaluation(plan: Plan, totals: np.ndarray, requests: np.ndarray,
                months: int) -> Evaluation:
    p95 = float(np.quantile(totals, 0.95))
    tail = np.sort(totals)[int(np.floor(0.95 * len(totals))):]
    lost = requests[:, [SERVED_NAMES.index(k) for k in NOT_SERVED]].sum()
    share = float(lost / max(requests.sum(), 1e-300))
    return Evaluation(plan, float(totals.mean()), p95, float(tail.mean()), share,
                      float(np.quantile(totals / months, 0.95)))


def objective_of(totals: np.ndarray, objective: str) -> float:
    if objective == "mean":
        return float(totals.mean())
    if objective == "p95":
        return float(np.quantile(totals, 0.95))
    tail = np.sort(totals)[int(np.floor(0.95 * len(totals))):]
    return float(tail.mean())


def allowed_targets(scenario) -> dict[str, list[str]]:
    """Each workload's candidate targets: the models and clusters the scenario's
    strategies use or its quality table scores, filtered by min_quality."""
    r = scenario.resolved()
    used = {t for s in r["strategies"] for t in s["route"].values()}
    used |= set(r.get("quality", {}))
    used |= set(r.get("clusters", {}))
    out = {}
    for w in r["workloads"]:
        allowed = []
        for t in sorted(used):
            if w["min_quality"] is None:
                allowed.append(t)
            else:
                score = r.get("quality", {}).get(t, {}).get(w["name"])
                if score is not None and score >= w["min_quality"]:
                    allowed.append(t)
        if not allowed:
            raise OptionError("quality", f"workload {w['name']!r} has no model or cluster "
                              f"scoring >= its min_quality {w['min_quality']}")
        out[w["name"]] = allowed
    return out


def _flag_settings(r: dict) -> list[tuple[bool, bool]]:
    any_batch = any(w["latency"] == "batch" for w in r["workloads"])
    any_cache = any(w["prefix_tokens"] > 0 or w["conversation"] for w in r["workloads"])
    return [(c, b) for c in ((False, True) if any_cache else (False,))
            for b in ((False, True) if any_batch else (False,))]


def optimize(scenario, objective: str = "mean", budget: float | None = None,
             max_unserved: float = DEFAULT_MAX_UNSERVED, paths: int | None = None,
             seed: int | None = None, threads: int | None = None) -> Optimum:
    """Search routes, cluster sizes and flags for the plan minimizing `objective`."""
    if objective not in OBJECTIVES:
        raise OptionError("objective", f"must be one of {', '.join(OBJECTIVES)} "
                          f"(got {objective!r})")
    checked_max_unserved(max_unserved)
    if budget is not None and not budget > 0:
        raise OptionError("budget", f"must be > 0 (got {budget})")
    r = scenario.resolved()
    paths = paths or min(r["simulation"]["paths"], 500)
    seed = r["simulation"]["seed"] if seed is None else seed
    ev = _Evaluator(scenario, paths, seed, threads)
    targets = allowed_targets(scenario)
    workloads = [w["name"] for w in r["workloads"]]
    clusters = set(r.get("clusters", {}))

    def feasible(e: Evaluation) -> bool:
        return e.unserved_share <= max_unserved and (budget is None
                                                     or e.p95_monthly <= budget)

    # 1. API routes from per-workload costs, one run for all models and flags.
    models = sorted({t for ts in targets.values() for t in ts if t not in clusters})
    flags = _flag_settings(r)
    starts: list[Plan] = []
    if models:
        # (model, TTL) per flag setting: every tier with caching on, None (the
        # default) without.
        def tiers(m: str, c: bool) -> list[float | None]:
            extra = r["models"][m]["cache_ttl_tiers"] if c else []
            return [None] + [t["ttl_minutes"] for t in extra]

        probes = [(m, t, c, b) for c, b in flags for m in models for t in tiers(m, c)]
        per_workload = []
        for start in range(0, len(probes), ev.limit):
            chunk = probes[start:start + ev.limit]
            _, _, pw = ev.run([{"name": f"p{i}", "route": {"default": m},
                                "caching": {"ttl_minutes": t} if t else c, "batch_api": b}
                               for i, (m, t, c, b) in enumerate(chunk)])
            per_workload.append(pw)
        cost = np.concatenate(per_workload)  # (probe, path, workload)
        index = {p: i for i, p in enumerate(probes)}
        for c, b in flags:
            options = [[(m, t) for m in targets[w] if m in models for t in tiers(m, c)]
                       for w in workloads]
            if any(not o for o in options):
                continue  # a workload only a cluster may serve: start from it below
            table = [np.stack([cost[index[(m, t, c, b)], :, j] for m, t in o], axis=0)
                     for j, o in enumerate(options)]  # per workload: (option, path)
            choice = _best_api_routes(table, objective)
            picked = [options[j][k] for j, k in enumerate(choice)]
            starts.append(Plan(tuple((w, m) for w, (m, _) in zip(workloads, picked)), c, b,
                               tuple((w, t) for w, (_, t) in zip(workloads, picked) if t)))
    if not starts:  # some workload has no API route: put it on its first cluster
        for c, b in flags:
            starts.append(Plan(tuple((w, targets[w][0]) for w in workloads), c, b))

    # 2. Clusters, greedily from each flag setting's API plan.
    for plan in starts:
        current = ev.evaluate([plan])[0]
        while True:
            moves = _moves(current.plan, targets, ev.variants, clusters, starts)
            if not moves:
                break
            scored = ev.evaluate(moves)
            better = [e for e in scored if feasible(e) and e.objective(objective)
                      < current.objective(objective) - 1e-9 * abs(current.objective(objective))]
            if not feasible(current):
                better = [e for e in scored if feasible(e)] or better
            if not better:
                break
            current = min(better, key=lambda e: e.objective(objective))
    candidates = [e for e in ev.cache.values() if feasible(e)]
    if not candidates:
        raise OptionError("max_unserved" if budget is None else "budget",
                          "no plan searched meets the limits (unserved share "
                          f"<= {max_unserved}" + (f", p95 monthly cost <= {budget}" if budget
                                                  else "") + ")")
    best = min(candidates, key=lambda e: (e.objective(objective), e.mean))

    # The baseline on the same paths, for savings.
    base_strategy = next(s for s in r["strategies"] if s["name"] == r["baseline"])
    base_ttl = base_strategy["cache_ttl_minutes"]
    base_plan = Plan(tuple((w, base_strategy["route"][w]) for w in workloads),
                     base_strategy["caching"], base_strategy["batch_api"],
                     tuple((w, base_ttl[w]) for w in workloads if base_ttl[w]))
    cost, requests, _ = ev.run([base_plan.strategy("baseline"), best.plan.strategy("best")])
    baseline = _evaluation(base_plan, cost[0], requests[0], r["horizon_months"])
    saved = cost[0] - cost[1]
    savings = {"mean": float(saved.mean()), "p5": float(np.quantile(saved, 0.05)),
               "p95": float(np.quantile(saved, 0.95)),
               "share": float(saved.mean() / cost[0].mean()) if cost[0].mean() else 0.0}
    return Optimum(r["name"], objective, budget, max_unserved, paths, seed, best, baseline,
                   savings, sorted(candidates, key=lambda e: e.mean),
                   {k: v for k, v in ev.variants.items() if v[1] is not None}, ev.runs)


def _best_api_routes(table: list[np.ndarray], objective: str) -> list[int]:
    """Per workload the index of its API option minimizing the objective of the
    summed totals: separable for the mean; exhaustive or coordinate descent else."""
    mean_best = [int(np.argmin(t.mean(axis=1))) for t in table]
    if objective == "mean":
        return mean_best
    sizes = [len(t) for t in table]
    if np.prod(sizes, dtype=float) <= EXHAUSTIVE_LIMIT:
        best, best_value = mean_best, None
        for combo in itertools.product(*[range(s) for s in sizes]):
            total = sum(t[k] for t, k in zip(table, combo))
            v = objective_of(total, objective)
            if best_value is None or v < best_value:
                best, best_value = list(combo), v
        return best
    choice = list(mean_best)
    total = sum(t[k] for t, k in zip(table, choice))
    improved = True
    while improved:
        improved = False
        for j, t in enumerate(table):
            rest = total - t[choice[j]]
            values = [objective_of(rest + t[k], objective) for k in range(len(t))]
            k = int(np.argmin(values))
            if values[k] < objective_of(total, objective) - 1e-12 and k != choice[j]:
                choice[j], total, improved = k, rest + t[k], True
    return choice


def _moves(plan: Plan, targets, variants, clusters, starts) -> list[Plan]:
    """Every plan one step from `plan`: a workload onto a cluster (at any size, with
    the cluster's other workloads), a cluster in use resized, a workload back to the
    API route it had in the starting plan."""
    route = plan.routes()
    in_use = {variants[t][0]: t for t in route.values() if t in variants}
    api_start = next((s.routes() for s in starts if (s.caching, s.batch_api, s.ttl)
                      == (plan.caching, plan.batch_api, plan.ttl)), {})
    out = []
    for w, t in route.items():
        for v, (c, _) in variants.items():
            if c not in targets[w] or v == t:
                continue
            moved = plan.with_route(w, v)
            if c in in_use and in_use[c] != v:  # one size per cluster in a plan
                for w2, t2 in route.items():
                    if t2 == in_use[c]:
                        moved = moved.with_route(w2, v)
            out.append(moved)
        if t in variants and api_start.get(w) and api_start[w] not in variants:
            out.append(plan.with_route(w, api_start[w]))
    return list(dict.fromkeys(out))
