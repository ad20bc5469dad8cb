"""Planning assertions of a scenario's ``expect:`` list.

Grammar, one assertion per list item::

    OPERAND OP OPERAND
    OP      := >= | <= | > | < | == | !=
    OPERAND := NUMBER | never | [NUMBER *] STRATEGY.STATISTIC

``never`` is a break-even month beyond the horizon. STATISTIC is one of
:data:`breakeven.planning_stats.FIXED_STATISTICS` or
``workload_share.<workload>[+<workload>...]``. Examples::

    routed.savings.mean >= 0.30
    self-host.break_even.p50_month <= 6
    base-cluster.total_cost.mean < peak-cluster.total_cost.mean
    sonnet-cache.total_cost.mean < 0.7 * sonnet-no-cache.total_cost.mean
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from .planning_stats import NEVER, UnknownStatistic, estimate, validate_statistic

_OPS = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
_ASSERTION = re.compile(r"^(.+?)(>=|<=|==|!=|>|<)(.+)$")
_SCALED = re.compile(r"^(?:([-+0-9.eE]+)\s*\*\s*)?(\S+)$")


class ExpectationError(ValueError):
    """An assertion that does not parse or names an unknown strategy or statistic."""


@dataclass(frozen=True)
class Reference:
    strategy: str
    statistic: str
    factor: float = 1.0

    def __str__(self) -> str:
        ref = f"{self.strategy}.{self.statistic}"
        return ref if self.factor == 1.0 else f"{self.factor:g} * {ref}"


@dataclass(frozen=True)
class Expectation:
    text: str
    left: Reference | float
    op: str
    right: Reference | float

    def evaluate(self, result) -> tuple[bool, str]:
        """Whether it holds, and the actual values as text."""
        left, right = self._value(self.left, result), self._value(self.right, result)
        held = _OPS[self.op](left, right)
        shown = [
            f"{o} = {_show(v)}"
            for o, v in ((self.left, left), (self.right, right))
            if isinstance(o, Reference)
        ]
        return held, ", ".join(shown)

    @staticmethod
    def _value(operand, result) -> float:
        if isinstance(operand, Reference):
            value = estimate(result, operand.strategy, operand.statistic).value
            return value if operand.factor == 1.0 else operand.factor * value
        return operand


def _show(x: float) -> str:
    if x == NEVER:
        return "never"
    return f"{x:.6g}"


def _operand(text: str, strategies: list[str], workloads: list[str]):
    text = text.strip()
    if text == "never":
        return NEVER
    try:
        return float(text)
    except ValueError:
        pass
    scaled = _SCALED.match(text)
    if not scaled:
        raise ExpectationError(
            f"'{text}' is not a number, never or [NUMBER *] STRATEGY.STATISTIC"
        )
    factor, text = scaled.groups()
    try:
        factor = 1.0 if factor is None else float(factor)
    except ValueError:
        raise ExpectationError(f"'{factor}' is not a number") from None
    # Longest strategy name that prefixes the operand (names may contain dots).
    for name in sorted(strategies, key=len, reverse=True):
        if text.startswith(name + "."):
            stat = text[len(name) + 1 :]
            try:
                validate_statistic(stat, workloads)
            except UnknownStatistic as e:
                raise ExpectationError(str(e)) from None
            return Reference(name, stat, factor)
    raise ExpectationError(
        f"'{text}' names no strategy (strategies: {', '.join(strategies)}); "
        "write STRATEGY.STATISTIC, a number or never"
    )


def parse_expectation(
    text: str, strategies: list[str], workloads: list[str], baseline: str
) -> Expectation:
    match = _ASSERTION.match(text)
    if not match:
        raise ExpectationError(
            f"'{text}' is not an assertion: write OPERAND OP OPERAND with OP one of "
            ">=, <=, >, <, ==, !="
        )
    left, op, right = match.groups()
    e = Expectation(
        text,
        _operand(left, strategies, workloads),
        op,
        _operand(right, strategies, workloads),
    )
    for o in (e.left, e.right):
        if (
            isinstance(o, Reference)
            and o.strategy == baseline
            and o.statistic.startswith("break_even.")
        ):
            raise ExpectationError(f"'{o}': the baseline has no break-even")
    return e
