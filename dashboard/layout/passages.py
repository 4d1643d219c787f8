"""Drill-down grid of passages and the document view it opens.

Corpus text is never rendered as HTML: the grid's text column uses the
`HighlightedText` cell renderer (assets/dashAgGridComponentFunctions.js), which builds
text nodes and <mark> elements from the text and the mark offsets; the document view
is built here from html.Span / html.Mark components, which Dash renders as text.

"Download passages CSV" is a plain link (`<a download>`) to the streamed route of
dashboard/downloads.py; a callback keeps its href in step with the filters and the point.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import html

from dashboard.data import DocumentView, PassageList
from dashboard.downloads import PASSAGES_CSV_FILENAME, PASSAGES_CSV_ROUTE
from dashboard import ids

MARK_KINDS = ("match", "person", "search")
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


def build_passages_panel(csv_href: str = "/" + PASSAGES_CSV_ROUTE) -> html.Section:
    """The grid card; `csv_href` is the download link before any filter is applied."""
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


def build_document_drawer() -> dmc.Drawer:
    return dmc.Drawer(id=ids.DOC_DRAWER, opened=False, position="right", size="52%",
                      padding="lg", title="Document", children=html.Div(id=ids.DOC_BODY),
                      className="doc-drawer")


def marked_text(text: str, marks: list[list[Any]]) -> list:
    """Text split into plain strings and html.Mark pieces (never parsed as HTML)."""
    out: list = []
    pos = 0
    for m in marks:
        start, end, kind = int(m[0]), int(m[1]), str(m[2])
        if start < pos or end <= start or end > len(text) or kind not in MARK_KINDS:
            continue
        if start > pos:
            out.append(text[pos:start])
        title = m[3] if len(m) > 3 and m[3] else "search match"
        out.append(html.Mark(text[start:end], className=f"hl hl-{kind}", title=title))
        pos = end
    if pos < len(text):
        out.append(text[pos:])
    return out


def render_document(doc: DocumentView, focus_passage: str | None,
                    colors: dict[int, str]) -> html.Div:
    """The whole document, passage by passage, with topics and mentions marked."""
    meta = [f"{doc.date:%d %B %Y}", doc.source or "", doc.author or ""]
    body = []
    for seg in doc.segments:
        if seg["kind"] == "gap":
            body.append(html.P(seg["text"], className="doc-gap"))
            continue
        color = colors.get(seg["topic_id"], "#c0c4cc")
        focus = seg["passage_id"] == focus_passage
        body.append(html.Div(
            className="doc-passage" + (" focus" if focus else ""),
            style={"borderLeftColor": color},
            children=[
                html.Div(className="doc-topic", children=[
                    html.Span(className="dot", style={"background": color}),
                    seg["topic"], html.Span(f" · {seg['passage_id']}", className="pid"),
                ]),
                html.P(marked_text(seg["text"], seg["marks"]), className="doc-text"),
            ],
        ))
    link = (html.A("Open the original ↗", href=doc.url, target="_blank",
                   rel="noopener noreferrer nofollow", className="doc-link")
            if doc.url and doc.url.lower().startswith(("http://", "https://")) else None)
    return html.Div(className="document", children=[
        html.H2(doc.title, className="doc-title"),
        html.Div(" · ".join(x for x in meta if x), className="doc-meta"),
        link,
        html.Div(body, className="doc-body"),
    ])
