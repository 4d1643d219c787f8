"""Export queries: the trend chart's data and the passage list as CSV-ready frames, and
the one CSV writer of the dashboard (guarded against spreadsheet formulas)."""

from __future__ import annotations

import polars as pl

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
        pl.col("people").list.join("; "), "text", "url")


def csv_text(frame: pl.DataFrame) -> str:
    """CSV of a frame, with text cells that a spreadsheet would run as a formula
    (starting with = + - @ tab CR) prefixed by an apostrophe."""
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text_cols).write_csv()

