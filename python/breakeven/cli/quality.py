"""Commands about quality scores: quality import (eval results into the scenario's
quality table, with bootstrap intervals)."""

from __future__ import annotations

from .failures import EXIT_OK
from .outputs import check_outputs
from .parser import number, whole


def register(sub) -> None:
    from ..evals import DEFAULT_LEVEL, DEFAULT_REPLICATES, FORMATS

    q = sub.add_parser("quality", help="quality scores from eval results")
    verbs = q.add_subparsers(dest="quality_command", required=True, metavar="verb")
    imp = verbs.add_parser("import", help="eval results -> a quality: table with "
                           "bootstrap intervals (YAML to put in a scenario)")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
    imp.add_argument("-o", "--output", required=True, metavar="quality.yaml")
    imp.add_argument("--workload", metavar="NAME",
                     help="the workload of rows that name no task")
    imp.add_argument("--metric", metavar="NAME",
                     help="langfuse: the score name to read (needed when there are several)")
    imp.add_argument("--replicates", type=whole, default=DEFAULT_REPLICATES,
                     help="bootstrap replicates (default %(default)s)")
    imp.add_argument("--level", type=number, default=DEFAULT_LEVEL,
                     help="confidence level of the intervals (default %(default)s)")
    imp.add_argument("--seed", type=whole, default=0, help="bootstrap seed (default 0)")
    imp.set_defaults(command=cmd_import)


def cmd_import(args) -> int:
    from ..evals import quality_table, quality_yaml, read_evals
    from ..files import open_output

    check_outputs(output=args.output)
    rows = read_evals(args.file, args.fmt, args.workload, args.metric)
    table = quality_table(rows, args.replicates, args.level, args.seed)
    header = (f"quality from {args.file} ({args.fmt}): mean score per item, "
              f"{args.level:.0%} percentile bootstrap intervals\n({args.replicates} "
              f"replicates over items, seed {args.seed}); paste under a scenario's "
              "top level")
    with open_output(args.output, "output") as f:
        f.write(quality_yaml(table, header))
    for model, tasks in table.items():
        for task, s in tasks.items():
            print(f"{model:>24} {task:<20} {s['mean']:.3f} [{s['low']:.3f}, "
                  f"{s['high']:.3f}] over {s['items']:,} items")
    for reason, n in rows.skipped.items():
        print(f"left out {n:,} rows: {reason}")
    print(f"\nquality table written to {args.output}")
    return EXIT_OK
