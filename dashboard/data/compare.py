"""The Compare query: two sides (each a person, a source or a year) under the other
filters (months, people, sources, topics, search; a side replaces the filter of its own
kind, and a year is intersected with the month range): each side's theme mix as a share of its passages with 95% Wilson
intervals, the words that most distinguish them (dashboard/analysis/distinctive.py:
Monroe, Colaresi and Quinn's log-odds with an informative Dirichlet prior) and the people
most often named with each.

Words are counted over at most WORD_SAMPLE passages per side, evenly spaced over the
side's months, so that a side of a million passages answers as fast as a small one; the
view says when a side was sampled."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import polars as pl
from statsmodels.stats.proportion import proportion_confint

from dashboard.analysis.comention import counts_within
from dashboard.analysis.distinctive import distinctive_words, word_counts_each
from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.rows import filtered_rows, row_mask
from dashboard.data.trends import month_denominators

TOP_WORDS = 15
TOP_PEOPLE = 5
NAME_WORD = re.compile(r"[^\W\d_]{2,}")  # the words of a person's name, left out of theirs
WORD_SAMPLE = 1000  # passages per side whose words are counted (evenly spaced when more)


@dataclass(frozen=True)
class Comparison:
    sides: tuple[str, str]  # the two sides
    passages: tuple[int, int]  # passages of each side, under the other filters
    mix: pl.DataFrame  # side, theme, label, passages, share, low, high
    company: pl.DataFrame  # side, person, passages (named with that side's person)
    trend: pl.DataFrame  # side, month, passages, month_passages, share (see side_trend)


@dataclass(frozen=True)
class SideWords:
    """The words that most distinguish two sides (computed apart from the rest, so the
    view draws its charts without waiting for the word counts)."""

    words: pl.DataFrame  # word, count_a, count_b, log_odds, z, side ("a" | "b")
    word_passages: tuple[int, int]  # passages of each side whose words were counted
    passages: tuple[int, int]  # passages of each side, under the other filters


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


def _side_rows(index: RunIndex, f: Filters, side: str) -> np.ndarray:
    """Sorted rows of the side's passages under the other filters."""
    f = side_filters(index, f, side)
    if f.start and f.end and f.start > f.end:
        return np.empty(0, dtype=np.int64)
    return filtered_rows(index, f)


def _mix(index: RunIndex, mask: np.ndarray, n: int, side: str) -> pl.DataFrame:
    """side, theme, label, passages, share, low, high: the side's passages under each theme."""
    themes = index.topics.filter(pl.col("is_theme")).unique("theme", maintain_order=True)
    counts = []
    for topic_id in themes["topic_id"].to_list():
        lo, hi = index.topic_slices.get(topic_id, (0, 0))
        counts.append(int(mask[index.topic_row_arr[lo:hi]].sum()))
    passages = np.asarray(counts, dtype=np.int64)
    low, high = proportion_confint(passages, max(n, 1), alpha=0.05, method="wilson")
    return themes.select("theme", "label").with_columns(
        pl.lit(side).alias("side"), pl.Series("passages", passages),
        pl.Series("share", passages / max(n, 1)), pl.Series("low", low), pl.Series("high", high))


def word_sample(rows: np.ndarray, cap: int = WORD_SAMPLE) -> np.ndarray:
    """At most `cap` of `rows`, evenly spaced (rows are month-sorted: the sample spans
    the side's months); all of them when there are fewer."""
    if len(rows) <= cap:
        return rows
    return rows[np.linspace(0, len(rows) - 1, cap).round().astype(np.int64)]


def _base_filters(index: RunIndex, f: Filters, side: str) -> Filters:
    """The filters a side's monthly share is out of: the side's own filters with the side
    itself left out (all people, or all sources; a year keeps its months)."""
    kind, sided = side_kind(index, side), side_filters(index, f, side)
    return (replace(sided, people=()) if kind == "person" else
            replace(sided, sources=()) if kind == "source" else sided)


def side_trend(index: RunIndex, f: Filters, side: str, rows: np.ndarray, name: str) -> pl.DataFrame:
    """side, month, passages, month_passages, share: the side's passages each month out of
    all the month's passages under the other filters, so two sides of any size share one
    axis. Months with no passages under the other filters are left out."""
    base = _base_filters(index, f, side)
    totals = month_denominators(index, base) if not (base.start and base.end and base.start > base.end) \
        else pl.DataFrame(schema={"month": pl.Date, "month_passages": pl.Int64})
    counts = index.keys.get_column("month").gather(rows).value_counts(name="passages")
    return (totals.join(counts, on="month", how="left").filter(pl.col("month_passages") > 0)
            .with_columns(pl.col("passages").fill_null(0).cast(pl.Int64)).sort("month")
            .select(pl.lit(name).alias("side"), "month", "passages", "month_passages",
                    (pl.col("passages") / pl.col("month_passages")).alias("share")))


def _company(people: pl.DataFrame, person: str, side: str) -> pl.DataFrame:
    return (people.filter(pl.col("person") != person)
            .sort(["passages", "person"], descending=[True, False]).head(TOP_PEOPLE)
            .with_columns(pl.lit(side).alias("side")).select("side", "person", "passages"))


def compare_words(index: RunIndex, f: Filters, a: str, b: str) -> SideWords:
    """The distinctive words of side `a` against side `b` (see the module docstring)."""
    rows = (_side_rows(index, f, a), _side_rows(index, f, b))
    people = [side for side in (a, b) if side_kind(index, side) == "person"]
    names = {w for name in people for w in NAME_WORD.findall(name.lower())}
    samples = [word_sample(r) for r in rows]
    texts = index.p.get_column("text")
    counts = [c.filter(~pl.col("word").is_in(list(names)))  # their own names would lead
              for c in word_counts_each([texts.gather(s) for s in samples])]
    return SideWords(distinctive_words(*counts, top=TOP_WORDS),
                     (len(samples[0]), len(samples[1])), (len(rows[0]), len(rows[1])))


def compare_sides(index: RunIndex, f: Filters, a: str, b: str) -> Comparison:
    """Side `a` against side `b`: theme mix, company and monthly share (words apart:
    `compare_words`)."""
    rows = (_side_rows(index, f, a), _side_rows(index, f, b))
    masks = [row_mask(index, r) for r in rows]
    mix = pl.concat([_mix(index, m, len(r), side) for m, r, side in zip(masks, rows, "ab")])
    company = pl.concat([_company(counts_within(index.named, m, pairs=False)[0], name, side)
                         for m, name, side in zip(masks, (a, b), "ab")])
    trend = pl.concat([side_trend(index, f, side, r, name)
                       for side, r, name in zip((a, b), rows, "ab")])
    return Comparison((a, b), (len(rows[0]), len(rows[1])), mix.select(
        "side", "theme", "label", "passages", "share", "low", "high"), company, trend)


def comparison_rows(result: Comparison, words: SideWords) -> pl.DataFrame:
    """The comparison as one CSV-ready table: section, side (the side's name), item, and
    the figures of that section (others empty)."""
    name = {"a": result.sides[0], "b": result.sides[1]}
    side = pl.col("side").replace_strict(name, return_dtype=pl.String)
    empty = pl.lit(None, pl.Float64)
    parts = [
        result.mix.select(pl.lit("theme share").alias("section"), side, pl.col("label").alias("item"),
                          pl.col("passages").cast(pl.Int64).alias("count"), "share", "low", "high",
                          empty.alias("z")),
        words.words.select(pl.lit("distinctive word").alias("section"), side,
                            pl.col("word").alias("item"),
                            pl.when(pl.col("side") == "a").then("count_a").otherwise("count_b")
                            .cast(pl.Int64).alias("count"), empty.alias("share"), empty.alias("low"),
                            empty.alias("high"), "z"),
        result.company.select(pl.lit("named with").alias("section"), side,
                              pl.col("person").alias("item"), pl.col("passages").cast(pl.Int64).alias("count"),
                              empty.alias("share"), empty.alias("low"), empty.alias("high"), empty.alias("z")),
        result.trend.select(pl.lit("monthly share").alias("section"), side,
                            pl.col("month").dt.strftime("%Y-%m").alias("item"),
                            pl.col("passages").alias("count"), "share", empty.alias("low"),
                            empty.alias("high"), empty.alias("z")),
    ]
    return pl.concat(parts).with_columns(pl.col("share", "low", "high", "z").round(6))
