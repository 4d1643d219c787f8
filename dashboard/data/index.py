"""The indexes built once per run, which every query module reads (never writes).

Passages are kept sorted by (month, topic); `_row` is a passage's position in that order,
so a month is one contiguous row range. A passage belongs to each theme it carries
(`passage_themes`), or else to its own topic: those memberships, and the rows naming each
person, are pre-grouped per topic and per person. Passage and document ids map to rows by
binary search; topics are ordered themes first (themes.toml order), then by size,
outliers last. The rows with a statement by each speaker (`passages.speakers`) are
pre-grouped like the people; `statements` (when the run has the table) are kept with
their passage's row and month, sorted by document and offset.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from dashboard.analysis.comention import MentionArrays, mention_arrays
from dashboard.data.filters import Filters, Vocabulary, month_of
from dashboard.data.run import LoadedRun
from dashboard.data.search import WordIndex
from pipelines.artifacts import OUTLIER_TOPIC

UNKNOWN_SOURCE = "(no source)"


@dataclass
class RowCaches:
    """Small memos of row sets (insertion-ordered dicts used as LRUs), shared by threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    person_rows: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)
    speaker_rows: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)
    person_counts: dict[str, tuple[np.ndarray, dict]] = field(default_factory=dict)  # statements.py
    topic_rows: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict)
    search: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict)
    search_hits: int = 0
    sort_orders: dict[tuple[str, bool], np.ndarray] = field(default_factory=dict)  # grid.py
    grid_orders: dict[Any, np.ndarray] = field(default_factory=dict)  # sorted results (LRU)


@dataclass
class RunIndex:
    """One run's tables, sorted and indexed for the queries. Built by `build_index`."""

    loaded: LoadedRun
    docs: pl.DataFrame  # documents sorted by doc_id, null sources filled
    doc_keys: pl.Series
    p: pl.DataFrame  # passages sorted by (month, topic_id, date, passage_id), with `_row`
    keys: pl.DataFrame  # _row, month, topic_id, source, date, doc_id (no text)
    month_slices: dict[date, tuple[int, int]]
    memberships: pl.DataFrame  # _row, topic_id: each theme a passage carries, else its topic
    person_row_arr: np.ndarray
    person_slices: dict[str, tuple[int, int]]
    speaker_row_arr: np.ndarray
    speaker_slices: dict[str, tuple[int, int]]
    statements: pl.DataFrame | None  # + _row, month; by (doc_id, char_start); None: no table
    topic_row_arr: np.ndarray
    topic_slices: dict[int, tuple[int, int]]
    pid_keys: pl.Series
    pid_rows: np.ndarray
    pdoc_keys: pl.Series
    pdoc_rows: np.ndarray
    mentions: pl.DataFrame  # sorted by (passage_id, char_start)
    named: MentionArrays  # who is named in which row, for counting any subset of rows
    mention_keys: pl.Series
    topics: pl.DataFrame  # ordered: themes, discovered by size, outliers last
    topic_label: dict[int, str]
    topic_theme: dict[int, str | None]
    trends: pl.DataFrame
    month_totals: pl.DataFrame
    months: pl.DataFrame
    month_list: list[date]
    people: pl.DataFrame  # people mentioned at least once, most mentioned first
    theme_quality: dict[str, dict[str, Any]]  # theme -> held-out precision, recall, positives
    sources: tuple[str, ...]
    word_index: WordIndex | None
    caches: RowCaches = field(default_factory=RowCaches)

    @property
    def height(self) -> int:
        return self.p.height

    def months_in_range(self, f: Filters) -> list[date]:
        start, end = month_bounds(f)
        return [m for m in self.month_list
                if (start is None or m >= start) and (end is None or m <= end)]

    def range_slice(self, f: Filters) -> tuple[int, int]:
        """Row range of the passages inside the month range (rows are month-sorted)."""
        slices = [self.month_slices[m] for m in self.months_in_range(f)
                  if m in self.month_slices]
        if not slices:
            return (0, 0)
        return (min(s[0] for s in slices), max(s[1] for s in slices))

    def topic_token(self, topic_id: int) -> str:
        """The URL / filter-control value of a topic: its theme key, else its id."""
        return self.topic_theme.get(topic_id) or str(topic_id)

    def label_of(self, topic_id: int) -> str:
        return self.topic_label.get(topic_id, f"Topic {topic_id}")

    def vocabulary(self) -> Vocabulary:
        tokens: dict[str, tuple[int, ...]] = {}
        canonical: dict[str, str] = {}
        for tid, theme in self.topic_theme.items():
            tokens[str(tid)] = (tid,)
            canonical[str(tid)] = theme or str(tid)
            if theme:
                tokens[theme] = tokens.get(theme, ()) + (tid,)
                canonical[theme] = theme
        return Vocabulary(frozenset(self.people["person"].to_list()), self.sources,
                          tuple(self.month_list), tokens, canonical,
                          frozenset(self.speaker_slices))


def month_bounds(f: Filters) -> tuple[date | None, date | None]:
    return (month_of(f.start) if f.start else None, month_of(f.end) if f.end else None)


def _sorted_passages(passages: pl.DataFrame) -> pl.DataFrame:
    """Passages sorted by (month, topic), with `_position` (row in the file) and `_row`."""
    return (passages.with_columns(pl.col("source").fill_null(UNKNOWN_SOURCE))
            .with_row_index("_position")
            .sort(["month", "topic_id", "date", "passage_id"])
            .with_row_index("_row"))


def _month_slices(p: pl.DataFrame) -> dict[date, tuple[int, int]]:
    """Row range of every month."""
    return {m: (lo, hi) for m, lo, hi in p.group_by("month").agg(
        pl.col("_row").min().alias("lo"), (pl.col("_row").max() + 1).alias("hi")).iter_rows()}


def _grouped_rows(pairs: pl.DataFrame, key: str) -> tuple[np.ndarray, dict[Any, tuple[int, int]]]:
    """Rows per value of `key` (pairs: `key`, _row): one sorted array, a slice per value."""
    ordered = pairs.drop_nulls(key).unique().sort([key, "_row"])
    counts = ordered.group_by(key, maintain_order=True).len()
    ends = np.cumsum(counts["len"].to_numpy())
    slices = {value: (int(e - n), int(e)) for value, n, e in
              zip(counts[key].to_list(), counts["len"].to_list(), ends)}
    return ordered["_row"].to_numpy().astype(np.int64), slices


def _memberships(p: pl.DataFrame, tables: dict[str, pl.DataFrame],
                 topics: pl.DataFrame) -> pl.DataFrame:
    """_row, topic_id: a passage under each theme it carries, else under its own topic.
    Runs without `passage_themes` (built before it existed): each passage's own topic."""
    own = p.select("_row", "topic_id")
    if "passage_themes" not in tables:
        return own
    topic_of = topics.drop_nulls("theme").select("theme", "topic_id")
    themed = (tables["passage_themes"].select("passage_id", "theme").join(topic_of, on="theme")
              .join(p.select("passage_id", "_row"), on="passage_id").select("_row", "topic_id"))
    plain = own.join(themed.select("_row").unique(), on="_row", how="anti")
    return pl.concat([themed, plain]).unique().sort(["_row", "topic_id"])


def ordered_topics(topics: pl.DataFrame, passage_topics: pl.Series,
                   theme_order: list[str]) -> pl.DataFrame:
    """Topics with `is_theme`, themes first (in `theme_order`, then alphabetical), then
    discovered topics by size, outliers last; topics that only passages name are added."""
    missing = sorted(set(passage_topics.unique().to_list()) - set(topics["topic_id"].to_list()))
    if missing:
        topics = pl.concat([topics, pl.DataFrame({
            "topic_id": missing,
            "label": ["Outliers" if t == OUTLIER_TOPIC else f"Topic {t}" for t in missing],
        }, schema_overrides={"topic_id": pl.Int32})], how="diagonal_relaxed")
    rank = {k: i for i, k in enumerate(theme_order)}
    topics = topics.with_columns(
        pl.col("label").fill_null(pl.format("Topic {}", pl.col("topic_id"))),
        pl.col("size").fill_null(0).cast(pl.Int64),
        pl.col("theme").is_not_null().alias("is_theme"),
        pl.col("theme").replace_strict(rank, default=len(rank),
                                       return_dtype=pl.Int64).alias("_theme_rank"),
    ).sort(["is_theme", "_theme_rank", "theme", "size", "topic_id"],
           descending=[True, False, False, True, False], nulls_last=True)
    outliers = topics.filter(pl.col("topic_id") == OUTLIER_TOPIC)
    return pl.concat([topics.filter(pl.col("topic_id") != OUTLIER_TOPIC),
                      outliers]).drop("_theme_rank")


def _statements(tables: dict[str, pl.DataFrame], p: pl.DataFrame) -> pl.DataFrame | None:
    """The statements with their passage's `_row` and `month`, by (doc_id, char_start);
    None for a run built before the table existed."""
    if "statements" not in tables:
        return None
    return (tables["statements"].join(p.select("passage_id", "_row", "month"), on="passage_id")
            .sort(["doc_id", "char_start", "statement_id"]))


def _word_index(tables: dict[str, pl.DataFrame], p: pl.DataFrame) -> WordIndex | None:
    if "search_index" not in tables:
        return None
    row_of_position = np.empty(p.height, dtype=np.int32)
    row_of_position[p["_position"].to_numpy()] = p["_row"].to_numpy()
    return WordIndex(tables["search_index"], row_of_position)


def build_index(run: LoadedRun) -> RunIndex:
    """Sort and index the tables of a loaded run once."""
    tables = run.tables
    fill_source = pl.col("source").fill_null(UNKNOWN_SOURCE)
    docs = tables["documents"].with_columns(fill_source).sort("doc_id")
    positioned = _sorted_passages(tables["passages"])
    word_index = _word_index(tables, positioned)
    p = positioned.drop("_position")
    person_row_arr, person_slices = _grouped_rows(
        p.select("_row", pl.col("people").alias("person")).explode("person"), "person")
    speaker_row_arr, speaker_slices = _grouped_rows(
        p.select("_row", pl.col("speakers").alias("speaker")).explode("speaker"), "speaker")
    order = p.select("passage_id", "_row").sort("passage_id")
    dorder = p.select("doc_id", "ordinal", "_row").sort(["doc_id", "ordinal"])
    mentions = tables["mentions"].sort(["passage_id", "char_start"])
    topics = ordered_topics(tables["topics"], p["topic_id"], list(run.themes))
    memberships = _memberships(p, tables, topics)
    topic_row_arr, topic_slices = _grouped_rows(memberships, "topic_id")
    months = tables["months"].sort("month")
    return RunIndex(
        loaded=run, docs=docs, doc_keys=docs["doc_id"].set_sorted(), p=p,
        keys=p.select("_row", "month", "topic_id", "source", "date", "doc_id"),
        month_slices=_month_slices(p), memberships=memberships,
        person_row_arr=person_row_arr, person_slices=person_slices,
        speaker_row_arr=speaker_row_arr, speaker_slices=speaker_slices,
        statements=_statements(tables, p),
        topic_row_arr=topic_row_arr, topic_slices=topic_slices,
        pid_keys=order["passage_id"].set_sorted(), pid_rows=order["_row"].to_numpy(),
        pdoc_keys=dorder["doc_id"].set_sorted(), pdoc_rows=dorder["_row"].to_numpy(),
        mentions=mentions, mention_keys=mentions["passage_id"].set_sorted(),
        named=mention_arrays(p["people"]),
        topics=topics, topic_label=dict(zip(topics["topic_id"].to_list(),
                                            topics["label"].to_list())),
        topic_theme=dict(zip(topics["topic_id"].to_list(), topics["theme"].to_list())),
        trends=tables["trends"].with_columns(fill_source, pl.col("passages").cast(pl.Int64)),
        month_totals=tables["month_totals"].with_columns(
            fill_source, pl.col("passages").cast(pl.Int64)),
        months=months, month_list=months["month"].to_list(),
        people=(tables["people"].filter(pl.col("mentions") > 0)
                .sort(["mentions", "person"], descending=[True, False])),
        sources=tuple(sorted(set(docs["source"].to_list()))), word_index=word_index,
        theme_quality=_theme_quality(tables),
    )


def _theme_quality(tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    """Held-out figures over every labelled passage, per theme ({} for older runs)."""
    if "theme_quality" not in tables:
        return {}
    rows = tables["theme_quality"].filter(pl.col("subset") == "all")
    return {r["theme"]: r for r in rows.iter_rows(named=True)}
