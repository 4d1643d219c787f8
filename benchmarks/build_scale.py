"""Build memory and time at scale: a real `discourse build --embedder static` of a SYNTHETIC
corpus of N passages (benchmarks/synth_corpus.py), the build half of part 4 at 1M.

The build runs exactly like part 3's cold builds (`benchmarks.embedding.run_build`: the
`discourse` CLI under /usr/bin/time -v, fresh output folder and embedding cache, the static
model cached in benchmarks/cache/models so nothing is distilled twice), only on the synthetic
corpus. Reported: wall time and peak RSS (/usr/bin/time -v, "Maximum resident set size"),
the manifest's per-stage timings and counts, and per stage the peak RSS of the largest build
process and the peak summed PSS of the build and its worker processes (the topic stage
starts joblib/loky workers), sampled every `sample_seconds` with psutil and split into stages
with the manifest's start time and stage timings ("startup" is the process before `build()`
starts, "write & publish" everything after the aggregates stage).

    .venv/bin/python -m benchmarks.build_scale 100k      # or 1m; --json for the raw result
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Self

from benchmarks import embedding
from benchmarks.common import CACHE, Results, fmt_bytes, fmt_seconds, log
from benchmarks.synth import parse_size, size_label
from benchmarks.synth_corpus import CorpusSpec, generate_corpus


@dataclass(frozen=True)
class ScaleBuildConfig:
    """One scale build: corpus size and seed, embedder, scratch folder, RSS sampling period."""

    passages: int = 1_000_000
    embedder: str = "static"
    seed: int = 0
    out: Path | None = None  # default benchmarks/cache/builds/scale-<size>-<embedder>
    sample_seconds: float = 0.5

    def output(self) -> Path:
        return self.out or CACHE / "builds" / f"scale-{size_label(self.passages)}-{self.embedder}"


@dataclass
class ScaleBuildResult:
    passages_requested: int
    corpus: str
    command: str
    wall_s: float
    peak_rss: int | None  # bytes, /usr/bin/time -v
    timings: dict[str, float]  # manifest, seconds per stage
    counts: dict[str, float]  # manifest counts (documents_accepted, documents_rejected, duplicates, passages, ...)
    stage_peaks: dict[str, dict[str, int]] = field(default_factory=dict)  # sampled: rss, tree_pss, processes
    tree_pss_peak: int = 0  # sampled, bytes: the build and any worker processes together
    processes_seen: list[str] = field(default_factory=list)  # command lines of the build's processes
    sample_seconds: float = 0.5
    run_bytes: int = 0  # size of the published run folder
    run_dir: str = ""
    measured_at: str = ""

    @property
    def label(self) -> str:
        return size_label(self.passages_requested)


class RssSampler:
    """Samples the build's processes in a thread: the largest single process's RSS, and the
    process tree's summed PSS (children of the build, e.g. worker pools, share pages with it:
    their RSS would count those twice). /usr/bin/time itself is left out."""

    def __init__(self, interval: float):
        self.interval = interval
        self.samples: list[tuple[float, int, int, int]] = []  # (epoch s, max RSS, summed PSS, processes)
        self.seen: dict[int, str] = {}  # pid -> command line (shortened)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            rss, pss, count = 0, 0, 0
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if child.name() == "time":
                        continue
                    if child.pid not in self.seen:
                        self.seen[child.pid] = " ".join(child.cmdline())[:160]
                    full = child.memory_full_info()
                    rss, pss, count = max(rss, full.rss), pss + full.pss, count + 1
            if count:
                self.samples.append((time.time(), rss, pss, count))
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def stage_peaks(samples: list[tuple[float, int, int, int]], manifest: dict) -> dict[str, dict[str, int]]:
    """Per stage (laid end to end from the manifest's started_at): peak RSS of the largest
    process, peak summed PSS of the process tree, most processes at once."""
    start = dt.datetime.fromisoformat(manifest["started_at"]).timestamp()
    windows = {"startup": (float("-inf"), start)}
    for stage, seconds in manifest["timings"].items():
        windows[stage] = (start, start + seconds)
        start += seconds
    windows["write & publish"] = (start, float("inf"))
    peaks = {}
    for name, (lo, hi) in windows.items():
        inside = [s for s in samples if lo <= s[0] < hi]
        peaks[name] = {"rss": max((s[1] for s in inside), default=0),
                       "tree_pss": max((s[2] for s in inside), default=0),
                       "processes": max((s[3] for s in inside), default=0), "samples": len(inside)}
    return peaks


def measure(config: ScaleBuildConfig) -> ScaleBuildResult:
    """Generate (or reuse) the synthetic corpus, cold-build it, and return the figures."""
    corpus = generate_corpus(CorpusSpec(config.passages, config.seed))
    out = config.output()
    label = f"SYNTHETIC {size_label(config.passages)} {config.embedder} cold build"
    command = (f"/usr/bin/time -v {embedding.DISCOURSE} build --corpus {corpus.corpus} --out {out} "
               f"--embedder {config.embedder}  (DISCOURSE_MODEL_CACHE={embedding.MODEL_CACHE})")
    log(f"{label}: {corpus.documents:,} documents, {corpus.passages:,} passages -> {out}")
    with RssSampler(config.sample_seconds) as sampler:
        build = embedding.run_build(out, label, embedder=config.embedder, fresh=True, corpus=corpus.corpus)
    manifest = build.manifest
    result = ScaleBuildResult(
        passages_requested=config.passages, corpus=str(corpus.corpus), command=command, wall_s=round(build.wall_s, 2),
        peak_rss=build.peak_rss, timings=manifest["timings"], counts=manifest["counts"],
        stage_peaks=stage_peaks(sampler.samples, manifest),
        tree_pss_peak=max((s[2] for s in sampler.samples), default=0),
        processes_seen=list(sampler.seen.values()), sample_seconds=config.sample_seconds,
        run_bytes=sum(p.stat().st_size for p in build.run_dir.rglob("*") if p.is_file()),
        run_dir=str(build.run_dir), measured_at=time.strftime("%Y-%m-%d %H:%M %Z"),
    )
    record = CACHE / f"build_scale-{result.label}-{config.embedder}.json"
    record.write_text(json.dumps(asdict(result), indent=1))
    log(f"{label}: {result.wall_s:.0f} s wall, peak RSS {fmt_bytes(result.peak_rss or 0)}; saved {record}")
    return result


def add_rows(res: Results, result: ScaleBuildResult) -> None:
    """The part-4 rows (peak memory and wall time of the build; the issue sets no target for
    them) and a stage table, for benchmarks/run.py."""
    c = result.counts
    what = (f"cold build of a SYNTHETIC {result.label}-passage corpus ({c['documents_accepted']:,} documents, "
            f"{c['passages']:,} passages; discourse build --embedder static)")
    res.add("4 memory", f"peak RSS of a {what}", fmt_bytes(result.peak_rss or 0), "1 run, /usr/bin/time -v",
            "< 3 GB at 1m (issue 19)", (result.peak_rss or 0) < 3 * 2**30 if result.label == "1m" else None)
    res.add("4 memory", "… the same build and its worker processes together (summed PSS)",
            fmt_bytes(result.tree_pss_peak), f"1 run, sampled every {result.sample_seconds} s")
    res.add("4 memory", "… its wall time", fmt_seconds(result.wall_s), "1 run")
    res.tables.setdefault("4 memory", "")
    res.tables["4 memory"] += ("\n\n" if res.tables["4 memory"] else "") + stage_table(result)


def stage_table(result: ScaleBuildResult) -> str:
    c = result.counts
    title = (f"Cold build of a SYNTHETIC {result.label}-passage corpus (benchmarks/build_scale.py; "
             f"{c['records_read']:,} records read, {c['documents_accepted']:,} accepted, "
             f"{c['documents_rejected']:,} rejected, {c['duplicates']:,} duplicates, {c['passages']:,} passages, "
             f"measured {result.measured_at}):")
    header = (f"| stage | time (manifest) | peak RSS, largest process (sampled every {result.sample_seconds} s) | "
              "peak PSS, build + workers (sampled) | processes |")
    lines = [title, "", header, "|---|---|---|---|---|"]
    for stage, peak in result.stage_peaks.items():
        seconds = result.timings.get(stage)
        shown = [fmt_bytes(peak[k]) if peak["samples"] else "n/a (shorter than a sample)" for k in ("rss", "tree_pss")]
        lines.append(f"| {stage} | {fmt_seconds(seconds) if seconds is not None else '(not timed)'} | "
                     f"{shown[0]} | {shown[1]} | {peak['processes'] or ''} |")
    lines.append(f"| whole build | {fmt_seconds(result.wall_s)} wall | {fmt_bytes(result.peak_rss or 0)} "
                 f"(/usr/bin/time -v) | {fmt_bytes(result.tree_pss_peak)} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.build_scale SIZE`: cold static build of a SYNTHETIC corpus of SIZE passages."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("size", nargs="?", default="1m", help="passages, e.g. 100k, 1m (default)")
    parser.add_argument("--embedder", default="static", choices=("static", "minilm"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="scratch output folder (deleted first)")
    parser.add_argument("--json", action="store_true", help="print the raw result as JSON")
    args = parser.parse_args(argv)
    result = measure(ScaleBuildConfig(parse_size(args.size), args.embedder, args.seed, args.out))
    print(json.dumps(asdict(result), indent=1) if args.json else stage_table(result))


if __name__ == "__main__":
    main()
