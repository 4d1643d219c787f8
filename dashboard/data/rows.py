"""Which rows of the indexed passages pass a `Filters` value: people, speakers (Said by),
topics, text search, and the Polars expressions for the source, month and person columns the queries
share.

Several people = passages naming ANY of them, each passage counted once; several topics
= passages belonging to ANY of them (a passage belongs to each theme it carries); several
speakers = passages with a statement by ANY of them. Row sets are
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


def _union_rows(index: RunIndex, cache: dict, values: tuple, row_arr: np.ndarray,
                slices: dict) -> np.ndarray:
    """Sorted rows belonging to ANY of `values` (each row once), memoised in `cache`.

    Several values are merged with a boolean mask over all rows, which is much cheaper
    than np.unique."""
    caches = index.caches
    with caches.lock:
        hit = _recall(cache, values)
    if hit is not None:
        return hit
    parts = [row_arr[slice(*slices[v])] for v in values if v in slices]
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
        _remember(cache, values, rows, PERSON_CACHE_SIZE)
    return rows


def person_rows(index: RunIndex, people: tuple[str, ...]) -> np.ndarray:
    """Sorted rows naming ANY of `people` (a passage naming two of them appears once)."""
    return _union_rows(index, index.caches.person_rows, tuple(people), index.person_row_arr,
                       index.person_slices)


def speaker_rows(index: RunIndex, speakers: tuple[str, ...]) -> np.ndarray:
    """Sorted rows with a statement by ANY of `speakers` (`passages.speakers`)."""
    return _union_rows(index, index.caches.speaker_rows, tuple(speakers),
                       index.speaker_row_arr, index.speaker_slices)


def chosen_rows(index: RunIndex, f: Filters) -> np.ndarray | None:
    """Sorted rows naming any chosen person AND with a statement by any chosen speaker
    (each condition only when its filter is set); None when neither is set."""
    named = person_rows(index, f.people) if f.people else None
    said = speaker_rows(index, f.speakers) if f.speakers else None
    if named is None or said is None:
        return said if named is None else named
    return named[row_mask(index, said)[named]]


def topic_rows(index: RunIndex, topics: tuple[int, ...]) -> np.ndarray:
    """Sorted rows belonging to ANY of `topics` (a theme: the passages carrying it)."""
    return _union_rows(index, index.caches.topic_rows, tuple(topics), index.topic_row_arr,
                       index.topic_slices)


def in_rows(index: RunIndex, keys: pl.DataFrame, rows: np.ndarray) -> pl.Series:
    """Boolean mask over `keys`: its `_row` is one of `rows`."""
    return pl.Series(row_mask(index, rows)[keys["_row"].to_numpy()])


def search_hits(index: RunIndex, f: Filters, lo: int, hi: int) -> np.ndarray:
    """Rows within [lo, hi) that pass the people, source, topic and search filters (the
    search matched on the narrowed candidates only), memoised per question."""
    key = (f.search_words, lo, hi, f.people, f.speakers, f.sources, f.topics)
    caches = index.caches
    with caches.lock:
        hit = _recall(caches.search, key)
    if hit is not None:
        caches.search_hits += 1
        return hit
    candidates = chosen_rows(index, f)
    if f.sources or f.topics:
        keys = (index.keys.slice(lo, hi - lo) if candidates is None else
                index.keys[candidates[np.searchsorted(candidates, lo):
                                      np.searchsorted(candidates, hi)]])
        keys = keys.filter(source_filter(f))
        if f.topics:
            keys = keys.filter(in_rows(index, keys, topic_rows(index, f.topics)))
        candidates = keys["_row"].to_numpy().astype(np.int64)
    rows = search_rows(index.p["text"], index.word_index, f.search_words, candidates, lo, hi)
    rows.flags.writeable = False
    with caches.lock:
        _remember(caches.search, key, rows, SEARCH_CACHE_SIZE)
    return rows


def candidate_rows(index: RunIndex, f: Filters, lo: int, hi: int) -> np.ndarray | None:
    """Rows within [lo, hi) allowed by the people, speaker and search filters; None = all.

    With a search, the rows are also narrowed by the source and topic filters (every
    caller applies those anyway)."""
    if f.search_words:
        return search_hits(index, f, lo, hi)
    rows = chosen_rows(index, f)
    if rows is None:
        return None
    return rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]


def keys_for(index: RunIndex, f: Filters, lo: int, hi: int) -> pl.DataFrame:
    """Key columns (no text) of the rows in [lo, hi) that pass the people, speaker and
    search filters."""
    rows = candidate_rows(index, f, lo, hi)
    return index.keys.slice(lo, hi - lo) if rows is None else index.keys[rows]


def filtered_rows(index: RunIndex, f: Filters) -> np.ndarray:
    """Sorted rows passing every filter: months, people, search, sources and topics."""
    lo, hi = index.range_slice(f)
    keys = keys_for(index, f, lo, hi)
    if f.sources:
        keys = keys.filter(source_filter(f))
    rows = keys["_row"].to_numpy().astype(np.int64)
    if f.topics:
        rows = rows[row_mask(index, topic_rows(index, f.topics))[rows]]
    return rows


def narrow_rows(index: RunIndex, f: Filters, rows: np.ndarray) -> np.ndarray:
    """Those of the sorted `rows` that pass every filter (cheaper than `filtered_rows` when
    `rows` are few: the filters are applied to them, not to the whole corpus)."""
    lo, hi = index.range_slice(f)
    rows = rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]
    allowed = candidate_rows(index, f, lo, hi)  # people and search (with sources, topics)
    if allowed is not None:
        rows = rows[row_mask(index, allowed)[rows]]
    if f.sources:
        rows = rows[index.keys.get_column("source").gather(rows).is_in(list(f.sources)).to_numpy()]
    if f.topics:
        rows = rows[row_mask(index, topic_rows(index, f.topics))[rows]]
    return rows


def row_mask(index: RunIndex, rows: np.ndarray) -> np.ndarray:
    """Boolean mask over every row: True at `rows`."""
    mask = np.zeros(index.height, dtype=bool)
    mask[rows] = True
    return mask
