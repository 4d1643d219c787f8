"""What every figure shares: palettes, the trimmed Plotly template, the base layout, the
"nothing to show" figure, escaping of corpus text, topic colours and the graph config."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go
import polars as pl

from pipelines.artifacts import OUTLIER_TOPIC

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
        if tid == OUTLIER_TOPIC:
            colors[tid] = OUTLIER_COLOR
        elif theme:
            colors[tid] = THEME_PALETTE[n_theme % len(THEME_PALETTE)]
            n_theme += 1
        else:
            colors[tid] = DISCOVERED_PALETTE[n_disc % len(DISCOVERED_PALETTE)]
            n_disc += 1
    return colors


def png_config(filename: str) -> dict[str, Any]:
    """dcc.Graph config: PNG download from the toolbar, no Plotly logo, and no "Share
    chart" button (it offers to upload the corpus's chart to Plotly Cloud)."""
    return {
        "displaylogo": False, "showSendToCloud": False, "showEditInChartStudio": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "sendChartToCloud",
                                   "sendDataToCloud"],
    }


def base_layout(height: int, **extra: Any) -> dict[str, Any]:
    """The layout every figure starts from."""
    return {"template": TEMPLATE, "height": height,
            "font": {"family": FONT, "color": INK, "size": 13},
            "margin": {"l": 60, "r": 24, "t": 24, "b": 40}, "paper_bgcolor": "white",
            "plot_bgcolor": "white", "hoverlabel": {"font": {"family": FONT}}, **extra}


def empty_figure(message: str = "No data for these filters", height: int = 420,
                 hint: str = "Widen the month range or remove some filters.") -> Figure:
    """A figure that says there is nothing to show, instead of an empty axis."""
    return {"data": [], "layout": base_layout(
        height, xaxis={"visible": False}, yaxis={"visible": False}, meta={"empty": True},
        annotations=[{"text": f"<b>{plain(message)}</b><br><span style='font-size:12px'>"
                              f"{plain(hint)}</span>",
                      "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                      "showarrow": False, "font": {"size": 16, "color": MUTED}}])}
