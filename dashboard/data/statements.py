"""Who said what: the Said-by filter's options, the statements of a document for the
document view, and a person's statements versus mentions per month.

A statement is attributed speech (`statements.parquet`: a speaker turn, a quotation or
reported speech); a mention is being named (`mentions.parquet`). Runs built before the
statements table existed lack it: `status` says so, and every query here answers empty.
`said_and_named` is the one query that counts statements and mentions rather than
passages.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl

from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.rows import filtered_rows, row_mask

SAID_COLUMNS = ["month", "statements", "mentions"]


def status(index: RunIndex) -> str:
    """"missing" (a run built before statements existed), "none" (no statement is
    attributed to a registered person) or "ready"."""
    if index.statements is None:
        return "missing"
    return "ready" if index.speaker_slices else "none"


def speaker_options(index: RunIndex) -> list[tuple[str, int]]:
    """(speaker, passages with a statement by them), most passages first."""
    counts = [(s, hi - lo) for s, (lo, hi) in index.speaker_slices.items()]
    return sorted(counts, key=lambda c: (-c[1], c[0]))


def document_statements(index: RunIndex, doc_id: str, start: int, end: int
                        ) -> list[list[Any]]:
    """The statements overlapping document offsets [start, end) (one passage), each as
    [start, end, speaker or None, speaker_text, kind, cue] relative to `start`, clipped to
    the passage (a quotation may run over a paragraph break), in reading order."""
    table = index.statements
    if table is None or table.is_empty():
        return []
    keys = table["doc_id"].set_sorted()
    lo = keys.search_sorted(doc_id, side="left")
    hi = keys.search_sorted(doc_id, side="right")
    found = []
    for s, e, speaker, text, kind, cue in table.slice(lo, hi - lo).select(
            "char_start", "char_end", "speaker", "speaker_text", "kind", "cue").iter_rows():
        if s < end and e > start and e > s:
            found.append([max(s, start) - start, min(e, end) - start, speaker, text or "",
                          kind or "", cue or ""])
    return found


def _by_person(index: RunIndex, kind: str) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """The passage row of every statement ("statements", by speaker) or mention
    ("mentions", by person), grouped by person: one array ordered by person and each
    person's slice of it. Built for every person on first use (a fifth of a second for the
    mentions at 1M passages), so that each person after that costs a slice."""
    caches = index.caches
    with caches.lock:
        hit = caches.person_counts.get(kind)
    if hit is not None:
        return hit
    if kind == "statements":
        pairs = (pl.DataFrame(schema={"person": pl.String, "_row": pl.UInt32})
                 if index.statements is None else
                 index.statements.select(pl.col("speaker").alias("person"), "_row"))
    else:
        pairs = (index.mentions.select("passage_id", "person")
                 .join(index.p.select("passage_id", "_row"), on="passage_id")
                 .select("person", "_row"))
    pairs = pairs.drop_nulls("person")
    names = pairs["person"].unique().sort()
    codes = pairs["person"].cast(pl.Enum(names)).to_physical().to_numpy()
    order = np.argsort(codes, kind="stable")  # integer codes: much cheaper than sorting names
    ends = np.cumsum(np.bincount(codes, minlength=len(names)))
    grouped = (pairs["_row"].to_numpy().astype(np.int64)[order],
               {p: (int(ends[k - 1]) if k else 0, int(ends[k]))
                for k, p in enumerate(names.to_list())})
    grouped[0].flags.writeable = False
    with caches.lock:
        caches.person_counts[kind] = grouped
    return grouped


def _person_rows(index: RunIndex, kind: str, person: str) -> np.ndarray:
    """The passage row of each of `person`'s statements or mentions (in no set order)."""
    rows, slices = _by_person(index, kind)
    return rows[slice(*slices.get(person, (0, 0)))]


def said_and_named(index: RunIndex, f: Filters, person: str) -> pl.DataFrame:
    """SAID_COLUMNS, one row per month in range: `person`'s statements and mentions (each
    counted, not their passages) in the passages under the other filters (months,
    sources, topics, search; the people and Said-by filters choose the person, they do
    not narrow these counts)."""
    months = pl.DataFrame({"month": index.months_in_range(f)}, schema={"month": pl.Date})
    allowed = row_mask(index, filtered_rows(index, replace(f, people=(), speakers=())))
    month_of = index.keys.get_column("month")
    for kind in ("statements", "mentions"):
        rows = _person_rows(index, kind, person)
        counted = (pl.DataFrame({"month": month_of.gather(rows[allowed[rows]])})
                   .group_by("month").agg(pl.len().cast(pl.Int64).alias(kind)))
        months = months.join(counted, on="month", how="left", maintain_order="left")
    return months.with_columns(pl.col("statements", "mentions").fill_null(0)).select(SAID_COLUMNS)
