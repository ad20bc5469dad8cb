"""Commands that measure first: ingest, backtest, synth-logs (docs/ingest.md)."""

from __future__ import annotations

import argparse
import os

from .failures import EXIT_OK
from .outputs import check_figures, check_outputs, save_figure, write_json
from ..logs.shrinkage import DEFAULT_GROWTH_PRIOR
from .parser import catalog_option, pair, whole


def register(sub) -> None:
    ing = sub.add_parser("ingest", help="read usage logs: spend by task, a fitted scenario")
    _log_args(ing)
    ing.add_argument("-o", "--output", metavar="scenario.yaml",
                     help="write the fitted scenario (YAML with comments)")
    ing.add_argument("--report", metavar="spend.html",
                     help="write the spend view (html, md or pdf from the suffix)")
    ing.add_argument("--json", metavar="spend.json", help="write the spend view as JSON")
    ing.add_argument("--focus", metavar="FILE", help="write FOCUS 1.2 cost rows (.csv or "
                     ".parquet): one per calendar month, task and model")
    ing.add_argument("--bootstrap", type=whole, default=50,
                     help="replicates for standard errors: 0 (none) or 2 to 1000 "
                          "(default %(default)s)")
    ing.add_argument("--growth-prior", type=pair, default=DEFAULT_GROWTH_PRIOR,
                     metavar="MEAN,SD", help="the fit's prior on growth per month "
                     "(default {:g},{:g}; docs/ingest.md)".format(*DEFAULT_GROWTH_PRIOR))
    ing.set_defaults(command=cmd_ingest)

    bt = sub.add_parser("backtest", help="fit on the first days, check the rest")
    _log_args(bt)
    bt.add_argument("--train-days", type=whole, required=True, metavar="N")
    bt.add_argument("--paths", type=whole, default=500, help="default %(default)s")
    bt.add_argument("--seed", type=whole, default=0)
    bt.add_argument("--json", metavar="FILE", help="write the backtest (docs/ingest.md)")
    bt.add_argument("--report", metavar="backtest.html",
                    help="write the backtest with its calibration and chart (html, md or pdf "
                         "from the suffix)")
    bt.add_argument("--plot", metavar="FILE.png", help="chart of total requests per day")
    bt.set_defaults(command=cmd_backtest)

    sl = sub.add_parser("synth-logs", help="request-level logs drawn from a scenario")
    sl.add_argument("scenario")
    catalog_option(sl)
    sl.add_argument("--days", type=whole, required=True)
    sl.add_argument("--format", default="openai", choices=("openai", "anthropic", "litellm",
                                                            "otel"))
    sl.add_argument("--strategy", help="whose routing the logs show (default: the baseline)")
    sl.add_argument("--seed", type=whole, help="default: the scenario's")
    sl.add_argument("-o", "--output", required=True, metavar="FILE",
                    help=".jsonl (.gz/.zst to compress); .csv for litellm")
    sl.set_defaults(command=cmd_synth_logs)


def _log_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("logs", nargs="+", metavar="LOG",
                   help="files, globs or a postgresql:// URL of a LiteLLM proxy database")
    p.add_argument("--catalog", metavar="FILE",
                   help="price the logs and the fitted scenario from this catalog file "
                        "(e.g. from `breakeven catalog import`) instead of the bundled one")
    p.add_argument("--task", metavar="FIELD",
                   help="task category: a field or JSON path (metadata.task_type) or a "
                        "LiteLLM tag prefix ending in ':' (taskName:); default: the model")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=PATH",
                   help="where a canonical field is, for logs of no known format")
    p.add_argument("--session", metavar="FIELD",
                   help="a conversation or session id (default: the format's own, if any)")
    p.add_argument("--prefix-hashes", metavar="FIELD",
                   help="a list of prompt block hashes per request: replay the prefix "
                        "cache at 5 min, 1 h and 24 h")
    p.add_argument("--block-tokens", type=whole, default=512, metavar="N",
                   help="tokens per hashed block (default %(default)s)")
    p.add_argument("--memory-limit", default=None, metavar="SIZE",
                   help="DuckDB memory limit before spilling to disk (default 1GB)")
    p.add_argument("--max-files", type=whole, metavar="N",
                   help="most log files in one ingest (default 1000)")
    p.add_argument("--max-names", type=whole, metavar="N",
                   help="most distinct tasks, and models (default 2000)")
    p.add_argument("--max-days", type=whole, metavar="N",
                   help="most days from the first record to the last (default 1100)")


def _ingest(args):
    from ..errors import OptionError
    from ..logs import DEFAULT_MEMORY_LIMIT, ingest

    mapping = {}
    for item in args.map:
        field, sep, path = item.partition("=")
        if not sep or not field or not path:
            raise OptionError("map", f"must be FIELD=PATH (got {item!r})")
        mapping[field.strip()] = path.strip()
    return ingest(args.logs, task=args.task, mapping=mapping,
                  memory_limit=args.memory_limit or DEFAULT_MEMORY_LIMIT,
                  max_files=args.max_files, max_names=args.max_names, max_days=args.max_days,
                  session=args.session, prefix_hashes=args.prefix_hashes,
                  block_tokens=args.block_tokens, catalog=args.catalog)


def cmd_ingest(args) -> int:
    from ..errors import printable
    from ..files import open_output
    from ..logs.spend import spend_document, spend_summary

    from ..logs.fit import checked_bootstrap
    from ..logs.shrinkage import checked_prior

    check_outputs(output=args.output, report=args.report, json=args.json, focus=args.focus)
    checked_bootstrap(args.bootstrap)
    checked_prior(args.growth_prior)
    if args.report:
        from ..presentation import document_format

        document_format(args.report, option="report")
    if args.focus:
        from ..exports import focus_format

        focus_format(args.focus)
    usage = _ingest(args)
    doc = spend_document(usage)
    print(doc.terminal())
    if args.json:
        write_json(args.json, spend_summary(usage))
    if args.report:
        doc.write(args.report, option="report")
        print(f"spend view written to {args.report}")
    if args.focus:
        from ..exports import write_focus

        print(f"FOCUS rows written to {write_focus(usage, args.focus)}")
    if args.output:
        scenario = usage.fit(bootstrap=args.bootstrap, growth_prior=args.growth_prior)
        with open_output(args.output, "output") as f:
            f.write(scenario.fit_report.yaml_in(os.path.dirname(os.path.abspath(args.output))))
        print(f"fitted scenario written to {args.output}")
        for note in scenario.fit_report.notes:
            print(printable(f"  {note}"))
    return EXIT_OK


def cmd_backtest(args) -> int:
    from ..logs.backtest import checked_options

    check_outputs(json=args.json, report=args.report)
    check_figures(plot=args.plot)
    checked_options(args.train_days, args.paths, args.seed)
    if args.report:
        from ..presentation import document_format

        document_format(args.report, option="report")
    usage = _ingest(args)
    bt = usage.backtest(args.train_days, paths=args.paths, seed=args.seed)
    doc = bt.document(usage.notes)
    print(doc.terminal())
    if args.json:
        write_json(args.json, bt.to_json())
    if args.report:
        doc.write(args.report, option="report")
        print(f"backtest written to {args.report}")
    if args.plot:
        save_figure(bt.plot(), args.plot, "plot", dpi=110, bbox_inches="tight")
        print(f"chart written to {args.plot}")
    return EXIT_OK


def cmd_synth_logs(args) -> int:
    from ..logs.prices import catalog_prices
    from ..logs.synth import SyntheticLogs, check_output, write_logs
    from ..scenario import load

    check_output(args.output, args.format)
    scenario = load(args.scenario, catalog=args.catalog)
    logs = SyntheticLogs(scenario, args.days, seed=args.seed, strategy=args.strategy)
    n = write_logs(logs.chunks(), args.format, args.output,
                   prices=catalog_prices(scenario.catalog))
    print(f"{n:,} {args.format} records over {args.days} days written to {args.output}")
    return EXIT_OK
