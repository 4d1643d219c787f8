"""Theme classifiers from labelled examples: the labelled passages embedded and turned into
features (pipelines/theme_classifier.py), then either fitted for a build or evaluated
held-out (`discourse themes --evaluate`). Embeddings go through the build's cache, and a
fitted classifier is cached by everything it depends on, so an unchanged rebuild does not
train again.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.config import REPO_ROOT
from pipelines.embeddings import EmbeddingCache, embed_texts
from pipelines.files import publish_folder, staging_folder
from pipelines.theme_classifier import (
    ClassifierConfig, FeatureInputs, ThemeClassifier, evaluate, fit_classifier, label_matrix,
    quality, theme_features,
)
from pipelines.theme_labels import LabelledPassages, read_label_files, resolve_labels
from pipelines.themes import Theme

CACHE_CODE = 2  # bump when training changes in a way the config does not show
# labelled passages' embeddings (embeddings/) and fitted classifiers (classifiers/), shared by every
# build and evaluation on this machine (keyed by content, so sharing never changes a result)
LABEL_CACHE_DIR = REPO_ROOT / ".cache" / "theme-labels"
LABEL_EMBEDDINGS = LABEL_CACHE_DIR / "embeddings"


def label_embedding_cache(embedder, folder: Path = LABEL_EMBEDDINGS) -> EmbeddingCache:  # noqa: ANN001
    """The labelled passages' embedding cache for `embedder` (shared by builds and evaluations)."""
    return EmbeddingCache(folder, embedder.identity, embedder.dimension)


@dataclass
class TrainingSet:
    """Labelled passages as a feature matrix, their theme labels and document groups."""

    passages: pl.DataFrame  # passage_id, doc_id, source, key, themes, picked_for
    x: np.ndarray
    texts: np.ndarray  # the passages' text, for the word model
    y: np.ndarray
    groups: np.ndarray
    skipped: dict[str, int]


def _titles(labelled: LabelledPassages) -> pl.Series:
    return labelled.passages.select("doc_id").join(
        labelled.titles, on="doc_id", how="left", maintain_order="left")["title"].fill_null("")


def training_set(labelled: LabelledPassages, themes: list[Theme], embedder,  # noqa: ANN001
                 cache: EmbeddingCache | None, config: ClassifierConfig) -> TrainingSet:
    """Embed the labelled passages (and their documents' titles) and compute features."""
    passages = labelled.passages
    vectors = embed_texts(passages["text"], embedder, cache).vectors
    titles = embed_texts(_titles(labelled), embedder, cache).vectors
    inputs = FeatureInputs(passages.select("passage_id", "doc_id", "text"), vectors, titles,
                           labelled.documents.select("doc_id", "text"))
    x = theme_features(inputs, themes, embedder, config.seed_cap)
    groups = passages["doc_id"].cast(pl.Categorical).to_physical().to_numpy()
    return TrainingSet(passages.drop("text"), x, np.asarray(passages["text"].to_list(), dtype=object),
                       label_matrix(passages["themes"], themes), groups, labelled.skipped)


def load_training_set(label_paths: list[Path], themes: list[Theme], embedder,  # noqa: ANN001
                      cache: EmbeddingCache | None, config: ClassifierConfig,
                      corpora: dict[str, Path] | None = None) -> TrainingSet:
    return training_set(resolve_labels(read_label_files(label_paths), corpora), themes,
                        embedder, cache, config)


def held_out_quality(data: TrainingSet, themes: list[Theme], config: ClassifierConfig
                     ) -> pl.DataFrame:
    """Per theme: precision, recall, F1 of nested grouped k-fold decisions, on all labelled
    passages and on each source alone."""
    decided = evaluate(data.x, data.texts, data.y, data.groups, themes, config)
    frames = [quality(decided, data.y, themes, "all")]
    sources = data.passages["source"].to_numpy()
    for source in sorted(set(sources)):
        rows = sources == source
        frames.append(quality(decided[rows], data.y[rows], themes, source))
    return pl.concat(frames)


def cache_key(data: TrainingSet, themes: list[Theme], embedder_identity: str,
              config: ClassifierConfig) -> str:
    """Everything a fitted classifier depends on."""
    digest = hashlib.sha256(json.dumps({
        "code": CACHE_CODE, "embedder": embedder_identity, "config": config.model_dump(),
        "themes": [t.model_dump() for t in themes],
    }, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(data.x).tobytes())
    digest.update(json.dumps(data.texts.tolist()).encode())
    digest.update(np.packbits(data.y).tobytes())
    digest.update(np.ascontiguousarray(data.groups).tobytes())
    return digest.hexdigest()[:32]


def fitted_classifier(data: TrainingSet, themes: list[Theme], embedder_identity: str,
                      config: ClassifierConfig, cache_dir: Path | None
                      ) -> tuple[ThemeClassifier, pl.DataFrame, bool]:
    """(classifier, held-out quality, reused) for `data`, from the cache when the same
    labels, features, themes and config were fitted before."""
    entry = None if cache_dir is None else Path(cache_dir) / cache_key(
        data, themes, embedder_identity, config)
    if entry is not None and (entry / "classifier.pkl").is_file():
        with open(entry / "classifier.pkl", "rb") as handle:
            classifier = pickle.load(handle)  # written by this module only, below
        return classifier, pl.read_parquet(entry / "quality.parquet"), True
    classifier = fit_classifier(data.x, data.texts, data.y, data.groups, themes, config)
    figures = held_out_quality(data, themes, config)
    if entry is not None:  # written aside, then renamed: a killed build leaves no half entry
        tmp = staging_folder(entry)
        figures.write_parquet(tmp / "quality.parquet")
        with open(tmp / "classifier.pkl", "wb") as handle:
            pickle.dump(classifier, handle)
        publish_folder(tmp, entry, complete="classifier.pkl")
    return classifier, figures, False
