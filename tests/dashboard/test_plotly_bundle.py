"""The Plotly.js bundle served from assets/ (the cartesian build, a third the size of the full
one) must be the version plotly.py writes figures for, and draw every trace the figures use."""

import re
from pathlib import Path

import plotly.offline

from dashboard import figures

ASSETS = Path(__file__).resolve().parents[2] / "assets"
# The trace modules of plotly.js-cartesian-dist-min (its README lists them).
CARTESIAN_TRACES = {"bar", "box", "contour", "heatmap", "histogram", "histogram2d",
                    "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"}


def _bundle() -> Path:
    bundles = sorted(ASSETS.glob("plotly-cartesian-*.min.js"))
    assert len(bundles) == 1, f"expected one Plotly bundle in assets/, found {bundles}"
    return bundles[0]


def test_the_bundle_is_the_plotly_js_version_plotly_py_targets():
    header = _bundle().read_text(encoding="utf-8")[:300]
    found = re.search(r"plotly\.js \(cartesian - minified\) v(\d+\.\d+\.\d+)", header)
    assert found, "the asset does not start with plotly.js's cartesian banner"
    assert found.group(1) == plotly.offline.get_plotlyjs_version()
    assert _bundle().name == f"plotly-cartesian-{found.group(1)}.min.js"


def test_every_trace_type_the_figures_draw_is_in_the_cartesian_bundle():
    source = "\n".join(p.read_text() for p in Path(figures.__file__).parent.glob("*.py"))
    used = set(re.findall(r"""["']type["']\s*:\s*["'](\w+)["']""", source))
    used |= set(re.findall(r"""\btype\s*=\s*["'](\w+)["']""", source))
    used |= {name.lower() for name in re.findall(r"go\.(Scatter\w*|Bar\w*|Heatmap\w*|Pie|Box|Violin)\(", source)}
    traces = used - {"category", "data", "line", "log", "rect", "date", "linear", "path", "circle"}
    assert "scatter" in traces and "heatmap" in traces and "bar" in traces
    assert traces <= CARTESIAN_TRACES, f"not in the cartesian bundle: {traces - CARTESIAN_TRACES}"
