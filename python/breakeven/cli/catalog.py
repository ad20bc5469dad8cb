"""Commands about the pricing catalog: catalog import (LiteLLM's price table),
catalog diff."""

from __future__ import annotations

import datetime as dt
import json

from ..errors import OptionError
from .failures import EXIT_OK
from .outputs import check_outputs, write_json


def register(sub) -> None:
    cat = sub.add_parser("catalog", help="refresh and compare pricing catalogs")
    verbs = cat.add_subparsers(dest="catalog_command", required=True, metavar="verb")

    imp = verbs.add_parser("import", help="a catalog from LiteLLM's "
                           "model_prices_and_context_window.json")
    imp.add_argument("file", metavar="FILE", help="LiteLLM's price table (JSON)")
    imp.add_argument("-o", "--output", required=True, metavar="CATALOG",
                     help="the catalog to write (JSON; use it with --catalog or catalog:)")
    imp.add_argument("--provider", action="append", metavar="NAME",
                     help="only models of this litellm_provider (repeat for more)")
    imp.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                     help="the date the prices hold on (default: today, UTC)")
    imp.add_argument("--json", metavar="FILE", help="write what was mapped and left out")
    imp.set_defaults(command=cmd_import)

    diff = verbs.add_parser("diff", help="what moved between two catalogs")
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--json", metavar="FILE", help="write the changes as JSON")
    diff.set_defaults(command=cmd_diff)


def checked_date(text: str | None) -> str:
    if text is None:
        return dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise OptionError("as_of", f"must be a date YYYY-MM-DD (got {text!r})") from None


def cmd_import(args) -> int:
    from ..files import open_output
    from ..litellm_prices import import_litellm

    check_outputs(output=args.output, json=args.json)
    done = import_litellm(args.file, checked_date(args.as_of), args.provider)
    with open_output(args.output, "output") as f:
        json.dump(done.catalog, f, indent=1)
        f.write("\n")
    print("\n".join(done.lines()))
    print(f"\ncatalog written to {args.output}")
    if args.json:
        write_json(args.json, done.summary())
    return EXIT_OK


def cmd_diff(args) -> int:
    from ..catalog import read_catalog
    from ..catalog_diff import diff_catalogs

    check_outputs(json=args.json)
    d = diff_catalogs(read_catalog(args.old), read_catalog(args.new))
    print(d.document().terminal())
    if args.json:
        write_json(args.json, d.to_dict())
    return EXIT_OK
