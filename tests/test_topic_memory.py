"""Topic keywords from a capped sample per topic (pipelines/topic_keywords.py): the sample
itself, the bundled corpus's keywords unchanged by the default cap, and a cap that a topic
exceeds limiting what c-TF-IDF counts without changing assignments or topic embeddings."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipeline_fixtures import read_run
from pipelines.topic_keywords import keyword_sample


def test_keyword_sample_caps_each_topic_spreads_it_over_documents_and_is_seeded():
    # Topic 0: 30 passages in 3 documents (10 each); topic 1: 4 passages; outliers: 2.
    topics = np.array([0] * 30 + [1] * 4 + [-1] * 2)
    docs = pl.Series([f"d{i // 10}" for i in range(30)] + ["e"] * 4 + ["f", "g"])
    assert keyword_sample(topics, docs, cap=30, seed=1) is None  # no topic above the cap: all passages
    rows = keyword_sample(topics, docs, cap=6, seed=1)
    assert rows is not None and rows.tolist() == sorted(rows.tolist())
    picked = pl.DataFrame({"topic": topics[rows], "doc": docs.gather(rows)})
    assert picked.filter(pl.col("topic") == 0)["doc"].value_counts().sort("doc")["count"].to_list() == [2, 2, 2]
    assert set(rows.tolist()) >= set(range(30, 36))  # the small topic and the outliers: every passage
    assert keyword_sample(topics, docs, cap=6, seed=1).tolist() == rows.tolist()
    assert keyword_sample(topics, docs, cap=6, seed=2).tolist() != rows.tolist()
    with pytest.raises(ValueError):
        keyword_sample(topics, docs, cap=0, seed=1)


@pytest.fixture(scope="module")
def final_inputs(bundled_build, embedder):
    """The bundled build's passages (keyword texts, vectors from its embedding cache, topic per
    passage, documents) for refitting its final topic model."""
    from pipelines.embeddings import EmbeddingCache, embed_texts
    from pipelines.topic_labels import keyword_texts

    passages = read_run(bundled_build.run_dir, "passages")
    cache = EmbeddingCache(bundled_build.run_dir.parent.parent / "cache" / "embeddings", embedder.identity,
                           embedder.dimension)
    vectors = embed_texts(passages["text"], embedder, cache).vectors
    return passages, keyword_texts(passages["text"]), vectors, passages["topic_id"].to_numpy().astype(np.int64)


def _keywords(model) -> dict[int, list[str]]:  # noqa: ANN001
    return {t: [w for w, _ in model.get_topic(t)] for t in sorted(set(model.topics_))}


@pytest.mark.slow
def test_bundled_corpus_keywords_are_unchanged_by_the_default_cap(final_inputs, bundled_build, embedder):
    """Every bundled topic is below the default cap, so the sample is every passage: the
    published keywords are those of the model fitted on all passages, and forcing the sampled
    code path with all rows changes nothing either."""
    from pipelines.topics import TopicConfig, fit_final_model

    passages, texts, vectors, labels = final_inputs
    config = TopicConfig()
    assert passages.group_by("topic_id").len()["len"].max() < config.keyword_sample_per_topic
    assert keyword_sample(labels, passages["doc_id"], config.keyword_sample_per_topic, config.random_state) is None
    everything = fit_final_model(texts, vectors, labels, None, embedder, config)
    forced = fit_final_model(texts, vectors, labels, np.arange(len(texts)), embedder, config)
    assert _keywords(forced) == _keywords(everything)
    assert np.array_equal(forced.topics_, everything.topics_)
    # The refit keeps the build's topic ids (sorted by size), so its keywords are the published ones.
    assert everything.topics_ == labels.tolist()
    published = read_run(bundled_build.run_dir, "topics")
    assert {t: k for t, k in published.select("topic_id", "keywords").iter_rows()} == {
        t: [w for w in words if w][:10] for t, words in _keywords(everything).items()}


@pytest.mark.slow
def test_a_cap_below_a_topics_size_limits_what_ctfidf_counts_but_not_assignments(final_inputs, embedder):
    """With a cap of 15, c-TF-IDF's vocabulary holds only phrases of the sampled passages
    (the full fit's does not), while assignments, sizes and topic embeddings stay those of
    every passage."""
    from pipelines.topic_labels import PhraseAnalyzer, stop_words
    from pipelines.topics import TopicConfig, fit_final_model

    passages, texts, vectors, labels = final_inputs
    config = TopicConfig(keyword_sample_per_topic=15)
    rows = keyword_sample(labels, passages["doc_id"], 15, config.random_state)
    sizes = dict(zip(*np.unique(labels, return_counts=True)))
    assert rows is not None and max(sizes.values()) > 15
    sampled_sizes = dict(zip(*np.unique(labels[rows], return_counts=True)))
    assert sampled_sizes == {t: min(n, 15) for t, n in sizes.items()}

    capped = fit_final_model(texts, vectors, labels, rows, embedder, config)
    full = fit_final_model(texts, vectors, labels, None, embedder, config)
    analyzer = PhraseAnalyzer(stop_words(), 1, 2)
    sampled_phrases = {p for i in rows.tolist() for p in analyzer(texts[i])}
    assert set(capped.vectorizer_model.vocabulary_) <= sampled_phrases
    assert not set(full.vectorizer_model.vocabulary_) <= sampled_phrases
    for topic_id, words in _keywords(capped).items():  # keywords are phrases of the topic's sample
        in_sample = {p for i in rows[labels[rows] == topic_id].tolist() for p in analyzer(texts[i])}
        assert {w for w in words if w} <= in_sample, topic_id
    assert capped.topics_ == full.topics_ == labels.tolist()
    assert capped.topic_sizes_ == full.topic_sizes_
    np.testing.assert_allclose(capped.topic_embeddings_, full.topic_embeddings_, rtol=1e-6)


def test_the_topic_child_reads_only_the_sampled_passages_text(tmp_path):
    """With primary themes the passages outside BERTopic's sample are placed by their vectors, so
    the topic child reads only the sample's text (the rows `fit_topics_on_sample` draws); every
    text when the zero-shot scorer must read them, or when the sample is the whole corpus."""
    import datetime as dt

    from pipelines.topic_process import _passages_needed
    from pipelines.topic_sampling import stratified_sample

    n = 600
    passages = pl.DataFrame({"passage_id": [f"p{i}" for i in range(n)], "doc_id": [f"d{i // 3}" for i in range(n)],
                             "text": [f"text {i}" for i in range(n)],
                             "month": [dt.date(2024, 1 + i % 12, 1) for i in range(n)]})
    path = tmp_path / "passages.parquet"
    passages.write_parquet(path)
    read = _passages_needed(path, 60, 42, all_text=False)
    rows = stratified_sample(passages["month"], 60, 42)
    assert read.columns == passages.columns and read.drop("text").equals(passages.drop("text"))
    assert read[rows].equals(passages[rows])
    assert read["text"].null_count() == n - len(rows) > 0
    assert _passages_needed(path, 60, 42, all_text=True).equals(passages)
    assert _passages_needed(path, n, 42, all_text=False).equals(passages)
