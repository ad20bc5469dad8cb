"""A run's numbers as tables a spreadsheet opens: the summary (one row per
strategy) and the monthly bands (one row per strategy and month), as CSV or XLSX.

Values are numbers, never formatted text: costs in USD, savings and probabilities
as fractions (0.25 is 25%), months counted from 1. docs/exports.md lists the columns.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import OptionError
from ..files import open_output

XLSX_INSTALL = "pip install 'breakeven[xlsx]'"
SUMMARY_SHEET = "summary"
MONTHLY_SHEET = "monthly"
MONTHLY_COLUMNS = ["strategy", "month", "mean", "p5", "p50", "p95", "cumulative_mean"]


def summary_table(result) -> pd.DataFrame:
    """One row per strategy: :meth:`Result.summary`'s columns with the strategy as
    a column and ``baseline`` (True on the baseline's row)."""
    table = result.summary().reset_index()
    table.insert(1, "baseline", table["strategy"] == result.baseline)
    return table


def monthly_bands(result) -> pd.DataFrame:
    """One row per strategy and month: the month's cost over paths (mean, p5, p50,
    p95) and the mean cumulative cost to the end of that month."""
    rows = []
    for s in result.as_dict()["strategies"]:
        band, cumulative = s["monthly_cost"], s["cumulative_cost"]["mean"]
        for m in range(len(band["mean"])):
            rows.append((s["name"], m + 1, band["mean"][m], band["p5"][m], band["p50"][m],
                         band["p95"][m], cumulative[m]))
    return pd.DataFrame(rows, columns=MONTHLY_COLUMNS)


def monthly_path(path: str | os.PathLike) -> Path:
    """Where :func:`write_csv` puts the monthly bands for a summary at ``path``:
    ``run.csv`` -> ``run-monthly.csv``, beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}-monthly{path.suffix or '.csv'}")


def write_csv(result, path: str | os.PathLike, option: str = "csv") -> list[Path]:
    """Write the summary to ``path`` and the monthly bands beside it
    (:func:`monthly_path`); return both paths. A CSV holds one table, hence two
    files. Raises OptionError naming ``option`` and the file when one cannot be
    written."""
    written = []
    for table, where in ((summary_table(result), Path(path)),
                         (monthly_bands(result), monthly_path(path))):
        with open_output(where, option) as f:
            table.to_csv(f, index=False, lineterminator="\n")
        written.append(where)
    return written


def check_xlsx(option: str = "xlsx") -> None:
    """An OptionError naming ``option`` unless openpyxl (the ``breakeven[xlsx]``
    extra) is installed: a command calls it before a run, not after."""
    try:
        import openpyxl  # noqa: F401 - only to know it is there
    except ImportError:
        raise OptionError(option, f"writing .xlsx needs openpyxl: {XLSX_INSTALL}") from None


def write_xlsx(result, path: str | os.PathLike, option: str = "xlsx") -> Path:
    """Write one workbook with two sheets, ``summary`` and ``monthly``; return the
    path. Without openpyxl (the ``breakeven[xlsx]`` extra) this is an OptionError
    that says what to install, raised before the file is touched."""
    check_xlsx(option)
    sheets = {SUMMARY_SHEET: summary_table(result), MONTHLY_SHEET: monthly_bands(result)}
    with open_output(path, option, binary=True) as f:
        with pd.ExcelWriter(f, engine="openpyxl") as book:
            for name, table in sheets.items():
                table.to_excel(book, sheet_name=name, index=False)
                _shape_sheet(book.sheets[name], table)
    return Path(path)


# Number formats by column: the cell keeps its number, the sheet shows it as money
# or a percentage (a format, not text, so that formulas still add them).
_MONEY = "#,##0"
_SHARE = "0.0%"


def _number_format(column: str) -> str | None:
    if column.startswith(("savings", "p_")):
        return _SHARE
    if "cost" in column or column in ("mean", "p5", "p50", "p95"):
        return _MONEY
    return None


def _shape_sheet(sheet, table: pd.DataFrame) -> None:
    """Money and share formats, widths to fit the header, the header row frozen."""
    from openpyxl.utils import get_column_letter

    for i, column in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(10, len(column) + 2)
        fmt = _number_format(column)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    sheet.freeze_panes = "A2"
