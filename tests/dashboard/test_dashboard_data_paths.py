"""The data layer's fast paths give the same answers as the slow ones they replaced:
text search through the build's word index and through the regex fallback (runs without
`search_index.parquet`), the newest-N pick of the grid, several people's rows,
and the passages export without highlight marks."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl
import pytest

import fixture_run as fx
from dashboard.data import DiscourseData, Filters
from dashboard.data import passages as passage_queries
from dashboard.data.index import build_index
from dashboard.data.passages import newest
from dashboard.data.rows import SEARCH_CACHE_SIZE, candidate_rows, person_rows
from dashboard.data.run import load_run
from dashboard.data.search import search_rows

M1, M2, M3, M4 = fx.M1, fx.M2, fx.M3, fx.M4
EM, GM, MV = fx.EM, fx.GM, fx.MV
PAUSE, COMPUTE, COPYRIGHT = 0, 1, 2


def indexed_search(data: DiscourseData, words: tuple[str, ...]) -> np.ndarray:
    """The former word index (lower-cased \\w+ tokens, prefix look-up), as a reference."""
    tok = (data.index.p.select("_row", pl.col("text").str.to_lowercase().str.extract_all(r"\w+")
                          .alias("tok")).explode("tok").drop_nulls("tok"))
    result = None
    for w in words:
        hits = np.unique(tok.filter(pl.col("tok").str.starts_with(w))["_row"].to_numpy())
        result = hits if result is None else np.intersect1d(result, hits)
    return np.empty(0, dtype=np.int64) if result is None else result.astype(np.int64)


def queries(data: DiscourseData) -> list[tuple[str, ...]]:
    tokens = sorted(set(itertools.chain.from_iterable(
        data.index.p["text"].str.to_lowercase().str.extract_all(r"\w+").to_list())))
    singles = sorted({t[:n] for t in tokens for n in (1, 2, 3, len(t))})
    pairs = [(a, b) for a, b in zip(singles[::7], singles[3::11])]
    return [(w,) for w in singles] + pairs + [("zzzz",), ("pause", "letter", "musk")]


def without_word_index(run_dir) -> DiscourseData:
    """The run as a build from before search_index.parquet existed would load."""
    loaded = load_run(run_dir)
    tables = {t: frame for t, frame in loaded.tables.items() if t != "search_index"}
    return DiscourseData(build_index(replace(loaded, tables=tables)))


@pytest.mark.parametrize("index", ["word index", "regex fallback"])
@pytest.mark.parametrize("which", ["fixture", "hostile"])
def test_search_matches_the_reference_prefix_search(which, index, ddata, hostile_data):
    data = ddata if which == "fixture" else hostile_data
    if index == "regex fallback":
        data = without_word_index(data.run_dir)
    assert (data.index.word_index is None) == (index == "regex fallback")
    for words in queries(data):
        for lo, hi in [(0, None), (1, data.index.height - 1)]:
            expected = indexed_search(data, words)
            expected = expected[(expected >= lo) & (expected < (hi or data.index.height))]
            got = search_rows(data.index.p["text"], data.index.word_index, words, lo=lo, hi=hi)
            assert got.tolist() == expected.tolist(), words


def test_search_semantics_on_the_fixture(ddata):
    def ids(search: str, **kw) -> list[str]:
        res = ddata.passages(Filters(search=search, **kw), limit=100)
        return sorted(res.rows["passage_id"].to_list())

    # every word must START a word of the passage, case-insensitively, in any order
    assert ids("copyright") == ids("COPYRIGHT") == ids("copy")
    assert len(ids("copyright")) == 4
    assert ids("opyright") == []  # not a word start
    assert ids("Pause   LETTER") == ids("letter pause")
    assert ids("regulat") and set(ids("regulat")) <= set(ids("regul"))
    assert ids("zzzz") == [] and ids("pause zzzz") == []
    assert ids("(pause)") == ids("pause")  # punctuation is not part of a word
    assert ids("pause", people=(EM,)) == ["d1:0", "d8:0"]


def test_search_narrowed_by_every_filter_equals_filtering_afterwards(ddata):
    """Matching on the candidate rows only (range, people, sources, topics) gives the
    same rows as matching everything and filtering afterwards."""
    keys = ddata.index.keys.join(ddata.index.p.select("_row", "people"), on="_row")
    for search, people, sources, topics, start, end in itertools.product(
            ["pause", "compute", "the a", "musk"], [(), (EM,), (EM, GM)], [(), (fx.NEWS,)],
            [(), (PAUSE,), (COMPUTE, COPYRIGHT, -1)], [None, M2], [None, M3]):
        f = Filters(people=people, sources=sources, topics=topics, start=start, end=end,
                    search=search)
        lo, hi = ddata.index.range_slice(f)
        got = candidate_rows(ddata.index, f, lo, hi)
        expr = pl.col("_row").is_in(indexed_search(ddata, f.search_words).tolist())
        expr &= (pl.col("_row") >= lo) & (pl.col("_row") < hi)
        if people:
            expr &= pl.col("people").list.eval(pl.element().is_in(list(people))).list.any()
        if sources:
            expr &= pl.col("source").is_in(list(sources))
        if topics:
            expr &= pl.col("topic_id").is_in(list(topics))
        assert got.tolist() == sorted(keys.filter(expr)["_row"].to_list()), f


def test_search_is_memoised_per_question(ddata):
    f = Filters(search="compute", people=(EM, GM), start=M2)
    lo, hi = ddata.index.range_slice(f)
    first = candidate_rows(ddata.index, f, lo, hi)
    before = ddata.index.caches.search_hits
    ddata.monthly_topic_counts.cache_clear()
    ddata.monthly_topic_counts(f)
    ddata.passages(f)
    assert ddata.index.caches.search_hits >= before + 2
    assert candidate_rows(ddata.index, f, lo, hi) is first
    assert not first.flags.writeable  # shared: nobody may change it


def test_search_cache_is_bounded(ddata):
    for i in range(SEARCH_CACHE_SIZE + 10):
        candidate_rows(ddata.index, Filters(search=f"w{i}"), 0, ddata.index.height)
    assert len(ddata.index.caches.search) == SEARCH_CACHE_SIZE


def test_newest_equals_a_full_sort():
    rng = np.random.default_rng(7)
    n = 5_000
    keys = pl.DataFrame({
        "_row": pl.Series(rng.permutation(n), dtype=pl.UInt32),
        "date": pl.Series(rng.integers(0, 40, n), dtype=pl.Int32).cast(pl.Date),  # many ties
    })
    full = keys.sort(["date", "_row"], descending=[True, False])
    for limit in (0, 1, 7, 200, 500, n - 1, n, n + 5):
        assert newest(keys, limit).equals(full.head(limit)), limit
    with_null = keys.with_columns(pl.when(pl.col("_row") == 3).then(None)
                                  .otherwise(pl.col("date")).alias("date"))
    assert newest(with_null, 10).equals(
        with_null.sort(["date", "_row"], descending=[True, False]).head(10))


def test_passages_keep_the_order_of_a_full_sort(ddata):
    everything = ddata.passages(Filters(), limit=1_000)
    expected = (ddata.index.keys.sort(["date", "_row"], descending=[True, False])
                .join(ddata.index.p.select("_row", "passage_id"), on="_row", maintain_order="left"))
    assert everything.rows["passage_id"].to_list() == expected["passage_id"].to_list()
    for limit in range(1, 21):
        assert ddata.passages(Filters(), limit=limit).rows["passage_id"].to_list() == \
            expected["passage_id"].to_list()[:limit]
    assert ddata.passages(Filters(), limit=1, marks=False).marks == []


def test_several_people_rows(ddata):
    for people in [(EM,), (EM, GM), (EM, GM, MV), (GM, "Nobody"), ("Nobody",), ()]:
        index = ddata.index
        parts = [index.person_row_arr[slice(*index.person_slices[p])]
                 for p in people if p in index.person_slices]
        expected = np.unique(np.concatenate(parts)) if parts else np.empty(0)
        index.caches.person_rows.clear()
        rows = person_rows(index, people)
        assert rows.tolist() == expected.tolist(), people
        assert person_rows(index, people) is rows  # memoised


def test_export_has_no_marks_but_the_same_rows(ddata, monkeypatch):
    f = Filters(people=(EM,), search="pause")
    grid = ddata.passages(f, limit=50_000)

    def no_marks(*_a, **_k):
        raise AssertionError("the export computed highlight marks")
    monkeypatch.setattr(passage_queries, "marks", no_marks)
    export = ddata.passages_export(f)
    assert export["passage_id"].to_list() == grid.rows["passage_id"].to_list()
    assert ddata.passages_export(Filters())["passage_id"].to_list() == \
        ddata.passages(Filters(), limit=50_000, marks=False).rows["passage_id"].to_list()
    assert date(2024, 4, 10) in ddata.passages_export(Filters())["date"].to_list()


@pytest.mark.parametrize("which", ["fixture", "hostile"])
def test_titles_and_marks_match_a_join_and_a_per_row_lookup(which, ddata, hostile_data):
    """Titles by binary search over the sorted documents equal a join; the marks gathered
    for all shown rows at once equal each row's own mentions."""
    data = ddata if which == "fixture" else hostile_data
    result = data.passages(Filters(), limit=10_000)
    joined = result.rows.select("passage_id", "doc_id").join(
        data.index.docs.select("doc_id", "title", "url"), on="doc_id", how="left", maintain_order="left")
    assert result.rows["title"].to_list() == joined["title"].to_list()
    assert result.rows["url"].to_list() == joined["url"].to_list()
    assert result.rows.height == data.index.height
    offsets = dict(zip(data.index.p["passage_id"], data.index.p["char_start"]))
    for pid, marks in zip(result.rows["passage_id"], result.marks):
        own = data.index.mentions.filter(pl.col("passage_id") == pid)
        expected = sorted((s - offsets[pid], e - offsets[pid]) for s, e in
                          zip(own["char_start"], own["char_end"]))
        assert sorted((m[0], m[1]) for m in marks if m[2] != "search") == expected, pid
