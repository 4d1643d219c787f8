"""Trend queries: passages per month and topic under the filters, their share of the
month, the event timeline and the partial months.

One or no person, no Said-by filter and no text search -> answered from the aggregates
(`trends`, `month_totals`), which are small; several people, speakers and/or a text search
-> counted from the indexed passage rows (dashboard/data/rows.py).

Share of the month = topic passages / all passages of that month (every topic, outliers
included) under the same person, speaker and source filters; the text search narrows the
numerator only. A passage counts under each theme it carries, so a month's theme shares
can sum past 100%.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.rows import (
    chosen_rows, keys_for, month_filter, person_filter, source_filter,
)
from dashboard.data.topics import chart_topics

COUNT_COLUMNS = ["month", "topic_id", "label", "theme", "is_theme", "passages",
                 "month_passages", "share", "partial"]


def month_denominators(index: RunIndex, f: Filters) -> pl.DataFrame:
    """month, month_passages: all passages of the month under the person, speaker and
    source filters."""
    rows = chosen_rows(index, f) if len(f.people) > 1 or f.speakers else None
    if rows is None:
        return (index.month_totals.filter(person_filter(f), source_filter(f), month_filter(f))
                .group_by("month").agg(pl.col("passages").sum().alias("month_passages")))
    lo, hi = index.range_slice(f)
    rows = rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]
    return (index.keys[rows].filter(source_filter(f))
            .group_by("month").agg(pl.len().cast(pl.Int64).alias("month_passages")))


def _counts(index: RunIndex, f: Filters, topics: list[int]) -> pl.DataFrame:
    """month, topic_id, passages (non-zero cells only)."""
    if f.uses_aggregates:
        return (index.trends.filter(person_filter(f), source_filter(f), month_filter(f),
                                    pl.col("topic_id").is_in(topics))
                .group_by("month", "topic_id").agg(pl.col("passages").sum()))
    lo, hi = index.range_slice(f)
    return (keys_for(index, f, lo, hi).filter(source_filter(f)).select("_row", "month")
            .join(index.memberships.filter(pl.col("topic_id").is_in(topics)), on="_row")
            .group_by("month", "topic_id").agg(pl.len().cast(pl.Int64).alias("passages")))


def monthly_topic_counts(index: RunIndex, f: Filters,
                         max_discovered: int | None = None) -> pl.DataFrame:
    """One row per (month in range, charted topic), zeros included: COUNT_COLUMNS.

    `share` is null when the month has no passages at all under the filters. Topics as
    in `chart_topics`, in its order."""
    topics = chart_topics(index, f, max_discovered)
    grid = pl.DataFrame({"month": index.months_in_range(f)}, schema={"month": pl.Date}).join(
        pl.DataFrame({"topic_id": topics}, schema={"topic_id": pl.Int32}), how="cross")
    meta = index.topics.select("topic_id", "label", "theme", "is_theme")
    out = (grid.join(_counts(index, f, topics), on=["month", "topic_id"], how="left")
           .join(month_denominators(index, f), on="month", how="left")
           .join(meta, on="topic_id", how="left")
           .join(index.months.select("month", "partial"), on="month", how="left")
           .with_columns(pl.col("passages").fill_null(0), pl.col("month_passages").fill_null(0),
                         pl.col("partial").fill_null(False)))
    out = out.with_columns(
        pl.when(pl.col("month_passages") > 0)
        .then(pl.col("passages") / pl.col("month_passages")).otherwise(None).alias("share"))
    order = {t: i for i, t in enumerate(topics)}
    return (out.with_columns(pl.col("topic_id").replace_strict(order, return_dtype=pl.Int64)
                             .alias("_o"))
            .sort(["_o", "month"]).drop("_o").select(COUNT_COLUMNS))


def partial_months(index: RunIndex) -> pl.DataFrame:
    """month, first_date, last_date of the months the corpus covers only partly."""
    return index.months.filter(pl.col("partial")).select("month", "first_date", "last_date")


def events(index: RunIndex, f: Filters) -> pl.DataFrame:
    """date, label, description, theme of the events inside the month range; `theme` is
    the theme's display label (its key when themes.toml does not name it)."""
    timeline = index.loaded.events
    months = index.months_in_range(f)
    if not months:
        return timeline.clear()
    last = months[-1]
    after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    labels = {k: v.get("label") or k for k, v in index.loaded.themes.items()}
    return (timeline.filter((pl.col("date") >= months[0]) & (pl.col("date") < after))
            .with_columns(pl.col("theme").replace(labels)))
