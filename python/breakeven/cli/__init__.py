"""The ``breakeven`` command. Where things are:

- ``parser.py``: the parser class, option types, shared option groups and the
  table from API names to flags;
- ``failures.py``: exit statuses and the one line each failure prints;
- ``outputs.py``: checking and writing outputs (JSON, charts);
- one module per area, each with ``register(subparsers)`` and its ``cmd_*``
  functions: ``run.py`` (run, report, validate, models, schema, diff),
  ``decisions.py`` (sensitivity, threshold, optimize, sweep), ``logs.py``
  (ingest, backtest, synth-logs), ``recordings.py`` (check, record), ``catalog.py``
  (catalog import, catalog diff), ``quality.py`` (quality import).

A new command goes in its area's module; its options take the API's parameter
names as ``dest`` so that errors name the flag.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from .. import _core
from . import catalog, decisions, logs, quality, recordings, run
from .failures import EXIT_INTERNAL, failure, one_line
from .parser import Parser, flag_table

AREAS = (run, decisions, recordings, logs, catalog, quality)


def build_parser() -> Parser:
    parser = Parser(prog="breakeven",
                    description="Monte Carlo cost and break-even planning for LLM workloads.")
    parser.add_argument("--version", action="version",
                        version=f"breakeven {_core.__version__} (engine build {_core.BUILD})")
    sub = parser.add_subparsers(dest="command_name", required=True, metavar="command")
    for area in AREAS:
        area.register(sub)
    return parser


def _command_parser(parser, args):
    """The parser of the command that ran, verbs included (``catalog import``)."""
    while True:
        sub = next((a for a in parser._actions
                    if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None:
            return parser
        parser = sub.choices[getattr(args, sub.dest)]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except BaseException as e:  # noqa: BLE001 - the contract: one line, an exit status
        if isinstance(e, SystemExit):
            raise
        status, message = failure(e, flag_table(_command_parser(parser, args)))
        if os.environ.get("BREAKEVEN_TRACEBACK") and status == EXIT_INTERNAL:
            traceback.print_exc()
        if message:
            print(one_line(message), file=sys.stderr)
        return status
