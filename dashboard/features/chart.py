"""Charts with an accessible name: each dcc.Graph sits in a <figure> whose aria-label says
what the chart is, and whose aria-describedby points at the note that says it in words."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component


def chart(label: str, graph: Component, described_by: str | None = None) -> html.Figure:
    """`graph` (a dcc.Graph, or a dcc.Loading around one) named `label`."""
    described = {"aria-describedby": described_by} if described_by else {}
    return html.Figure(graph, className="chart", **{"aria-label": label}, **described)
