"""The passage grid's pages: every passage matching the filters (or a clicked point),
sorted on the server by any column, one block of rows at a time (AG Grid's infinite row
model asks for rows startRow..endRow under a sort).

Each sortable column's order over every row is computed once (an argsort, on first use)
and kept in the index's caches; a question's sorted rows are then that order masked to
the matching rows, O(rows) with small constants, memoised per question so that paging
through a result costs only the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.passages import PassageList, matching_rows, passage_list
from dashboard.data.rows import row_mask

SORT_COLUMNS = ("date", "title", "source", "people", "speakers", "topic")
MAX_BLOCK_ROWS = 500  # the most rows one request may ask for
ORDERED_CACHE_SIZE = 8  # memoised sorted results (8 MB each at 1M passages)


@dataclass(frozen=True)
class GridSort:
    """A grid sort: one column, ascending or descending. The default is newest first."""

    column: str = "date"
    descending: bool = True


@dataclass(frozen=True)
class GridQuestion:
    """What the grid lists: the filters, the clicked point (month and topic) if any."""

    filters: Filters
    month: date | None = None
    topic_id: int | None = None


def _ranks(values: list[Any]) -> dict[Any, int]:
    """Each distinct value's position in case-insensitive order (a few thousand values
    ranked once, so a million rows sort as integers)."""
    ordered = sorted(set(values), key=lambda v: (str(v).lower(), str(v)))
    return {v: i for i, v in enumerate(ordered)}


def _sort_values(index: RunIndex, column: str) -> pl.Series:
    """One value per row (in `_row` order) that a column sorts by: what the grid shows."""
    keys = index.keys
    if column == "date":
        return keys["date"]
    if column == "source":
        return keys["source"].replace_strict(_ranks(keys["source"].unique().to_list()),
                                             return_dtype=pl.Int64)
    if column == "title":
        titles = index.docs["title"].fill_null("").to_list()
        rank = _ranks(titles)
        doc_rank = np.array([rank[t] for t in titles], dtype=np.int64)
        pos = index.doc_keys.search_sorted(keys["doc_id"], side="left").to_numpy()
        return pl.Series(doc_rank[np.minimum(pos, max(len(doc_rank) - 1, 0))])
    if column in ("people", "speakers"):
        names = index.p.select(pl.col(column).list.join(", "))[column]
        return pl.select(pl.when(names != "").then(names)).to_series()  # none: last
    labels = index.topic_label
    rank = _ranks(list(labels.values()))
    return keys["topic_id"].replace_strict({t: rank[lab] for t, lab in labels.items()},
                                           default=None, return_dtype=pl.Int64)


def sort_order(index: RunIndex, sort: GridSort) -> np.ndarray:
    """Every row in `sort` order; ties keep the lower `_row` first, empty values go last.
    Both directions of a column are computed together, once (on first use)."""
    caches = index.caches
    with caches.lock:
        order = caches.sort_orders.get((sort.column, sort.descending))
    if order is not None:
        return order
    frame = pl.DataFrame({"value": _sort_values(index, sort.column),
                          "_row": np.arange(index.height, dtype=np.int64)})
    orders = {}
    for descending in (False, True):
        order = frame.select(pl.arg_sort_by(["value", "_row"], descending=[descending, False],
                                            nulls_last=True)).to_series().to_numpy()
        order = order.astype(np.int64)
        order.flags.writeable = False
        orders[(sort.column, descending)] = order
    with caches.lock:
        caches.sort_orders.update(orders)
    return orders[(sort.column, sort.descending)]


def ordered_rows(index: RunIndex, question: GridQuestion, sort: GridSort) -> np.ndarray:
    """The rows matching `question`, in `sort` order (memoised per question and sort)."""
    key = (question, sort)
    caches = index.caches
    with caches.lock:
        hit = caches.grid_orders.pop(key, None)
        if hit is not None:
            caches.grid_orders[key] = hit
            return hit
    rows = matching_rows(index, question.filters, question.month, question.topic_id)
    order = sort_order(index, sort)
    ordered = order[row_mask(index, rows)[order]] if len(rows) else rows
    ordered.flags.writeable = False
    with caches.lock:
        caches.grid_orders[key] = ordered
        while len(caches.grid_orders) > ORDERED_CACHE_SIZE:
            caches.grid_orders.pop(next(iter(caches.grid_orders)))
    return ordered


def grid_block(index: RunIndex, question: GridQuestion, sort: GridSort, start: int,
               end: int) -> PassageList:
    """Rows start..end (exclusive) of the sorted result, with highlight marks; `total` is
    the size of the whole result."""
    ordered = ordered_rows(index, question, sort)
    start = max(0, min(start, len(ordered)))
    end = max(start, min(end, start + MAX_BLOCK_ROWS, len(ordered)))
    return passage_list(index, ordered[start:end], len(ordered), question.filters)


def grid_total(index: RunIndex, question: GridQuestion) -> int:
    """How many passages the grid lists for `question` (the grid's own memoised rows)."""
    return len(ordered_rows(index, question, GridSort()))


def result_summary(index: RunIndex, question: GridQuestion, top: int = 3
                   ) -> dict[str, list[tuple[str, int]]]:
    """The most named people and the main sources among the passages the grid lists:
    {"people": [(name, passages), ...], "sources": [(source, passages), ...]}."""
    rows = ordered_rows(index, question, GridSort())
    picked = index.p.select("people", "source")[rows]
    people = (picked.select(pl.col("people").explode().alias("name")).drop_nulls()
              .group_by("name").len().sort(["len", "name"], descending=[True, False]).head(top))
    sources = (picked.group_by("source").len()
               .sort(["len", "source"], descending=[True, False]).head(top))
    return {"people": [tuple(r) for r in people.iter_rows()],
            "sources": [tuple(r) for r in sources.iter_rows()]}
