"""How every command reads its options: one parser class (a bad option is one
line), the option types, the groups of options several commands share, and the
table from API parameter names to flags (each option's ``dest`` is the API's name
for it, so that an error raised deep in the API names the flag)."""

from __future__ import annotations

import argparse

from .. import _core
from ..constants import DEFAULT_MAX_UNSERVED
from ..errors import shown
from .failures import EXIT_INPUT


class Parser(argparse.ArgumentParser):
    """argparse with the CLI's failure contract: a bad option is one line on
    stderr (``error: --paths: must be ...``) and exit 2, not the usage text.
    Subcommands' parsers are of this class too (argparse makes them so)."""

    def error(self, message: str):
        if message.startswith("argument "):  # "argument --paths: must be ..."
            message = message.removeprefix("argument ")
        self.exit(EXIT_INPUT, shown(f"error: {message}") + "\n")


def option(convert, kind: str, ok=None, allowed: str = ""):
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
# and its error names the option.
whole = option(int, "a whole number")
number = option(float, "a number")
positive = option(float, "a number", lambda v: v > 0, "> 0")


def _pair(text: str) -> tuple[float, float]:
    a, b = text.split(",")  # a ValueError unless exactly two
    return float(a), float(b)


pair = option(_pair, "two numbers, e.g. 0,0.05")


def flag_table(parser: argparse.ArgumentParser) -> dict[str, str]:
    """API parameter name (an option's dest, or its flag's words) -> its flag."""
    table = {}
    for action in parser._actions:
        if action.option_strings:
            flag = action.option_strings[-1]
            table[flag.lstrip("-").replace("-", "_")] = flag
            table[action.dest] = flag
    return table


def scenario_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario", nargs="?",
        help="scenario YAML or JSON file (default: the bundled content-platform example)")
    catalog_option(parser)


def catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog", metavar="FILE",
        help="price from this catalog file (e.g. from `breakeven catalog import`) instead "
             "of the scenario's catalog: or the bundled one")


def run_options(parser: argparse.ArgumentParser) -> None:
    """What a run takes: Scenario.run's parameters, named as it names them."""
    parser.add_argument("--paths", type=whole, help="Monte Carlo paths")
    parser.add_argument("--seed", type=whole, help="random seed")
    parser.add_argument("--mode", choices=["expected", "stochastic"])
    parser.add_argument("--threads", type=whole, help="worker threads (default: all)")
    parser.add_argument(
        "--memory-budget", dest="memory_budget_gib", type=number, metavar="GIB",
        help="most memory the run's arrays may take, in GiB (default "
             f"{_core.LIMITS['default_memory_budget_bytes'] / 2**30:g})")
    parser.add_argument(
        "--precision", type=number, metavar="REL",
        help="run paths in blocks until every total's relative standard error is below REL "
             "(e.g. 0.005); --paths is then the maximum")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--antithetic", action=argparse.BooleanOptionalAction, default=None,
                        help="antithetic variates: paths in pairs with negated normal "
                             "shocks (default: the scenario's simulation.antithetic)")


def decision_run_options(parser: argparse.ArgumentParser, paths_help: str) -> None:
    """The runs a decision makes: paths, seed, threads."""
    parser.add_argument("--paths", type=whole, help=paths_help)
    parser.add_argument("--seed", type=whole)
    parser.add_argument("--threads", type=whole)


def against_option(parser: argparse.ArgumentParser) -> None:
    from ..decisions.optimize import AGAINST

    parser.add_argument("--against", default="baseline", choices=AGAINST,
                        help="compare with the scenario's baseline or the cheapest API-only "
                        "plan within quality (default %(default)s)")


def max_unserved_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-unserved", type=number, default=DEFAULT_MAX_UNSERVED,
                        metavar="SHARE", help="the largest share of requests a recommended "
                        "plan may leave unserved (default %(default)s)")


def json_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", metavar="FILE", help=f"write {what} as JSON")
