"""Topic modelling, fitted once per distinct input: a fit is cached under a key of
everything it depends on (passages, titles, themes, the themes stage's decisions, the
embedder, the config, BERTopic's version), so an unchanged rebuild reuses it (the fit is
seeded: same key, same topics)."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.artifacts import TOPIC_MODEL_FOLDER
from pipelines.files import publish_folder, staging_folder
from pipelines.themes import SimilarityCalibration, similarity_calibration
from pipelines.topics import TopicConfig, fit_topics, save_topic_model

KEEP_ENTRIES = 3  # cached fits kept (the newest)


@dataclass
class TopicTables:
    assignments: pl.DataFrame
    topics: pl.DataFrame
    outlier_share: float
    outlier_share_before_reduction: float
    reused: bool


def _bertopic_version() -> str:
    try:
        return metadata.version("bertopic")
    except metadata.PackageNotFoundError:
        return "not installed"


def topic_cache_key(embedder_identity: str, documents: pl.DataFrame, passages: pl.DataFrame,
                    themes: list, config: TopicConfig, calibration: SimilarityCalibration | None = None,
                    theme_index: np.ndarray | None = None) -> str:
    """Everything topic modelling depends on: same key, same topics (the fit is seeded)."""
    digest = hashlib.sha256()
    parts = {
        "embedder": embedder_identity, "themes": [t.model_dump() for t in themes],
        "config": config.model_dump(mode="json"), "bertopic": _bertopic_version(),
        "code": 4,  # bump when topic modelling changes in a way the config does not show
        "theme_decisions": "zero-shot" if theme_index is None else hashlib.sha256(
            np.ascontiguousarray(theme_index, dtype=np.int32).tobytes()).hexdigest(),
    }
    if calibration is not None and not calibration.is_identity:
        parts["similarity_calibration"] = [calibration.scale, calibration.offset]
    digest.update(json.dumps(parts, sort_keys=True).encode())
    titled = passages.select("passage_id", "doc_id", "text").join(
        documents.select("doc_id", "title"), on="doc_id", how="left", maintain_order="left")
    for row in titled.iter_rows():
        digest.update("\x1f".join(str(v) for v in row).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()[:32]


def fit_or_reuse_topics(cache: Path, reuse: bool, config: TopicConfig, documents: pl.DataFrame,
                        passages: pl.DataFrame, embedder, vectors, titles, themes: list,  # noqa: ANN001
                        model_folder: Path, theme_index: np.ndarray | None = None) -> TopicTables:
    """Fit topics, or reuse the cached fit of exactly the same passages, themes and config."""
    entry = cache / topic_cache_key(embedder.identity, documents, passages, themes, config,
                                    similarity_calibration(embedder), theme_index)
    if reuse and (entry / "stats.json").is_file():
        stats = json.loads((entry / "stats.json").read_text())
        shutil.copytree(entry / TOPIC_MODEL_FOLDER, model_folder)
        return TopicTables(pl.read_parquet(entry / "assignments.parquet"), pl.read_parquet(entry / "topics.parquet"),
                           stats["outlier_share"], stats["outlier_share_before_reduction"], reused=True)
    result = fit_topics(passages, vectors.vectors, titles.vectors, themes, embedder, config, theme_index)
    save_topic_model(result, model_folder, themes, config)
    tables = TopicTables(result.assignments, result.topics, result.outlier_share,
                         result.outlier_share_before_reduction, reused=False)
    tmp = staging_folder(entry)
    shutil.copytree(model_folder, tmp / TOPIC_MODEL_FOLDER)
    tables.assignments.write_parquet(tmp / "assignments.parquet")
    tables.topics.write_parquet(tmp / "topics.parquet")
    (tmp / "stats.json").write_text(json.dumps({"outlier_share": tables.outlier_share,
                                                "outlier_share_before_reduction": tables.outlier_share_before_reduction}))
    publish_folder(tmp, entry, complete="stats.json")
    for stale in sorted((p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
                        key=lambda p: p.stat().st_mtime)[:-KEEP_ENTRIES]:
        shutil.rmtree(stale, ignore_errors=True)
    return tables
