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

3. Splits and cascades (docs/model.md "Routes that split and cascade") join a
   workload's API options in step 1: among the SPLIT_MODELS API models with the
   lowest mean cost of all workloads, every pair split on a SPLIT_STEP grid of
   shares (0.1 to 0.9: 9 splits a pair), and, asked for (`cascades`: they score
   as a perfect verifier would, an upper bound), every cascade from a
   cheaper-scoring model to a better-scoring one with its escalated share from the
   quality table. At most 6 x 9 splits and 12 cascades per flag setting, at each model's default
   TTL; a split or cascade is an option where its quality meets min_quality.
   Provisioned deployments are single routes only.

Where it can miss the optimum: a cluster that pays only when two or more workloads
move onto it together (no single move improves), API rate limits shared by
workloads (they break separability; the final evaluation is exact, the ranking
of API routes is not), splits of more than two targets or off the grid, splits
onto clusters, and cascades with a stated escalated share.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field

import numpy as np

from ..constants import (
    DEFAULT_MAX_UNSERVED,
    MIN_SLO_MET,
    LIMITS,
    NOT_SERVED,
    SERVED_NAMES,
    checked_max_unserved,
)
from ..edits import REMOVE
from ..errors import OptionError
from ..routes import route_targets
from ..schemas import schema_id

OBJECTIVES = ("mean", "p95", "cvar95")
EXHAUSTIVE_LIMIT = 20_000  # API-only plans scored exhaustively up to this many
SIZES = (1, 2, 4, 8, 16, 32)  # fixed GPU counts tried per cluster (up to its max)
SPLIT_MODELS = 4  # splits and cascades among this many API models: the cheapest
SPLIT_STEP = 0.1  # a split's shares: 0.1, 0.2, ... 0.9


@dataclass(frozen=True)
class Split:
    """A route sending a share of a workload to each target."""

    legs: tuple[tuple[str, float], ...]

    def field(self) -> dict:
        return {t: s for t, s in self.legs}


@dataclass(frozen=True)
class Cascade:
    """Every request to `cheap`, the share the quality table implies escalated."""

    cheap: str
    strong: str

    def field(self) -> dict:
        return {"cascade": [self.cheap, self.strong], "escalate": "from_quality"}


def route_field(target) -> str | dict:
    """A plan's target as a strategy's route value."""
    return target if isinstance(target, str) else target.field()


def target_of(legs: list[dict]):
    """A resolved route's legs as a plan's target."""
    if len(legs) == 1:
        return legs[0]["target"]
    if legs[1]["escalation"]:
        return Cascade(legs[0]["target"], legs[1]["target"])
    return Split(tuple((leg["target"], leg["share"]) for leg in legs))


@dataclass(frozen=True)
class Plan:
    # (workload, target): a model or cluster name (a cluster may be "c@N"), a Split
    # or a Cascade
    route: tuple[tuple[str, str | Split | Cascade], ...]
    caching: bool
    batch_api: bool
    # (workload, TTL minutes) where a workload asks a tier other than its model's
    # default; only with caching
    ttl: tuple[tuple[str, float], ...] = ()

    def routes(self) -> dict:
        """{workload: target}."""
        return dict(self.route)

    def route_fields(self) -> dict:
        """{workload: route value}, as a strategy writes it."""
        return {w: route_field(t) for w, t in self.route}

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
        return {"name": name, "route": self.route_fields(), "caching": self.caching_field(),
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
    slo_met: float = 1.0  # the least P(SLO met) of its workloads with an slo

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
    # Plan -> {workload: the engine's label of its route}, for best, baseline and
    # the Pareto front
    labels: dict = field(default_factory=dict)
    against: Against | None = None  # what `baseline` is: the scenario's or best-api
    has_slo: bool = False  # some workload states an slo: plans show P(SLO met)

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
        r = {"default": route_field(default),
             **{w: route_field(t) for w, t in route.items() if t != default}}
        text = yaml.safe_dump({"strategies": [{"name": "optimized", "route": r,
                                               "caching": plan.caching_field(),
                                               "batch_api": plan.batch_api}]},
                              sort_keys=False, default_flow_style=None, width=100)
        for c, gpus in used.items():
            text += f"# and in clusters.{c}: gpus: {gpus}\n"
        return text

    def to_dict(self) -> dict:
        def ev(e: Evaluation) -> dict:
            return {"route": self.labels[e.plan], "caching": e.plan.caching,
                    "cache_ttl_minutes": {w: t for w, t in e.plan.ttl},
                    "batch_api": e.plan.batch_api, "mean": e.mean, "p95": e.p95,
                    "cvar95": e.cvar95, "unserved_share": e.unserved_share,
                    "p95_monthly": e.p95_monthly, "slo_met": e.slo_met}

        return {"schema": schema_id("optimize"), "scenario": self.scenario,
                "objective": self.objective,
                "budget": self.budget, "max_unserved": self.max_unserved,
                "paths": self.paths, "seed": self.seed, "runs": self.runs,
                "against": self.against.kind, "against_label": self.against.label,
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
                + (f", every slo met in at least {b.slo_met:.1%} of hours ("
                   f"{MIN_SLO_MET:.0%} required)" if self.has_slo else "")
                + (f", p95 monthly cost within {money(self.budget)}" if self.budget else "")
                + f". It saves {money(s['mean'])} ({s['share']:.1%}) against "
                + (f"{self.scenario}'s baseline" if self.against.kind == "baseline"
                   else self.against.label)
                + f", p5-p95 {money(s['p5'])} to {money(s['p95'])}.")
        front = self.pareto()
        rows = [[", ".join(f"{w}: {t}" for w, t in self.labels[e.plan].items()),
                 e.plan.caching_label(), "on" if e.plan.batch_api else "off",
                 money(e.mean), money(e.p95), f"{e.unserved_share:.2%}"]
                + ([f"{e.slo_met:.1%}"] if self.has_slo else []) for e in front]
        header = ["routes", "caching", "batch API", "mean", "p95", "unserved"] + (
            ["SLO met"] if self.has_slo else [])
        return Document(f"Best plan: {self.scenario}", [
            Section("Best plan", text, code=self.yaml(), summary=True),
            Section("Pareto front", f"{counted(len(front), 'plan')} not beaten on both mean "
                    "and p95 total cost" + (" (SLO met: the least share of hours a workload's "
                                            "slo holds)" if self.has_slo else "") + ".",
                    (header, rows), figure=self.plot, summary=True)])


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

    def resolve(self, strategies: list[dict]) -> list[dict]:
        """These strategies as the engine resolves them (routes, labels, quality)."""
        out = []
        for start in range(0, len(strategies), self.limit):
            chunk = strategies[start:start + self.limit]
            out += self.base.with_values({"strategies": chunk,
                                          "baseline": REMOVE}).resolved()["strategies"]
        return out

    def labels(self, plans: list[Plan]) -> dict[Plan, dict[str, str]]:
        plans = list(dict.fromkeys(plans))
        resolved = self.resolve([p.strategy(f"l{i}") for i, p in enumerate(plans)])
        return {p: s["route"] for p, s in zip(plans, resolved)}

    def run(self, strategies: list[dict]):
        """One engine run of these strategies; arrays per strategy."""
        result = self.base.with_values({"strategies": strategies, "baseline": REMOVE}).run(
            paths=self.paths, seed=self.seed, threads=self.threads, progress=False)
        self.runs += 1
        cost = result.cost.sum(axis=2)  # (strategy, path)
        requests = result.requests.sum(axis=2)  # (strategy, path, kind)
        per_workload = result.workload_cost.sum(axis=2)  # (strategy, path, workload)
        met = result.slo_met()
        slo_met = np.ones(len(strategies)) if met is None else met.min(axis=1)
        return cost, requests, per_workload, slo_met

    def evaluate(self, plans: list[Plan]) -> list[Evaluation]:
        todo = [p for p in dict.fromkeys(plans) if p not in self.cache]
        for start in range(0, len(todo), self.limit):
            chunk = todo[start:start + self.limit]
            cost, requests, _, slo_met = self.run(
                [p.strategy(f"c{i}") for i, p in enumerate(chunk)])
            for i, p in enumerate(chunk):
                self.cache[p] = _evaluation(p, cost[i], requests[i],
                                            self.resolved["horizon_months"], slo_met[i])
        return [self.cache[p] for p in plans]


def _evaluation(plan: Plan, totals: np.ndarray, requests: np.ndarray,
                months: int, slo_met: float = 1.0) -> Evaluation:
    p95 = float(np.quantile(totals, 0.95))
    tail = np.sort(totals)[int(np.floor(0.95 * len(totals))):]
    lost = requests[:, [SERVED_NAMES.index(k) for k in NOT_SERVED]].sum()
    share = float(lost / max(requests.sum(), 1e-300))
    return Evaluation(plan, float(totals.mean()), p95, float(tail.mean()), share,
                      float(np.quantile(totals / months, 0.95)), float(slo_met))


def objective_of(totals: np.ndarray, objective: str) -> float:
    if objective == "mean":
        return float(totals.mean())
    if objective == "p95":
        return float(np.quantile(totals, 0.95))
    tail = np.sort(totals)[int(np.floor(0.95 * len(totals))):]
    return float(tail.mean())


def candidate_targets(r: dict) -> list[str]:
    """The models and clusters a resolved scenario's strategies use or its quality
    table scores, and its clusters."""
    used = {t for s in r["strategies"] for t in route_targets(s)}
    used |= set(r.get("quality", {}))
    used |= set(r.get("clusters", {}))
    return sorted(used)


def allowed_targets(scenario, api_only: bool = False) -> dict[str, list[str]]:
    """Each workload's candidate targets (candidate_targets), API models alone with
    `api_only`, filtered by min_quality."""
    r = scenario.resolved()
    used = candidate_targets(r)
    if api_only:
        used = [t for t in used if t in r["models"]]
    out = {}
    for w in r["workloads"]:
        allowed = [t for t in sorted(used) if scenario.route_allowed(w["name"], t)]
        if not allowed:
            chance = w["min_quality_probability"]
            needs = (f"P(quality >= {w['min_quality']}) >= {chance}" if chance is not None
                     else f"quality >= {w['min_quality']}")
            if api_only:  # asked for by --against best-api
                raise OptionError("against", f"no API-only plan meets quality: workload "
                                  f"{w['name']!r} has no API model with {needs} (its "
                                  "min_quality)")
            raise OptionError("quality", f"workload {w['name']!r} has no model or cluster "
                              f"with {needs} (its min_quality)")
        out[w["name"]] = allowed
    return out


def _flag_settings(r: dict) -> list[tuple[bool, bool]]:
    any_batch = any(w["latency"] == "batch" for w in r["workloads"])
    any_cache = any(w["prefix_tokens"] > 0 or w["conversation"] for w in r["workloads"])
    return [(c, b) for c in ((False, True) if any_cache else (False,))
            for b in ((False, True) if any_batch else (False,))]


def optimize(scenario, objective: str = "mean", budget: float | None = None,
             max_unserved: float = DEFAULT_MAX_UNSERVED, paths: int | None = None,
             seed: int | None = None, threads: int | None = None,
             mixed_routes: bool = True, api_only: bool = False,
             against: str = "baseline", cascades: bool = False) -> Optimum:
    """Search routes, cluster sizes and flags for the plan minimizing `objective`;
    `mixed_routes`: splits too (step 3 above), and with `cascades` cascades
    escalating from_quality (scored as a perfect verifier: an upper bound, so
    asked for by name); `api_only`: one API
    model per workload, no cluster or provisioned deployment (the best API plan,
    compared below); `against`: the savings against the baseline or best-api."""
    if objective not in OBJECTIVES:
        raise OptionError("objective", f"must be one of {', '.join(OBJECTIVES)} "
                          f"(got {objective!r})")
    checked_max_unserved(max_unserved)
    if cascades and not mixed_routes:
        raise OptionError("cascades", "cascades are mixed routes: not with --single-routes "
                          "(mixed_routes=False)")
    if budget is not None and not budget > 0:
        raise OptionError("budget", f"must be > 0 (got {budget})")
    r = scenario.resolved()
    paths = paths or min(r["simulation"]["paths"], 500)
    seed = r["simulation"]["seed"] if seed is None else seed
    scenario, compared_with = compared(scenario, against, paths, seed, threads)
    r = scenario.resolved()
    ev = _Evaluator(scenario, paths, seed, threads)
    targets = allowed_targets(scenario, api_only)
    mixed_routes = mixed_routes and not api_only
    workloads = [w["name"] for w in r["workloads"]]
    clusters = set(r.get("clusters", {}))

    def feasible(e: Evaluation) -> bool:
        return (e.unserved_share <= max_unserved and e.slo_met >= MIN_SLO_MET
                and (budget is None or e.p95_monthly <= budget))

    # 1. API routes from per-workload costs, one run for all models, provisioned
    # deployments and flags (every candidate model: one below a workload's
    # min_quality may still be a leg).
    models = [t for t in candidate_targets(r) if t not in clusters
              and (t in r["models"] or not api_only)]
    flags = _flag_settings(r)
    starts: list[Plan] = []
    if models:
        # (model, TTL) per flag setting: every tier with caching on, None (the
        # default) without.
        def tiers(m: str, c: bool) -> list[float | None]:
            extra = r["models"][m]["cache_ttl_tiers"] if c and m in r["models"] else []
            return [None] + [t["ttl_minutes"] for t in extra]

        probes = [(m, t, c, b) for c, b in flags for m in models for t in tiers(m, c)]
        per_workload = []
        for start in range(0, len(probes), ev.limit):
            chunk = probes[start:start + ev.limit]
            _, _, pw, _ = ev.run([{"name": f"p{i}", "route": {"default": m},
                                "caching": {"ttl_minutes": t} if t else c, "batch_api": b}
                               for i, (m, t, c, b) in enumerate(chunk)])
            per_workload.append(pw)
        cost = np.concatenate(per_workload)  # (probe, path, workload)
        index = {p: i for i, p in enumerate(probes)}
        # 3. Splits and cascades, probed the same way; each with its quality.
        mixed = []  # (target, caching, batch_api, strategy)
        for c, b in flags if mixed_routes else ():
            ranked = sorted((m for m in models if m in r["models"]),
                            key=lambda m: cost[index[(m, None, c, b)]].sum(axis=1)
                            .mean())[:SPLIT_MODELS]
            mixed += [(t, c, b, route)
                      for t, route in _mixed_routes(r, ranked, workloads, cascades)]
        quality = {}  # (target, workload) -> score or None; absent: not probed for it
        if mixed:
            strategies = [{"name": f"x{i}", "route": route, "caching": c, "batch_api": b}
                          for i, (_, c, b, route) in enumerate(mixed)]
            per_workload = []
            for start in range(0, len(strategies), ev.limit):
                per_workload.append(ev.run(strategies[start:start + ev.limit])[2])
            cost = np.concatenate([cost, *per_workload])
            for (t, c, b, route), s in zip(mixed, ev.resolve(strategies)):
                index[(t, None, c, b)] = len(index)
                for w in workloads:
                    if route[w] == route_field(t):
                        quality[(t, w)] = scenario.meets_quality(
                            w, s["route_quality"][w], s["route_quality_sd"][w])
        for c, b in flags:
            options = [[(m, t) for m in targets[w] if m in models for t in tiers(m, c)]
                       + [(t, None) for t, c2, b2, _ in mixed
                          if (c2, b2) == (c, b) and (t, w) in quality
                          and quality[(t, w)]]
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
                          f"<= {max_unserved}, each slo met in >= {MIN_SLO_MET:.0%} of "
                          "hours" + (f", p95 monthly cost <= {budget}" if budget
                                                  else "") + ")")
    best = min(candidates, key=lambda e: (e.objective(objective), e.mean))

    # The baseline on the same paths, for savings.
    base_strategy = next(s for s in r["strategies"] if s["name"] == r["baseline"])
    base_ttl = base_strategy["cache_ttl_minutes"]
    base_plan = Plan(tuple((w, target_of(base_strategy["route_legs"][w])) for w in workloads),
                     base_strategy["caching"], base_strategy["batch_api"],
                     tuple((w, base_ttl[w]) for w in workloads if base_ttl[w]))
    cost, requests, _, slo_met = ev.run([base_plan.strategy("baseline"),
                                         best.plan.strategy("best")])
    baseline = _evaluation(base_plan, cost[0], requests[0], r["horizon_months"],
                           slo_met[0])
    saved = cost[0] - cost[1]
    savings = {"mean": float(saved.mean()), "p5": float(np.quantile(saved, 0.05)),
               "p95": float(np.quantile(saved, 0.95)),
               "share": float(saved.mean() / cost[0].mean()) if cost[0].mean() else 0.0}
    out = Optimum(r["name"], objective, budget, max_unserved, paths, seed, best, baseline,
                  savings, sorted(candidates, key=lambda e: e.mean),
                  {k: v for k, v in ev.variants.items() if v[1] is not None}, ev.runs,
                  against=compared_with,
                  has_slo=scenario._core.has_slo)
    out.labels = ev.labels([best.plan, base_plan, *(e.plan for e in out.pareto())])
    return out


def _mixed_routes(r: dict, models: list[str], workloads: list[str],
                  cascades: bool) -> list:
    """(target, {workload: route}) probes of the splits among `models`, every pair
    on the SPLIT_STEP grid, and with `cascades` every cascade the quality table
    orders for some workload (the other workloads sent to its first model)."""
    out = []
    steps = round(1 / SPLIT_STEP)
    for a, b in itertools.combinations(models, 2):
        for k in range(1, steps):
            t = Split(((a, round(k * SPLIT_STEP, 10)), (b, round(1 - k * SPLIT_STEP, 10))))
            out.append((t, {w: t.field() for w in workloads}))
    if not cascades:
        return out
    scores = r.get("quality", {})
    for a, b in itertools.permutations(models, 2):
        limit = r["models"][b]["rate_limit"]
        if limit and not limit.get("fallback"):
            continue  # an escalation may not be turned away
        qa, qb = scores.get(a, {}), scores.get(b, {})
        # resolved scores are {mean, sd, low, high, level}: the means order them
        ordered = [w for w in workloads if w in qa and w in qb
                   and 0 <= qa[w]["mean"] < qb[w]["mean"]]
        if ordered:
            t = Cascade(a, b)
            out.append((t, {w: t.field() if w in ordered else a for w in workloads}))
    return out


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


# -- what a decision compares with (--against) ---------------------------------
# What a decision compares a strategy with (``--against``): the scenario's baseline,
# or the best API-only plan within quality ("best-api"), which users usually mean by
# "self-hosting against the API" (docs/decisions.md "Against the best API plan").
#
# The best API plan is the optimizer's own search restricted to API models and single
# routes, so the two never disagree on a cost, a quality rule or a flag. It is chosen
# once, at the scenario's values, on the decision's paths and seed, and then held: a
# threshold scales traffic and a sensitivity moves prices under a fixed plan.

AGAINST = ("baseline", "best-api")
BEST_API = "best-api"  # the name of the plan's strategy, in the scenario and outputs


@dataclass(frozen=True)
class Against:
    """What a decision compares with: ``kind`` (one of AGAINST) and ``label``, how
    outputs name it (the baseline's name, or the best API plan spelled out)."""

    kind: str
    label: str


def best_api(scenario, paths: int | None = None, seed: int | None = None,
             threads: int | None = None) -> tuple[dict, str]:
    """The cheapest plan, by mean total cost over the horizon on these paths and
    seed, that sends each workload to one API model its min_quality allows, with the
    caching and batch flags (and TTL tiers) the optimizer would choose: a strategy
    named ``best-api`` and its label ("best-api: gpt-5-mini for chat, ...")."""
    try:
        found = optimize(scenario, "mean", paths=paths, seed=seed, threads=threads,
                         api_only=True)
    except OptionError as e:
        if e.option != "max_unserved":
            raise
        raise OptionError("against", f"no API-only plan leaves at most "
                          f"{DEFAULT_MAX_UNSERVED:.1%} of requests unserved (rate "
                          "limits without a fallback)") from None
    plan = found.best.plan
    by_model: dict[str, list[str]] = {}
    for workload, model in plan.route:
        by_model.setdefault(model, []).append(workload)
    routes = ", ".join(f"{m} for {_listed(ws)}" for m, ws in by_model.items())
    flags = f"caching {plan.caching_label()}, batch API {'on' if plan.batch_api else 'off'}"
    return plan.strategy(BEST_API), f"{BEST_API}: {routes} ({flags})"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def compared(scenario, against: str, paths: int | None = None, seed: int | None = None,
             threads: int | None = None):
    """``scenario`` with the strategy to compare against as its baseline, and what it
    is (an Against). For best-api the plan is added as a strategy named best-api."""
    if against not in AGAINST:
        raise OptionError("against", f"must be one of {', '.join(AGAINST)} (got {against!r})")
    if against == "baseline":
        return scenario, Against(against, scenario.baseline)
    if BEST_API in scenario.strategies:
        raise OptionError("against", f"the scenario already has a strategy named "
                          f"{BEST_API!r}: rename it to compare against the best API plan")
    strategy, label = best_api(scenario, paths, seed, threads)
    written = scenario.data["strategies"]
    return (scenario.with_values({"strategies": [*written, strategy], "baseline": BEST_API}),
            Against(against, label))
