"""Trends tab: monthly topic lines / stacked areas, counts or share of the month, the
event timeline, the trend CSV; a click on a point selects it for the passage grid."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Dash, Input, Output, Patch, State, ctx as trigger, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures, ids
from dashboard.context import MAX_DISCOVERED_DEFAULT, AppContext
from dashboard.data import Filters, csv_text
from dashboard.features.point import point_value
from dashboard.url_state import UrlState

TAB, TAB_LABEL = "trends", "Trends"
MAX_VISIBLE_DEFAULT = 6  # lines drawn at first (the largest); the rest one legend click away


def layout(ctx: AppContext) -> html.Div:  # noqa: ARG001 - same signature as every view
    return html.Div(className="tab-body", children=[
        html.Div(className="toolbar", children=[
            dmc.SegmentedControl(id=ids.MEASURE, value=UrlState().measure, size="xs", data=[
                {"value": "passages", "label": "Passages"},
                {"value": "share", "label": "Share of month"},
            ]),
            dmc.SegmentedControl(id=ids.CHART, value=UrlState().chart, size="xs", data=[
                {"value": "lines", "label": "Lines"},
                {"value": "area", "label": "Stacked area"},
            ]),
            dmc.Switch(id=ids.EVENTS, checked=UrlState().events, label="Events", size="sm"),
            html.Div(className="toolbar-spacer"),
            dmc.Button("Download trend CSV", id=ids.TREND_CSV_BUTTON, size="xs",
                       variant="light"),
            dcc.Download(id=ids.TREND_CSV),
        ]),
        html.P(id=ids.TREND_NOTE, className="note"),
        dcc.Loading(type="dot", color="#4c6ef5", delay_show=400, children=dcc.Graph(
            id=ids.TREND_GRAPH, figure=figures.empty_figure("Loading…", hint=""),
            config=figures.png_config("discourse-trends"), className="graph",
        )),
        dcc.Store(id=ids.TREND_SHOWN),
    ])


def trend_note(f: Filters, shown: int) -> str:
    """What the chart shows, in words, under the filters."""
    if f.topics:
        which = f"the {shown} chosen topic{'s' * (shown != 1)}"
    else:
        which = (f"the {min(shown, MAX_VISIBLE_DEFAULT)} largest of {shown} topics (named "
                 f"themes and the {MAX_DISCOVERED_DEFAULT} largest discovered ones); click "
                 "legend entries to show or hide lines, or pick topics in the filters")
    who = (f" Passages naming any of: {', '.join(f.people)}." if len(f.people) > 1 else
           f" Passages naming {f.people[0]}." if f.people else "")
    return (f"Showing {which}.{who} A passage counts under each named theme it carries, so "
            "theme lines can add up to more than the month's passages. Hollow markers and "
            "shaded bands: months the corpus covers only partly. Large triangles: a rise (▲) or "
            "fall (▼) beyond chance against the six months before, as the What rose tab tests it. "
            "Click a point to list its passages below.")


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.TREND_GRAPH, "figure"), Output(ids.TREND_NOTE, "children"),
                  Output(ids.TREND_SHOWN, "data"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_trends(store):
        state, f = ctx.current(store)
        counts = data.monthly_topic_counts(f, ctx.max_discovered(f))
        fig = figures.trend_figure(
            counts, measure="share" if state.measure == "share" else "passages",
            style=state.chart, colors=ctx.colors,
            events=data.events(f) if state.events else None, partial=data.partial_months(),
            max_visible=None if f.topics else MAX_VISIBLE_DEFAULT, quality=data.theme_quality())
        shown = counts["topic_id"].n_unique() if counts.height else 0
        return fig, trend_note(f, shown), store

    @app.callback(Output(ids.TREND_GRAPH, "figure", allow_duplicate=True),
                  Input(ids.TREND_SHOWN, "data"), prevent_initial_call=True)
    def mark_rises(shown):
        """Draws the rises and falls beyond chance onto the chart just drawn (a patch, so the
        chart shows first and the test runs after)."""
        _, f = ctx.current(shown)
        counts = data.monthly_topic_counts(f, ctx.max_discovered(f))  # the chart's, cached
        marks = figures.change_marks(figures.topic_months(counts), data.rise_marks(f),
                                     figures.partial_months_of(counts, data.partial_months()))
        if not marks:
            raise PreventUpdate
        return figures.draw_changes(Patch(), marks)

    @app.callback(Output(ids.POINT, "data"), Input(ids.TREND_GRAPH, "clickData"),
                  Input(ids.CLEAR_POINT, "n_clicks"), State(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def select_point(click, _clear, store):
        if trigger.triggered_id != ids.TREND_GRAPH:
            return None
        picked = figures.clicked_point(click, ctx.topic_ids, ctx.month_set)
        if picked is None:
            return no_update  # an event marker, not a topic point (or not a point at all)
        state, _ = ctx.current(store)
        return point_value(state, *picked)

    @app.callback(Output(ids.TREND_CSV, "data"), Input(ids.TREND_CSV_BUTTON, "n_clicks"),
                  State(ids.FILTERS, "data"), prevent_initial_call=True)
    def download_trends(_n, store):
        _, f = ctx.current(store)
        frame = data.trend_export(f, ctx.max_discovered(f))
        return {"content": csv_text(frame), "filename": "discourse-trends.csv",
                "type": "text/csv"}
