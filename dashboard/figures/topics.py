"""Topic explorer figures: topic sizes (click a bar to open a topic) and keyword bars."""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any

import polars as pl

from dashboard.figures.base import (
    DISCOVERED_PALETTE, GRID, Figure, base_layout, empty_figure, plain, short,
)
from dashboard.inputs import first_point, small_int
from pipelines.artifacts import OUTLIER_TOPIC


def clicked_topic(click: Any, topic_ids: Container[int]) -> int | None:
    """The topic id of a clicked size bar (customdata [topic_id]), when it is known."""
    custom = first_point(click).get("customdata")
    return small_int(custom[0], topic_ids) if isinstance(custom, list) and custom else None


def keyword_bars(keywords: Iterable[str], weights: Iterable[float], color: str,
                 height: int = 320) -> Figure:
    """Horizontal bars of a topic's top keywords, strongest on top."""
    kws, ws = list(keywords)[:15], list(weights)[:15]
    if not kws:
        return empty_figure("No keywords for this topic", height=height, hint="")
    if len(ws) < len(kws):
        ws = ws + [0.0] * (len(kws) - len(ws))
    trace = {"type": "bar", "x": ws[::-1], "y": [plain(k) for k in kws[::-1]],
             "orientation": "h", "marker": {"color": color},
             "hovertemplate": "%{y}: %{x:.3f}<extra></extra>"}
    return {"data": [trace], "layout": base_layout(
        height, margin={"l": 120, "r": 20, "t": 36, "b": 30}, bargap=0.25,
        xaxis={"gridcolor": GRID, "title": {"text": "weight", "font": {"size": 11}}})}


def topic_sizes(topics: pl.DataFrame, colors: dict[int, str], height: int = 320) -> Figure:
    """Passages per topic (outliers left out), themes first; click a bar to pick a topic."""
    t = topics.filter(pl.col("topic_id") != OUTLIER_TOPIC)
    if t.is_empty():
        return empty_figure("No topics in this run", height=height, hint="")
    rows = t.select("topic_id", "label", "theme", "size").to_dicts()[:30][::-1]
    trace = {
        "type": "bar", "x": [r["size"] for r in rows],
        "y": [short(r["label"], 28) for r in rows], "orientation": "h",
        "hovertext": [plain(r["label"]) for r in rows],
        "marker": {"color": [colors.get(r["topic_id"], DISCOVERED_PALETTE[0]) for r in rows]},
        "customdata": [[r["topic_id"]] for r in rows],
        "hovertemplate": "%{hovertext}: %{x} passages<extra></extra>",
    }
    return {"data": [trace], "layout": base_layout(
        max(height, 60 + 26 * len(rows)), margin={"l": 10, "r": 20, "t": 36, "b": 30},
        bargap=0.3, yaxis={"automargin": True, "tickfont": {"size": 11}},
        xaxis={"gridcolor": GRID, "title": {"text": "passages", "font": {"size": 11}}})}
