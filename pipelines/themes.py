"""Named themes: definitions from data/themes.toml and the scorer that assigns passages.

A passage's score for a theme combines four signals, because a one-line zero-shot
description alone misses most passages of a rhetorical theme such as regulation analogies:

1. similarity of the passage to the theme's description (its whole text and each sentence,
   max over them: a zero-shot match);
2. how many distinct seed words of the theme the passage contains (capped);
3. the document's mean score (passage context: an article about the pause letter frames
   its other paragraphs too);
4. similarity of the document's title to the theme description.

A theme with `override_score` (pause letter, regulation analogies: themes that cut across
subjects) wins whenever its score reaches that value (and, with `override_needs_seed_word`,
the passage names at least one of its seed words: an analogy names what AI is compared
with); otherwise the best theme wins if its
score reaches `min_theme_score`, and the passage is left to topic discovery if not.

Similarities, and with them every threshold here, in data/themes.toml and
`TopicConfig.outlier_threshold`, are in the cosine units of the default embedder,
all-MiniLM-L6-v2. An embedder whose cosines run on another scale carries a
`SimilarityCalibration` (the static embedder fits one against MiniLM when it is distilled)
that maps its similarities onto that scale before they are scored.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
from pydantic import BaseModel, Field, ValidationError

from pipelines.config import DATA_DIR

DEFAULT_THEMES = DATA_DIR / "themes.toml"
REQUIRED_THEMES = ("pause_letter", "compute_race", "regulation_analogies")
NO_THEME = -1  # theme index of a passage no theme claimed (left to topic discovery)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


class Theme(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    description: str
    seed_words: list[str] = []
    override_score: float | None = None
    override_needs_seed_word: bool = False


class ThemeScoring(BaseModel):
    """Weights of the four signals and the decision thresholds (see module docstring)."""

    seed_weight: float = 0.15
    seed_cap: int = 3
    document_weight: float = 0.2
    title_weight: float = 0.4
    min_theme_score: float = 0.8


class SimilarityCalibration(BaseModel):
    """`scale * cosine + offset` puts an embedder's similarities on MiniLM's cosine scale."""

    scale: float = 1.0
    offset: float = 0.0
    fitted_on: str = ""  # how the values were obtained (recorded in the build manifest)

    @classmethod
    def fit(cls, student: np.ndarray, teacher: np.ndarray) -> "SimilarityCalibration":
        """The affine map giving `student` similarities the mean and spread of `teacher`'s
        (the same text pairs); rounded so that float noise does not change the result."""
        scale = float(np.std(teacher) / max(float(np.std(student)), 1e-12))
        return cls(scale=round(scale, 4), offset=round(float(np.mean(teacher)) - scale * float(np.mean(student)), 4))

    @property
    def is_identity(self) -> bool:
        return self.scale == 1.0 and self.offset == 0.0

    def apply(self, similarity: np.ndarray) -> np.ndarray:
        """Similarities on the reference scale (unchanged, the same array, for the identity)."""
        if self.is_identity:
            return similarity
        return (self.scale * similarity + self.offset).astype(similarity.dtype, copy=False)

    def to_embedder_scale(self, threshold: float) -> float:
        """A threshold on the reference scale expressed on the embedder's own cosine scale."""
        return threshold if self.is_identity else (threshold - self.offset) / self.scale


def similarity_calibration(embedder: object) -> SimilarityCalibration:
    """The embedder's calibration; the identity for embedders on the reference scale."""
    return getattr(embedder, "similarity_calibration", None) or SimilarityCalibration()


class ThemeError(ValueError):
    """data/themes.toml is missing or malformed."""


def load_themes(path: Path = DEFAULT_THEMES) -> list[Theme]:
    """Read and validate the theme definitions."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThemeError(f"theme definitions not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path} is not valid TOML: {exc}") from None
    try:
        themes = [Theme(**entry) for entry in raw.get("theme", [])]
    except ValidationError as exc:
        raise ThemeError(f"{path}: {exc}") from None
    keys = [t.key for t in themes]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ThemeError(f"{path}: theme keys listed twice: {', '.join(sorted(duplicates))}")
    missing = [k for k in REQUIRED_THEMES if k not in keys]
    if missing:
        raise ThemeError(f"{path}: required themes missing: {', '.join(missing)}")
    return themes


def theme_exemplars(themes: list[Theme]) -> pl.DataFrame:
    """The texts that stand for each theme: its whole description and each of its sentences."""
    rows = []
    for theme in themes:
        rows.append((theme.key, theme.description))
        rows.extend((theme.key, s) for s in _SENTENCE.split(theme.description) if len(s) > 20)
    return pl.DataFrame(rows, schema={"theme": pl.String, "text": pl.String}, orient="row")


def max_similarity(vectors: np.ndarray, exemplar_vectors: np.ndarray, exemplar_themes: list[str],
                   themes: list[Theme]) -> np.ndarray:
    """passages x themes: best cosine similarity to any exemplar of the theme (unit vectors)."""
    sims = vectors @ exemplar_vectors.T
    keys = np.array(exemplar_themes)
    out = np.empty((len(vectors), len(themes)), dtype=np.float32)
    for j, theme in enumerate(themes):
        out[:, j] = sims[:, keys == theme.key].max(axis=1) if len(vectors) else 0
    return out


def seed_word_hits(texts: pl.Series, themes: list[Theme]) -> np.ndarray:
    """passages x themes: number of distinct seed words present (whole words, any case)."""
    frame = pl.DataFrame({"text": texts.str.to_lowercase()})
    columns = []
    for theme in themes:
        hits = [
            pl.col("text").str.contains(r"\b" + re.escape(word.lower()) + r"\b").cast(pl.UInt16)
            for word in theme.seed_words
        ]
        columns.append(pl.sum_horizontal(hits).alias(theme.key) if hits else pl.lit(0).alias(theme.key))
    return frame.select(columns).to_numpy().astype(np.float32)


def document_mean(scores: np.ndarray, doc_ids: pl.Series) -> np.ndarray:
    """Each passage's row replaced by the mean row of its document."""
    codes = doc_ids.cast(pl.Categorical).to_physical().to_numpy()
    sums = np.zeros((codes.max() + 1 if len(codes) else 0, scores.shape[1]), dtype=np.float64)
    np.add.at(sums, codes, scores)
    counts = np.bincount(codes, minlength=len(sums))[:, None]
    return (sums / np.maximum(counts, 1))[codes].astype(np.float32)


def theme_scores(passage_similarity: np.ndarray, seed_hits: np.ndarray, title_similarity: np.ndarray,
                 doc_ids: pl.Series, scoring: ThemeScoring) -> np.ndarray:
    """Combine the four signals into passages x themes scores."""
    base = passage_similarity + scoring.seed_weight * np.minimum(seed_hits, scoring.seed_cap)
    return base + scoring.document_weight * document_mean(base, doc_ids) + scoring.title_weight * title_similarity


def assign_themes(scores: np.ndarray, seed_hits: np.ndarray, themes: list[Theme],
                  scoring: ThemeScoring) -> tuple[np.ndarray, np.ndarray]:
    """Theme index per passage (NO_THEME: left to topic discovery) and its score."""
    best = scores.argmax(axis=1) if scores.size else np.zeros(0, dtype=int)
    best_score = scores.max(axis=1) if scores.size else np.zeros(0)
    chosen = np.where(best_score >= scoring.min_theme_score, best, NO_THEME)
    overrides = [j for j, t in enumerate(themes) if t.override_score is not None]
    if overrides:
        thresholds = np.array([themes[j].override_score for j in overrides])
        excess = scores[:, overrides] - thresholds
        needs_seed = np.array([themes[j].override_needs_seed_word for j in overrides])
        excess = np.where(needs_seed & (seed_hits[:, overrides] < 1), -np.inf, excess)
        top = excess.argmax(axis=1)
        wins = excess.max(axis=1) >= 0
        chosen = np.where(wins, np.array(overrides)[top], chosen)
    chosen_score = np.where(chosen != NO_THEME, scores[np.arange(len(scores)), np.maximum(chosen, 0)], best_score)
    return chosen.astype(np.int32), chosen_score.astype(np.float32)
