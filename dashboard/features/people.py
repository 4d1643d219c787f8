"""People x topics tab: who drives which theme. A click on a cell filters the page by
that person and topic (by writing the URL, which the filters feature carries on)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import figures, ids
from dashboard.context import AppContext
from dashboard.features.chart import chart
from dashboard.url_state import encode, sanitize, with_cell

TAB, TAB_LABEL = "people", "People × topics"
MAX_PEOPLE_SHOWN = 25


def layout(ctx: AppContext) -> html.Div:  # noqa: ARG001 - same signature as every view
    return html.Div(className="tab-body", children=[
        html.P("Passages per person and topic under the current filters (the most active "
               "people first). Click a cell to filter by that person and topic.",
               className="note"),
        chart("Heatmap: passages per person and topic", dcc.Graph(
            id=ids.HEATMAP, figure=figures.empty_figure("Loading…", hint=""),
            config=figures.png_config("discourse-people-topics"), className="graph")),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    def matrix(store):  # memoised by the data layer: a click reads the figure's own matrix
        _, f = ctx.current(store)
        return data.people_topic_matrix(f, MAX_PEOPLE_SHOWN, ctx.max_discovered(f))

    @app.callback(Output(ids.HEATMAP, "figure"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_heatmap(store):
        ctx.current_on_tab(store, TAB)  # a hidden tab computes when it is opened
        return figures.people_topic_heatmap(matrix(store), data.topic_list())

    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.HEATMAP, "clickData"), State(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def filter_by_cell(click, store):
        picked = figures.clicked_cell(click, matrix(store), data.topic_list())
        if picked is None:
            return no_update
        state, _ = ctx.current(store)
        person, topic_id = picked
        clicked, _ = sanitize(with_cell(state, person, data.topic_token(topic_id)), ctx.vocab)
        return encode(clicked)
