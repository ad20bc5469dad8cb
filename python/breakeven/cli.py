"""The ``breakeven`` command: run, report, validate, models, sensitivity, threshold,
sweep, check, record, ingest, backtest, synth-logs.

Exit status: 0 success, 2 invalid input (message on stderr), 1 internal error,
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import _core
from .constants import DEFAULT_K, DEFAULT_MAX_UNSERVED, REPORT_FORMATS, checked_max_unserved
from .errors import LogError, OptionError, ScenarioError, shown
from .scenario import example_path, load

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_FAILED_CHECK = 1  # `breakeven check`: an expectation or comparison failed


def _scenario_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        help="scenario YAML or JSON file (default: the bundled content-platform example)",
    )


def _option(convert, kind: str, ok=None, allowed: str = ""):
    """An argparse type: ``convert`` the text, then check it with ``ok`` if given."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {kind} (got {text!r})") from None
        if ok is not None and not ok(value):
            raise argparse.ArgumentTypeError(f"must be {allowed} (got {value})")
        return value

    return parse


# Run options are only converted here; the engine checks their bounds (one place)
# and its error names the option. `check --k` is the CLI's own.
_whole = _option(int, "a whole number")
_number = _option(float, "a number")
_positive = _option(float, "a number", lambda v: v > 0, "> 0")


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paths", type=_whole, help="Monte Carlo paths")
    parser.add_argument("--seed", type=_whole, help="random seed")
    parser.add_argument("--mode", choices=["expected", "stochastic"])
    parser.add_argument("--threads", type=_whole, help="worker threads (default: all)")
    parser.add_argument(
        "--memory-budget",
        type=_number,
        metavar="GIB",
        help="most memory the run's arrays may take, in GiB (default 4)",
    )
    parser.add_argument(
        "--precision",
        type=_number,
        metavar="REL",
        help="run paths in blocks until every total's relative standard error is below REL "
        "(e.g. 0.005); --paths is then the maximum",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--antithetic", action=argparse.BooleanOptionalAction, default=None,
                        help="antithetic variates: paths in pairs with negated normal "
                             "shocks (default: the scenario's simulation.antithetic)")


def _max_unserved_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-unserved", type=_number, default=DEFAULT_MAX_UNSERVED,
                        metavar="SHARE", help="the largest share of requests a recommended "
                        "plan may leave unserved (default %(default)s)")


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI's failure contract: a bad option is one line on
    stderr (``error: --paths: must be ...``) and exit 2, not the usage text.
    Subcommands' parsers are of this class too (argparse makes them so)."""

    def error(self, message: str):
        if message.startswith("argument "):  # "argument --paths: must be ..."
            message = message.removeprefix("argument ")
        self.exit(EXIT_INPUT, shown(f"error: {message}") + "\n")


def save_figure(fig, path, option: str, **options) -> None:
    """Write a chart to ``path`` (PNG, or the format its suffix names) for the
    output ``option`` names."""
    from pathlib import Path

    from .files import open_output

    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    with open_output(path, option, binary=True) as f:
        fig.savefig(f, format=fmt, **options)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="breakeven",
        description="Monte Carlo cost and break-even planning for LLM workloads.",
    )
    parser.add_argument(
        "--version", action="version",
        version=f"breakeven {_core.__version__} (engine build {_core.BUILD})",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="simulate a scenario and print a summary table")
    _scenario_arg(run)
    run.add_argument("--json", metavar="FILE", help="write the result JSON v1 to FILE")
    _run_options(run)
    _max_unserved_option(run)

    report = sub.add_parser("report", help="write a report a planning meeting can use")
    _scenario_arg(report)
    report.add_argument("-o", "--output", required=True, metavar="FILE")
    report.add_argument(
        "--format", choices=REPORT_FORMATS, help="default: from the file suffix"
    )
    report.add_argument(
        "--with", dest="sections", default="", metavar="SECTIONS",
        help="add decision sections: sensitivity,threshold (docs/decisions.md)",
    )
    _run_options(report)
    _max_unserved_option(report)

    validate = sub.add_parser(
        "validate", help="check a scenario file and say what is wrong"
    )
    _scenario_arg(validate)

    sub.add_parser("models", help="list the bundled pricing catalog")

    sens = sub.add_parser(
        "sensitivity", help="what drives the saving: each input moved -/+ a share"
    )
    _scenario_arg(sens)
    sens.add_argument("--strategy", help="default: the cheapest besides the baseline")
    sens.add_argument("--delta", type=_number, default=0.25, help="default %(default)s")
    sens.add_argument("--paths", type=_whole, help="paths per run (default: the scenario's)")
    sens.add_argument("--seed", type=_whole)
    sens.add_argument("--threads", type=_whole)
    sens.add_argument("--json", metavar="FILE", help="write the result (docs/decisions.md)")
    sens.add_argument("--plot", metavar="FILE.png", help="write the tornado chart")

    thr = sub.add_parser(
        "threshold", help="the traffic at which a strategy starts to pay"
    )
    _scenario_arg(thr)
    thr.add_argument("--strategy", required=True)
    thr.add_argument("--within", type=_whole, required=True, metavar="MONTHS")
    thr.add_argument("--prob", type=_number, default=0.8, help="default %(default)s")
    thr.add_argument("--workload", help="scale this workload alone (default: all)")
    thr.add_argument("--range", type=_number, nargs=2, default=(0.01, 100.0),
                     metavar=("LOW", "HIGH"), help="scales searched (default 0.01 100)")
    thr.add_argument("--paths", type=_whole, help="paths per run (default: the scenario's)")
    thr.add_argument("--seed", type=_whole)
    thr.add_argument("--threads", type=_whole)
    thr.add_argument("--json", metavar="FILE", help="write the result (docs/decisions.md)")

    opt = sub.add_parser("optimize", help="the best plan under quality and risk limits")
    _scenario_arg(opt)
    opt.add_argument("--objective", default="mean", choices=("mean", "p95", "cvar95"),
                     help="of the total cost over the horizon (default %(default)s)")
    opt.add_argument("--budget", type=_number, metavar="USD",
                     help="the most a plan's p95 monthly cost may be")
    _max_unserved_option(opt)
    opt.add_argument("--paths", type=_whole, help="paths per run (default: min(scenario's, 500))")
    opt.add_argument("--seed", type=_whole)
    opt.add_argument("--threads", type=_whole)
    opt.add_argument("--json", metavar="FILE", help="write the result (docs/decisions.md)")
    opt.add_argument("--plot", metavar="FILE.png", help="write the Pareto chart")

    swp = sub.add_parser("sweep", help="run a grid or random sample of parameter values")
    swp.add_argument("sweep_file", metavar="SWEEP.yaml")
    swp.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                     help="run on this Dask scheduler (default: local processes)")
    swp.add_argument("--scheduler-timeout", type=_number, metavar="SECONDS",
                     help="the most the scheduler may take to answer, to show a worker, and "
                          "its workers to run a probe task (default 30)")
    swp.add_argument("--workers", type=_whole, help="local processes (default: one per core)")
    swp.add_argument("--csv", metavar="FILE", help="write the table as CSV")
    swp.add_argument("--parquet", metavar="FILE", help="write the table as Parquet")
    swp.add_argument("--json", metavar="FILE", help="write the result (docs/decisions.md)")
    swp.add_argument("--heatmap", nargs=4, metavar=("X", "Y", "COLUMN", "FILE.png"),
                     help="heatmap of COLUMN over parameters X and Y (a grid)")
    swp.add_argument("--quiet", action="store_true", help="no progress bar")

    check = sub.add_parser(
        "check",
        help="re-run scenarios, evaluate their expect: lists, compare with recordings",
    )
    check.add_argument(
        "paths", nargs="*", default=["scenarios"], help="files or folders"
    )
    check.add_argument(
        "--k",
        type=_positive,
        default=DEFAULT_K,
        help="stochastic tolerance in standard errors (default %(default)s)",
    )
    record = sub.add_parser(
        "record", help="rewrite the recordings of scenarios on purpose"
    )
    record.add_argument("paths", nargs="+", help="files or folders")
    from .logs.commands import add_parsers

    add_parsers(sub, _whole)
    return parser


def _load(path):
    return load(path if path else example_path())


def _simulate(args):
    return _load(args.scenario).run(
        paths=args.paths,
        seed=args.seed,
        mode=args.mode,
        threads=args.threads,
        precision=args.precision,
        progress=False if args.quiet else None,
        memory_budget_gib=args.memory_budget,
        antithetic=args.antithetic,
    )


def cmd_run(args) -> int:
    checked_max_unserved(args.max_unserved)
    result = _simulate(args)
    print(result.document(args.max_unserved).terminal())
    if args.json:
        result.to_json(args.json)
        print(f"\nresult JSON written to {args.json}")
    return EXIT_OK


def cmd_report(args) -> int:
    from .decisions.sections import checked_sections, decision_documents
    from .presentation import document_format
    from .report import FORMATS, write_report

    checked_max_unserved(args.max_unserved)
    fmt = document_format(args.output, args.format, FORMATS)
    names = checked_sections([s for s in args.sections.split(",") if s])
    result = _simulate(args)
    path = write_report(result, args.output, fmt, decision_documents(result, names),
                        args.max_unserved)
    print(f"{fmt} report written to {path}")
    return EXIT_OK


def cmd_validate(args) -> int:
    from .formatting import counted

    s = _load(args.scenario)
    print(
        f"ok: {s.name}: {counted(len(s.workloads), 'workload')}, "
        f"{counted(len(s.strategies), 'strategy', 'strategies')}, "
        f"{counted(len(s.clusters), 'cluster')}, {counted(s.horizon_months, 'month')}, "
        f"baseline {s.baseline}"
    )
    return EXIT_OK


def cmd_models(args) -> int:
    from .catalog import catalog_document

    print(catalog_document().terminal())
    return EXIT_OK


def write_json(path, doc, option: str = "json") -> None:
    import json

    from .files import open_output

    with open_output(path, option) as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"\nJSON written to {path}")


def cmd_sensitivity(args) -> int:
    from .decisions import sensitivity

    s = sensitivity(_load(args.scenario), args.strategy, args.delta, args.paths,
                    args.seed, args.threads)
    print(s.document().terminal())
    if args.plot:
        save_figure(s.plot(), args.plot, "plot", dpi=120)
        print(f"\ntornado chart written to {args.plot}")
    if args.json:
        write_json(args.json, s.to_dict())
    return EXIT_OK


def cmd_threshold(args) -> int:
    from .decisions import threshold

    t = threshold(_load(args.scenario), args.strategy, args.within, args.prob,
                  args.workload, tuple(args.range), args.paths, args.seed, args.threads)
    print(t.document().terminal())
    if args.json:
        write_json(args.json, t.to_dict())
    return EXIT_OK


def cmd_optimize(args) -> int:
    from .decisions import optimize

    best = optimize(_load(args.scenario), objective=args.objective, budget=args.budget,
                    max_unserved=args.max_unserved, paths=args.paths, seed=args.seed,
                    threads=args.threads)
    print(best.document().terminal())
    if args.json:
        write_json(args.json, best.to_dict())
    if args.plot:
        save_figure(best.plot(), args.plot, "plot", dpi=120)
        print(f"Pareto chart written to {args.plot}")
    return EXIT_OK


def cmd_sweep(args) -> int:
    import importlib.util
    from pathlib import Path

    from .decisions.sweep import (SCHEDULER_TIMEOUT_S, check_heatmap, connect, load_sweep,
                                  local_workers, sweep)

    # Everything that can be refused is refused before the first point runs.
    if args.workers is not None:
        local_workers(args.workers)
    outputs = {"csv": args.csv, "parquet": args.parquet, "json": args.json,
               "heatmap": args.heatmap[3] if args.heatmap else None}
    for option, out in outputs.items():
        if out and not Path(out).parent.is_dir():
            raise OptionError(option, f"{out}: the folder {Path(out).parent} does not exist")
    if args.parquet and importlib.util.find_spec("pyarrow") is None:
        raise OptionError("parquet", "needs pyarrow: pip install 'breakeven[sweep]'")
    spec = load_sweep(args.sweep_file)
    if args.heatmap:
        check_heatmap(spec, *args.heatmap[:3])
    client = None
    if args.scheduler:
        timeout = SCHEDULER_TIMEOUT_S if args.scheduler_timeout is None else args.scheduler_timeout
        client = connect(args.scheduler, timeout)
    try:
        result = sweep(spec, client=client, workers=args.workers,
                       progress=False if args.quiet else None)
    finally:
        if client is not None:
            client.close()
    table = result.table()
    print(f"{len(table)} points of {spec.base_name}, {len(spec.parameters) or len(spec.points[0])} "
          f"parameters")
    print(table.to_string(max_rows=20))
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
        result.plot(x, y, column).savefig(out, dpi=120)
        print(f"heatmap written to {out}")
    return EXIT_OK


def cmd_check(args) -> int:
    from .recording import check, scenario_files

    files = scenario_files(args.paths)
    if not files:
        raise ScenarioError(" ".join(args.paths), None, "", "no scenario files found")
    failed = passed = 0
    for path in files:
        for line in check(path, k=args.k):
            print(line, flush=True)
            failed += line.status == "FAIL"
            passed += line.status == "PASS"
    print(f"\ncheck: {passed} passed, {failed} failed")
    return EXIT_FAILED_CHECK if failed else EXIT_OK


def cmd_record(args) -> int:
    from .recording import record, scenario_files

    for path in scenario_files(args.paths):
        out, changed = record(path)
        print(f"recorded {out} ({changed} values new or changed)")
    return EXIT_OK


def _ingest_command(name: str):
    def command(args) -> int:
        from .logs import commands

        return getattr(commands, name)(args)

    return command


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = {
        "run": cmd_run,
        "report": cmd_report,
        "validate": cmd_validate,
        "models": cmd_models,
        "sensitivity": cmd_sensitivity,
        "threshold": cmd_threshold,
        "sweep": cmd_sweep,
        "optimize": cmd_optimize,
        "check": cmd_check,
        "record": cmd_record,
        "ingest": _ingest_command("cmd_ingest"),
        "backtest": _ingest_command("cmd_backtest"),
        "synth-logs": _ingest_command("cmd_synth_logs"),
    }[args.command]
    try:
        return command(args)
    except BaseException as e:  # noqa: BLE001 - the contract: one line, an exit status
        status, message = _failure(e, _flags(parser, args.command))
        if os.environ.get("BREAKEVEN_TRACEBACK") and status == EXIT_INTERNAL:
            traceback.print_exc()
        if message:
            print(_one_line(message), file=sys.stderr)
        return status


MAX_MESSAGE = 2000  # characters of an error line; a longer one is cut


def _one_line(message: str) -> str:
    """``message`` with secrets redacted and control bytes (newlines too) escaped,
    at most MAX_MESSAGE characters: whatever an error holds, one readable line."""
    line = shown(message)
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE - 1] + "…"


def _text(e: BaseException) -> str:
    """The first line of an exception's message: some (DuckDB's) run on for lines."""
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def _flags(parser: argparse.ArgumentParser, command: str) -> set[str]:
    """The option strings of a command (``--paths``, ``-o``, ...)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {o for a in sub.choices[command]._actions for o in a.option_strings}


def _option_message(option: str, reason: str, flags: set[str]) -> str:
    """``error: --flag: reason`` where the option is a flag of the command, else
    ``error: option: reason`` (a field of a sweep file, say, is no flag)."""
    flag = "--" + option.removesuffix("_gib").replace("_", "-")
    return f"error: {flag if flag in flags else option}: {reason}"


# DuckDB's errors that say the input is at fault (a file it cannot read or
# convert, or more memory than the limit allows), not breakeven.
_DUCKDB_INPUT_ERRORS = {"InvalidInputException", "ConversionException", "IOException",
                        "OutOfMemoryException", "OutOfRangeException"}


def _failure(e: BaseException, flags: set[str]) -> tuple[int, str]:
    """The exit status and the one-line message for an exception out of a command."""
    if isinstance(e, (ScenarioError, LogError)):
        return EXIT_INPUT, f"error: {e}"
    if isinstance(e, (OptionError, _core.OptionError)):
        option, reason = (e.option, e.reason) if isinstance(e, OptionError) else e.args
        return EXIT_INPUT, _option_message(option, reason, flags)
    if isinstance(e, _core.ScenarioError):
        field, reason = e.args
        return EXIT_INPUT, f"error: {field}: {reason}"
    if isinstance(e, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(e, BrokenPipeError):  # `breakeven models | head`: not an error
        sys.stderr.close()
        return EXIT_OK, ""
    if isinstance(e, OSError):  # e.g. --json into a folder that does not exist
        return EXIT_INPUT, f"error: {_text(e)}"
    if isinstance(e, MemoryError):
        return EXIT_INPUT, "error: out of memory; use fewer paths or a smaller input"
    if isinstance(e, RecursionError):
        return EXIT_INPUT, "error: the input nests too deeply to process"
    if isinstance(e, OverflowError):
        return EXIT_INPUT, f"error: a number in the input is too large ({_text(e)})"
    if type(e).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        if type(e).__name__ == "OutOfMemoryException":
            return EXIT_INPUT, ("error: the logs need more memory than --memory-limit "
                                f"allows; raise it ({_text(e)})")
        if type(e).__name__ in _DUCKDB_INPUT_ERRORS:
            return EXIT_INPUT, f"error: the logs cannot be read ({_text(e)})"
    if isinstance(e, SystemExit):
        raise e
    return EXIT_INTERNAL, (f"internal error: {type(e).__name__}: {_text(e)} (please report it with "
                           "the input; BREAKEVEN_TRACEBACK=1 shows where)")
