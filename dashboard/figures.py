"""Pure functions: query results (Polars frames) -> Plotly figures. No Dash in here.

Figures are plain dicts in Plotly's JSON schema ({"data": [...], "layout": {...}}), which
dcc.Graph takes as they are. Building them as `plotly.graph_objects` made Plotly validate
every property in Python: 60-80 ms per trend chart, most of a callback's time and the
bottleneck under load (docs/RELIABILITY.md). Wrap one in `go.Figure(fig)` to inspect it.

Named themes are drawn bold and solid in a distinct palette; discovered topics thin,
dotted and muted. Months the corpus covers only partly are shaded and drawn with hollow
markers. Text from the corpus (topic labels, names) is escaped before Plotly sees it,
since Plotly interprets a few HTML-like tags in labels.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl

Figure = dict[str, Any]  # {"data": [trace dicts], "layout": {...}}

THEME_PALETTE = ["#d1495b", "#2e6fdb", "#edae49", "#00798c", "#7b2cbf", "#f26419",
                 "#3a9d23", "#c2185b", "#1d3557", "#8d6a00", "#0096c7", "#e76f51",
                 "#2a9d8f", "#9d4edd", "#bc6c25", "#386641", "#ff006e", "#5c4d7d"]
DISCOVERED_PALETTE = ["#7d8ca3", "#a39b8b", "#8fa89a", "#a892a8", "#93a7b8", "#b3a58f",
                      "#8aa0a0", "#a88f8f", "#9a9ab5", "#9fae8a"]
OUTLIER_COLOR = "#c0c4cc"
FONT = "Inter, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#eceff3"
PARTIAL_FILL = "rgba(148, 163, 184, 0.16)"

# What these figures use of Plotly's "plotly_white" template (the whole template is
# about 10 kB of JSON per figure and a third of the time to build one as graph objects).
_AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "ticks": "", "title": {"standoff": 15},
         "zerolinecolor": "#EBF0F8", "automargin": True, "zerolinewidth": 2}
TEMPLATE = go.layout.Template(
    layout={"colorway": THEME_PALETTE, "font": {"color": "#2a3f5f"},
            "hoverlabel": {"align": "left"}, "hovermode": "closest",
            "paper_bgcolor": "white", "plot_bgcolor": "white", "xaxis": _AXIS, "yaxis": _AXIS,
            "title": {"x": 0.05}, "autotypenumbers": "strict"},
    data={"heatmap": [{"type": "heatmap", "colorbar": {"outlinewidth": 0, "ticks": ""}}],
          "bar": [{"type": "bar", "marker": {"line": {"color": "white", "width": 0.5}}}]},
).to_plotly_json()  # validated once, here


def plain(text: Any) -> str:
    """Escape text so Plotly shows it literally (no <b>, <a>, <br> from the data)."""
    return html.escape("" if text is None else str(text), quote=False)


def short(text: Any, limit: int = 30) -> str:
    """Escaped text cut to `limit` characters (for axis labels)."""
    text = "" if text is None else str(text)
    return plain(text if len(text) <= limit else text[:limit - 1].rstrip() + "…")


def topic_colors(topics: pl.DataFrame) -> dict[int, str]:
    """A stable colour per topic id, from the full topic list (themes first)."""
    colors: dict[int, str] = {}
    n_theme = n_disc = 0
    for tid, theme in topics.select("topic_id", "theme").iter_rows():
        if tid == -1:
            colors[tid] = OUTLIER_COLOR
        elif theme:
            colors[tid] = THEME_PALETTE[n_theme % len(THEME_PALETTE)]
            n_theme += 1
        else:
            colors[tid] = DISCOVERED_PALETTE[n_disc % len(DISCOVERED_PALETTE)]
            n_disc += 1
    return colors


def png_config(filename: str) -> dict[str, Any]:
    """dcc.Graph config: PNG download from the toolbar, no Plotly logo."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    }


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    """The layout every figure starts from."""
    return {"template": TEMPLATE, "height": height,
            "font": {"family": FONT, "color": INK, "size": 13},
            "margin": {"l": 60, "r": 24, "t": 24, "b": 40}, "paper_bgcolor": "white",
            "plot_bgcolor": "white", "hoverlabel": {"font": {"family": FONT}}, **extra}


def empty_figure(message: str = "No data for these filters", height: int = 420,
                 hint: str = "Widen the month range or remove some filters.") -> Figure:
    """A figure that says there is nothing to show, instead of an empty axis."""
    return {"data": [], "layout": _layout(
        height, xaxis={"visible": False}, yaxis={"visible": False}, meta={"empty": True},
        annotations=[{"text": f"<b>{plain(message)}</b><br><span style='font-size:12px'>"
                              f"{plain(hint)}</span>",
                      "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                      "showarrow": False, "font": {"size": 16, "color": MUTED}}])}


def _month_label(d: date) -> str:
    return d.strftime("%b %Y")


def _partial_note(row: dict[str, Any], partial_info: dict[date, tuple[Any, Any]]) -> str:
    if not row["partial"]:
        return ""
    first, last = partial_info.get(row["month"], (None, None))
    span = f" ({first:%d %b}–{last:%d %b})" if first and last else ""
    return f"<br><i>partial month{span}</i>"


def trend_figure(counts: pl.DataFrame, *, measure: str = "passages", style: str = "lines",
                 colors: dict[int, str] | None = None, events: pl.DataFrame | None = None,
                 partial: pl.DataFrame | None = None, height: int = 460,
                 max_visible: int | None = None, legend: bool = True) -> Figure:
    """Monthly topic trend lines (style="lines") or stacked areas (style="area").

    counts: DiscourseData.monthly_topic_counts output. measure: "passages" or "share".
    events: date, label, description, theme. partial: month, first_date, last_date.
    Each topic point carries customdata [topic_id, label, passages, month_passages,
    share text, partial note, month label, month ISO] for hover and click handling.
    max_visible: draw only that many topics (the largest in the range); the others stay
    in the legend, one click away (visible="legendonly").
    """
    if counts.is_empty() or counts["passages"].sum() == 0:
        return empty_figure()
    colors = colors or {}
    share = measure == "share"
    partial_info = {} if partial is None else {
        m: (a, b) for m, a, b in partial.select("month", "first_date", "last_date").iter_rows()}
    traces: list[dict[str, Any]] = []
    seen_groups: set[str] = set()
    dense = counts["month"].n_unique() > 18 or counts["topic_id"].n_unique() > 10
    ranked = (counts.group_by("topic_id").agg(pl.col("passages").sum())
              .sort(["passages", "topic_id"], descending=[True, False])["topic_id"].to_list())
    shown = set(ranked if max_visible is None else ranked[:max_visible])
    for (tid,), part in counts.group_by("topic_id", maintain_order=True):
        rows = part.to_dicts()
        is_theme = bool(rows[0]["is_theme"])
        label = plain(rows[0]["label"])
        color = colors.get(tid, THEME_PALETTE[0] if is_theme else DISCOVERED_PALETTE[0])
        group = "themes" if is_theme else "discovered"
        y = [r["share"] if share else r["passages"] for r in rows]
        if style == "area":
            y = [0 if v is None else v for v in y]
        customdata = [[
            tid, label, r["passages"], r["month_passages"],
            "–" if r["share"] is None else f"{r['share']:.1%}",
            _partial_note(r, partial_info), _month_label(r["month"]), r["month"].isoformat(),
        ] for r in rows]
        trace = {
            "type": "scatter", "x": [r["month"] for r in rows], "y": y,
            "name": short(rows[0]["label"], 42), "customdata": customdata,
            "mode": "lines+markers", "legendgroup": group,
            "line": {"color": color, "width": (2.4 if dense else 3.2) if is_theme else 1.4,
                     "dash": "solid" if is_theme else "dot", "shape": "linear"},
            "marker": {"size": [(8 if is_theme else 6) if not dense or r["partial"] else
                                (4 if is_theme else 3) for r in rows], "color": color,
                       "symbol": ["circle-open" if r["partial"] else "circle" for r in rows],
                       "line": {"width": 2 if is_theme else 1.5, "color": color}},
            "opacity": 1.0 if is_theme else 0.9,
            "visible": True if tid in shown else "legendonly",
            "hovertemplate": ("<b>%{customdata[1]}</b><br>%{customdata[6]}<br>"
                              "%{customdata[2]} passages of %{customdata[3]} this month "
                              "(%{customdata[4]})%{customdata[5]}<extra></extra>"),
            "meta": {"topic_id": tid, "theme": is_theme},
        }
        if group not in seen_groups:
            trace["legendgrouptitle"] = {
                "text": "Named themes" if is_theme else "Discovered topics"}
        if style == "area":
            trace["stackgroup"] = "one"
            trace["fillcolor"] = _fade(color, 0.55 if is_theme else 0.3)
        traces.append(trace)
        seen_groups.add(group)

    months = sorted(set(counts["month"].to_list()))
    half = timedelta(days=15)
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    partial_months = set(counts.filter(pl.col("partial"))["month"].to_list())
    for m in months:
        if m in partial_info or m in partial_months:
            shapes.append({"type": "rect", "x0": m - half, "x1": m + half, "y0": 0, "y1": 1,
                           "yref": "paper", "fillcolor": PARTIAL_FILL, "line": {"width": 0},
                           "layer": "below"})
            annotations.append({"x": m, "y": 1, "yref": "paper", "yanchor": "bottom",
                                "showarrow": False, "text": "partial month",
                                "font": {"size": 10, "color": MUTED}})
    layout = _layout(
        height, hovermode="closest", showlegend=legend,
        legend={"orientation": "v", "x": 1.01, "y": 1, "groupclick": "toggleitem",
                "font": {"size": 11}, "tracegroupgap": 8},
        margin={"l": 60, "r": 12, "t": 36, "b": 40}, shapes=shapes, annotations=annotations,
        xaxis={"showgrid": False, "tickformat": "%b %Y", "ticks": "outside",
               "dtick": "M1" if len(months) <= 14 else None, "nticks": 14,
               "range": [months[0] - half, months[-1] + half], "linecolor": "#cfd5dd"},
        yaxis={"gridcolor": GRID, "rangemode": "tozero", "zeroline": False,
               "title": {"text": "Share of the month's passages" if share else "Passages",
                         "font": {"size": 12, "color": MUTED}},
               "tickformat": ".1~%" if share else ","},
    )
    if layout["xaxis"]["dtick"] is None:
        del layout["xaxis"]["dtick"]
    events_trace = _events(events, months[0] - half, months[-1] + half, shapes)
    if events_trace:
        traces.append(events_trace)
        layout["yaxis2"] = {"overlaying": "y", "range": [0, 1.04], "visible": False,
                            "fixedrange": True}
    top = max((v for v in (counts["share"] if share else counts["passages"]).to_list()
               if v is not None), default=0)
    if not share and style != "area" and top <= 8:
        layout["yaxis"]["dtick"] = 1
    return {"data": traces, "layout": layout}


def _fade(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


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

    matrix: person, topic_id, label, theme, passages (DiscourseData.people_topic_matrix).
    Axes are integer positions (tick labels show the names), so a click reports the cell
    as (x, y) indices into `heatmap_axes(matrix, topics)`.
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
    layout = _layout(
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
    return {"data": [trace], "layout": _layout(
        height, margin={"l": 120, "r": 20, "t": 36, "b": 30}, bargap=0.25,
        xaxis={"gridcolor": GRID, "title": {"text": "weight", "font": {"size": 11}}})}


def topic_sizes(topics: pl.DataFrame, colors: dict[int, str], height: int = 320) -> Figure:
    """Passages per topic (outliers left out), themes first; click a bar to pick a topic."""
    t = topics.filter(pl.col("topic_id") != -1)
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
    return {"data": [trace], "layout": _layout(
        max(height, 60 + 26 * len(rows)), margin={"l": 10, "r": 20, "t": 36, "b": 30},
        bargap=0.3, yaxis={"automargin": True, "tickfont": {"size": 11}},
        xaxis={"gridcolor": GRID, "title": {"text": "passages", "font": {"size": 11}}})}
