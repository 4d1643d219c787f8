"""People x topics tab: who drives which theme."""

from __future__ import annotations

from dash import dcc, html

from dashboard.figures import empty_figure, png_config
from dashboard import ids


def build_people_tab() -> html.Div:
    return html.Div(className="tab-body", children=[
        html.P("Passages per person and topic under the current filters (the most active "
               "people first). Click a cell to filter by that person and topic.",
               className="note"),
        dcc.Graph(id=ids.HEATMAP, figure=empty_figure("Loading…", hint=""),
                  config=png_config("discourse-people-topics"), className="graph"),
    ])
