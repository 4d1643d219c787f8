"""Passage themes: which named themes each passage carries (zero, one or several).

The classifiers' decisions (pipelines/theme_classifier.py) give each passage its themes
with a score; a passage that is itself labelled (data/theme_labels/, review corrections)
carries exactly its labelled themes (origin "label"). A passage's primary theme, the one
with the highest score, is its topic; discovered topics stay one per passage. Every
chart counts a passage under each theme it carries (`topic_memberships`).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.artifacts import OUTLIER_TOPIC
from pipelines.themes import NO_THEME, Theme

SCHEMA = {"passage_id": pl.String, "theme": pl.String, "score": pl.Float32,
          "origin": pl.String}


def primary_theme(probabilities: np.ndarray, assigned: np.ndarray) -> np.ndarray:
    """Per passage: the index of its most probable assigned theme, NO_THEME when none."""
    if probabilities.size == 0:
        return np.full(len(probabilities), NO_THEME, dtype=np.int32)
    masked = np.where(assigned, probabilities, -np.inf)
    best = masked.argmax(axis=1)
    return np.where(assigned.any(axis=1), best, NO_THEME).astype(np.int32)


def model_rows(passage_ids: pl.Series, probabilities: np.ndarray, assigned: np.ndarray,
               themes: list[Theme]) -> pl.DataFrame:
    """One row per (passage, theme) the classifiers assigned."""
    rows, cols = np.nonzero(assigned)
    keys = np.array([t.key for t in themes], dtype=object)
    return pl.DataFrame({
        "passage_id": passage_ids.gather(rows), "theme": pl.Series(keys[cols], dtype=pl.String),
        "score": pl.Series(probabilities[rows, cols], dtype=pl.Float32),
        "origin": pl.Series(["model"] * len(rows), dtype=pl.String),
    }, schema=SCHEMA)


def with_labels(model: pl.DataFrame, labelled: pl.DataFrame) -> pl.DataFrame:
    """`model` rows, except that a labelled passage (labelled: passage_id, themes) carries
    exactly its labelled themes, score 1, origin "label"."""
    labels = (labelled.select("passage_id", pl.col("themes").alias("theme")).explode("theme")
              .drop_nulls("theme")
              .with_columns(pl.lit(1.0, dtype=pl.Float32).alias("score"),
                            pl.lit("label").alias("origin")))
    kept = model.join(labelled.select("passage_id"), on="passage_id", how="anti")
    return pl.concat([kept, labels.select(SCHEMA.keys())]).sort(["passage_id", "theme"])


def apply_primary(theme_index: np.ndarray, passage_ids: pl.Series, labelled: pl.DataFrame,
                  themes: list[Theme]) -> np.ndarray:
    """Primary themes after labels (labelled: passage_id, themes): a labelled passage's
    primary is its first labelled theme in themes.toml order, or none."""
    order = {t.key: j for j, t in enumerate(themes)}
    labelled = (labelled.select("passage_id", pl.col("themes").alias("theme"))
                .explode("theme", empty_as_null=True, keep_nulls=True)
                .with_columns(pl.col("theme").replace_strict(order, default=None,
                                                             return_dtype=pl.Int32).alias("j"))
                .group_by("passage_id").agg(pl.col("j").min()))
    labelled_rows = pl.DataFrame({"passage_id": passage_ids}).with_row_index("row").join(
        labelled, on="passage_id", how="inner")
    out = theme_index.copy()
    out[labelled_rows["row"].to_numpy()] = labelled_rows["j"].fill_null(NO_THEME).to_numpy()
    return out


def complete_theme_topics(topics: pl.DataFrame, table: pl.DataFrame, themes: list[Theme]
                          ) -> pl.DataFrame:
    """The topics table with one row for every theme some passage carries (a theme that is
    never a primary theme gets a new topic id), each theme's `size` being the passages
    that carry it."""
    have = set(topics["theme"].drop_nulls().to_list())
    carried = table.group_by("theme").len()
    sizes = dict(zip(carried["theme"].to_list(), carried["len"].to_list()))
    next_id = max([*topics["topic_id"].to_list(), OUTLIER_TOPIC]) + 1
    extra = []
    for theme in themes:
        if theme.key in sizes and theme.key not in have:
            extra.append({"topic_id": next_id, "label": theme.label, "theme": theme.key,
                          "keywords": [], "keyword_weights": [], "size": 0,
                          "representative_passage_ids": table.filter(
                              pl.col("theme") == theme.key).sort("score", descending=True)
                          ["passage_id"].head(3).to_list()})
            next_id += 1
    out = pl.concat([topics, pl.DataFrame(extra, schema=topics.schema)]) if extra else topics
    return out.with_columns(pl.when(pl.col("theme").is_not_null())
                            .then(pl.col("theme").replace_strict(sizes, default=0,
                                                                 return_dtype=pl.UInt32))
                            .otherwise(pl.col("size")).alias("size"))


def topic_memberships(passages: pl.DataFrame, table: pl.DataFrame, topics: pl.DataFrame
                      ) -> pl.DataFrame:
    """passage_id, topic_id: a passage under each theme it carries (that theme's topic),
    or, when it carries none, under its own topic (discovered or outliers)."""
    topic_of = topics.drop_nulls("theme").select("theme", "topic_id")
    themed = table.join(topic_of, on="theme").select("passage_id", "topic_id")
    plain = (passages.select("passage_id", "topic_id")
             .join(themed.select("passage_id").unique(), on="passage_id", how="anti"))
    return pl.concat([themed, plain.cast({"topic_id": pl.Int32})]).unique(maintain_order=True)


def zero_shot_rows(passages: pl.DataFrame) -> pl.DataFrame:
    """passage_themes without classifiers: each passage's zero-shot theme, if any."""
    return (passages.filter(pl.col("theme").is_not_null())
            .select("passage_id", "theme", pl.col("topic_probability").cast(pl.Float32)
                    .alias("score"), pl.lit("model").alias("origin")))
