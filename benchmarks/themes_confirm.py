"""Theme classifiers on a confirmation label file no tuner saw (data/theme_labels/confirmation/,
outside the folder builds train on): trained as a build trains them, on every labelled passage
of data/theme_labels/ except those of the confirmation set's documents, thresholds from the
grouped cross-validation; each confirmation passage decided once; per theme precision, recall
and F1, on all of them and per source.

    .venv/bin/python -m benchmarks.themes_confirm [FILE] [--embedder minilm|static]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from pipelines.config import DATA_DIR
from pipelines.embedders import load_embedder
from pipelines.embeddings import EmbeddingConfig
from pipelines.theme_classifier import ClassifierConfig, fit_classifier, quality
from pipelines.theme_labels import LABEL_DIR, label_files
from pipelines.theme_training import label_embedding_cache, load_training_set
from pipelines.themes import load_themes

CONFIRMATION = LABEL_DIR / "confirmation" / "set-G.jsonl"


def confirm(test_file: Path, embedder_name: str) -> pl.DataFrame:
    """theme, subset, positives, precision, recall, f1 on `test_file`."""
    themes = load_themes(DATA_DIR / "themes.toml")
    embedder = load_embedder(EmbeddingConfig(embedder=embedder_name))
    cache = label_embedding_cache(embedder)
    config = ClassifierConfig()
    train = load_training_set(label_files(), themes, embedder, cache, config)
    test = load_training_set([test_file], themes, embedder, cache, config)
    keep = ~train.passages["doc_id"].is_in(test.passages["doc_id"].unique().implode()).to_numpy()
    print(f"trained on {int(keep.sum()):,} labelled passages ({int((~keep).sum())} left out: same documents as "
          f"the confirmation set); {len(test.y):,} confirmation passages; skipped {test.skipped or 'none'}")
    classifier = fit_classifier(train.x[keep], train.texts[keep], train.y[keep], train.groups[keep], themes, config)
    decided = classifier.assigned(classifier.probabilities(test.x, test.texts))
    sources = test.passages["source"].to_numpy()
    return pl.concat([quality(decided, test.y, themes, "all")] + [
        quality(decided[sources == s], test.y[sources == s], themes, s) for s in sorted(set(sources))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=CONFIRMATION)
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "static"])
    args = parser.parse_args()
    figures = confirm(args.file, args.embedder).filter(pl.col("positives") > 0)
    with pl.Config(tbl_rows=100, float_precision=2):
        print(figures.pivot(on="subset", index="theme", values=["positives", "precision", "recall", "f1"]))


if __name__ == "__main__":
    main()
