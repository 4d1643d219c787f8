"""The "What rose" query: for one month, the themes and topics whose passages rose or fell
beyond chance against the months before it (dashboard/analysis/rises.py), under the
people, source and search filters (the month range filter is the view's own month)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from dashboard.analysis.rises import (
    CHANGE_SCHEMA, baseline_window, latest_full_month, rises, significant_changes,
)
from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.trends import _counts, month_denominators
from pipelines.artifacts import OUTLIER_TOPIC

BASELINE_MONTHS = 6
MIN_COUNT = 3
RISE_COLUMNS = ["topic_id", "label", "theme", "is_theme", "count", "exposure", "baseline_count",
                "baseline_exposure", "rate", "baseline_rate", "rate_ratio", "ci_low", "ci_high",
                "p_value", "q_value", "tested", "significant", "direction", "monthly"]


def default_month(index: RunIndex, today: date | None = None) -> date | None:
    """The latest month the corpus covers in full (not partly, not the calendar month of
    `today`)."""
    full = index.months.filter(~pl.col("partial")).select("month", "passages")
    return latest_full_month(full if not full.is_empty() else index.months.select(
        "month", "passages"), today)


def rise_table(index: RunIndex, f: Filters, month: date) -> pl.DataFrame:
    """RISE_COLUMNS, one row per topic (outliers excepted), significant changes first;
    `monthly` is the topic's passages per month over the baseline and the month."""
    window = baseline_window(index.month_list, month, BASELINE_MONTHS) + [month]
    scoped = replace(f, start=window[0], end=month, topics=())
    topics = index.topics.filter(pl.col("topic_id") != OUTLIER_TOPIC)
    counts = _counts(index, scoped, topics["topic_id"].to_list())
    totals = month_denominators(index, scoped).rename({"month_passages": "passages"})
    grid = (pl.DataFrame({"month": window}, schema={"month": pl.Date})
            .join(topics.select("topic_id"), how="cross")
            .join(counts, on=["month", "topic_id"], how="left")
            .with_columns(pl.col("passages").fill_null(0).cast(pl.Int64)))
    tested = rises(grid, totals, month, BASELINE_MONTHS, MIN_COUNT)
    monthly = grid.sort("month").group_by("topic_id", maintain_order=True).agg(
        pl.col("passages").alias("monthly"))
    return (tested.join(topics.select("topic_id", "label", "theme", "is_theme"), on="topic_id",
                        how="left", maintain_order="left")
            .join(monthly, on="topic_id", how="left", maintain_order="left")
            .select(RISE_COLUMNS))


def rise_marks(index: RunIndex, f: Filters) -> pl.DataFrame:
    """month, topic_id, direction: the changes beyond chance in the months of the range, as
    the "What rose" view finds them month by month (same filters: people, sources, search;
    every topic tested), for marking on the trend chart."""
    shown = index.months_in_range(f)
    if not shown:
        return pl.DataFrame(schema=CHANGE_SCHEMA)
    window = baseline_window(index.month_list, shown[0], BASELINE_MONTHS) + shown
    scoped = replace(f, start=window[0], end=shown[-1], topics=())
    topics = index.topics.filter(pl.col("topic_id") != OUTLIER_TOPIC)["topic_id"].to_list()
    totals = month_denominators(index, scoped).rename({"month_passages": "passages"})
    marks = significant_changes(_counts(index, scoped, topics), totals, BASELINE_MONTHS, MIN_COUNT)
    return marks.filter(pl.col("month") >= shown[0])
