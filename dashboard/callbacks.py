"""Callbacks: thin glue between the layout, the URL state, the data layer and figures.

Flow: URL / filter controls / reset / heatmap click -> `sync_state` -> FILTERS store
(+ URL) -> every chart and the passage grid. A trend click -> POINT store -> grid.
FILTERS + POINT -> the href of the passages CSV link (the file itself is streamed by the
Flask route of dashboard/downloads.py, not sent through a callback).

Every value a callback receives comes from the browser and may be anything: filter values
are validated by url_state (unknown / malformed ones are dropped and named in a notice),
clicks and ids by dashboard.inputs; a value that cannot be used leaves the outputs as they
are (no_update) instead of raising.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, ctx, html, no_update

from dashboard import figures
from dashboard.data import EXPORT_LIMIT, DiscourseData, Filters, csv_text
from dashboard.downloads import PASSAGES_CSV_ROUTE, passages_csv_href, point_topic_token
from dashboard.inputs import first_point, iso_month, short_text, small_int
from dashboard import ids
from dashboard.layout.passages import grid_rows, render_document
from dashboard.layout.topics import render_topic
from dashboard.url_state import (
    UrlState, decode, encode, filter_key, from_controls, month_range_indices, sanitize,
    state_from_dict, state_to_dict, to_filters, with_cell,
)

MAX_DISCOVERED_DEFAULT = 6  # discovered topics charted when no topic filter is set
MAX_VISIBLE_DEFAULT = 6  # lines drawn at first (the largest); the rest one legend click away
GRID_LIMIT = 200  # rows sent to the grid (newest first); the CSV has up to EXPORT_LIMIT
MAX_NOTICES = 12


def render_notices(messages: list[str], title: str = "Some values in the address were ignored"
                   ) -> Any:
    if not messages:
        return []
    items = [html.Li(m) for m in messages[:MAX_NOTICES]]
    if len(messages) > MAX_NOTICES:
        items.append(html.Li(f"… and {len(messages) - MAX_NOTICES:,} more."))
    return dmc.Alert(
        title=title, color="orange", variant="light",
        withCloseButton=True, className="notice", children=html.Ul(items),
    )


def grid_count(total: int, shown: int) -> str:
    """The note under the grid's title: how many passages match, and how many are shown."""
    if total <= shown:
        return f"{total:,} passage{'s' * (total != 1)}"
    csv = (f"all {total:,} of them" if total <= EXPORT_LIMIT else
           f"the newest {EXPORT_LIMIT:,}")
    return (f"{total:,} passages match; the grid shows the newest {shown:,}. "
            f"Download the passages CSV for {csv}.")


def register_callbacks(app: Dash, data: DiscourseData, colors: dict[int, str]) -> None:
    vocab = data.vocabulary()
    months = data.months
    month_set = frozenset(months)
    topic_ids = frozenset(data.topic_list()["topic_id"].to_list())
    csv_route = app.config.requests_pathname_prefix + PASSAGES_CSV_ROUTE

    def current(store: Any) -> tuple[UrlState, Filters]:
        state = state_from_dict(store, vocab)
        return state, to_filters(state, vocab)

    def months_label(state: UrlState) -> str:
        if not months:
            return ""
        lo, hi = month_range_indices(state, vocab)
        return f"{months[lo]:%b %Y} – {months[hi]:%b %Y}"

    def chart_counts(f: Filters):
        return data.monthly_topic_counts(f, None if f.topics else MAX_DISCOVERED_DEFAULT)

    def heatmap_matrix(f: Filters):
        return data.people_topic_matrix(f, 25, None if f.topics else MAX_DISCOVERED_DEFAULT)

    def heatmap_cell(click: Any, state: UrlState) -> tuple[str, int] | None:
        """(person, topic_id) of a clicked heatmap cell, from its (x, y) positions."""
        point = first_point(click)
        x, y = small_int(point.get("x")), small_int(point.get("y"))
        if x is None or y is None:
            return None
        people, cols = figures.heatmap_axes(heatmap_matrix(to_filters(state, vocab)),
                                            data.topic_list())
        if 0 <= x < len(cols) and 0 <= y < len(people):
            return people[y], cols[x][0]
        return None

    control_outputs = [
        Output(ids.PEOPLE, "value"), Output(ids.MONTHS, "value"), Output(ids.SOURCES, "value"),
        Output(ids.TOPICS, "value"), Output(ids.SEARCH, "value"), Output(ids.MEASURE, "value"),
        Output(ids.CHART, "value"), Output(ids.EVENTS, "checked"), Output(ids.TABS, "value"),
    ]

    @app.callback(
        *control_outputs,
        Output(ids.URL, "search"), Output(ids.NOTICES, "children"),
        Output(ids.FILTERS, "data"), Output(ids.MONTHS_LABEL, "children"),
        Input(ids.URL, "search"),
        Input(ids.PEOPLE, "value"), Input(ids.MONTHS, "value"), Input(ids.SOURCES, "value"),
        Input(ids.TOPICS, "value"), Input(ids.SEARCH, "value"), Input(ids.MEASURE, "value"),
        Input(ids.CHART, "value"), Input(ids.EVENTS, "checked"), Input(ids.TABS, "value"),
        Input(ids.RESET, "n_clicks"), Input(ids.HEATMAP, "clickData"),
    )
    def sync_state(search, people, month_range, sources, topics, q, measure, chart, events,
                   tab, _reset, cell):
        """The one place where filter state changes: URL <-> controls <-> FILTERS store."""
        trigger = ctx.triggered_id
        write_controls = True
        notices: Any = no_update
        if trigger in (None, ids.URL):
            state, messages = decode(search, vocab)
            notices = render_notices(messages)
        elif trigger == ids.RESET:
            state, notices = UrlState(), []
        else:
            state, messages = from_controls(people, month_range, sources, topics, q, measure,
                                            chart, events, tab, vocab)
            if messages:
                notices = render_notices(messages, "Some filter values were ignored")
            write_controls = False
            if trigger == ids.HEATMAP:
                picked = heatmap_cell(cell, state)
                if picked:
                    state, _ = sanitize(with_cell(state, picked[0],
                                                  data.topic_token(picked[1])), vocab)
                    write_controls = True
        controls = [
            list(state.people), month_range_indices(state, vocab), list(state.sources),
            list(state.topics), state.q, state.measure, state.chart, state.events, state.tab,
        ] if write_controls else [no_update] * len(control_outputs)
        new_search = encode(state)
        return (*controls, new_search if new_search != (search or "") else no_update,
                notices, state_to_dict(state), months_label(state))

    @app.callback(Output(ids.TREND_GRAPH, "figure"), Output(ids.TREND_NOTE, "children"),
                  Input(ids.FILTERS, "data"), prevent_initial_call=True)
    def update_trends(store):
        state, f = current(store)
        counts = chart_counts(f)
        fig = figures.trend_figure(
            counts, measure="share" if state.measure == "share" else "passages",
            style=state.chart, colors=colors, events=data.events(f) if state.events else None,
            partial=data.partial_months(),
            max_visible=None if f.topics else MAX_VISIBLE_DEFAULT)
        shown = counts["topic_id"].n_unique() if counts.height else 0
        if f.topics:
            which = f"the {shown} chosen topic{'s' * (shown != 1)}"
        else:
            which = (f"the {min(shown, MAX_VISIBLE_DEFAULT)} largest of {shown} topics (named "
                     f"themes and the {MAX_DISCOVERED_DEFAULT} largest discovered ones); click "
                     "legend entries to show or hide lines, or pick topics in the filters")
        who = (f" Passages naming any of: {', '.join(f.people)}." if len(f.people) > 1 else
               f" Passages naming {f.people[0]}." if f.people else "")
        return fig, (f"Showing {which}.{who} Hollow markers and shaded bands: months the "
                     "corpus covers only partly. Click a point to list its passages below.")

    @app.callback(Output(ids.HEATMAP, "figure"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_heatmap(store):
        _, f = current(store)
        return figures.people_topic_heatmap(heatmap_matrix(f), data.topic_list())

    @app.callback(Output(ids.TOPIC_SELECT, "value"), Input(ids.TOPIC_SIZES, "clickData"),
                  prevent_initial_call=True)
    def pick_topic(click):
        custom = first_point(click).get("customdata")
        topic_id = small_int(custom[0], topic_ids) if isinstance(custom, list) and custom \
            else None
        return no_update if topic_id is None else str(topic_id)

    @app.callback(Output(ids.TOPIC_DETAILS, "children"), Input(ids.TOPIC_SELECT, "value"),
                  Input(ids.FILTERS, "data"))
    def update_topic(value, store):
        if value is None or value == "":
            return html.P("Pick a topic.", className="note")
        topic_id = small_int(value, topic_ids)
        details = data.topic(topic_id) if topic_id is not None else None
        if details is None:
            return html.P("Unknown topic.", className="note")
        _, f = current(store)
        counts = data.monthly_topic_counts(replace(f, topics=(topic_id,)))
        trend = figures.trend_figure(counts, colors=colors, partial=data.partial_months(),
                                     height=280, legend=False)
        return render_topic(details, colors.get(topic_id, figures.OUTLIER_COLOR), trend)

    @app.callback(Output(ids.POINT, "data"), Input(ids.TREND_GRAPH, "clickData"),
                  Input(ids.CLEAR_POINT, "n_clicks"), State(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def select_point(click, _clear, store):
        if ctx.triggered_id != ids.TREND_GRAPH:
            return None
        custom = first_point(click).get("customdata")
        if not isinstance(custom, list) or len(custom) < 8:
            return no_update  # an event marker, not a topic point (or not a point at all)
        topic_id, month = small_int(custom[0], topic_ids), iso_month(custom[7], month_set)
        if topic_id is None or month is None:
            return no_update
        state, _ = current(store)
        return {"month": month.isoformat(), "topic_id": topic_id, "key": filter_key(state)}

    def point_of(point: Any, state: UrlState) -> tuple[date | None, int | None]:
        """(month, topic) of the POINT store when it belongs to the current filters."""
        if not isinstance(point, dict) or point.get("key") != filter_key(state):
            return None, None
        month, topic_id = iso_month(point.get("month"), month_set), \
            small_int(point.get("topic_id"), topic_ids)
        return (month, topic_id) if month is not None and topic_id is not None else (None, None)

    @app.callback(Output(ids.GRID, "rowData"), Output(ids.GRID_TITLE, "children"),
                  Output(ids.GRID_COUNT, "children"), Input(ids.FILTERS, "data"),
                  Input(ids.POINT, "data"), prevent_initial_call=True)
    def update_grid(store, point):
        state, f = current(store)
        month, topic_id = point_of(point, state)
        result = data.passages(f, month, topic_id, limit=GRID_LIMIT)
        if month is not None and topic_id is not None:
            title = f"Passages · {data.topic_label(topic_id)} · {month:%B %Y}"
        else:
            title = "Latest passages matching the filters"
        return grid_rows(result), title, grid_count(result.total, result.rows.height)

    @app.callback(Output(ids.TREND_CSV, "data"), Input(ids.TREND_CSV_BUTTON, "n_clicks"),
                  State(ids.FILTERS, "data"), prevent_initial_call=True)
    def download_trends(_n, store):
        _, f = current(store)
        frame = data.trend_export(f, None if f.topics else MAX_DISCOVERED_DEFAULT)
        return {"content": csv_text(frame), "filename": "discourse-trends.csv",
                "type": "text/csv"}

    @app.callback(Output(ids.PASSAGES_CSV_LINK, "href"), Input(ids.FILTERS, "data"),
                  Input(ids.POINT, "data"), prevent_initial_call=True)
    def passages_csv_link(store, point):
        """The download link of the passages the grid lists (filters + clicked point)."""
        state, _ = current(store)
        month, topic_id = point_of(point, state)
        token = point_topic_token(vocab, topic_id) if topic_id is not None else None
        return passages_csv_href(csv_route, state, month, token)

    @app.callback(Output(ids.DOC_DRAWER, "opened"), Output(ids.DOC_DRAWER, "title"),
                  Output(ids.DOC_BODY, "children"), Input(ids.GRID, "cellClicked"),
                  State(ids.FILTERS, "data"), prevent_initial_call=True)
    def open_document(cell, store):
        passage_id = short_text(cell.get("rowId")) if isinstance(cell, dict) else None
        doc_id = data.doc_id_of(passage_id) if passage_id else None
        doc = data.document(doc_id, current(store)[1]) if doc_id else None
        if doc is None:
            return no_update, no_update, no_update
        return True, f"Document {doc.doc_id}", render_document(doc, passage_id, colors)
