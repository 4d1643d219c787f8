"""Topic queries (the Topic explorer and the topics every chart shows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from pipelines.artifacts import OUTLIER_TOPIC


@dataclass(frozen=True)
class TopicDetails:
    topic_id: int
    label: str
    theme: str | None
    description: str | None
    keywords: list[str]
    keyword_weights: list[float]
    size: int
    representative: list[dict[str, Any]]  # passage_id, doc_id, date, title, text
    quality: dict[str, Any] | None = None  # a theme's held-out precision, recall, positives


def chart_topics(index: RunIndex, f: Filters, max_discovered: int | None = None) -> list[int]:
    """The topics a chart shows: the chosen ones, else the named themes plus the
    `max_discovered` largest discovered topics (all when None); never the outliers."""
    if f.topics:
        return [t for t in index.topic_label if t in set(f.topics)]
    out, discovered = [], 0
    for tid, theme in index.topic_theme.items():  # ordered: themes, then by size
        if tid == OUTLIER_TOPIC:
            continue
        if theme is None:
            if max_discovered is not None and discovered >= max_discovered:
                continue
            discovered += 1
        out.append(tid)
    return out


def rows_by_passage_id(index: RunIndex, passage_ids: list[str]) -> np.ndarray:
    """Rows of the given passages (unknown ids are skipped)."""
    if not passage_ids or len(index.pid_keys) == 0:
        return np.empty(0, dtype=np.int64)
    ids = pl.Series(passage_ids, dtype=pl.String)
    pos = index.pid_keys.search_sorted(ids, side="left").to_numpy()
    pos = np.minimum(pos, len(index.pid_keys) - 1)
    found = index.pid_keys.gather(pos).to_numpy() == ids.to_numpy()
    return index.pid_rows[pos[found]].astype(np.int64)


def with_titles(index: RunIndex, rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` with their document's title and url (documents are sorted by doc_id, so a
    binary search per row replaces a join against every document)."""
    pos = index.doc_keys.search_sorted(rows["doc_id"], side="left").to_numpy()
    pos = np.minimum(pos, max(index.docs.height - 1, 0))
    docs = index.docs.select("doc_id", "title", "url")[pos]
    found = docs["doc_id"] == rows["doc_id"]
    return rows.with_columns(docs.select(pl.when(found).then(pl.col("title", "url"))))


def topic_details(index: RunIndex, topic_id: int) -> TopicDetails | None:
    """Label, keywords, size, theme description and representative passages of a topic."""
    row = index.topics.filter(pl.col("topic_id") == topic_id)
    if row.is_empty():
        return None
    r = row.row(0, named=True)
    reps = [str(x) for x in (r.get("representative_passage_ids") or [])]
    rep_rows = rows_by_passage_id(index, reps)
    rep = (with_titles(index, index.p[rep_rows]).select(
        "passage_id", "doc_id", "date", "title", "text").to_dicts() if len(rep_rows) else [])
    theme = r.get("theme")
    return TopicDetails(
        topic_id=int(r["topic_id"]), label=str(r["label"]), theme=theme,
        description=index.loaded.themes.get(theme, {}).get("description") if theme else None,
        keywords=list(r.get("keywords") or []),
        keyword_weights=[float(w) for w in (r.get("keyword_weights") or [])],
        size=int(r.get("size") or 0), representative=rep,
        quality=index.theme_quality.get(theme) if theme else None,
    )
