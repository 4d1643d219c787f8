"""Trends tab: monthly topic lines / stacked areas, counts or share of the month."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.figures import empty_figure, png_config
from dashboard import ids


def build_trends_tab() -> html.Div:
    return html.Div(className="tab-body", children=[
        html.Div(className="toolbar", children=[
            dmc.SegmentedControl(id=ids.MEASURE, value="passages", size="xs", data=[
                {"value": "passages", "label": "Passages"},
                {"value": "share", "label": "Share of month"},
            ]),
            dmc.SegmentedControl(id=ids.CHART, value="lines", size="xs", data=[
                {"value": "lines", "label": "Lines"},
                {"value": "area", "label": "Stacked area"},
            ]),
            dmc.Switch(id=ids.EVENTS, checked=True, label="Events", size="sm"),
            html.Div(className="toolbar-spacer"),
            dmc.Button("Download trend CSV", id=ids.TREND_CSV_BUTTON, size="xs",
                       variant="light"),
            dcc.Download(id=ids.TREND_CSV),
        ]),
        html.P(id=ids.TREND_NOTE, className="note"),
        dcc.Loading(type="dot", color="#4c6ef5", delay_show=400, children=dcc.Graph(
            id=ids.TREND_GRAPH, figure=empty_figure("Loading…", hint=""),
            config=png_config("discourse-trends"), className="graph",
        )),
    ])
