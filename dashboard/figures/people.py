"""The people x topics heatmap, and the decoder of a click on one of its cells."""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboard.figures.base import Figure, base_layout, empty_figure, plain, short
from dashboard.inputs import first_point, small_int


def clicked_cell(click: Any, matrix: pl.DataFrame,
                 topics: pl.DataFrame) -> tuple[str, int] | None:
    """(person, topic_id) of a click on the heatmap drawn from `matrix` and `topics`.

    Plotly reports a heatmap click as the cell's (x, y) positions only (no customdata),
    so the cell is read back through the same axes the figure was laid out with."""
    point = first_point(click)
    x, y = small_int(point.get("x")), small_int(point.get("y"))
    if x is None or y is None:
        return None
    people, cols = heatmap_axes(matrix, topics)
    if 0 <= x < len(cols) and 0 <= y < len(people):
        return people[y], cols[x][0]
    return None


def heatmap_axes(matrix: pl.DataFrame, topics: pl.DataFrame
                 ) -> tuple[list[str], list[tuple[int, str, str | None]]]:
    """Row people (bottom to top: least active first) and columns (topic_id, label,
    theme) of the people x topics heatmap. Cell (x=i, y=j) is (cols[i], people[j])."""
    people: list[str] = []
    for p in matrix["person"].to_list():
        if p not in people:
            people.append(p)
    present = set(matrix["topic_id"].to_list())
    cols = [(t, lab, th) for t, lab, th in topics.select("topic_id", "label", "theme")
            .iter_rows() if t in present]
    return people[::-1], cols


def people_topic_heatmap(matrix: pl.DataFrame, topics: pl.DataFrame,
                         height: int | None = None) -> Figure:
    """People (rows, most active on top) x topics (columns, themes first, in bold).

    matrix: person, topic_id, label, theme, passages (people.people_topic_matrix).
    Axes are integer positions (tick labels show the names), so a click reports the cell
    as (x, y) indices into `heatmap_axes(matrix, topics)` (see `clicked_cell`).
    """
    if matrix.is_empty():
        return empty_figure("No people mentioned under these filters")
    people, cols = heatmap_axes(matrix, topics)
    cell = {(p, t): n for p, t, n in matrix.select("person", "topic_id", "passages").iter_rows()}
    z = [[cell.get((p, t), 0) for t, _, _ in cols] for p in people]
    customdata = [[[plain(p), plain(lab)] for _, lab, _ in cols] for p in people]
    trace = {
        "type": "heatmap", "z": z, "x": list(range(len(cols))), "y": list(range(len(people))),
        "customdata": customdata, "text": [[str(v) if v else "" for v in row] for row in z],
        "texttemplate": "%{text}",
        "colorscale": [[0, "#f5f7fa"], [0.0001, "#dbe7f6"], [0.5, "#6c9bd2"], [1, "#1d3f72"]],
        "xgap": 2, "ygap": 2,
        "colorbar": {"title": {"text": "Passages", "side": "right"}, "thickness": 12},
        "hovertemplate": "<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{z} passages<br>"
                         "<i>click to filter</i><extra></extra>",
    }
    layout = base_layout(
        height or max(320, 120 + 30 * len(people)),
        margin={"l": 140 if len(cols) > 8 else 40, "r": 20, "t": 40, "b": 20},
        xaxis={"tickmode": "array", "tickvals": list(range(len(cols))),
               "ticktext": [f"<b>{short(lab)}</b>" if th else short(lab)
                            for _, lab, th in cols],
               "side": "bottom", "tickangle": -30 if len(cols) <= 8 else -50,
               "showgrid": False, "zeroline": False, "automargin": True,
               "tickfont": {"size": 11}},
        yaxis={"tickmode": "array", "tickvals": list(range(len(people))),
               "ticktext": [short(p) for p in people], "showgrid": False, "zeroline": False,
               "automargin": True},
    )
    return {"data": [trace], "layout": layout}
