"""Aggregates stage: passages + mentions -> the tables every dashboard chart is answered from.

Grain: month x topic x person x source. `person = null` is "all people": each passage once,
whether it names nobody or several people; a passage naming two people also counts once
under each of them. See docs/ARTIFACTS.md.

`trend_tables` is the hot path at a million passages (docs/PERFORMANCE.md, part 1). It codes
every group key as a small integer, packs month, topic, person, source and document into one
UInt64 per passage x person row, sorts that column and reads both counts off the sorted runs:
no hashing of strings and no per-group distinct count. Corpora whose codes do not fit in 64
bits take `hashed_trend_tables`, the plain group-by on the key columns (same result, slower).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

TREND_KEYS = ["month", "topic_id", "person", "source"]
TOTAL_KEYS = ["month", "person", "source"]
COUNTS = [pl.len().cast(pl.UInt32).alias("passages"), pl.col("doc").n_unique().cast(pl.UInt32).alias("documents")]


def passage_person_rows(passages_with_people: pl.LazyFrame) -> pl.LazyFrame:
    """Each passage once with person = null ("all people"), plus once per person it names.

    Takes passages with their `people` lists (see `passages_with_people`); distinct
    documents are counted on a dense integer id rather than on doc_id strings.
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


def hashed_trend_tables(passages_with_people: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(trends, month_totals) by a group-by on the key columns themselves."""
    rows = passage_person_rows(passages_with_people.lazy()).collect().lazy()
    trends, totals = pl.collect_all([monthly_topic_counts(rows), monthly_totals(rows)])
    return trends, totals


# --- packed-key path ------------------------------------------------------------------------------


def _bits(count: int) -> int:
    """Bits for codes 0 .. count - 1."""
    return max(int(count - 1).bit_length(), 1)


def _days(day: date) -> int:
    """Days since 1970-01-01: the physical value of a Polars Date."""
    return (day - date(1970, 1, 1)).days


@dataclass(frozen=True)
class KeyCodes:
    """Integer codes of the group keys; each code's bit width, most significant first.

    Codes keep the tables' sort order: months (days since the first month) and topics by
    value, person 0 = all people then names in order, source 0 = missing then names in
    order. So sorting packed keys sorts the rows as `TREND_KEYS` / `TOTAL_KEYS`, nulls first."""

    first_month: date
    month_days: int  # days from the first month's first day to the last month's, plus one
    first_topic: int
    topics: int
    people: tuple[str, ...]
    sources: tuple[str, ...]
    documents: int  # an upper bound of the number of documents (the number of passages)
    topic_dtype: pl.DataType

    @property
    def widths(self) -> dict[str, int]:
        return {"month": _bits(self.month_days), "topic": _bits(self.topics), "person": _bits(len(self.people) + 1),
                "source": _bits(len(self.sources) + 1), "doc": _bits(self.documents)}

    @property
    def fits(self) -> bool:
        return sum(self.widths.values()) <= 64

    @classmethod
    def of(cls, passages: pl.DataFrame) -> KeyCodes:
        lazy = passages.lazy()
        people, sources, bounds = pl.collect_all([
            lazy.select(pl.col("people").explode().drop_nulls().unique().sort()),
            lazy.select(pl.col("source").drop_nulls().unique().sort()),
            lazy.select(first_month=pl.col("month").min(), last_month=pl.col("month").max(),
                        first_topic=pl.col("topic_id").min(), last_topic=pl.col("topic_id").max()),
        ])
        b = bounds.row(0, named=True)
        return cls(first_month=b["first_month"], month_days=(b["last_month"] - b["first_month"]).days + 1,
                   first_topic=b["first_topic"] or 0, topics=(b["last_topic"] or 0) - (b["first_topic"] or 0) + 1,
                   people=tuple(people.to_series().to_list()), sources=tuple(sources.to_series().to_list()),
                   documents=max(passages.height, 1), topic_dtype=passages.schema["topic_id"])


def _pack(parts: list[tuple[pl.Expr, int]]) -> pl.Expr:
    """One UInt64 from (code, width) pairs, the first pair most significant."""
    packed = pl.lit(0, dtype=pl.UInt64)
    for code, width in parts:
        packed = packed * (1 << width) + code.cast(pl.UInt64)
    return packed


def _packed_rows(passages: pl.LazyFrame, codes: KeyCodes) -> pl.LazyFrame:
    """One row per passage x person (person code 0 = all people), with `trend_key` and
    `total_key`: the group's codes followed by the document's, packed into a UInt64.

    Both keys are packed once per passage with person code 0; a person's row adds its code
    in the person field. Documents are numbered by `rle_id`, so each document's passages
    must be contiguous."""
    w = codes.widths
    month = pl.col("month").to_physical().cast(pl.Int64) - _days(codes.first_month)
    topic = pl.col("topic_id").cast(pl.Int64) - codes.first_topic
    source = pl.col("source").cast(pl.Enum(codes.sources)).to_physical().cast(pl.Int64).add(1).fill_null(0)
    doc = pl.col("doc_id").rle_id()
    nobody = pl.lit(0)
    base = passages.select(
        trend_key=_pack([(month, w["month"]), (topic, w["topic"]), (nobody, w["person"]),
                         (source, w["source"]), (doc, w["doc"])]),
        total_key=_pack([(month, w["month"]), (nobody, w["person"]), (source, w["source"]), (doc, w["doc"])]),
        people=pl.col("people"),
    )
    person_unit = 1 << (w["source"] + w["doc"])  # the person field's lowest bit, in both keys
    person = (pl.col("people").cast(pl.Enum(codes.people)).to_physical().cast(pl.UInt64) + 1) * person_unit
    per_person = base.explode("people").drop_nulls("people").select(
        trend_key=pl.col("trend_key") + person, total_key=pl.col("total_key") + person)
    return pl.concat([base.drop("people"), per_person])


def _counts_of_sorted_keys(keys: np.ndarray, doc_bits: int) -> pl.DataFrame:
    """Passages and distinct documents per group from packed keys (group codes, then the
    document's): once sorted, a run of equal group codes is one group, and a change of the
    whole key within it is a new document.

    The sort is numpy's: its vectorised sort of 2.1M UInt64 keys takes about 13 ms against
    54 ms for Polars' (benchmarks/analysis.md); the rest are vectorised scans."""
    schema = {"group": pl.UInt64, "passages": pl.UInt32, "documents": pl.UInt32}
    if keys.size == 0:
        return pl.DataFrame(schema=schema)
    keys = np.sort(keys)
    group = keys >> np.uint64(doc_bits)
    starts = np.concatenate(([0], np.flatnonzero(group[1:] != group[:-1]) + 1))
    new_doc = np.empty(keys.size, dtype=np.bool_)
    new_doc[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_doc[1:])
    return pl.DataFrame({"group": group[starts], "passages": np.diff(starts, append=keys.size),
                         "documents": np.add.reduceat(new_doc, starts, dtype=np.uint32)}, schema=schema)


def _unpack(groups: pl.LazyFrame, codes: KeyCodes, fields: list[str]) -> pl.LazyFrame:
    """Key columns back from the packed group codes (fields most significant first)."""
    w = codes.widths
    shift, columns = 1, {}
    for name in reversed(fields):
        columns[name] = (pl.col("group") // shift) % (1 << w[name])
        shift *= 1 << w[name]
    decoded = {
        "month": (columns["month"].cast(pl.Int32) + _days(codes.first_month)).cast(pl.Date),
        "topic_id": (columns.get("topic", pl.lit(0)).cast(pl.Int64) + codes.first_topic).cast(codes.topic_dtype),
        # code 0 (all people / no source) is null, code i the i-th name
        "person": pl.lit(pl.Series([None, *codes.people], dtype=pl.String)).gather(columns["person"]),
        "source": pl.lit(pl.Series([None, *codes.sources], dtype=pl.String)).gather(columns["source"]),
    }
    keys = TREND_KEYS if "topic" in fields else TOTAL_KEYS
    return groups.select(*[decoded[k].alias(k) for k in keys], "passages", "documents")


def trend_tables(passages_with_people: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(trends, month_totals): passages and distinct documents per month x topic x person x
    source, and per month x person x source (the share denominators). Sorted by the keys,
    nulls (all people / no source) first."""
    frame = passages_with_people
    if frame.height == 0 or frame.select(pl.sum_horizontal(pl.col("month", "topic_id").null_count())).item():
        return hashed_trend_tables(frame)
    if not frame["doc_id"].is_sorted():
        frame = frame.sort("doc_id", maintain_order=True)
    codes = KeyCodes.of(frame)
    if not codes.fits:
        return hashed_trend_tables(frame)
    rows = _packed_rows(frame.lazy(), codes).collect()
    doc_bits = codes.widths["doc"]
    trend_counts = _counts_of_sorted_keys(rows["trend_key"].to_numpy(), doc_bits)
    total_counts = _counts_of_sorted_keys(rows["total_key"].to_numpy(), doc_bits)
    trends, totals = pl.collect_all([
        _unpack(trend_counts.lazy(), codes, ["month", "topic", "person", "source"]),
        _unpack(total_counts.lazy(), codes, ["month", "person", "source"]),
    ])
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
