"""Cue sentences (data/themes.toml `cue_groups`): a sentence counts when it holds a word of
every group; a theme with cue groups gets one cue column that only its own classifier
sees, so every other theme's classifier is fitted on exactly the features it had without
cues; the classifier cache key follows the cue lists."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.theme_classifier import ClassifierConfig, feature_views, fit_classifier
from pipelines.themes import Theme, cue_sentence_hits, load_themes


def test_a_compute_cue_needs_infrastructure_and_what_it_is_for():
    theme = next(t for t in load_themes() if t.key == "compute_race")
    hits = cue_sentence_hits(pl.Series([
        "Microsoft will build new data centers for AI in Wisconsin.",
        "Nvidia's chips sold out. AI is everywhere.",  # two sentences, one group each
        "The potato chips sold out.",
        "",
    ]), [theme])
    assert hits[:, 0].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_cue_counts_are_per_sentence_capped_and_zero_without_cues():
    theme = Theme(key="t", label="t", description="d", cue_groups=[["ftc"], ["deceptive"]])
    bare = Theme(key="b", label="b", description="d")
    text = ("The FTC warned about deceptive claims. The FTC sued over deceptive ads! "
            "Then the FTC fined a deceptive app; deceptive again")
    hits = cue_sentence_hits(pl.Series([text, "FTC", "x"]), [theme, bare], cap=2)
    assert hits.tolist() == [[2.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    assert cue_sentence_hits(pl.Series([], dtype=pl.String), [theme, bare]).shape == (0, 2)
    assert cue_sentence_hits(pl.Series(["x", "y"]), []).shape == (2, 0)


def test_only_themes_in_the_definitions_with_cues_get_a_column():
    themes = load_themes()
    cued = [t.key for t in themes if t.cue_groups]
    assert cued == ["compute_race"]
    views = feature_views(100, themes)
    assert [v for v, t in zip(views, themes) if t.key == "compute_race"] == [(99, 99)]
    assert all(v == (99, None) for v, t in zip(views, themes) if t.key != "compute_race")


class _Embedder:
    identity, dimension = "cue-test", 3

    def encode(self, texts):
        vectors = np.array([[len(t), t.count("a") + 1.0, 1.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_features_are_those_without_cues_plus_one_column_per_cued_theme():
    from pipelines.theme_classifier import FeatureInputs, theme_features

    themes = load_themes()
    bare = [t.model_copy(update={"cue_groups": []}) for t in themes]
    passages = pl.DataFrame({"passage_id": ["p1", "p2", "p3"], "doc_id": ["d", "d", "e"], "text": [
        "Microsoft will build new data centers for AI in Wisconsin.",
        "The Senate held a hearing on AI licensing.", "Nvidia sold more GPUs for AI."]})
    embedder = _Embedder()
    vectors = embedder.encode(passages["text"].to_list())
    inputs = FeatureInputs(passages, vectors, vectors, passages.select("doc_id", "text"))
    with_cues, without = theme_features(inputs, themes, embedder), theme_features(inputs, bare, embedder)
    assert with_cues.shape[1] == without.shape[1] + 1
    assert with_cues[:, :-1].tobytes() == without.tobytes()
    assert with_cues[:, -1].tolist() == [1.0, 0.0, 1.0]


def _themes(cued: bool) -> list[Theme]:
    plain = [Theme(key=k, label=k, description="d") for k in ("a", "b", "c")]
    if cued:
        plain[1] = plain[1].model_copy(update={"cue_groups": [["x"], ["y"]]})
    return plain


def test_the_cue_column_is_seen_by_its_theme_only():
    rng = np.random.default_rng(0)
    shared = rng.normal(size=(120, 12)).astype(np.float32)
    y = rng.random((120, 3)) < 0.3
    y[:, 1] |= shared[:, 0] > 1.0
    cue = (y[:, 1] * rng.integers(1, 3, size=120)).astype(np.float32)[:, None]
    groups = np.arange(120) // 3
    config = ClassifierConfig()
    without = fit_classifier(shared, y, groups, _themes(False), config)
    with_cue = fit_classifier(np.hstack([shared, cue]), y, groups, _themes(True), config)
    before, after = without.probabilities(shared), with_cue.probabilities(np.hstack([shared, cue]))
    for j, key in ((0, "a"), (2, "c")):  # the other themes: the same models, byte for byte
        assert before[:, j].tobytes() == after[:, j].tobytes()
        assert without.thresholds[key] == with_cue.thresholds[key]
    assert not np.array_equal(before[:, 1], after[:, 1])  # the cued theme used its column
    assert with_cue.models["b"].predict_proba(np.hstack([shared, cue]))[:, 1].shape == (120,)


def test_the_classifier_cache_key_changes_with_the_cue_lists():
    from pipelines.theme_training import TrainingSet, cache_key

    data = TrainingSet(pl.DataFrame(), np.zeros((2, 3), np.float32),
                       np.array([[True], [False]]), np.array([0, 1]), {})
    theme = Theme(key="t", label="t", description="d", cue_groups=[["like"], ["fda"]])
    other = theme.model_copy(update={"cue_groups": [["like"], ["fda", "faa"]]})
    config = ClassifierConfig()
    assert cache_key(data, [theme], "e", config) != cache_key(data, [other], "e", config)
    assert cache_key(data, [theme], "e", config) == cache_key(data, [theme], "e", config)
    assert cache_key(data, [theme], "e", config) != cache_key(
        data, [theme], "e", ClassifierConfig(cue_weight=1.0))
