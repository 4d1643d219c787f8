"""Load test of the production server: simulated users drive the dashboard over HTTP.

NOT part of `make test`. It starts the real production entry point
(`python -m dashboard.server OUT --host 127.0.0.1 --port P --workers N`, i.e. waitress)
on a free loopback port, then runs `--users` threads for `--duration` seconds. Each user
behaves like a browser tab: it loads the page (the JS bundles on its first visit, as an
empty browser cache would), `_dash-layout` and `_dash-dependencies`, fires the initial
callbacks, and then keeps choosing actions -- person, month range, source, topic, text
search, measure, tab, reset, trend-point click (drill-down), heatmap-cell click, topic
pick, open a document, now and then a reload -- with a think time between them.

Requests are built from the app's own callback map: an action sets a component property,
the user POSTs `/_dash-update-component` for every callback that has it as an input (the
body as Dash's renderer builds it: output, outputs, inputs and state with the user's
current values, changedPropIds), applies the response to its copy of the props and fires
the callbacks that the changed props feed, as the renderer does. Click payloads come from
the figures and grid rows the server returned.

Recorded: requests, errors (status >= 400, exceptions, or a 200 that is not the expected
JSON), latency p50 / p95 / p99 overall and per request kind, throughput, server CPU / RSS,
and the number of errors the server logged. Bounded: loopback only, `--duration` seconds
(requests in flight finish, 30 s timeout each), at most `--max-requests` requests.

    .venv/bin/python -m benchmarks.load_test                         # bundled corpus
    .venv/bin/python -m benchmarks.load_test --out runs/mine --threads 4 8 --write-docs

Without `--out` it uses runs/bundled when that holds a run, else builds data/corpus into
a temporary folder first (about a minute) and removes it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from dashboard.security import callback_outputs, update_body

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS = REPO_ROOT / "docs" / "RELIABILITY.md"
START_MARK = "<!-- load-test results: written by benchmarks/load_test.py -->"
END_MARK = "<!-- end of load-test results -->"

# component ids (as dashboard/ids.py); literal so this script runs on its own
URL, FILTERS, POINT = "url", "filters-store", "point-store"
PEOPLE, MONTHS, SOURCES = "filter-people", "filter-months", "filter-sources"
TOPICS, SEARCH, RESET = "filter-topics", "filter-search", "filter-reset"
TABS, MEASURE, CHART = "tabs", "trend-measure", "trend-chart"
TREND_GRAPH, HEATMAP, TOPIC_SELECT = "trend-graph", "people-heatmap", "topic-select"
GRID = "passage-grid"
SEARCH_WORDS = ["licensing", "GPU", "safety", "copyright", "Senate", "compute", "pause",
                "open source", "liability", "chips", "election", "deepfake", "watermark",
                "frontier", "Brussels", "export controls", "testimony", "summit"]
# action -> weight (how often a user picks it)
ACTIONS = {"person": 5, "months": 3, "source": 2, "topic": 3, "search": 3, "measure": 1,
           "tab": 2, "reset": 1, "trend_point": 4, "heatmap_cell": 1, "topic_pick": 2,
           "open_document": 4, "reload": 1}
REQUEST_TIMEOUT = 30


# ------------------------------------------------------------------------------ results
@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    actions: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, kind: str, seconds: float, status: int | None, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if status is not None:
                self.statuses[status] += 1
            if error:
                self.errors[kind] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{kind}: {error}")

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    lo, hi = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


# ---------------------------------------------------------------------- the app's model
def layout_props(node: Any, out: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """component id -> its props, from the /_dash-layout tree."""
    if isinstance(node, dict):
        props = node.get("props") if "type" in node else None
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                out[props["id"]] = {k: v for k, v in props.items() if k != "children"}
            for value in props.values():
                layout_props(value, out)
        else:
            for value in node.values():
                layout_props(value, out)
    elif isinstance(node, list):
        for item in node:
            layout_props(item, out)
    return out


@dataclass
class AppModel:
    deps: list[dict[str, Any]]
    layout: dict[str, dict[str, Any]]
    by_input: dict[str, list[int]]  # "id.prop" -> indexes of callbacks it triggers
    people: list[str]
    sources: list[str]
    topics: list[str]
    topic_ids: list[str]
    months: int
    bundles: list[str]

    @classmethod
    def discover(cls, base: str) -> AppModel:
        deps = [d for d in requests.get(f"{base}/_dash-dependencies",
                                        timeout=REQUEST_TIMEOUT).json()
                if not d.get("clientside_function")]  # those run in the browser only
        layout = layout_props(requests.get(f"{base}/_dash-layout",
                                           timeout=REQUEST_TIMEOUT).json(), {})
        page = requests.get(f"{base}/", timeout=REQUEST_TIMEOUT).text
        by_input: dict[str, list[int]] = defaultdict(list)
        for i, dep in enumerate(deps):
            for item in dep["inputs"]:
                by_input[f"{item['id']}.{item['property']}"].append(i)
        topics = [item["value"] for group in layout[TOPICS].get("data", [])
                  for item in group.get("items", [])]
        bundles = re.findall(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"', page)
        lazy = ["/_dash-component-suites/dash/dcc/async-graph.js",
                "/_dash-component-suites/plotly/package_data/plotly.min.js",
                "/_dash-component-suites/dash_ag_grid/async-community.js"]
        return cls(deps=deps, layout=layout, by_input=dict(by_input),
                   people=[d["value"] for d in layout[PEOPLE].get("data", [])],
                   sources=[d["value"] for d in layout[SOURCES].get("data", [])],
                   topics=topics,
                   topic_ids=[d["value"] for d in layout[TOPIC_SELECT].get("data", [])],
                   months=int(layout[MONTHS].get("max", 0)), bundles=bundles + lazy)


# --------------------------------------------------------------------------- one user
class User:
    def __init__(self, uid: int, base: str, model: AppModel, stats: Stats, deadline: float,
                 think: float, budget: Budget, seed: int) -> None:
        self.base, self.model, self.stats = base, model, stats
        self.deadline, self.think, self.budget = deadline, think, budget
        self.rng = random.Random(seed * 1000 + uid)
        self.session = requests.Session()
        self.props: dict[str, dict[str, Any]] = {}
        self.visited = False

    # -- HTTP ------------------------------------------------------------------------
    def request(self, kind: str, method: str, path: str, body: Any = None) -> Any:
        if not self.budget.take():
            raise TimeoutError("request budget used up")
        started = time.perf_counter()
        status, error, payload = None, None, None
        try:
            response = self.session.request(
                method, self.base + path, timeout=REQUEST_TIMEOUT,
                data=None if body is None else json.dumps(body),
                headers={"Content-Type": "application/json"} if body is not None else None)
            status = response.status_code
            content = response.content
            if status >= 400:
                error = f"HTTP {status}: {content[:160]!r}"
            elif method == "POST" and status == 200:
                payload = json.loads(content)
                if not isinstance(payload.get("response"), dict):
                    error = "200 without a callback response"
            elif path in ("/_dash-layout", "/_dash-dependencies") and status == 200:
                payload = json.loads(content)
            else:
                payload = content
        except Exception as exc:  # noqa: BLE001 - every failure counts as an error
            error = f"{type(exc).__name__}: {exc}"[:200]
        self.stats.record(kind, time.perf_counter() - started, status, error)
        return payload

    # -- callbacks, as the renderer fires them ------------------------------------------
    def value(self, cid: str, prop: str) -> Any:
        return self.props.get(cid, {}).get(prop)

    def body(self, dep: dict[str, Any], changed: list[str]) -> dict[str, Any]:
        """The renderer's request for `dep`; props this client has no value for are undefined."""
        values = {f"{item['id']}.{item['property']}": value
                  for item in dep["inputs"] + (dep["state"] or [])
                  if (value := self.value(item["id"], item["property"])) is not None}
        return update_body(dep, values, changed)

    def fire(self, index: int, changed: list[str], depth: int = 0) -> None:
        dep = self.model.deps[index]
        name = callback_outputs(dep["output"])[0][0]
        payload = self.request(f"callback {name}", "POST", "/_dash-update-component",
                               self.body(dep, changed))
        if not isinstance(payload, dict) or not isinstance(payload.get("response"), dict):
            return
        updated: list[str] = []
        for cid, props in payload["response"].items():
            for prop, value in props.items():
                prop = prop.split("@")[0]  # an output several callbacks write ("search@<hash>")
                self.props.setdefault(cid, {})[prop] = value
                updated.append(f"{cid}.{prop}")
        if depth < 4:
            self.cascade(updated, exclude=index, depth=depth + 1)

    def cascade(self, changed: list[str], exclude: int | None = None, depth: int = 0) -> None:
        """Fire every callback (once) that one of the changed props feeds."""
        fired: list[tuple[int, list[str]]] = []
        for key in changed:
            for index in self.model.by_input.get(key, []):
                if index == exclude:
                    continue
                for entry in fired:
                    if entry[0] == index:
                        entry[1].append(key)
                        break
                else:
                    fired.append((index, [key]))
        for index, keys in fired:
            if time.monotonic() < self.deadline:
                self.fire(index, keys, depth)

    def set_and_fire(self, cid: str, prop: str, value: Any) -> None:
        self.props.setdefault(cid, {})[prop] = value
        self.cascade([f"{cid}.{prop}"])

    # -- page visit -----------------------------------------------------------------------
    def visit(self) -> None:
        self.request("page /", "GET", "/")
        if not self.visited:  # an empty browser cache: every bundle once
            for path in self.model.bundles:
                self.request("static bundle", "GET", path)
            self.visited = True
        layout = self.request("_dash-layout", "GET", "/_dash-layout")
        self.request("_dash-dependencies", "GET", "/_dash-dependencies")
        self.props = {k: dict(v) for k, v in layout_props(layout, {}).items()} \
            if isinstance(layout, dict) else {k: dict(v) for k, v in self.model.layout.items()}
        self.props.setdefault(URL, {})["search"] = ""
        # initial calls: every callback not marked prevent_initial_call
        for index, dep in enumerate(self.model.deps):
            if not dep.get("prevent_initial_call") and time.monotonic() < self.deadline:
                self.fire(index, [])
        self.ask_grid()

    def ask_grid(self) -> None:
        """The grid's first block, as the browser's grid asks when it mounts and after the
        filters or the clicked point change (its cache is emptied client-side)."""
        self.set_and_fire(GRID, "getRowsRequest", {"startRow": 0, "endRow": 100,
                                                   "sortModel": [], "filterModel": {}})

    # -- actions ----------------------------------------------------------------------------
    def act(self, action: str) -> None:
        rng, m = self.rng, self.model
        if action == "person" and m.people:
            pool = m.people[:60]
            pick = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 1, 2])))
            self.set_and_fire(PEOPLE, "value", pick)
        elif action == "months" and m.months:
            lo = rng.randint(0, m.months)
            value = [lo, rng.randint(lo, m.months)]
            self.props.setdefault(MONTHS, {})["value"] = value  # then the browser's settle:
            self.set_and_fire("filter-months-settled", "data", value)
        elif action == "source":
            pick = rng.sample(m.sources, k=rng.randint(0, min(2, len(m.sources))))
            self.set_and_fire(SOURCES, "value", pick)
        elif action == "topic" and m.topics:
            self.set_and_fire(TOPICS, "value", rng.sample(m.topics, k=rng.choice([1, 1, 2])))
        elif action == "search":
            self.set_and_fire(SEARCH, "value", rng.choice(SEARCH_WORDS + [""]))
        elif action == "measure":
            self.set_and_fire(MEASURE, "value", rng.choice(["passages", "share"]))
        elif action == "tab":
            self.set_and_fire(TABS, "value", rng.choice(["trends", "people", "topics"]))
        elif action == "reset":
            clicks = (self.value(RESET, "n_clicks") or 0) + 1
            self.set_and_fire(RESET, "n_clicks", clicks)
        elif action == "trend_point":
            click = self.trend_click()
            if click:
                self.set_and_fire(TREND_GRAPH, "clickData", click)
        elif action == "heatmap_cell":
            click = self.heatmap_click()
            if click:
                self.set_and_fire(HEATMAP, "clickData", click)
        elif action == "topic_pick" and m.topic_ids:
            self.set_and_fire(TOPIC_SELECT, "value", rng.choice(m.topic_ids))
        elif action == "open_document":
            rows = (self.value(GRID, "getRowsResponse") or {}).get("rowData") or []
            if rows:
                i = rng.randrange(len(rows))
                self.set_and_fire(GRID, "cellClicked", {
                    "rowId": rows[i]["passage_id"], "colId": "text", "rowIndex": i,
                    "value": rows[i]["text"][:80], "timestamp": int(time.time() * 1000)})
        elif action == "reload":
            self.visit()
        else:
            return
        if action not in ("tab", "topic_pick", "open_document", "reload"):
            self.ask_grid()  # the filters or the point changed
        self.stats.actions[action] += 1

    def trend_click(self) -> dict | None:
        figure = self.value(TREND_GRAPH, "figure") or {}
        points = [(t, i) for t in figure.get("data", []) if (t.get("meta") or {}).get(
            "topic_id") is not None for i, y in enumerate(t.get("y") or []) if y]
        if not points:
            return None
        trace, i = self.rng.choice(points)
        return {"points": [{"curveNumber": 0, "pointNumber": i, "pointIndex": i,
                            "x": trace["x"][i], "y": trace["y"][i],
                            "customdata": trace["customdata"][i]}]}

    def heatmap_click(self) -> dict | None:
        figure = self.value(HEATMAP, "figure") or {}
        data = figure.get("data") or []
        if not data or "z" not in data[0]:
            return None
        cells = [(x, y) for y, row in enumerate(data[0]["z"]) for x, v in enumerate(row) if v]
        if not cells:
            return None
        x, y = self.rng.choice(cells)
        return {"points": [{"curveNumber": 0, "x": x, "y": y, "z": data[0]["z"][y][x]}]}

    def run(self) -> None:
        try:
            self.visit()
            names, weights = list(ACTIONS), list(ACTIONS.values())
            while time.monotonic() < self.deadline:
                if self.think:
                    pause = self.rng.uniform(0.5, 1.5) * self.think
                    time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))
                if time.monotonic() >= self.deadline:
                    break
                self.act(self.rng.choices(names, weights)[0])
        except TimeoutError:
            pass  # request budget used up
        finally:
            self.session.close()


class Budget:
    def __init__(self, limit: int) -> None:
        self.left, self.lock = limit, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


# --------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def discourse_command() -> list[str]:
    script = Path(sys.executable).with_name("discourse")
    return [str(script)] if script.exists() else [
        sys.executable, "-m", "discourse"]


def resolve_out(out: Path | None) -> tuple[Path, Path | None]:
    """(the --out folder to serve, a temporary folder to delete afterwards or None)."""
    if out is not None:
        return out, None
    bundled = REPO_ROOT / "runs" / "bundled"
    if (bundled / "current" / "manifest.json").is_file():
        return bundled, None
    temp = Path(tempfile.mkdtemp(prefix="discourse-load-"))
    print(f"building data/corpus into {temp} (about a minute) ...", file=sys.stderr)
    subprocess.run([*discourse_command(), "build", "--corpus", str(REPO_ROOT / "data" / "corpus"),
                    "--out", str(temp)], cwd=REPO_ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return temp, temp


class Server:
    def __init__(self, out: Path, threads: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()prefix="discourse-load-server-", suffix=".log",
                                               delete=False)
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get(
            "PYTHONPATH", ""))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.server", str(out), "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(threads)],
            cwd=REPO_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 180) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.output()[-3000:]}")
            try:
                if requests.get(self.base + "/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise RuntimeError("server did not start in time")

    def usage(self) -> tuple[float, int]:
        """(CPU seconds, peak RSS bytes) of the server process so far."""
        try:
            import psutil

            proc = psutil.Process(self.process.pid)
            cpu = proc.cpu_times()
            peak = 0
            status = Path(f"/proc/{self.process.pid}/status")
            if status.is_file():
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1]) * 1024
            return cpu.user + cpu.system, peak or proc.memory_info().rss
        except Exception:  # noqa: BLE001 - psutil missing or process gone
            return float("nan"), 0

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


# ------------------------------------------------------------------------------- a run
def run_once(out: Path, users: int, duration: float, threads: int, think: float,
             max_requests: int, seed: int, corpus: str | None = None) -> dict[str, Any]:
    server = Server(out, threads)
    try:
        server.wait_ready()
        model = AppModel.discover(server.base)
        cpu_before, _ = server.usage()
        stats, budget = Stats(), Budget(max_requests)
        started = time.monotonic()
        deadline = started + duration
        workers = [threading.Thread(target=User(i, server.base, model, stats, deadline, think,
                                                budget, seed).run, daemon=True)
                   for i in range(users)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(duration + REQUEST_TIMEOUT * 4)
        elapsed = time.monotonic() - started
        cpu_after, peak_rss = server.usage()
        alive = server.process.poll() is None
        log = server.output()
    finally:
        server.stop()
    all_latencies = [v for values in stats.latencies.values() for v in values]
    errors = sum(stats.errors.values())
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "users": users, "duration_s": duration, "threads": threads, "think_s": think,
        "elapsed_s": round(elapsed, 1), "requests": stats.total, "errors": errors,
        "error_samples": stats.error_samples, "statuses": dict(stats.statuses),
        "throughput_rps": round(stats.total / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(all_latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(all_latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(all_latencies, 0.99) * 1000, 1),
        "max_ms": round(max(all_latencies, default=0) * 1000, 1),
        "by_kind": {kind: {"n": len(v), "errors": stats.errors.get(kind, 0),
                           "p50_ms": round(percentile(v, 0.5) * 1000, 1),
                           "p95_ms": round(percentile(v, 0.95) * 1000, 1),
                           "mean_ms": round(statistics.fmean(v) * 1000, 1)}
                    for kind, v in sorted(stats.latencies.items())},
        "actions": dict(stats.actions),
        "server_cpu_s": round(cpu_after - cpu_before, 1),
        "server_peak_rss_mb": round(peak_rss / 2**20),
        "server_alive": alive,
        "server_logged_errors": len(re.findall(r"unhandled error on|Traceback", log)),
        "corpus": corpus or str(out),
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = [f"{result['users']} users, {result['duration_s']:.0f} s, waitress threads "
             f"{result['threads']}, think {result['think_s']} s: {result['requests']:,} "
             f"requests, {result['errors']} errors, {result['throughput_rps']} req/s, "
             f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms "
             f"(max {result['max_ms']} ms); server CPU {result['server_cpu_s']} s, peak RSS "
             f"{result['server_peak_rss_mb']} MB, logged errors {result['server_logged_errors']}"]
    for kind, row in result["by_kind"].items():
        lines.append(f"  {kind:<34} n={row['n']:<6} err={row['errors']:<3} "
                     f"p50={row['p50_ms']:>8} ms  p95={row['p95_ms']:>8} ms")
    lines += [f"  error: {s}" for s in result["error_samples"][:5]]
    return lines


def write_docs(results: list[dict[str, Any]], command: str, cores: int) -> None:
    """Replace (or add) the load-test section of docs/RELIABILITY.md."""
    head = ("| date | users × duration | waitress threads | think time | requests | errors | "
            "req/s | p50 ms | p95 ms | p99 ms | max ms | server CPU s | peak RSS MB |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    rows = "".join(
        f"| {r['date']} | {r['users']} × {r['duration_s']:.0f} s | {r['threads']} | "
        f"{r['think_s']} s | {r['requests']:,} | {r['errors']} | {r['throughput_rps']} | "
        f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | "
        f"{r['server_cpu_s']} | {r['server_peak_rss_mb']} |\n" for r in results)
    kinds = sorted({k for r in results for k in r["by_kind"]})
    per_kind = ("| request kind | " + " | ".join(
        f"threads {r['threads']}, think {r['think_s']} s: n / p50 / p95 ms" for r in results)
        + " |\n|---|" + "---|" * len(results) + "\n")
    for kind in kinds:
        cells = []
        for r in results:
            row = r["by_kind"].get(kind)
            cells.append(f"{row['n']:,} / {row['p50_ms']} / {row['p95_ms']}" if row else "–")
        per_kind += f"| {kind} | " + " | ".join(cells) + " |\n"
    block = (f"{START_MARK}\nMachine: {cores} cores (shared), Python "
             f"{sys.version.split()[0]}, corpus: {results[0]['corpus']}.\n"
             f"Command: `{command}`\n\n{head}{rows}\nPer request kind:\n\n{per_kind}\n"
             f"Server-side errors logged during the runs: "
             f"{sum(r['server_logged_errors'] for r in results)}; every server still up at the "
             f"end: {all(r['server_alive'] for r in results)}.\n{END_MARK}")
    text = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else "# Reliability\n"
    if START_MARK in text and END_MARK in text:
        before, rest = text.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n## Load test\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="an --out folder of `discourse build`")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--threads", type=int, nargs="+", default=[4],
                        help="waitress threads; one run per value")
    parser.add_argument("--think", type=float, nargs="+", default=[1.0],
                        help="mean think time between a user's actions (s); 0 = no pause")
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    parser.add_argument("--write-docs", action="store_true",
                        help="write the results into docs/RELIABILITY.md")
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration <= 0 or args.users > 500 or args.duration > 3600:
        parser.error("--users must be 1..500 and --duration 0..3600 s")

    out, temp = resolve_out(args.out)
    results = []
    try:
        for threads in args.threads:
            for think in args.think:
                print(f"run: {args.users} users, {args.duration:.0f} s, {threads} threads, "
                      f"think {think} s", file=sys.stderr)
                result = run_once(out, args.users, args.duration, threads, think,
                                  args.max_requests, args.seed,
                                  corpus=None if temp is None else
                                  "data/corpus, built into a temporary folder for the run")
                results.append(result)
                print("\n".join(summary_lines(result)), flush=True)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.write_docs:
        command = ".venv/bin/python -m benchmarks.load_test " + " ".join(
            argv if argv is not None else sys.argv[1:])
        write_docs(results, command.strip(), os.cpu_count() or 0)
    failed = [r for r in results if r["errors"] or not r["server_alive"]
              or r["server_logged_errors"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
