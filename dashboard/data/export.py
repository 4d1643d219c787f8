"""Export queries: the trend chart's data and the passage list as CSV-ready frames, and
the CSV writer they go through (pipelines/csv_out.py, guarded against spreadsheet formulas)."""

from __future__ import annotations

import polars as pl

from pipelines.csv_out import csv_text

__all__ = ["EXPORT_LIMIT", "csv_text", "passage_rows", "trend_rows"]

EXPORT_LIMIT = 50_000  # rows in the passages CSV


def trend_rows(counts: pl.DataFrame) -> pl.DataFrame:
    """The trend chart's counts (trends.monthly_topic_counts) as a CSV-ready frame."""
    return counts.select(
        pl.col("month").dt.strftime("%Y-%m"), "topic_id", pl.col("label").alias("topic"),
        "theme", "passages", "month_passages", pl.col("share").round(6), "partial")


def passage_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """A passage list (passages.PASSAGE_COLUMNS) as a CSV-ready frame."""
    return rows.select(
        "passage_id", "doc_id", "date", "title", "source", "topic_id", "topic", "theme",
        pl.col("people").list.join("; "), pl.col("speakers").list.join("; "), "text", "url")
