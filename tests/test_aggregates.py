"""The trends tables: the packed-key fast path gives exactly the plain group-by's result,
whatever the documents' order, missing sources, outliers or people lists."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import aggregates

PEOPLE = ["Ada Lovelace", "Elon Musk", "Gary Marcus", "Sam Altman", "Émile Zola"]
SOURCES = ["blog", "news", "wire", None]


@st.composite
def passages_with_people(draw) -> pl.DataFrame:
    """Passages of a few documents; each document has one month and source (as built), its
    passages are not necessarily contiguous, topic -1 (outliers) may appear, a people list
    may be missing or hold a missing name."""
    n_docs = draw(st.integers(1, 12))
    docs = [(f"doc-{i}", dt.date(draw(st.integers(2021, 2025)), draw(st.integers(1, 12)), 1),
             draw(st.sampled_from(SOURCES))) for i in range(n_docs)]
    rows = []
    for k in range(draw(st.integers(1, 60))):
        doc_id, month, source = draw(st.sampled_from(docs))
        people = sorted(set(draw(st.lists(st.sampled_from(PEOPLE), max_size=3))))
        # Built runs never hold a missing list or a missing name; both must count as no one.
        people = draw(st.sampled_from([people, people, people, [*people, None], None]))
        rows.append({"passage_id": f"{doc_id}:{k}", "doc_id": doc_id, "month": month,
                     "topic_id": draw(st.integers(-1, 30)), "source": source, "people": people})
    return pl.DataFrame(rows, schema={"passage_id": pl.String, "doc_id": pl.String, "month": pl.Date,
                                      "topic_id": pl.Int32, "source": pl.String,
                                      "people": pl.List(pl.String)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(passages_with_people())
def test_packed_keys_give_the_same_tables_as_a_plain_group_by(passages):
    packed = aggregates.trend_tables(passages)
    hashed = aggregates.hashed_trend_tables(passages)
    for ours, plain in zip(packed, hashed):
        assert ours.schema == plain.schema
        assert ours.equals(plain)


def test_a_document_split_across_the_input_counts_once():
    may = dt.date(2024, 5, 1)
    passages = pl.DataFrame({
        "passage_id": ["a:0", "b:0", "a:1"], "doc_id": ["a", "b", "a"], "month": [may] * 3,
        "topic_id": [3, 3, 3], "source": ["news"] * 3, "people": [["Elon Musk"], [], ["Elon Musk"]],
    })
    trends, totals = aggregates.trend_tables(passages)
    rows = {r["person"]: (r["passages"], r["documents"]) for r in trends.iter_rows(named=True)}
    assert rows == {None: (3, 2), "Elon Musk": (2, 1)}
    assert totals.filter(pl.col("person").is_null())["documents"].to_list() == [2]


def test_codes_too_wide_for_64_bits_fall_back_to_the_plain_group_by(monkeypatch):
    may = dt.date(2024, 5, 1)
    passages = pl.DataFrame({
        "passage_id": ["a:0", "a:1"], "doc_id": ["a", "a"], "month": [may, may],
        "topic_id": [1, 2], "source": [None, "news"], "people": [["Sam Altman"], []],
    })
    codes = aggregates.KeyCodes.of(aggregates.interned_keys(passages))
    assert codes.fits and sum(codes.widths.values()) < 64
    monkeypatch.setattr(aggregates.KeyCodes, "fits", property(lambda self: False))
    packed_path_calls = []
    monkeypatch.setattr(aggregates, "_packed_keys", lambda *a: packed_path_calls.append(a))
    trends, _ = aggregates.trend_tables(passages)
    assert not packed_path_calls
    assert trends.equals(aggregates.hashed_trend_tables(passages)[0])


def test_no_passages_give_empty_tables():
    empty = pl.DataFrame(schema={"passage_id": pl.String, "doc_id": pl.String, "month": pl.Date,
                                 "topic_id": pl.Int32, "source": pl.String, "people": pl.List(pl.String)})
    trends, totals = aggregates.trend_tables(empty)
    assert trends.height == totals.height == 0
    assert trends.columns == [*aggregates.TREND_KEYS, "passages", "documents"]
