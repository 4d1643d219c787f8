"""One person's statements versus mentions per month (the "Said vs named" tab).

Two lines told apart by more than colour: statements are a solid line with filled circles,
mentions a dashed line with hollow squares, and the legend names both in words. These
count statements and mentions, not passages (the one chart that does)."""

from __future__ import annotations

import polars as pl

from dashboard.figures.base import Figure, base_layout, empty_figure, plain

STATEMENTS_COLOR = "#1d4ed8"
MENTIONS_COLOR = "#b45309"
SERIES = (
    ("statements", "Statements (words attributed to {who})", STATEMENTS_COLOR, "solid",
     "circle"),
    ("mentions", "Mentions ({who} named)", MENTIONS_COLOR, "dash", "square-open"),
)


def said_named_figure(counts: pl.DataFrame, person: str, height: int = 340) -> Figure:
    """counts: month, statements, mentions (statements.said_and_named)."""
    if counts.is_empty():
        return empty_figure("No months under these filters", height=height)
    if not counts["statements"].sum() and not counts["mentions"].sum():
        return empty_figure(f"{person} is neither quoted nor named under these filters",
                            height=height)
    months = [m.isoformat() for m in counts["month"].to_list()]
    who = plain(person)
    traces = []
    for column, name, color, dash, symbol in SERIES:
        label = name.format(who=who)
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": label, "x": months,
            "y": counts[column].to_list(), "meta": {"series": column},
            "line": {"color": color, "dash": dash, "width": 2.5},
            "marker": {"symbol": symbol, "size": 8, "color": color,
                       "line": {"color": color, "width": 2}},
            "hovertemplate": f"%{{x|%b %Y}}<br>%{{y}} {column}<extra>{who}</extra>",
        })
    layout = base_layout(
        height, margin={"l": 56, "r": 16, "t": 48, "b": 40},
        xaxis={"type": "date", "tickformat": "%b %Y", "showgrid": False},
        yaxis={"title": {"text": "Count (statements or mentions)"}, "rangemode": "tozero",
               "gridcolor": "#eceff3"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        hovermode="x unified")
    return {"data": traces, "layout": layout}
