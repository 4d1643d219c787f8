"""The page: the views of dashboard/features/ put in place, plus the stores they share."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import ids
from dashboard.context import AppContext
from dashboard.features import TAB_VIEWS, document, filters, header, passages
from dashboard.url_state import UrlState

THEME = {
    "primaryColor": "indigo",
    "fontFamily": "Inter, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
    "defaultRadius": "md",
}
COUNT_NOTE = ("Every count is of passages (paragraphs): the people picker, the charts, the "
              "heatmap, the grid and the exports count a passage once for each person it "
              "names and once under each named theme it carries. Share of the month = a "
              "topic's passages over all passages of that month under the same people and "
              "source filters. Said by: passages with a statement (words attributed to the person: "
              "a speaker turn, a quotation or reported speech) by them; People: passages naming "
              "them (a mention). The Said vs named tab alone counts statements and mentions "
              "themselves.")


def tabs(ctx: AppContext) -> dmc.Tabs:
    # keepMounted=False: a hidden tab's graphs and pickers are not rendered until it is opened,
    # so the first chart does not wait for them (benchmarks/analysis.md, "first chart").
    return dmc.Tabs(id=ids.TABS, value=UrlState().tab, keepMounted=False, className="tabs",
                    children=[
                        dmc.TabsList([dmc.TabsTab(v.TAB_LABEL, value=v.TAB) for v in TAB_VIEWS]),
                        *(dmc.TabsPanel([html.H2(v.TAB_LABEL, className="sr-only"), v.layout(ctx)],
                                        value=v.TAB) for v in TAB_VIEWS),
                    ])


def page(ctx: AppContext) -> dmc.MantineProvider:
    """The whole page."""
    return dmc.MantineProvider(theme=THEME, forceColorScheme="light", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.FILTERS),
        dcc.Store(id=ids.POINT),  # the view-state stores without a visible control
        dcc.Store(id=ids.DOC_OPEN),
        dcc.Store(id=ids.TREND_LINES),
        dcc.Store(id=ids.GRID_KEY),
        html.Div(className="app", children=[
            header.layout(ctx),
            html.Div(className="body", children=[
                filters.layout(ctx),
                html.Main(className="main", children=[
                    html.Div(id=ids.NOTICES, className="notices", role="alert"),
                    html.Section(className="card", children=tabs(ctx)),
                    passages.layout(ctx),
                ]),
            ]),
            html.Footer(className="footer", children=[COUNT_NOTE]),
        ]),
        document.layout(ctx),
    ])
