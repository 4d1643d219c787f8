"""Pure functions: query results (Polars frames) -> Plotly figures. No Dash in here.

Figures are plain dicts in Plotly's JSON schema ({"data": [...], "layout": {...}}), which
dcc.Graph takes as they are. Building them as `plotly.graph_objects` made Plotly validate
every property in Python: 60-80 ms per trend chart, most of a callback's time and the
bottleneck under load (docs/RELIABILITY.md). Wrap one in `go.Figure(fig)` to inspect it.
Text from the corpus (topic labels, names) is escaped before Plotly sees it, since Plotly
interprets a few HTML-like tags in labels.

A figure that can be clicked defines, in its module, the customdata it encodes and the
decoder of a click on it (`clicked_point`, `clicked_cell`, `clicked_topic`).

    base.py     palettes, template, base layout, empty figure, escaping, topic colours
    trends.py   the trend chart       people.py   the people x topics heatmap
    topics.py   topic sizes and keyword bars      rises.py    "What rose" rate ratios
    network.py  the co-mention network   said.py  statements vs mentions of one person
"""

from dashboard.figures.base import (
    DISCOVERED_PALETTE, OUTLIER_COLOR, THEME_PALETTE, Figure, empty_figure, plain,
    png_config, short, topic_colors,
)
from dashboard.figures.network import clicked_pair, clicked_person, network_figure
from dashboard.figures.people import clicked_cell, heatmap_axes, people_topic_heatmap
from dashboard.figures.said import said_named_figure
from dashboard.figures.rises import clicked_rise, rise_figure, shown_rise_rows
from dashboard.figures.topics import clicked_topic, keyword_bars, topic_sizes
from dashboard.figures.trends import (
    POINT_FIELDS, change_marks, clicked_point, draw_changes, partial_months_of, topic_months,
    trend_figure,
)

__all__ = ["DISCOVERED_PALETTE", "OUTLIER_COLOR", "POINT_FIELDS", "THEME_PALETTE", "Figure",
           "clicked_cell", "clicked_point", "clicked_rise", "rise_figure", "said_named_figure", "shown_rise_rows", "clicked_person", "clicked_pair", "network_figure", "clicked_topic", "empty_figure",
           "heatmap_axes", "keyword_bars", "people_topic_heatmap", "plain", "png_config",
           "short", "topic_colors", "topic_sizes", "trend_figure", "change_marks", "draw_changes",
           "partial_months_of", "topic_months"]
