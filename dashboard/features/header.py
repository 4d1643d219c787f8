"""Page header: title, corpus summary tiles, which corpus and run are shown (no callbacks)."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from dashboard.context import AppContext
from dashboard.data import CorpusSummary


def _stat(label: str, value: int, stat_id: str) -> html.Div:
    return html.Div(className="stat", id=stat_id, children=[
        html.Div(f"{value:,}", className="stat-value"),
        html.Div(label, className="stat-label"),
    ])


def _span(summary: CorpusSummary) -> str:
    if not summary.first_month or not summary.last_month:
        return "no months"
    return f"{summary.first_month:%b %Y} – {summary.last_month:%b %Y}"


def layout(ctx: AppContext) -> html.Header:
    summary = ctx.data.summary()
    built = f" · built {summary.built_at[:10]}" if summary.built_at else ""
    children = [
        html.Div(className="header-row", children=[
            html.Div(className="brand", children=[
                html.H1("AI-regulation discourse"),
                html.P("Which themes rise and fall month by month, who drives them, and the "
                       "passages behind every point.", className="tagline"),
            ]),
            html.Div(className="stats", children=[
                _stat("documents", summary.documents, "stat-documents"),
                _stat("passages", summary.passages, "stat-passages"),
                _stat("months", summary.months, "stat-months"),
                _stat("people", summary.people, "stat-people"),
            ]),
        ]),
        html.P(id="corpus-line", className="corpus-line", children=[
            "Corpus ", html.Code(summary.corpus), f" · {_span(summary)} · run ",
            html.Code(summary.run_id), built,
        ]),
    ]
    if summary.illustrative:
        children.append(dmc.Alert(
            id="illustrative-note", color="yellow", variant="light", radius="md",
            className="illustrative", title="Demo corpus",
            children="The bundled briefs are illustrative summaries of public events, "
                     "written for this demo. They are not primary sources: follow the "
                     "events themselves before quoting anything.",
        ))
    return html.Header(className="app-header", children=children)


def register(app, ctx: AppContext) -> None:  # noqa: ARG001 - the header has no callbacks
    """Nothing to register: the header is static for a run."""
