"""The filters panel: people, month range, sources, topics/themes, text search."""

from __future__ import annotations

from datetime import date

import dash_mantine_components as dmc
from dash import html

from dashboard.data import DiscourseData
from dashboard import ids
from dashboard.url_state import MAX_PEOPLE, MAX_SOURCES, MAX_TOPICS


def people_data(data: DiscourseData) -> list[dict[str, str]]:
    return [{"value": p, "label": f"{p} ({n:,})"}
            for p, n in data.people_options().select("person", "mentions").iter_rows()]


def topic_data(data: DiscourseData) -> list[dict]:
    themes, discovered, outliers = [], [], []
    for tid, label, theme, size in data.topic_list().select(
            "topic_id", "label", "theme", "size").iter_rows():
        item = {"value": data.topic_token(tid), "label": f"{label} ({size:,})"}
        (outliers if tid == -1 else themes if theme else discovered).append(item)
    groups = [("Named themes", themes), ("Discovered topics", discovered),
              ("Unassigned", outliers)]
    return [{"group": g, "items": items} for g, items in groups if items]


def month_marks(months: list[date]) -> list[dict]:
    if len(months) <= 12:
        return [{"value": i, "label": f"{m:%b}"} for i, m in enumerate(months)]
    return [{"value": i, "label": str(m.year)} for i, m in enumerate(months)
            if m.month == 1 or i == 0]


def build_filters(data: DiscourseData) -> html.Aside:
    months = data.months
    last = max(len(months) - 1, 0)
    return html.Aside(className="sidebar", children=[
        html.Div("Filters", className="panel-title"),
        dmc.MultiSelect(
            id=ids.PEOPLE, label="People", description="Passages naming any of them",
            placeholder="All people", data=people_data(data), searchable=True,
            clearable=True, limit=100, maxValues=MAX_PEOPLE, hidePickedOptions=True,
            nothingFoundMessage="Nobody by that name", value=[],
        ),
        html.Div(className="month-filter", children=[
            html.Div(className="month-head", children=[
                html.Span("Months", className="mantine-like-label"),
                html.Span(id=ids.MONTHS_LABEL, className="month-readout"),
            ]),
            dmc.RangeSlider(
                id=ids.MONTHS, min=0, max=last, step=1, minRange=0, value=[0, last],
                marks=month_marks(months), label=None, size="sm", disabled=last == 0,
                mb=28, mt=6,
            ),
        ]),
        dmc.MultiSelect(
            id=ids.SOURCES, label="Sources", placeholder="All sources",
            data=[{"value": s, "label": s} for s in data.sources], searchable=True,
            clearable=True, maxValues=MAX_SOURCES, value=[],
        ),
        dmc.MultiSelect(
            id=ids.TOPICS, label="Topics and themes",
            description="Empty = named themes + largest topics",
            placeholder="Default selection", data=topic_data(data), searchable=True,
            clearable=True, maxValues=MAX_TOPICS, value=[],
        ),
        dmc.TextInput(
            id=ids.SEARCH, label="Search passages", placeholder="e.g. licensing",
            description="Every word must start a word of the passage", debounce=500,
            value="",
        ),
        dmc.Button("Reset filters", id=ids.RESET, variant="subtle", color="gray",
                   size="xs", fullWidth=True, mt="sm"),
    ])
