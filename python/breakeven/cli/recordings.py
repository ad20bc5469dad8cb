"""Commands on recorded scenarios: check, record."""

from __future__ import annotations

from ..constants import DEFAULT_K
from ..errors import ScenarioError
from .failures import EXIT_FAILED_CHECK, EXIT_OK
from .parser import positive


def register(sub) -> None:
    check = sub.add_parser(
        "check", help="re-run scenarios, evaluate their expect: lists, compare with recordings")
    check.add_argument("paths", nargs="*", default=["scenarios"], help="files or folders")
    check.add_argument("--k", type=positive, default=DEFAULT_K,
                       help="stochastic tolerance in standard errors (default %(default)s)")
    check.set_defaults(command=cmd_check)

    record = sub.add_parser("record", help="rewrite the recordings of scenarios on purpose")
    record.add_argument("paths", nargs="+", help="files or folders")
    record.set_defaults(command=cmd_record)


def cmd_check(args) -> int:
    from ..recording import check, scenario_files

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
    from ..recording import record, scenario_files

    for path in scenario_files(args.paths):
        out, changed = record(path)
        print(f"recorded {out} ({changed} values new or changed)")
    return EXIT_OK
