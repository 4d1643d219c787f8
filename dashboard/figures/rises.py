""""What rose" figure: each tested theme or topic's rate ratio this month against its
baseline, with its 95% interval, on a log axis (a forest plot); click one to see its
passages that month."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import polars as pl

from dashboard.figures.base import GRID, MUTED, Figure, base_layout, empty_figure, plain, short
from dashboard.inputs import first_point, small_int

RISE_COLOR, FALL_COLOR = "#c2410c", "#1d4ed8"
MAX_ROWS = 15


def clicked_rise(click: Any, topic_ids: Container[int]) -> int | None:
    """The topic id of a clicked ratio (customdata [topic_id]), when it is known."""
    custom = first_point(click).get("customdata")
    return small_int(custom[0], topic_ids) if isinstance(custom, list) and custom else None


def shown_rise_rows(table: pl.DataFrame) -> pl.DataFrame:
    """The rows the figure draws: every significant change, then the tested topics with
    the smallest p-values, at most MAX_ROWS."""
    return table.filter(pl.col("tested")).head(MAX_ROWS)


def rise_figure(table: pl.DataFrame, month_label: str) -> Figure:
    """Rate ratios with their intervals, biggest change first (top)."""
    rows = shown_rise_rows(table).to_dicts()[::-1]
    if not rows:
        return empty_figure(f"Nothing to test in {month_label}: too few passages",
                            height=260, hint="Choose another month or widen the filters.")
    colors = [RISE_COLOR if r["direction"] == "rise" else FALL_COLOR if r["direction"] == "fall"
              else MUTED for r in rows]
    trace = {
        "type": "scatter", "mode": "markers", "x": [r["rate_ratio"] for r in rows],
        "y": [short(r["label"], 34) for r in rows],
        "error_x": {"type": "data", "symmetric": False, "thickness": 1.5, "width": 0,
                    "array": [r["ci_high"] - r["rate_ratio"] for r in rows],
                    "arrayminus": [r["rate_ratio"] - r["ci_low"] for r in rows],
                    "color": "#9ca3af"},
        "marker": {"size": [13 if r["significant"] else 9 for r in rows], "color": colors,
                   "symbol": ["diamond" if r["significant"] else "circle" for r in rows]},
        "customdata": [[r["topic_id"]] for r in rows],
        "hovertext": [f"{plain(r['label'])}<br>{r['count']} of {r['exposure']} passages "
                      f"this month; {r['baseline_count']} of {r['baseline_exposure']} before"
                      f"<br>rate ratio {r['rate_ratio']:.2f} (95% CI {r['ci_low']:.2f}–"
                      f"{r['ci_high']:.2f}), q = {r['q_value']:.3f}"
                      + ("<br><b>beyond chance</b>" if r["significant"] else "") for r in rows],
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    return {"data": [trace], "layout": base_layout(
        max(260, 70 + 28 * len(rows)), margin={"l": 10, "r": 20, "t": 30, "b": 44},
        showlegend=False, yaxis={"automargin": True, "tickfont": {"size": 11}},
        xaxis={"type": "log", "gridcolor": GRID, "zeroline": False,
               "title": {"text": f"rate in {month_label} ÷ rate in the 6 months before "
                                 "(log scale; 1 = no change)", "font": {"size": 11}}},
        shapes=[{"type": "line", "x0": 1, "x1": 1, "yref": "paper", "y0": 0, "y1": 1,
                 "line": {"color": "#9ca3af", "dash": "dot", "width": 1}}])}
