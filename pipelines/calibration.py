"""Similarity calibration: fit one embedder's theme similarities to another's scale.

The theme thresholds are in MiniLM's cosine units (`pipelines.themes`). An embedder whose
cosines run on another scale (the static model, `pipelines.static_embedder`) is calibrated
once against MiniLM on a fixed reference set: the bundled corpus's passages and document
titles against the exemplars of the default themes. The result depends on the two models and
that reference set only, never on the corpus being built.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.config import DATA_DIR
from pipelines.ingest import ingest_paths
from pipelines.passages import split_passages
from pipelines.themes import (
    DEFAULT_THEMES, SimilarityCalibration, Theme, load_themes, max_similarity, theme_exemplars,
)

REFERENCE_CORPUS = DATA_DIR / "corpus"


def reference_set() -> tuple[list[str], pl.DataFrame, list[Theme]]:
    """The calibration reference set: the bundled corpus's passages and document titles, and
    the exemplars (theme, text) of the default themes, with those themes."""
    documents = ingest_paths([REFERENCE_CORPUS]).documents
    if documents.is_empty():
        raise RuntimeError(f"the calibration reference corpus {REFERENCE_CORPUS} is missing or empty")
    passages = split_passages(documents.lazy()).collect()
    titles = [t for t in documents["title"].fill_null("").to_list() if t.strip()]
    themes = load_themes(DEFAULT_THEMES)
    return passages["text"].to_list() + titles, theme_exemplars(themes), themes


def calibrate_to_teacher(student, teacher) -> SimilarityCalibration:  # noqa: ANN001 - two Embedders
    """Fit the student's theme similarities to the teacher's scale on the reference set."""
    texts, exemplars, themes = reference_set()

    def signal(embedder) -> np.ndarray:  # noqa: ANN001
        return max_similarity(embedder.encode(texts), embedder.encode(exemplars["text"].to_list()),
                              exemplars["theme"].to_list(), themes).ravel()

    fitted = SimilarityCalibration.fit(signal(student), signal(teacher))
    return fitted.model_copy(update={"fitted_on": (
        f"max cosine to the theme exemplars of {len(texts)} passages and titles of {REFERENCE_CORPUS.name}/ "
        f"({exemplars.height} exemplars of {len(themes)} default themes); teacher {teacher.identity}")})
