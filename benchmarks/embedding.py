"""Part 3 (and the build half of part 4): embedding throughput, static vs default themes,
cold build vs rebuild of an unchanged corpus, and a build's peak memory.

* Throughput runs in a subprocess (`python -m benchmarks.embedding throughput`) so torch
  never lives in the benchmark process: the default all-MiniLM-L6-v2 embedder and the
  static model2vec embedder encode the same ~2,000 bundled passages, interleaved. The static
  model is distilled on first use into benchmarks/cache/models (DISCOURSE_MODEL_CACHE); the
  distillation is timed once, recorded in benchmarks/cache/distill.json, and excluded from
  the throughput.
* Builds run `discourse build` under /usr/bin/time -v (wall time and peak RSS): a cold build
  into a fresh folder (fresh embedding cache), rebuilds of the same folder (every vector
  from the cache), and a cold build with `--embedder static`. Stage timings come from the
  manifests.
* Themes: share of passages whose `theme` is the same in the default and the static build,
  and precision / recall of each required theme on tests/fixtures/themes_labelled.jsonl
  (paragraph -> the passage holding its first character, as tests/test_topics.py does).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.common import BUNDLED_CORPUS, CACHE, DISCOURSE, PYTHON, REPO_ROOT, log

MODEL_CACHE = CACHE / "models"
DISTILL_RECORD = CACHE / "distill.json"
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "themes_labelled.jsonl"


def _env() -> dict[str, str]:
    return dict(os.environ, DISCOURSE_MODEL_CACHE=str(MODEL_CACHE),
                PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


# --- throughput (subprocess) --------------------------------------------------------------------


def _throughput(source_run: Path, n: int, repeat_minilm: int, repeat_static: int) -> dict:
    import gc

    from pipelines.embedders import load_embedder
    from pipelines.embeddings import DEFAULT_MODEL_SHA256, EmbeddingConfig
    from pipelines.static_embedder import model_folder

    texts = pl.read_parquet(source_run / "passages.parquet")["text"].to_list()
    texts = (texts * (n // max(len(texts), 1) + 1))[:n]
    out: dict = {"passages": len(texts), "unique_passages": len(set(texts))}

    began = time.perf_counter()
    minilm = load_embedder(EmbeddingConfig())
    out["minilm_load_s"] = time.perf_counter() - began
    static_cached = (model_folder(DEFAULT_MODEL_SHA256) / "model.safetensors").is_file()  # this recipe's model
    began = time.perf_counter()
    static = load_embedder(EmbeddingConfig(embedder="static"))
    elapsed = time.perf_counter() - began
    out["static_load_s"] = elapsed
    out["distill_s"] = None if static_cached else elapsed

    minilm.encode(texts[:64])  # warm-up
    static.encode(texts[:64])
    out["minilm_s"], out["static_s"] = [], []
    for _ in range(repeat_minilm):
        gc.collect()
        began = time.perf_counter()
        minilm.encode(texts)
        out["minilm_s"].append(time.perf_counter() - began)
        for _ in range(max(1, repeat_static // repeat_minilm)):
            began = time.perf_counter()
            static.encode(texts)
            out["static_s"].append(time.perf_counter() - began)
    import torch

    out["torch_threads"] = torch.get_num_threads()
    return out


def throughput(source_run: Path, n: int = 2000, repeat_minilm: int = 2, repeat_static: int = 6) -> dict:
    cmd = [str(PYTHON if PYTHON.exists() else sys.executable), "-m", "benchmarks.embedding", "throughput",
           str(source_run), "--n", str(n), "--repeat-minilm", str(repeat_minilm),
           "--repeat-static", str(repeat_static)]
    done = subprocess.run(cmd, cwd=REPO_ROOT, env=_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"throughput subprocess failed: {done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("distill_s") is not None:
        DISTILL_RECORD.parent.mkdir(parents=True, exist_ok=True)
        DISTILL_RECORD.write_text(json.dumps({"seconds": result["distill_s"],
                                              "measured_at": time.strftime("%Y-%m-%d %H:%M")}))
    elif DISTILL_RECORD.is_file():
        recorded = json.loads(DISTILL_RECORD.read_text())
        result["distill_recorded_s"], result["distill_recorded_at"] = recorded["seconds"], recorded["measured_at"]
    return result


# --- builds ----------------------------------------------------------------------------------------


@dataclass
class BuildRun:
    label: str
    wall_s: float
    peak_rss: int | None  # bytes, from /usr/bin/time -v
    run_dir: Path
    manifest: dict


def run_build(out: Path, label: str, embedder: str = "minilm", fresh: bool = False,
              corpus: Path = BUNDLED_CORPUS, options: tuple[str, ...] = ()) -> BuildRun:
    if fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(DISCOURSE), "build", "--corpus", str(corpus), "--out", str(out), "--embedder", embedder, *options]
    time_bin = Path("/usr/bin/time")
    if time_bin.exists():
        cmd = [str(time_bin), "-v", *cmd]
    began = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO_ROOT, env=_env(), capture_output=True, text=True)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{label} failed: {done.stderr[-3000:]}")
    peak = None
    if match := re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr):
        peak = int(match.group(1)) * 1024
    run_dir = (out / "current").resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    log(f"{label}: {wall:.1f} s wall, peak RSS {peak / 2**20 if peak else float('nan'):.0f} MB, "
        f"embedded {manifest['embedding']['embedded']}, cached {manifest['embedding']['cached']}")
    return BuildRun(label, wall, peak, run_dir, manifest)


# --- theme agreement ----------------------------------------------------------------------------------


def theme_agreement(run_a: Path, run_b: Path) -> dict:
    a = pl.read_parquet(run_a / "passages.parquet", columns=["passage_id", "theme", "topic_id"])
    b = pl.read_parquet(run_b / "passages.parquet", columns=["passage_id", "theme", "topic_id"])
    joined = a.join(b, on="passage_id", how="full", suffix="_b", coalesce=True)
    same = joined.select(pl.col("theme").eq_missing(pl.col("theme_b")).mean()).item()
    themed_a = joined.filter(pl.col("theme").is_not_null())
    return {"passages": joined.height, "same_theme_share": float(same),
            "same_theme_share_of_themed": float(themed_a.select(
                pl.col("theme").eq_missing(pl.col("theme_b")).mean()).item() or 0.0),
            "themed_a": int(a["theme"].is_not_null().sum()), "themed_b": int(b["theme"].is_not_null().sum())}


def fixture_scores(run_dir: Path) -> dict[str, dict[str, float]]:
    """Precision and recall of each required theme on the labelled paragraphs."""
    from pipelines.themes import REQUIRED_THEMES

    passages = pl.read_parquet(run_dir / "passages.parquet", columns=["doc_id", "char_start", "char_end", "theme"])
    documents = dict(pl.read_parquet(run_dir / "documents.parquet", columns=["doc_id", "text"]).iter_rows())
    labelled = [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]
    predicted = []
    for record in labelled:
        start = documents.get(record["doc_id"], "").find(record["text"])
        row = passages.filter((pl.col("doc_id") == record["doc_id"]) & (pl.col("char_start") <= start)
                              & (pl.col("char_end") > start)) if start >= 0 else passages.clear()
        predicted.append(row["theme"][0] if row.height else None)
    scores = {}
    for theme in REQUIRED_THEMES:
        tp = sum(p == theme and r["theme"] == theme for p, r in zip(predicted, labelled))
        fp = sum(p == theme and r["theme"] != theme for p, r in zip(predicted, labelled))
        fn = sum(p != theme and r["theme"] == theme for p, r in zip(predicted, labelled))
        scores[theme] = {"precision": tp / (tp + fp) if tp + fp else 0.0,
                         "recall": tp / (tp + fn) if tp + fn else 0.0, "labelled": tp + fn}
    return scores


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    tp = sub.add_parser("throughput")
    tp.add_argument("source_run", type=Path)
    tp.add_argument("--n", type=int, default=2000)
    tp.add_argument("--repeat-minilm", type=int, default=2)
    tp.add_argument("--repeat-static", type=int, default=6)
    args = parser.parse_args(argv)
    if args.command == "throughput":
        import logging
        import warnings

        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        result = _throughput(args.source_run, args.n, args.repeat_minilm, args.repeat_static)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
