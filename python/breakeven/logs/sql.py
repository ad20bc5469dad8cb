"""SQL for DuckDB with every value that a user or a file controls kept out of its
text: file paths, JSON paths from ``--task``/``--map``, tag prefixes, model and
task names go in as bound parameters (``$p0``, ``$p1``, ...), which DuckDB accepts
in table functions' arguments too. The SQL text is built only from this package's
own fragments and from numbers it computed, so a file named
``x.csv')); copy (...) to (...); --`` is a file name and nothing else.

A path is still more than a name to DuckDB even as a parameter: read_csv and
read_parquet glob it (``*``, ``?``, ``[``) and expand ``~``. sources.py therefore
hands DuckDB a link with a generated name (``log-3.jsonl.gz``) to each file the
user named, after Python has expanded the user's globs once.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\$(p\d+)\b")


class Query:
    """Bound values of one statement, named as they are added.

    >>> q = Query()
    >>> sql = f"select * from read_csv({q.bind(path)})"
    >>> con.execute(sql, q.values)
    """

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def bind(self, value: object) -> str:
        """The placeholder of ``value`` in the statement's text."""
        name = f"p{len(self.values)}"
        self.values[name] = value
        return "$" + name

    def run(self, con, sql: str):
        """Execute ``sql`` with the values its text uses (DuckDB refuses values a
        statement does not use; several statements share one Query)."""
        used = {k: self.values[k] for k in _PLACEHOLDER.findall(sql)}
        return con.execute(sql, used) if used else con.execute(sql)
