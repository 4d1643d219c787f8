"""Scale-up generator: the bundled corpus's published run -> synthetic runs of N passages.

Whole documents of the source run are resampled with replacement (so passages keep their
neighbours, offsets into the document text stay valid, and people mentions are copied
along with their passages) until N passages are reached (the last document is cut short).
Every copy gets a new doc_id (`syn-0000042`) and passage_id (`syn-0000042:1`), a date
drawn uniformly from 2023-01-01..2025-12-31 and one of ~20 synthetic outlets (Zipf-like
shares). Topic assignments (topic_id, topic_probability, theme) are those of the source
passage. trends / month_totals / months / people are computed with the project's own
`pipelines.aggregates` functions, exactly as `pipelines.build` does.

The result is a complete run folder (`OUT/runs/<id>/` + `OUT/current`, the same tables as a
real build, the source run's topic_model/, and manifest.json with "synthetic": true) that
`create_app(OUT/current)` and `discourse serve --out OUT` can load. It is written once and
reused while the generator version, size, seed and source run are unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

GENERATOR_VERSION = 2  # 2: runs carry search_index.parquet
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
N_OUTLETS = 20
OUTLETS = [
    "Synthetic Wire", "Synthetic Times", "Synthetic Post", "Synthetic Ledger", "Synthetic Tribune",
    "Synthetic Herald", "Synthetic Review", "Synthetic Policy Blog", "Synthetic Gazette",
    "Synthetic Observer", "Synthetic Dispatch", "Synthetic Monitor", "Synthetic Chronicle",
    "Synthetic Signal", "Synthetic Briefing", "Synthetic Journal", "Synthetic Courier",
    "Synthetic Bulletin", "Synthetic Digest", "Synthetic Forum",
]
SIZES = {"2k": 2_000, "100k": 100_000, "1m": 1_000_000}


def parse_size(text: str) -> int:
    """'100k' -> 100_000, '1m' -> 1_000_000, '2500' -> 2500."""
    text = text.strip().lower().replace("_", "")
    if text in SIZES:
        return SIZES[text]
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * factor)
    return int(text)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass
class SyntheticRun:
    out: Path  # the --out folder (holds runs/ and current)
    run_dir: Path  # out/current resolved
    n_passages: int
    seconds: float | None  # generation time; None when the cached run was reused
    peak_rss: int | None = None


def _outlet_weights() -> np.ndarray:
    weights = 1.0 / np.arange(1, N_OUTLETS + 1) ** 0.8
    return weights / weights.sum()


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _source_fingerprint(source_run: Path) -> str:
    manifest = json.loads((source_run / "manifest.json").read_text())
    files = manifest.get("files", {})
    return "|".join(f"{name}:{files.get(f'{name}.parquet', {}).get('sha256', '?')[:16]}"
                    for name in ("documents", "passages", "mentions", "topics"))


def cached_run(out: Path, n_passages: int, seed: int, source_run: Path) -> Path | None:
    """The existing synthetic run in `out` when it matches; else None."""
    current = out / "current"
    manifest_path = current / "manifest.json"
    if not manifest_path.is_file():
        return None
    try:
        synthetic = json.loads(manifest_path.read_text()).get("synthetic_spec", {})
    except ValueError:
        return None
    wanted = {"generator_version": GENERATOR_VERSION, "passages": n_passages, "seed": seed,
              "source": _source_fingerprint(source_run)}
    if all(synthetic.get(k) == v for k, v in wanted.items()):
        return current.resolve()
    return None


def resample(source_run: Path, n_passages: int, seed: int = 0) -> dict[str, pl.DataFrame]:
    """The scaled-up documents, passages (without `people`) and mentions, plus topics."""
    documents = pl.read_parquet(source_run / "documents.parquet")
    passages = pl.read_parquet(source_run / "passages.parquet")
    mentions = pl.read_parquet(source_run / "mentions.parquet")
    topics = pl.read_parquet(source_run / "topics.parquet")
    passage_columns = passages.columns
    rng = np.random.default_rng(seed)

    per_doc = passages.group_by("doc_id").len().sort("doc_id")
    src_doc = per_doc["doc_id"].to_numpy()
    counts = per_doc["len"].to_numpy()
    draws = int(n_passages / counts.mean() * 1.2) + 16
    picks = rng.integers(0, len(src_doc), draws)
    while counts[picks].sum() < n_passages:  # pragma: no cover - 20 % slack is plenty
        picks = np.concatenate([picks, rng.integers(0, len(src_doc), draws)])
    n_docs = int(np.searchsorted(np.cumsum(counts[picks]), n_passages) + 1)
    picks = picks[:n_docs]
    span = (LAST_DAY - FIRST_DAY).days + 1
    plan = pl.DataFrame({
        "syn": np.arange(n_docs, dtype=np.int64),
        "src_doc_id": src_doc[picks],
        "date": pl.Series(rng.integers(0, span, n_docs), dtype=pl.Int32),
        "outlet": rng.choice(N_OUTLETS, n_docs, p=_outlet_weights()).astype(np.int32),
    }).with_columns(
        doc_id=pl.lit("syn-") + pl.col("syn").cast(pl.String).str.zfill(7),
        date=pl.lit(FIRST_DAY) + pl.duration(days=pl.col("date")),
        source=pl.col("outlet").replace_strict(dict(enumerate(OUTLETS)), return_dtype=pl.String),
    ).with_columns(month=pl.col("date").dt.truncate("1mo")).drop("outlet")

    syn_passages = (
        plan.select("syn", "src_doc_id", "doc_id", "date", "month", "source")
        .join(passages.drop("people").rename({"doc_id": "src_doc_id", "passage_id": "src_passage_id",
                                              "date": "_d", "month": "_m", "source": "_s"}),
              on="src_doc_id", how="inner")
        .sort("syn", "ordinal")
        .head(n_passages)
        .with_columns(passage_id=pl.col("doc_id") + ":" + pl.col("ordinal").cast(pl.String))
    )
    syn_mentions = (
        syn_passages.select("src_passage_id", "passage_id", "doc_id")
        .join(mentions.drop("doc_id").rename({"passage_id": "src_passage_id"}),
              on="src_passage_id", how="inner", maintain_order="left")
        .select(mentions.columns)
    )
    syn_documents = (
        plan.join(documents.drop("date", "month", "source").rename({"doc_id": "src_doc_id"}),
                  on="src_doc_id", how="inner", maintain_order="left")
        .with_columns(
            origin=pl.lit("synthetic/") + pl.col("origin"),
            metadata=pl.lit('{"synthetic_copy_of": "') + pl.col("src_doc_id") + pl.lit('"}'),
        )
        .select(documents.columns)
    )
    # Topics: same rows, recounted sizes, representatives re-pointed at copies of them.
    sizes = syn_passages.group_by("topic_id").agg(new_size=pl.len().cast(pl.UInt32))
    first_copy = (syn_passages.select("src_passage_id", "passage_id")
                  .unique("src_passage_id", keep="first", maintain_order=True))
    reps = (
        topics.select("topic_id", "representative_passage_ids").explode("representative_passage_ids")
        .join(first_copy, left_on="representative_passage_ids", right_on="src_passage_id", how="inner")
        .group_by("topic_id").agg(pl.col("passage_id").head(3).alias("reps"))
    )
    fallback = syn_passages.group_by("topic_id").agg(pl.col("passage_id").head(3).alias("fallback"))
    syn_topics = (
        topics.join(sizes, on="topic_id", how="left").join(reps, on="topic_id", how="left")
        .join(fallback, on="topic_id", how="left")
        .with_columns(
            size=pl.col("new_size").fill_null(0),
            representative_passage_ids=pl.coalesce(pl.col("reps"), pl.col("fallback"),
                                                   pl.lit([], dtype=pl.List(pl.String))),
        ).select(topics.columns)
    )
    keep = [c for c in passage_columns if c != "people"]
    return {
        "documents": syn_documents,
        "passages": syn_passages.select(keep),
        "mentions": syn_mentions,
        "topics": syn_topics,
        "rejects": pl.read_parquet(source_run / "rejects.parquet").clear(),
    }


def generate(source_run: Path, n_passages: int, out: Path, seed: int = 0,
             force: bool = False) -> SyntheticRun:
    """Write (once) a synthetic run of `n_passages` passages into `out`; reuse it later."""
    from pipelines import aggregates, search_index
    from pipelines.artifacts import (
        OUTLIER_TOPIC, PUBLISHED, TOPIC_MODEL_FOLDER, Manifest, empty, write_manifest, write_table,
    )
    from pipelines.passage_themes import zero_shot_rows
    from pipelines.build import new_run_folder, publish
    from pipelines.people import DEFAULT_REGISTRY, load_registry

    source_run = Path(source_run).resolve()
    if not force and (existing := cached_run(out, n_passages, seed, source_run)):
        return SyntheticRun(out, existing, n_passages, None)
    began = time.perf_counter()
    started = dt.datetime.now(dt.timezone.utc)
    tables = resample(source_run, n_passages, seed)
    timings = {"resample": round(time.perf_counter() - began, 3)}

    t0 = time.perf_counter()
    passages, mentions = tables["passages"].lazy(), tables["mentions"].lazy()
    months, people, with_people = pl.collect_all([
        aggregates.month_coverage(tables["documents"].lazy(), passages),
        aggregates.people_summary(mentions, load_registry(DEFAULT_REGISTRY).frame().lazy()),
        aggregates.passages_with_people(passages, mentions),
    ])
    trends, totals = aggregates.trend_tables(with_people)
    tables.update(passages=with_people, trends=trends, month_totals=totals, months=months, people=people,
                  search_index=search_index.word_postings(with_people),
                  # one theme per passage, its primary one: the trends above count each passage once
                  passage_themes=zero_shot_rows(with_people), theme_quality=empty("theme_quality"),
                  statements=empty("statements"))  # statements are measured on their own (statements_bench.py)
    timings["aggregates"] = round(time.perf_counter() - t0, 3)

    t0 = time.perf_counter()
    if out.exists() and force:
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    run_id, folder = new_run_folder(out)
    rows = {name: write_table(folder, name, tables[name]) for name in PUBLISHED}
    if (source_run / TOPIC_MODEL_FOLDER).is_dir():
        shutil.copytree(source_run / TOPIC_MODEL_FOLDER, folder / TOPIC_MODEL_FOLDER)
    timings["write"] = round(time.perf_counter() - t0, 3)
    source_manifest = json.loads((source_run / "manifest.json").read_text())
    label = size_label(n_passages)
    manifest = Manifest.model_validate({
        "run_id": run_id, "kind": "synthetic", "parent_run": source_manifest.get("run_id"),
        "synthetic": True,
        "synthetic_spec": {
            "generator": "benchmarks/synth.py", "generator_version": GENERATOR_VERSION,
            "passages": n_passages, "seed": seed, "source": _source_fingerprint(source_run),
            "source_run": str(source_run), "dates": f"{FIRST_DAY}..{LAST_DAY} uniform",
            "outlets": N_OUTLETS, "generator_peak_rss": _peak_rss(),
            "note": "SYNTHETIC benchmark data: passages of the bundled (illustrative) corpus "
                    "resampled with new ids, dates and outlets. Not a real corpus.",
        },
        "started_at": started.isoformat(),
        "corpus": [f"SYNTHETIC {label} passages resampled from "
                   + ", ".join(source_manifest.get("corpus", []))],
        "illustrative": True,
        "config": {"synthetic": True, "source_config": source_manifest.get("config")},
        "inputs": [], "versions": source_manifest.get("versions", {}),
        "embedding": source_manifest.get("embedding"),
        "counts": {
            "records_read": tables["documents"].height, "documents_accepted": tables["documents"].height,
            "documents_rejected": 0, "duplicates": 0, "passages": tables["passages"].height,
            "mentions": tables["mentions"].height, "people": tables["people"].height,
            "topics": tables["topics"].filter(pl.col("topic_id") != OUTLIER_TOPIC).height,
            "outlier_share": round(float((tables["passages"]["topic_id"] == OUTLIER_TOPIC).mean() or 0.0), 4),
        },
        "rows": rows,
        "timings": timings,
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(),
    })
    write_manifest(folder, manifest)
    final = publish(out, folder, run_id, keep=1)
    return SyntheticRun(out, final, n_passages, time.perf_counter() - began)


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.synth SIZE OUT [--source RUN]`: one synthetic run."""
    import argparse

    from benchmarks.common import CACHE
    from benchmarks.sources import ensure_source_run

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("size", help="e.g. 100k, 1m, 2500")
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--source", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    source = args.source or ensure_source_run()
    out = args.out or CACHE / f"synthetic-{size_label(n)}"
    result = generate(source, n, out, args.seed, args.force)
    verb = "reused" if result.seconds is None else f"generated in {result.seconds:.1f} s"
    print(f"SYNTHETIC run ({n:,} passages, not a real corpus) {verb}: {result.run_dir}")


if __name__ == "__main__":
    main()
