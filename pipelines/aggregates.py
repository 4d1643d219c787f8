"""Aggregates stage: passages + mentions -> the tables every dashboard chart is answered from.

Grain: month x topic x person x source. `person = null` is "all people": each passage once,
whether it names nobody or several people; a passage naming two people also counts once
under each of them. See docs/ARTIFACTS.md.
"""

from __future__ import annotations

import polars as pl

TREND_KEYS = ["month", "topic_id", "person", "source"]
TOTAL_KEYS = ["month", "person", "source"]
COUNTS = [pl.len().cast(pl.UInt32).alias("passages"), pl.col("doc").n_unique().cast(pl.UInt32).alias("documents")]


def passage_person_rows(passages_with_people: pl.LazyFrame) -> pl.LazyFrame:
    """Each passage once with person = null ("all people"), plus once per person it names.

    Takes passages with their `people` lists (see `passages_with_people`): exploding those
    is far cheaper than joining mentions on the passage_id strings, and distinct documents
    are counted on a dense integer id rather than on doc_id strings.
    """
    base = passages_with_people.select(
        "month", "topic_id", "source", "people", doc=pl.col("doc_id").rank("dense").cast(pl.UInt32))
    everyone = base.drop("people").with_columns(person=pl.lit(None, dtype=pl.String))
    per_person = base.explode("people").drop_nulls("people").rename({"people": "person"})
    return pl.concat([everyone, per_person.select(everyone.collect_schema().names())])


def monthly_topic_counts(rows: pl.LazyFrame) -> pl.LazyFrame:
    """The trends table from `passage_person_rows`: passages and documents per month, topic,
    person (null = all) and source."""
    return rows.group_by(TREND_KEYS).agg(COUNTS).sort(TREND_KEYS, nulls_last=False)


def monthly_totals(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Denominators for a topic's share of the month, under the same person/source filter."""
    return rows.group_by(TOTAL_KEYS).agg(COUNTS).sort(TOTAL_KEYS, nulls_last=False)


def trend_tables(passages_with_people: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(trends, month_totals), sharing one passage x person frame between the two."""
    rows = passage_person_rows(passages_with_people.lazy()).collect().lazy()
    trends, totals = pl.collect_all([monthly_topic_counts(rows), monthly_totals(rows)])
    return trends, totals


def month_coverage(documents: pl.LazyFrame, passages: pl.LazyFrame) -> pl.LazyFrame:
    """Every month from the first to the last (gaps included) with counts and a `partial` flag.

    The first month is partial when the corpus starts after its first day, the last month
    when the corpus ends before its last day.
    """
    per_month = documents.group_by("month").agg(
        documents=pl.len().cast(pl.UInt32), first_date=pl.col("date").min(), last_date=pl.col("date").max(),
    ).join(passages.group_by("month").agg(passages=pl.len().cast(pl.UInt32)), on="month", how="left")
    bounds = documents.select(start=pl.col("date").min(), end=pl.col("date").max())
    months = bounds.select(
        month=pl.date_ranges(pl.col("start").dt.truncate("1mo"), pl.col("end").dt.truncate("1mo"), "1mo")
    ).explode("month")
    return (
        months.join(per_month, on="month", how="left")
        .join(bounds, how="cross")
        .with_columns(pl.col("documents", "passages").fill_null(0))
        .with_columns(
            partial=(
                ((pl.col("month") == pl.col("start").dt.truncate("1mo")) & (pl.col("start") > pl.col("month")))
                | ((pl.col("month") == pl.col("end").dt.truncate("1mo"))
                   & (pl.col("end") < pl.col("month").dt.month_end()))
            )
        )
        .select("month", "documents", "passages", "first_date", "last_date", "partial")
        .sort("month")
    )


def people_summary(mentions: pl.LazyFrame, registry: pl.LazyFrame) -> pl.LazyFrame:
    """People mentioned in this corpus with their registry role and counts."""
    return (
        mentions.group_by("person").agg(
            mentions=pl.len().cast(pl.UInt32),
            passages=pl.col("passage_id").n_unique().cast(pl.UInt32),
            documents=pl.col("doc_id").n_unique().cast(pl.UInt32),
        )
        .join(registry.select("person", "role", "affiliation"), on="person", how="left")
        .select("person", "role", "affiliation", "mentions", "passages", "documents")
        .sort(["mentions", "person"], descending=[True, False])
    )


def passages_with_people(passages: pl.LazyFrame, mentions: pl.LazyFrame) -> pl.LazyFrame:
    """Add the sorted list of people each passage mentions (empty list when none)."""
    people = mentions.group_by("passage_id").agg(people=pl.col("person").unique().sort())
    return passages.join(people, on="passage_id", how="left", maintain_order="left").with_columns(
        pl.col("people").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )
