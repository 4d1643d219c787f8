"""Theme classifiers versus BERTopic's semi-supervised fit (`fit_transform(docs, y=...)`),
held out the same way: `python -m benchmarks.themes_semisupervised [--csv FILE]`.

Both are scored on the labelled passages of data/theme_labels/ with the outer folds of
`discourse themes --evaluate` (5 folds grouped by document). For each fold BERTopic is fitted
on every labelled passage with the labels of the other folds as `y` (each passage's first
theme in themes.toml order, "none" for a passage without one) and the fold's own labels
hidden (-1), UMAP and HDBSCAN seeded as in pipelines/topics.py. Each discovered topic is
named after the most frequent label of its training passages; a held-out passage gets its
topic's theme. BERTopic gives one topic per passage, so a passage carrying two themes can
be right on one of them at most.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.embedders import load_embedder
from pipelines.embeddings import EmbeddingConfig
from pipelines.theme_classifier import ClassifierConfig, _folds, evaluate, quality
from pipelines.theme_labels import label_files, read_label_files, resolve_labels
from pipelines.theme_training import label_embedding_cache, training_set
from pipelines.themes import load_themes
from pipelines.topics import BertopicEmbedder, keyword_texts


def semi_supervised_decisions(texts: list[str], vectors: np.ndarray, y: np.ndarray,
                              groups: np.ndarray, config: ClassifierConfig, embedder) -> np.ndarray:  # noqa: ANN001
    """passages x themes held-out decisions of BERTopic fitted with the other folds' labels."""
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from umap import UMAP

    primary = np.where(y.any(axis=1), y.argmax(axis=1), y.shape[1])  # y.shape[1]: "none"
    decided = np.zeros(y.shape, dtype=bool)
    for train, test in _folds(groups, y, config.folds, config.random_state + 1):
        partial = primary.copy()
        partial[test] = -1
        model = BERTopic(
            embedding_model=BertopicEmbedder(embedder),
            umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                            random_state=config.random_state),
            hdbscan_model=HDBSCAN(min_cluster_size=10, min_samples=2, prediction_data=True),
            calculate_probabilities=False)
        topics = np.asarray(model.fit_transform(texts, embeddings=vectors, y=partial.tolist())[0])
        named = {}
        for topic in set(topics[train].tolist()):
            named[topic] = Counter(primary[train][topics[train] == topic].tolist()).most_common(1)[0][0]
        for i in test:
            theme = named.get(int(topics[i]), y.shape[1])
            if theme < y.shape[1]:
                decided[i, theme] = True
    return decided


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    themes = load_themes()
    embedder = load_embedder(EmbeddingConfig())
    cache = label_embedding_cache(embedder)
    config = ClassifierConfig()
    labelled = resolve_labels(read_label_files(label_files()))
    data = training_set(labelled, themes, embedder, cache, config)
    texts = keyword_texts(labelled.passages["text"])
    vectors = data.x[:, :embedder.dimension]
    figures = []
    for method, decided in [
            ("classifier", evaluate(data.x, data.texts, data.y, data.groups, themes, config)),
            ("bertopic_semi_supervised",
             semi_supervised_decisions(texts, vectors, data.y, data.groups, config, embedder))]:
        figures.append(quality(decided, data.y, themes, "all").with_columns(
            pl.lit(method).alias("method")))
    table = pl.concat(figures).pivot(on="method", index=["theme", "positives"], values="f1")
    with pl.Config(tbl_rows=40, float_precision=2):
        print(table)
        print(table.select(pl.exclude("theme", "positives").mean()))
    if args.csv:
        table.write_csv(args.csv)


if __name__ == "__main__":
    main()
