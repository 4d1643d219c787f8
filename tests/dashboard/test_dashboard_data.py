"""The data-access layer against hand-computed counts (see fixture_run.py's table)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import polars as pl
import pytest

import fixture_run as fx
from dashboard.data import Filters, csv_text

M1, M2, M3, M4 = fx.M1, fx.M2, fx.M3, fx.M4
EM, GM, MV = fx.EM, fx.GM, fx.MV
PAUSE, COMPUTE, COPYRIGHT = 0, 1, 2


def series(frame: pl.DataFrame, topic_id: int, column: str = "passages") -> dict[date, object]:
    part = frame.filter(pl.col("topic_id") == topic_id)
    return dict(zip(part["month"].to_list(), part[column].to_list()))


def test_fixture_aggregates_agree_with_passages():
    """Sanity check of the hand-written tables, by plain counting (not the data layer)."""
    month = {doc: d.replace(day=1) for doc, d, *_ in fx.DOCUMENTS}
    source = {doc: s for doc, _, _, s, _ in fx.DOCUMENTS}
    counted = Counter()
    for doc, topic, _, _, mentions in fx.PASSAGES:
        counted[(month[doc], topic, None, source[doc])] += 1
        for person in {p for p, _ in mentions}:
            counted[(month[doc], topic, person, source[doc])] += 1
    assert counted == Counter({row[:4]: row[4] for row in fx.TRENDS})
    assert sum(n for _, _, person, _, n, _ in fx.TRENDS if person is None) == 20


def test_summary(ddata):
    s = ddata.summary()
    assert (s.documents, s.passages, s.months, s.people) == (8, 20, 4, 3)
    assert (s.first_month, s.last_month) == (M1, M4)
    assert s.run_id == fx.RUN_ID
    assert s.illustrative is True


def test_not_illustrative_for_other_corpora(tmp_path):
    from dashboard.data import DiscourseData

    fx.write_fixture_run(tmp_path, illustrative=False)
    assert DiscourseData.load(tmp_path / "current").summary().illustrative is False


def test_missing_run_is_a_clear_error(tmp_path):
    from dashboard.data import DiscourseData, RunNotFoundError

    with pytest.raises(RunNotFoundError):
        DiscourseData.load(tmp_path / "nothing")


def test_counts_without_filters(ddata):
    counts = ddata.monthly_topic_counts(Filters())
    assert set(counts["topic_id"].unique()) == {PAUSE, COMPUTE, COPYRIGHT}  # no outliers
    assert series(counts, COMPUTE) == {M1: 1, M2: 3, M3: 2, M4: 2}
    assert series(counts, PAUSE) == {M1: 2, M2: 1, M3: 2, M4: 1}
    assert series(counts, COPYRIGHT) == {M1: 1, M2: 1, M3: 2, M4: 0}
    assert series(counts, COMPUTE, "month_passages") == {M1: 5, M2: 5, M3: 7, M4: 3}
    assert series(counts, COMPUTE, "share") == pytest.approx(
        {M1: 1 / 5, M2: 3 / 5, M3: 2 / 7, M4: 2 / 3})
    assert series(counts, PAUSE, "partial") == {M1: True, M2: False, M3: False, M4: True}


def test_one_person(ddata):
    counts = ddata.monthly_topic_counts(Filters(people=(EM,)))
    assert series(counts, PAUSE) == {M1: 2, M2: 0, M3: 0, M4: 1}
    assert series(counts, COMPUTE) == {M1: 0, M2: 1, M3: 1, M4: 0}
    assert series(counts, PAUSE, "month_passages") == {M1: 2, M2: 1, M3: 1, M4: 1}
    assert series(counts, PAUSE, "share") == pytest.approx({M1: 1.0, M2: 0.0, M3: 0.0, M4: 1.0})


def test_several_people_never_double_count(ddata):
    # d1:1 names both Elon Musk and Gary Marcus: counted once (trends would say 2 + 1)
    counts = ddata.monthly_topic_counts(Filters(people=(EM, GM)))
    assert series(counts, PAUSE) == {M1: 2, M2: 0, M3: 1, M4: 1}
    assert series(counts, COMPUTE) == {M1: 0, M2: 1, M3: 1, M4: 1}
    assert series(counts, PAUSE, "month_passages") == {M1: 2, M2: 1, M3: 2, M4: 2}
    assert series(counts, PAUSE, "share")[M3] == pytest.approx(0.5)
    three = ddata.monthly_topic_counts(Filters(people=(EM, GM, MV)))
    assert series(three, PAUSE) == {M1: 2, M2: 1, M3: 1, M4: 1}
    assert series(three, PAUSE, "month_passages") == {M1: 2, M2: 3, M3: 3, M4: 2}


def test_sources(ddata):
    counts = ddata.monthly_topic_counts(Filters(sources=(fx.NEWS,)))
    assert series(counts, COMPUTE) == {M1: 0, M2: 1, M3: 1, M4: 0}
    assert series(counts, COMPUTE, "month_passages") == {M1: 3, M2: 3, M3: 5, M4: 0}
    assert series(counts, COMPUTE, "share")[M4] is None  # no Newswire passage in April
    multi = ddata.monthly_topic_counts(Filters(people=(EM, GM), sources=(fx.BLOG,)))
    assert series(multi, COMPUTE) == {M1: 0, M2: 1, M3: 1, M4: 1}
    assert series(multi, COMPUTE, "month_passages") == {M1: 0, M2: 1, M3: 1, M4: 2}


def test_month_range(ddata):
    counts = ddata.monthly_topic_counts(Filters(start=M2, end=M3))
    assert sorted(set(counts["month"])) == [M2, M3]
    assert series(counts, COMPUTE) == {M2: 3, M3: 2}
    multi = ddata.monthly_topic_counts(Filters(people=(EM, GM), start=M3))
    assert series(multi, PAUSE) == {M3: 1, M4: 1}


def test_topic_filter_and_default_topics(ddata):
    only = ddata.monthly_topic_counts(Filters(topics=(COPYRIGHT, -1)))
    assert set(only["topic_id"]) == {COPYRIGHT, -1}
    assert series(only, -1) == {M1: 1, M2: 0, M3: 1, M4: 0}
    capped = ddata.monthly_topic_counts(Filters(), max_discovered=0)
    assert set(capped["topic_id"]) == {PAUSE, COMPUTE}  # themes always shown


def test_search(ddata):
    counts = ddata.monthly_topic_counts(Filters(search="copyright"))
    assert series(counts, COPYRIGHT) == {M1: 1, M2: 1, M3: 2, M4: 0}
    assert series(counts, PAUSE) == {M1: 0, M2: 0, M3: 0, M4: 0}
    # the search narrows the numerator only: share of ALL the month's passages
    assert series(counts, COPYRIGHT, "share") == pytest.approx(
        {M1: 1 / 5, M2: 1 / 5, M3: 2 / 7, M4: 0.0})
    both = ddata.monthly_topic_counts(Filters(search="Pause   LETTER"))
    assert series(both, PAUSE) == {M1: 1, M2: 0, M3: 2, M4: 0}
    prefix = ddata.monthly_topic_counts(Filters(search="regulat"))
    assert series(prefix, PAUSE) == {M1: 0, M2: 1, M3: 0, M4: 0}
    with_person = ddata.monthly_topic_counts(Filters(search="compute", people=(EM,)))
    assert series(with_person, COMPUTE) == {M1: 0, M2: 0, M3: 1, M4: 0}
    assert series(with_person, COMPUTE, "share")[M3] == pytest.approx(1.0)
    none = ddata.monthly_topic_counts(Filters(search="zzzz"))
    assert none["passages"].sum() == 0


def test_drill_down(ddata):
    res = ddata.passages(Filters(), M2, COMPUTE)
    assert sorted(res.rows["passage_id"]) == ["d3:1", "d4:0", "d4:1"] and res.total == 3
    assert res.rows["title"].to_list()[0] == "Musk goes shopping for GPUs"  # newest first
    assert ddata.passages(Filters(people=(EM,)), M2, COMPUTE).rows["passage_id"].to_list() \
        == ["d4:0"]
    assert ddata.passages(Filters(sources=(fx.NEWS,)), M2, COMPUTE).rows["passage_id"] \
        .to_list() == ["d3:1"]
    multi = ddata.passages(Filters(people=(EM, GM)), M1, PAUSE)
    assert sorted(multi.rows["passage_id"]) == ["d1:0", "d1:1"]  # d1:1 once
    assert ddata.passages(Filters(start=M3), M2, COMPUTE).total == 0  # outside the range
    assert ddata.passages(Filters(topics=(PAUSE,)), M2, COMPUTE).total == 0


def test_passage_list_and_marks(ddata):
    everything = ddata.passages(Filters(), limit=5)
    assert everything.total == 20 and everything.rows.height == 5 and everything.truncated
    assert everything.rows["date"].to_list()[0] == date(2024, 4, 10)
    res = ddata.passages(Filters(people=(EM,), search="pause"))
    assert sorted(res.rows["passage_id"]) == ["d1:0", "d8:0"]
    marks = dict(zip(res.rows["passage_id"], res.marks))
    text = dict(zip(res.rows["passage_id"], res.rows["text"]))
    spans = [(text["d1:0"][s:e], kind) for s, e, kind, _ in marks["d1:0"]]
    assert spans == [("Elon Musk", "match"), ("pause", "search"), ("Musk's", "match")]
    other = ddata.passages(Filters(people=(GM,)), M1, PAUSE)
    kinds = {text: kind for text, kind in
             ((other.rows["text"][0][s:e], k) for s, e, k, _ in other.marks[0])}
    assert kinds == {"Gary Marcus": "match", "Elon Musk": "person"}


def test_people_and_matrix(ddata):
    people = ddata.people_options()
    assert people["person"].to_list() == [EM, GM, MV]
    assert people["mentions"].to_list() == [6, 3, 3]
    cells = {(p, t): n for p, t, n in
             ddata.people_topic_matrix(Filters()).select("person", "topic_id", "passages")
             .iter_rows()}
    assert cells == {(EM, PAUSE): 3, (EM, COMPUTE): 2, (GM, PAUSE): 2, (GM, COMPUTE): 1,
                     (MV, PAUSE): 1, (MV, COPYRIGHT): 2}
    feb = ddata.people_topic_matrix(Filters(start=M2, end=M2, people=(EM, MV)))
    assert set(feb.select("person", "topic_id", "passages").iter_rows()) == {
        (EM, COMPUTE, 1), (MV, PAUSE, 1), (MV, COPYRIGHT, 1)}
    searched = ddata.people_topic_matrix(Filters(search="copyright"))
    assert set(searched.select("person", "topic_id", "passages").iter_rows()) == {
        (MV, COPYRIGHT, 2)}


def test_topic_details(ddata):
    t = ddata.topic(PAUSE)
    assert (t.label, t.theme, t.size) == ("Pause letter", "pause_letter", 6)
    assert t.keywords[0] == "pause"
    assert [r["passage_id"] for r in t.representative] == ["d1:0", "d5:0", "d6:1"]
    assert ddata.topic(99) is None
    topics = ddata.topic_list()
    assert topics["topic_id"].to_list()[-1] == -1  # outliers last, themes first
    assert topics["is_theme"].to_list()[:2] == [True, True]


def test_document(ddata):
    doc = ddata.document("d1", Filters(people=(GM,)))
    assert doc.title == "Tech leaders call for a pause"
    assert [s["passage_id"] for s in doc.segments] == ["d1:0", "d1:1", "d1:2"]
    second = doc.segments[1]
    assert [(second["text"][s:e], k) for s, e, k, _ in second["marks"]] == [
        ("Gary Marcus", "match"), ("Elon Musk", "person")]
    assert ddata.document("nope") is None
    assert ddata.doc_id_of("d7:1") == "d7" and ddata.doc_id_of("x:9") is None


def test_events_in_range(ddata):
    ev = ddata.events(Filters())
    assert ev["label"].to_list() == ["Example hearing", "Letter anniversary"]
    assert ddata.events(Filters(end=M2))["label"].to_list() == ["Example hearing"]


def test_exports(ddata):
    trend = ddata.trend_export(Filters(people=(EM,)))
    row = trend.filter((pl.col("month") == "2024-01") & (pl.col("topic_id") == PAUSE)).row(
        0, named=True)
    assert (row["passages"], row["month_passages"], row["share"]) == (2, 2, 1.0)
    passages = ddata.passages_export(Filters(), M2, COMPUTE)
    assert passages.height == 3 and set(passages["topic"]) == {"Compute race"}
    text = csv_text(pl.DataFrame({"a": ["=HYPERLINK(1)", "plain", "-x"], "n": [-1, 2, 3]}))
    assert text.splitlines() == ["a,n", "'=HYPERLINK(1),-1", "plain,2", "'-x,3"]


def test_queries_are_cached(ddata):
    f = Filters(people=(GM, EM))
    assert ddata.monthly_topic_counts(f) is ddata.monthly_topic_counts(Filters(people=(EM, GM)))


@pytest.mark.parametrize("manifest, corpus, illustrative", [
    ({"corpus": ["/x/data/corpus"], "illustrative": True}, "/x/data/corpus", True),
    ({"corpus": ["/x/data/corpus"], "illustrative": False}, "/x/data/corpus", False),
    ({"corpus": ["/srv/a", "/srv/b"]}, "/srv/a, /srv/b", False),
    ({"config": {"corpus": "/x/data/corpus/"}}, "/x/data/corpus/", True),
    ({"config": {"corpus": ["/srv/a"]}, "illustrative": True}, "/srv/a", True),
    ({}, "unknown corpus", False),
])
def test_manifest_shapes(manifest, corpus, illustrative):
    from dashboard.data.run import find_corpus, is_illustrative

    assert find_corpus(manifest) == corpus
    assert is_illustrative(manifest, corpus) is illustrative
