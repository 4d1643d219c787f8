"""Topic modelling of a large corpus: BERTopic fitted on a stratified sample of the passages,
the rest assigned to its topics without refitting (as `discourse update` assigns new ones).

A corpus of at most `sample` passages is fitted whole, exactly as before. Above it, each month
gives the same share of its passages (chosen by a seeded random draw over the passages in
corpus order, so both engines and every rebuild pick the same ones); the other passages take
their primary theme's topic or the nearest discovered topic (pipelines/topics.py,
`assign_new_passages`). Topic sizes count every passage. The manifest records the sample.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.artifacts import OUTLIER_TOPIC
from pipelines.topic_cache import TopicTables, fit_or_reuse_topics
from pipelines.topics import TopicConfig, assign_new_passages, load_topic_model
from pipelines.update_steps import recount_topics


def stratified_sample(months: pl.Series, size: int, seed: int) -> np.ndarray:
    """Sorted row numbers of about `size` rows, every month in proportion (at least one row of
    each month); all rows when there are no more than `size`."""
    n = len(months)
    if n <= size:
        return np.arange(n)
    priority = np.random.default_rng(seed).random(n)
    frame = pl.DataFrame({"month": months, "priority": priority}).with_row_index("row")
    picked = frame.filter(
        pl.col("priority").rank("ordinal").over("month")
        <= (pl.len().over("month") * (size / n)).floor().clip(lower_bound=1))
    return np.sort(picked["row"].to_numpy())


ASSIGN_CHUNK = 100_000  # passages placed at once: their vectors are gathered per chunk


def fit_topics_on_sample(cache: Path, reuse: bool, config: TopicConfig, documents: pl.DataFrame,
                         passages: pl.DataFrame, embedder, vectors, titles, themes: list,  # noqa: ANN001
                         model_folder: Path, theme_index: np.ndarray | None, sample: int,
                         assign: Callable = assign_new_passages) -> tuple[TopicTables, int]:
    """(topic tables of every passage, passages the model was fitted on). `assign` places the
    others (`assign_new_passages`'s signature; the build's engine runs it)."""
    rows = stratified_sample(passages["month"], sample, config.random_state)
    if len(rows) == passages.height:
        return fit_or_reuse_topics(cache, reuse, config, documents, passages, embedder, vectors, titles, themes,
                                   model_folder, theme_index), passages.height
    fitted = fit_or_reuse_topics(cache, reuse, config, documents, passages[rows], embedder, vectors.subset(rows),
                                 titles.subset(rows), themes, model_folder,
                                 None if theme_index is None else theme_index[rows])
    rest = np.setdiff1d(np.arange(passages.height), rows)
    saved = load_topic_model(model_folder, embedder)
    assigned = [assign(saved, fitted.topics, passages[part], vectors.take(part), titles.take(part), embedder,
                       None if theme_index is None else theme_index[part]).select(fitted.assignments.columns)
                for part in np.array_split(rest, max(1, -(-len(rest) // ASSIGN_CHUNK)))]
    assignments = (pl.concat([fitted.assignments, *assigned])
                   .join(passages.select("passage_id").with_row_index("order"), on="passage_id")
                   .sort("order").drop("order"))
    topics = recount_topics(fitted.topics, assignments)
    outliers = float((assignments["topic_id"] == OUTLIER_TOPIC).mean() or 0.0)
    return TopicTables(assignments, topics, outliers, fitted.outlier_share_before_reduction,
                       reused=fitted.reused), len(rows)
