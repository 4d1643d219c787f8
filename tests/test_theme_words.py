"""The word regression beside the embedding one (pipelines/theme_classifier.py): it learns a
theme from words the embeddings do not carry, it can be switched off, and its vocabulary
comes from the passages it is fitted on."""

from __future__ import annotations

import numpy as np

from pipelines.theme_classifier import ClassifierConfig, fit_classifier, fit_vocabulary, out_of_fold
from pipelines.themes import Theme

THEMES = [Theme(key="moratorium", label="Moratorium", description="a moratorium")]
FILLER = ["the committee met on tuesday", "officials discussed the budget", "a report was published",
          "the agency issued guidance", "lawmakers returned from recess", "the panel heard testimony"]


def _passages(n: int, seed: int):
    """Noise embeddings; a passage carries the theme exactly when its text says 'moratorium'."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 3 == 0)[:, None]
    texts = np.array([f"{FILLER[i % len(FILLER)]} and called for a moratorium on frontier training" if y[i, 0]
                      else f"{FILLER[i % len(FILLER)]} about {rng.choice(['roads', 'farms', 'ports'])}"
                      for i in range(n)], dtype=object)
    return rng.normal(size=(n, 8)).astype(np.float32), texts, y, np.arange(n) // 2


def test_the_word_model_learns_a_theme_the_embeddings_do_not_carry():
    x, texts, y, groups = _passages(120, 1)
    test_x, test_texts, test_y, _ = _passages(60, 2)
    with_words = fit_classifier(x, texts, y, groups, THEMES, ClassifierConfig())
    decided = with_words.assigned(with_words.probabilities(test_x, test_texts))[:, 0]
    assert decided.tolist() == test_y[:, 0].tolist()
    without = fit_classifier(x, texts, y, groups, THEMES, ClassifierConfig(word_weight=0))
    assert without.vocabulary is None
    blind = without.assigned(without.probabilities(test_x, test_texts))[:, 0]
    assert (blind != test_y[:, 0]).sum() >= 10  # noise embeddings alone cannot tell


def test_switched_off_the_probabilities_are_the_embedding_regressions():
    x, texts, y, groups = _passages(90, 3)
    model = fit_classifier(x, texts, y, groups, THEMES, ClassifierConfig(word_weight=0))
    dense = model.models["moratorium"].dense.predict_proba(x)[:, 1]
    assert np.allclose(model.probabilities(x, texts)[:, 0], dense, atol=1e-6)


def test_a_vocabulary_holds_only_its_training_passages_words():
    x, texts, y, groups = _passages(60, 4)
    texts = texts.copy()
    texts[groups == 0] = "moratorium zyzzyva zyzzyva"  # one document's unique word
    vocabulary = fit_vocabulary(texts[groups != 0], ClassifierConfig())
    assert "zyzzyva" not in vocabulary.vocabulary_
    probs = out_of_fold(x, texts, y, groups, ClassifierConfig())
    assert not np.isnan(probs).any()
    assert fit_vocabulary(np.array(["a"], dtype=object), ClassifierConfig()) is None  # no word of two letters


def test_classifiers_fit_and_evaluate_on_one_blas_thread_and_give_the_threads_back(monkeypatch):
    """Hundreds of small fits ran about five times slower on a multi-threaded BLAS; the limit
    holds inside fitting and evaluation only."""
    from threadpoolctl import threadpool_info, threadpool_limits

    import pipelines.theme_classifier as tc

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    seen: list[set[int]] = []
    fit_one = tc._fit_one

    def recording(*args, **kwargs):
        seen.append(blas_threads())
        return fit_one(*args, **kwargs)

    monkeypatch.setattr(tc, "_fit_one", recording)
    x, texts, y, groups = _passages(60, 5)
    with threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core machine without OMP_NUM_THREADS
        assert blas_threads() == {2}
        tc.fit_classifier(x, texts, y, groups, THEMES, ClassifierConfig())
        tc.evaluate(x, texts, y, groups, THEMES, ClassifierConfig())
        assert blas_threads() == {2}
    assert seen and all(threads == {1} for threads in seen)
