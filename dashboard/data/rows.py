"""Which rows of the indexed passages pass a `Filters` value: people, text search, and
the Polars expressions for the source, month and person columns the queries share.

Several people = passages naming ANY of them, each passage counted once. Row sets are
memoised per question in the index's small LRU caches (the grid, the charts and the
heatmap ask the same question for each interaction)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex, month_bounds
from dashboard.data.search import search_rows

SEARCH_CACHE_SIZE = 16  # memoised search row sets: at most 8 MB each at 1M passages (int64)
PERSON_CACHE_SIZE = 32  # memoised people -> rows (a single person: a view, no copy)


def _remember(cache: dict, key: Any, value: Any, cap: int) -> None:
    """Put `value` in an insertion-ordered dict used as a small LRU of `cap` entries."""
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > cap:
        cache.pop(next(iter(cache)))


def _recall(cache: dict, key: Any) -> Any:
    """The cached value of `key` (marked most recently used), or None."""
    value = cache.pop(key, None)
    if value is not None:
        cache[key] = value
    return value


def source_filter(f: Filters) -> pl.Expr:
    return pl.col("source").is_in(list(f.sources)) if f.sources else pl.lit(True)


def month_filter(f: Filters) -> pl.Expr:
    start, end = month_bounds(f)
    expr = pl.lit(True)
    if start:
        expr &= pl.col("month") >= start
    if end:
        expr &= pl.col("month") <= end
    return expr


def person_filter(f: Filters) -> pl.Expr:
    """Rows of `trends` / `month_totals` for the one chosen person (null = everybody)."""
    return (pl.col("person") == f.people[0]) if f.people else pl.col("person").is_null()


def person_rows(index: RunIndex, people: tuple[str, ...]) -> np.ndarray:
    """Sorted rows naming ANY of `people` (a passage naming two of them appears once).

    Several people are merged with a boolean mask over all rows, which is much cheaper
    than np.unique."""
    people = tuple(people)
    caches = index.caches
    with caches.lock:
        hit = _recall(caches.person_rows, people)
    if hit is not None:
        return hit
    parts = [index.person_row_arr[slice(*index.person_slices[p])]
             for p in people if p in index.person_slices]
    if not parts:
        rows = np.empty(0, dtype=np.int64)
    elif len(parts) == 1:
        rows = parts[0]
    else:
        mask = np.zeros(index.height, dtype=bool)
        for part in parts:
            mask[part] = True
        rows = np.flatnonzero(mask).astype(np.int64)
    rows.flags.writeable = False
    with caches.lock:
        _remember(caches.person_rows, people, rows, PERSON_CACHE_SIZE)
    return rows


def search_hits(index: RunIndex, f: Filters, lo: int, hi: int) -> np.ndarray:
    """Rows within [lo, hi) that pass the people, source, topic and search filters (the
    search matched on the narrowed candidates only), memoised per question."""
    key = (f.search_words, lo, hi, f.people, f.sources, f.topics)
    caches = index.caches
    with caches.lock:
        hit = _recall(caches.search, key)
    if hit is not None:
        caches.search_hits += 1
        return hit
    candidates = person_rows(index, f.people) if f.people else None
    if f.sources or f.topics:
        keys = (index.keys.slice(lo, hi - lo) if candidates is None else
                index.keys[candidates[np.searchsorted(candidates, lo):
                                      np.searchsorted(candidates, hi)]])
        expr = source_filter(f)
        if f.topics:
            expr &= pl.col("topic_id").is_in(list(f.topics))
        candidates = keys.filter(expr)["_row"].to_numpy().astype(np.int64)
    rows = search_rows(index.p["text"], index.word_index, f.search_words, candidates, lo, hi)
    rows.flags.writeable = False
    with caches.lock:
        _remember(caches.search, key, rows, SEARCH_CACHE_SIZE)
    return rows


def candidate_rows(index: RunIndex, f: Filters, lo: int, hi: int) -> np.ndarray | None:
    """Rows within [lo, hi) allowed by the people and search filters; None = all.

    With a search, the rows are also narrowed by the source and topic filters (every
    caller applies those anyway)."""
    if f.search_words:
        return search_hits(index, f, lo, hi)
    if not f.people:
        return None
    rows = person_rows(index, f.people)
    return rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]


def keys_for(index: RunIndex, f: Filters, lo: int, hi: int) -> pl.DataFrame:
    """Key columns (no text) of the rows in [lo, hi) that pass people + search filters."""
    rows = candidate_rows(index, f, lo, hi)
    return index.keys.slice(lo, hi - lo) if rows is None else index.keys[rows]
