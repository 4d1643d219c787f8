"""Aggregates stage: passages + mentions -> the tables every dashboard chart is answered from.

Grain: month x topic x person x source. `person = null` is "all people": each passage once,
whether it names nobody or several people; a passage naming two people also counts once
under each of them. See docs/ARTIFACTS.md.

`trend_tables` is the hot path at a million passages (docs/PERFORMANCE.md, part 1). It codes
every group key as a small integer (each string hashed once, by a Categorical cast), packs
month, topic, person, source and document into one UInt64 per passage x person row, sorts
those keys and reads both counts off the sorted runs: no group-by on strings and no
per-group distinct count. Corpora whose codes do not fit in 64 bits take
`hashed_trend_tables`, the plain group-by on the key columns (same result, slower).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import partial

import numpy as np
import polars as pl

TREND_KEYS = ["month", "topic_id", "person", "source"]
TOTAL_KEYS = ["month", "person", "source"]
TREND_INPUTS = ["passage_id", "doc_id", "month", "topic_id", "source", "people"]  # all trend tables read
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


def interned_keys(passages: pl.DataFrame) -> pl.DataFrame:
    """The key columns with every string replaced by a small integer: documents numbered by
    `rle_id` (so each document's passages must be contiguous), `source` and `people` cast to
    Categoricals with categories of their own.

    A fresh `pl.Categories` per column hashes each string once and numbers the distinct values
    0, 1, ... in order of appearance; its categories are exactly the values in the column."""
    return passages.lazy().select(
        "month", "topic_id", doc=pl.col("doc_id").rle_id(),
        source=pl.col("source").cast(pl.Categorical(pl.Categories.random())),
        people=pl.col("people").cast(pl.List(pl.Categorical(pl.Categories.random()))),
    ).collect()


def _sorted_codes(categories: pl.Series) -> tuple[tuple[str, ...], pl.Series]:
    """The categories in sorted order, and each category's code by physical id: its 1-based
    rank in that order (0 is left for null)."""
    return tuple(categories.sort().to_list()), categories.rank("ordinal").cast(pl.UInt64)


@dataclass(frozen=True, eq=False)
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
    person_code: pl.Series  # by the physical id of `interned_keys`' people categorical
    source_code: pl.Series  # by the physical id of its source categorical
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
    def of(cls, interned: pl.DataFrame) -> KeyCodes:
        """The codes of a frame from `interned_keys`."""
        people, person_code = _sorted_codes(interned.schema["people"].inner.categories.to_series())
        sources, source_code = _sorted_codes(interned.schema["source"].categories.to_series())
        b = interned.select(first_month=pl.col("month").min(), last_month=pl.col("month").max(),
                            first_topic=pl.col("topic_id").min(), last_topic=pl.col("topic_id").max()).row(0, named=True)
        return cls(first_month=b["first_month"], month_days=(b["last_month"] - b["first_month"]).days + 1,
                   first_topic=b["first_topic"] or 0, topics=(b["last_topic"] or 0) - (b["first_topic"] or 0) + 1,
                   people=people, sources=sources, person_code=person_code, source_code=source_code,
                   documents=max(interned.height, 1), topic_dtype=interned.schema["topic_id"])


def _pack(parts: list[tuple[pl.Expr, int]]) -> pl.Expr:
    """One UInt64 from (code, width) pairs, the first pair most significant."""
    packed = pl.lit(0, dtype=pl.UInt64)
    for code, width in parts:
        packed = packed * (1 << width) + code.cast(pl.UInt64)
    return packed


def _packed_keys(interned: pl.DataFrame, codes: KeyCodes) -> tuple[np.ndarray, np.ndarray]:
    """The trend keys and the total keys: one UInt64 per passage x person row (person code
    0 = all people), the group's codes followed by the document's.

    Polars packs both keys once per passage with person code 0 and lists each mention as
    (passage row, person code in place); numpy then writes each key array once: the
    passages' keys, followed by each mention's passage key plus its person code. These two
    arrays are what gets sorted, so they are fresh and writable."""
    w = codes.widths
    month = pl.col("month").to_physical().cast(pl.Int64) - _days(codes.first_month)
    topic = pl.col("topic_id").cast(pl.Int64) - codes.first_topic
    source = pl.lit(codes.source_code).gather(pl.col("source").to_physical()).fill_null(0)
    nobody = pl.lit(0)
    person_unit = 1 << (w["source"] + w["doc"])  # the person field's lowest bit, in both keys
    lazy = interned.lazy()
    passages, mentions = pl.collect_all([
        lazy.select(
            trend_key=_pack([(month, w["month"]), (topic, w["topic"]), (nobody, w["person"]),
                             (source, w["source"]), (pl.col("doc"), w["doc"])]),
            total_key=_pack([(month, w["month"]), (nobody, w["person"]), (source, w["source"]),
                             (pl.col("doc"), w["doc"])])),
        lazy.select(row=pl.int_range(pl.len(), dtype=pl.UInt32), person="people")
        .explode("person").drop_nulls("person")
        .select("row", person=pl.lit(codes.person_code).gather(pl.col("person").to_physical()) * person_unit),
    ])
    n, row, person = passages.height, mentions["row"].to_numpy(), mentions["person"].to_numpy()
    keys = []
    for name in ("trend_key", "total_key"):
        packed = np.empty(n + row.size, dtype=np.uint64)
        packed[:n] = passages[name].to_numpy()
        np.take(packed[:n], row, out=packed[n:])
        packed[n:] += person
        keys.append(packed)
    return keys[0], keys[1]


def _counts_of_sorted_keys(keys: np.ndarray, doc_bits: int) -> pl.DataFrame:
    """Passages and distinct documents per group from packed keys (group codes, then the
    document's): once sorted, a run of equal group codes is one group, and a change of the
    whole key within it is a new document. `keys` is scratch: it is sorted and shifted in place.

    The sort is numpy's: its vectorised sort of 2.1M UInt64 keys takes about 12 ms against
    35 ms for Polars' (benchmarks/analysis.md); the rest are vectorised scans. Working in place
    matters as much: every fresh array of 2.1M keys is 17 MB of pages the kernel must hand over."""
    schema = {"group": pl.UInt64, "passages": pl.UInt32, "documents": pl.UInt32}
    if keys.size == 0:
        return pl.DataFrame(schema=schema)
    keys.sort()
    new_doc = np.empty(keys.size, dtype=np.bool_)
    new_doc[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_doc[1:])
    group = np.right_shift(keys, np.uint64(doc_bits), out=keys)
    starts = np.concatenate(([0], np.flatnonzero(group[1:] != group[:-1]) + 1))
    return pl.DataFrame({"group": group[starts], "passages": np.diff(starts, append=keys.size).astype(np.uint32),
                         "documents": np.add.reduceat(new_doc, starts, dtype=np.uint32)}, schema=schema)


def _counts_side_by_side(trend_keys: np.ndarray, total_keys: np.ndarray,
                         doc_bits: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`_counts_of_sorted_keys` of the trend keys and of the total keys, in two threads:
    numpy releases the GIL while it sorts and scans, so on two cores this halves the wait."""
    count = partial(_counts_of_sorted_keys, doc_bits=doc_bits)
    with ThreadPoolExecutor(max_workers=2) as pool:
        trend_counts, total_counts = pool.map(count, [trend_keys, total_keys])
    return trend_counts, total_counts


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
    interned = interned_keys(frame)
    codes = KeyCodes.of(interned)
    if not codes.fits:
        return hashed_trend_tables(frame)
    trend_counts, total_counts = _counts_side_by_side(*_packed_keys(interned, codes), codes.widths["doc"])
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


def membership_trend_tables(passages_with_people: pl.DataFrame, memberships: pl.DataFrame
                            ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(trends, month_totals) when a passage belongs to several topics (one per theme it
    carries, see pipelines/passage_themes.py; memberships: passage_id, topic_id): trends
    count a passage under each of its topics, the share denominators count it once."""
    keys = passages_with_people.select(TREND_INPUTS)  # never copy the text (a GB at a million passages)
    if memberships.height == keys.height:  # one topic each: its own
        return trend_tables(keys)
    expanded = keys.drop("topic_id").join(memberships, on="passage_id", maintain_order="left")
    trends, _ = trend_tables(expanded)
    _, totals = trend_tables(keys)
    return trends, totals
