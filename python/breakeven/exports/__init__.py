"""What a budget owner takes away from a run or from logs: the summary and the
monthly bands as CSV or XLSX (``tables``) and FOCUS 1.2 cost rows (``focus``).
docs/exports.md describes every column."""

from __future__ import annotations

from .focus import (
    checked_start,
    focus_format,
    focus_from_result,
    focus_from_usage,
    focus_table,
    write_focus,
)
from .tables import check_xlsx, monthly_bands, summary_table, write_csv, write_xlsx

__all__ = [
    "check_xlsx",
    "checked_start",
    "focus_format",
    "focus_from_result",
    "focus_from_usage",
    "focus_table",
    "monthly_bands",
    "summary_table",
    "write_csv",
    "write_focus",
    "write_xlsx",
]
