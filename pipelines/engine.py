"""Where a build's per-passage work runs: in the build's own process (`local`, the default) or
on a Ray cluster (`ray`, pipelines/ray_engine.py, an optional install).

Both engines run the same stage functions on the same inputs; the Ray engine only cuts the
work into shards of whole documents and runs them on Ray Data workers. The orchestrator
(pipelines/build.py) calls the four operations below and never knows which engine it has:

    split_and_match(documents)        -> passages, mentions, statements (None: later, cached)
    embed([texts, ...], embedder, cache) -> vectors of each series, through the embedding cache
    theme_probabilities(...)          -> passages x themes probabilities of the classifiers
    assign_topics(...)                -> topics of the passages BERTopic was not fitted on
    trend_tables(with_people, memberships) -> trends, month_totals
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from pipelines import aggregates
from pipelines.embeddings import Embedder, EmbeddingCache, EmbeddingResult, ProgressCallback, embed_texts
from pipelines.passages import PassageConfig, split_passages
from pipelines.people import Registry, extract_mentions
from pipelines.theme_classifier import FeatureInputs, ThemeClassifier
from pipelines.theme_stage import local_probabilities
from pipelines.themes import Theme
from pipelines.topics import SavedTopicModel, assign_new_passages


class RayOptions(BaseModel):
    """How the Ray engine runs (docs/SCALING.md)."""

    address: str | None = None  # a running cluster (`ray start --head`); None: a local one
    workers: int = Field(2, ge=1)  # embedding actors, and the CPUs of a local cluster
    shard_documents: int = Field(2_000, ge=1)  # documents per shard of the per-document stages
    embed_batch: int = Field(512, ge=1)  # texts per embedding task


class EngineConfig(BaseModel):
    """Which engine a build uses (recorded in the manifest's config)."""

    kind: Literal["local", "ray"] = "local"
    ray: RayOptions = Field(default_factory=RayOptions)


class Engine(Protocol):
    name: str

    def split_and_match(self, documents: pl.DataFrame, passage_config: PassageConfig, registry: Registry
                        ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]: ...

    def embed(self, texts: list[pl.Series], embedder: Embedder, cache: EmbeddingCache,
              progress: ProgressCallback | None = None, spill_dir: Path | None = None) -> list[EmbeddingResult]: ...

    def theme_probabilities(self, classifier: ThemeClassifier, inputs: FeatureInputs, themes: list[Theme],
                            embedder: Embedder, cap: int) -> np.ndarray: ...

    def assign_topics(self, saved: SavedTopicModel, topics: pl.DataFrame, passages: pl.DataFrame,
                      vectors: np.ndarray, titles: np.ndarray, embedder: Embedder,
                      theme_index: np.ndarray | None) -> pl.DataFrame: ...

    def trend_tables(self, with_people: pl.DataFrame, memberships: pl.DataFrame
                     ) -> tuple[pl.DataFrame, pl.DataFrame]: ...


class LocalEngine:
    """Everything in this process, one stage after another."""

    name = "local"

    def split_and_match(self, documents: pl.DataFrame, passage_config: PassageConfig, registry: Registry
                        ) -> tuple[pl.DataFrame, pl.DataFrame, None]:
        passages = split_passages(documents.lazy(), passage_config).collect()
        return passages, extract_mentions(documents, passages.lazy(), registry), None

    def embed(self, texts: list[pl.Series], embedder: Embedder, cache: EmbeddingCache,
              progress: ProgressCallback | None = None, spill_dir: Path | None = None) -> list[EmbeddingResult]:
        """Each series in turn (progress: of the first); `spill_dir`: keep the vectors in files
        there instead of in memory."""
        return [embed_texts(series, embedder, cache, progress=progress if i == 0 else None,
                            spill=None if spill_dir is None else Path(spill_dir) / f"vectors-{i}.npy")
                for i, series in enumerate(texts)]

    def theme_probabilities(self, classifier: ThemeClassifier, inputs: FeatureInputs, themes: list[Theme],
                            embedder: Embedder, cap: int) -> np.ndarray:
        return local_probabilities(classifier, inputs, themes, embedder, cap)

    def assign_topics(self, saved: SavedTopicModel, topics: pl.DataFrame, passages: pl.DataFrame,
                      vectors: np.ndarray, titles: np.ndarray, embedder: Embedder,
                      theme_index: np.ndarray | None) -> pl.DataFrame:
        return assign_new_passages(saved, topics, passages, vectors, titles, embedder, theme_index)

    def trend_tables(self, with_people: pl.DataFrame, memberships: pl.DataFrame
                     ) -> tuple[pl.DataFrame, pl.DataFrame]:
        return aggregates.membership_trend_tables(with_people, memberships)


LOCAL = LocalEngine()
