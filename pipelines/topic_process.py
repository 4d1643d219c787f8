"""The topics stage of a large corpus in a child process.

BERTopic's import (it brings torch and transformers) and its fit's working memory come to
about 1.5 GB at a million passages, and a process keeps most of what it once allocated. In a
child they are returned to the system when the stage ends, so the build's own process stays
small for the stages after it. The child reads the passages' text from a Parquet file in the
build's scratch folder and the vectors from their .npy files (pipelines/embeddings.py,
`DiskVectors`), loads the same embedder, and returns the same tables the build's process
would have made (tests/test_bounded_memory.py compares them).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.embedders import load_embedder
from pipelines.embeddings import EmbeddingConfig, EmbeddingResult
from pipelines.topic_cache import TopicTables
from pipelines.topic_sampling import fit_topics_on_sample, stratified_sample
from pipelines.topics import TopicConfig

PASSAGE_COLUMNS = ("passage_id", "doc_id", "text", "month")  # all that topic modelling reads
DOCUMENT_COLUMNS = ("doc_id", "title")


class TopicProcessError(RuntimeError):
    """The child process ended without an answer (killed, or out of memory)."""


def fit_topics_in_child(scratch: Path, cache: Path, reuse: bool, config: TopicConfig, documents: pl.DataFrame,
                        passages: pl.DataFrame, embedding: EmbeddingConfig, vectors: EmbeddingResult,
                        titles: EmbeddingResult, themes: list, model_folder: Path,
                        theme_index: np.ndarray | None, sample: int) -> tuple[TopicTables, int]:
    """`fit_topics_on_sample` run in a fresh (spawned) process; the same result. `vectors` and
    `titles` should be kept on disk: in memory they are copied to the child."""
    scratch.mkdir(parents=True, exist_ok=True)
    passages_file, documents_file = scratch / "topic-passages.parquet", scratch / "topic-documents.parquet"
    passages.select(PASSAGE_COLUMNS).write_parquet(passages_file)
    documents.select(DOCUMENT_COLUMNS).write_parquet(documents_file)
    job = (cache, reuse, config, documents_file, passages_file, embedding, vectors, titles, themes, model_folder,
           theme_index, sample)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(_fit_in_child, *job).result()
    except BrokenProcessPool:
        raise TopicProcessError("the topic-modelling process ended without finishing (killed, or out of memory); "
                                "nothing was published") from None
    finally:
        passages_file.unlink(missing_ok=True)
        documents_file.unlink(missing_ok=True)


def _fit_in_child(cache: Path, reuse: bool, config: TopicConfig, documents_file: Path, passages_file: Path,
                  embedding: EmbeddingConfig, vectors: EmbeddingResult, titles: EmbeddingResult, themes: list,
                  model_folder: Path, theme_index: np.ndarray | None, sample: int) -> tuple[TopicTables, int]:
    """What the child runs: read the inputs, load the embedder, fit and assign."""
    passages = _passages_needed(passages_file, sample, config.random_state, theme_index is None)
    return fit_topics_on_sample(cache, reuse, config, pl.read_parquet(documents_file), passages,
                                load_embedder(embedding), vectors, titles, themes, model_folder, theme_index, sample)


def _passages_needed(passages_file: Path, sample: int, seed: int, all_text: bool) -> pl.DataFrame:
    """The passages, with the text only of those the fit samples (`fit_topics_on_sample`'s rows)
    unless `all_text`: the others are placed by their vectors and their primary theme, so at a
    million passages 0.4 GB of text stays on disk. Without primary themes the zero-shot scorer
    reads every text."""
    if all_text:
        return pl.read_parquet(passages_file, columns=list(PASSAGE_COLUMNS))
    keys = pl.read_parquet(passages_file, columns=[c for c in PASSAGE_COLUMNS if c != "text"])
    rows = stratified_sample(keys["month"], sample, seed)
    sampled = np.zeros(keys.height, dtype=bool)
    sampled[rows] = True
    text = (pl.scan_parquet(passages_file).select(pl.when(pl.lit(pl.Series(sampled))).then(pl.col("text")))
            .collect()["text"])
    return keys.with_columns(text).select(PASSAGE_COLUMNS)
