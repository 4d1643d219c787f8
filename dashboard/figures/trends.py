"""The trend chart: monthly topic lines or stacked areas, events, partial months; and the
decoder of a click on it (the customdata it encodes is defined here, once).

Named themes are drawn bold and solid in a distinct palette; discovered topics thin,
dotted and muted. Months the corpus covers only partly are shaded and drawn with hollow
markers.
"""

from __future__ import annotations

from collections.abc import Collection, Container
from datetime import date, timedelta
from typing import Any

import polars as pl

from dashboard.figures.base import (
    DISCOVERED_PALETTE, GRID, MUTED, PARTIAL_FILL, THEME_PALETTE, Figure, base_layout,
    empty_figure, plain, short,
)
from dashboard.inputs import first_point, iso_month, small_int

# customdata of every topic point, in this order (hover reads 1-6, 8 and 9, a click 0 and 7)
POINT_FIELDS = ("topic_id", "label", "passages", "month_passages", "share", "partial_note",
                "month_label", "month_iso", "quality_note", "change_note")
CLICK_FIELDS = POINT_FIELDS.index("month_iso") + 1  # what a click needs of them
HALF_MONTH = timedelta(days=15)


def clicked_point(click: Any, topic_ids: Container[int],
                  months: Container[date]) -> tuple[int, date] | None:
    """(topic_id, month) of a click on a topic point; None for an event marker, a value
    that is not a point of this chart, or an unknown topic or month."""
    custom = first_point(click).get("customdata")
    if not isinstance(custom, list) or len(custom) < CLICK_FIELDS:
        return None
    topic_id = small_int(custom[POINT_FIELDS.index("topic_id")], topic_ids)
    month = iso_month(custom[POINT_FIELDS.index("month_iso")], months)
    return None if topic_id is None or month is None else (topic_id, month)


CHANGE_SYMBOLS = {"rise": "triangle-up", "fall": "triangle-down"}
CHANGE_NOTES = {"rise": "<br><b>▲ rose beyond chance</b> against the 6 months before (What rose)",
                "fall": "<br><b>▼ fell beyond chance</b> against the 6 months before (What rose)"}
CHANGE_SIZE = 13
SELECTED_COLOR = "#111827"  # the ring around the clicked point


def change_marks(traces: list[tuple[int, list[date]]], changes: pl.DataFrame,
                 partial_months: set[date]) -> list[tuple[int, int, str, str]]:
    """(trace index, point index, marker symbol, hover note) of every point of `traces`
    ((topic id, months) per trace, in figure order) that `changes` (month, topic_id,
    direction) marks as a rise or fall beyond chance."""
    direction = {(m, t): d for m, t, d in changes.select("month", "topic_id", "direction").iter_rows()}
    marks = []
    for i, (topic_id, months) in enumerate(traces):
        for j, month in enumerate(months):
            found = direction.get((month, topic_id))
            if found in CHANGE_SYMBOLS:
                symbol = CHANGE_SYMBOLS[found] + ("-open" if month in partial_months else "")
                marks.append((i, j, symbol, CHANGE_NOTES[found]))
    return marks


def draw_changes(figure: Any, marks: list[tuple[int, int, str, str]]) -> Any:
    """Paint `change_marks` onto a trend figure: a figure dict, or a dash `Patch` of one
    (the same item assignments work on both). Returns `figure`."""
    for i, j, symbol, note in marks:
        figure["data"][i]["marker"]["symbol"][j] = symbol
        figure["data"][i]["marker"]["size"][j] = CHANGE_SIZE
        figure["data"][i]["customdata"][j][POINT_FIELDS.index("change_note")] = note
    return figure


def topic_months(counts: pl.DataFrame) -> list[tuple[int, list[date]]]:
    """(topic id, months) of each topic trace of `trend_figure(counts)`, in trace order."""
    return [(tid, part["month"].to_list())
            for (tid,), part in counts.group_by("topic_id", maintain_order=True)]


def partial_months_of(counts: pl.DataFrame, partial: pl.DataFrame | None) -> set[date]:
    """The months drawn as partial: those of `partial` and those `counts` marks so."""
    known = set() if partial is None else set(partial["month"].to_list())
    return known | set(counts.filter(pl.col("partial"))["month"].to_list())


def _partial_note(row: dict[str, Any], partial_info: dict[date, tuple[Any, Any]]) -> str:
    if not row["partial"]:
        return ""
    first, last = partial_info.get(row["month"], (None, None))
    span = f" ({first:%d %b}–{last:%d %b})" if first and last else ""
    return f"<br><i>partial month{span}</i>"


def quality_note(quality: dict[str, Any] | None) -> str:
    """The hover line of a theme: its held-out precision (see `discourse themes --evaluate`)."""
    if not quality or quality.get("precision") is None:
        return ""
    return (f"<br><i>theme: estimated precision {quality['precision']:.2f}, recall "
            f"{quality.get('recall') or 0:.2f} (held out, {quality.get('positives', 0)} "
            "labelled passages)</i>")


def _customdata(tid: int, label: str, r: dict[str, Any], partial_info: dict,
                note: str) -> list[Any]:
    """One point's customdata, in POINT_FIELDS order."""
    return [tid, label, r["passages"], r["month_passages"],
            "–" if r["share"] is None else f"{r['share']:.1%}",
            _partial_note(r, partial_info), r["month"].strftime("%b %Y"), r["month"].isoformat(),
            note, ""]


def _fade(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _topic_trace(tid: int, rows: list[dict[str, Any]], *, share: bool, style: str,
                 color: str, dense: bool, visible: bool, partial_info: dict,
                 note: str = "") -> dict[str, Any]:
    """The line (or stacked area) of one topic."""
    is_theme = bool(rows[0]["is_theme"])
    label = plain(rows[0]["label"])
    y = [r["share"] if share else r["passages"] for r in rows]
    if style == "area":
        y = [0 if v is None else v for v in y]
    trace = {
        "type": "scatter", "x": [r["month"] for r in rows], "y": y,
        "name": short(rows[0]["label"], 42),
        "customdata": [_customdata(tid, label, r, partial_info, note) for r in rows],
        "mode": "lines+markers", "legendgroup": "themes" if is_theme else "discovered",
        "line": {"color": color, "width": (2.4 if dense else 3.2) if is_theme else 1.4,
                 "dash": "solid" if is_theme else "dot", "shape": "linear"},
        "marker": {"size": [(8 if is_theme else 6) if not dense or r["partial"] else
                            (4 if is_theme else 3) for r in rows], "color": color,
                   "symbol": ["circle-open" if r["partial"] else "circle" for r in rows],
                   "line": {"width": 2 if is_theme else 1.5, "color": color}},
        "opacity": 1.0 if is_theme else 0.9, "visible": True if visible else "legendonly",
        "hovertemplate": ("<b>%{customdata[1]}</b><br>%{customdata[6]}<br>"
                          "%{customdata[2]} passages of %{customdata[3]} this month "
                          "(%{customdata[4]})%{customdata[5]}%{customdata[9]}%{customdata[8]}<extra></extra>"),
        "meta": {"topic_id": tid, "theme": is_theme},
    }
    if style == "area":
        trace["stackgroup"] = "one"
        trace["fillcolor"] = _fade(color, 0.55 if is_theme else 0.3)
    return trace


def _partial_marks(months: list[date], partial_months: set[date]
                   ) -> tuple[list[dict], list[dict]]:
    """Shaded bands and "partial month" labels over the partly covered months."""
    shapes, annotations = [], []
    for m in months:
        if m in partial_months:
            shapes.append({"type": "rect", "x0": m - HALF_MONTH, "x1": m + HALF_MONTH,
                           "y0": 0, "y1": 1, "yref": "paper", "fillcolor": PARTIAL_FILL,
                           "line": {"width": 0}, "layer": "below"})
            annotations.append({"x": m, "y": 1, "yref": "paper", "yanchor": "bottom",
                                "showarrow": False, "text": "partial month",
                                "font": {"size": 10, "color": MUTED}})
    return shapes, annotations


def _trend_layout(height: int, months: list[date], share: bool, legend: bool,
                  shapes: list[dict], annotations: list[dict]) -> dict[str, Any]:
    xaxis = {"showgrid": False, "tickformat": "%b %Y", "ticks": "outside", "nticks": 14,
             "range": [months[0] - HALF_MONTH, months[-1] + HALF_MONTH],
             "linecolor": "#cfd5dd"}
    if len(months) <= 14:
        xaxis["dtick"] = "M1"
    return base_layout(
        height, hovermode="closest", showlegend=legend,
        legend={"orientation": "v", "x": 1.01, "y": 1, "groupclick": "toggleitem",
                "font": {"size": 11}, "tracegroupgap": 8},
        margin={"l": 60, "r": 12, "t": 36, "b": 40}, shapes=shapes, annotations=annotations,
        xaxis=xaxis,
        yaxis={"gridcolor": GRID, "rangemode": "tozero", "zeroline": False,
               "title": {"text": "Share of the month's passages" if share else "Passages",
                         "font": {"size": 12, "color": MUTED}},
               "tickformat": ".1~%" if share else ","},
    )


def trend_figure(counts: pl.DataFrame, *, measure: str = "passages", style: str = "lines",
                 colors: dict[int, str] | None = None, events: pl.DataFrame | None = None,
                 partial: pl.DataFrame | None = None, height: int = 460,
                 max_visible: int | None = None, legend: bool = True,
                 quality: dict[int, dict[str, Any]] | None = None,
                 changes: pl.DataFrame | None = None, shown_topics: Collection[int] = (),
                 selected: tuple[int, date] | None = None) -> Figure:
    """Monthly topic trend lines (style="lines") or stacked areas (style="area").

    counts: trends.monthly_topic_counts output. measure: "passages" or "share".
    events: date, label, description, theme. partial: month, first_date, last_date.
    Each topic point carries customdata in POINT_FIELDS order (see `clicked_point`).
    max_visible: draw only that many topics (the largest in the range); the others stay
    in the legend, one click away (visible="legendonly"). quality: topic id -> a theme's
    held-out precision, recall and labelled positives, shown in the hover. changes:
    month, topic_id, direction ("rise" | "fall") of the changes beyond chance, drawn as
    larger up or down triangles and named in the hover. shown_topics: the lines the user
    chose to show (from the legend); the others stay in the legend (overrides
    max_visible). selected: (topic id, month) of the clicked point, ringed.
    """
    if counts.is_empty() or counts["passages"].sum() == 0:
        return empty_figure()
    colors, share = colors or {}, measure == "share"
    partial_info = {} if partial is None else {
        m: (a, b) for m, a, b in partial.select("month", "first_date", "last_date").iter_rows()}
    dense = counts["month"].n_unique() > 18 or counts["topic_id"].n_unique() > 10
    ranked = (counts.group_by("topic_id").agg(pl.col("passages").sum())
              .sort(["passages", "topic_id"], descending=[True, False])["topic_id"].to_list())
    shown = set(ranked if max_visible is None else ranked[:max_visible])
    if shown_topics and set(shown_topics) & set(ranked):
        shown = set(shown_topics) & set(ranked)
    if selected is not None:
        shown.add(selected[0])
    traces: list[dict[str, Any]] = []
    for (tid,), part in counts.group_by("topic_id", maintain_order=True):
        rows = part.to_dicts()
        is_theme = bool(rows[0]["is_theme"])
        color = colors.get(tid, THEME_PALETTE[0] if is_theme else DISCOVERED_PALETTE[0])
        trace = _topic_trace(tid, rows, share=share, style=style, color=color, dense=dense,
                             visible=tid in shown, partial_info=partial_info,
                             note=quality_note((quality or {}).get(tid)))
        if not any(t["legendgroup"] == trace["legendgroup"] for t in traces):
            trace["legendgrouptitle"] = {
                "text": "Named themes" if is_theme else "Discovered topics"}
        traces.append(trace)
    months = sorted(set(counts["month"].to_list()))
    partial_set = partial_months_of(counts, partial)
    shapes, annotations = _partial_marks(months, partial_set)
    layout = _trend_layout(height, months, share, legend, shapes, annotations)
    events_trace = _events(events, months[0] - HALF_MONTH, months[-1] + HALF_MONTH, shapes)
    if events_trace:
        traces.append(events_trace)
        layout["yaxis2"] = {"overlaying": "y", "range": [0, 1.04], "visible": False,
                            "fixedrange": True}
    if changes is not None:
        draw_changes({"data": traces}, change_marks(topic_months(counts), changes, partial_set))
    ring = _selection(traces, selected, stacked=style == "area")
    if ring:
        traces.append(ring)
    top = max((v for v in (counts["share"] if share else counts["passages"]).to_list()
               if v is not None), default=0)
    if not share and style != "area" and top <= 8:
        layout["yaxis"]["dtick"] = 1
    return {"data": traces, "layout": layout}


def _selection(traces: list[dict[str, Any]], selected: tuple[int, date] | None,
               stacked: bool = False) -> dict[str, Any] | None:
    """A ring around the clicked point (None when it is not on the chart); on stacked
    areas, at the top of its band."""
    if selected is None:
        return None
    topic_id, month = selected
    below = 0.0
    for trace in traces:
        meta = trace.get("meta") or {}
        if "topic_id" not in meta or month not in trace["x"]:
            continue
        y = trace["y"][trace["x"].index(month)]
        if meta["topic_id"] == topic_id:
            return {"type": "scatter", "x": [month], "y": [(y or 0) + below if stacked else y],
                    "mode": "markers", "name": "Selected point", "showlegend": False,
                    "hoverinfo": "skip", "meta": {"selected": True},
                    "marker": {"symbol": "circle-open", "size": 22, "color": SELECTED_COLOR,
                               "line": {"width": 3, "color": SELECTED_COLOR}}}
        if stacked and trace.get("visible") is True:
            below += y or 0
    return None


def _events(events: pl.DataFrame | None, lo: date, hi: date,
            shapes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Vertical dashed lines for events (appended to `shapes`) and the trace of hoverable
    markers on top of them (None when no event falls in [lo, hi])."""
    if events is None or events.is_empty():
        return None
    ev = events.filter((pl.col("date") >= lo) & (pl.col("date") <= hi)).sort("date")
    if ev.is_empty():
        return None
    xs, texts = [], []
    for r in ev.iter_rows(named=True):
        shapes.append({"type": "line", "x0": r["date"], "x1": r["date"], "y0": 0, "y1": 1,
                       "yref": "paper", "line": {"color": "#9aa3af", "width": 1, "dash": "dot"},
                       "opacity": 0.6, "layer": "below"})
        xs.append(r["date"])
        theme = f"<br><i>theme: {plain(r['theme'])}</i>" if r.get("theme") else ""
        texts.append(f"<b>{plain(r['label'])}</b><br>{r['date']:%d %b %Y}<br>"
                     f"{_wrap(plain(r.get('description') or ''))}{theme}")
    return {"type": "scatter", "x": xs, "y": [1.0] * len(xs), "yaxis": "y2",
            "mode": "markers", "name": "Events",
            "marker": {"symbol": "triangle-down", "size": 10, "color": "#6b7280"},
            "hovertext": texts, "hovertemplate": "%{hovertext}<extra>event</extra>",
            "legendgroup": "events", "legendgrouptitle": {"text": "Timeline"},
            "meta": {"events": True}}


def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines)
