"""Topic explorer tab: topic sizes, and for one topic its keywords, its monthly trend
under the filters, the theme description and representative passages."""

from __future__ import annotations

from dataclasses import replace

import dash_mantine_components as dmc
from dash import Dash, Input, Output, dcc, html, no_update

from dashboard import figures, ids
from dashboard.context import AppContext
from dashboard.data import TopicDetails
from dashboard.features.chart import chart
from dashboard.inputs import small_int

TAB, TAB_LABEL = "topics", "Topic explorer"


def layout(ctx: AppContext) -> html.Div:
    topics = ctx.data.topic_list()
    options = [{"value": str(t), "label": lab}
               for t, lab in topics.select("topic_id", "label").iter_rows()]
    first = options[0]["value"] if options else None
    return html.Div(className="tab-body topics-grid", children=[
        html.Div(className="topics-left", children=[
            html.H3("Topics by size", className="subhead"),
            html.P("Passages under the current filters (a passage counts under each named "
                   "theme it carries). Named themes in colour, discovered topics muted. "
                   "Click a bar to open the topic.", className="note"),
            chart("Bar chart: passages of each topic", dcc.Graph(
                id=ids.TOPIC_SIZES, figure=figures.empty_figure("Loading…", hint=""),
                config=figures.png_config("discourse-topic-sizes"), className="graph")),
        ]),
        html.Div(className="topics-right", children=[
            dmc.Select(id=ids.TOPIC_SELECT, label="Topic", data=options, value=first,
                       searchable=True, allowDeselect=False, w=360),
            html.Div(id=ids.TOPIC_DETAILS),
        ]),
    ])


def quality_badge(details: TopicDetails):
    """A theme's held-out quality (nested grouped cross-validation on labelled passages)."""
    q = details.quality
    if not details.theme:
        return None
    if not q or q.get("precision") is None:
        return dmc.Badge("no held-out figures", color="gray", variant="outline")
    return dmc.Badge(f"held-out precision {q['precision']:.2f} · recall {q['recall'] or 0:.2f} "
                     f"· {q['positives']} labelled", color="teal", variant="light",
                     className="quality-badge")


def render_topic(details: TopicDetails, color: str, trend_figure) -> list:
    """The right-hand panel for one topic (all corpus text rendered as text)."""
    badge = (dmc.Badge("named theme", color="indigo", variant="light")
             if details.theme else dmc.Badge("discovered topic", color="gray", variant="light"))
    reps = [html.Div(className="rep", children=[
        html.Div(className="rep-meta", children=[
            html.Span(str(r["date"])), " · ", html.Span(r["title"] or "", className="rep-title"),
        ]),
        html.P(r["text"], className="rep-text"),
    ]) for r in details.representative]
    keywords = figures.keyword_bars(details.keywords, details.keyword_weights, color)
    return [
        html.Div(className="topic-head", children=[
            html.H3(details.label, style={"borderLeft": f"5px solid {color}"}),
            badge, dmc.Badge(f"{details.size:,} passages in the corpus", color="gray",
                             variant="outline"),
            quality_badge(details),
        ]),
        html.P(details.description, className="theme-description") if details.description
        else None,
        html.Div(className="topic-figs", children=[
            html.Div([html.H4("Keywords", className="subhead"),
                      chart(f"Bar chart: keywords of {details.label}", dcc.Graph(
                          figure=keywords, config=figures.png_config("topic-keywords"),
                          className="graph"))]),
            html.Div([html.H4("Passages per month (current filters)", className="subhead"),
                      chart(f"Line chart: passages per month of {details.label}", dcc.Graph(
                          figure=trend_figure, config=figures.png_config("topic-trend"),
                          className="graph"))]),
        ]),
        html.H4("Representative passages", className="subhead"),
        html.Div(reps or html.P("None recorded.", className="note")),
    ]


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.TOPIC_SIZES, "figure"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_sizes(store):
        _, f = ctx.current_on_tab(store, TAB)
        return figures.topic_sizes(data.topic_sizes(f), ctx.colors)

    @app.callback(Output(ids.TOPIC_SELECT, "value"), Input(ids.TOPIC_SIZES, "clickData"),
                  prevent_initial_call=True)
    def pick_topic(click):
        topic_id = figures.clicked_topic(click, ctx.topic_ids)
        return no_update if topic_id is None else str(topic_id)

    @app.callback(Output(ids.TOPIC_DETAILS, "children"), Input(ids.TOPIC_SELECT, "value"),
                  Input(ids.FILTERS, "data"), prevent_initial_call=True)
    def update_topic(value, store):
        _, f = ctx.current_on_tab(store, TAB)  # a hidden tab computes when it is opened
        if value is None or value == "":
            return html.P("Pick a topic.", className="note")
        topic_id = small_int(value, ctx.topic_ids)
        details = data.topic(topic_id) if topic_id is not None else None
        if details is None:
            return html.P("Unknown topic.", className="note")
        counts = data.monthly_topic_counts(replace(f, topics=(topic_id,)))
        trend = figures.trend_figure(counts, colors=ctx.colors, partial=data.partial_months(),
                                     height=280, legend=False)
        return render_topic(details, ctx.colors.get(topic_id, figures.OUTLIER_COLOR), trend)
