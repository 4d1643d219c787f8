"""Topic keywords from a capped sample of each topic's passages, so that memory stays bounded.

BERTopic's c-TF-IDF joins all passages of a topic into one string and counts the phrases
of that string; on a corpus of a million passages that list of phrases (and the vocabulary
of every phrase before `min_df` prunes it) was most of a build's peak memory. The final
topic model therefore computes its keywords (c-TF-IDF, then the KeyBERT-inspired
representation, which samples from the same passages) from at most `cap` passages per
topic (`TopicConfig.keyword_sample_per_topic`):

* a topic with no more than `cap` passages gives all of them, so a corpus whose topics are
  all below the cap (the bundled corpus) gets exactly the keywords it got before;
* a larger topic gives `cap` passages, spread over its documents: each document's passages
  of the topic are put in a seeded random order, and the topic takes every document's first
  passage before any document's second, and so on (ties: the seeded random order). Same
  passages, topics and seed: same sample.

Only the keyword texts are sampled. Topic assignments, sizes, topic embeddings (the mean of
every member's vector, used for topic probabilities and to assign new passages) and the
representative passages are computed from all passages, as before.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def keyword_sample(topic_ids: np.ndarray, doc_ids: pl.Series, cap: int, seed: int) -> np.ndarray | None:
    """Sorted row numbers of at most `cap` passages per topic, spread over documents (see the
    module docstring); None when no topic has more than `cap` passages (use them all)."""
    if cap < 1:
        raise ValueError(f"keyword sample cap must be at least 1, got {cap}")
    topic_ids = np.asarray(topic_ids)
    if len(topic_ids) == 0 or np.unique(topic_ids, return_counts=True)[1].max() <= cap:
        return None
    frame = pl.DataFrame({
        "topic": pl.Series(topic_ids, dtype=pl.Int64), "doc": doc_ids.cast(pl.String),
        "priority": np.random.default_rng(seed).random(len(topic_ids)),
    }).with_row_index("row")
    picked = (frame.with_columns(turn=pl.col("priority").rank("ordinal").over("topic", "doc"))
              .sort("topic", "turn", "priority", "row")
              .filter(pl.int_range(pl.len()).over("topic") < cap))
    return np.sort(picked["row"].to_numpy())


def keyword_sampled_bertopic(rows: np.ndarray | None, **kwargs):  # noqa: ANN003, ANN201 - BERTopic's arguments
    """A BERTopic model (built with `kwargs`) whose `fit` takes its keywords and representations
    from the passages at `rows` only (all passages when None); everything else sees them all."""
    from bertopic import BERTopic

    class KeywordSampledBERTopic(BERTopic):
        def _extract_topics(self, documents, embeddings=None, mappings=None, verbose=False,  # noqa: ANN001
                            fine_tune_representation=True):  # noqa: ANN001 - BERTopic 0.17's signature
            if rows is None:
                return super()._extract_topics(documents, embeddings, mappings, verbose, fine_tune_representation)
            # c-TF-IDF and the representation models see the sample; the topic embeddings
            # (means of the members' vectors) are then recomputed from every passage.
            super()._extract_topics(documents.iloc[rows], embeddings, mappings, verbose, fine_tune_representation)
            self._create_topic_vectors(documents=documents, embeddings=embeddings, mappings=mappings)
            return None

    return KeywordSampledBERTopic(**kwargs)
