"""People queries: the people picker's options and the people x topics matrix."""

from __future__ import annotations

import numpy as np
import polars as pl

from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.rows import candidate_rows, month_filter, source_filter
from dashboard.data.topics import chart_topics


def people_topic_matrix(index: RunIndex, f: Filters, max_people: int = 25,
                        max_discovered: int | None = None) -> pl.DataFrame:
    """Long frame person, topic_id, label, theme, passages (non-zero cells only) for the
    `max_people` people with the most passages under the filters (chosen people only
    when the people filter is set). Topics as in `chart_topics`."""
    topics = chart_topics(index, f, max_discovered)
    if not f.search_words and not f.speakers:
        cells = (index.trends.filter(pl.col("person").is_not_null(), source_filter(f),
                                     month_filter(f), pl.col("topic_id").is_in(topics))
                 .group_by("person", "topic_id").agg(pl.col("passages").sum()))
    else:
        lo, hi = index.range_slice(f)
        rows = candidate_rows(index, f, lo, hi)
        rows = np.arange(lo, hi) if rows is None else rows
        cells = (index.p[rows].select("_row", "source", pl.col("people").alias("person"))
                 .filter(source_filter(f))
                 .join(index.memberships.filter(pl.col("topic_id").is_in(topics)), on="_row")
                 .explode("person").drop_nulls("person")
                 .group_by("person", "topic_id")
                 .agg(pl.len().cast(pl.Int64).alias("passages")))
    if f.people:
        cells = cells.filter(pl.col("person").is_in(list(f.people)))
    top = (cells.group_by("person").agg(pl.col("passages").sum().alias("_t"))
           .sort(["_t", "person"], descending=[True, False]).head(max_people))
    return (cells.join(top, on="person").filter(pl.col("passages") > 0)
            .join(index.topics.select("topic_id", "label", "theme"), on="topic_id")
            .sort(["_t", "person", "topic_id"], descending=[True, False, False])
            .select("person", "topic_id", "label", "theme", "passages"))
