"""Commands that decide on top of runs: sensitivity, threshold, optimize, sweep
(docs/decisions.md)."""

from __future__ import annotations

from ..constants import checked_max_unserved
from .failures import EXIT_OK
from .outputs import check_figures, check_outputs, save_figure, write_json
from .parser import (
    against_option,
    decision_run_options,
    json_option,
    max_unserved_option,
    number,
    scenario_arg,
    whole,
)
from .run import scenario_of


def register(sub) -> None:
    sens = sub.add_parser("sensitivity",
                          help="what drives the saving: each input moved -/+ a share")
    scenario_arg(sens)
    sens.add_argument("--strategy", help="default: the cheapest besides the baseline")
    sens.add_argument("--delta", type=number, default=0.25, help="default %(default)s")
    against_option(sens)
    decision_run_options(sens, "paths per run (default: the scenario's)")
    json_option(sens, "the result (docs/decisions.md)")
    sens.add_argument("--plot", metavar="FILE.png", help="write the tornado chart")
    sens.set_defaults(command=cmd_sensitivity)

    thr = sub.add_parser("threshold", help="the traffic at which a strategy starts to pay")
    scenario_arg(thr)
    thr.add_argument("--strategy", required=True)
    thr.add_argument("--within", type=whole, required=True, metavar="MONTHS")
    thr.add_argument("--prob", type=number, default=0.8, help="default %(default)s")
    thr.add_argument("--workload", help="scale this workload alone (default: all)")
    thr.add_argument("--range", type=number, nargs=2, default=(0.01, 100.0),
                     metavar=("LOW", "HIGH"), help="scales searched (default 0.01 100)")
    against_option(thr)
    decision_run_options(thr, "paths per run (default: the scenario's)")
    json_option(thr, "the result (docs/decisions.md)")
    thr.set_defaults(command=cmd_threshold)

    opt = sub.add_parser("optimize", help="the best plan under quality and risk limits")
    scenario_arg(opt)
    opt.add_argument("--objective", default="mean", choices=("mean", "p95", "cvar95"),
                     help="of the total cost over the horizon (default %(default)s)")
    opt.add_argument("--budget", type=number, metavar="USD",
                     help="the most a plan's p95 monthly cost may be")
    max_unserved_option(opt)
    opt.add_argument("--single-routes", action="store_true",
                     help="one model or cluster per workload: no splits")
    opt.add_argument("--cascades", action="store_true",
                     help="also cascades escalating from_quality, scored as their strong "
                          "model (a perfect verifier: an upper bound)")
    against_option(opt)
    decision_run_options(opt, "paths per run (default: min(scenario's, 500))")
    json_option(opt, "the result (docs/decisions.md)")
    opt.add_argument("--plot", metavar="FILE.png", help="write the Pareto chart")
    opt.set_defaults(command=cmd_optimize)

    swp = sub.add_parser("sweep", help="run a grid or random sample of parameter values")
    swp.add_argument("sweep_file", metavar="SWEEP.yaml")
    swp.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                     help="run on this Dask scheduler (default: local processes)")
    swp.add_argument("--scheduler-timeout", type=number, metavar="SECONDS",
                     help="the most the scheduler may take to answer, to show a worker, and "
                          "its workers to run a probe task (default 30)")
    swp.add_argument("--workers", type=whole, help="local processes (default: one per core)")
    swp.add_argument("--csv", metavar="FILE", help="write the table as CSV")
    swp.add_argument("--parquet", metavar="FILE", help="write the table as Parquet")
    json_option(swp, "the result (docs/decisions.md)")
    swp.add_argument("--heatmap", nargs=4, metavar=("X", "Y", "COLUMN", "FILE.png"),
                     help="heatmap of COLUMN over parameters X and Y (a grid)")
    swp.add_argument("--quiet", action="store_true", help="no progress bar")
    swp.set_defaults(command=cmd_sweep)


def cmd_sensitivity(args) -> int:
    from ..decisions import sensitivity

    check_outputs(json=args.json)
    check_figures(plot=args.plot)
    s = sensitivity(scenario_of(args), args.strategy, args.delta, args.paths, args.seed,
                    args.threads, against=args.against)
    print(s.document().terminal())
    if args.plot:
        save_figure(s.plot(), args.plot, "plot", dpi=120)
        print(f"\ntornado chart written to {args.plot}")
    if args.json:
        write_json(args.json, s.to_dict())
    return EXIT_OK


def cmd_threshold(args) -> int:
    from ..decisions import threshold

    check_outputs(json=args.json)
    t = threshold(scenario_of(args), args.strategy, args.within, args.prob, args.workload,
                  tuple(args.range), args.paths, args.seed, args.threads,
                  against=args.against)
    print(t.document().terminal())
    if args.json:
        write_json(args.json, t.to_dict())
    return EXIT_OK


def cmd_optimize(args) -> int:
    from ..decisions import optimize

    checked_max_unserved(args.max_unserved)
    check_outputs(json=args.json)
    check_figures(plot=args.plot)
    best = optimize(scenario_of(args), objective=args.objective, budget=args.budget,
                    max_unserved=args.max_unserved, paths=args.paths, seed=args.seed,
                    threads=args.threads, mixed_routes=not args.single_routes,
                    against=args.against, cascades=args.cascades)
    print(best.document().terminal())
    if args.json:
        write_json(args.json, best.to_dict())
    if args.plot:
        save_figure(best.plot(), args.plot, "plot", dpi=120)
        print(f"Pareto chart written to {args.plot}")
    return EXIT_OK


def cmd_sweep(args) -> int:
    import importlib.util

    from ..decisions.sweep import (
        SCHEDULER_TIMEOUT_S,
        check_heatmap,
        connect,
        load_sweep,
        local_workers,
        sweep,
    )
    from ..errors import OptionError

    # Everything that can be refused is refused before the first point runs.
    if args.workers is not None:
        local_workers(args.workers)
    check_outputs(csv=args.csv, parquet=args.parquet, json=args.json)
    check_figures(heatmap=args.heatmap[3] if args.heatmap else None)
    if args.parquet and importlib.util.find_spec("pyarrow") is None:
        raise OptionError("parquet", "needs pyarrow: pip install 'breakeven[sweep]'")
    spec = load_sweep(args.sweep_file)
    if args.heatmap:
        check_heatmap(spec, *args.heatmap[:3])
    client = None
    if args.scheduler:
        timeout = (SCHEDULER_TIMEOUT_S if args.scheduler_timeout is None
                   else args.scheduler_timeout)
        client = connect(args.scheduler, timeout)
    try:
        result = sweep(spec, client=client, workers=args.workers,
                       progress=False if args.quiet else None)
    finally:
        if client is not None:
            client.close()
    print(result.document().terminal())
    if args.csv:
        result.to_csv(args.csv)
        print(f"\nCSV written to {args.csv}")
    if args.parquet:
        result.to_parquet(args.parquet)
        print(f"Parquet written to {args.parquet}")
    if args.json:
        write_json(args.json, result.to_dict())
    if args.heatmap:
        x, y, column, out = args.heatmap
        save_figure(result.plot(x, y, column), out, "heatmap", dpi=120)
        print(f"heatmap written to {out}")
    return EXIT_OK
