"""The page, assembled from one module per part:

header.py   title, corpus summary, which corpus and run
filters.py  people, months, sources, topics, search
trends.py   trend chart tab          people.py  people x topics tab
topics.py   topic explorer tab       passages.py  drill-down grid + document drawer
ids.py      every component id
"""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.data import DiscourseData
from dashboard.downloads import PASSAGES_CSV_ROUTE
from dashboard import ids
from dashboard.layout.filters import build_filters
from dashboard.layout.header import build_header
from dashboard.layout.passages import build_document_drawer, build_passages_panel
from dashboard.layout.people import build_people_tab
from dashboard.layout.topics import build_topics_tab
from dashboard.layout.trends import build_trends_tab

THEME = {
    "primaryColor": "indigo",
    "fontFamily": "Inter, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
    "defaultRadius": "md",
}


def build_layout(data: DiscourseData, colors: dict[int, str],
                 csv_href: str = "/" + PASSAGES_CSV_ROUTE) -> dmc.MantineProvider:
    """The whole page; `csv_href` is the passages CSV link before any filter is applied."""
    tabs = dmc.Tabs(id=ids.TABS, value="trends", keepMounted=True, className="tabs",
                    children=[
                        dmc.TabsList([
                            dmc.TabsTab("Trends", value="trends"),
                            dmc.TabsTab("People × topics", value="people"),
                            dmc.TabsTab("Topic explorer", value="topics"),
                        ]),
                        dmc.TabsPanel(build_trends_tab(), value="trends"),
                        dmc.TabsPanel(build_people_tab(), value="people"),
                        dmc.TabsPanel(build_topics_tab(data, colors), value="topics"),
                    ])
    return dmc.MantineProvider(theme=THEME, forceColorScheme="light", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.FILTERS),
        dcc.Store(id=ids.POINT),
        html.Div(className="app", children=[
            build_header(data.summary()),
            html.Div(className="body", children=[
                build_filters(data),
                html.Main(className="main", children=[
                    html.Div(id=ids.NOTICES, className="notices", role="alert"),
                    html.Section(className="card", children=tabs),
                    build_passages_panel(csv_href),
                ]),
            ]),
            html.Footer(className="footer", children=[
                "Counts are passages (paragraphs). Share of the month = a topic's passages "
                "over all passages of that month under the same people and source filters.",
            ]),
        ]),
        build_document_drawer(),
    ])
