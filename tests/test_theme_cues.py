"""Cue sentences (data/themes.toml `cue_groups`): a sentence counts when it holds a word of
every group, so a comparison with a regulated product counts and literal policy does not;
the classifier cache key follows the cue lists."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.themes import Theme, cue_sentence_hits, load_themes


def _column(texts: list[str], key: str) -> list[float]:
    themes = load_themes()
    hits = cue_sentence_hits(pl.Series(texts, dtype=pl.String), themes)
    return hits[:, [t.key for t in themes].index(key)].tolist()


def test_a_regulation_analogy_is_a_cue_and_literal_aviation_policy_is_not():
    assert _column([
        "We need an agency that licenses powerful AI models just as the FAA certifies aircraft.",
        "Lawmakers want an FDA for AI.",
        "The FAA issued new rules for aircraft maintenance and pilot rest periods.",
        "The FDA approved two drugs like insulin analogues. AI is everywhere.",  # two sentences
        "",
    ], "regulation_analogies") == [1.0, 1.0, 0.0, 0.0, 0.0]


def test_cue_counts_are_per_sentence_capped_and_zero_without_cues():
    theme = Theme(key="t", label="t", description="d", cue_groups=[["ftc"], ["deceptive"]])
    bare = Theme(key="b", label="b", description="d")
    text = ("The FTC warned about deceptive claims. The FTC sued over deceptive ads! "
            "Then the FTC fined a deceptive app; deceptive again")
    hits = cue_sentence_hits(pl.Series([text, "FTC", "x"]), [theme, bare], cap=2)
    assert hits.tolist() == [[2.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    assert cue_sentence_hits(pl.Series([], dtype=pl.String), [theme, bare]).shape == (0, 2)


def test_the_classifier_cache_key_changes_with_the_cue_lists():
    from pipelines.theme_classifier import ClassifierConfig
    from pipelines.theme_training import TrainingSet, cache_key

    data = TrainingSet(pl.DataFrame(), np.zeros((2, 3), np.float32),
                       np.array([[True], [False]]), np.array([0, 1]), {})
    theme = Theme(key="t", label="t", description="d", cue_groups=[["like"], ["fda"]])
    other = theme.model_copy(update={"cue_groups": [["like"], ["fda", "faa"]]})
    config = ClassifierConfig()
    assert cache_key(data, [theme], "e", config) != cache_key(data, [other], "e", config)
    assert cache_key(data, [theme], "e", config) == cache_key(data, [theme], "e", config)
