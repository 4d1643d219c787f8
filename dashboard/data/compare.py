"""The Compare query: two sides (each a person, a source or a year) under the other
filters (months, people, sources, topics, search; a side replaces the filter of its own
kind, and a year is intersected with the month range): each side's theme mix as a share of its passages with 95% Wilson
intervals, the words that most distinguish them (dashboard/analysis/distinctive.py:
Monroe, Colaresi and Quinn's log-odds with an informative Dirichlet prior) and the people
most often named with each."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl
from statsmodels.stats.proportion import proportion_confint

from dashboard.analysis.distinctive import distinctive_words, word_counts
from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.network import filtered_people

TOP_WORDS = 15
TOP_PEOPLE = 5


@dataclass(frozen=True)
class Comparison:
    sides: tuple[str, str]  # the two sides
    passages: tuple[int, int]  # passages of each side, under the other filters
    mix: pl.DataFrame  # side, theme, label, passages, share, low, high
    words: pl.DataFrame  # word, count_a, count_b, log_odds, z, side ("a" | "b")
    company: pl.DataFrame  # side, person, passages (named with that side's person)


def side_kind(index: RunIndex, side: str) -> str:
    """"year", "source" or "person"."""
    if side.isdigit() and len(side) == 4:
        return "year"
    return "source" if side in index.sources else "person"


def side_filters(index: RunIndex, f: Filters, side: str) -> Filters:
    """The filters of one side: `f` with the side in place of the filter of its kind."""
    kind = side_kind(index, side)
    if kind == "person":
        return replace(f, people=(side,))
    if kind == "source":
        return replace(f, sources=(side,))
    first, last = date(int(side), 1, 1), date(int(side), 12, 1)
    return replace(f, start=max(f.start or first, first), end=min(f.end or last, last))


def _side_rows(index: RunIndex, f: Filters, side: str) -> pl.DataFrame:
    """_row, passage_id, people, text of the side's passages."""
    f = side_filters(index, f, side)
    if f.start and f.end and f.start > f.end:
        return index.p.clear().select("_row", "passage_id", "people", "text")
    ids = filtered_people(index, f)["passage_id"]
    return index.p.filter(pl.col("passage_id").is_in(ids.implode())).select(
        "_row", "passage_id", "people", "text")


def _mix(index: RunIndex, rows: pl.DataFrame, side: str) -> pl.DataFrame:
    themes = index.topics.filter(pl.col("is_theme")).select("topic_id", "theme", "label")
    counted = (rows.select("_row").join(index.memberships, on="_row")
               .join(themes, on="topic_id").group_by("theme", "label").len("passages"))
    n = max(rows.height, 1)
    full = themes.drop("topic_id").unique("theme", maintain_order=True).join(
        counted.drop("label"), on="theme", how="left").with_columns(
        pl.col("passages").fill_null(0).cast(pl.Int64))
    low, high = proportion_confint(full["passages"].to_numpy(), n, alpha=0.05, method="wilson")
    return full.with_columns(pl.lit(side).alias("side"), (pl.col("passages") / n).alias("share"),
                             pl.Series("low", low), pl.Series("high", high))


def _company(rows: pl.DataFrame, person: str, side: str) -> pl.DataFrame:
    return (rows.select(pl.col("people").alias("person")).explode("person").drop_nulls()
            .filter(pl.col("person") != person).group_by("person").len("passages")
            .sort(["passages", "person"], descending=[True, False]).head(TOP_PEOPLE)
            .with_columns(pl.lit(side).alias("side")).select("side", "person", "passages"))


def compare_sides(index: RunIndex, f: Filters, a: str, b: str) -> Comparison:
    """Side `a` against side `b` (see the module docstring)."""
    rows_a, rows_b = _side_rows(index, f, a), _side_rows(index, f, b)
    mix = pl.concat([_mix(index, rows_a, "a"), _mix(index, rows_b, "b")]).select(
        "side", "theme", "label", "passages", "share", "low", "high")
    people = [side for side in (a, b) if side_kind(index, side) == "person"]
    names = {w for name in people for w in word_counts(pl.Series([name]), 2)["word"]}
    counts = [word_counts(rows["text"]).filter(~pl.col("word").is_in(list(names)))
              for rows in (rows_a, rows_b)]  # their own names would lead each side
    words = distinctive_words(*counts, top=TOP_WORDS)
    company = pl.concat([_company(rows_a, a, "a"), _company(rows_b, b, "b")])
    return Comparison((a, b), (rows_a.height, rows_b.height), mix, words, company)
