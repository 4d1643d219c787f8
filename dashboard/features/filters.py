"""The filters panel (people, said by, months, sources, topics, search, reset) and the one
callback where page state changes: URL <-> controls <-> FILTERS store.

Every control of the URL field table (dashboard/url_state.py: CONTROLS) is an input and
an output here. A view that wants to change the state (e.g. a heatmap click) writes a
new URL query, and this callback carries it to the controls and the store."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import dash_mantine_components as dmc
import flask
from dash import (
    ClientsideFunction, Dash, Input, Output, State, ctx as trigger, dcc, html, no_update,
)

from dashboard import ids
from dashboard.context import AppContext
from dashboard.features.point import grid_key
from dashboard.url_state import (
    CONTROLS, MAX_PEOPLE, MAX_SOURCES, MAX_TOPICS, UrlState, control_values, decode, encode,
    filter_key, from_controls, month_range_indices, state_from_dict, state_to_dict,
    without_point,
)
from pipelines.artifacts import OUTLIER_TOPIC

MAX_NOTICES = 12


def render_notices(messages: list[str], title: str = "Some values in the address were ignored"
                   ) -> Any:
    if not messages:
        return []
    items = [html.Li(m) for m in messages[:MAX_NOTICES]]
    if len(messages) > MAX_NOTICES:
        items.append(html.Li(f"… and {len(messages) - MAX_NOTICES:,} more."))
    return dmc.Alert(title=title, color="orange", variant="light", withCloseButton=True,
                     closeButtonLabel="Close this notice", className="notice",
                     children=html.Ul(items))


def people_data(ctx: AppContext) -> list[dict[str, str]]:
    """The picker's options: each person with the passages naming them (the count the
    chart, the grid and the exports use)."""
    return [{"value": p, "label": f"{p} ({n:,})"}
            for p, n in ctx.data.people_options().select("person", "passages").iter_rows()]


SAID_BY_HELP = "Passages with statements by any of them (quoted, reported or speaking)"
SAID_BY_OFF = {
    "missing": "Not available: this run was built before statements were extracted. "
               "Rebuild the run to filter by who said what.",
    "none": "Not available: no statement in this run is attributed to a registered person.",
}


def said_by_control(ctx: AppContext, value: list[str]) -> dmc.MultiSelect:
    """The Said-by filter: people with statements, each with the passages holding one.
    Disabled, saying why, for a run without statements (or none by a registered person)."""
    status = ctx.data.statements_status()
    return dmc.MultiSelect(
        id=ids.SAID_BY, label="Said by", description=SAID_BY_OFF.get(status, SAID_BY_HELP),
        placeholder="Anyone" if status == "ready" else "No statements in this run",
        data=[{"value": p, "label": f"{p} ({n:,})"} for p, n in ctx.data.speaker_options()],
        searchable=True, clearable=True, limit=100, maxValues=MAX_PEOPLE,
        hidePickedOptions=True, nothingFoundMessage="Nobody by that name with statements",
        disabled=status != "ready", value=value,
    )


def topic_data(ctx: AppContext) -> list[dict]:
    themes, discovered, outliers = [], [], []
    for tid, label, theme, size in ctx.data.topic_list().select(
            "topic_id", "label", "theme", "size").iter_rows():
        item = {"value": ctx.data.topic_token(tid), "label": f"{label} ({size:,})"}
        (outliers if tid == OUTLIER_TOPIC else themes if theme else discovered).append(item)
    groups = [("Named themes", themes), ("Discovered topics", discovered),
              ("Unassigned", outliers)]
    return [{"group": g, "items": items} for g, items in groups if items]


def month_marks(months: list[date]) -> list[dict]:
    if len(months) <= 12:
        return [{"value": i, "label": f"{m:%b}"} for i, m in enumerate(months)]
    return [{"value": i, "label": str(m.year)} for i, m in enumerate(months)
            if m.month == 1 or i == 0]


def month_names(months: list[date]) -> str:
    """The slider positions' months as screen readers say them (assets/a11y.js sets
    each thumb's aria-valuetext from this list)."""
    return json.dumps([f"{m:%b %Y}" for m in months])


def layout(ctx: AppContext) -> html.Aside:
    months = ctx.data.months
    last = max(len(months) - 1, 0)
    start = dict(zip(CONTROLS, control_values(UrlState(), ctx.vocab)))
    return html.Aside(className="sidebar", children=[
        html.H2("Filters", className="panel-title"),
        dmc.MultiSelect(
            id=ids.PEOPLE, label="People", description="Passages naming any of them",
            placeholder="All people", data=people_data(ctx), searchable=True,
            clearable=True, limit=100, maxValues=MAX_PEOPLE, hidePickedOptions=True,
            nothingFoundMessage="Nobody by that name", value=start[(ids.PEOPLE, "value")],
        ),
        said_by_control(ctx, start[(ids.SAID_BY, "value")]),
        html.Div(className="month-filter", **{"data-month-names": month_names(months)}, children=[
            html.Div(className="month-head", children=[
                html.Span("Months", className="mantine-like-label"),
                html.Span(id=ids.MONTHS_LABEL, className="month-readout"),
            ]),
            dmc.RangeSlider(
                id=ids.MONTHS, min=0, max=last, step=1, minRange=0,
                value=start[(ids.MONTHS, "value")], marks=month_marks(months), label=None,
                size="sm", disabled=last == 0, mb=28, mt=6,
                thumbFromLabel="First month shown", thumbToLabel="Last month shown",
            ),
            dcc.Store(id=ids.MONTHS_SETTLED),
        ]),
        dmc.MultiSelect(
            id=ids.SOURCES, label="Sources", placeholder="All sources",
            data=[{"value": s, "label": s} for s in ctx.data.sources], searchable=True,
            clearable=True, maxValues=MAX_SOURCES, value=start[(ids.SOURCES, "value")],
        ),
        dmc.MultiSelect(
            id=ids.TOPICS, label="Topics and themes",
            description="Empty = named themes + largest topics",
            placeholder="Default selection", data=topic_data(ctx), searchable=True,
            clearable=True, maxValues=MAX_TOPICS, value=start[(ids.TOPICS, "value")],
        ),
        dmc.TextInput(
            id=ids.SEARCH, label="Search passages", placeholder="e.g. licensing",
            description="Every word must start a word of the passage", debounce=500,
            value=start[(ids.SEARCH, "value")],
        ),
        dmc.Button("Reset filters", id=ids.RESET, variant="subtle", color="gray",
                   size="xs", fullWidth=True, mt="sm"),
        html.Div(className="copy-link", children=[
            dcc.Clipboard(id=ids.COPY_LINK, title="Copy a link to this view", content=""),
            html.Span("Copy a link to this view", className="note"),
        ]),
    ])


def months_label(ctx: AppContext, state: UrlState) -> str:
    months = ctx.data.months
    if not months:
        return ""
    lo, hi = month_range_indices(state, ctx.vocab)
    return f"{months[lo]:%b %Y} – {months[hi]:%b %Y}"


def view_link(host_url: str, prefix: str, state: UrlState) -> str:
    """The address of the view `state` describes (its canonical form, from the state)."""
    return host_url.rstrip("/") + prefix + encode(state)


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output(ids.COPY_LINK, "content"), Input(ids.COPY_LINK, "n_clicks"),
                  State(ids.FILTERS, "data"), prevent_initial_call=True)
    def copy_link(_n, store):
        """What "Copy link" copies: the view's address rebuilt from the validated state."""
        state, _ = ctx.current(store)
        return view_link(flask.request.host_url, app.config.requests_pathname_prefix, state)

    app.clientside_callback(ClientsideFunction("discourse", "settle"),
                            Output(ids.MONTHS_SETTLED, "data"), Input(ids.MONTHS, "value"),
                            prevent_initial_call=True)

    @app.callback(
        *(Output(cid, prop) for cid, prop in CONTROLS),
        Output(ids.URL, "search"), Output(ids.NOTICES, "children"),
        Output(ids.FILTERS, "data"), Output(ids.MONTHS_LABEL, "children"),
        Output(ids.GRID_KEY, "data"), Input(ids.URL, "search"),
        # the month slider is read once its value settles (one update after the user stops)
        *(State(cid, prop) if cid == ids.MONTHS else Input(cid, prop) for cid, prop in CONTROLS),
        Input(ids.RESET, "n_clicks"), Input(ids.MONTHS_SETTLED, "data"),
        State(ids.FILTERS, "data"),
    )
    def sync_state(search, *values):
        """The one place where filter state changes: URL <-> controls <-> FILTERS store.
        A chart point is dropped when the filters it was clicked under change."""
        source = trigger.triggered_id
        notices: Any = no_update
        if source in (None, ids.URL):
            state, messages = decode(search, ctx.vocab)
            notices = render_notices(messages)
        elif source == ids.RESET:
            state, notices = UrlState(), []
        else:
            state, messages = from_controls(values[:len(CONTROLS)], ctx.vocab)
            if messages:
                notices = render_notices(messages, "Some filter values were ignored")
            if filter_key(state) != filter_key(state_from_dict(values[-1], ctx.vocab)):
                state = without_point(state)  # clicked under other filters
        write_controls = source in (None, ids.URL, ids.RESET)
        controls = (control_values(state, ctx.vocab) if write_controls
                    else [no_update] * len(CONTROLS))
        new_search = encode(state)
        key = grid_key(state)
        return (*controls, new_search if new_search != (search or "") else no_update,
                notices, state_to_dict(state), months_label(ctx, state),
                key if key != grid_key(state_from_dict(values[-1], ctx.vocab)) else no_update)
