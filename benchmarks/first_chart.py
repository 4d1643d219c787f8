"""Part 5: the first chart on screen, measured by the browser on cold page loads.

A worker process (`benchmarks.serve_worker`, as part 2) serves `create_app(run_dir)` with
waitress on 127.0.0.1. Each load starts a NEW headless Chromium with a fresh, empty profile
(its own temporary user-data-dir; the HTTP cache is also switched off through the DevTools
protocol), so nothing is cached: not the page, not the scripts, not V8's compiled code.
Before the page's first script, a probe is installed on every new document
(`Page.addScriptToEvaluateOnNewDocument`) that reads the browser's own clock
(`performance.now()`, milliseconds from navigation start):

  first byte       PerformanceNavigationTiming.responseStart of the page's HTML
  DOMContentLoaded PerformanceNavigationTiming.domContentLoadedEventStart
  first chart      the trend chart's first data trace (`#trend-graph .scatterlayer .trace`)
                   is in the DOM (a MutationObserver), and on screen: the first animation
                   frame after that has been painted (requestAnimationFrame, then a task)
  grid rows        the passage grid's first row with data (a date cell with text in a row
                   that is not AG Grid's loading placeholder), in the DOM and painted

The probe also wraps `window.fetch`, so every request the page makes (layout, callback map,
each callback's POST) is logged with its start and end on the same clock and, for a
callback, its output and the worker's `X-Bench-Server-Ms` (time in Flask), and it collects
the long tasks (main thread busy > 50 ms) and the resource timing of every script. When
the chart shows, the page's time in script, style and layout is read from DevTools
(`Performance.getMetrics`); `--cpu-profile` (command line only) also samples the page's
JavaScript until then and sums the samples per script, for the analysis (it slows the page).

`python -m benchmarks.first_chart RUN_DIR [--loads 5]` measures one run and prints a JSON
summary; `benchmarks.run` measures the bundled corpus's build and the largest synthetic run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import Results, fmt_bytes, fmt_seconds, log, median
from benchmarks.dashboard_http import ADDRESS_WRITERS, CALLBACK_NAMES, TREND_GRAPH, GRID, serve

TARGET_S = 2.0  # the issue: first chart on screen, median of 5 cold loads, < 2 s
PART = "5 first chart"
CHROMIUM = Path("/usr/bin/chromium")
CHART_SELECTOR = f"#{TREND_GRAPH} .scatterlayer .trace"
GRID_SELECTOR = f"#{GRID} .ag-row:not(.ag-row-loading) .ag-cell[col-id='date']"
WINDOW = (1400, 1000)

PROBE_JS = """
(() => {
  if (window.__firstChart) return;
  const fc = window.__firstChart = {
    chartDom: null, chart: null, gridDom: null, grid: null, fetches: [], longtasks: []};
  const CHART = %(chart)s, GRID_CELL = %(grid)s;
  const painted = (key) => requestAnimationFrame(() => setTimeout(() => {
    fc[key] = performance.now(); }, 0));
  const check = () => {
    if (fc.chartDom === null && document.querySelector(CHART)) {
      fc.chartDom = performance.now(); painted('chart');
    }
    if (fc.gridDom === null) {
      for (const cell of document.querySelectorAll(GRID_CELL)) {
        if (cell.textContent.trim()) { fc.gridDom = performance.now(); painted('grid'); break; }
      }
    }
    if (fc.chartDom !== null && fc.gridDom !== null) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {childList: true, subtree: true, characterData: true});
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) fc.longtasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no long task timing */ }
  const fetch0 = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : ((input && input.url) || String(input));
    const rec = {url: url, start: performance.now(), end: null, status: null, serverMs: null,
                 bytes: null, output: null, inputs: null};
    if (init && typeof init.body === 'string' && url.indexOf('_dash-update-component') >= 0) {
      try {
        const body = JSON.parse(init.body);
        rec.output = body.output;
        rec.inputs = (body.inputs || []).map((i) => (i && i.id !== undefined) ?
          (typeof i.id === 'string' ? i.id : JSON.stringify(i.id)) + '.' + i.property : '?');
      } catch (e) { /* not JSON */ }
    }
    fc.fetches.push(rec);
    return fetch0.apply(this, arguments).then((response) => {
      rec.status = response.status;
      rec.serverMs = parseFloat(response.headers.get('X-Bench-Server-Ms'));
      response.clone().arrayBuffer().then((b) => {
        rec.end = performance.now(); rec.bytes = b.byteLength; }, () => { rec.end = performance.now(); });
      return response;
    }, (error) => { rec.end = performance.now(); rec.status = -1; throw error; });
  };
})();
""" % {"chart": json.dumps(CHART_SELECTOR), "grid": json.dumps(GRID_SELECTOR)}

READ_JS = """
const fc = window.__firstChart || {};
const nav = performance.getEntriesByType('navigation')[0] || {};
const paint = {};
for (const p of performance.getEntriesByType('paint')) paint[p.name] = p.startTime;
const resources = performance.getEntriesByType('resource').map((r) => ({
  name: r.name, type: r.initiatorType, start: r.startTime, end: r.responseEnd,
  transfer: r.transferSize, decoded: r.decodedBodySize}));
return {
  ttfb: nav.responseStart, dcl: nav.domContentLoadedEventStart, load: nav.loadEventEnd,
  html_bytes: nav.decodedBodySize, fcp: paint['first-contentful-paint'] || null,
  chartDom: fc.chartDom, chart: fc.chart, gridDom: fc.gridDom, grid: fc.grid,
  fetches: fc.fetches || [], longtasks: fc.longtasks || [], resources: resources};
"""


@dataclass
class Load:
    """One cold load; times in ms from navigation start (None: never happened)."""

    ttfb: float | None
    dcl: float | None
    load: float | None
    fcp: float | None
    chart_dom: float | None
    chart: float | None
    grid_dom: float | None
    grid: float | None
    fetches: list[dict] = field(default_factory=list)
    longtasks: list[list[float]] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)
    html_bytes: int = 0
    metrics_at_chart: dict[str, float] = field(default_factory=dict)  # CDP Performance.getMetrics
    cpu_by_script: dict[str, float] = field(default_factory=dict)  # ms of samples per script (--cpu-profile)

    def busy_before(self, t: float | None) -> tuple[int, float]:
        """Long tasks that started before `t`: how many, and their total ms."""
        if t is None:
            return 0, float("nan")
        tasks = [d for s, d in self.longtasks if s < t]
        return len(tasks), sum(tasks)


def callback_name(output: str | None, inputs: list[str] | None) -> str:
    """The benchmark's name of the callback a POST was for (as part 2 names them)."""
    if not output:
        return "?"
    if inputs and len(inputs) == 1:
        component = inputs[0].rsplit(".", 1)[0]
        if component in ADDRESS_WRITERS:
            return ADDRESS_WRITERS[component]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = [p.split("@")[0].rsplit(".", 1) for p in parts]
    return next((CALLBACK_NAMES[c] for c, *_ in outputs if c in CALLBACK_NAMES),
                ", ".join(".".join(o) for o in outputs))


def request_name(fetch: dict) -> str:
    url = fetch.get("url") or ""
    if "_dash-update-component" in url:
        return callback_name(fetch.get("output"), fetch.get("inputs"))
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
    return "GET /" + path


def browser_missing() -> str | None:
    """Why this machine cannot run the part (None when Chromium and chromedriver are there)."""
    if not (CHROMIUM.exists() or shutil.which("chromium")):
        return "Chromium is not installed (apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    if importlib.util.find_spec("selenium") is None:  # dash[testing] brings it
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def _driver(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    if CHROMIUM.exists():
        options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                 f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver_path = shutil.which("chromedriver")
    service = Service(executable_path=driver_path) if driver_path else Service()
    return webdriver.Chrome(service=service, options=options)


METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


def _by_script(profile: dict) -> dict[str, float]:
    """A CDP CPU profile's samples in ms per script (the file of the sampled function;
    "(program)", "(garbage collector)", "(idle)" as V8 names them)."""
    nodes = {n["id"]: n["callFrame"] for n in profile.get("nodes", [])}
    out: dict[str, float] = {}
    for node, delta in zip(profile.get("samples", []), profile.get("timeDeltas", [])):
        frame = nodes.get(node, {})
        url = frame.get("url") or frame.get("functionName") or "?"
        name = url.split("?")[0].rsplit("/", 1)[-1] or url
        out[name] = out.get(name, 0.0) + delta / 1000
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def cold_load(url: str, timeout: float = 60, settle: float = 1.0, cpu_profile: bool = False) -> Load:
    """One load of `url` in a new Chromium with an empty profile and no HTTP cache. Waits
    for the first chart and the grid's rows, then until no request has been pending for
    `settle` seconds (so the page's initial callbacks are all logged). The main thread's
    time in script, layout and style until the chart shows is read from the DevTools
    protocol; with `cpu_profile`, a sampling profile of that time is taken too (it slows
    the page a little: for the analysis only, not for the timings)."""
    profile = Path(tempfile.mkdtemp(prefix="first-chart-profile-"))
    driver = _driver(profile)
    try:
        driver.set_page_load_timeout(timeout)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE_JS})
        driver.execute_cdp_cmd("Performance.enable", {})
        if cpu_profile:
            driver.execute_cdp_cmd("Profiler.enable", {})
            driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": 1000})
            driver.execute_cdp_cmd("Profiler.start", {})
        driver.get(url)
        deadline = time.monotonic() + timeout
        quiet_since = None
        metrics: dict[str, float] = {}
        cpu: dict[str, float] = {}
        while time.monotonic() < deadline:
            state = driver.execute_script(
                "const f = window.__firstChart; return f ? [f.chart, f.grid, "
                "f.fetches.filter(r => r.end === null).length] : [null, null, 1];")
            if state[0] is not None and not metrics:
                got = driver.execute_cdp_cmd("Performance.getMetrics", {}).get("metrics", [])
                metrics = {m["name"]: m["value"] * 1000 for m in got if m["name"] in METRICS}
                if cpu_profile:  # stopped as the chart shows (within one poll)
                    cpu = _by_script(driver.execute_cdp_cmd("Profiler.stop", {}).get("profile", {}))
            if state[0] is not None and state[1] is not None and state[2] == 0:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle:
                    break
            else:
                quiet_since = None
            time.sleep(0.05)
        raw = driver.execute_script(READ_JS)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return Load(ttfb=raw["ttfb"], dcl=raw["dcl"], load=raw["load"], fcp=raw["fcp"],
                chart_dom=raw["chartDom"], chart=raw["chart"], grid_dom=raw["gridDom"], grid=raw["grid"],
                fetches=raw["fetches"], longtasks=raw["longtasks"], resources=raw["resources"],
                html_bytes=int(raw.get("html_bytes") or 0), metrics_at_chart=metrics, cpu_by_script=cpu)


@dataclass
class FirstChart:
    """The loads of one run, and the serving worker's start-up."""

    label: str
    passages: int
    loads: list[Load]
    create_app_s: float
    load_average: tuple[str, str] = ("n/a", "n/a")  # the machine's 1-minute load average before / after

    def values(self, key: str) -> list[float]:
        return [getattr(x, key) for x in self.loads if getattr(x, key) is not None]

    def missing(self, key: str) -> int:
        return sum(getattr(x, key) is None for x in self.loads)


def measure(run_dir: Path, loads: int = 5, label: str = "", timeout: float = 60,
            cpu_profile: bool = False) -> FirstChart:
    """`loads` cold loads of the dashboard over `run_dir`, one serving worker for all."""
    manifest = json.loads((Path(run_dir) / "manifest.json").read_text())
    passages = int(manifest.get("counts", {}).get("passages") or 0)
    if not passages:
        import polars as pl

        passages = pl.scan_parquet(Path(run_dir) / "passages.parquet").select(pl.len()).collect().item()
    with serve(Path(run_dir)) as worker:
        log(f"first chart, {label or run_dir}: worker up (create_app {worker.load_seconds:.1f} s); "
            f"{loads} cold loads in headless Chromium ...")
        before = _load_average()
        done = []
        for i in range(loads):
            one = cold_load(worker.base + "/", timeout, cpu_profile=cpu_profile)
            done.append(one)
            log(f"  load {i + 1}/{loads}: first byte {_ms(one.ttfb)}, DOMContentLoaded {_ms(one.dcl)}, "
                f"chart on screen {_ms(one.chart)}, grid rows {_ms(one.grid)}")
    return FirstChart(label or str(run_dir), passages, done, worker.load_seconds, (before, _load_average()))


def _mb(n: float) -> str:
    return f"{n / 2**20:.2f} MB" if n >= 2**20 else fmt_bytes(n)


def _short(path: str) -> str:
    """A script's file name without Dash's cache-busting version (`name.v4_4_1m123.min.js`)."""
    name = path.rsplit("/", 1)[-1]
    return re.sub(r"\.v\d[\w]*?m\d+(?=\.)", "", name)


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "n/a"


def _ms(v: float | None) -> str:
    return "never" if v is None else f"{v:.0f} ms"


def _s(v: float | None) -> str:
    return "never" if v is None or v != v else fmt_seconds(v / 1000)


# --- what the loads say -----------------------------------------------------------------------------


def callback_waterfall(result: FirstChart) -> list[dict]:
    """The initial load's requests, by name: how many loads made it, median start and end
    (ms from navigation start), median server ms, median bytes; in order of median start."""
    groups: dict[str, list[dict]] = {}
    for load in result.loads:
        seen: dict[str, int] = {}
        for f in load.fetches:
            name = request_name(f)
            k = seen[name] = seen.get(name, 0) + 1
            groups.setdefault(name if k == 1 else f"{name} (#{k})", []).append(f)
    rows = []
    for name, fs in groups.items():
        server = [f["serverMs"] for f in fs if isinstance(f.get("serverMs"), (int, float))
                  and f["serverMs"] == f["serverMs"]]
        rows.append({"name": name, "n": len(fs), "start": median([f["start"] for f in fs]),
                     "end": median([f["end"] for f in fs if f.get("end") is not None]),
                     "server_ms": median(server), "bytes": median([f.get("bytes") or 0 for f in fs]),
                     "status": sorted({f.get("status") for f in fs if f.get("status") is not None})})
    return sorted(rows, key=lambda r: r["start"])


def scripts(result: FirstChart) -> list[dict]:
    """Scripts and styles of the first load: name, bytes, median end (ms)."""
    by_name: dict[str, list[dict]] = {}
    for load in result.loads:
        for r in load.resources:
            if r["type"] in ("script", "link", "css") or r["name"].split("?")[0].endswith((".js", ".css")):
                by_name.setdefault(r["name"].split("?")[0].split("/", 3)[-1], []).append(r)
    return sorted(({"name": n, "bytes": max(x["decoded"] for x in rs), "end": median([x["end"] for x in rs])}
                   for n, rs in by_name.items()), key=lambda r: r["end"])


def summary(result: FirstChart) -> dict[str, Any]:
    """Medians and maxima (ms) for the JSON output and the document."""
    out: dict[str, Any] = {"label": result.label, "passages": result.passages, "loads": len(result.loads),
                           "create_app_s": result.create_app_s, "load_average": result.load_average}
    for key in ("ttfb", "dcl", "fcp", "load", "chart_dom", "chart", "grid_dom", "grid"):
        vals = result.values(key)
        out[key] = {"median": median(vals), "max": max(vals) if vals else None, "all": vals,
                    "missing": result.missing(key)}
    js = scripts(result)
    out["script_bytes"] = sum(s["bytes"] for s in js if s["name"].endswith(".js"))
    out["busy_before_chart_ms"] = median([ld.busy_before(ld.chart)[1] for ld in result.loads])
    out["metrics_at_chart_ms"] = {k: median([ld.metrics_at_chart[k] for ld in result.loads
                                             if k in ld.metrics_at_chart]) for k in METRICS}
    if any(ld.cpu_by_script for ld in result.loads):
        names = {k for ld in result.loads for k in ld.cpu_by_script}
        cpu = {k: median([ld.cpu_by_script.get(k, 0.0) for ld in result.loads]) for k in names}
        out["cpu_by_script_ms"] = dict(sorted(cpu.items(), key=lambda kv: -kv[1]))
    out["callbacks"] = callback_waterfall(result)
    out["scripts"] = js
    return out


def add_rows(res: Results, result: FirstChart) -> None:
    """Summary rows and a detail table for one run, into `res` (part 5)."""
    s = summary(result)
    n = len(result.loads)
    chart, size = s["chart"], f"{result.label} ({result.passages:,} passages)"
    how = f"median / max of {n} cold loads"
    ok = chart["missing"] == 0 and chart["median"] == chart["median"] and chart["median"] < TARGET_S * 1000
    never = f", {chart['missing']} of {n} loads never showed it" if chart["missing"] else ""
    res.add(PART, f"{size}: first chart on screen (trend chart's first trace painted)",
            f"{_s(chart['median'])} / {_s(chart['max'])}{never}", how, f"median < {TARGET_S:g} s", ok)
    for key, what in (("ttfb", "first byte of the page"), ("dcl", "DOMContentLoaded"),
                      ("grid", "passage grid's first rows painted")):
        v = s[key]
        res.add(PART, f"{size}: {what}", f"{_s(v['median'])} / {_s(v['max'])}", how)
    loads = result.loads
    detail = [f"**{size}**: {n} cold loads, one serving worker (create_app {result.create_app_s:.1f} s, not "
              f"in the times); the machine's 1-minute load average {result.load_average[0]} before the loads and "
              f"{result.load_average[1]} after (2 cores); ms from navigation start on the browser's clock. Chart / grid: in the DOM → "
              "painted (the next animation frame). Busy = long tasks (main thread > 50 ms) that began before "
              "the chart was painted: their count and total.", "",
              "| load | first byte | DOMContentLoaded | first contentful paint | load event | chart in DOM | "
              "chart painted | grid rows painted | busy before the chart |",
              "|---|---|---|---|---|---|---|---|---|"]
    for i, x in enumerate(loads, 1):
        count, busy = x.busy_before(x.chart)
        detail.append(f"| {i}{' (first after start)' if i == 1 else ''} | {_ms(x.ttfb)} | {_ms(x.dcl)} | "
                      f"{_ms(x.fcp)} | {_ms(x.load)} | {_ms(x.chart_dom)} | **{_ms(x.chart)}** | {_ms(x.grid)} "
                      f"| {count} tasks, {busy:.0f} ms |")
    detail.append(f"| median | {_ms(s['ttfb']['median'])} | {_ms(s['dcl']['median'])} | "
                  f"{_ms(s['fcp']['median'])} | {_ms(s['load']['median'])} | {_ms(s['chart_dom']['median'])} | "
                  f"**{_ms(s['chart']['median'])}** | {_ms(s['grid']['median'])} | "
                  f"{s['busy_before_chart_ms']:.0f} ms |")
    detail += ["", f"Requests of the initial load at {result.label} (median over the {n} loads; start and end on "
               "the browser's clock, server = X-Bench-Server-Ms, the time in Flask):", "",
               "| request | loads | start | end | server | response |", "|---|---|---|---|---|---|"]
    for r in s["callbacks"]:
        server = "" if r["server_ms"] != r["server_ms"] else f"{r['server_ms']:.1f} ms"
        detail.append(f"| {r['name']} | {r['n']} | {r['start']:.0f} ms | {r['end']:.0f} ms | {server} | "
                      f"{fmt_bytes(r['bytes'])} |")
    js = [x for x in s["scripts"] if x["bytes"]]
    big = sorted(js, key=lambda x: -x["bytes"])[:6]
    metrics = s["metrics_at_chart_ms"]
    if all(v == v for v in metrics.values()):
        detail += ["", f"The page's main thread by the time the chart showed (DevTools `Performance.getMetrics` at the "
                   f"first poll after it, median): script {metrics['ScriptDuration']:.0f} ms, style "
                   f"{metrics['RecalcStyleDuration']:.0f} ms, layout {metrics['LayoutDuration']:.0f} ms."]
    detail += ["", f"Scripts and styles fetched: {len(js)}, {_mb(sum(x['bytes'] for x in js))} "
               f"(JavaScript {_mb(s['script_bytes'])}; uncompressed: the server sends no gzip); the largest: "
               + ", ".join(f"{_short(x['name'])} {_mb(x['bytes'])} (in by {x['end']:.0f} ms)" for x in big) + ".", ""]
    res.tables[PART] = (res.tables.get(PART, "") + "\n\n" if res.tables.get(PART) else "") + "\n".join(detail)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="cold loads of the dashboard over one run in headless Chromium")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--label", default="")
    parser.add_argument("--raw", type=Path, help="also write every load's raw timings here (JSON)")
    parser.add_argument("--cpu-profile", action="store_true",
                        help="sample the page's JavaScript until the chart shows (slows it a little)")
    args = parser.parse_args(argv)
    result = measure(args.run_dir, args.loads, args.label, cpu_profile=args.cpu_profile)
    if args.raw:
        args.raw.write_text(json.dumps([asdict(x) for x in result.loads], indent=1))
    print(json.dumps(summary(result), default=str))


if __name__ == "__main__":
    main()
