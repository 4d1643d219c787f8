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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from pipelines import corrections as review
from pipelines import passage_themes
from pipelines.embeddings import EmbeddingCache, EmbeddingResult
from pipelines.files import publish_folder, staging_folder
from pipelines.theme_classifier import ClassifierConfig, FeatureInputs, ThemeClassifier, theme_features
from pipelines.theme_labels import (
    DEFAULT_CORPORA, LABEL_DIR, LabelledPassages, label_files, read_label_files, resolve_labels,
    text_sha1,
)
from pipelines.theme_training import LABEL_CACHE_DIR, fitted_classifier, training_set
from pipelines.themes import Theme

VectorRows = np.ndarray | EmbeddingResult  # rows as passages, read by index
FEATURE_CHUNK = 100_000  # passages whose theme features are computed at once
NEAR_DUPLICATE = 0.95  # cosine at which a passage takes a reviewed passage's correction
QUALITY_SCHEMA = {"theme": pl.String, "subset": pl.String, "positives": pl.Int64,
                  "precision": pl.Float64, "recall": pl.Float64, "f1": pl.Float64}


class ThemeLabelConfig(BaseModel):
    """Where labelled passages come from (recorded in the manifest)."""

    label_dir: Path = LABEL_DIR
    corrections: list[Path] = Field(default_factory=list)  # review corrections (corrections.jsonl)
    corpora: dict[str, Path] = Field(default_factory=lambda: dict(DEFAULT_CORPORA))
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    cache_dir: Path = LABEL_CACHE_DIR  # labelled passages' embeddings and fitted classifiers

    def with_corrections_of(self, out: Path) -> "ThemeLabelConfig":
        """This config plus the review corrections kept under the output folder `out`."""
        path = review.corrections_path(out)
        if not path.is_file() or path in self.corrections:
            return self
        return self.model_copy(update={"corrections": [*self.corrections, path]})


Scorer = Callable[[ThemeClassifier, FeatureInputs, list[Theme], object, int], np.ndarray]


def local_probabilities(classifier: ThemeClassifier, inputs: FeatureInputs, themes: list[Theme],
                        embedder, cap: int) -> np.ndarray:  # noqa: ANN001 - an Embedder
    return classifier.probabilities(theme_features(inputs, themes, embedder, cap), inputs.passages["text"])


def document_chunks(doc_ids: pl.Series, size: int) -> list[np.ndarray]:
    """Row numbers in chunks of about `size` passages, each document's passages in one chunk
    (features look at the whole document)."""
    rows = doc_ids.to_frame("doc_id").with_row_index("row")
    per_doc = rows.group_by("doc_id", maintain_order=True).len("n").with_columns(
        chunk=(pl.col("n").cum_sum() - pl.col("n")) // size)
    chunked = rows.join(per_doc.select("doc_id", "chunk"), on="doc_id", maintain_order="left")
    return [part["row"].to_numpy() for _, part in chunked.group_by("chunk", maintain_order=True)]


def _rows_of(vectors: VectorRows, rows: np.ndarray) -> np.ndarray:
    """vectors[rows], read as one range when the rows are an unbroken run."""
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows) and (np.diff(rows) == 1).all():
        return vectors[int(rows[0]):int(rows[-1]) + 1]
    return vectors[rows]


def corpus_probabilities(classifier: ThemeClassifier, passages: pl.DataFrame, vectors: VectorRows,
                         titles: EmbeddingResult, themes: list[Theme], embedder, cap: int,  # noqa: ANN001
                         scorer: Scorer, chunk: int = FEATURE_CHUNK) -> np.ndarray:
    """passages x themes probabilities, computed a chunk of documents at a time so that only
    one chunk's feature matrix (and title vectors) is held at once."""
    probs = np.zeros((passages.height, len(themes)), dtype=np.float32)
    for rows in document_chunks(passages["doc_id"], chunk):
        part = passages[rows].select("passage_id", "doc_id", "text")
        inputs = FeatureInputs(part, _rows_of(vectors, rows), _rows_of(titles, rows), part.select("doc_id", "text"))
        probs[rows] = scorer(classifier, inputs, themes, embedder, cap)
    return probs


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


def classify_themes(passages: pl.DataFrame, documents: pl.DataFrame, vectors: VectorRows,
                    titles: EmbeddingResult, themes: list[Theme], embedder,  # noqa: ANN001
                    cache: EmbeddingCache | None, classifier_cache: Path | None,
                    config: ThemeLabelConfig, scorer: Scorer | None = None) -> ThemeStageResult:
    """The corpus passages' themes (see the module docstring). `scorer` computes the
    classifiers' probabilities (the build's engine; by default here)."""
    labels = read_label_files(label_files(config.label_dir))
    corrected = corrected_in_corpus(config.corrections, passages)
    labelled = with_corrections(resolve_labels(labels, config.corpora), corrected, passages,
                                documents)
    data = training_set(labelled, themes, embedder, cache, config.classifier)
    record = {"label_rows": labels.height, "labelled_passages": int(len(data.y)),
              "labels_not_used": data.skipped, "corrections": corrected.height,
              "corrections_not_found": _corrections_not_found(config.corrections, corrected)}
    if len(data.y) == 0 or not data.y.any():
        return ThemeStageResult(pl.DataFrame(schema=passage_themes.SCHEMA), None,
                                pl.DataFrame(schema=QUALITY_SCHEMA),
                                record | {"classifier": "none: zero-shot scorer"})
    classifier, quality, reused = fitted_classifier(data, themes, embedder.identity,
                                                    config.classifier, classifier_cache)
    probs = corpus_probabilities(classifier, passages, vectors, titles, themes, embedder,
                                 config.classifier.seed_cap, scorer or local_probabilities)
    assigned = classifier.assigned(probs)
    in_corpus = corrected_with_near_duplicates(
        labelled_in_corpus(labels, passages, documents), corrected, passages, vectors)
    table = passage_themes.with_labels(
        passage_themes.model_rows(passages["passage_id"], probs, assigned, themes), in_corpus)
    primary = passage_themes.apply_primary(passage_themes.primary_theme(probs, assigned),
                                           passages["passage_id"], in_corpus, themes)
    record |= {"classifier": "per theme, logistic regressions over embeddings and over words, averaged",
               "classifier_reused": reused,
               "thresholds": {k: round(v, 4) for k, v in classifier.thresholds.items()},
               "themes_without_classifier": [t.key for t in themes
                                             if t.key not in classifier.models]}
    return ThemeStageResult(table, primary, quality.cast(QUALITY_SCHEMA), record)


def corrected_in_corpus(paths: list[Path], passages: pl.DataFrame) -> pl.DataFrame:
    """passage_id, doc_id, text, themes: the latest correction of each corpus passage that
    is still the same text (a correction of a passage since changed is not used)."""
    frames = [review.read_corrections(p) for p in paths]
    if not frames:
        return pl.DataFrame(schema={"passage_id": pl.String, "doc_id": pl.String,
                                    "text": pl.String, "themes": pl.List(pl.String)})
    last = review.latest(pl.concat(frames)).select("passage_id", "sha1", "themes")
    found = passages.select("passage_id", "doc_id", "text").join(last, on="passage_id")
    same = found["text"].map_elements(text_sha1, return_dtype=pl.String) == found["sha1"]
    return found.filter(same).select("passage_id", "doc_id", "text", "themes")


def _corrections_not_found(paths: list[Path], corrected: pl.DataFrame) -> int:
    if not paths:
        return 0
    passages = review.latest(pl.concat([review.read_corrections(p) for p in paths]))
    return passages.height - corrected.height


def with_corrections(labelled: LabelledPassages, corrected: pl.DataFrame,
                     passages: pl.DataFrame, documents: pl.DataFrame) -> LabelledPassages:
    """The labelled passages plus the corrected corpus passages (source "correction"); a
    correction replaces the labels of the same paragraph text."""
    if corrected.is_empty():
        return labelled
    prefix = pl.lit("correction:")
    rows = corrected.select(
        "passage_id", (prefix + pl.col("doc_id")).alias("doc_id"), "text",
        pl.lit("correction").alias("source"), pl.lit("").alias("origin"),
        (prefix + pl.col("passage_id")).alias("key"), "themes",
        pl.lit("correction").alias("picked_for"))
    context = (passages.filter(pl.col("doc_id").is_in(corrected["doc_id"].implode()))
               .select("passage_id", (prefix + pl.col("doc_id")).alias("doc_id"), "text"))
    titles = documents.filter(pl.col("doc_id").is_in(corrected["doc_id"].implode())).select(
        (prefix + pl.col("doc_id")).alias("doc_id"), pl.col("title").fill_null(""))
    kept = labelled.passages.filter(~pl.col("text").is_in(corrected["text"].implode()))
    return LabelledPassages(pl.concat([kept, rows.select(kept.columns)]),
                            pl.concat([labelled.documents, context]),
                            pl.concat([labelled.titles, titles]), labelled.skipped)


def corrected_with_near_duplicates(in_corpus: pl.DataFrame, corrected: pl.DataFrame,
                                   passages: pl.DataFrame, vectors: VectorRows) -> pl.DataFrame:
    """passage_id, themes of the corpus passages whose themes are given, not predicted:
    labelled passages, corrected passages, and passages near-identical to a corrected one
    (cosine >= NEAR_DUPLICATE: the same paragraph syndicated or lightly edited). A
    correction wins over a label."""
    if corrected.is_empty():
        return in_corpus
    rows = passages.with_row_index("_row").join(corrected.select("passage_id"),
                                                on="passage_id")["_row"].to_numpy()
    copies = []
    for start in range(0, len(vectors), 65536):  # bounded memory on large corpora
        sims = vectors[start:start + 65536] @ vectors[rows].T
        best = sims.argmax(axis=1)
        near = np.flatnonzero(sims[np.arange(len(best)), best] >= NEAR_DUPLICATE)
        copies += [(start + int(i), int(rows[best[i]])) for i in near]
    ids, themes = passages["passage_id"].to_list(), dict(zip(corrected["passage_id"], corrected["themes"]))
    propagated = pl.DataFrame({"passage_id": [ids[i] for i, _ in copies],
                               "themes": [themes[ids[j]] for _, j in copies]},
                              schema={"passage_id": pl.String, "themes": pl.List(pl.String)})
    given = pl.concat([corrected.select("passage_id", "themes"), propagated])
    labelled_only = in_corpus.join(given, on="passage_id", how="anti")
    return pl.concat([given.unique("passage_id", keep="first", maintain_order=True),
                      labelled_only])


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
    tmp = staging_folder(entry)
    result.table.write_parquet(tmp / "passage_themes.parquet")
    result.quality.write_parquet(tmp / "theme_quality.parquet")
    if result.primary is not None:
        np.save(tmp / "primary.npy", result.primary)
    (tmp / "record.json").write_text(json.dumps(result.record, default=str))
    publish_folder(tmp, entry, complete="record.json")


def load_stage(entry: Path) -> ThemeStageResult | None:
    """A cached stage result, or None."""
    if not (entry / "record.json").is_file():
        return None
    primary = np.load(entry / "primary.npy") if (entry / "primary.npy").is_file() else None
    record = json.loads((entry / "record.json").read_text()) | {"stage_reused": True}
    return ThemeStageResult(pl.read_parquet(entry / "passage_themes.parquet"), primary,
                            pl.read_parquet(entry / "theme_quality.parquet"), record)
