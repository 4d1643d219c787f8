"""Themes stage: the corpus passages' named themes, from classifiers trained on the labelled
passages (pipelines/theme_training.py), with labelled corpus passages keeping their labels.

Gives the `passage_themes` and `theme_quality` tables and each passage's primary theme,
which topic modelling takes as the passage's topic. Without any usable label (no label
file, or none of their corpora on this machine) the zero-shot scorer of
pipelines/themes.py decides instead, and the manifest says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from pipelines import passage_themes
from pipelines.config import REPO_ROOT
from pipelines.embeddings import EmbeddingCache
from pipelines.theme_classifier import ClassifierConfig, FeatureInputs, theme_features
from pipelines.theme_labels import (
    DEFAULT_CORPORA, LABEL_DIR, label_files, read_label_files, resolve_labels, text_sha1,
)
from pipelines.theme_training import fitted_classifier, training_set
from pipelines.themes import Theme

QUALITY_SCHEMA = {"theme": pl.String, "subset": pl.String, "positives": pl.Int64,
                  "precision": pl.Float64, "recall": pl.Float64, "f1": pl.Float64}


class ThemeLabelConfig(BaseModel):
    """Where labelled passages come from (recorded in the manifest)."""

    label_dir: Path = LABEL_DIR
    corrections: list[Path] = Field(default_factory=list)  # review corrections to train with
    corpora: dict[str, Path] = Field(default_factory=lambda: dict(DEFAULT_CORPORA))
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    # embeddings of the labelled passages and fitted classifiers, shared by every build on
    # this machine (keyed by content, so sharing never changes a result)
    cache_dir: Path = REPO_ROOT / ".cache" / "theme-labels"


@dataclass
class ThemeStageResult:
    table: pl.DataFrame  # passage_themes (empty without a classifier)
    primary: np.ndarray | None  # theme index per passage; None: the zero-shot scorer decides
    quality: pl.DataFrame  # theme_quality
    record: dict = field(default_factory=dict)  # for the manifest


def labelled_in_corpus(labels: pl.DataFrame, passages: pl.DataFrame,
                       documents: pl.DataFrame) -> pl.DataFrame:
    """passage_id, themes of the corpus passages that are themselves labelled (same file
    path relative to the corpus folder, same offsets, same text)."""
    located = (passages.select("passage_id", "doc_id", "char_start", "char_end", "text")
               .join(documents.select("doc_id", "origin"), on="doc_id")
               .with_columns(pl.col("char_start", "char_end").cast(pl.Int64)))
    joined = located.join(labels.select("origin", "char_start", "char_end", "sha1", "themes"),
                          on=["origin", "char_start", "char_end"])
    if joined.is_empty():
        return pl.DataFrame(schema={"passage_id": pl.String, "themes": pl.List(pl.String)})
    same = joined["text"].map_elements(text_sha1, return_dtype=pl.String) == joined["sha1"]
    return joined.filter(same).select("passage_id", "themes")


def classify_themes(passages: pl.DataFrame, documents: pl.DataFrame, vectors: np.ndarray,
                    title_vectors: np.ndarray, themes: list[Theme], embedder,  # noqa: ANN001
                    cache: EmbeddingCache | None, classifier_cache: Path | None,
                    config: ThemeLabelConfig) -> ThemeStageResult:
    """The corpus passages' themes (see the module docstring)."""
    labels = read_label_files(label_files(config.label_dir) + list(config.corrections))
    labelled = resolve_labels(labels, config.corpora)
    data = training_set(labelled, themes, embedder, cache, config.classifier)
    record = {"label_rows": labels.height, "labelled_passages": int(len(data.y)),
              "labels_not_used": data.skipped, "corrections": len(config.corrections)}
    if len(data.y) == 0 or not data.y.any():
        return ThemeStageResult(pl.DataFrame(schema=passage_themes.SCHEMA), None,
                                pl.DataFrame(schema=QUALITY_SCHEMA),
                                record | {"classifier": "none: zero-shot scorer"})
    classifier, quality, reused = fitted_classifier(data, themes, embedder.identity,
                                                    config.classifier, classifier_cache)
    inputs = FeatureInputs(passages.select("passage_id", "doc_id", "text"), vectors,
                           title_vectors, passages.select("doc_id", "text"))
    probs = classifier.probabilities(theme_features(inputs, themes, embedder,
                                                    config.classifier.seed_cap))
    assigned = classifier.assigned(probs)
    in_corpus = labelled_in_corpus(labels, passages, documents)
    table = passage_themes.with_labels(
        passage_themes.model_rows(passages["passage_id"], probs, assigned, themes), in_corpus)
    primary = passage_themes.apply_primary(passage_themes.primary_theme(probs, assigned),
                                           passages["passage_id"], in_corpus, themes)
    record |= {"classifier": "logistic regression per theme", "classifier_reused": reused,
               "thresholds": {k: round(v, 4) for k, v in classifier.thresholds.items()},
               "themes_without_classifier": [t.key for t in themes
                                             if t.key not in classifier.models]}
    return ThemeStageResult(table, primary, quality.cast(QUALITY_SCHEMA), record)


def stage_key(passages: pl.DataFrame, titles: pl.Series, themes: list[Theme],
              embedder_identity: str, config: ThemeLabelConfig) -> str:
    """Everything the themes stage depends on: the passages and titles, the label files and
    corrections (their bytes), the themes, the embedder and the config."""
    digest = hashlib.sha256(json.dumps({
        "embedder": embedder_identity, "themes": [t.model_dump() for t in themes],
        "config": config.model_dump(mode="json"), "code": 1,
    }, sort_keys=True).encode())
    for path in sorted(label_files(config.label_dir)) + sorted(config.corrections):
        digest.update(str(path).encode() + Path(path).read_bytes())
    for column in (passages["passage_id"], passages["text"], titles):
        digest.update(column.hash(seed=0).to_numpy().tobytes())
    return digest.hexdigest()[:32]


def save_stage(entry: Path, result: ThemeStageResult) -> None:
    """Cache a stage's result (written to a temporary folder, then renamed into place)."""
    tmp = entry.with_name(f".{entry.name}.{uuid.uuid4().hex[:6]}.tmp")
    tmp.mkdir(parents=True)
    result.table.write_parquet(tmp / "passage_themes.parquet")
    result.quality.write_parquet(tmp / "theme_quality.parquet")
    if result.primary is not None:
        np.save(tmp / "primary.npy", result.primary)
    (tmp / "record.json").write_text(json.dumps(result.record, default=str))
    shutil.rmtree(entry, ignore_errors=True)
    os.replace(tmp, entry)


def load_stage(entry: Path) -> ThemeStageResult | None:
    """A cached stage result, or None."""
    if not (entry / "record.json").is_file():
        return None
    primary = np.load(entry / "primary.npy") if (entry / "primary.npy").is_file() else None
    record = json.loads((entry / "record.json").read_text()) | {"stage_reused": True}
    return ThemeStageResult(pl.read_parquet(entry / "passage_themes.parquet"), primary,
                            pl.read_parquet(entry / "theme_quality.parquet"), record)
