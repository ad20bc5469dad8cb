"""Commands about one scenario: run, report, validate, models, schema, diff."""

from __future__ import annotations

from ..constants import REPORT_FORMATS, checked_max_unserved
from ..scenario import example_path, load
from ..schemas import NAMES
from .failures import EXIT_OK
from .outputs import check_outputs, write_json
from .parser import (
    catalog_option,
    decision_run_options,
    max_unserved_option,
    run_options,
    scenario_arg,
)


def register(sub) -> None:
    run = sub.add_parser("run", help="simulate a scenario and print a summary table")
    scenario_arg(run)
    run.add_argument("--json", metavar="FILE", help="write the result JSON v1 to FILE")
    run.add_argument("--csv", metavar="FILE", help="write the summary to FILE and the monthly "
                     "bands beside it (FILE-monthly.csv); a file, not a pipe")
    run.add_argument("--xlsx", metavar="FILE", help="write the summary and monthly bands as "
                     "two sheets (needs openpyxl: pip install 'breakeven[xlsx]')")
    run.add_argument("--focus", metavar="FILE", help="write FOCUS 1.2 cost rows (.csv or "
                     ".parquet): one per month, strategy and cost part")
    run.add_argument("--start", metavar="YYYY-MM", help="the calendar month of the horizon's "
                     "month 1 in --focus rows (default: next month)")
    run_options(run)
    max_unserved_option(run)
    run.set_defaults(command=cmd_run)

    report = sub.add_parser("report", help="write a report a planning meeting can use")
    scenario_arg(report)
    report.add_argument("-o", "--output", required=True, metavar="FILE")
    report.add_argument("--format", choices=REPORT_FORMATS,
                        help="default: from the file suffix")
    report.add_argument("--with", dest="sections", default="", metavar="SECTIONS",
                        help="add decision sections: sensitivity,threshold (docs/decisions.md)")
    run_options(report)
    max_unserved_option(report)
    report.set_defaults(command=cmd_report)

    validate = sub.add_parser("validate", help="check a scenario file and say what is wrong")
    scenario_arg(validate)
    validate.set_defaults(command=cmd_validate)

    models = sub.add_parser("models", help="list the pricing catalog (the bundled one, or "
                            "--catalog FILE)")
    catalog_option(models)
    models.set_defaults(command=cmd_models)

    schema = sub.add_parser("schema", help="print a JSON Schema (default: the scenario "
                            "file's, for editors; docs/schemas.md)")
    schema.add_argument("name", nargs="?", default="scenario", help=", ".join(NAMES))
    schema.set_defaults(command=cmd_schema)

    diff = sub.add_parser("diff", help="what changed between two scenarios, and what it "
                          "does to each strategy's cost and break-even")
    diff.add_argument("a", metavar="A.yaml")
    diff.add_argument("b", metavar="B.yaml")
    decision_run_options(diff, "paths per run (default: A's)")
    catalog_option(diff)
    diff.add_argument("--json", metavar="FILE", help="write the diff as JSON")
    diff.set_defaults(command=cmd_diff)


def scenario_of(args):
    return load(args.scenario if args.scenario else example_path(), catalog=args.catalog)


def simulate(args, scenario=None):
    return (scenario or scenario_of(args)).run(
        paths=args.paths, seed=args.seed, mode=args.mode, threads=args.threads,
        precision=args.precision, progress=False if args.quiet else None,
        memory_budget_gib=args.memory_budget_gib, antithetic=args.antithetic)


def cmd_run(args) -> int:
    from ..exports import check_xlsx, checked_start, focus_format

    checked_max_unserved(args.max_unserved)
    check_outputs(json=args.json, csv=args.csv, xlsx=args.xlsx, focus=args.focus)
    if args.xlsx:
        check_xlsx()
    if args.focus:
        focus_format(args.focus)
    start = checked_start(args.start) if args.focus or args.start else None
    result = simulate(args)
    print(result.document(args.max_unserved).terminal())
    if args.json:
        result.to_json(args.json)
        print(f"\nresult JSON written to {args.json}")
    _tables(result, args, start)
    return EXIT_OK


def _tables(result, args, start) -> None:
    from ..exports import write_csv, write_focus, write_xlsx

    if args.csv:
        files = write_csv(result, args.csv)
        print(f"CSV written to {', '.join(map(str, files))}")
    if args.xlsx:
        print(f"XLSX written to {write_xlsx(result, args.xlsx)}")
    if args.focus:
        print(f"FOCUS rows written to {write_focus(result, args.focus, start)}")


def cmd_report(args) -> int:
    from ..decisions.sections import checked_sections, decision_documents
    from ..presentation import document_format
    from ..report import FORMATS, write_report

    checked_max_unserved(args.max_unserved)
    check_outputs(output=args.output)
    fmt = document_format(args.output, args.format, FORMATS)
    scenario = scenario_of(args)
    names = checked_sections([s for s in args.sections.split(",") if s], scenario)
    result = simulate(args, scenario)
    path = write_report(result, args.output, fmt,
                        decision_documents(result, names, args.max_unserved),
                        args.max_unserved)
    print(f"{fmt} report written to {path}")
    return EXIT_OK


def cmd_validate(args) -> int:
    from ..formatting import counted

    s = scenario_of(args)
    print(f"ok: {s.name}: {counted(len(s.workloads), 'workload')}, "
          f"{counted(len(s.strategies), 'strategy', 'strategies')}, "
          f"{counted(len(s.clusters), 'cluster')}, {counted(s.horizon_months, 'month')}, "
          f"baseline {s.baseline}")
    return EXIT_OK


def cmd_models(args) -> int:
    from ..catalog import catalog_document, read_catalog

    found = read_catalog(args.catalog) if args.catalog else None
    print(catalog_document(found).terminal())
    return EXIT_OK


def cmd_schema(args) -> int:
    from ..errors import OptionError
    from ..schemas import schema_text

    if args.name not in NAMES:
        raise OptionError("name", f"must be one of {', '.join(NAMES)} (got {args.name!r})")
    print(schema_text(args.name), end="")
    return EXIT_OK


def cmd_diff(args) -> int:
    from ..diff import diff_scenarios

    check_outputs(json=args.json)
    a, b = (load(x, catalog=args.catalog) for x in (args.a, args.b))
    d = diff_scenarios(a, b, paths=args.paths, seed=args.seed, threads=args.threads)
    print(d.document().terminal())
    if args.json:
        write_json(args.json, d.to_dict())
    return EXIT_OK
