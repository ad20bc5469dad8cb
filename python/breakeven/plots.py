"""Charts of a result, as matplotlib Figures (also used by the report).

Every function takes a :class:`~breakeven.Result`; each strategy keeps one colour
across all charts, from the Okabe-Ito palette (safe for colour-blind readers).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .constants import HOURS_PER_MONTH, PART_NAMES
from .errors import printable
from .formatting import parameter

OKABE_ITO = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
]
PART_COLOURS = dict(
    zip(
        PART_NAMES,
        ["#0072B2", "#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#999999"],
    )
)


def strategy_colour(result, strategy: str) -> str:
    return OKABE_ITO[result.strategies.index(strategy) % len(OKABE_ITO)]


@contextlib.contextmanager
def drawing():
    """Around drawing a chart or a page to a file: a character no font has (names
    come from logs: any Unicode) is drawn as a box, not warned about on stderr."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font",
                                category=UserWarning)
        yield


MAX_DRAWN_NAME = 60  # characters of a name a chart draws; longer ones end in "…"


def plain(text) -> str:
    """Text as matplotlib draws it, character for character: every ``$`` escaped,
    so that a name such as ``$\\frac{}$`` is text, not mathtext (which would fail to
    parse or draw something else), and control characters shown escaped (no font
    has a glyph for them)."""
    return printable(str(text)).replace("$", r"\$")


def label(name) -> str:
    """A name from a scenario, a log or a sweep as a chart draws it: plain, and cut
    to MAX_DRAWN_NAME characters (a task name from a log may be any length, and a
    legend of such names collapses the axes; the tables show it whole)."""
    text = str(name)
    return plain(text if len(text) <= MAX_DRAWN_NAME else text[:MAX_DRAWN_NAME - 1] + "…")


def _money(x, _pos=None) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= limit:
            return f"${x / limit:,.3g}{suffix}"
    return f"${x:,.0f}"


def _money_axis(axis) -> None:
    """Money on an axis: $1.2M style, at most six ticks (labels never touch)."""
    axis.set_major_formatter(FuncFormatter(_money))
    axis.set_major_locator(MaxNLocator(nbins=5))


def _headroom(ax, top: float) -> None:
    """The y axis from 0 to 10% above ``top``: a flat series is drawn inside the
    frame, not on its top edge where the spine hides it."""
    ax.set_ylim(0, top * 1.1 if top > 0 else 1)


def _months_axis(ax, months: int) -> None:
    ax.set_xlabel("month")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0.5, months + 0.5)


def _figure(width=8.0, height=4.5, ncols=1) -> tuple[Figure, list]:
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _band_chart(result, key, centre, ylabel, title, strategies=None) -> Figure:
    """One line (``centre``) and p5-p95 band per strategy of the month series ``key``."""
    fig, (ax,) = _figure()
    months = np.arange(1, result.months + 1)
    top = 0.0
    for s in result.as_dict()["strategies"]:
        if strategies and s["name"] not in strategies:
            continue
        c = strategy_colour(result, s["name"])
        band = s[key]
        top = max(top, max(band["p95"]), max(band[centre]))
        ax.fill_between(
            months, band["p5"], band["p95"], color=c, alpha=0.2, linewidth=0
        )
        ax.plot(months, band[centre], color=c, label=label(s["name"]))
    _months_axis(ax, result.months)
    ax.set_ylabel(ylabel)
    _money_axis(ax.yaxis)
    _headroom(ax, top)
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig


def plot_fan(result, strategies: list[str] | None = None) -> Figure:
    """Monthly cost per strategy: median and the p5-p95 band over paths."""
    return _band_chart(
        result,
        "monthly_cost",
        "p50",
        "cost per month (USD)",
        "Monthly cost: median and p5-p95 band over paths",
        strategies,
    )


def plot_cumulative(result) -> Figure:
    """Cumulative cost per strategy (mean, p5-p95 band)."""
    return _band_chart(
        result,
        "cumulative_cost",
        "mean",
        "cumulative cost (USD)",
        "Cumulative cost: mean and p5-p95 band",
    )


def plot_break_even(result) -> Figure:
    """Probability of breaking even by each month, against the baseline."""
    fig, (ax,) = _figure()
    months = np.arange(1, result.months + 1)
    drawn = 0
    for s in result.as_dict()["strategies"]:
        be = s["break_even"]
        if be is None:
            continue
        c = strategy_colour(result, s["name"])
        # Strategies that break even in the same months draw the same line: each is
        # drawn thinner than the one before, so every colour shows.
        ax.step(
            months,
            np.cumsum(be["month_probability"]),
            where="post",
            color=c,
            linewidth=max(1.0, 3.5 - 0.8 * drawn),
            label=f"{label(s['name'])} (P within horizon {be['p_within_horizon']:.0%})",
        )
        drawn += 1
    _months_axis(ax, result.months)
    ax.set_ylabel("P(broken even by month)")
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: f"{y:.0%}"))
    ax.set_title(f"Break-even against {label(result.baseline)}")
    if drawn:  # a scenario of one strategy has no break-even to show
        ax.legend(frameon=False, loc="lower right")
    return fig


def plot_breakdown(result) -> Figure:
    """Where the money goes: total over the horizon by part and by workload."""
    doc = result.as_dict()
    fig, (by_part, by_workload) = _figure(width=10, height=4.5, ncols=2)
    names = [label(s["name"]) for s in doc["strategies"]]
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for part in PART_NAMES:
        totals = np.array([sum(s["parts"][part]) for s in doc["strategies"]])
        if totals.any():
            by_part.barh(y, totals, left=left, color=PART_COLOURS[part], label=part)
            left += totals
    left = np.zeros(len(names))
    for i, w in enumerate(result.workloads):
        totals = np.array([sum(s["workload_cost"][w]) for s in doc["strategies"]])
        by_workload.barh(
            y, totals, left=left, color=OKABE_ITO[i % len(OKABE_ITO)], label=label(w)
        )
        left += totals
    for ax, title in ((by_part, "by part"), (by_workload, "by workload")):
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        _money_axis(ax.xaxis)
        ax.set_xlabel(f"cost over {result.months} months (USD, mean over paths)")
        ax.set_title(f"Where the money goes: {title}")
        ax.legend(frameon=False, fontsize="small", loc="lower right")
    by_workload.set_yticklabels([])
    return fig


def plot_cluster(result) -> Figure | None:
    """GPUs, utilization and overflow/unserved requests of strategies that self-host;
    None when no strategy uses a cluster.
    """
    doc = result.as_dict()
    hosted = [s for s in doc["strategies"] if any(s["gpu_hours"])]
    if not hosted:
        return None
    fig, (gpus, util, away) = _figure(width=12, height=4, ncols=3)
    months = np.arange(1, result.months + 1)
    for s in hosted:
        c = strategy_colour(result, s["name"])
        gpus.plot(months, np.asarray(s["gpu_hours"]) / HOURS_PER_MONTH, color=c,
                  label=label(s["name"]))
        util.plot(months, s["utilization"], color=c, label=label(s["name"]))
        away.plot(
            months, s["requests"]["overflow"], color=c, label=f"{label(s['name'])} overflow"
        )
        if any(s["requests"]["unserved"]):
            away.plot(
                months,
                s["requests"]["unserved"],
                color=c,
                linestyle="--",
                label=f"{label(s['name'])} unserved",
            )
    gpus.set_ylabel("GPUs (mean over the month)")
    gpus.set_title("GPUs provisioned")
    util.set_ylabel("utilization (served / provisioned GPU-seconds)")
    util.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: f"{y:.0%}"))
    util.set_ylim(0, 1.1)
    util.set_title("Utilization")
    away.set_ylabel("requests per month")
    away.set_title("Turned away: overflow to API / unserved")
    away.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: f"{y:,.0f}"))
    for ax in (gpus, util, away):
        _months_axis(ax, result.months)
        ax.legend(frameon=False, fontsize="small")
    _headroom(gpus, max(max(s["gpu_hours"]) for s in hosted) / HOURS_PER_MONTH)
    _headroom(away, max(max(max(s["requests"]["overflow"]), max(s["requests"]["unserved"]))
                        for s in hosted))
    return fig


def plot_price_paths(result) -> Figure | None:
    """Factor of each moving price (model v2) per month: median and p5-p95 band
    over paths; None when every price is flat."""
    paths = result.as_dict()["price_paths"]
    if not paths:
        return None
    fig, (ax,) = _figure()
    months = np.arange(1, result.months + 1)
    for i, (name, band) in enumerate(paths.items()):
        c = OKABE_ITO[i % len(OKABE_ITO)]
        ax.fill_between(months, band["p5"], band["p95"], color=c, alpha=0.2, linewidth=0)
        ax.plot(months, band["p50"], color=c, label=label(name))
    _months_axis(ax, result.months)
    ax.set_ylabel("price factor (month 1 = 1)")
    _headroom(ax, max(max(band["p95"]) for band in paths.values()))
    ax.set_title("Prices over the horizon: median and p5-p95 band")
    ax.legend(frameon=False)
    return fig


def plot_tornado(sensitivity, top: int = 15) -> Figure:
    """Tornado chart of a :class:`~breakeven.decisions.Sensitivity`: the saving at
    the horizon with each input at -delta and +delta, largest swing on top."""
    effects = sensitivity.effects[:top][::-1]
    base = sensitivity.base.savings
    fig, (ax,) = _figure(width=9, height=max(2.5, 0.4 * len(effects) + 1.2))
    y = np.arange(len(effects))
    pct = f"{sensitivity.delta:.0%}"
    low = [e.low.savings - base for e in effects]
    high = [e.high.savings - base for e in effects]
    ax.barh(y, low, left=base, color=OKABE_ITO[0], label=f"input -{pct}")
    ax.barh(y, high, left=base, color=OKABE_ITO[1], label=f"input +{pct}")
    ax.axvline(base, color="#000000", linewidth=0.8)
    ax.set_yticks(y, [label(e.name) for e in effects], fontsize=8)
    _money_axis(ax.xaxis)
    ax.set_xlabel(f"saving of {label(sensitivity.strategy)} against "
                  f"{label(sensitivity.scenario.baseline)} "
                  "over the horizon (USD)")
    ax.set_title("What drives the saving (one input at a time, same random numbers)")
    ax.legend(frameon=False, loc="lower right")
    return fig


def plot_threshold(threshold) -> Figure:
    """Probability of breaking even within the months asked, against the
    baseline's monthly spend, over the scales a :func:`~breakeven.decisions.threshold`
    search evaluated; the threshold marked."""
    steps = threshold.steps
    fig, (ax,) = _figure()
    ax.plot([s.baseline_monthly for s in steps], [s.probability for s in steps],
            marker=".", color=OKABE_ITO[0])
    ax.axhline(threshold.probability, color="#999999", linewidth=0.8)
    if threshold.baseline_monthly is not None:
        ax.axvline(threshold.baseline_monthly, color=OKABE_ITO[5], linewidth=1,
                   label=f"threshold: {_money(threshold.baseline_monthly)} a month")
        ax.legend(frameon=False, loc="lower right")
    ax.set_xscale("log")
    _money_axis(ax.xaxis)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: f"{y:.0%}"))
    ax.set_ylim(0, 1.1)
    ax.set_xlabel(f"{label(threshold.baseline)}: monthly spend (USD)")
    ax.set_ylabel(f"P(break-even within {threshold.within} months)")
    ax.set_title(f"Where {label(threshold.strategy)} starts to pay")
    return fig


def _heat_scale(values: np.ndarray):
    """Colour norm and map for a heatmap: diverging about zero when the values
    change sign (a saving: blue pays, red costs), logarithmic when positive values
    span more than two orders of magnitude (one extreme would grey out the rest),
    else linear."""
    from matplotlib.colors import LogNorm, Normalize, TwoSlopeNorm

    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    if lo < 0 < hi:
        return TwoSlopeNorm(0.0, lo, hi), "RdBu"
    if lo > 0 and hi / lo > 100:
        return LogNorm(lo, hi), "viridis"
    return Normalize(lo, hi if hi > lo else lo + 1), "viridis"


def _cell_text(v: float, column: str) -> str:
    if not np.isfinite(v):
        return "-"
    if column.endswith("total_cost"):
        return _money(v)
    if column.endswith(("savings", "savings_p5", "savings_p95", "p_within_horizon")):
        return f"{v:.0%}"  # fractions in the table, percents in text
    return f"{v:,.3g}"


MAX_ANNOTATED_CELLS = 400  # a heatmap shows each cell's value up to this many cells


def plot_sweep(sweep, x: str, y: str, value: str) -> Figure:
    """Heatmap of one column of a grid sweep's table over two swept parameters:
    each cell's value written in it, and where a saving changes sign, the
    break-even contour (saving 0)."""
    from matplotlib import colormaps

    df = sweep.table()
    for name in (x, y, value):
        if name not in df.columns:
            raise KeyError(f"no column {name!r} (columns: {', '.join(df.columns)})")
    grid = df.pivot_table(index=y, columns=x, values=value, aggfunc="mean")
    z = grid.to_numpy(dtype=float)
    norm, cmap = _heat_scale(z[np.isfinite(z)])
    fig, (ax,) = _figure(width=7.5, height=5.5)
    mesh = ax.pcolormesh(np.arange(grid.shape[1] + 1), np.arange(grid.shape[0] + 1), z,
                         cmap=cmap, norm=norm, shading="flat")
    if z.size <= MAX_ANNOTATED_CELLS:
        size = 8 if z.size <= 64 else 6
        for (i, j), v in np.ndenumerate(z):
            r, g, b, _ = colormaps[cmap](norm(v)) if np.isfinite(v) else (1, 1, 1, 1)
            ink = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"
            ax.text(j + 0.5, i + 0.5, _cell_text(v, value), ha="center", va="center",
                    fontsize=size, color=ink)
    if "savings" in value and min(z.shape) >= 2 and np.nanmin(z) < 0 < np.nanmax(z):
        ax.contour(np.arange(grid.shape[1]) + 0.5, np.arange(grid.shape[0]) + 0.5, z,
                   levels=[0.0], colors="black", linewidths=2)
        ax.plot([], [], color="black", linewidth=2, label="break-even (saving 0)")
        ax.legend(frameon=True, fontsize=8, loc="upper left")
    ax.set_xticks(np.arange(grid.shape[1]) + 0.5, [label(parameter(v)) for v in grid.columns],
                  rotation=45)
    ax.set_yticks(np.arange(grid.shape[0]) + 0.5, [label(parameter(v)) for v in grid.index])
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(y))
    bar = fig.colorbar(mesh, ax=ax, label=label(value))
    if _cell_text(0.5, value) == "50%":  # a fraction: percents on the colour bar too
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.set_title(label(value))
    return fig


def plot_hourly_requests(hourly) -> Figure:
    """Requests per hour of each task (a DataFrame: hours x tasks), largest first;
    tasks beyond the eighth are summed as 'other'."""
    fig, (ax,) = _figure(9, 3.6)
    order = hourly.sum().sort_values(ascending=False).index
    shown = list(order[:7]) if len(order) > 8 else list(order)
    for i, task in enumerate(shown):
        ax.plot(hourly.index, hourly[task], lw=0.8, color=OKABE_ITO[i % 8], label=label(task))
    if len(order) > len(shown):
        ax.plot(hourly.index, hourly[order[len(shown):]].sum(axis=1), lw=0.8,
                color="#999999", label=f"other ({len(order) - len(shown)})")
    ax.set_ylabel("requests per hour")
    ax.set_title("Requests per hour by task (UTC)")
    ax.legend(fontsize=8, ncol=2, frameon=False)
    ax.tick_params(axis="x", labelrotation=30)
    return fig


def plot_backtest(days, task: str, metric: str) -> Figure:
    """Held-out days: the actual value against the simulated p5-p95 band and p50."""
    fig, (ax,) = _figure(8, 3.4)
    d = days[(days.task == task) & (days.metric == metric)]
    ax.fill_between(d.day, d.p5, d.p95, color=OKABE_ITO[0], alpha=0.25, label="simulated p5-p95")
    ax.plot(d.day, d.p50, color=OKABE_ITO[0], lw=1, label="simulated p50")
    ax.plot(d.day, d.actual, "o", color=OKABE_ITO[5], ms=4, label="actual")
    ax.set_ylabel(f"{metric.replace('_', ' ')} per day")
    ax.set_title(f"Backtest: {label(task)}, {d.inside.mean():.0%} of days inside p5-p95")
    ax.legend(fontsize=8, frameon=False)
    ax.tick_params(axis="x", labelrotation=30)
    return fig


def plot_pareto(optimum) -> Figure:
    """Mean against p95 of the total cost over the horizon of every feasible plan
    the optimizer evaluated; the Pareto front joined, the best and the baseline marked."""
    fig, (ax,) = _figure(7, 4.5)
    pts = np.array([(e.mean, e.p95) for e in optimum.evaluated])
    front = np.array([(e.mean, e.p95) for e in optimum.pareto()])
    ax.scatter(pts[:, 0], pts[:, 1], s=12, color="#999999", label="plans evaluated")
    ax.plot(front[:, 0], front[:, 1], "-o", ms=4, color=OKABE_ITO[0], label="Pareto front")
    ax.scatter([optimum.best.mean], [optimum.best.p95], s=80, marker="*",
               color=OKABE_ITO[5], zorder=5, label=f"best ({optimum.objective})")
    ax.scatter([optimum.baseline.mean], [optimum.baseline.p95], s=40, marker="s",
               color=OKABE_ITO[7], zorder=5, label="baseline")
    _money_axis(ax.xaxis)
    _money_axis(ax.yaxis)
    ax.set_xlabel("mean total cost over the horizon")
    ax.set_ylabel("p95 total cost over the horizon")
    ax.set_title(f"{label(optimum.scenario)}: plans by mean and p95 cost")
    ax.legend(fontsize=8, frameon=False)
    return fig
