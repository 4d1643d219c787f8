"""Part 2 (and the serving half of part 4): every dashboard callback over HTTP at scale.

A worker process (`benchmarks.serve_worker`) serves `create_app(run_dir)` with waitress on
127.0.0.1. This module plays the browser: it reads the component tree from
GET /_dash-layout and the callback map from GET /_dash-dependencies, and then, like Dash's
renderer, POSTs /_dash-update-component with the JSON payload the browser would send
(output spec, inputs and state with their current values, changedPropIds), applies the
response to its copy of the component props and fires the callbacks that the changed
props feed, round after round.

User actions (page load, people filter, month range, heatmap click, drill-down, search,
CSV exports, ...) are defined by component id and property only; an action whose target
is not an input of any callback in the map is skipped and reported, and callbacks that no
action reached are listed, so the benchmark follows the dashboard as it changes.
Each action runs with several different values (so the app's query caches do not answer
every request) after one first call that is reported separately (first-use costs such as
building the search index).

The passages CSV is not a callback: it is a streamed file download
(`GET /download/passages.csv?<filters>`, dashboard/downloads.py) behind a link whose href
a callback sets. Its actions set the filters (through the callbacks, as above), read the
link's href from the component props and GET it as a browser would: time to first byte
(the first body chunk), total time, bytes, and X-Bench-Server-Ms (the time until Flask has
the response object, i.e. the query before streaming starts) go to `HttpResult.downloads`,
never into the callback samples, so they are not held to the callback targets.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from benchmarks.common import PYTHON, REPO_ROOT, Results, fmt_bytes, log, percentile
from dashboard.data.grid import SORT_COLUMNS
from dashboard.security import callback_outputs, update_body

try:  # component ids as the dashboard defines them; literal fallbacks keep this importable
    from dashboard import ids as _ids
except Exception:  # noqa: BLE001
    _ids = None


def cid(name: str, default: str) -> str:
    return getattr(_ids, name, default) if _ids is not None else default


URL, FILTERS, POINT = cid("URL", "url"), cid("FILTERS", "filters-store"), cid("POINT", "point-store")
PEOPLE, MONTHS = cid("PEOPLE", "filter-people"), cid("MONTHS", "filter-months")
SAID_BY, SAID_GRAPH = cid("SAID_BY", "filter-said-by"), cid("SAID_GRAPH", "said-graph")
MONTHS_SETTLED = cid("MONTHS_SETTLED", "filter-months-settled")
SOURCES, TOPICS = cid("SOURCES", "filter-sources"), cid("TOPICS", "filter-topics")
SEARCH, RESET = cid("SEARCH", "filter-search"), cid("RESET", "filter-reset")
TABS, MEASURE = cid("TABS", "tabs"), cid("MEASURE", "trend-measure")
CHART, EVENTS = cid("CHART", "trend-chart"), cid("EVENTS", "trend-events")
TREND_GRAPH, TREND_CSV_BUTTON = cid("TREND_GRAPH", "trend-graph"), cid("TREND_CSV_BUTTON", "trend-csv-button")
HEATMAP, TOPIC_SIZES = cid("HEATMAP", "people-heatmap"), cid("TOPIC_SIZES", "topic-sizes")
TOPIC_SELECT = cid("TOPIC_SELECT", "topic-select")
GRID, CLEAR_POINT = cid("GRID", "passage-grid"), cid("CLEAR_POINT", "passage-clear-point")
PASSAGES_CSV_LINK = cid("PASSAGES_CSV_LINK", "passage-csv-link")
RISE_MONTH, RISE_GRAPH = cid("RISE_MONTH", "rise-month"), cid("RISE_GRAPH", "rise-graph")
NETWORK_GRAPH, NETWORK_PAIR = cid("NETWORK_GRAPH", "network-graph"), cid("NETWORK_PAIR", "network-pair")
COMPARE_SIDES = cid("COMPARE_PEOPLE", "compare-people")
COMPARE_CSV_BUTTON = cid("COMPARE_CSV_BUTTON", "compare-csv-button")
COPY_LINK = cid("COPY_LINK", "copy-link")

# Friendly names of callbacks, by their first output component (fallback: the outputs).
CALLBACK_NAMES = {
    cid("PEOPLE", "filter-people"): "filter/URL sync", FILTERS: "filter/URL sync",
    TREND_GRAPH: "trend chart", HEATMAP: "people x topics heatmap", TOPIC_SELECT: "topic pick",
    TOPIC_SIZES: "topic sizes (under the filters)",
    cid("TOPIC_DETAILS", "topic-details"): "topic details", POINT: "trend point -> drill-down",
    GRID: "grid page (rows + total)", cid("DOC_OPEN", "document-open"): "open passage -> address", cid("GRID_TITLE", "passage-title"): "grid title + count",
    cid("TREND_CSV", "trend-csv-download"): "trend CSV export",
    PASSAGES_CSV_LINK: "passages CSV link (href)",
    cid("DOC_DRAWER", "document-drawer"): "document view",
    RISE_GRAPH: "what rose", NETWORK_GRAPH: "co-mention network",
    SAID_GRAPH: "said vs named (statements vs mentions)",
    cid("NETWORK_PASSAGES", "network-passages"): "passages naming both",
    COPY_LINK: "copy link", cid("COMPARE_BODY", "compare-body"): "compare", cid("COMPARE_WORDS", "compare-words"): "compare: words", cid("COMPARE_CSV", "compare-csv-download"): "compare CSV export",
}
# Callbacks named by the one input that fires them (clicks that write the address; the
# patch that marks rises on the trend chart after it is drawn).
ADDRESS_WRITERS = {HEATMAP: "heatmap cell -> address", RISE_GRAPH: "rise click -> address",
                   NETWORK_GRAPH: "network click -> address",
                   cid("TREND_SHOWN", "trend-shown"): "rise marks on the trend chart"}
FIRST_GRID_BLOCK = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
SEARCH_WORDS = ["licensing", "GPU", "safety", "copyright", "Senate", "compute", "pause", "open source",
                "liability", "chips", "election", "deepfake", "watermark", "frontier", "Brussels",
                "export controls", "data centre", "testimony", "summit", "moratorium", "transparency"]


# --- the worker ------------------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen
    port: int
    load_seconds: float

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss(self) -> int:
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss

    def peak_rss(self) -> int | None:
        """VmHWM: the highest resident set size the worker has had."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None


@contextmanager
def serve(run_dir: Path, threads: int = 4, timeout: float = 300) -> Iterator[Worker]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    errors = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a full pipe would block the worker
    process = subprocess.Popen(
        [str(PYTHON if PYTHON.exists() else sys.executable), "-m", "benchmarks.serve_worker", str(run_dir),
         "--threads", str(threads)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        deadline = time.monotonic() + timeout
        line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("READY") or (not line and process.poll() is not None):
                break
        if not line.startswith("READY"):
            errors.seek(0)
            raise RuntimeError(f"dashboard worker did not start: {errors.read()[-3000:]}")
        _, port, seconds = line.split()
        yield Worker(process, int(port), float(seconds))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        errors.close()


# --- a minimal Dash renderer ---------------------------------------------------------------------



@dataclass
class Callback:
    index: int
    spec: dict
    outputs: list[tuple[str, str]]
    inputs: list[tuple[str, str]]
    state: list[tuple[str, str]]
    name: str

    @property
    def prevent_initial_call(self) -> bool:
        return bool(self.spec.get("prevent_initial_call"))

    @property
    def key(self) -> str:
        return self.spec["output"]


@dataclass
class Sample:
    action: str
    callback: str
    client_ms: float
    server_ms: float
    bytes: int
    status: int
    first: bool  # the action's first call (first-use costs), not in p50/p95


@dataclass
class DownloadSample:
    """One file download through its link (not a callback)."""

    action: str
    href: str
    ttfb_ms: float  # request sent -> first body chunk received
    total_ms: float  # request sent -> last byte received
    server_ms: float  # X-Bench-Server-Ms: until Flask had the response (before streaming)
    bytes: int
    status: int
    first: bool


@dataclass
class Renderer:
    session: Any
    base: str
    props: dict[tuple[str, str], Any] = field(default_factory=dict)
    callbacks: list[Callback] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    downloads: list[DownloadSample] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)
    action: str = ""
    first: bool = False
    record: bool = True

    @classmethod
    def connect(cls, base: str) -> "Renderer":
        import requests

        session = requests.Session()
        renderer = cls(session, base)
        layout = session.get(base + "/_dash-layout", timeout=120).json()
        renderer._collect(layout)
        deps = session.get(base + "/_dash-dependencies", timeout=120).json()
        for i, dep in enumerate(deps):
            if dep.get("clientside_function"):
                continue
            inputs = [(d["id"], d["property"]) for d in dep.get("inputs", [])]
            if any(isinstance(c, dict) or str(c).startswith("{") for c, _ in inputs):
                continue  # pattern-matching callbacks are not played
            outputs = callback_outputs(dep["output"])
            writer = ADDRESS_WRITERS.get(inputs[0][0]) if len(inputs) == 1 else None
            name = writer or next((CALLBACK_NAMES[c] for c, _ in outputs if c in CALLBACK_NAMES), None) or \
                ", ".join(f"{c}.{p}" for c, p in outputs)
            renderer.callbacks.append(Callback(i, dep, outputs, inputs,
                                               [(d["id"], d["property"]) for d in dep.get("state", [])], name))
        return renderer

    def _collect(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self._collect(item)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "type" in node:
                component = props.get("id")
                if isinstance(component, str):
                    for prop, value in props.items():
                        if prop not in ("children", "id"):
                            self.props[(component, prop)] = value
                for value in props.values():
                    if isinstance(value, (dict, list)):
                        self._collect(value)

    # -- firing ------------------------------------------------------------------------------------
    def _payload(self, cb: Callback, changed: set[tuple[str, str]]) -> dict:
        values = {f"{c}.{p}": self.props.get((c, p)) for c, p in cb.inputs + cb.state}
        return update_body(cb.spec, values, [f"{c}.{p}" for c, p in cb.inputs if (c, p) in changed])

    def fire(self, cb: Callback, changed: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        body = json.dumps(self._payload(cb, changed))
        began = time.perf_counter()
        response = self.session.post(self.base + "/_dash-update-component", data=body,
                                     headers={"Content-Type": "application/json"}, timeout=300)
        client_ms = (time.perf_counter() - began) * 1000
        server_ms = float(response.headers.get("X-Bench-Server-Ms", "nan"))
        self.fired.add(cb.key)
        if self.record:
            self.samples.append(Sample(self.action, cb.name, client_ms, server_ms, len(response.content),
                                       response.status_code, self.first))
        if response.status_code == 204:
            return {}
        if response.status_code != 200:
            raise RuntimeError(f"{cb.name} ({self.action}) answered {response.status_code}: "
                               f"{response.text[:500]}")
        updates: dict[tuple[str, str], Any] = {}
        for component, props in response.json().get("response", {}).items():
            for prop, value in props.items():
                if isinstance(value, dict) and "__dash_patch_update" in value:
                    continue  # a partial update (Patch): the prop keeps its full value here
                updates[(component, prop.split("@")[0])] = value
        return updates

    def propagate(self, changed: dict[tuple[str, str], Any], initial: bool = False, rounds: int = 8) -> None:
        """Set `changed` props, then fire callbacks round after round as Dash's renderer does."""
        if (MONTHS, "value") in changed:  # the browser's settle (assets/clientside.js)
            changed = {**changed, (MONTHS_SETTLED, "data"): changed[(MONTHS, "value")]}
        self.props.update(changed)
        producers: dict[tuple[str, str], str | None] = {k: None for k in changed}
        pending = [cb for cb in self.callbacks if not cb.prevent_initial_call] if initial else None
        for _ in range(rounds):
            if pending is None:
                pending = [cb for cb in self.callbacks
                           if any(i in producers and producers[i] != cb.key for i in cb.inputs)]
            if not pending:
                return
            new_producers: dict[tuple[str, str], str | None] = {}
            for cb in pending:
                updates = self.fire(cb, set(producers) if not initial else set())
                self.props.update(updates)
                for prop in updates:
                    new_producers[prop] = cb.key
            producers, pending, initial = new_producers, None, False

    def inputs(self) -> set[tuple[str, str]]:
        return {i for cb in self.callbacks for i in cb.inputs}

    def outputs(self) -> set[tuple[str, str]]:
        return {o for cb in self.callbacks for o in cb.outputs}

    def download(self, href: str) -> DownloadSample:
        """GET a link's href as the browser does when it is clicked, reading the streamed
        body chunk by chunk."""
        began = time.perf_counter()
        ttfb_ms, size = float("nan"), 0
        with self.session.get(urljoin(self.base + "/", href), stream=True, timeout=300) as response:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                if size == 0 and chunk:
                    ttfb_ms = (time.perf_counter() - began) * 1000
                size += len(chunk)
            total_ms = (time.perf_counter() - began) * 1000
            server_ms = float(response.headers.get("X-Bench-Server-Ms", "nan"))
            status, kind = response.status_code, response.headers.get("Content-Type", "")
        if status != 200 or not kind.startswith("text/csv"):
            raise RuntimeError(f"download {href} ({self.action}) answered {status} {kind}")
        sample = DownloadSample(self.action, href, ttfb_ms, total_ms, server_ms, size, status,
                                self.first)
        self.downloads.append(sample)
        return sample


# --- user actions ------------------------------------------------------------------------------------


def _values(options: Any) -> list[str]:
    """Option values of a Select/MultiSelect `data` prop (flat or grouped)."""
    out: list[str] = []
    for item in options or []:
        if isinstance(item, dict) and "items" in item:
            out.extend(_values(item["items"]))
        elif isinstance(item, dict) and "value" in item:
            out.append(str(item["value"]))
        elif isinstance(item, str):
            out.append(item)
    return out


def _trend_points(figure: Any) -> list[dict]:
    """Clickable points of a trend figure (traces with customdata), largest y first."""
    points = []
    for curve, trace in enumerate((figure or {}).get("data", [])):
        custom = trace.get("customdata")
        if not isinstance(custom, list):
            continue
        ys = trace.get("y") if isinstance(trace.get("y"), list) else [None] * len(custom)
        xs = trace.get("x") if isinstance(trace.get("x"), list) else [None] * len(custom)
        for i, cd in enumerate(custom):
            points.append({"curveNumber": curve, "pointNumber": i, "pointIndex": i,
                           "x": xs[i] if i < len(xs) else None, "y": ys[i] if i < len(ys) else None,
                           "customdata": cd})
    points.sort(key=lambda p: -(p["y"] if isinstance(p["y"], (int, float)) else 0))
    return points


@dataclass
class Action:
    name: str
    target: tuple[str, str]  # the input the user changes (must be in the callback map)
    steps: Callable[[dict, int], list[tuple[dict, bool]]]  # (snapshot props, variant) -> [(changes, record)]
    download: bool = False  # then `target` is a link's href (a callback output) fetched after the steps


def actions(snapshot: dict, n_months: int) -> list[Action]:
    people = _values(snapshot.get((PEOPLE, "data")))
    speakers = _values(snapshot.get((SAID_BY, "data")))  # none in a run without statements
    sources = _values(snapshot.get((SOURCES, "data")))
    topics = _values(snapshot.get((TOPICS, "data")))
    last = max(n_months - 1, 1)

    def one(changes: dict) -> list[tuple[dict, bool]]:
        return [(changes, True)]

    def pick(seq: list, i: int, default: Any = None) -> Any:
        return seq[i % len(seq)] if seq else default

    def page_load(_s: dict, i: int):
        query = [("", ""), ("?person=" + pick(people, i, "").replace(" ", "+"), ""),
                 (f"?from=2024-{(i % 12) + 1:02d}", ""), ("?tab=people", ""),
                 ("?q=" + pick(SEARCH_WORDS, i).replace(" ", "+"), "")][i % 5][0]
        return [({(URL, "search"): query, (URL, "pathname"): "/"}, True)]

    def trend_point(s: dict, i: int):
        points = _trend_points(s.get((TREND_GRAPH, "figure")))
        return one({(TREND_GRAPH, "clickData"): {"points": [pick(points, i * 7, {})]}}) if points else []

    def grid_cell(s: dict, i: int):
        rows = (s.get((GRID, "getRowsResponse")) or {}).get("rowData") or []
        row = pick(rows, i, None)
        if not row:
            return []
        return one({(GRID, "cellClicked"): {"rowId": row.get("passage_id"), "colId": "text", "rowIndex": i,
                                             "value": row.get("text"), "timestamp": time.time() * 1000}})

    def topic_sizes(s: dict, i: int):
        figure = s.get((TOPIC_SIZES, "figure")) or {}
        custom = next((t.get("customdata") for t in figure.get("data", []) if isinstance(t.get("customdata"), list)),
                      None)
        if not custom:
            return []
        return one({(TOPIC_SIZES, "clickData"): {"points": [{"pointNumber": i % len(custom),
                                                             "customdata": custom[i % len(custom)]}]}})

    def show_all(s: dict, i: int):
        click = trend_point(s, i)
        return [(click[0][0], False), ({(CLEAR_POINT, "n_clicks"): i + 1}, True)] if click else []

    def rise_click(_s: dict, i: int):
        return [({(TABS, "value"): "rises"}, False),
                ({(RISE_GRAPH, "clickData"): {"points": [{"customdata": [i % 8]}]}}, True)]

    def network_link(_s: dict, i: int):
        pair = [pick(people, i, ""), pick(people, i + 1, "")]
        return [({(TABS, "value"): "network"}, False),
                ({(NETWORK_GRAPH, "clickData"): {"points": [{"customdata": pair}]}}, True)]

    def grid_page(column: str) -> Callable[[dict, int], list]:
        """A block of 100 rows at a page deep in the whole result, sorted by `column`
        (ascending and descending in turn), under no filter or one person."""
        def steps(_s: dict, i: int):
            start = (i * 37 % 50) * 100
            request = {"startRow": start, "endRow": start + 100,
                       "sortModel": [{"colId": column, "sort": ("asc", "desc")[i % 2]}]}
            person = [pick(people, i, "")] if i % 3 == 2 else []
            return [({(PEOPLE, "value"): person}, False), ({(GRID, "getRowsRequest"): request}, True)]
        return steps

    def said_by(n: int, then: Callable[[int], list] | None = None) -> Callable[[dict, int], list]:
        """Choose n speakers (recorded unless `then` gives the recorded steps)."""
        def steps(_s: dict, i: int):
            if not speakers:
                return []
            chosen = {(SAID_BY, "value"): [pick(speakers, i + 4 * k, "") for k in range(n)]}
            return [(chosen, then is None)] + (then(i) if then else [])
        return steps

    def after_people(then: dict) -> Callable[[dict, int], list]:
        return lambda _s, i: [({(PEOPLE, "value"): [pick(people, i + 3, "")]}, False), (then(i), True)]

    return [  # search first: its first call carries the search's first-use cost
        Action("search", (SEARCH, "value"), lambda _s, i: one({(SEARCH, "value"): pick(SEARCH_WORDS, i)})),
        Action("page load", (URL, "search"), page_load),
        Action("people filter: 1 person", (PEOPLE, "value"),
               lambda _s, i: one({(PEOPLE, "value"): [pick(people, i, "")]})),
        Action("people filter: 3 people", (PEOPLE, "value"),
               lambda _s, i: one({(PEOPLE, "value"): [pick(people, i, ""), pick(people, i + 5, ""),
                                                      pick(people, i + 11, "")]})),
        Action("said-by filter: 1 speaker", (SAID_BY, "value"), said_by(1)),
        Action("said-by filter: 3 speakers", (SAID_BY, "value"), said_by(3)),
        Action("said-by + person", (SAID_BY, "value"),
               lambda s, i: [({(PEOPLE, "value"): [pick(people, i + 1, "")]}, False),
                             *said_by(1)(s, i)]),
        Action("said vs named: open the tab", (TABS, "value"),
               said_by(1, lambda i: [({(TABS, "value"): "said"}, True)])),
        Action("said vs named: month range", (MONTHS_SETTLED, "data"),
               said_by(1, lambda i: [({(TABS, "value"): "said"}, False),
                                     ({(MONTHS, "value"): [i % (last // 2 + 1), last]}, True)])),
        Action("month range", (MONTHS_SETTLED, "data"),
               lambda _s, i: one({(MONTHS, "value"): [i % (last // 2 + 1),
                                                      min(last, last // 2 + i % (last // 2 + 1))]})),
        Action("source filter", (SOURCES, "value"),
               lambda _s, i: one({(SOURCES, "value"): [pick(sources, i, "")]})),
        Action("topic filter", (TOPICS, "value"),
               lambda _s, i: one({(TOPICS, "value"): [pick(topics, i, ""), pick(topics, i + 4, "")]})),
        Action("search + person", (SEARCH, "value"),
               lambda _s, i: [({(PEOPLE, "value"): [pick(people, i, "")]}, False),
                              ({(SEARCH, "value"): pick(SEARCH_WORDS, i + 3)}, True)]),
        Action("measure: share", (MEASURE, "value"),
               lambda _s, i: [({(PEOPLE, "value"): [pick(people, i + 7, "")]}, False),
                              ({(MEASURE, "value"): "share"}, True)]),
        Action("chart: stacked area", (CHART, "value"),
               lambda _s, i: [({(PEOPLE, "value"): [pick(people, i + 9, "")]}, False),
                              ({(CHART, "value"): "area"}, True)]),
        Action("events off", (EVENTS, "checked"),
               lambda _s, i: [({(MONTHS, "value"): [i % last, last]}, False), ({(EVENTS, "checked"): False}, True)]),
        Action("tab switch", (TABS, "value"),
               lambda _s, i: one({(TABS, "value"): ["people", "topics", "trends"][i % 3]})),
        Action("heatmap click", (HEATMAP, "clickData"),
               lambda _s, i: one({(HEATMAP, "clickData"): {"points": [{"x": i % 6, "y": (i * 7) % 20}]}})),
        Action("topic sizes click", (TOPIC_SIZES, "clickData"), topic_sizes),
        Action("topic details", (TOPIC_SELECT, "value"), lambda _s, i: one({(TOPIC_SELECT, "value"): pick(
            [str(t) for t in range(-1, 30)], i)})),
        Action("drill-down: trend point click", (TREND_GRAPH, "clickData"), trend_point),
        Action("drill-down: show all", (CLEAR_POINT, "n_clicks"), show_all),
        *[Action(f"grid page: sorted by {column}", (GRID, "getRowsRequest"), grid_page(column))
          for column in SORT_COLUMNS],
        Action("document view (grid row click)", (GRID, "cellClicked"), grid_cell),
        # the analysis tabs compute only while open: the tab is opened first (not recorded)
        Action("what rose: open the tab", (TABS, "value"),
               lambda _s, i: [({(PEOPLE, "value"): [pick(people, i + 2, "")]}, False),
                              ({(TABS, "value"): "rises"}, True)]),
        Action("what rose: month", (RISE_MONTH, "value"),
               lambda s, i: [({(TABS, "value"): "rises"}, False),
                             ({(RISE_MONTH, "value"): pick(_values(s.get((RISE_MONTH, "data"))), i)}, True)]),
        Action("what rose: source filter", (SOURCES, "value"),
               lambda _s, i: [({(TABS, "value"): "rises"}, False),
                              ({(SOURCES, "value"): [pick(sources, i, "")]}, True)]),
        Action("what rose: click a row", (RISE_GRAPH, "clickData"), rise_click),
        Action("network: open the tab", (TABS, "value"),
               lambda _s, i: [({(MONTHS, "value"): [i % last, last]}, False),
                              ({(TABS, "value"): "network"}, True)]),
        Action("network: topic filter", (TOPICS, "value"),
               lambda _s, i: [({(TABS, "value"): "network"}, False),
                              ({(TOPICS, "value"): [pick(topics, i, "")]}, True)]),
        Action("network: person filter", (PEOPLE, "value"),
               lambda _s, i: [({(TABS, "value"): "network"}, False),
                              ({(PEOPLE, "value"): [pick(people, i, "")]}, True)]),
        Action("network: click a link", (NETWORK_GRAPH, "clickData"), network_link),
        Action("network: pick two people", (NETWORK_PAIR, "value"),
               lambda _s, i: [({(TABS, "value"): "network"}, False),
                              ({(NETWORK_PAIR, "value"): [pick(people, i, ""), pick(people, i + 1, "")]}, True)]),
        Action("compare: two people", (COMPARE_SIDES, "value"),
               lambda _s, i: [({(TABS, "value"): "compare"}, False),
                              ({(COMPARE_SIDES, "value"): [pick(people, i, ""), pick(people, i + 1, "")]}, True)]),
        Action("compare: two years", (COMPARE_SIDES, "value"),
               lambda _s, i: [({(TABS, "value"): "compare", (MONTHS, "value"): [i % (last // 2 + 1), last]}, False),
                              ({(COMPARE_SIDES, "value"): ["2023", "2025"] if i % 2 else ["2024", "2025"]}, True)]),
        Action("compare: person vs source", (COMPARE_SIDES, "value"),
               lambda _s, i: [({(TABS, "value"): "compare"}, False),
                              ({(COMPARE_SIDES, "value"): [pick(people, i, ""), pick(sources, i, "")]}, True)]),
        Action("compare CSV export", (COMPARE_CSV_BUTTON, "n_clicks"),
               lambda _s, i: [({(TABS, "value"): "compare", (COMPARE_SIDES, "value"):
                                [pick(people, i, ""), pick(people, i + 2, "")]}, False),
                              ({(COMPARE_CSV_BUTTON, "n_clicks"): i + 1}, True)]),
        Action("copy link", (COPY_LINK, "n_clicks"),
               after_people(lambda i: {(COPY_LINK, "n_clicks"): i + 1})),
        Action("trend CSV export", (TREND_CSV_BUTTON, "n_clicks"),
               after_people(lambda i: {(TREND_CSV_BUTTON, "n_clicks"): i + 1})),
        # file downloads: the steps set the filters (their callbacks are measured by the
        # actions above, so not recorded here), then the link's href is fetched
        Action("passages CSV download (1 person)", (PASSAGES_CSV_LINK, "href"),
               lambda _s, i: [({(PEOPLE, "value"): [pick(people, i + 3, "")]}, False)], download=True),
        Action("passages CSV download (trend point)", (PASSAGES_CSV_LINK, "href"),
               lambda s, i: [(c, False) for c, _ in trend_point(s, i)], download=True),
        Action("passages CSV download (said by)", (PASSAGES_CSV_LINK, "href"),
               said_by(1, lambda i: []), download=True),
        Action("passages CSV download (no filter)", (PASSAGES_CSV_LINK, "href"),
               lambda _s, _i: [({}, False)], download=True),
        Action("reset filters", (RESET, "n_clicks"),
               lambda _s, i: [({(PEOPLE, "value"): [pick(people, i, "")], (MONTHS, "value"): [1, last - 1]}, False),
                              ({(RESET, "n_clicks"): i + 1}, True)]),
    ]


@dataclass
class HttpResult:
    samples: list[Sample]  # callbacks only
    downloads: list[DownloadSample]  # file downloads through links (not callbacks)
    skipped: list[str]
    not_exercised: list[str]
    load_seconds: float
    rss_after: int | None
    peak_rss: int | None
    callbacks: list[str]


def run(run_dir: Path, variants: int = 12, only: set[str] | None = None,
        on_ready: Callable[[Worker], None] | None = None) -> HttpResult:
    """Serve `run_dir`, play every action `variants` times (+1 first call) and collect samples."""
    with serve(run_dir) as worker:
        log(f"dashboard worker up (create_app {worker.load_seconds:.1f} s, RSS {worker.rss() / 2**20:.0f} MB)")
        if on_ready:
            on_ready(worker)
        renderer = Renderer.connect(worker.base)
        renderer.action, renderer.first = "initial page load", True
        renderer.propagate({(URL, "search"): "", (URL, "pathname"): "/", (URL, "href"): worker.base + "/"},
                           initial=True)
        renderer.propagate({(GRID, "getRowsRequest"): FIRST_GRID_BLOCK})  # the mounted grid asks
        snapshot = copy.deepcopy(renderer.props)
        n_months = int(snapshot.get((MONTHS, "max")) or 0) + 1
        inputs, outputs = renderer.inputs(), renderer.outputs()
        skipped = []
        for action in actions(snapshot, n_months):
            if only and action.name not in only:
                continue
            if action.target not in (outputs if action.download else inputs):
                skipped.append(f"{action.name} ({action.target[0]}.{action.target[1]} is no callback "
                               f"{'output' if action.download else 'input'})")
                continue
            for variant in range(variants + 1):
                steps = action.steps(snapshot, variant)
                if not steps:
                    if variant == 0:
                        skipped.append(f"{action.name} (nothing to click in this run)")
                    break
                renderer.props = copy.deepcopy(snapshot)
                renderer.action = action.name
                renderer.first = variant == 0
                for changes, record in steps:
                    renderer.record = record
                    renderer.propagate(changes)
                renderer.record = True
                if action.download:
                    href = renderer.props.get(action.target)
                    if not isinstance(href, str) or not href:
                        skipped.append(f"{action.name} (the link has no href)")
                        break
                    renderer.download(href)
        not_exercised = sorted({cb.name for cb in renderer.callbacks if cb.key not in renderer.fired})
        return HttpResult(renderer.samples, renderer.downloads, skipped, not_exercised, worker.load_seconds,
                          worker.rss(), worker.peak_rss(), sorted({cb.name for cb in renderer.callbacks}))


def _grouped(samples: list, key: Callable[[Any], Any]) -> dict[Any, tuple[list, list, Any]]:
    """key -> (all samples, the samples after the first call (all if only first calls),
    the first call or None), keys in order of first appearance."""
    groups: dict[Any, list] = {}
    for sample in samples:
        groups.setdefault(key(sample), []).append(sample)
    return {k: (group, [x for x in group if not x.first] or group, next((x for x in group if x.first), None))
            for k, group in groups.items()}


def summarize_downloads(downloads: list[DownloadSample]) -> list[dict]:
    """One row per download action: n, first-call and p50/p95 time to first byte and total
    time (client side), p95 server time before streaming, p50 / max bytes."""
    rows = []
    for action, (group, steady, first) in _grouped(downloads, lambda d: d.action).items():
        rows.append({
            "action": action, "n": len(steady),
            "first_total_ms": first.total_ms if first else float("nan"),
            "ttfb_p50_ms": percentile([d.ttfb_ms for d in steady], 50),
            "ttfb_p95_ms": percentile([d.ttfb_ms for d in steady], 95),
            "total_p50_ms": percentile([d.total_ms for d in steady], 50),
            "total_p95_ms": percentile([d.total_ms for d in steady], 95),
            "server_p95_ms": percentile([d.server_ms for d in steady], 95),
            "p50_bytes": percentile([d.bytes for d in steady], 50),
            "max_bytes": max(d.bytes for d in group),
        })
    return rows


def summarize(samples: list[Sample]) -> list[dict]:
    """One row per (action, callback): n, first-call ms, p50/p95 server and client ms, sizes."""
    rows = []
    for (action, callback), (group, steady, first) in _grouped(samples, lambda s: (s.action, s.callback)).items():
        rows.append({
            "action": action, "callback": callback, "n": len(steady),
            "first_ms": first.server_ms if first else float("nan"),
            "p50_ms": percentile([s.server_ms for s in steady], 50),
            "p95_ms": percentile([s.server_ms for s in steady], 95),
            "client_p95_ms": percentile([s.client_ms for s in steady], 95),
            "p50_bytes": percentile([s.bytes for s in steady], 50),
            "max_bytes": max(s.bytes for s in group),
        })
    return rows


DOWNLOAD_LABEL = "passages CSV download (streamed file, not a callback)"


def report_downloads(res: Results, part: str, downloads: list[DownloadSample], size: str) -> list[str]:
    """Add the downloads' summary rows to `res` (no target: the callback targets do not apply
    to a file) and return their markdown table for the part's detail."""
    rows = summarize_downloads(downloads)
    if not rows:
        return []
    steady = [d for d in downloads if not d.first] or downloads

    def p50_p95(values: list[float]) -> str:
        return f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f} ms"

    how = f"{len(steady)} downloads over {len(rows)} actions, first calls excluded"
    res.add(part, f"{DOWNLOAD_LABEL}: time to first byte p50 / p95", p50_p95([d.ttfb_ms for d in steady]), how)
    res.add(part, f"{DOWNLOAD_LABEL}: total time p50 / p95", p50_p95([d.total_ms for d in steady]), how)
    res.add(part, f"{DOWNLOAD_LABEL}: largest file", fmt_bytes(max(d.bytes for d in downloads)),
            f"max of {len(downloads)}")
    table = ["", f"File downloads at {size} passages: the passages CSV link's href "
             "(`GET /download/passages.csv?<filters>`, streamed in chunks), fetched as a browser does after the "
             "action set the filters. Not callbacks: the callback targets do not apply. Time to first byte and "
             "total time are client side (request sent → first / last body byte); server = X-Bench-Server-Ms, "
             "until Flask had the response, i.e. the query before streaming starts.", "",
             "| action | n | first call (total) | TTFB p50 | TTFB p95 | total p50 | total p95 | server p95 "
             "| file p50 | file max |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        table.append(f"| {r['action']} | {r['n']} | {r['first_total_ms']:.1f} ms | {r['ttfb_p50_ms']:.1f} ms "
                     f"| {r['ttfb_p95_ms']:.1f} ms | {r['total_p50_ms']:.1f} ms | {r['total_p95_ms']:.1f} ms "
                     f"| {r['server_p95_ms']:.1f} ms | {fmt_bytes(r['p50_bytes'])} | {fmt_bytes(r['max_bytes'])} |")
    return table

