"""Where usage logs lie in time: absolute hours, the Mondays a fitted scenario
starts on, and the logs' counts per task and bucket between two times."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def monday_at_or_after(t: dt.datetime) -> dt.datetime:
    day = dt.datetime(t.year, t.month, t.day, tzinfo=dt.timezone.utc)
    if day < t:
        day += dt.timedelta(days=1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def monday_at_or_before(t: dt.datetime) -> dt.datetime:
    day = dt.datetime(t.year, t.month, t.day, tzinfo=dt.timezone.utc)
    return day - dt.timedelta(days=day.weekday())


def epoch_hour(t: dt.datetime) -> int:
    return int(t.timestamp() // 3600)


def counts_matrix(usage, tasks: list[str], start: dt.datetime, end: dt.datetime,
                  column: str = "requests") -> np.ndarray:
    """(tasks, buckets) of `column` between start and end, zero-filled."""
    w = usage.bucket_hours
    index = pd.date_range(start, end - dt.timedelta(hours=w), freq=f"{w}h", tz="UTC")
    table = usage.hourly_table.pivot_table(index="hour", columns="task", values=column,
                                           aggfunc="sum", fill_value=0)
    table = table.reindex(index, fill_value=0).reindex(columns=tasks, fill_value=0)
    return table.to_numpy(dtype=float).T
