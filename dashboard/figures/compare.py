"""Compare figures: each side's theme mix as a share of its passages, with 95% intervals,
and each side's share of every month's passages."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.figures.base import GRID, Figure, base_layout, empty_figure, plain, short

SIDE_COLORS = ("#4c6ef5", "#e8590c")


def theme_mix_figure(mix: pl.DataFrame, names: tuple[str, str]) -> Figure:
    """Grouped horizontal bars (themes either side carries), error bars from the intervals."""
    carried = mix.group_by("theme").agg(pl.col("passages").sum()).filter(pl.col("passages") > 0)
    rows = mix.filter(pl.col("theme").is_in(carried["theme"].implode()))
    if rows.is_empty():
        return empty_figure("Neither side's passages carry a named theme", height=300, hint="")
    order = (rows.group_by("theme", maintain_order=True).agg(pl.col("share").max())
             .sort("share")["theme"].to_list())
    traces = []
    for side, name, color in zip(("a", "b"), names, SIDE_COLORS):
        part = rows.filter(pl.col("side") == side).sort(
            pl.col("theme").replace_strict({t: i for i, t in enumerate(order)}))
        traces.append({
            "type": "bar", "orientation": "h", "name": plain(name), "marker": {"color": color},
            "x": part["share"].to_list(), "y": [short(lab, 34) for lab in part["label"]],
            "error_x": {"type": "data", "symmetric": False, "color": "#6b7280", "thickness": 1,
                        "array": (part["high"] - part["share"]).to_list(),
                        "arrayminus": (part["share"] - part["low"]).to_list()},
            "hovertemplate": "%{y}: %{x:.0%} of " + plain(name) + "'s passages<extra></extra>"})
    return {"data": traces, "layout": base_layout(
        max(300, 80 + 34 * len(order)), barmode="group", bargap=0.25,
        margin={"l": 10, "r": 20, "t": 30, "b": 40}, yaxis={"automargin": True},
        legend={"orientation": "h", "y": 1.08},
        xaxis={"tickformat": ".0%", "gridcolor": GRID,
               "title": {"text": "share of the side's passages (95% interval)",
                         "font": {"size": 11}}})}


def compare_trend_figure(trend: pl.DataFrame, names: tuple[str, str],
                         by_month_of_year: bool = False) -> Figure:
    """Each side's passages as a share of each month's passages, on one axis. Two years are
    drawn over the months of one year (January to December), so they line up."""
    if trend.is_empty() or trend["passages"].sum() == 0:
        return empty_figure("Neither side has passages in these months", height=260, hint="")
    traces = []
    for side, name, color in zip(("a", "b"), names, SIDE_COLORS):
        part = trend.filter(pl.col("side") == side).sort("month")
        x = ([f"{m:%b}" for m in part["month"]] if by_month_of_year else part["month"].to_list())
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": plain(name),
            "line": {"color": color, "width": 2.4}, "marker": {"color": color, "size": 6},
            "x": x, "y": part["share"].to_list(),
            "customdata": [[f"{m:%b %Y}", p, t] for m, p, t in
                           part.select("month", "passages", "month_passages").iter_rows()],
            "hovertemplate": (plain(name) + ", %{customdata[0]}: %{y:.1%} of the month's passages "
                              "(%{customdata[1]:,} of %{customdata[2]:,})<extra></extra>")})
    xaxis = ({"type": "category", "categoryorder": "array",
              "categoryarray": [f"{m:%b}" for m in (date(2000, i, 1) for i in range(1, 13))]}
             if by_month_of_year else {"tickformat": "%b %Y"})
    return {"data": traces, "layout": base_layout(
        280, margin={"l": 60, "r": 20, "t": 30, "b": 40}, legend={"orientation": "h", "y": 1.12},
        xaxis={**xaxis, "showgrid": False},
        yaxis={"tickformat": ".1~%", "gridcolor": GRID, "rangemode": "tozero",
               "title": {"text": "share of the month's passages", "font": {"size": 11}}})}
