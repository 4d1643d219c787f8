"""Drill-down grid of passages: the passages under the filters (or of a clicked trend
point), newest first, with the count note and the streamed CSV link.

Corpus text is never rendered as HTML: the grid's text column uses the `HighlightedText`
cell renderer (assets/dashAgGridComponentFunctions.js), which builds text nodes and
<mark> elements from the text and the mark offsets.

"Download passages CSV" is a plain link (`<a download>`) to the streamed route of
dashboard/downloads.py; a callback keeps its href in step with the filters and the point.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import Dash, Input, Output, html

from dashboard import ids
from dashboard.context import AppContext
from dashboard.data import EXPORT_LIMIT, PassageList
from dashboard.downloads import (
    PASSAGES_CSV_FILENAME, passages_csv_href, point_topic_token,
)
from dashboard.features.point import read_point

GRID_LIMIT = 200  # rows sent to the grid (newest first); the CSV has up to EXPORT_LIMIT
# A link that looks like the Mantine buttons next to it (size xs, variant light, primary
# colour); Mantine's CSS variables come from the MantineProvider.
LINK_BUTTON_STYLE = {
    "display": "inline-flex", "alignItems": "center", "height": "30px", "padding": "0 14px",
    "fontSize": "var(--mantine-font-size-xs)", "fontWeight": 600, "lineHeight": 1,
    "borderRadius": "var(--mantine-radius-default)", "whiteSpace": "nowrap",
    "background": "var(--mantine-primary-color-light)",
    "color": "var(--mantine-primary-color-light-color)", "textDecoration": "none",
}

COLUMNS = [
    {"field": "date", "headerName": "Date", "width": 104},
    {"field": "title", "headerName": "Title", "flex": 1, "minWidth": 140, "wrapText": True,
     "autoHeight": True, "cellClass": "cell-title"},
    {"field": "source", "headerName": "Source", "width": 104, "wrapText": True,
     "autoHeight": True},
    {"field": "people", "headerName": "People", "flex": 0.8, "minWidth": 110,
     "wrapText": True, "autoHeight": True},
    {"field": "topic", "headerName": "Topic", "width": 128, "wrapText": True,
     "autoHeight": True},
    {"field": "text", "headerName": "Passage", "flex": 2.6, "minWidth": 300, "wrapText": True,
     "autoHeight": True, "cellRenderer": "HighlightedText", "sortable": False,
     "cellClass": "cell-passage",
     # the highlights live in data.marks, not in the value: when new filters keep a row
     # (same passage id, same text) its cell must still be redrawn with the new marks
     "equals": {"function": "false"}},
]


def layout(ctx: AppContext) -> html.Section:
    """The grid card; the CSV link starts as the download of every passage."""
    csv_href = ctx.csv_route
    return html.Section(className="card passages", children=[
        html.Div(className="passages-head", children=[
            html.Div([
                html.H2(id=ids.GRID_TITLE, children="Passages"),
                html.Div(id=ids.GRID_COUNT, className="note"),
            ]),
            html.Div(className="passages-actions", children=[
                dmc.Button("Show all passages", id=ids.CLEAR_POINT, size="xs",
                           variant="subtle", color="gray"),
                html.A("Download passages CSV", id=ids.PASSAGES_CSV_LINK, href=csv_href,
                       download=PASSAGES_CSV_FILENAME, style=LINK_BUTTON_STYLE),
            ]),
        ]),
        html.Div(className="legend-marks", children=[
            html.Mark("chosen person", className="hl hl-match"),
            html.Mark("other person", className="hl hl-person"),
            html.Mark("search match", className="hl hl-search"),
            html.Span("Click a row to read the whole document.", className="note"),
        ]),
        dag.AgGrid(
            id=ids.GRID, columnDefs=COLUMNS, rowData=[],
            defaultColDef={"sortable": True, "resizable": True, "suppressHeaderMenuButton": True},
            getRowId="params.data.passage_id",
            dashGridOptions={"pagination": True, "paginationPageSize": 20,
                             "paginationPageSizeSelector": False,
                             "enableCellTextSelection": True, "animateRows": False},
            className="ag-theme-quartz grid", style={"height": "640px", "width": "100%"},
        ),
    ])


def grid_rows(result: PassageList) -> list[dict[str, Any]]:
    """rowData for the grid: plain values plus `marks` for the cell renderer."""
    rows = []
    for r, marks in zip(result.rows.iter_rows(named=True), result.marks):
        rows.append({
            "passage_id": r["passage_id"], "doc_id": r["doc_id"],
            "date": r["date"].isoformat() if r["date"] else "",
            "title": r["title"] or "", "source": r["source"] or "",
            "people": ", ".join(r["people"] or []), "topic": r["topic"] or "",
            "text": r["text"] or "", "marks": [[m[0], m[1], m[2]] for m in marks],
        })
    return rows



def grid_count(total: int, shown: int) -> str:
    """The note under the grid's title: how many passages match, and how many are shown."""
    if total <= shown:
        return f"{total:,} passage{'s' * (total != 1)}"
    csv = (f"all {total:,} of them" if total <= EXPORT_LIMIT else
           f"the newest {EXPORT_LIMIT:,}")
    return (f"{total:,} passages match; the grid shows the newest {shown:,}. "
            f"Download the passages CSV for {csv}.")


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.GRID, "rowData"), Output(ids.GRID_TITLE, "children"),
                  Output(ids.GRID_COUNT, "children"), Input(ids.FILTERS, "data"),
                  Input(ids.POINT, "data"), prevent_initial_call=True)
    def update_grid(store, point):
        state, f = ctx.current(store)
        month, topic_id = read_point(ctx, point, state)
        result = data.passages(f, month, topic_id, limit=GRID_LIMIT)
        if month is not None and topic_id is not None:
            title = f"Passages · {data.topic_label(topic_id)} · {month:%B %Y}"
        else:
            title = "Latest passages matching the filters"
        return grid_rows(result), title, grid_count(result.total, result.rows.height)

    @app.callback(Output(ids.PASSAGES_CSV_LINK, "href"), Input(ids.FILTERS, "data"),
                  Input(ids.POINT, "data"), prevent_initial_call=True)
    def passages_csv_link(store, point):
        """The download link of the passages the grid lists (filters + clicked point)."""
        state, _ = ctx.current(store)
        month, topic_id = read_point(ctx, point, state)
        token = point_topic_token(ctx.vocab, topic_id) if topic_id is not None else None
        return passages_csv_href(ctx.csv_route, state, month, token)
