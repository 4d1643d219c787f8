"""Who said what in the dashboard: the Said-by filter in the data layer, the speaker column
in the grid rows and the passages CSV, statements highlighted per speaker in the document
view (as text, never HTML; a name before each statement, not colour alone), one person's
statements versus mentions per month, and a run built before statements existed.

Expected values are worked out by hand from tests/dashboard/fixture_run.py (STATEMENTS)."""

from __future__ import annotations

import io

import polars as pl
import pytest

import fixture_run as fx
from dashboard.data import DiscourseData, Filters, GridQuestion, GridSort
from dashboard.data.passages import matching_rows
from dashboard.downloads import parse_passages_query
from dashboard.exports import strip_header
from dashboard.features.document import render_document, said_text, speaker_styles
from dashboard.features.passages import grid_rows
from dashboard.figures import said_named_figure

M1, M2, M3, M4 = fx.M1, fx.M2, fx.M3, fx.M4


def pids(data: DiscourseData, f: Filters) -> list[str]:
    rows = matching_rows(data.index, f)
    return sorted(data.index.p["passage_id"].gather(rows).to_list())


@pytest.fixture(scope="module")
def older(tmp_path_factory) -> DiscourseData:
    """The fixture run as built before statements existed: no table, null speakers."""
    out = tmp_path_factory.mktemp("no-statements")
    fx.write_fixture_run(out, statements=False)
    return DiscourseData.load(out / "current", events_path=out / "events.csv")


# ------------------------------------------------------------------ the filter's rows
def test_said_by_keeps_the_passages_with_statements_by_any_chosen_speaker(ddata):
    assert ddata.statements_status() == "ready"
    assert ddata.speaker_options() == [(fx.GM, 3), (fx.EM, 2), (fx.MV, 2)]
    assert ddata.vocabulary().speakers == {fx.EM, fx.GM, fx.MV}
    assert pids(ddata, Filters(speakers=(fx.EM,))) == ["d1:1", "d4:0"]
    assert pids(ddata, Filters(speakers=(fx.EM, fx.MV))) == ["d1:1", "d3:0", "d4:0", "d7:0"]
    # Musk is named in five passages but speaks in two; signing the letter is no statement
    assert pids(ddata, Filters(people=(fx.EM,))) == ["d1:0", "d1:1", "d4:0", "d6:0", "d8:0"]
    # both filters: passages naming Musk AND with a statement by Marcus
    assert pids(ddata, Filters(people=(fx.EM,), speakers=(fx.GM,))) == ["d1:1"]
    assert pids(ddata, Filters(speakers=(fx.GM,), sources=(fx.BLOG,))) == ["d8:2"]
    assert pids(ddata, Filters(speakers=(fx.MV,), search="licensing")) == ["d7:0"]
    assert pids(ddata, Filters(speakers=("Nobody",))) == []


def test_said_by_changes_the_chart_counts_and_the_share(ddata):
    counts = ddata.monthly_topic_counts(Filters(speakers=(fx.GM,)), None)
    cells = {(m, t): (n, d) for m, t, n, d in counts.select(
        "month", "topic_id", "passages", "month_passages").iter_rows() if n}
    # d1:1 (Jan, pause), d5:0 (Mar, pause), d8:2 (Apr, compute); the month's passages
    # under the same filter are the denominators
    assert cells == {(M1, 0): (1, 1), (M3, 0): (1, 1), (M4, 1): (1, 1)}
    assert Filters(speakers=(fx.GM,)).uses_aggregates is False
    matrix = ddata.people_topic_matrix(Filters(speakers=(fx.MV,)))
    assert matrix.select("person", "topic_id", "passages").rows() == [(fx.MV, 2, 2)]


def test_the_grid_lists_sorts_and_shows_the_speakers(ddata):
    question = GridQuestion(Filters(speakers=(fx.EM, fx.GM)))
    assert ddata.grid_total(question) == 4
    block = ddata.grid_block(question, GridSort("speakers", False), 0, 100)
    rows = grid_rows(block)
    assert [(r["passage_id"], r["speakers"]) for r in rows] == [
        ("d4:0", "Elon Musk"), ("d1:1", "Elon Musk, Gary Marcus"),
        ("d5:0", "Gary Marcus"), ("d8:2", "Gary Marcus")]
    everyone = grid_rows(ddata.grid_block(GridQuestion(Filters()), GridSort(), 0, 100))
    assert {r["passage_id"]: r["speakers"] for r in everyone}["d1:0"] == ""


def test_the_passages_csv_has_the_speakers_and_follows_the_filter(ddata):
    wanted, problems = parse_passages_query("said_by=Margrethe+Vestager", ddata.vocabulary())
    assert problems == [] and wanted.filters == Filters(speakers=(fx.MV,))
    frame = ddata.passages_export(wanted.filters)
    assert frame.columns[8:11] == ["people", "speakers", "text"]
    assert frame.select("passage_id", "speakers").rows() == [
        ("d7:0", fx.MV), ("d3:0", fx.MV)]
    bad, problems = parse_passages_query("said_by=Nobody", ddata.vocabulary())
    assert bad is None and problems == ["Ignored unknown said_by “Nobody”."]


def test_the_passages_download_route_takes_said_by(client):
    response = client.get("/download/passages.csv?said_by=Gary+Marcus")
    assert response.status_code == 200
    assert "said-by-gary-marcus" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "# filters: said_by = Gary Marcus" in text
    frame = pl.read_csv(io.StringIO(strip_header(text)))
    assert sorted(frame["passage_id"].to_list()) == ["d1:1", "d5:0", "d8:2"]
    assert frame.filter(pl.col("passage_id") == "d1:1")["speakers"].to_list() == [
        "Elon Musk; Gary Marcus"]
    assert client.get("/download/passages.csv?said_by=Nobody").status_code == 400


# ------------------------------------------------------------- statements vs mentions
def test_statements_versus_mentions_per_month(ddata):
    counts = ddata.said_and_named(Filters(), fx.EM)
    # statements: d1:1 (Jan), d4:0 (Feb); mentions: d1:0 twice + d1:1 (Jan), d4:0 (Feb),
    # d6:0 (Mar), d8:0 (Apr)
    assert counts.rows() == [(M1, 1, 3), (M2, 1, 1), (M3, 0, 1), (M4, 0, 1)]
    # the other filters narrow the counted passages; the people filters do not
    narrowed = ddata.said_and_named(Filters(start=M2, end=M3, sources=(fx.BLOG,),
                                            people=(fx.GM,), speakers=(fx.MV,)), fx.EM)
    assert narrowed.rows() == [(M2, 1, 1), (M3, 0, 1)]
    assert ddata.said_and_named(Filters(), "Nobody")["statements"].sum() == 0


def test_the_statements_chart_says_which_line_is_which(ddata):
    fig = said_named_figure(ddata.said_and_named(Filters(), fx.EM), fx.EM)
    names = [t["name"] for t in fig["data"]]
    assert names == ["Statements (words attributed to Elon Musk)", "Mentions (Elon Musk named)"]
    styles = [(t["line"]["dash"], t["marker"]["symbol"]) for t in fig["data"]]
    assert styles[0] != styles[1]  # told apart by line and marker, not colour alone
    assert [t["y"] for t in fig["data"]] == [[1, 1, 0, 0], [3, 1, 1, 1]]
    empty = said_named_figure(ddata.said_and_named(Filters(), "Nobody"), "<b>Nobody</b>")
    assert empty["data"] == [] and "&lt;b&gt;" in empty["layout"]["annotations"][0]["text"]


# ---------------------------------------------------------------- the document view
def texts(node) -> list[str]:
    """Every string in a component tree, in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, (list, tuple)):
        return [t for child in node for t in texts(child)]
    return texts(getattr(node, "children", None) or [])


def find(node, cls: str) -> list:
    out = []
    if isinstance(node, (list, tuple)):
        for child in node:
            out += find(child, cls)
        return out
    if hasattr(node, "children"):
        if cls in (getattr(node, "className", "") or "").split():
            out.append(node)
        out += find(node.children or [], cls)
    return out


def test_statements_are_highlighted_per_speaker_with_their_name(ddata):
    doc = ddata.document("d1", Filters(speakers=(fx.GM,)))
    assert doc.segments[1]["statements"] == [
        [43, 96, fx.GM, "Gary Marcus", "reported", "argued"],
        [43, 96, fx.EM, "Elon Musk", "reported", "argued"]]
    assert doc.segments[0]["statements"] == []  # Musk signing the letter: a mention only
    styles = speaker_styles(doc)
    assert styles == {fx.GM: 0, fx.EM: 1}
    page = render_document(doc, None, {}, chosen=(fx.GM,))
    spans = find(page, "said")
    statement = [s for s in spans if "said-chip" not in s.className]
    assert len(statement) == 1 and "said-chosen" in statement[0].className
    tags = [t.children for t in find(statement[0], "said-tag")]
    assert tags == ["Gary Marcus:", "Elon Musk:"]  # both speakers named, in the text
    assert "Statement by Gary Marcus (reported speech, cue “argued”)" in statement[0].title
    legend = find(page, "said-legend")[0]
    assert [c.children for c in find(legend, "said-chip")] == [fx.GM, fx.EM]
    # the passage's words are all still there, in order, around the tags
    words = "".join(t for t in texts(find(page, "doc-text")[1]) if not t.endswith(":"))
    assert words == doc.segments[1]["text"]


def test_statement_text_is_text_not_html(ddata):
    doc = ddata.document("d7", Filters(people=(fx.MV,)))
    page = render_document(doc, None, {})
    joined = "".join(texts(page))
    assert "<script>alert('x')</script>" in joined  # a plain string child, never markup
    statement = [s for s in find(page, "said") if "said-chip" not in s.className][0]
    assert [m.children for m in find(statement, "hl")] == []  # no mention inside it
    assert "Margrethe Vestager:" in texts(statement)
    unregistered = render_document(ddata.document("d6"), None, {})
    assert "Supporters of the pause letter (not a registered person):" in texts(unregistered)
    assert find(unregistered, "said-other")


def test_marks_and_statements_nest_without_losing_text():
    text = "Ann said that Bob is right about chips."
    marks = [[0, 3, "person", "Ann"], [14, 17, "match", "Bob"], [33, 38, "search", None]]
    statements = [[14, 38, "Ann", "Ann", "reported", "said"], [30, 99, "X", "X", "quote", ""]]
    out = said_text(text, marks, statements, {"Ann": 0})
    assert "".join(t for t in texts(out) if t != "Ann:") == text
    assert [m.children for m in find(out, "hl")] == ["Ann", "Bob", "chips"]
    broken = [[5, 2, None, "", "", ""], [0, 99, None, "", "", ""]]  # empty / past the end
    assert repr(said_text(text, marks, broken, {})) == repr(said_text(text, marks, [], {}))


# ------------------------------------------------------------ a run without statements
def test_a_run_without_statements_still_serves_and_says_why(older):
    assert older.statements_status() == "missing"
    assert older.speaker_options() == [] and older.vocabulary().speakers == frozenset()
    assert older.index.p["speakers"].null_count() == older.index.height
    assert pids(older, Filters(speakers=(fx.EM,))) == []
    assert older.passages_export(Filters())["speakers"].null_count() == 20
    assert older.document("d1").segments[1]["statements"] == []
    counts = older.said_and_named(Filters(), fx.EM)
    assert counts["statements"].to_list() == [0, 0, 0, 0]
    assert counts["mentions"].to_list() == [3, 1, 1, 1]


def test_the_said_by_control_is_disabled_with_the_reason(older, ddata):
    from dashboard.context import AppContext
    from dashboard.features.filters import said_by_control

    control = said_by_control(AppContext.create(older, "/download/passages.csv"), [])
    assert control.disabled is True and "built before statements" in control.description
    ready = said_by_control(AppContext.create(ddata, "/download/passages.csv"), [])
    assert ready.disabled is False and ready.label == "Said by"
    assert [o["label"] for o in ready.data] == ["Gary Marcus (3)", "Elon Musk (2)",
                                                "Margrethe Vestager (2)"]


def test_an_app_over_a_run_without_statements_drops_said_by(tmp_path):
    from dashboard.app import create_app

    fx.write_fixture_run(tmp_path, statements=False)
    client = create_app(tmp_path / "current").server.test_client()
    assert client.get("/").status_code == 200
    response = client.get("/download/passages.csv?said_by=Elon+Musk")
    assert response.status_code == 400
    assert b"no statement in this run is attributed to a person" in response.data
