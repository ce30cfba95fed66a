"""How a run's fetched rows combine with the rows a report kept from earlier runs (append, upsert). Pure: no I/O.

Rows are tuples in column order. `upsert` updates a kept row in place when a fetched row has its key, adds
new keys below in the order they arrived, and keeps rows the fetch did not return. `append` drops the kept
rows the fetch covers again (the re-fetched window, or a snapshot of the same period) and puts the fetched
rows where the first of them stood, or below everything: nothing is ever doubled, nothing outside the fetch
is lost, and merging the same fetch twice gives the same rows. `in_bucket_order` keeps a time series oldest
first when a run fetched days before the kept ones (a backfill) (docs/modes.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from typing import Any

Row = tuple[Any, ...]


def row_key(row: Sequence[Any], indexes: Sequence[int]) -> tuple[Hashable, ...]:
    """The key of `row`: its values at `indexes` (dates, numbers and text are all hashable)."""
    return tuple(row[i] for i in indexes)


def upsert(kept: Sequence[Row], fetched: Sequence[Row], key: Sequence[int]) -> list[Row]:
    """`kept` with each fetched row replacing the kept row of its key in place; new keys added below, in order.

    Two fetched rows with one key: the later one wins, at the place of the first (the API's last word).
    """
    merged = list(kept)
    where: dict[tuple[Hashable, ...], int] = {}
    for index, row in enumerate(merged):
        where.setdefault(row_key(row, key), index)
    for row in fetched:
        found = where.get(row_key(row, key))
        if found is None:
            where[row_key(row, key)] = len(merged)
            merged.append(tuple(row))
        else:
            merged[found] = tuple(row)
    return merged


def append(kept: Sequence[Row], fetched: Sequence[Row], covered: Callable[[Row], bool]) -> list[Row]:
    """`kept` without the rows the fetch `covered` again, with the fetched rows where the first of those stood.

    With nothing covered the fetched rows go below the kept ones (new rows below, header once).
    """
    merged: list[Row] = []
    placed = False
    for row in kept:
        if covered(row):
            if not placed:
                merged.extend(tuple(r) for r in fetched)
                placed = True
            continue
        merged.append(row)
    if not placed:
        merged.extend(tuple(r) for r in fetched)
    return merged


def in_bucket_order(rows: Sequence[Row], bucket: int) -> list[Row]:
    """`rows` oldest bucket first (a stable sort on the bucket start at `bucket`; undated rows keep their place last).

    A time series arrives oldest first (the API cannot sort it), so kept rows are already in this order and only
    buckets fetched before the kept ones (a backfill) move, to where a chart reading the table expects them.
    """
    def when(row: Row) -> tuple[int, dt.date]:
        value = row[bucket]
        return (0, value) if isinstance(value, dt.date) else (1, dt.date.min)

    return sorted(rows, key=when)
