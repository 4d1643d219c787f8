"""`python -m benchmarks.run` (`make bench`): every benchmark, results in docs/PERFORMANCE.md.

Parts (all by default):
  aggregation  passages -> trends: Polars pipeline vs pandas vs BERTopic topics_over_time
               at every size of --sizes (median of 5 at 100k, 3 at 1M; --repeat overrides)
  dashboard    every Dash callback over HTTP (waitress, loopback) on the largest size:
               p50/p95 server time and response size; the passages CSV file download
               (time to first byte, total time, size); serving worker RSS
  embedding    MiniLM vs static throughput, theme agreement, cold build vs rebuild,
               a build's peak RSS (skip with --skip-embedding)
  build scale  a real `discourse build --embedder static` of a SYNTHETIC corpus of
               --build-size passages (1M by default, about 6 min): peak memory, wall
               time and both per stage (benchmarks/build_scale.py; --skip-build-scale)
  first chart  cold page loads in headless Chromium (a new browser and empty profile each,
               --loads of them, 5 by default) of the bundled corpus's build and of the
               largest size: first byte, DOMContentLoaded, the trend chart's first trace on
               screen (target: median < 2 s) and the grid's first rows, on the browser's
               clock, with the initial load's callbacks (benchmarks/first_chart.py;
               --skip-first-chart)
  statements   statement extraction (who said what) on the synthetic run of the largest
               size: wall time and peak memory (benchmarks/statements_bench.py;
               --skip-statements)
  engines      the Ray engine beside the local one: MiniLM embedding throughput at 1 and 2
               local workers (--engine-rounds interleaved rounds) and a cold build each
               (benchmarks/engines.py; --skip-engines)

Synthetic runs and builds are cached in benchmarks/cache/. Each part's latest results are
kept in benchmarks/cache/results.json, so rerunning one part rewrites the document with
the other parts' earlier figures (each part states when it was measured).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import (
    CACHE, PYTHON, REPO_ROOT, Results, fmt_bytes, fmt_seconds, log, machine, median,
)
from benchmarks.synth import parse_size, size_label

DOC = REPO_ROOT / "docs" / "PERFORMANCE.md"
RESULTS = CACHE / "results.json"
DEFAULT_REPEAT = {100_000: 5, 1_000_000: 5}
MB = 2**20
GB_TARGET = 2 * 2**30


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.inf


# --- synthetic runs -------------------------------------------------------------------------------------


def ensure_synthetic(n: int, refresh: bool = False) -> tuple[Path, dict]:
    """The synthetic run of n passages (generated in a subprocess when missing)."""
    from benchmarks.sources import ensure_source_run

    source = ensure_source_run()
    out = CACHE / f"synthetic-{size_label(n)}"
    cmd = [str(PYTHON if PYTHON.exists() else sys.executable), "-m", "benchmarks.synth", str(n), str(out),
           "--source", str(source)] + (["--force"] if refresh else [])
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"generator failed: {done.stderr[-3000:]}")
    log(done.stdout.strip())
    run_dir = (out / "current").resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return run_dir, manifest


# --- part 1 ----------------------------------------------------------------------------------------------


def part_aggregation(sizes: list[int], repeat: int | None, refresh: bool) -> Results:
    from benchmarks import aggregation

    res = Results()
    detail = ["| size | implementation | median | runs (s) | vs pipeline Polars |", "|---|---|---|---|---|"]
    for n in sizes:
        run_dir, manifest = ensure_synthetic(n, refresh)
        spec = manifest["synthetic_spec"]
        gen_s = sum(manifest["timings"].values())
        peak = spec.get("generator_peak_rss")
        res.add("1 aggregation", f"generator, {size_label(n)} passages ({manifest['counts']['documents_accepted']:,} "
                f"documents, {manifest['counts']['mentions']:,} mentions)",
                f"{gen_s:.1f} s, peak RSS {fmt_bytes(peak) if peak else 'n/a'}",
                f"1 run at {manifest['started_at'][:16]} (cached after)",
                "a few minutes, fits in memory", gen_s < 300 and (peak or 0) < 8 * 2**30)
        reps = repeat or DEFAULT_REPEAT.get(n, 3)
        log(f"aggregation at {size_label(n)}: {reps} interleaved repetitions ...")
        out = aggregation.benchmark(run_dir, reps, with_bertopic=True)
        med = {k: median(v) for k, v in out["times"].items()}
        stat = f"median of {reps}"
        names = {"polars": "Polars pipeline (pipelines.aggregates)",
                 "pandas": "pandas (explode + groupby)", "bertopic": "BERTopic topics_over_time"}
        for key, label in names.items():
            if key in med:
                detail.append(f"| {size_label(n)} | {label} | {fmt_seconds(med[key])} | "
                              f"{', '.join(f'{x:.3f}' for x in out['times'][key])} | "
                              f"{_ratio(med[key], med['polars']):.2f}x |")
                res.add("1 aggregation", f"{size_label(n)}: {label}", fmt_seconds(med[key]), stat)
        big = n >= 1_000_000
        for other in ("pandas", "bertopic"):
            r = _ratio(med[other], med["polars"])
            res.add("1 aggregation", f"{size_label(n)}: {names[other]} time / Polars pipeline time", f"{r:.2f}x",
                    f"ratio of medians of {reps}", "≥ 10x at 1M" if big else "", (r >= 10) if big else None)
        c = out["compared"]
        res.note("1 aggregation", f"{size_label(n)}: all implementations agree — passages per month x topic "
                 f"(all people) equal in {c['month_topic_cells']:,} cells across Polars, pandas and BERTopic "
                 f"({c.get('bertopic_cells', 0):,} cells); the full trends ({c['trends_rows']:,} rows) and "
                 f"month_totals ({c['month_totals_rows']:,} rows) tables are identical between Polars and pandas.")
    largest = max(sizes)
    reps = repeat or DEFAULT_REPEAT.get(largest, 3)
    log(f"aggregation breakdown at {size_label(largest)} ...")
    pieces = aggregation.breakdown(ensure_synthetic(largest)[0], reps)
    detail += ["", f"Breakdown at {size_label(largest)} (each piece alone, median of {reps}, interleaved):", "",
               "| piece | median |", "|---|---|"]
    detail += [f"| {name} | {fmt_seconds(median(v))} |" for name, v in pieces.items()]
    res.tables["1 aggregation"] = "\n".join(detail)
    return res


# --- part 2 (+ serving memory) -----------------------------------------------------------------------------


def part_dashboard(n: int, variants: int, refresh: bool) -> Results:
    from benchmarks import dashboard_http

    res = Results()
    run_dir, _ = ensure_synthetic(n, refresh)
    log(f"dashboard over HTTP at {size_label(n)}: {variants} variants per action (+1 first call) ...")
    began = time.perf_counter()
    out = dashboard_http.run(run_dir, variants)
    log(f"dashboard part took {time.perf_counter() - began:.0f} s")
    rows = dashboard_http.summarize(out.samples)
    part = "2 dashboard"
    detail = [f"Server time (X-Bench-Server-Ms: Flask request start to response ready) per user action and the "
              f"callbacks it fires, {size_label(n)} passages; p50/p95 over {variants} different values per action "
              "(nearest rank), after one first call reported separately.",
              "",
              "| action | callback | n | first call | p50 | p95 | client p95 | response p50 | response max | verdict |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    per_callback: dict[str, list[dict]] = {}
    for r in rows:
        ok = r["p95_ms"] < 50 and r["max_bytes"] < 300 * 1024
        detail.append(f"| {r['action']} | {r['callback']} | {r['n']} | {r['first_ms']:.1f} ms | {r['p50_ms']:.1f} ms "
                      f"| {r['p95_ms']:.1f} ms | {r['client_p95_ms']:.1f} ms | {fmt_bytes(r['p50_bytes'])} | "
                      f"{fmt_bytes(r['max_bytes'])} | {'met' if ok else '**missed**'} |")
        if r["action"] != "initial page load":
            per_callback.setdefault(r["callback"], []).append(r)
    for callback, group in per_callback.items():
        samples = [s for s in out.samples if s.callback == callback and not s.first
                   and s.action != "initial page load"]
        p50 = dashboard_http.percentile([s.server_ms for s in samples], 50)
        p95 = dashboard_http.percentile([s.server_ms for s in samples], 95)
        worst = max(group, key=lambda r: r["p95_ms"])
        biggest = max(s.bytes for s in samples) if samples else 0
        res.add(part, f"{callback}: server time p50 / p95",
                f"{p50:.1f} / {p95:.1f} ms (worst action: {worst['action']}, p95 {worst['p95_ms']:.1f} ms)",
                f"{len(samples)} requests over {len(group)} actions, first calls excluded", "p95 < 50 ms", p95 < 50)
        res.add(part, f"{callback}: largest response", fmt_bytes(biggest), f"max of {len(samples)}",
                "< 300 KB", biggest < 300 * 1024)
    firsts = sorted((s for s in out.samples if s.first), key=lambda s: -s.server_ms)[:3]
    for s in firsts:
        if s.server_ms > 1000:
            res.add(part, f"first call: {s.action} -> {s.callback}", fmt_seconds(s.server_ms / 1000),
                    "1 request (first use)", "p95 < 50 ms", False)
    detail += dashboard_http.report_downloads(res, part, out.downloads, size_label(n))
    res.add(part, f"create_app on {size_label(n)} passages (worker start)", fmt_seconds(out.load_seconds), "1 run")
    res.add("4 memory", f"serving worker RSS at {size_label(n)} after every callback answered",
            fmt_bytes(out.rss_after or 0), "1 worker, after the run", "< 2 GB", (out.rss_after or 0) < GB_TARGET)
    res.add("4 memory", f"serving worker peak RSS (VmHWM) during the run at {size_label(n)}",
            fmt_bytes(out.peak_rss or 0), "1 worker, whole run", "< 2 GB", (out.peak_rss or 0) < GB_TARGET)
    if out.skipped:
        res.note(part, "Actions skipped (their target is not a callback input in this version of the app): "
                 + "; ".join(out.skipped) + ".")
    res.note(part, "Callbacks in the app's callback map: " + ", ".join(out.callbacks) + ". Not reached by any "
             "action: " + (", ".join(out.not_exercised) or "none") + ".")
    log("profiling the callbacks in-process (benchmarks/profile_dashboard.py) ...")
    done = subprocess.run([str(PYTHON if PYTHON.exists() else sys.executable), "-m", "benchmarks.profile_dashboard",
                           str(run_dir)], cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode == 0:
        prof = json.loads(done.stdout.strip().splitlines()[-1])
        detail += ["", f"In-process profile of the callbacks' pieces at {size_label(n)} "
                   "(`python -m benchmarks.profile_dashboard RUN`, median of 5 after a warm-up; candidates are "
                   "timed on the side, nothing in dashboard/ is changed):", "",
                   "| piece | median | note |", "|---|---|---|"]
        for v in prof.values():
            ms = "" if math.isnan(v["ms"]) else f"{v['ms']:.1f} ms"
            detail.append(f"| {v['what']} | {ms} | {v['note']} |")
    else:
        res.note(part, "The in-process profile failed: " + done.stderr.strip().splitlines()[-1][:300])
    res.tables[part] = "\n".join(detail)
    return res


# --- part 3 (+ build memory) -------------------------------------------------------------------------------


def part_embedding(repeat_rebuild: int, embed_n: int, embed_repeat: int) -> Results:
    from benchmarks import embedding
    from benchmarks.sources import ensure_source_run

    res = Results()
    part = "3 embedding & builds"
    source = ensure_source_run()
    log(f"embedding throughput on {embed_n} bundled passages (MiniLM x{embed_repeat}) ...")
    tp = embedding.throughput(source, embed_n, embed_repeat, max(6, 3 * embed_repeat))
    mini = tp["passages"] / median(tp["minilm_s"])
    stat_ = tp["passages"] / median(tp["static_s"])
    res.add(part, f"MiniLM (default) throughput, {tp['passages']:,} bundled passages", f"{mini:,.0f} passages/s",
            f"median of {len(tp['minilm_s'])}, torch threads {tp['torch_threads']}")
    res.add(part, "static model2vec throughput, same passages", f"{stat_:,.0f} passages/s",
            f"median of {len(tp['static_s'])}")
    res.add(part, "static / MiniLM throughput", f"{stat_ / mini:,.0f}x", "ratio of medians", "≥ 50x",
            stat_ / mini >= 50)
    if tp.get("distill_s") is not None:
        res.add(part, "static model: first use (distillation, excluded above)", fmt_seconds(tp["distill_s"]),
                "1 run (cached after)")
    elif tp.get("distill_recorded_s") is not None:
        res.add(part, "static model: first use (distillation, excluded above)",
                fmt_seconds(tp["distill_recorded_s"]), f"1 run, measured {tp['distill_recorded_at']}")

    builds = CACHE / "builds"
    log("cold build (fresh folder and embedding cache) ...")
    cold = embedding.run_build(builds / "minilm", "cold build", fresh=True)
    rebuilds = []
    for i in range(repeat_rebuild):
        log(f"rebuild {i + 1}/{repeat_rebuild} of the unchanged corpus (cache hit) ...")
        rebuilds.append(embedding.run_build(builds / "minilm", f"rebuild {i + 1}"))
    log("cold build with --embedder static ...")
    static = embedding.run_build(builds / "static", "static cold build", embedder="static", fresh=True)
    warm = median([b.wall_s for b in rebuilds])
    res.add(part, "cold build of the bundled corpus (fresh embedding cache), wall", fmt_seconds(cold.wall_s), "1 run")
    res.add(part, "rebuild of the unchanged corpus (every vector from the cache), wall", fmt_seconds(warm),
            f"median of {len(rebuilds)}")
    res.add(part, "cold build / rebuild", f"{cold.wall_s / warm:.1f}x", "ratio", "≥ 20x", cold.wall_s / warm >= 20)
    res.add(part, "cold build with --embedder static (model already distilled), wall", fmt_seconds(static.wall_s),
            "1 run")
    embedded = [b.manifest["embedding"]["embedded"] for b in rebuilds]
    res.note(part, f"Rebuilds embedded {embedded} passages (0 = every vector came from the cache).")
    stages = list(cold.manifest["timings"])
    table = ["| stage | cold build | rebuild (median) | static cold build |", "|---|---|---|---|"]
    for stage in stages:
        table.append(f"| {stage} | {cold.manifest['timings'][stage]:.2f} s | "
                     f"{median([b.manifest['timings'].get(stage, float('nan')) for b in rebuilds]):.2f} s | "
                     f"{static.manifest['timings'].get(stage, float('nan')):.2f} s |")
    table.append(f"| sum of stages | {sum(cold.manifest['timings'].values()):.2f} s | "
                 f"{median([sum(b.manifest['timings'].values()) for b in rebuilds]):.2f} s | "
                 f"{sum(static.manifest['timings'].values()):.2f} s |")
    table.append(f"| wall (process start to exit) | {cold.wall_s:.2f} s | {warm:.2f} s | {static.wall_s:.2f} s |")

    agree = embedding.theme_agreement(cold.run_dir, static.run_dir)
    res.add(part, "passages with the same theme, static vs default build", f"{agree['same_theme_share']:.1%}",
            f"{agree['passages']:,} passages, 1 build each")
    res.add(part, "… of the passages the default build puts in a theme", f"{agree['same_theme_share_of_themed']:.1%}",
            f"{agree['themed_a']:,} themed (default) vs {agree['themed_b']:,} (static)")
    scores = {"default (MiniLM)": embedding.fixture_scores(cold.run_dir),
              "static": embedding.fixture_scores(static.run_dir)}
    pr = ["| required theme | labelled | default precision | default recall | static precision | static recall |",
          "|---|---|---|---|---|---|"]
    for theme in scores["static"]:
        d, s = scores["default (MiniLM)"][theme], scores["static"][theme]
        pr.append(f"| {theme} | {d['labelled']} | {d['precision']:.2f} | {d['recall']:.2f} | "
                  f"{s['precision']:.2f} | {s['recall']:.2f} |")
        ok = s["precision"] >= 0.8 and s["recall"] >= 0.8
        res.add(part, f"static build, {theme}: precision / recall on the labelled fixture",
                f"{s['precision']:.2f} / {s['recall']:.2f} (default {d['precision']:.2f} / {d['recall']:.2f})",
                "1 build", "≥ 0.8 / 0.8 (as tests/test_topics.py)", ok)
    res.tables[part] = "Stage timings from the builds' manifests:\n\n" + "\n".join(table) + \
        "\n\nRequired themes on tests/fixtures/themes_labelled.jsonl:\n\n" + "\n".join(pr)
    res.add("4 memory", "peak RSS of a cold build of the bundled corpus (discourse build)",
            fmt_bytes(cold.peak_rss or 0), "1 run, /usr/bin/time -v", "< 2 GB", (cold.peak_rss or 0) < GB_TARGET)
    res.add("4 memory", "peak RSS of a rebuild (cache hit)", fmt_bytes(max(b.peak_rss or 0 for b in rebuilds)),
            f"max of {len(rebuilds)}, /usr/bin/time -v", "< 2 GB",
            max(b.peak_rss or 0 for b in rebuilds) < GB_TARGET)
    res.add("4 memory", "peak RSS of a static cold build", fmt_bytes(static.peak_rss or 0), "1 run", "< 2 GB",
            (static.peak_rss or 0) < GB_TARGET)
    return res


# --- the document ------------------------------------------------------------------------------------------


PART_TITLES = {
    "1 aggregation": "1. Aggregation: passages → trends table",
    "2 dashboard": "2. Dashboard callbacks over HTTP",
    "3 embedding & builds": "3. Embeddings, themes and rebuilds",
    "4 memory": "4. Peak memory",
    "5 first chart": "5. First chart on screen (cold page loads in Chromium)",
    "6 statements": "6. Statements (who said what)",
    "7 engines": "7. The Ray engine beside the local one",
}


def _load_saved() -> dict:
    try:
        return json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}


def _save(parts: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(parts, indent=1, default=str))


def part_build_scale(passages: int) -> Results:
    """Part 4's build at scale: a cold static build of a SYNTHETIC corpus (benchmarks/build_scale.py)."""
    from benchmarks import build_scale

    res = Results()
    build_scale.add_rows(res, build_scale.measure(build_scale.ScaleBuildConfig(passages=passages)))
    return res


def part_first_chart(n: int, loads: int, refresh: bool) -> Results:
    """Part 5: the first chart on screen, cold loads of the bundled build and of the n run."""
    from benchmarks import first_chart
    from benchmarks.sources import ensure_source_run

    res = Results()
    runs = [("bundled corpus", ensure_source_run()), (f"synthetic {size_label(n)}", ensure_synthetic(n, refresh)[0])]
    for label, run_dir in runs:
        first_chart.add_rows(res, first_chart.measure(run_dir, loads, label))
    res.note(first_chart.PART, "Each load is a new headless Chromium (1400 x 1000 window, software rendering) "
             "with an empty profile and the HTTP cache off, so the page, its scripts and V8's compiled code are "
             "all cold; one serving worker (as part 2) answers every load of a run, so only the first load of a "
             "run finds the server's query caches empty. Times are the browser's own (`performance.now()` and "
             "navigation timing, from navigation start), read by a probe installed before the page's first "
             "script (`Page.addScriptToEvaluateOnNewDocument`): a MutationObserver notes when "
             f"`{first_chart.CHART_SELECTOR}` appears, and the chart counts as on screen at the next animation "
             "frame after that. The browser shares the 2 cores with the server and with anything else running.")
    return res


def _first_chart_missing() -> str | None:
    from benchmarks.first_chart import browser_missing

    return browser_missing()


def part_statements(n: int, refresh: bool) -> Results:
    """Part 6: statement extraction on the synthetic run of n passages (benchmarks/statements_bench.py)."""
    from benchmarks import statements_bench

    res = Results()
    run_dir, _ = ensure_synthetic(n, refresh)
    log(f"statement extraction at {size_label(n)} ...")
    statements_bench.add_rows(res, statements_bench.measure(run_dir), size_label(n))
    return res


def render(parts: dict, analysis: str = "") -> str:
    any_part = next(iter(parts.values()), {})
    m = any_part.get("machine", machine())
    lines = ["# Performance", "",
             "Generated by `make bench` (`.venv/bin/python -m benchmarks.run`); rerun a part with "
             "`--sizes`, `--skip-embedding`, `--skip-dashboard`, `--skip-aggregation`, `--skip-build-scale`, "
             "`--skip-first-chart`, `--skip-statements`, `--skip-engines`, `--repeat N`, `--loads N`, "
             "`--engine-rounds N`.",
             "Synthetic runs are the bundled (illustrative) corpus resampled to 100k and 1M passages by "
             "`benchmarks/synth.py` — **synthetic data**, not a real corpus (see its docstring).",
             "Timings are medians of interleaved repetitions on a shared machine; ratios compare "
             "implementations measured side by side in the same run.", "",
             "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in m.items()]
    lines += ["", "## Summary", "", "| part | what | value | how measured | target | verdict |",
              "|---|---|---|---|---|---|"]
    order = list(PART_TITLES)
    rows = [r for key in order for p in parts.values() for r in p.get("rows", []) if r["part"] == key]
    for r in rows:
        verdict = "" if r["met"] is None else ("met" if r["met"] else "**missed**")
        lines.append(f"| {r['part']} | {r['what']} | {r['value']} | {r['stat']} | {r['target']} | {verdict} |")
    if absent := [PART_TITLES[key] for key in order if not any(r["part"] == key for r in rows)]:
        lines += ["", "Not in the saved results, so not shown (run `make bench` without skipping them): "
                  + "; ".join(absent) + "."]
    for key in order:
        notes = [n for p in parts.values() for n in p.get("notes", {}).get(key, [])]
        tables = [p["tables"][key] for p in parts.values() if key in p.get("tables", {})]
        when = sorted({p.get("measured_at", "") for p in parts.values()
                       if any(r["part"] == key for r in p.get("rows", []))})
        if not (notes or tables):
            continue
        lines += ["", f"## {PART_TITLES[key]}", ""]
        if when:
            lines += [f"Measured {', '.join(when)}.", ""]
        for t in tables:
            lines += [t, ""]
        for n in notes:
            lines += [n, ""]
    if analysis:
        lines += ["", analysis.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


ANALYSIS_FILE = REPO_ROOT / "benchmarks" / "analysis.md"
PARTS = ("aggregation", "dashboard", "embedding", "build_scale", "first_chart", "statements", "engines")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated sizes, e.g. 100k,1m (default)")
    parser.add_argument("--repeat", type=int, help="repetitions of the aggregation benchmark at every size "
                        "(default 5)")
    parser.add_argument("--variants", type=int, default=8,
                        help="different values per dashboard action (p50/p95 over them; default 8)")
    parser.add_argument("--rebuilds", type=int, default=3, help="rebuilds of the unchanged corpus (default 3)")
    parser.add_argument("--embed-passages", type=int, default=2000)
    parser.add_argument("--embed-repeat", type=int, default=2, help="MiniLM repetitions (static: 3x as many)")
    parser.add_argument("--skip-aggregation", action="store_true")
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--skip-embedding", action="store_true", help="skip part 3 and the build memory figure")
    parser.add_argument("--skip-build-scale", action="store_true", help="skip the build of a synthetic corpus")
    parser.add_argument("--skip-statements", action="store_true", help="skip the statement extraction part")
    parser.add_argument("--skip-engines", action="store_true", help="skip the Ray engine part (7)")
    parser.add_argument("--engine-rounds", type=int, default=3, help="interleaved rounds of part 7 (default 3)")
    parser.add_argument("--build-size", default="1m", help="passages of that synthetic corpus (default 1m)")
    parser.add_argument("--skip-first-chart", action="store_true",
                        help="skip the cold page loads in headless Chromium (part 5)")
    parser.add_argument("--loads", type=int, default=5, help="cold page loads per run in part 5 (default 5)")
    parser.add_argument("--refresh-cache", action="store_true", help="regenerate the synthetic runs")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; leave docs/PERFORMANCE.md and the saved results alone")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite docs/PERFORMANCE.md from the saved results (no measuring)")
    args = parser.parse_args(argv)
    if args.render_only:
        parts = _load_saved()
        analysis = ANALYSIS_FILE.read_text() if ANALYSIS_FILE.is_file() else ""
        DOC.write_text(render({k: parts[k] for k in PARTS if k in parts}, analysis))
        log(f"wrote {DOC.relative_to(REPO_ROOT)} from {RESULTS}")
        return
    sizes = sorted(parse_size(s) for s in args.sizes.split(",") if s.strip())

    started = time.perf_counter()
    info = machine()
    log("SYNTHETIC benchmark data: runs below are the bundled corpus resampled, not real corpora")
    log("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    saved = _load_saved()
    fresh: dict[str, dict] = {}

    def keep(name: str, result: Results) -> None:
        fresh[name] = {"rows": [r.__dict__ for r in result.rows], "notes": result.notes, "tables": result.tables,
                       "measured_at": info["date"], "machine": info}

    if not args.skip_aggregation:
        keep("aggregation", part_aggregation(sizes, args.repeat, args.refresh_cache))
    if not args.skip_dashboard:
        keep("dashboard", part_dashboard(max(sizes), args.variants, args.refresh_cache and args.skip_aggregation))
    if not args.skip_embedding:
        keep("embedding", part_embedding(args.rebuilds, args.embed_passages, args.embed_repeat))
    if not args.skip_build_scale:
        keep("build_scale", part_build_scale(parse_size(args.build_size)))
    if not args.skip_first_chart and (why := _first_chart_missing()):
        log(f"first chart part skipped: {why}; its earlier results (if any) are kept")
    elif not args.skip_first_chart:
        keep("first_chart", part_first_chart(max(sizes), args.loads, args.refresh_cache and args.skip_aggregation
                                             and args.skip_dashboard))
    if not args.skip_statements:
        keep("statements", part_statements(max(sizes), args.refresh_cache and args.skip_aggregation))
    if not args.skip_engines:
        from benchmarks import engines

        keep("engines", engines.part(args.engine_rounds))
    parts = {**saved, **fresh}
    if not args.no_write:
        _save(parts)
    analysis = ANALYSIS_FILE.read_text() if ANALYSIS_FILE.is_file() else ""
    text = render({k: parts[k] for k in PARTS if k in parts}, analysis)
    print(text)
    if not args.no_write:
        DOC.write_text(text)
        log(f"wrote {DOC.relative_to(REPO_ROOT)}")
    log(f"benchmarks took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
