"""Drill-down grid of passages: every passage under the filters (or of a clicked trend
point), newest first or sorted by any column, with the count note and the CSV link.

The grid uses AG Grid's infinite row model: it asks for one block of rows at a time
(`getRowsRequest`: startRow, endRow, sortModel) and the server answers with those rows and
the size of the whole result (dashboard/data/grid.py), so sorting and paging apply to the
whole result. When the filters or the clicked point change (the GRID_KEY store, written by the
URL sync), a client-side callback (assets/clientside.js) empties the grid's block cache,
which makes it ask again.

The grid is mounted after the page's first chart is drawn (or after a short wait when the
open tab has no chart): AG Grid's scripts, its first block of rows and its rendering would
otherwise compete with the chart for the 2 cores and the first second (benchmarks/analysis.md,
"first chart"). Until then a placeholder of the same height holds its place.

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
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from dashboard import ids
from dashboard.context import AppContext
from dashboard.data import EXPORT_LIMIT, SORT_COLUMNS, GridQuestion, GridSort, PassageList
from dashboard.downloads import passages_csv_href
from dashboard.exports import export_filename
from dashboard.features.point import read_point
from dashboard.inputs import small_int
from dashboard.url_state import UrlState

PAGE_ROWS = 20  # rows per grid page
BLOCK_ROWS = 100  # rows per request (five pages); dashboard/data/grid.py caps a request
ROW_HEIGHT = 128  # px: about six lines of a passage (the infinite row model has one
# height for every row; longer passages are cut with "…" and read whole in the document)
# A link that looks like the Mantine buttons next to it (size xs, variant light, primary
# colour); Mantine's CSS variables come from the MantineProvider.
LINK_BUTTON_STYLE = {
    "display": "inline-flex", "alignItems": "center", "height": "30px", "padding": "0 14px",
    "fontSize": "var(--mantine-font-size-xs)", "fontWeight": 600, "lineHeight": 1,
    "borderRadius": "var(--mantine-radius-default)", "whiteSpace": "nowrap",
    "background": "var(--mantine-primary-color-light)",
    "color": "var(--mantine-primary-color-light-color)", "textDecoration": "none",
}
# Tab enters the grid once (on a header cell) and leaves it on the next Tab (to the pager):
# inside, the arrow keys move between header and cells, Enter on a header sorts and Enter
# on a cell opens its document (assets/a11y.js: openRowOnEnter).
ONE_TAB_STOP = {"tabToNextHeader": {"function": "false"}, "tabToNextCell": {"function": "false"}}

COLUMNS = [
    {"field": "date", "headerName": "Date", "width": 118, "sortingOrder": ["desc", "asc"]},
    {"field": "title", "headerName": "Title", "flex": 1, "minWidth": 140, "wrapText": True,
     "cellClass": "cell-title"},
    {"field": "source", "headerName": "Source", "width": 132, "wrapText": True,
     "cellClass": "cell-words"},
    {"field": "people", "headerName": "People", "flex": 0.8, "minWidth": 110,
     "wrapText": True, "cellClass": "cell-clamp", "headerTooltip": "People named (mentions)"},
    {"field": "speakers", "headerName": "Said by", "flex": 0.7, "minWidth": 100,
     "wrapText": True, "cellClass": "cell-clamp",
     "headerTooltip": "People with a statement in the passage (quoted, reported or speaking)"},
    {"field": "topic", "headerName": "Topic", "width": 140, "wrapText": True,
     "cellClass": "cell-words"},
    {"field": "text", "headerName": "Passage", "flex": 2.6, "minWidth": 300, "wrapText": True,
     "cellRenderer": "HighlightedText", "sortable": False,
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
                       download=export_filename("passages", ctx.run_id, UrlState()),
                       style=LINK_BUTTON_STYLE),
            ]),
        ]),
        html.Div(className="legend-marks", children=[
            html.Mark("chosen person", className="hl hl-match"),
            html.Mark("other person", className="hl hl-person"),
            html.Mark("search match", className="hl hl-search"),
            html.Span("Click a row to read the whole document.", className="note"),
        ]),
        html.Div(id=ids.GRID_SLOT, className="grid-slot", **{"data-grid": ids.GRID},
                 children=html.Div("Loading passages…", className="note grid-waiting")),
        dcc.Store(id=ids.GRID_MOUNT),
        dcc.Store(id=ids.GRID_REFRESH),
    ])


def grid() -> dag.AgGrid:
    """The passage grid (infinite row model: it asks for its rows block by block)."""
    return dag.AgGrid(
        id=ids.GRID, columnDefs=COLUMNS, rowModelType="infinite",
        defaultColDef={"sortable": True, "resizable": True, "suppressHeaderMenuButton": True,
                       "sortingOrder": ["asc", "desc"]},
        getRowId="params.data.passage_id",
        dashGridOptions={"pagination": True, "paginationPageSize": PAGE_ROWS,
                         "paginationPageSizeSelector": False, "cacheBlockSize": BLOCK_ROWS,
                         "maxBlocksInCache": 20, "maxConcurrentDatasourceRequests": 1,
                         "rowHeight": ROW_HEIGHT,
                         "enableCellTextSelection": True, "animateRows": False,
                         **ONE_TAB_STOP},
        eventListeners={"cellKeyDown": ["openRowOnEnter(params, setGridProps)"]},
        className="ag-theme-quartz grid", style={"height": "640px", "width": "100%"},
    )


def grid_rows(result: PassageList) -> list[dict[str, Any]]:
    """rowData for the grid: plain values plus `marks` for the cell renderer."""
    rows = []
    for r, marks in zip(result.rows.iter_rows(named=True), result.marks):
        rows.append({
            "passage_id": r["passage_id"], "doc_id": r["doc_id"],
            "date": r["date"].isoformat() if r["date"] else "",
            "title": r["title"] or "", "source": r["source"] or "",
            "people": ", ".join(r["people"] or []),
            "speakers": ", ".join(r["speakers"] or []), "topic": r["topic"] or "",
            "text": r["text"] or "", "marks": [[m[0], m[1], m[2]] for m in marks],
        })
    return rows



def read_request(request: Any) -> tuple[int, int, GridSort]:
    """(start, end, sort) of an AG Grid `getRowsRequest`; anything malformed gives the
    first block, newest first (the browser may send anything)."""
    request = request if isinstance(request, dict) else {}
    start = small_int(request.get("startRow"))
    end = small_int(request.get("endRow"))
    if start is None or end is None or not 0 <= start < end:
        start, end = 0, BLOCK_ROWS
    return start, end, read_sort(request.get("sortModel"))


def read_sort(model: Any) -> GridSort:
    """The grid's sort model (a list of {colId, sort}): its first known column, else
    newest first."""
    first = model[0] if isinstance(model, list) and model else None
    if isinstance(first, dict) and first.get("colId") in SORT_COLUMNS \
            and first.get("sort") in ("asc", "desc"):
        return GridSort(first["colId"], first["sort"] == "desc")
    return GridSort()


def grid_count(total: int) -> str:
    """The note under the grid's title: how many passages match, and how to get them."""
    count = f"{total:,} passage{'s' * (total != 1)}"
    if total <= PAGE_ROWS:
        return count
    csv = (f"all {total:,} of them" if total <= EXPORT_LIMIT else
           f"the newest {EXPORT_LIMIT:,}")
    return f"{count}. Page through them below, or sort by any column. The CSV has {csv}."


def point_summary(summary: dict[str, list[tuple[str, int]]]) -> str:
    """What a chart point's passages are, in one line: who they name, where they are from."""
    def listed(pairs: list[tuple[str, int]]) -> str:
        return ", ".join(f"{name} ({n:,})" for name, n in pairs) or "none"
    return (f"Most named: {listed(summary['people'])}. "
            f"Sources: {listed(summary['sources'])}.")


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    def question(store: Any) -> GridQuestion:
        state, f = ctx.current(store)
        return GridQuestion(f, *read_point(ctx, state))

    app.clientside_callback(ClientsideFunction("discourse", "refreshGrid"),
                            Output(ids.GRID_REFRESH, "data"), Input(ids.GRID_KEY, "data"),
                            State(ids.GRID_SLOT, "data-grid"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("discourse", "afterFirstChart"),
                            Output(ids.GRID_MOUNT, "data"), Input(ids.GRID_KEY, "data"),
                            State(ids.GRID_MOUNT, "data"), State(ids.GRID_MOUNT, "id"))

    @app.callback(Output(ids.GRID_SLOT, "children"), Input(ids.GRID_MOUNT, "data"),
                  prevent_initial_call=True)
    def mount_grid(_mounted):
        """The grid, in place of its placeholder, once the first chart is on screen."""
        return grid()

    @app.callback(Output(ids.GRID, "getRowsResponse"), Input(ids.GRID, "getRowsRequest"),
                  State(ids.FILTERS, "data"),
                  prevent_initial_call=True)  # the grid asks once it is mounted
    def grid_rows_block(request, store):
        """One block of the sorted result, and the size of the whole result."""
        start, end, sort = read_request(request)
        block = data.grid_block(question(store), sort, start, end)
        return {"rowData": grid_rows(block), "rowCount": block.total}

    @app.callback(Output(ids.GRID_TITLE, "children"), Output(ids.GRID_COUNT, "children"),
                  Input(ids.GRID_KEY, "data"), State(ids.FILTERS, "data"))
    def grid_heading(_key, store):
        asked = question(store)
        count = grid_count(data.grid_total(asked))
        if asked.month is None or asked.topic_id is None:
            return "Passages matching the filters", count
        title = f"Passages · {data.topic_label(asked.topic_id)} · {asked.month:%B %Y}"
        return title, [count, html.Br(), point_summary(data.result_summary(asked))]

    @app.callback(Output(ids.PASSAGES_CSV_LINK, "href"),
                  Output(ids.PASSAGES_CSV_LINK, "download"), Input(ids.GRID_KEY, "data"),
                  State(ids.FILTERS, "data"))
    def passages_csv_link(_key, store):
        """The download link of the passages the grid lists (filters + clicked point),
        and the file's name (the run and the filters)."""
        state, _ = ctx.current(store)
        return (passages_csv_href(ctx.csv_route, state),
                export_filename("passages", ctx.run_id, state))
