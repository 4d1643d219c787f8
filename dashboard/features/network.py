""""Who appears with whom" tab: the co-mention network of the passages under the filters.
Click a person to filter the page by them (the network then shows who appears with them)."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import figures, ids
from dashboard.context import AppContext
from dashboard.features.chart import chart
from dashboard.data.network import MIN_PAIR, PAIR_LIMIT, TOP_K
from dashboard.features.filters import people_data
from dashboard.url_state import encode, sanitize, with_pair, with_person

TAB, TAB_LABEL = "network", "Who appears with whom"
NOTE = (f"People named in the same passages, under the current filters. A line joins two "
        f"people named together in at least {MIN_PAIR} passages; thicker lines mean a "
        f"stronger association (normalised pointwise mutual information, which does not "
        f"simply favour the most named), each person keeping their {TOP_K} strongest. "
        "Circles grow with the passages naming a person. Click a person to filter by them, "
        "a diamond on a line to list the passages naming both.")


def layout(ctx: AppContext) -> html.Div:
    return html.Div(className="tab-body", children=[
        html.P(NOTE, className="note"),
        html.P(id=ids.NETWORK_NOTE, className="note", role="status"),
        chart("Network of the people named together in passages",
              dcc.Graph(id=ids.NETWORK_GRAPH, figure=figures.empty_figure("Loading…", hint=""),
                        config=figures.png_config("discourse-who-with-whom"), className="graph"),
              described_by=ids.NETWORK_NOTE),
        dmc.MultiSelect(id=ids.NETWORK_PAIR, label="Passages naming both", data=people_data(ctx),
                        maxValues=2, searchable=True, clearable=True, value=[], w=420,
                        placeholder="Two people (or click a diamond above)"),
        html.Div(id=ids.NETWORK_PASSAGES, role="status"),
    ])


def pair_list(a: str, b: str, total: int, rows) -> list:  # noqa: ANN001 - a Polars frame
    """The passages naming both, as text (never markup)."""
    shown = f"the newest {rows.height} of " if total > rows.height else ""
    verb = "passage names" if total == 1 else "passages name"
    head = html.P(f"{shown}{total:,} {verb} both {a} and {b} under these filters.",
                  className="note", id=ids.NETWORK_PAIR_NOTE)
    items = [html.Li(className="pair-passage", children=[
        html.Div(f"{r['date']:%d %b %Y} · {r['source']} · {r['title'] or ''}", className="note"),
        html.P(r["text"])]) for r in rows.iter_rows(named=True)]
    return [head, html.Ol(items, className="pair-list")] if items else [head]


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.NETWORK_GRAPH, "figure"), Output(ids.NETWORK_NOTE, "children"),
                  Input(ids.FILTERS, "data"), prevent_initial_call=True)
    def update_network(store):
        _, f = ctx.current_on_tab(store, TAB)
        net = data.network(f)
        note = (f"{net.nodes.height} people and {net.edges.height} links from "
                f"{net.passages:,} passages.")
        return figures.network_figure(net.nodes, net.edges), note

    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.NETWORK_GRAPH, "clickData"), State(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def filter_by_person(click, store):
        state, _ = ctx.current(store)
        pair = figures.clicked_pair(click, ctx.vocab.people)
        if pair is not None:
            clicked, _ = sanitize(with_pair(state, *pair), ctx.vocab)
            return encode(clicked)
        person = figures.clicked_person(click, ctx.vocab.people)
        if person is None:
            return no_update
        clicked, _ = sanitize(with_person(state, person), ctx.vocab)
        return encode(clicked)

    @app.callback(Output(ids.NETWORK_PASSAGES, "children"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def list_pair(store):
        state, f = ctx.current_on_tab(store, TAB)
        if len(state.pair) < 2:
            return html.P(f"Pick two people, or click a diamond, to read (up to {PAIR_LIMIT} of) "
                          "the passages naming both.", className="note")
        total, rows = data.pair_passages(f, *state.pair)
        return pair_list(*state.pair, total, rows)
