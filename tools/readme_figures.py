"""The figures README.md states in its prose and tables, produced by code.

A figure is marked in the README as ``<!-- fig:NAME -->TEXT<!-- /fig -->`` (HTML
comments, invisible when rendered; TEXT may span lines, e.g. a whole table). NAME
is ``SOURCE.KEY``: the function of SOURCE below computes all of its figures at once,
as the strings the README shows. tools/readme_check.py puts them in (``--write``) or
fails when the README says anything else (CI, tests/python/test_readme.py).

Two kinds of source:

- computed on every check, from the code as it is (each well under 20 s): what the
  bundled scenarios give (the claims table), the optimizer's plan, the ServeGen
  backtest, the catalog's caching rules, a precision run's paths;
- recorded: what a bench measured, read from tests/bench/results/NAME.json, which
  that bench writes with ``--record`` (timings depend on the machine; the seeded
  slow ones, antithetic ratios and the fit's calibration over 100 seeds, take
  minutes). CI checks that the README states what was recorded; rerunning the bench
  with ``--record`` and then ``readme_check.py --write`` updates both.

Every source used must exist, every key asked for must be one its source gives,
and every key a source gives must be used somewhere (no figure computed for
nothing, none typed by hand beside it). Where the README's words assume something
of a figure ("saves", "never breaks even", "under 0.1%"), its source checks that
too and raises FigureError otherwise.

To add a figure: return it from a source below (or a new ``@source`` function),
put ``<!-- fig:SOURCE.KEY -->?<!-- /fig -->`` where the README states it (not at
the start of a line: Markdown would take the line for HTML), and run
``python tools/readme_check.py --write``. ``python tools/readme_figures.py``
prints every figure. Numbers the README states as inputs (a scenario's
parameters, limits, defaults) are not figures.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
RESULTS = REPO / "tests" / "bench" / "results"
FIGURE = re.compile(r"(<!-- fig:(?P<name>[\w.+-]+) -->)(?P<text>.*?)(<!-- /fig -->)", re.S)


class FigureError(Exception):
    """A marker names no figure, or a figure cannot say what the README's prose
    around it assumes.
    """


SOURCES: dict[str, Callable[[], dict[str, str]]] = {}


def source(name: str):
    def register(fn: Callable[[], dict[str, str]]):
        SOURCES[name] = cache(fn)
        return fn

    return register


# -- how the README writes numbers -----------------------------------------------

def pct(x: float, digits: int = 0) -> str:
    s = f"{100 * x:.{digits}f}"
    return ("0" if float(s) == 0 else s) + "%"  # never "-0%"


def times(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}x"


def num(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def thousands(x: float) -> str:
    return f"${x / 1000:,.0f}k"


def sig(x: float, digits: int = 2) -> str:
    """``digits`` significant digits, no exponent: 48.3, 0.88, 337."""
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def month(m: float) -> str:
    if m == math.inf:
        raise FigureError("a break-even month beyond the horizon where the README "
                          "names a month")
    return str(int(m))


WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten")


def word(n: int, capital: bool = False) -> str:
    w = WORDS[n] if 0 <= n < len(WORDS) else f"{n:,}"
    return w[:1].upper() + w[1:] if capital else w


def listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- computed: the bundled scenarios ---------------------------------------------

@cache
def _result(name: str):
    import breakeven

    return breakeven.load(SCENARIOS / f"{name}.yaml").run(progress=False)


def _stat(name: str, strategy: str, statistic: str) -> float:
    """A statistic as `expect:` lines and recordings name it, on the scenario's own
    paths and seed (what `breakeven run scenarios/NAME.yaml` gives).
    """
    from breakeven.planning_stats import estimate

    return estimate(_result(name), strategy, statistic).value


def _strategy_json(name: str, strategy: str) -> dict:
    r = _result(name)
    return r.as_dict()["strategies"][r.strategies.index(strategy)]


def _part(name: str, strategy: str, part: str) -> float:
    """Mean cost of one part (gpu, overflow, ...) over the horizon."""
    return sum(_strategy_json(name, strategy)["parts"][part])


def _requests(name: str, strategy: str, kind: str) -> float:
    return sum(_strategy_json(name, strategy)["requests"][kind])


def _detail(name: str, strategy: str, kind: str) -> float:
    return sum(_strategy_json(name, strategy)["details"][kind])


def _ratio(name: str, a: str, b: str, statistic: str = "total_cost.mean") -> float:
    return _stat(name, a, statistic) / _stat(name, b, statistic)


def _positive(x: float, what: str) -> float:
    """``x``, which the README's words around it ("saves", "more", "loses") take to
    be above zero.
    """
    if not x > 0:
        raise FigureError(f"{what} is {x:.4g}: the README's prose says the opposite")
    return x


@source("claims")
def claims() -> dict[str, str]:
    """The 'what the model gives' column of the recorded-scenarios table."""
    import breakeven
    from breakeven.constants import HOURS_PER_MONTH

    f: dict[str, str] = {}

    s = "content-platform"
    f[f"{s}.routed-savings"] = pct(_stat(s, "routed", "savings.mean"))
    f[f"{s}.commodity-share"] = pct(_stat(
        s, "all-frontier", "workload_share.taxonomy+summarization+moderation"))

    s = "spend-by-task"
    f[f"{s}.commodity-share"] = pct(_stat(
        s, "all-frontier", "workload_share.triage+extraction+summarization"))
    f[f"{s}.routed-savings"] = pct(_stat(s, "routed", "savings.mean"))

    s = "caching-production"
    resolved = breakeven.load(SCENARIOS / f"{s}.yaml").resolved()
    gpt = resolved["models"]["gpt-5.5"]
    (agent,) = resolved["workloads"]
    f[f"{s}.prefix-discount"] = pct(1 - gpt["cached_input"] / gpt["input"])
    f[f"{s}.savings"] = pct(_stat(s, "gpt-cache", "savings.mean"))
    f[f"{s}.prefix-share"] = pct(agent["prefix_tokens"] / agent["input_tokens"]["mean"])

    s = "caching-low-traffic"
    f[f"{s}.gpt-savings"] = pct(_stat(s, "gpt-cache", "savings.mean"))
    f[f"{s}.sonnet-extra"] = pct(_positive(
        _ratio(s, "sonnet-cache", "sonnet-no-cache") - 1, f"{s}: what caching adds on Claude"))

    s = "caching-ttl-support"
    f[f"{s}.hour-savings"] = pct(_positive(_stat(s, "sonnet-1h", "savings.mean"),
                                           f"{s}: what the 1-hour TTL saves"))
    s = "caching-ttl-low-traffic"
    f[f"{s}.hour-extra"] = pct(_positive(_ratio(s, "haiku-1h", "haiku-5min") - 1,
                                         f"{s}: what the 1-hour TTL adds"))

    s = "overnight-batch"
    gpt54 = breakeven.load(SCENARIOS / f"{s}.yaml").resolved()["models"]["gpt-5.4"]
    f[f"{s}.savings"] = pct(_stat(s, "batch", "savings.mean"))
    f[f"{s}.batch-input"] = f"${gpt54['input'] * (1 - gpt54['batch_discount']):.2f}"
    f[f"{s}.input"] = f"${gpt54['input']:.2f}"

    s = "self-host-high-spend"
    p50 = _stat(s, "self-host", "break_even.p50_month")
    p90 = _stat(s, "self-host", "break_even.p90_month")
    f[f"{s}.break-even"] = (f"month {month(p50)} at p50 and p90" if p50 == p90
                            else f"month {month(p50)} at p50, month {month(p90)} at p90")
    p = _stat(s, "self-host", "break_even.p_within_horizon")
    f[f"{s}.probability"] = "1" if p == 1 else pct(p)

    s = "self-host-low-spend"
    if _stat(s, "self-host", "break_even.p_within_horizon") != 0:
        raise FigureError(f"{s}: self-host breaks even on some paths; the README says never")
    f[f"{s}.cost-ratio"] = times(_ratio(s, "self-host", "haiku"))

    s = "spiky-traffic"
    f[f"{s}.peak-extra"] = pct(_positive(-_stat(s, "peak-cluster", "savings.mean"),
                                         f"{s}: what the peak cluster costs beyond the API"))
    f[f"{s}.peak-utilization"] = pct(_stat(s, "peak-cluster", "utilization.mean"))
    f[f"{s}.base-savings"] = pct(_positive(_stat(s, "base-cluster", "savings.mean"),
                                           f"{s}: the base cluster's saving"))
    f[f"{s}.base-savings-band"] = (
        pct(_stat(s, "base-cluster", "savings.p5"))[:-1] + ".."
        + pct(_stat(s, "base-cluster", "savings.p95")))

    s = "flat-api-prices"
    f[f"{s}.p50"] = month(_stat(s, "self-host", "break_even.p50_month"))
    f[f"{s}.p90"] = month(_stat(s, "self-host", "break_even.p90_month"))
    s = "falling-api-prices"
    f[f"{s}.p-within"] = pct(_stat(s, "self-host", "break_even.p_within_horizon"))
    f[f"{s}.loss"] = pct(_positive(-_stat(s, "self-host", "savings.mean"),
                                   f"{s}: what self-hosting loses"))

    s = "commitment"
    gpu = {k: _part(s, k, "gpu") for k in ("steady-on-demand", "steady-committed",
                                            "spiky-on-demand", "spiky-committed")}
    f[f"{s}.steady-gpu-cut"] = pct(_positive(
        1 - gpu["steady-committed"] / gpu["steady-on-demand"], f"{s}: the steady GPU cut"))
    f[f"{s}.spiky-gpu-extra"] = pct(_positive(
        gpu["spiky-committed"] / gpu["spiky-on-demand"] - 1, f"{s}: the spiky GPU extra"))

    s = "spot"
    r = _result(s)
    year = 12 / r.months
    f[f"{s}.outage-share"] = pct(
        _detail(s, "spot", "spot_outage_hours") / (r.months * HOURS_PER_MONTH), 1)
    f[f"{s}.gpu-on-demand"] = thousands(_part(s, "on-demand", "gpu") * year)
    f[f"{s}.gpu-spot"] = thousands(_part(s, "spot", "gpu") * year)
    f[f"{s}.overflow-on-demand"] = pct(_stat(s, "on-demand", "requests_share.overflow"), 1)
    f[f"{s}.overflow-spot"] = pct(_stat(s, "spot", "requests_share.overflow"), 1)
    f[f"{s}.savings"] = pct(_positive(1 - _ratio(s, "spot", "on-demand"),
                                      f"{s}: what spot saves"))

    s = "rate-limit"
    r = _result(s)
    f[f"{s}.tier2-savings"] = pct(_stat(s, "haiku-tier2", "savings.mean"))
    f[f"{s}.tier1-fallback"] = pct(
        _detail(s, "haiku-tier1", "fallback_requests") / r.demand.sum(axis=1).mean())
    f[f"{s}.tier1-savings"] = pct(_stat(s, "haiku-tier1", "savings.mean"))

    s = "hourly-noise-servegen"
    # The client's own requests: the strategy's less its twin's, which go to the API.
    own = _requests(s, "real-on-3", "cluster") + _requests(s, "real-on-3", "overflow")
    if _requests(s, "real-on-3", "unserved") or _requests(s, "real-on-3", "rate_limited"):
        raise FigureError(f"{s}: real-on-3 leaves requests unserved or rate-limited")
    f[f"{s}.real-on-3-overflow"] = pct(_requests(s, "real-on-3", "overflow") / own, 1)
    for strategy in ("smooth-on-3", "real-on-6"):
        if _stat(s, strategy, "requests_share.overflow") >= 0.001:
            raise FigureError(f"{s}: {strategy} overflows 0.1% or more; the README "
                              "says the cluster carries it")

    s = "growth"
    f[f"{s}.flat-p50"] = month(_stat(s, "self-host-flat", "break_even.p50_month"))
    f[f"{s}.growing-p50"] = month(_stat(s, "self-host-growing", "break_even.p50_month"))
    return f


@source("optimize")
def optimize() -> dict[str, str]:
    """`breakeven optimize scenarios/quality-routing.yaml`, its default paths."""
    import breakeven
    from breakeven.decisions.optimize import optimize as run

    best = run(breakeven.load(SCENARIOS / "quality-routing.yaml"))
    plan = best.best.plan
    by_model: dict[str, list[str]] = {}
    for workload, label in best.labels[plan].items():  # a split or cascade by its label
        by_model.setdefault(label, []).append(workload)
    routes = ", ".join(f"{m} for {listing(ws)}"
                       for m, ws in sorted(by_model.items(), key=lambda kv: -len(kv[1])))
    by_ttl: dict[float, list[str]] = {}
    for workload, minutes in plan.ttl:  # workloads on a cache tier not their default
        by_ttl.setdefault(minutes, []).append(workload)
    tiers = "; ".join(f"{f'{m // 60:g}-hour' if m % 60 == 0 else f'{m:g}-minute'} for "
                      f"{listing(ws)}" for m, ws in sorted(by_ttl.items()))
    flags = [n for n, on in ((f"caching ({tiers})" if tiers else "caching", plan.caching),
                             ("batch", plan.batch_api)) if on]
    return {
        "routes": routes + (f", {listing(flags)} on" if flags else ""),
        "savings": pct(best.savings["share"]),
    }


# -- computed: the ServeGen backtest, the catalog, precision ---------------------

@source("servegen")
def servegen() -> dict[str, str]:
    """ServeGen's clients as hourly OpenAI usage pages, fitted on 7 days and checked
    on the next 7 (tests/python/test_ingest_servegen.py runs the same).
    """
    import tempfile

    import numpy as np
    from breakeven import ingest
    from breakeven.logs.backtest import CALIBRATED

    sys.path.insert(0, str(REPO / "tests" / "data" / "servegen"))
    try:
        import usage_pages
    finally:
        sys.path.pop(0)
    train = 7
    with tempfile.TemporaryDirectory(prefix="readme-servegen-") as tmp:
        usage = ingest(usage_pages.write(Path(tmp) / "usage.json"), task="project_id")
        bt = usage.backtest(train, paths=500)
    s = bt.summary()
    total = s[(s.metric == "requests") & (s.task == "total")].iloc[0]
    req = s[(s.metric == "requests") & (s.task != "total")]
    pooled = float(np.average(req.coverage, weights=req.days))
    cal = bt.calibration("requests")  # over client-days
    # Clients with no request in the fitted days: nothing to forecast them from.
    fitted_days = bt.days[(bt.days.metric == "requests") & (bt.days.task != "total")]
    fitted = usage.hourly_table[usage.hourly_table.hour < fitted_days.day.min()]
    silent = sorted(set(req.task) - set(fitted[fitted.requests > 0].task))
    heard = fitted_days[~fitted_days.task.isin(silent)]
    if cal.verdict not in ("too narrow", "too wide", "calibrated"):
        raise FigureError(f"servegen: the README states a verdict, the backtest gives "
                          f"{cal.verdict!r}")
    return {
        "clients": str(len(usage.tokens)),
        "days": num(usage.days),
        "train-days": str(train),
        "test-days": str(bt.test_days),
        "total-days": f"{round(total.coverage * total.days)} of {int(total.days)}",
        "total-days-50": f"{round(total.coverage_50 * total.days)} of {int(total.days)}",
        "total-pinball": sig(total.relative_pinball),
        "client-days": pct(pooled),
        "under-covered": f"{int((req.coverage < CALIBRATED[0]).sum())} of {len(req)}",
        "client-days-50": pct(cal.coverage_50),
        "pit-low": pct(cal.pit_below_10),
        "pit-high": pct(cal.pit_above_90),
        "client-days-n": str(cal.n),
        "verdict": cal.verdict,
        "silent": f"{len(silent)} of {len(req)}",
        "heard-client-days": pct(heard.inside.mean()),
        "silent-client-days": pct(fitted_days[fitted_days.task.isin(silent)].inside.mean()),
        "heard-client-days-50": pct(heard.inside_50.mean()),
    }


@source("catalog")
def catalog() -> dict[str, str]:
    """The caching rules the README states per provider, each the same for every
    catalog model it names (else the sentence is wrong); a TTL is the default tier's
    but Google's, the explicit cache's.
    """
    from breakeven.catalog import catalog as load_catalog

    models = load_catalog()["models"]

    def one(field: str, names: list[str]):
        values = {models[n][field] for n in names}
        if len(values) != 1:
            raise FigureError(f"catalog: {field} differs among {', '.join(names)}: {values}")
        return values.pop()

    def of(provider: str) -> list[str]:
        return [n for n, m in models.items() if m["provider"] == provider]

    openai, anthropic, google = of("openai"), of("anthropic"), of("google")
    if one("cache_write_multiplier", openai) != 1.0:
        raise FigureError("catalog: an OpenAI model has a cache write premium")
    long_prefix = [n for n in anthropic if models[n]["cache_min_tokens"] > 1024]
    gemini3 = [n for n in google if n.startswith("gemini-3")]
    explicit = {t["ttl_minutes"] for n in google for t in models[n].get("cache_ttl_tiers", [])}
    if len(explicit) != 1 or next(iter(explicit)) % 60:
        raise FigureError(f"catalog: Google's explicit cache TTLs are {explicit}, not one "
                          "number of hours")
    ttl = explicit.pop()
    return {
        "openai-min-tokens": num(one("cache_min_tokens", openai)),
        "openai-ttl": f"{one('cache_ttl_minutes', openai)}-minute",
        "anthropic-write": f"{one('cache_write_multiplier', anthropic):g}x",
        "anthropic-long-prefix-models": " / ".join(
            n.removeprefix("claude-").replace("-", " ").title() for n in long_prefix),
        "anthropic-long-prefix": num(one("cache_min_tokens", long_prefix)),
        "google-ttl": f"{ttl // 60} hour" + ("s" if ttl > 60 else ""),
        "gemini-3-min-tokens": num(one("cache_min_tokens", gemini3)),
    }


@source("caching")
def caching() -> dict[str, str]:
    """Mooncake's trace as logs (a 5-minute replay, conversation ids from its
    hashes), the cache fit calibrated at 5 minutes and its prediction at 1 hour,
    against the trace replayed (tests/python/test_cache_fit.py asserts the bounds)."""
    import tempfile

    import numpy as np
    from breakeven.logs import ingest
    from breakeven.logs.cache_fit import _figures, calibrate
    from breakeven.logs.cache_replay import replay
    from breakeven.logs.mooncake import mooncake_records, read_trace

    rows = read_trace(REPO.parent / "shared/data/mooncake-fast25-synthetic/synthetic_trace.jsonl")
    inputs = np.array([r["input_length"] for r in rows], dtype=float)
    truth = replay([r["timestamp"] / 1000 for r in rows], inputs,
                   [r["hash_ids"] for r in rows], (5, 60)).sum(0) / inputs.sum()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mooncake.jsonl"
        path.write_text("".join(json.dumps(r) + "\n"
                                for r in mooncake_records(rows, shared=True)))
        usage = ingest(path, task="metadata.task", session="metadata.conversation_id")
    tok, conv = usage.tokens["chat"], usage.conversations["chat"]
    hours = (rows[-1]["timestamp"] - rows[0]["timestamp"]) / 3.6e6
    model = {"input": 0.75, "output": 4.5, "cached_input": 0.075, "cache_min_tokens": 1024,
             "cache_block_tokens": 512, "cache_ttl_minutes": 5, "cache_ttl_tiers": []}
    workload = {"name": "chat", "requests": {"per_hour": tok.requests / hours},
                "input_tokens": tok.input_mean, "output_tokens": tok.output_mean,
                "conversation": conv.block()}
    calibrate(workload, "m", {"m": model}, tok, conv)
    five = _figures(workload, "m", {"m": model})["cached_share"]
    hour = _figures(workload, "m", {"m": {**model, "cache_ttl_minutes": 60}})["cached_share"]
    return {"requests": num(len(rows)), "conversations": num(conv.conversations),
            "replay-5": pct(truth[0], 1), "replay-60": pct(truth[1], 1),
            "fitted-5": pct(five, 1), "predicted-60": pct(hour, 1),
            "error-60": f"{100 * (hour - truth[1]):+.1f} points"}


@source("minutes")
def minutes() -> dict[str, str]:
    """The Azure trace's minute dispersion and the per-minute limit check
    (tests/python/test_minute_limits.py asserts the bounds)."""
    import sys as _sys

    import pandas as pd
    from breakeven.minutes import minute_counts, minute_dispersion, replayed_excess

    _sys.path.insert(0, str(REPO / "tests" / "python"))
    from test_minute_limits import rate_limited_share

    t = pd.to_datetime(pd.read_csv(REPO.parent / "shared/data/azure-llm-2023/code.csv")
                       ["TIMESTAMP"])
    seconds = (t - t.min()).dt.total_seconds().to_numpy()
    counts, phi = minute_counts(seconds), minute_dispersion(seconds)
    out = {"dispersion": num(phi)}
    for factor in (1.1, 1.25, 1.5):
        limit = factor * counts.mean()
        key = f"{factor:g}"
        out[f"replay-{key}"] = pct(replayed_excess(counts, limit), 1)
        out[f"predicted-{key}"] = pct(rate_limited_share(60 * counts.mean(), phi, limit), 1)
    return out


@source("against")
def against() -> dict[str, str]:
    """self-host-vs-best-api's break-even traffic against Sonnet and against the best
    API plan, in expected mode (tests/python/test_against.py asserts both)."""
    import breakeven
    from breakeven.decisions import threshold
    from breakeven.decisions.optimize import best_api

    scenario = breakeven.load(SCENARIOS / "self-host-vs-best-api.yaml")
    (strategy, _), data = best_api(scenario), scenario.data
    data["simulation"] = {"mode": "expected"}
    exact = breakeven.load(data)
    return {"best-api": strategy["route"]["support"],
            "sonnet": times(threshold(exact, "llama70-h100", within=24).scale, 2),
            "mini": times(threshold(exact, "llama70-h100", within=24,
                                    against="best-api").scale)}


@source("precision")
def precision() -> dict[str, str]:
    """Paths a --precision 0.005 run of the standard bench takes (seeded: the same
    on every machine and thread count).
    """
    import breakeven

    r = breakeven.load(REPO / "tests" / "bench" / "standard.yaml").run(
        precision=0.005, progress=False)
    return {"standard-paths": num(r.paths)}


# -- recorded: tests/bench/results/*.json ----------------------------------------

def _recorded(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        script = "run.py" if name == "engine" else f"{name}.py"
        raise FigureError(f"{path.relative_to(REPO)} is missing: run tests/bench/{script} "
                          "--record") from None


def _provenance(doc: dict) -> dict[str, str]:
    m = doc["machine"]
    return {
        "date": doc["date"],
        "cores": f"{m['cores']}-core",
        "engine-version": m["engine_version"],
        "engine-build": m["engine_build"],
        "as-committed": ("with uncommitted changes" if doc["commit"].endswith("+changes")
                         else "as committed"),
    }


# What each strategy of tests/bench/standard.yaml exercises, for the table's rows.
COSTING = {
    "all-frontier": "API",
    "routed": "API, caching, batch",
    "fixed-cluster": "cluster, overflow",
    "autoscaled-backlog": "autoscaling, EDF backlog",
}


def _ns_table(ns: dict, paths: int) -> str:
    floor = ns["draws"] * ns["ns_per_draw"] + ns["arithmetic"]
    n = len(ns["costing"])
    missing = set(ns["costing"]) - set(COSTING)
    if missing:
        raise FigureError(f"no description of strategy {', '.join(sorted(missing))} "
                          "(readme_figures.COSTING)")
    rows = [(f"one core, standard scenario ({num(ns['paths'])} paths)",
             "ns per workload-hour"),
            ("traffic (draws and arithmetic)", f"{ns['traffic']:.1f}")]
    rows += [(f"costing: {name} ({COSTING[name]})", f"{v:.1f}")
             for name, v in ns["costing"].items()]
    rows += [
        (f"a path, the {word(n)} strategies each run alone", f"{ns['alone']:.1f}"),
        (f"a path, all {word(n)} together (monthly totals shared; the {num(paths)}-path run)",
         f"{ns['together']:.1f}"),
        (f"floor: {ns['draws']:.2f} 64-bit draws at the generator's {ns['ns_per_draw']:.2f} ns",
         f"{ns['draws'] * ns['ns_per_draw']:.1f}"),
        ("floor: traffic arithmetic without draws (expected mode)", f"{ns['arithmetic']:.1f}"),
        ("traffic / floor; a path / floor",
         f"{ns['traffic'] / floor:.1f}x; {ns['alone'] / floor:.1f}x"),
    ]
    # blank lines around: the markers' comment lines stay out of the table
    lines = [f"| {a} | {b} |" for a, b in rows]
    lines.insert(1, "|---|---|")
    return "\n\n" + "\n".join(lines) + "\n\n"


@source("engine")
def engine() -> dict[str, str]:
    """tests/bench/run.py --record."""
    doc = _recorded("engine")
    r = doc["results"]
    std, hyb, runs = r["standard"], r["hybrid"], r["runs"]
    ex = r["example"]

    def within(z: list[float]) -> str:  # every |z| within this, rounded up
        return f"{math.ceil(max(map(abs, z)) * 10 - 1e-9) / 10:.1f}"

    def span(pair: list[float], fmt) -> str:
        return f"{fmt(pair[0])} to {fmt(pair[1])}"

    if runs["count"] < 2:
        raise FigureError("tests/bench/results/engine.json holds one run; the README "
                          "gives a range: record with --runs 5")
    return {
        **_provenance(doc),
        "paths": num(r["paths"]),
        "standard-engine-s": f"{std['engine_s']:.1f}",
        "standard-numpy-s": f"{std['numpy_s']:.0f}",
        "standard-ratio": times(std["ratio"]),
        "standard-within-se": within(std["z"]),
        "workload-hours": f"{std['workload_hours_per_s_per_core'] / 1e6:.1f}",
        "threads-1-to-2": times(std["threads_1_to_2"], 2),
        "rss-mb": f"{std['rss_mb']:.0f}",
        "arrays-mb": f"{std['arrays_mb']:.0f}",
        "example-run-s": span([min(ex["run_s"]), max(ex["run_s"])], lambda x: f"{x:.2f}"),
        "example-command-extra-s": f"{ex['command_extra_s']:.1f}",
        "hybrid-engine-s": f"{hyb['engine_s']:.1f}",
        "hybrid-numpy-s": f"{hyb['numpy_s']:.0f}",
        "hybrid-ratio": times(hyb["ratio"]),
        "hybrid-within-se": within(hyb["z"]),
        "runs": word(runs["count"], capital=True),
        "runs-standard-engine-s": span(runs["standard_engine_s"], lambda x: f"{x:.1f}"),
        "runs-standard-ratio": span(runs["standard_ratio"], times),
        "runs-hybrid-ratio": span(runs["hybrid_ratio"], times),
        "build-speedup": pct(r["builds"]["speedup"] - 1),
        "ns-table": _ns_table(r["ns_per_workload_hour"], r["paths"]),
        "precision-s": f"{r['precision']['command_s']:.1f}",
        "validate-s": f"{r['validate_s']:.1f}",
    }


@source("ingest")
def ingest_speed() -> dict[str, str]:
    """tests/bench/ingest.py --record."""
    doc = _recorded("ingest")
    r = doc["results"]
    rd = r["readers"]
    return {
        "cores": _provenance(doc)["cores"],
        "date": doc["date"],
        "records": f"{r['records'] / 1e6:.2f}M",
        "jsonl-mib": f"{r['jsonl_mib']:.0f}",
        **{f"{k}-rate": f"{v['records_per_s'] / 1e6:.2f}" for k, v in rd.items()},
        **{f"{k}-rss": (f"{v['peak_rss_mib'] / 1024:.1f} GiB" if v["peak_rss_mib"] >= 1024
                        else f"{v['peak_rss_mib']:.0f} MiB") for k, v in rd.items()},
    }


@source("antithetic")
def antithetic() -> dict[str, str]:
    """tests/bench/antithetic.py --record: variance reductions per statistic."""
    import numpy as np

    scenarios = _recorded("antithetic")["results"]["scenarios"]
    ratios = {name: {k: v for k, v in s["ratios"].items() if v is not None}
              for name, s in scenarios.items()}
    std = list(ratios.pop("standard").values())
    totals = sorted(v for r in ratios.values() for k, v in r.items()
                    if k.endswith(".total_cost"))

    def least(name: str, kind: str, below_one: bool = False) -> str:
        k = min(ratios[name], key=ratios[name].get)
        if not k.endswith(kind) or below_one != (ratios[name][k] < 1):
            raise FigureError(f"antithetic: {name}'s smallest reduction is {k}, "
                              f"{ratios[name][k]:.2f}: the README says otherwise")
        return times(ratios[name][k], 2)

    return {
        "standard-range": f"{sig(min(std))}x to {sig(max(std))}x",
        "standard-median": f"{sig(float(np.median(std)))}x",
        "totals-range": f"{sig(totals[0])}x to {sig(totals[-1])}x",
        "totals-median": f"{sig(float(np.median(totals)))}x",
        "rate-limit": least("rate-limit", ".savings", below_one=True),
        "falling-api-prices": least("falling-api-prices", ".p_break_even"),
        "spiky-traffic": least("spiky-traffic", ".p_break_even"),
    }


@source("fit_calibration")
def fit_calibration() -> dict[str, str]:
    """tests/bench/fit_calibration.py --record: 2-SE coverage per parameter family."""
    r = _recorded("fit_calibration")["results"]
    cov = r["coverage"].values()
    return {"range": f"{pct(min(cov))[:-1]}-{pct(max(cov))}", "seeds": num(r["seeds"])}


# -- rendering --------------------------------------------------------------------

class Figures:
    """Each source computed once, on first use."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}

    def __call__(self, name: str) -> str:
        src, _, key = name.partition(".")
        if src not in SOURCES:
            raise FigureError(f"<!-- fig:{name} -->: no source {src!r} "
                              f"(sources: {', '.join(SOURCES)})")
        figures = SOURCES[src]()
        if key not in figures:
            raise FigureError(f"<!-- fig:{name} -->: {src} has no figure {key!r} "
                              f"(it has: {', '.join(figures)})")
        self.used.setdefault(src, set()).add(key)
        return figures[key]

    def unused(self) -> list[str]:
        """Figures of the sources used that the README does not show."""
        return [f"{src}.{key}" for src, keys in self.used.items()
                for key in SOURCES[src]() if key not in keys]


# A line that starts with "<!--" starts an HTML block in Markdown: within a paragraph
# it would cut the paragraph there and show the rest of the line unformatted.
LINE_START = re.compile(r"^[ \t]*<!-- fig:(?P<name>[\w.+-]+) -->(?!\n)", re.M)


def render(text: str) -> str:
    """``text`` with every figure as the code gives it now."""
    figures = Figures()
    out = FIGURE.sub(lambda m: m.group(1) + figures(m.group("name")) + m.group(4), text)
    problems = [f"<!-- fig:{m.group('name')} --> starts a line: Markdown takes that line "
                "for HTML (move the line break after it)" for m in LINE_START.finditer(text)]
    problems += [f"figure {n} is computed but the README does not show it"
                 for n in figures.unused()]
    problems += [f"figure source {s} is not used in the README"
                 for s in SOURCES if s not in figures.used]
    if problems:
        raise FigureError("; ".join(problems))
    return out


if __name__ == "__main__":  # print every figure, e.g. to write new prose around one
    for name, fn in SOURCES.items():
        for key, value in fn().items():
            print(f"{name}.{key}: {value!r}")
