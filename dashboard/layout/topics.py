"""Topic explorer tab: topic sizes, and for one topic its keywords, monthly trend under
the filters, theme description and representative passages."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.data import DiscourseData, TopicDetails
from dashboard.figures import keyword_bars, png_config, topic_sizes
from dashboard import ids


def build_topics_tab(data: DiscourseData, colors: dict[int, str]) -> html.Div:
    topics = data.topic_list()
    options = [{"value": str(t), "label": lab}
               for t, lab in topics.select("topic_id", "label").iter_rows()]
    first = options[0]["value"] if options else None
    return html.Div(className="tab-body topics-grid", children=[
        html.Div(className="topics-left", children=[
            html.Div("Topics by size", className="subhead"),
            html.P("Named themes in colour, discovered topics muted. Click a bar to open "
                   "the topic.", className="note"),
            dcc.Graph(id=ids.TOPIC_SIZES, figure=topic_sizes(topics, colors),
                      config=png_config("discourse-topic-sizes"), className="graph"),
        ]),
        html.Div(className="topics-right", children=[
            dmc.Select(id=ids.TOPIC_SELECT, label="Topic", data=options, value=first,
                       searchable=True, allowDeselect=False, w=360),
            html.Div(id=ids.TOPIC_DETAILS),
        ]),
    ])


def render_topic(details: TopicDetails, color: str, trend_figure) -> list:
    """The right-hand panel for one topic (all corpus text rendered as text)."""
    badge = (dmc.Badge(f"theme: {details.theme}", color="indigo", variant="light")
             if details.theme else dmc.Badge("discovered topic", color="gray", variant="light"))
    reps = [html.Div(className="rep", children=[
        html.Div(className="rep-meta", children=[
            html.Span(str(r["date"])), " · ", html.Span(r["title"] or "", className="rep-title"),
        ]),
        html.P(r["text"], className="rep-text"),
    ]) for r in details.representative]
    return [
        html.Div(className="topic-head", children=[
            html.H3(details.label, style={"borderLeft": f"5px solid {color}"}),
            badge, dmc.Badge(f"{details.size:,} passages", color="gray", variant="outline"),
        ]),
        html.P(details.description, className="theme-description") if details.description
        else None,
        html.Div(className="topic-figs", children=[
            html.Div([html.Div("Keywords", className="subhead"),
                      dcc.Graph(figure=keyword_bars(details.keywords, details.keyword_weights,
                                                    color),
                                config=png_config("topic-keywords"), className="graph")]),
            html.Div([html.Div("Passages per month (current filters)", className="subhead"),
                      dcc.Graph(figure=trend_figure, config=png_config("topic-trend"),
                                className="graph")]),
        ]),
        html.Div("Representative passages", className="subhead"),
        html.Div(reps or html.P("None recorded.", className="note")),
    ]
