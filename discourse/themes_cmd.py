"""`discourse themes --evaluate`: held-out quality of the theme classifiers, per theme,
on every labelled passage and on each source (bundled briefs, White House) alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from pipelines.embeddings import EmbeddingConfig
from pipelines.theme_classifier import ClassifierConfig
from pipelines.theme_labels import LABEL_DIR, label_files
from pipelines.theme_training import (
    LABEL_EMBEDDINGS, held_out_quality, label_embedding_cache, load_training_set,
)
from pipelines.themes import DEFAULT_THEMES, load_themes

console = Console()


def quality_table(figures: pl.DataFrame, subset: str, title: str) -> Table:
    table = Table(title=title)
    for name in ("theme", "labelled +", "precision", "recall", "F1"):
        table.add_column(name, justify="left" if name == "theme" else "right")
    for row in figures.filter(pl.col("subset") == subset).iter_rows(named=True):
        fmt = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
        table.add_row(row["theme"], str(row["positives"]), fmt(row["precision"]),
                      fmt(row["recall"]), fmt(row["f1"]))
    return table


def evaluate_themes(embedder_name: str, labels: Path, themes_path: Path, cache: Path | None,
                    out_csv: Path | None, config: ClassifierConfig | None = None
                    ) -> pl.DataFrame:
    """Held-out figures from nested k-fold cross-validation grouped by document."""
    from pipelines.embedders import load_embedder

    themes = load_themes(themes_path)
    embedder = load_embedder(EmbeddingConfig(embedder=embedder_name))
    vectors = label_embedding_cache(embedder, cache) if cache else None
    config = config or ClassifierConfig()
    data = load_training_set(label_files(labels), themes, embedder, vectors, config)
    if data.skipped:
        console.print("Labels not used: " + ", ".join(f"{k}: {v}" for k, v in data.skipped.items()))
    console.print(f"{len(data.y):,} labelled passages from {len(set(data.groups.tolist())):,} "
                  f"documents; {config.folds}-fold cross-validation grouped by document, "
                  "thresholds chosen by an inner grouped cross-validation.")
    figures = held_out_quality(data, themes, config)
    for subset in figures["subset"].unique(maintain_order=True).to_list():
        console.print(quality_table(figures, subset, f"Held-out quality: {subset} "
                                                     f"({embedder_name})"))
    if out_csv is not None:
        figures.write_csv(out_csv)
    return figures


def themes(
    evaluate: Annotated[bool, typer.Option("--evaluate", help="Held-out precision, recall and F1 per theme.")] = False,
    embedder: Annotated[str, typer.Option(help="minilm (default) or static.")] = "minilm",
    labels: Annotated[Path, typer.Option(help="Folder of labelled passages.")] = LABEL_DIR,
    themes_path: Annotated[Path, typer.Option("--themes", help="Theme definitions.")] = DEFAULT_THEMES,
    cache: Annotated[Path | None, typer.Option(help="Embedding cache folder.")] = LABEL_EMBEDDINGS,
    csv: Annotated[Path | None, typer.Option(help="Also write the figures to this CSV file.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the grouped fold splits (default: ClassifierConfig's); another seed shows how much a figure owes to one split.")] = None,
) -> None:
    """Theme classifiers: how well they do on labelled passages they were not trained on."""
    if not evaluate:
        raise typer.BadParameter("say what to do: --evaluate")
    config = ClassifierConfig() if seed is None else ClassifierConfig(random_state=seed)
    evaluate_themes(embedder, labels, themes_path, cache, csv, config)
