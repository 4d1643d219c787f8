"""The data layer's parts, each tested on its own over the tiny hand-made run:
loading through the artifact contract, the index, and each view's query module called
directly (not through DiscourseData). Expected numbers come from fixture_run.py's table."""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest

import fixture_run as fx
from dashboard.data import Filters, RunNotFoundError
from dashboard.data import export, passages, people, topics, trends
from dashboard.data.index import build_index
from dashboard.data.run import load_run

M1, M2, M3, M4 = fx.M1, fx.M2, fx.M3, fx.M4
PAUSE, COMPUTE, COPYRIGHT = 0, 1, 2


@pytest.fixture(scope="module")
def index(fixture_run, events_csv):
    return build_index(load_run(fixture_run, events_path=events_csv))


def test_index_row_ranges_cover_each_month_and_topic(index):
    assert index.month_list == [M1, M2, M3, M4]
    assert {m: hi - lo for m, (lo, hi) in index.month_slices.items()} == \
        {M1: 5, M2: 5, M3: 7, M4: 3}
    lo, hi = index.topic_slices[COMPUTE]
    compute = index.p[index.topic_row_arr[lo:hi]]
    assert sorted(compute.filter(pl.col("month") == M2)["passage_id"].to_list()) == \
        ["d3:1", "d4:0", "d4:1"]
    assert index.memberships.height == index.height  # the fixture run has no passage_themes
    assert index.topics["topic_id"].to_list()[-1] == -1  # outliers last
    assert index.range_slice(Filters(start=M2, end=M3)) == (5, 17)


def test_trends_module(index):
    counts = trends.monthly_topic_counts(index, Filters(people=(fx.EM, fx.GM)), None)
    pause = counts.filter(pl.col("topic_id") == PAUSE)
    assert pause["passages"].to_list() == [2, 0, 1, 1]
    assert pause["month_passages"].to_list() == [2, 1, 2, 2]
    assert counts.columns == trends.COUNT_COLUMNS
    assert trends.partial_months(index)["month"].to_list() == [M1, M4]
    assert trends.events(index, Filters(start=M3))["label"].to_list() == ["Letter anniversary"]


def test_people_module(index):
    matrix = people.people_topic_matrix(index, Filters(end=M2), 25, None)
    cells = {(p, t): n for p, t, n in matrix.select("person", "topic_id", "passages").iter_rows()}
    assert cells == {(fx.EM, PAUSE): 2, (fx.EM, COMPUTE): 1, (fx.GM, PAUSE): 1,
                     (fx.MV, COPYRIGHT): 1, (fx.MV, PAUSE): 1}


def test_topics_module(index):
    assert topics.chart_topics(index, Filters(), max_discovered=0) == [COMPUTE, PAUSE]
    assert topics.chart_topics(index, Filters(topics=(COPYRIGHT, -1))) == [COPYRIGHT, -1]
    details = topics.topic_details(index, COMPUTE)
    assert [r["passage_id"] for r in details.representative] == ["d2:0", "d6:0"]
    assert topics.rows_by_passage_id(index, ["nope", "d1:0"]).size == 1


def test_passages_module(index):
    point = passages.passages(index, Filters(), M2, COMPUTE, limit=2)
    assert point.total == 3 and point.rows.height == 2
    assert point.rows["date"].to_list() == [date(2024, 2, 19)] * 2  # newest first
    assert passages.passages(index, Filters(start=M3), M2, COMPUTE).total == 0
    doc = passages.document(index, "d1", Filters(people=(fx.GM,)))
    kinds = [m[2] for seg in doc.segments for m in seg["marks"]]
    assert kinds.count("match") == 1 and kinds.count("person") == 3
    assert passages.doc_id_of(index, "d8:2") == "d8"


def test_export_module(index):
    counts = trends.monthly_topic_counts(index, Filters(topics=(COMPUTE,)))
    rows = export.trend_rows(counts)
    assert rows["month"].to_list() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    listed = passages.passages(index, Filters(people=(fx.MV,)), limit=10, with_marks=False)
    assert export.passage_rows(listed.rows)["people"].to_list() == [fx.MV] * 3


def _break(run_dir, table: str, change) -> None:
    path = run_dir / f"{table}.parquet"
    change(pl.read_parquet(path)).write_parquet(path)


@pytest.mark.parametrize("table, change, named", [
    ("passages", lambda f: f.drop("people"), "'people'"),
    ("trends", lambda f: f.with_columns(pl.col("passages").cast(pl.String)), "'passages'"),
    ("topics", lambda f: f.rename({"label": "name"}), "'label'"),
])
def test_a_table_that_breaks_the_contract_is_named(fixture_run, tmp_path, table, change, named):
    run = tmp_path / "run"
    shutil.copytree(fixture_run, run)
    _break(run, table, change)
    with pytest.raises(RunNotFoundError) as raised:
        load_run(run)
    assert f"{table}.parquet" in str(raised.value) and named in str(raised.value)


def test_a_run_without_the_optional_word_index_loads(fixture_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(fixture_run, run)
    (run / "search_index.parquet").unlink()
    assert "search_index" not in load_run(run).tables
    (run / "months.parquet").unlink()
    with pytest.raises(RunNotFoundError, match="months"):
        load_run(run)


# ------------------------------------------------------------------------- the grid
def test_grid_sorts_every_column_over_the_whole_result(ddata):
    """Each sortable column orders the whole result as the grid shows it (empty values
    last, ties in a stable order), and the blocks put together are that order."""
    from dashboard.data import SORT_COLUMNS, GridQuestion, GridSort

    question = GridQuestion(Filters())
    whole = ddata.passages(Filters(), limit=10_000, marks=False).rows
    for column in SORT_COLUMNS:
        for descending in (False, True):
            sort = GridSort(column, descending)
            rows = pl.concat([ddata.grid_block(question, sort, a, a + 6).rows
                              for a in range(0, whole.height, 6)])
            assert sorted(rows["passage_id"]) == sorted(whole["passage_id"])
            lists = ("people", "speakers")  # shown joined with ", "
            shown = [(", ".join(v or []) if column in lists else v) for v in rows[column].to_list()]
            present = [str(v).lower() for v in shown if v not in ("", None)]
            assert present == sorted(present, reverse=descending), column
            if column in lists:  # passages naming (or quoting) nobody come last either way
                empty = [not v for v in shown]
                assert empty == sorted(empty)


def test_grid_result_summary_counts_people_and_sources(ddata):
    from datetime import date

    from dashboard.data import GridQuestion

    question = GridQuestion(Filters(topics=(1,)), date(2024, 2, 1), 1)
    rows = ddata.passages(question.filters, question.month, question.topic_id).rows
    summary = ddata.result_summary(question)
    named = rows.select(pl.col("people").explode()).drop_nulls()["people"].value_counts()
    assert summary["people"] == sorted(named.iter_rows(), key=lambda r: (-r[1], r[0]))[:3]
    assert sum(n for _, n in summary["sources"]) == rows.height == 3


def test_topic_sizes_follow_the_filters(ddata):
    """The explorer's sizes are passages under the filters, as the chart counts them."""
    everyone = ddata.topic_sizes(Filters())
    marcus = ddata.topic_sizes(Filters(people=("Gary Marcus",)))
    counts = ddata.monthly_topic_counts(Filters(people=("Gary Marcus",)))
    by_topic = dict(counts.group_by("topic_id").agg(pl.col("passages").sum()).iter_rows())
    assert dict(zip(marcus["topic_id"], marcus["size"])) == by_topic
    assert marcus["size"].sum() < everyone["size"].sum()
    assert everyone["topic_id"].to_list() == [
        t for t in ddata.topic_list()["topic_id"].to_list() if t in set(everyone["topic_id"])]
