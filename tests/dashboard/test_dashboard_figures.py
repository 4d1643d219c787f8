"""figures.py is pure: frames in, figure dicts (Plotly's JSON schema) out.

Each figure is checked through `go.Figure(fig)`, which also validates it against Plotly's
schema: a misspelt property would fail here.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

import fixture_run as fx
from dashboard import figures as _figures
from dashboard.data import Filters


class _Validated:
    """`figures`, with every figure builder's dict turned into a (validated) go.Figure."""

    def __getattr__(self, name):
        value = getattr(_figures, name)
        if name in ("trend_figure", "people_topic_heatmap", "keyword_bars", "topic_sizes",
                    "empty_figure"):
            return lambda *a, **kw: go.Figure(value(*a, **kw))
        return value


figures = _Validated()


def test_trend_figure_traces_and_styles(ddata):
    colors = figures.topic_colors(ddata.topic_list())
    fig = figures.trend_figure(ddata.monthly_topic_counts(Filters()), colors=colors,
                               partial=ddata.partial_months())
    topics = [t for t in fig.data if t.meta and "topic_id" in t.meta]
    assert [t.name for t in topics] == ["Compute race", "Pause letter", "Copyright lawsuits"]
    theme, discovered = topics[0], topics[2]
    assert theme.line.dash == "solid" and theme.line.width > discovered.line.width
    assert discovered.line.dash == "dot"
    assert theme.line.color in figures.THEME_PALETTE
    assert discovered.line.color in figures.DISCOVERED_PALETTE
    assert theme.legendgroup == "themes" and discovered.legendgroup == "discovered"
    assert list(theme.y) == [1, 3, 2, 2]
    # partial months (first and last) drawn hollow and shaded
    assert list(theme.marker.symbol) == ["circle-open", "circle", "circle", "circle-open"]
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2
    assert any("partial" in (a.text or "") for a in fig.layout.annotations)
    # hover carries month, topic, count, share; customdata identifies the point
    assert "%{customdata[2]} passages" in theme.hovertemplate
    first = list(theme.customdata[1])
    assert first[0] == 1 and first[1] == "Compute race" and first[2] == 3
    assert first[4] == "60.0%" and first[7] == "2024-02-01"


def test_share_and_area(ddata):
    fig = figures.trend_figure(ddata.monthly_topic_counts(Filters()), measure="share",
                               style="area")
    assert fig.layout.yaxis.tickformat == ".1~%"
    first = fig.data[0]
    assert first.stackgroup == "one"
    assert list(first.y) == [0.2, 0.6, 2 / 7, 2 / 3]


def test_events_are_vertical_markers_with_hover(ddata):
    fig = figures.trend_figure(ddata.monthly_topic_counts(Filters()),
                               events=ddata.events(Filters()))
    events = [t for t in fig.data if t.name == "Events"]
    assert len(events) == 1 and len(events[0].x) == 2
    assert "Example hearing" in events[0].hovertext[0]
    assert "&lt;compute&gt;" in events[0].hovertext[0]  # escaped, not markup
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 2


def test_empty_data_figure(ddata):
    fig = figures.trend_figure(ddata.monthly_topic_counts(Filters(search="zzzz")))
    assert fig.layout.meta == {"empty": True}
    assert "No data for these filters" in fig.layout.annotations[0].text
    assert not fig.data
    heat = figures.people_topic_heatmap(pl.DataFrame(schema={
        "person": pl.String, "topic_id": pl.Int32, "label": pl.String, "theme": pl.String,
        "passages": pl.Int64}), ddata.topic_list())
    assert heat.layout.meta == {"empty": True}


def test_heatmap(ddata):
    fig = figures.people_topic_heatmap(ddata.people_topic_matrix(Filters()),
                                       ddata.topic_list())
    hm = fig.data[0]
    assert list(fig.layout.yaxis.ticktext) == [fx.MV, fx.GM, fx.EM]  # most active on top
    assert list(fig.layout.xaxis.ticktext) == ["<b>Compute race</b>", "<b>Pause letter</b>",
                                               "Copyright lawsuits"]
    assert [list(r) for r in hm.z] == [[0, 1, 2], [1, 2, 0], [2, 3, 0]]
    assert list(hm.customdata[2][1]) == [fx.EM, "Pause letter"]
    people, cols = figures.heatmap_axes(ddata.people_topic_matrix(Filters()),
                                        ddata.topic_list())
    assert people[0] == fx.MV and cols[2][0] == 2  # click (x=2, y=0) = MV x Copyright


def test_labels_are_escaped():
    counts = pl.DataFrame({
        "month": [fx.M1], "topic_id": [5], "label": ["<a href='x'>bad</a>"], "theme": [None],
        "is_theme": [False], "passages": [1], "month_passages": [1], "share": [1.0],
        "partial": [False]}, schema_overrides={"theme": pl.String})
    fig = figures.trend_figure(counts)
    assert fig.data[0].name == "&lt;a href='x'&gt;bad&lt;/a&gt;"


def test_keyword_bars_and_sizes(ddata):
    t = ddata.topic(0)
    bars = figures.keyword_bars(t.keywords, t.keyword_weights, "#123456")
    assert list(bars.data[0].y)[-1] == "pause"
    sizes = figures.topic_sizes(ddata.topic_list(), figures.topic_colors(ddata.topic_list()))
    assert -1 not in [c[0] for c in sizes.data[0].customdata]
    assert figures.png_config("x")["toImageButtonOptions"]["format"] == "png"


def test_max_visible_keeps_the_rest_in_the_legend(ddata):
    fig = figures.trend_figure(ddata.monthly_topic_counts(Filters()), max_visible=1)
    visible = {t.name: t.visible for t in fig.data}
    assert visible == {"Compute race": True, "Pause letter": "legendonly",
                       "Copyright lawsuits": "legendonly"}


def test_figures_are_plain_json_ready_dicts(ddata):
    """What callbacks return: dicts (no graph objects to build), valid for Plotly."""
    fig = _figures.trend_figure(ddata.monthly_topic_counts(Filters()),
                                events=ddata.events(Filters()), legend=False)
    assert isinstance(fig, dict) and isinstance(fig["data"][0], dict)
    assert fig["layout"]["showlegend"] is False
    checked = go.Figure(fig)  # raises on any property Plotly does not know
    assert checked.layout.yaxis2.overlaying == "y"
    assert checked.layout.template.layout.xaxis.gridcolor == "#EBF0F8"


def test_clicks_decode_what_the_figures_encode(ddata):
    """Each clickable figure's customdata, sent back as a click, names the same thing."""
    topic_ids = set(ddata.topic_list()["topic_id"].to_list())
    months = set(ddata.months)
    trend = _figures.trend_figure(ddata.monthly_topic_counts(Filters()),
                                  events=ddata.events(Filters()))
    for trace in trend["data"]:
        for custom in trace.get("customdata") or []:
            click = {"points": [{"customdata": custom}]}
            assert _figures.clicked_point(click, topic_ids, months) == (
                custom[0], date.fromisoformat(custom[7]))
    event_marker = {"points": [{"x": "2024-02-13", "hovertext": "x"}]}
    assert _figures.clicked_point(event_marker, topic_ids, months) is None
    matrix, topics = ddata.people_topic_matrix(Filters()), ddata.topic_list()
    heat = _figures.people_topic_heatmap(matrix, topics)["data"][0]
    for y, row in enumerate(heat["customdata"]):
        for x, (person, label) in enumerate(row):
            topic_id = _figures.clicked_cell({"points": [{"x": x, "y": y}]}, matrix, topics)
            assert (topic_id[0], ddata.topic_label(topic_id[1])) == (person, label)
    for bad in ({"x": 3, "y": 0}, {"x": 0, "y": -1}, {"x": "NaN", "y": 0}, {}):
        assert _figures.clicked_cell({"points": [bad]}, matrix, topics) is None
    sizes = _figures.topic_sizes(ddata.topic_list(), {})
    first = sizes["data"][0]["customdata"][0]
    assert _figures.clicked_topic({"points": [{"customdata": first}]}, topic_ids) == first[0]
