"""Passage and document queries: the drill-down list (newest first) with highlight marks,
and one whole document in reading order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from dashboard.data.filters import Filters, month_of
from dashboard.data.index import RunIndex, month_bounds
from dashboard.data.rows import keys_for, row_mask, source_filter, topic_rows
from dashboard.data.statements import document_statements
from dashboard.data.topics import rows_by_passage_id, with_titles

PASSAGE_COLUMNS = ["passage_id", "doc_id", "date", "month", "title", "url", "source",
                   "topic_id", "topic", "theme", "people", "speakers", "text"]


@dataclass(frozen=True)
class PassageList:
    rows: pl.DataFrame  # PASSAGE_COLUMNS, newest first
    total: int  # matching passages before the limit
    marks: list[list[list[Any]]]  # per row: [start, end, kind, person] (see `marks`)

    @property
    def truncated(self) -> bool:
        return self.total > self.rows.height


@dataclass(frozen=True)
class DocumentView:
    doc_id: str
    title: str
    date: date
    source: str | None
    author: str | None
    url: str | None
    # in reading order: {"kind": "passage"|"gap", "text", "passage_id", "topic_id",
    # "topic", "theme", "themes": {theme: origin}, "marks": [[start, end, kind, person], ...],
    # "statements": [[start, end, speaker, speaker_text, kind, cue], ...] (data/statements.py)}
    segments: list[dict[str, Any]] = field(default_factory=list)


def newest(keys: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The `limit` rows of `keys` with the latest `date` (ties: lowest `_row` first), in
    that order: the same rows and order as a full sort by (date desc, _row) + head, but
    only the kept rows are sorted (top_k is a partial selection)."""
    if limit <= 0:
        return keys.clear()
    if keys.height <= limit or keys["date"].null_count():  # small, or nulls (sorted first)
        return keys.sort(["date", "_row"], descending=[True, False]).head(limit)
    return (keys.top_k(limit, by=["date", "_row"], reverse=[False, True])
            .sort(["date", "_row"], descending=[True, False]))


def _search_pattern(f: Filters) -> re.Pattern | None:
    if not f.search_words:
        return None
    return re.compile("|".join(r"(?<!\w)" + re.escape(w) + r"\w*" for w in f.search_words),
                      re.IGNORECASE)


def _without_overlaps(marks: list[list[Any]], length: int) -> list[list[Any]]:
    clean, last_end = [], 0
    for m in sorted(marks, key=lambda m: (m[0], -m[1])):
        if m[0] >= last_end and 0 <= m[0] < m[1] <= length:
            clean.append(m)
            last_end = m[1]
    return clean


def marks(index: RunIndex, rows: pl.DataFrame, f: Filters) -> list[list[list[Any]]]:
    """Per row: non-overlapping [start, end, kind, person] marks relative to its text.

    kind "match" = a chosen person, "person" = another mentioned person,
    "search" = a word matching the text search.
    """
    if rows.is_empty():
        return []
    pids = rows["passage_id"]
    lo = index.mention_keys.search_sorted(pids, side="left").to_list()
    hi = index.mention_keys.search_sorted(pids, side="right").to_list()
    chosen, pattern = set(f.people), _search_pattern(f)
    # every mention of the shown rows in one gather (rows' mentions are contiguous)
    spans = [np.arange(a, b) for a, b in zip(lo, hi)]
    picked = index.mentions[np.concatenate(spans) if spans else np.empty(0, np.int64)]
    people_of = picked["person"].to_list()
    starts_of, ends_of = picked["char_start"].to_list(), picked["char_end"].to_list()
    out, k = [], 0
    for text, start, a, b in zip(rows["text"].to_list(), rows["char_start"].to_list(), lo, hi):
        found: list[list[Any]] = [
            [int(s) - int(start), int(e) - int(start),
             "match" if person in chosen else "person", person]
            for person, s, e in zip(people_of[k:k + b - a], starts_of[k:k + b - a],
                                    ends_of[k:k + b - a])]
        k += b - a
        if pattern is not None:
            found.extend([m.start(), m.end(), "search", None] for m in pattern.finditer(text))
        out.append(_without_overlaps(found, len(text)))
    return out


def _point_range(index: RunIndex, f: Filters, month: date | None) -> tuple[int, int] | None:
    """Row range of a drill-down point's month (or of the filters); None when the point's
    month lies outside the filters' range."""
    if month is None:
        return index.range_slice(f)
    month = month_of(month)
    start, end = month_bounds(f)
    if (start and month < start) or (end and month > end):
        return None
    return index.month_slices.get(month, (0, 0))


def _topics_wanted(f: Filters, topic_id: int | None) -> tuple[int, ...] | None:
    """The topics a passage must belong to (any of them); None: no topic condition."""
    if topic_id is not None:
        return () if f.topics and int(topic_id) not in f.topics else (int(topic_id),)
    return f.topics or None


def matching_rows(index: RunIndex, f: Filters, month: date | None = None,
                  topic_id: int | None = None) -> np.ndarray:
    """Sorted rows of the passages under the filters (or of one month and/or topic, e.g.
    a clicked trend point): what the grid, the passage CSV and the counts list."""
    bounds = _point_range(index, f, month)
    if bounds is None:
        return np.empty(0, dtype=np.int64)
    rows = keys_for(index, f, *bounds).filter(source_filter(f))["_row"].to_numpy()
    wanted = _topics_wanted(f, topic_id)
    if wanted is not None:
        rows = rows[row_mask(index, topic_rows(index, wanted))[rows]]
    return rows.astype(np.int64)


def passage_list(index: RunIndex, picked: np.ndarray, total: int, f: Filters,
                 with_marks: bool = True) -> PassageList:
    """The rows `picked` (in that order) with titles, topic labels and highlight marks."""
    rows = with_titles(index, index.p[picked])
    rows = rows.with_columns(pl.col("topic_id").replace_strict(
        index.topic_label, default=None, return_dtype=pl.String).alias("topic"))
    return PassageList(rows.select(PASSAGE_COLUMNS), total,
                       marks(index, rows, f) if with_marks else [])


def passages(index: RunIndex, f: Filters, month: date | None = None,
             topic_id: int | None = None, limit: int = 200,
             with_marks: bool = True) -> PassageList:
    """Passages under the filters, newest first (or those of one month and/or topic, e.g.
    a clicked trend point), with highlight marks per row unless `with_marks` is False."""
    rows = matching_rows(index, f, month, topic_id)
    if not len(rows):
        return PassageList(empty_passages(index), 0, [])
    picked = newest(index.keys[rows], limit)
    return passage_list(index, picked["_row"].to_numpy(), len(rows), f, with_marks)


def empty_passages(index: RunIndex) -> pl.DataFrame:
    return with_titles(index, index.p.clear()).with_columns(
        pl.lit(None, dtype=pl.String).alias("topic")).select(PASSAGE_COLUMNS)


def doc_id_of(index: RunIndex, passage_id: str) -> str | None:
    rows = rows_by_passage_id(index, [passage_id])
    return str(index.p["doc_id"][int(rows[0])]) if len(rows) else None


def carried_themes(index: RunIndex, passage_ids: list[str]) -> dict[str, dict[str, str]]:
    """passage_id -> {theme: origin ("model" or "label")} from `passage_themes`."""
    table = index.loaded.tables.get("passage_themes")
    if table is None or not passage_ids:
        return {}
    out: dict[str, dict[str, str]] = {}
    for r in table.filter(pl.col("passage_id").is_in(passage_ids)).sort(
            "passage_id", "theme").iter_rows(named=True):
        out.setdefault(r["passage_id"], {})[r["theme"]] = r["origin"]
    return out


def _segments(index: RunIndex, text: str, rows: pl.DataFrame,
              row_marks: list[list[list[Any]]]) -> list[dict[str, Any]]:
    """A document's passages and the text between them, in reading order."""
    segments: list[dict[str, Any]] = []
    carried = carried_themes(index, rows["passage_id"].to_list())
    pos = 0
    for r, mk in zip(rows.iter_rows(named=True), row_marks):
        if r["char_start"] > pos and text[pos:r["char_start"]].strip():
            segments.append({"kind": "gap", "text": text[pos:r["char_start"]].strip(),
                             "marks": []})
        segments.append({"kind": "passage", "text": r["text"], "passage_id": r["passage_id"],
                         "topic_id": r["topic_id"], "topic": index.label_of(r["topic_id"]),
                         "theme": r["theme"], "themes": carried.get(r["passage_id"], {}),
                         "people": list(r["people"] or []), "marks": mk,
                         "statements": document_statements(index, r["doc_id"], r["char_start"],
                                                           r["char_end"])})
        pos = max(pos, int(r["char_end"]))
    if text[pos:].strip():
        segments.append({"kind": "gap", "text": text[pos:].strip(), "marks": []})
    return segments


def document(index: RunIndex, doc_id: str, f: Filters | None = None) -> DocumentView | None:
    """The whole document: its passages (with topic and mention / search marks and the
    statements in them) and any text between them, in reading order."""
    f = f or Filters()
    lo = index.doc_keys.search_sorted(doc_id, side="left")
    if lo >= index.docs.height or index.doc_keys[lo] != doc_id:
        return None
    doc = index.docs.row(lo, named=True)
    a = index.pdoc_keys.search_sorted(doc_id, side="left")
    b = index.pdoc_keys.search_sorted(doc_id, side="right")
    rows = index.p[index.pdoc_rows[a:b]].sort("char_start")
    segments = _segments(index, doc["text"] or "", rows, marks(index, rows, f))
    return DocumentView(doc_id=doc_id, title=doc["title"], date=doc["date"],
                        source=doc["source"], author=doc.get("author"), url=doc.get("url"),
                        segments=segments)
