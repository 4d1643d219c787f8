"""Trends tab: monthly topic lines / stacked areas, counts or share of the month, the
event timeline, the trend CSV; a click on a point selects it for the passage grid."""

from __future__ import annotations

from html import unescape

import dash_mantine_components as dmc
from dash import (
    ClientsideFunction, Dash, Input, Output, Patch, State, ctx as trigger, dcc, html, no_update,
)
from dash.exceptions import PreventUpdate

from dashboard import figures, ids
from dashboard.context import MAX_DISCOVERED_DEFAULT, AppContext
from dashboard.features.chart import chart
from dashboard.data import Filters, csv_text
from dashboard.exports import export_filename, export_header
from dashboard.features.point import point_value, read_point
from dashboard.url_state import UrlState

TAB, TAB_LABEL = "trends", "Trends"
MAX_VISIBLE_DEFAULT = 6  # lines drawn at first (the largest); the rest one legend click away


def layout(ctx: AppContext) -> html.Div:  # noqa: ARG001 - same signature as every view
    return html.Div(className="tab-body", children=[
        html.Div(className="toolbar", children=[
            dmc.SegmentedControl(id=ids.MEASURE, value=UrlState().measure, size="xs",
                                 **{"aria-label": "Measure"}, data=[
                {"value": "passages", "label": "Passages"},
                {"value": "share", "label": "Share of month"},
            ]),
            dmc.SegmentedControl(id=ids.CHART, value=UrlState().chart, size="xs",
                                 **{"aria-label": "Chart type"}, data=[
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
        chart("Trend chart: passages per month of each topic and theme", dcc.Loading(
            type="dot", color="#3b5bdb", delay_show=400, children=dcc.Graph(
                id=ids.TREND_GRAPH, figure=figures.empty_figure("Loading…", hint=""),
                config=figures.png_config("discourse-trends"), className="graph",
            )), described_by=ids.TREND_NOTE),
        dcc.Store(id=ids.TREND_SHOWN),
    ])


def trend_note(f: Filters, figure: dict) -> str:
    """What the chart shows, in words, under the filters: which lines are drawn and which
    wait in the legend."""
    lines = [t for t in figure.get("data", []) if "topic_id" in (t.get("meta") or {})]
    hidden = [unescape(t["name"]) for t in lines if t.get("visible") == "legendonly"]
    drawn = len(lines) - len(hidden)
    if f.topics:
        which = f"the {drawn} chosen topic{'s' * (drawn != 1)}"
    else:
        which = (f"{drawn} of {len(lines)} topics (named themes and the "
                 f"{MAX_DISCOVERED_DEFAULT} largest discovered ones)")
    if hidden:
        which += (f"; in the legend only, one click away: {', '.join(hidden[:8])}"
                  f"{f' and {len(hidden) - 8} more' if len(hidden) > 8 else ''}")
    who = (f" Passages naming any of: {', '.join(f.people)}." if len(f.people) > 1 else
           f" Passages naming {f.people[0]}." if f.people else "")
    if f.speakers:
        who += (f" {'Of these, passages' if f.people else 'Passages'} with statements by "
                f"{' or '.join(f.speakers)}.")
    return (f"Showing {which}.{who} Counts are passages. A passage counts under each named theme it carries, so "
            "theme lines can add up to more than the month's passages. Hollow markers and "
            "shaded bands: months the corpus covers only partly. Large triangles: a rise (▲) or "
            "fall (▼) beyond chance against the six months before, as the What rose tab tests it. "
            "Click a point to list its passages below; click legend entries to show or hide "
            "lines (the link keeps your choice).")


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.TREND_GRAPH, "figure"), Output(ids.TREND_NOTE, "children"),
                  Output(ids.TREND_SHOWN, "data"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_trends(store):
        state, f = ctx.current_on_tab(store, TAB)  # a hidden tab computes when it is opened
        counts = data.monthly_topic_counts(f, ctx.max_discovered(f))
        month, topic_id = read_point(ctx, state)
        fig = figures.trend_figure(
            counts, measure="share" if state.measure == "share" else "passages",
            style=state.chart, colors=ctx.colors,
            events=data.events(f) if state.events else None, partial=data.partial_months(),
            max_visible=None if f.topics else MAX_VISIBLE_DEFAULT, quality=data.theme_quality(),
            shown_topics=() if f.topics else ctx.topic_ids_of(state.lines),
            selected=(topic_id, month) if month is not None else None)
        return fig, trend_note(f, fig), store

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
                  Input(ids.CLEAR_POINT, "n_clicks"), prevent_initial_call=True)
    def select_point(click, _clear):
        """The point's store is a URL control: the state (and the address) follow it."""
        if trigger.triggered_id != ids.TREND_GRAPH:
            return None
        picked = figures.clicked_point(click, ctx.topic_ids, ctx.month_set)
        if picked is None:
            return no_update  # an event marker, not a topic point (or not a point at all)
        return point_value(ctx, *picked)

    app.clientside_callback(ClientsideFunction("discourse", "shownLines"),
                            Output(ids.TREND_LINES, "data"),
                            Input(ids.TREND_GRAPH, "restyleData"), State(ids.TREND_GRAPH, "id"),
                            prevent_initial_call=True)

    @app.callback(Output(ids.TREND_CSV, "data"), Input(ids.TREND_CSV_BUTTON, "n_clicks"),
                  State(ids.FILTERS, "data"), prevent_initial_call=True)
    def download_trends(_n, store):
        state, f = ctx.current(store)
        frame = data.trend_export(f, ctx.max_discovered(f))
        header = export_header("passages per month and topic (the trend chart's data)",
                               data.manifest, state)
        return {"content": header + csv_text(frame), "type": "text/csv",
                "filename": export_filename("trends", ctx.run_id, state)}
