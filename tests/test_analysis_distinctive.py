"""Distinctive words: tokenisation, and the log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi and Quinn 2008, section 3.5) checked against the formula."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from dashboard.analysis.distinctive import (
    STOP_WORDS, distinctive_words, log_odds_table, word_counts,
)


def counts(**words: int) -> pl.DataFrame:
    return pl.DataFrame({"word": list(words), "count": list(words.values())})


def as_dict(frame: pl.DataFrame) -> dict[str, int]:
    return dict(zip(frame["word"].to_list(), frame["count"].to_list()))


def test_word_counts_fold_case_and_drop_stop_words_numbers_and_short_words():
    texts = pl.Series([
        "The LICENSING regime, said the minister, would cover Licensing of AI in 2024.",
        "Open-source models: OpenAI's 3 chips; they don\u2019t say 42 or 7nm.",
        None,
        "",
    ])
    got = as_dict(word_counts(texts))
    assert got["licensing"] == 2  # case folded
    assert got["open-source"] == 1  # internal hyphen kept
    assert got["openai"] == 1  # possessive cut
    assert {"the", "of", "they", "said", "would", "say"}.isdisjoint(got)  # stop words
    assert "don't" not in got and "don" not in got  # contraction of a function word
    assert "ai" not in got  # shorter than min_len
    assert not any(ch.isdigit() for word in got for ch in word)  # numbers dropped
    assert got["regime"] == got["minister"] == got["models"] == got["chips"] == 1
    assert not set(got) & STOP_WORDS
    assert word_counts(texts).columns == ["word", "count"]


def test_word_counts_of_nothing_is_an_empty_frame():
    empty = word_counts(pl.Series([], dtype=pl.String))
    assert empty.height == 0 and empty.schema == {"word": pl.String, "count": pl.Int64}


def synthetic_sides() -> tuple[pl.DataFrame, pl.DataFrame]:
    side_a = ["licensing of frontier models under policy"] * 50 \
        + ["licensing and safety policy for models"] * 50
    side_b = ["chips export policy for models"] * 50 + ["chips supply and models policy"] * 50
    return word_counts(pl.Series(side_a)), word_counts(pl.Series(side_b))


def test_each_side_is_led_by_its_over_used_word():
    a, b = synthetic_sides()
    result = distinctive_words(a, b, top=5)
    assert result.columns == ["word", "count_a", "count_b", "log_odds", "z", "side"]
    side_a, side_b = (result.filter(pl.col("side") == s) for s in ("a", "b"))
    assert side_a["word"][0] == "licensing" and side_a["z"][0] > 2
    assert side_b["word"][0] == "chips" and side_b["z"][0] > 2
    assert (result["z"] > 0).all() and (result["log_odds"] > 0).all()
    for side in (side_a, side_b):
        assert side["z"].to_list() == sorted(side["z"].to_list(), reverse=True)
    assert result["side"].to_list() == sorted(result["side"].to_list())  # a rows first
    assert set(side_a["word"]).isdisjoint(side_b["word"])


def test_a_word_used_equally_has_a_small_z():
    a, b = synthetic_sides()
    table = log_odds_table(a, b)
    policy = table.filter(pl.col("word") == "policy").row(0, named=True)
    assert policy["count_a"] == policy["count_b"] == 100
    assert abs(policy["z"]) < 0.5


def test_swapping_the_sides_negates_log_odds_and_z():
    a, b = synthetic_sides()
    forward, backward = log_odds_table(a, b), log_odds_table(b, a)
    assert forward["word"].to_list() == backward["word"].to_list()
    np.testing.assert_allclose(forward["log_odds"], -backward["log_odds"], atol=1e-12)
    np.testing.assert_allclose(forward["z"], -backward["z"], atol=1e-12)
    swapped = distinctive_words(b, a, top=5)
    direct = distinctive_words(a, b, top=5)
    flipped = direct.with_columns(side=pl.col("side").replace({"a": "b", "b": "a"}))
    assert swapped.sort("side", "word").select("word", "side", "z").equals(
        flipped.sort("side", "word").select("word", "side", "z"))


def test_z_matches_the_formula_of_the_paper_on_a_tiny_example():
    a, b = counts(tax=6, chips=1, safety=3), counts(tax=2, chips=5, safety=3)
    prior = counts(tax=10, chips=30, safety=60, unused=100)  # "unused" is not in a or b
    alpha0 = 4.0
    table = log_odds_table(a, b, prior=prior, alpha0=alpha0)
    # By hand (section 3.5): alpha_w = alpha0 * prior share over the vocabulary of a + b.
    alpha = alpha0 * np.array([10, 30, 60]) / 100.0  # tax, chips, safety
    y_a, y_b = np.array([6.0, 1.0, 3.0]), np.array([2.0, 5.0, 3.0])
    n_a, n_b = y_a.sum(), y_b.sum()
    delta = (np.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha))
             - np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha)))
    z = delta / np.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
    got = {row["word"]: row for row in table.iter_rows(named=True)}
    for i, word in enumerate(["tax", "chips", "safety"]):
        assert got[word]["log_odds"] == pytest.approx(delta[i], rel=1e-12)
        assert got[word]["z"] == pytest.approx(z[i], rel=1e-12)
    assert "unused" not in got


def test_the_default_prior_is_the_pooled_corpus():
    a, b = counts(tax=6, chips=1, safety=3), counts(tax=2, chips=5, safety=3)
    pooled = counts(tax=8, chips=6, safety=6)
    assert log_odds_table(a, b, alpha0=7.0).equals(log_odds_table(a, b, prior=pooled, alpha0=7.0))


def test_a_word_absent_from_one_side_gives_finite_figures():
    a = counts(licensing=12, policy=20, models=5)
    b = counts(policy=25, chips=9, models=4)
    table = log_odds_table(a, b)
    assert table.height == 4
    assert np.isfinite(table["log_odds"].to_numpy()).all()
    assert np.isfinite(table["z"].to_numpy()).all()
    result = distinctive_words(a, b, top=2)
    assert result.filter(pl.col("side") == "a")["word"][0] == "licensing"
    assert result.filter(pl.col("side") == "b")["word"][0] == "chips"
    # A prior that lacks a word of a or b still gives finite figures.
    sparse = log_odds_table(a, b, prior=counts(policy=50))
    assert np.isfinite(sparse["z"].to_numpy()).all()


def test_min_count_drops_rare_words_and_top_caps_each_side():
    a = counts(licensing=12, policy=20, rare=1, models=9, audit=8)
    b = counts(policy=25, chips=9, rare=1, models=2, export=7)
    assert "rare" not in distinctive_words(a, b)["word"].to_list()
    assert "rare" in log_odds_table(a, b)["word"].to_list()
    capped = distinctive_words(a, b, top=1)
    assert capped.height == 2 and capped["side"].to_list() == ["a", "b"]
    assert distinctive_words(counts(), counts()).height == 0
