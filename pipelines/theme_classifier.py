"""Multi-label theme classifier: per named theme, two logistic regressions trained on the
labelled passages of data/theme_labels/, their probabilities averaged (`word_weight`):

- one over the passage embedding plus the signals the zero-shot scorer computes
  (pipelines/themes.py):

    features = passage vector ⊕ description similarity ⊕ seed words ⊕ title similarity
               ⊕ seed words of the whole document (its mean over the document's passages)

- one over the passage's words: TF-IDF of word unigrams and bigrams, its vocabulary learnt
  from the labelled passages' text (the same for every theme).

A passage carries a theme when that theme's probability reaches the theme's threshold.
Each threshold is the one that maximises F1 on out-of-fold probabilities of a k-fold
cross-validation grouped by document (never by hand, never in-sample). Held-out quality
(`evaluate`) nests that choice inside an outer grouped k-fold, so every reported figure
comes from passages of documents the model and its threshold never saw.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import polars as pl
from pydantic import BaseModel
from threadpoolctl import threadpool_limits

from pipelines.themes import (
    Theme, max_similarity, seed_word_hits, similarity_calibration, theme_exemplars,
)


class ClassifierConfig(BaseModel):
    """How theme classifiers are trained (recorded in the manifest)."""

    C: float = 0.02  # inverse L2 strength of each embedding regression (see docs/THEMES.md)
    word_weight: float = 0.5  # share of the word regression in a theme's probability (0: embeddings only)
    word_C: float = 4.0  # inverse L2 strength of each word regression
    word_min_df: int = 2  # a word n-gram enters the vocabulary when this many labelled passages hold it
    folds: int = 5  # grouped folds for thresholds (and, nested, for `evaluate`)
    min_positives: int = 4  # a theme with fewer labelled positives gets no classifier
    seed_cap: int = 3
    random_state: int = 42


@dataclass
class FeatureInputs:
    """What features are computed from, for any set of passages."""

    passages: pl.DataFrame  # passage_id, doc_id, text
    vectors: np.ndarray  # unit passage vectors, rows as passages
    title_vectors: np.ndarray  # unit title vectors, rows as passages
    document_passages: pl.DataFrame  # doc_id, text of every passage of those documents


def theme_features(inputs: FeatureInputs, themes: list[Theme], embedder, cap: int = 3
                   ) -> np.ndarray:  # noqa: ANN001 - an Embedder
    """passages x features (see the module docstring), float32."""
    exemplars = theme_exemplars(themes)
    exemplar_vectors = embedder.encode(exemplars["text"].to_list())
    keys = exemplars["theme"].to_list()
    calibration = similarity_calibration(embedder)
    description = calibration.apply(max_similarity(inputs.vectors, exemplar_vectors, keys, themes))
    title = calibration.apply(max_similarity(inputs.title_vectors, exemplar_vectors, keys, themes))
    seeds = np.minimum(seed_word_hits(inputs.passages["text"], themes), cap)
    docs = inputs.document_passages
    doc_seeds = pl.DataFrame(np.minimum(seed_word_hits(docs["text"], themes), cap),
                             schema=[t.key for t in themes]).with_columns(docs["doc_id"])
    doc_mean = (inputs.passages.select("doc_id")
                .join(doc_seeds.group_by("doc_id").mean(), on="doc_id", how="left",
                      maintain_order="left").drop("doc_id").fill_null(0).to_numpy())
    return np.hstack([inputs.vectors, description, seeds, title, doc_mean]).astype(np.float32)


def label_matrix(themes_per_passage: pl.Series, themes: list[Theme]) -> np.ndarray:
    """passages x themes booleans from a List[String] column of theme keys."""
    index = {t.key: j for j, t in enumerate(themes)}
    y = np.zeros((len(themes_per_passage), len(themes)), dtype=bool)
    for i, keys in enumerate(themes_per_passage.to_list()):
        for key in keys or []:
            if key in index:
                y[i, index[key]] = True
    return y


def fit_vocabulary(texts: np.ndarray, config: ClassifierConfig):
    """The word model's TF-IDF vectorizer, fitted on `texts` (None when words are not used)."""
    if config.word_weight <= 0:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(ngram_range=(1, 2), min_df=min(config.word_min_df, len(texts)),
                               sublinear_tf=True, dtype=np.float32).fit(texts)
    except ValueError:  # no word kept (a handful of passages with nothing in common)
        return None


@dataclass
class ThemeModel:
    """One theme's regressions: over the feature matrix, and over the word matrix (or None)."""

    dense: object
    words: object | None
    word_weight: float

    def probability(self, x: np.ndarray, words) -> np.ndarray:  # noqa: ANN001 - a sparse matrix or None
        p = self.dense.predict_proba(x)[:, 1]
        if self.words is None or words is None:
            return p
        return (1 - self.word_weight) * p + self.word_weight * self.words.predict_proba(words)[:, 1]


def _fit_one(x: np.ndarray, words, y: np.ndarray, config: ClassifierConfig) -> ThemeModel:  # noqa: ANN001
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    dense = make_pipeline(StandardScaler(), LogisticRegression(
        C=config.C, class_weight="balanced", max_iter=2000, random_state=config.random_state)).fit(x, y)
    word_model = None if words is None else LogisticRegression(
        C=config.word_C, class_weight="balanced", max_iter=3000, random_state=config.random_state).fit(words, y)
    return ThemeModel(dense, word_model, config.word_weight)


def _folds(groups: np.ndarray, y: np.ndarray, k: int, seed: int):
    """Grouped folds (paragraphs of one document never straddle train and test),
    stratified on whether a passage carries any theme when the groups allow it."""
    from sklearn.model_selection import StratifiedGroupKFold

    k = max(2, min(k, len(np.unique(groups))))
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(groups)), y.any(axis=1).astype(int), groups))


def _words(vocabulary, texts: np.ndarray):  # noqa: ANN001, ANN202
    return None if vocabulary is None else vocabulary.transform(texts)


def out_of_fold(x: np.ndarray, texts: np.ndarray, y: np.ndarray, groups: np.ndarray,
                config: ClassifierConfig) -> np.ndarray:
    """passages x themes probabilities, each predicted by a model (and a vocabulary) that
    never saw its document."""
    probs = np.full(y.shape, np.nan, dtype=np.float64)
    for train, test in _folds(groups, y, config.folds, config.random_state):
        vocabulary = fit_vocabulary(texts[train], config)
        train_words, test_words = _words(vocabulary, texts[train]), _words(vocabulary, texts[test])
        for j in range(y.shape[1]):
            if y[train, j].sum() >= 2 and (~y[train, j]).sum() >= 2:
                model = _fit_one(x[train], train_words, y[train, j], config)
                probs[test, j] = model.probability(x[test], test_words)
    return probs


def best_threshold(probs: np.ndarray, truth: np.ndarray) -> float:
    """The probability cut that maximises F1 (ties: the higher cut); 0.5 without positives."""
    known = ~np.isnan(probs)
    probs, truth = probs[known], truth[known]
    if truth.sum() == 0:
        return 0.5
    order = np.argsort(-probs, kind="stable")
    hits = np.cumsum(truth[order])
    f1 = 2 * hits / (np.arange(1, len(order) + 1) + truth.sum())
    best = int(np.flatnonzero(f1 == f1.max())[0])
    below = probs[order[best + 1]] if best + 1 < len(order) else 0.0
    return float((probs[order[best]] + below) / 2)


@dataclass
class ThemeClassifier:
    """Fitted per-theme models and thresholds; themes without enough labels are absent."""

    themes: list[str]
    models: dict[str, ThemeModel]
    thresholds: dict[str, float]
    positives: dict[str, int]
    vocabulary: object | None = None  # the word model's fitted TF-IDF vectorizer

    def probabilities(self, x: np.ndarray, texts) -> np.ndarray:  # noqa: ANN001 - strings, one per row of x
        """passages x themes (0 for a theme without a model)."""
        out = np.zeros((len(x), len(self.themes)), dtype=np.float32)
        if not len(x):
            return out
        words = _words(self.vocabulary, np.asarray(texts, dtype=object))
        for j, key in enumerate(self.themes):
            if key in self.models:
                out[:, j] = self.models[key].probability(x, words)
        return out

    def assigned(self, probs: np.ndarray) -> np.ndarray:
        """passages x themes booleans: probability at or above the theme's threshold."""
        cuts = np.array([self.thresholds.get(k, np.inf) for k in self.themes])
        return probs >= cuts


# Hundreds of small lbfgs fits: a multi-threaded BLAS spends more time waking its threads than
# computing (`discourse themes --evaluate` ran 4.7x slower in wall time on 2 cores, with
# identical figures; docs/PERFORMANCE.md), so fitting and evaluating run on one thread.
def one_thread(fit):  # noqa: ANN001, ANN201
    @functools.wraps(fit)
    def limited(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with threadpool_limits(limits=1):
            return fit(*args, **kwargs)
    return limited


@one_thread
def fit_classifier(x: np.ndarray, texts: np.ndarray, y: np.ndarray, groups: np.ndarray,
                   themes: list[Theme], config: ClassifierConfig) -> ThemeClassifier:
    """Models on every labelled passage (`texts`: their text, for the word model); thresholds
    from grouped out-of-fold probabilities."""
    texts = np.asarray(texts, dtype=object)
    probs = out_of_fold(x, texts, y, groups, config)
    vocabulary = fit_vocabulary(texts, config)
    words = _words(vocabulary, texts)
    keys = [t.key for t in themes]
    models, thresholds, positives = {}, {}, {}
    for j, key in enumerate(keys):
        positives[key] = int(y[:, j].sum())
        if positives[key] < config.min_positives or positives[key] == len(y):
            continue
        models[key] = _fit_one(x, words, y[:, j], config)
        thresholds[key] = best_threshold(probs[:, j], y[:, j])
    return ThemeClassifier(keys, models, thresholds, positives, vocabulary)


@one_thread
def evaluate(x: np.ndarray, texts: np.ndarray, y: np.ndarray, groups: np.ndarray,
             themes: list[Theme], config: ClassifierConfig) -> np.ndarray:
    """passages x themes held-out decisions: each outer fold fits models, vocabulary and
    thresholds (by an inner grouped CV) on the other folds only."""
    texts = np.asarray(texts, dtype=object)
    decided = np.zeros(y.shape, dtype=bool)
    for train, test in _folds(groups, y, config.folds, config.random_state + 1):
        inner = fit_classifier(x[train], texts[train], y[train], groups[train], themes, config)
        decided[test] = inner.assigned(inner.probabilities(x[test], texts[test]))
    return decided


def quality(decided: np.ndarray, y: np.ndarray, themes: list[Theme], subset: str
            ) -> pl.DataFrame:
    """theme, subset, labelled positives, precision, recall, f1 of held-out decisions."""
    rows = []
    for j, theme in enumerate(themes):
        tp = int((decided[:, j] & y[:, j]).sum())
        fp = int((decided[:, j] & ~y[:, j]).sum())
        fn = int((~decided[:, j] & y[:, j]).sum())
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        f1 = (2 * tp / (2 * tp + fp + fn)) if tp + fp + fn else None
        rows.append((theme.key, subset, int(y[:, j].sum()), precision, recall, f1))
    return pl.DataFrame(rows, orient="row", schema={
        "theme": pl.String, "subset": pl.String, "positives": pl.Int64,
        "precision": pl.Float64, "recall": pl.Float64, "f1": pl.Float64})
