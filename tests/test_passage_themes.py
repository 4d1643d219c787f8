"""Multi-label themes: primary themes, labelled passages, topic rows for every carried
theme, memberships, and trend counts that equal the passage_themes rows (property test)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import aggregates, passage_themes
from pipelines.theme_classifier import best_threshold
from pipelines.themes import NO_THEME, Theme

THEMES = [Theme(key=k, label=k.title(), description=k) for k in ("alpha", "beta", "gamma")]


def test_primary_theme_is_the_most_probable_assigned_one():
    probs = np.array([[0.9, 0.8, 0.1], [0.2, 0.7, 0.95], [0.3, 0.3, 0.3]])
    assigned = np.array([[True, True, False], [False, True, False], [False, False, False]])
    assert passage_themes.primary_theme(probs, assigned).tolist() == [0, 1, NO_THEME]


def test_best_threshold_maximises_f1_out_of_fold():
    probs = np.array([0.9, 0.8, 0.7, 0.4, 0.35, 0.1, np.nan])
    truth = np.array([True, True, False, True, False, False, True])
    cut = best_threshold(probs, truth)
    decided = probs[:6] >= cut
    assert decided.tolist() == [True, True, True, True, False, False]  # F1 0.857, the best
    assert best_threshold(np.array([0.2, 0.4]), np.array([False, False])) == 0.5


def test_labelled_passages_keep_exactly_their_labels():
    model = pl.DataFrame({"passage_id": ["a", "a", "b"], "theme": ["alpha", "beta", "gamma"],
                          "score": [0.9, 0.6, 0.7], "origin": ["model"] * 3},
                         schema=passage_themes.SCHEMA)
    labelled = pl.DataFrame({"passage_id": ["a", "c"], "themes": [["gamma"], []]})
    table = passage_themes.with_labels(model, labelled)
    assert table.select("passage_id", "theme", "origin").rows() == [
        ("a", "gamma", "label"), ("b", "gamma", "model")]
    primary = passage_themes.apply_primary(np.array([0, 2, 1]), pl.Series(["a", "b", "c"]),
                                           labelled, THEMES)
    assert primary.tolist() == [2, 2, NO_THEME]  # c is labelled with no theme at all


def test_every_carried_theme_gets_a_topic_row_sized_by_its_passages():
    topics = pl.DataFrame({"topic_id": [-1, 0, 1], "label": ["Outliers", "Alpha", "disc"],
                           "theme": [None, "alpha", None], "keywords": [[], [], []],
                           "keyword_weights": [[], [], []], "size": [1, 2, 3],
                           "representative_passage_ids": [[], [], []]},
                          schema={"topic_id": pl.Int32, "label": pl.String, "theme": pl.String,
                                  "keywords": pl.List(pl.String),
                                  "keyword_weights": pl.List(pl.Float64), "size": pl.UInt32,
                                  "representative_passage_ids": pl.List(pl.String)})
    table = pl.DataFrame({"passage_id": ["a", "b", "b", "c"],
                          "theme": ["alpha", "alpha", "gamma", "alpha"],
                          "score": [0.9, 0.8, 0.6, 0.7], "origin": ["model"] * 4},
                         schema=passage_themes.SCHEMA)
    out = passage_themes.complete_theme_topics(topics, table, THEMES)
    assert out.select("topic_id", "theme", "size").rows() == [
        (-1, None, 1), (0, "alpha", 3), (1, None, 3), (2, "gamma", 1)]
    assert out.filter(pl.col("theme") == "gamma")["representative_passage_ids"].to_list() == [["b"]]


def _run(draw_rows, draw_themes):
    """Passages (with primary topics) and their passage_themes rows."""
    topic_of = {"alpha": 0, "beta": 1}
    passages, table = [], []
    for i, (month, source, people, discovered, carried) in enumerate(zip(*draw_rows)):
        themes = [t for t, on in zip(("alpha", "beta"), carried) if on]
        topic = topic_of[themes[0]] if themes else discovered
        passages.append({"passage_id": f"p{i}", "doc_id": f"d{i // 2}",
                         "month": date(2024, month, 1), "source": source,
                         "topic_id": topic, "people": people})
        table += [{"passage_id": f"p{i}", "theme": t, "score": 0.9, "origin": "model"}
                  for t in themes]
    frame = pl.DataFrame(passages, schema={
        "passage_id": pl.String, "doc_id": pl.String, "month": pl.Date, "source": pl.String,
        "topic_id": pl.Int32, "people": pl.List(pl.String)})
    return frame, pl.DataFrame(table, schema=passage_themes.SCHEMA)


rows = st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.lists(st.integers(1, 3), min_size=n, max_size=n),
    st.lists(st.sampled_from(["wire", "blog"]), min_size=n, max_size=n),
    st.lists(st.lists(st.sampled_from(["Ann", "Bo"]), unique=True), min_size=n, max_size=n),
    st.lists(st.sampled_from([-1, 5, 6]), min_size=n, max_size=n),
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=n, max_size=n)))


@settings(max_examples=60, deadline=None)
@given(rows)
def test_trend_counts_equal_the_passage_themes_rows(draw):
    """Every (month, topic, person, source) count of the trends table equals the passages
    that belong to that topic: those carrying the theme, or of that discovered topic."""
    passages, table = _run(draw, None)
    topics = pl.DataFrame({"topic_id": [0, 1], "theme": ["alpha", "beta"]},
                          schema={"topic_id": pl.Int32, "theme": pl.String})
    memberships = passage_themes.topic_memberships(passages, table, topics)
    trends, totals = aggregates.membership_trend_tables(passages, memberships)
    carried = table.group_by("passage_id").agg(pl.col("theme"))
    expected: dict[tuple, int] = {}
    for p in passages.join(carried, on="passage_id", how="left").iter_rows(named=True):
        topics_of = [{"alpha": 0, "beta": 1}[t] for t in (p["theme"] or [])] or [p["topic_id"]]
        for person in [None, *p["people"]]:
            for topic in topics_of:
                key = (p["month"], topic, person, p["source"])
                expected[key] = expected.get(key, 0) + 1
    got = {(m, t, pe, s): n for m, t, pe, s, n in
           trends.select("month", "topic_id", "person", "source", "passages").iter_rows()}
    assert got == expected
    everyone = totals.filter(pl.col("person").is_null())["passages"].sum()
    assert everyone == passages.height  # the denominators count each passage once
