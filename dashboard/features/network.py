""""Who appears with whom" tab: the co-mention network of the passages under the filters.
Click a person to filter the page by them (the network then shows who appears with them)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures, ids
from dashboard.context import AppContext
from dashboard.data.network import MIN_PAIR, TOP_K
from dashboard.url_state import encode, sanitize, with_person

TAB, TAB_LABEL = "network", "Who appears with whom"
NOTE = (f"People named in the same passages, under the current filters. A line joins two "
        f"people named together in at least {MIN_PAIR} passages; thicker lines mean a "
        f"stronger association (normalised pointwise mutual information, which does not "
        f"simply favour the most named), each person keeping their {TOP_K} strongest. "
        "Circles grow with the passages naming a person. Click a person to filter by them.")


def layout(ctx: AppContext) -> html.Div:  # noqa: ARG001 - same signature as every view
    return html.Div(className="tab-body", children=[
        html.P(NOTE, className="note"),
        html.P(id=ids.NETWORK_NOTE, className="note", role="status"),
        dcc.Graph(id=ids.NETWORK_GRAPH, figure=figures.empty_figure("Loading…", hint=""),
                  config=figures.png_config("discourse-who-with-whom"), className="graph"),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.NETWORK_GRAPH, "figure"), Output(ids.NETWORK_NOTE, "children"),
                  Input(ids.FILTERS, "data"), prevent_initial_call=True)
    def update_network(store):
        state, f = ctx.current(store)
        if state.tab != TAB:
            raise PreventUpdate  # computed when its tab is open
        net = data.network(f)
        note = (f"{net.nodes.height} people and {net.edges.height} links from "
                f"{net.passages:,} passages.")
        return figures.network_figure(net.nodes, net.edges), note

    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.NETWORK_GRAPH, "clickData"), State(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def filter_by_person(click, store):
        person = figures.clicked_person(click, ctx.vocab.people)
        if person is None:
            return no_update
        state, _ = ctx.current(store)
        clicked, _ = sanitize(with_person(state, person), ctx.vocab)
        return encode(clicked)
