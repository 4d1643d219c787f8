"""Where the slow dashboard callbacks spend their time, and what candidate fixes would save.

`python -m benchmarks.profile_dashboard RUN_DIR` loads the app in-process (no HTTP) and
times, median of --repeat runs each, the pieces of the callbacks that miss their target:
data queries (uncached) versus figure building, the grid's sort, the response sizes, the
passages CSV, and candidate replacements (the same output, checked equal where possible).
Prints one JSON object; `benchmarks.run` renders it as a table. Nothing in dashboard/ is
changed: candidate fixes are timed here on the side.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import time
from pathlib import Path


def _time(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    fn()  # warm-up
    runs, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs), result


def _top_functions(fn, n: int = 6) -> list[str]:  # noqa: ANN001
    profile = cProfile.Profile()
    profile.enable()
    fn()
    profile.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats("cumulative")
    rows = []
    for (file, line, name), (_, calls, _, cumulative, _) in sorted(
            stats.stats.items(), key=lambda kv: -kv[1][3]):
        short = f"{Path(file).parent.name}/{Path(file).name}:{line}({name})"
        if "site-packages/plotly" in file or "dashboard/" in file or "polars" in file:
            rows.append(f"{short} {cumulative * 1000:.0f} ms cumulative, {calls} calls")
        if len(rows) >= n:
            break
    return rows


def profile(run_dir: Path, repeat: int = 5) -> dict:
    import numpy as np
    import plotly.graph_objects as go
    import polars as pl

    from dashboard import figures
    from dashboard.app import load_data
    from dashboard.data import Filters, csv_text, people as people_queries, trends
    from dashboard.data.passages import marks
    from dashboard.data.rows import keys_for, person_rows
    from dashboard.features.passages import grid_rows

    data = load_data(run_dir)
    index = data.index
    colors = figures.topic_colors(data.topic_list())
    people = data.people_options()["person"].to_list()
    partial = data.partial_months()
    out: dict[str, dict] = {}

    def record(key: str, what: str, fn, note: str = "") -> object:  # noqa: ANN001
        seconds, result = _time(fn, repeat)
        out[key] = {"what": what, "ms": seconds * 1000, "note": note}
        return result

    # trend chart: data vs figure
    record("trend.data", "trend chart: data.monthly_topic_counts (uncached, no filter)",
           lambda: trends.monthly_topic_counts(index, Filters(), 6))
    record("trend.data3", "trend chart: data.monthly_topic_counts (uncached, 3 people)",
           lambda: trends.monthly_topic_counts(index, Filters(people=tuple(people[:3])), 6))
    three = Filters(people=tuple(people[:3]))
    current_rows = record("people.rows", "several people: person_rows(index, 3 people), np.unique of the union "
                          "(current; called twice per chart, for counts and denominators)",
                          lambda: person_rows(index, three.people))

    def mask_rows():
        mask = np.zeros(index.height, dtype=bool)
        for person in three.people:
            if person in index.person_slices:
                mask[index.person_row_arr[slice(*index.person_slices[person])]] = True
        return np.flatnonzero(mask)
    candidate_rows = record("people.mask", "several people: the same rows from a boolean mask + np.flatnonzero "
                            "(candidate)", mask_rows)
    same = np.array_equal(current_rows, candidate_rows)
    out["people.mask"]["note"] = f"{len(current_rows):,} rows; identical: {same}"
    counts = trends.monthly_topic_counts(index, Filters(), 6)
    events = data.events(Filters())
    fig = record("trend.figure", f"trend chart: figures.trend_figure, {events.height} events (current)",
                 lambda: figures.trend_figure(counts, colors=colors, events=events, partial=partial))
    record("trend.noevents", "trend chart: figures.trend_figure without events",
           lambda: figures.trend_figure(counts, colors=colors, events=None, partial=partial))
    if isinstance(fig, go.Figure):  # plotly objects: try setting every shape at once
        original = go.Figure.add_shape

        def batched_shapes():
            shapes: list[dict] = []

            def collect(self, **kwargs):  # noqa: ANN001, ANN202
                shapes.append(kwargs)
                return self
            go.Figure.add_shape = collect
            try:
                result = figures.trend_figure(counts, colors=colors, events=events, partial=partial)
            finally:
                go.Figure.add_shape = original
            result.update_layout(shapes=shapes)
            return result
        candidate = record("trend.batched", "trend chart: same figure, shapes set once with "
                           "update_layout(shapes=[...]) (candidate)", batched_shapes)
        out["trend.batched"]["note"] = "identical figure JSON: " + str(
            candidate.to_plotly_json() == fig.to_plotly_json())
    from plotly.utils import PlotlyJSONEncoder

    as_json = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    record("trend.json", "trend chart: JSON encoding of the figure (PlotlyJSONEncoder)",
           lambda: json.dumps(fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig,
                              cls=PlotlyJSONEncoder))
    out["trend.json"]["note"] = f"{len(json.dumps(as_json, cls=PlotlyJSONEncoder)) / 1024:.0f} KB; figure type " \
        f"{type(fig).__name__}"
    out["trend.top"] = {"what": "trend chart: cProfile, top functions (cumulative)",
                        "ms": float("nan"), "note": "; ".join(_top_functions(
                            lambda: figures.trend_figure(counts, colors=colors, events=events, partial=partial)))}

    # drill-down grid
    f = Filters()
    record("grid.passages", "grid: data.passages(no filter, limit=500) (current)", lambda: data.passages(f, limit=500))
    lo, hi = index.range_slice(f)
    keys = keys_for(index, f, lo, hi)
    record("grid.sort", f"grid: keys.sort(date desc, _row).head(500) over {keys.height:,} rows (current)",
           lambda: keys.sort(["date", "_row"], descending=[True, False]).head(500))
    top = record("grid.topk", "grid: keys.top_k(500, by=[date, -_row]) (candidate)",
                 lambda: keys.with_columns(neg=-pl.col("_row").cast(pl.Int64)).top_k(500, by=["date", "neg"]))
    same = keys.sort(["date", "_row"], descending=[True, False]).head(500)["_row"].equals(
        top.sort(["date", "_row"], descending=[True, False])["_row"])
    out["grid.topk"]["note"] = f"same 500 rows: {same}"
    page = index.p[np.arange(min(500, index.height))]
    record("grid.marks", "grid: passages.marks for 500 rows (all shown rows' mentions in one gather)",
           lambda: marks(index, page, f))
    for limit in (500, 200, 20):
        rows = grid_rows(data.passages(f, limit=limit))
        out[f"grid.bytes{limit}"] = {"what": f"grid: rowData JSON for {limit} rows", "ms": float("nan"),
                                     "note": f"{len(json.dumps(rows)) / 1024:.0f} KB"}

    # topic details, heatmap
    record("topic.details", "topic details: data.topic(t)", lambda: data.topic(3))
    record("topic.figure", "topic details: monthly counts + trend_figure (one topic)",
           lambda: figures.trend_figure(trends.monthly_topic_counts(index, Filters(topics=(3,))), colors=colors,
                                        partial=partial, height=280))
    matrix = record("heatmap.data", "heatmap: data.people_topic_matrix (uncached, 1 person)",
                    lambda: people_queries.people_topic_matrix(index, Filters(people=(people[5],)), 25, 6))
    record("heatmap.data0", "heatmap: data.people_topic_matrix (uncached, no filter)",
           lambda: people_queries.people_topic_matrix(index, Filters(start=data.months[1]), 25, 6))
    record("heatmap.figure", "heatmap: figures.people_topic_heatmap",
           lambda: figures.people_topic_heatmap(matrix, data.topic_list()))

    # search without an index: a vectorised scan of the passage texts
    texts = index.p["text"]
    for word in ("licens", "gpu"):
        pattern = r"(?i)\b" + re.escape(word)
        hits = record(f"search.scan.{word}", f"search candidate: texts.str.contains(r'(?i)\\b{word}') over "
                      f"{texts.len():,} passages", lambda pattern=pattern: texts.str.contains(pattern))
        out[f"search.scan.{word}"]["note"] = f"{int(hits.sum()):,} hits"

    # passages CSV
    frame = record("csv.export", "passages CSV: data.passages_export (no filter, 50,000 rows)",
                   lambda: data.passages_export(Filters()))
    out["csv.top"] = {"what": "passages CSV: cProfile of data.passages_export, top functions (cumulative)",
                      "ms": float("nan"), "note": "; ".join(_top_functions(lambda: data.passages_export(Filters())))}
    text = record("csv.text", "passages CSV: csv_text(frame)", lambda: csv_text(frame))
    out["csv.text"]["note"] = f"{len(text.encode()) / 2**20:.1f} MB of CSV (streamed by /download/passages.csv)"
    return out


def main(argv: list[str] | None = None) -> None:
    import argparse
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(profile(args.run_dir, args.repeat), default=str))


if __name__ == "__main__":
    sys.exit(main())
