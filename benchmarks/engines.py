"""Part 7: the Ray engine beside the local one, with MiniLM and nothing cached.

1. Embedding throughput: the first EMBED_PASSAGES passages of the real White House corpus
   (../shared/corpora/whitehouse-ai; the bundled corpus's passages when it is absent) embedded
   through each engine's `embed` into a fresh cache: the local engine, and Ray in local mode
   with 1 and 2 actors; interleaved rounds, medians. Ray's start (about 6 s) is outside the
   timing; the actors' start and model load are inside it (every build pays them).
2. Whole cold builds of the bundled corpus (`discourse build` processes, fresh output folder),
   one per engine: wall time (Ray's start included) and the stages' times.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from statistics import median

import polars as pl

from benchmarks.common import BUNDLED_CORPUS, CACHE, REPO_ROOT, Results, fmt_bytes, fmt_seconds, log
from benchmarks.embedding import BuildRun, run_build

ENGINES = {"local engine": None, "Ray, 1 worker": 1, "Ray, 2 workers": 2}
EMBED_PASSAGES = 2_000
WHITEHOUSE = REPO_ROOT.parent / "shared" / "corpora" / "whitehouse-ai"


def sample_texts(n: int = EMBED_PASSAGES) -> tuple[pl.Series, str]:
    from pipelines.ingest import ingest_paths
    from pipelines.passages import split_passages

    corpus = WHITEHOUSE if WHITEHOUSE.is_dir() else BUNDLED_CORPUS
    passages = split_passages(ingest_paths([corpus]).documents.lazy()).collect()
    return passages["text"].head(n), f"{min(n, passages.height):,} passages of {corpus.name}"


def _embed_once(workers: int | None, texts: pl.Series) -> float:
    """Seconds to embed `texts` into a fresh cache through one engine."""
    import contextlib

    from pipelines.embedders import load_embedder
    from pipelines.embeddings import EmbeddingCache, EmbeddingConfig
    from pipelines.engine import LOCAL, RayOptions
    from pipelines.ray_engine import RayEngine, ray_session

    config = EmbeddingConfig()
    embedder = load_embedder(config)
    options = RayOptions(workers=workers or 1)
    engine = LOCAL if workers is None else RayEngine(options, config)
    folder = Path(tempfile.mkdtemp(prefix="engine-embed-"))
    try:
        with (contextlib.nullcontext() if workers is None else ray_session(options)):
            began = time.perf_counter()
            engine.embed([texts], embedder, EmbeddingCache(folder, embedder.identity, embedder.dimension))
            return time.perf_counter() - began
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def embedding_rounds(texts: pl.Series, rounds: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {label: [] for label in ENGINES}
    for round_ in range(rounds):
        for label, workers in ENGINES.items():
            seconds[label].append(_embed_once(workers, texts))
            log(f"round {round_ + 1}/{rounds}: {label} embedded {len(texts):,} texts in {seconds[label][-1]:.1f} s")
    return seconds


def engine_builds(folder: Path) -> dict[str, BuildRun]:
    runs = {}
    for label, workers in ENGINES.items():
        log(f"cold build of the bundled corpus, {label} ...")
        options = () if workers is None else ("--engine", "ray", "--ray-workers", str(workers))
        runs[label] = run_build(folder / label.replace(" ", "-").replace(",", ""), label, fresh=True, options=options)
    return runs


def part(rounds: int) -> Results:
    """Part 7 of `make bench` (see the module docstring)."""
    res = Results()
    name = "7 engines"
    texts, what = sample_texts()
    seconds = embedding_rounds(texts, rounds)
    local = median(seconds["local engine"])
    for label, runs in seconds.items():
        res.add(name, f"{label}: embedding throughput, MiniLM", f"{len(texts) / median(runs):,.1f} passages/s "
                f"({median(runs):.1f} s; {local / median(runs):.2f}x the local engine)",
                f"median of {len(runs)} interleaved, {what}, fresh cache")
    builds = engine_builds(CACHE / "engines")
    table = ["| stage | " + " | ".join(builds) + " |", "|---|" + "---|" * len(builds)]
    for stage in next(iter(builds.values())).manifest["timings"]:
        table.append(f"| {stage} | " + " | ".join(f"{b.manifest['timings'][stage]:.2f} s" for b in builds.values())
                     + " |")
    table.append("| wall (process start to exit) | " + " | ".join(f"{b.wall_s:.2f} s" for b in builds.values())
                 + " |")
    table.append("| peak RSS of the build process | " + " | ".join(fmt_bytes(b.peak_rss or 0)
                                                                 for b in builds.values()) + " |")
    for label, build in builds.items():
        passages = build.manifest["counts"]["passages"]
        res.add(name, f"{label}: cold build of the bundled corpus", f"{passages / build.wall_s:,.1f} passages/s "
                f"({fmt_seconds(build.wall_s)})", "1 build, process wall, Ray's start included")
    res.tables[name] = "Stage timings of the cold builds (manifests):\n\n" + "\n".join(table)
    res.note(name, "Ray in local mode on this 2-core machine: each actor runs torch on one thread (Ray gives "
             "it one CPU), the local engine runs torch on two. The Ray worker processes' memory is not in the "
             "build process's peak RSS.")
    return res
