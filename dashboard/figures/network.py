"""The co-mention network: people as circles sized by the passages naming them, lines
where two are named together (thicker: stronger NPMI), a diamond at each line's middle;
click a person to filter by them, a diamond to list the passages naming both."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import polars as pl

from dashboard.figures.base import Figure, base_layout, empty_figure, plain, short
from dashboard.inputs import first_point

NODE_COLOR, EDGE_COLOR = "#4c6ef5", "rgba(100, 116, 139, {alpha})"


def clicked_person(click: Any, people: Container[str]) -> str | None:
    """The person of a clicked circle (customdata [person]), when the corpus knows them."""
    custom = first_point(click).get("customdata")
    person = custom[0] if isinstance(custom, list) and custom else None
    return person if isinstance(person, str) and person in people else None


def clicked_pair(click: Any, people: Container[str]) -> tuple[str, str] | None:
    """The two people of a clicked link (customdata [person, person]), when both are known."""
    custom = first_point(click).get("customdata")
    if not isinstance(custom, list) or len(custom) != 2:
        return None
    a, b = custom
    ok = all(isinstance(p, str) and p in people for p in (a, b)) and a != b
    return (a, b) if ok else None


def network_figure(nodes: pl.DataFrame, edges: pl.DataFrame, height: int = 560) -> Figure:
    """Edges (one line trace per strength band, so widths differ) under the people."""
    if nodes.is_empty() or edges.is_empty():
        return empty_figure("No two people are named together often enough here",
                            height=height, hint="Widen the months or clear a filter.")
    at = {r["person"]: (r["x"], r["y"]) for r in nodes.iter_rows(named=True)}
    traces = []
    for low, high, width in ((-1.0, 0.2, 1.0), (0.2, 0.4, 2.2), (0.4, 1.01, 3.6)):
        band = edges.filter((pl.col("npmi") >= low) & (pl.col("npmi") < high))
        xs: list = []
        ys: list = []
        for r in band.iter_rows(named=True):
            (x0, y0), (x1, y1) = at[r["source"]], at[r["target"]]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys,
                       "line": {"width": width, "color": EDGE_COLOR.format(alpha=0.25 + 0.2 * width / 3.6)},
                       "hoverinfo": "skip", "showlegend": False})
    mids = {"type": "scatter", "mode": "markers", "showlegend": False,
            "x": [(at[r["source"]][0] + at[r["target"]][0]) / 2 for r in edges.iter_rows(named=True)],
            "y": [(at[r["source"]][1] + at[r["target"]][1]) / 2 for r in edges.iter_rows(named=True)],
            "marker": {"size": 12, "color": "rgba(100, 116, 139, 0.35)", "symbol": "diamond"},
            "customdata": [[r["source"], r["target"]] for r in edges.iter_rows(named=True)],
            "hovertext": [f"{plain(r['source'])} & {plain(r['target'])}: named together in "
                          f"{r['count']} passages, NPMI {r['npmi']:.2f}. Click to list them."
                          for r in edges.iter_rows(named=True)],
            "hovertemplate": "%{hovertext}<extra></extra>"}
    top = max(nodes["passages"].max() or 1, 1)
    people = {"type": "scatter", "mode": "markers+text", "showlegend": False,
              "x": nodes["x"].to_list(), "y": nodes["y"].to_list(),
              "text": [short(p, 22) for p in nodes["person"]], "textposition": "top center",
              "textfont": {"size": 11},
              "marker": {"size": [10 + 30 * (n / top) ** 0.5 for n in nodes["passages"]],
                         "color": NODE_COLOR, "opacity": 0.85, "line": {"color": "white", "width": 1}},
              "customdata": [[p] for p in nodes["person"]],
              "hovertext": [f"{plain(p)}: named in {n:,} passages"
                            for p, n in zip(nodes["person"], nodes["passages"])],
              "hovertemplate": "%{hovertext}<extra></extra>"}
    hidden = {"visible": False, "showgrid": False, "zeroline": False, "range": [-1.25, 1.25]}
    return {"data": [*traces, mids, people], "layout": base_layout(
        height, margin={"l": 10, "r": 10, "t": 20, "b": 10}, xaxis=hidden, yaxis=hidden,
        hovermode="closest")}
