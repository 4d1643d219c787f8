"""Steps of `discourse update` that need no run folder: which candidate documents the run
already holds, their rejects rows, and topic sizes after passages are added."""

from __future__ import annotations

import polars as pl

from pipelines.ingest import DUPLICATE_CODE as DUPLICATE

DUPLICATE_ID = "duplicate_id"  # a doc id the run already has, with other text


def split_already_present(candidates: pl.DataFrame, known: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(new documents, documents the run already has). The second has `reason_code`: `duplicate`
    for the same text after folding whitespace and case (`known_id` names the run's document), or
    `duplicate_id` for a doc id the run has with other text; it keeps `text` for the preview."""
    normalised = pl.col("text").str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    known_text = known.select(known_id="doc_id", normalised=normalised).unique("normalised", maintain_order=True)
    marked = candidates.with_columns(normalised=normalised).join(
        known_text, on="normalised", how="left", maintain_order="left").with_columns(
        reason_code=pl.when(pl.col("known_id").is_not_null()).then(pl.lit(DUPLICATE))
        .when(pl.col("doc_id").is_in(known["doc_id"].implode())).then(pl.lit(DUPLICATE_ID)))
    new_documents = marked.filter(pl.col("reason_code").is_null()).drop("normalised", "known_id", "reason_code")
    return new_documents, marked.filter(pl.col("reason_code").is_not_null())


def already_present_rejects(already: pl.DataFrame, base_name: str, preview_chars: int) -> pl.DataFrame:
    """Rejects rows for the documents the base run already has."""
    return already.select(
        "origin", "reason_code",
        reason=pl.when(pl.col("reason_code") == DUPLICATE_ID)
        .then(pl.format("doc id {} is already in run {} and the text differs; the run's version was kept",
                        pl.col("doc_id"), pl.lit(base_name)))
        .otherwise(pl.format("already in run {} as doc {} (same text)", pl.lit(base_name), pl.col("known_id"))),
        raw=pl.col("text").str.slice(0, preview_chars),
    )


def recount_topics(topics: pl.DataFrame, passages: pl.DataFrame) -> pl.DataFrame:
    sizes = passages.group_by("topic_id").agg(new_size=pl.len().cast(pl.UInt32))
    return topics.join(sizes, on="topic_id", how="left").with_columns(
        size=pl.col("new_size").fill_null(0)).drop("new_size")
