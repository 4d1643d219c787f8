"""Compare figure: each side's theme mix as a share of its passages, with 95% intervals."""

from __future__ import annotations

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
               "title": {"text": "share of the person's passages (95% interval)",
                         "font": {"size": 11}}})}
