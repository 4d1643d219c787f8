"""Topics stage: passages -> named themes plus topics BERTopic discovers in the rest.

1. Themes from data/themes.toml are assigned by `pipelines.themes` (zero-shot description
   similarity combined with seed words, document context and titles).
2. BERTopic (UMAP + HDBSCAN, seeded) clusters the passages no theme claimed into discovered
   topics; BERTopic's embedding-based outlier reduction then places most of its outliers.
3. One final BERTopic model is fitted on all passages with those labels (BERTopic's manual
   topic modelling), so every topic, theme or discovered, has c-TF-IDF keywords refined
   by a KeyBERT-inspired representation, and topic embeddings that assign new passages
   later without refitting. It is saved with BERTopic's safetensors serialization. Its
   keywords come from at most `keyword_sample_per_topic` passages per topic, spread over
   the topic's documents (`pipelines.topic_keywords`: bounded memory on a large corpus);
   assignments, sizes and topic embeddings use every passage.
4. Discovered topics are named by `pipelines.topic_labels`: a short phrase their own
   passages use. Keywords and labels are phrases of adjacent words of those passages.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from pipelines.artifacts import OUTLIER_TOPIC, TABLES
from pipelines.embeddings import Embedder
from pipelines.topic_keywords import keyword_sample, keyword_sampled_bertopic
from pipelines.topic_labels import LabelConfig, PhraseAnalyzer, centrality, keyword_texts, label_topics, stop_words
from pipelines.themes import (
    NO_THEME, Theme, ThemeScoring, assign_themes, max_similarity, seed_word_hits, similarity_calibration,
    theme_exemplars, theme_scores,
)

ASSIGNMENT_COLUMNS = ["passage_id", "topic_id", "topic_probability", "theme"]
OUTLIER_LABEL = "Outliers (no topic)"

for noisy in ("BERTopic", "numba", "umap"):
    logging.getLogger(noisy).setLevel(logging.ERROR)


class TopicConfig(BaseModel):
    """BERTopic and theme-assignment settings; sizes scale with the corpus when left None."""

    scoring: ThemeScoring = Field(default_factory=ThemeScoring)
    random_state: int = 42
    min_topic_size: int | None = None
    max_cluster_fit: int = 40_000
    min_discovery_passages: int = 40
    max_discovered_topics: int = 40
    outlier_threshold: float = 0.25
    top_n_words: int = 10
    # Passages per topic whose phrases c-TF-IDF counts for keywords (pipelines/topic_keywords.py):
    # bounds the final fit's memory; a topic no larger than this gives all its passages.
    keyword_sample_per_topic: int = 5_000
    labels: LabelConfig = Field(default_factory=LabelConfig)

    def topic_size_for(self, n_passages: int) -> int:
        """HDBSCAN's min_cluster_size: 5 for a few hundred passages, up to 100 for large corpora."""
        return self.min_topic_size or int(min(100, max(5, n_passages // 250)))


@dataclass
class TopicResult:
    assignments: pl.DataFrame  # ASSIGNMENT_COLUMNS, aligned with the passages given
    topics: pl.DataFrame  # the topics table of the artifact contract
    model: object  # the final BERTopic model
    outlier_share_before_reduction: float
    outlier_share: float


class BertopicEmbedder:
    """Adapter giving BERTopic our embedder (it never loads a model by itself)."""

    def __new__(cls, embedder: Embedder):
        from bertopic.backend import BaseEmbedder

        class _Adapter(BaseEmbedder):
            def __init__(self, inner: Embedder):
                super().__init__()
                self.inner = inner

            def embed(self, documents, verbose=False):  # noqa: ANN001 - BERTopic's signature
                return self.inner.encode(list(documents))

        return _Adapter(embedder)


def _vectorizer(n_passages: int):
    from sklearn.feature_extraction.text import CountVectorizer

    # Keywords are phrases of one or two adjacent words that some passage uses (PhraseAnalyzer).
    return CountVectorizer(analyzer=PhraseAnalyzer(stop_words(), 1, 2), min_df=2 if n_passages >= 200 else 1,
                           max_df=0.9 if n_passages >= 200 else 1.0)


def score_themes(passages: pl.DataFrame, vectors: np.ndarray, title_vectors: np.ndarray,
                 themes: list[Theme], embedder: Embedder, scoring: ThemeScoring) -> tuple[np.ndarray, np.ndarray]:
    """Theme index (NO_THEME: none) and score per passage; see `pipelines.themes`."""
    exemplars = theme_exemplars(themes)
    exemplar_vectors = embedder.encode(exemplars["text"].to_list())
    exemplar_themes = exemplars["theme"].to_list()
    seed_hits = seed_word_hits(passages["text"], themes)
    calibration = similarity_calibration(embedder)  # thresholds are in MiniLM's cosine units
    scores = theme_scores(
        calibration.apply(max_similarity(vectors, exemplar_vectors, exemplar_themes, themes)),
        seed_hits,
        calibration.apply(max_similarity(title_vectors, exemplar_vectors, exemplar_themes, themes)),
        passages["doc_id"], scoring,
    )
    return assign_themes(scores, seed_hits, themes, scoring)


def discover_topics(texts: list[str], vectors: np.ndarray, embedder: Embedder,
                    config: TopicConfig) -> tuple[np.ndarray, int]:
    """Cluster passages with BERTopic; returns topic per passage after outlier reduction, and
    the number of outliers before reduction."""
    n = len(texts)
    if n < config.min_discovery_passages:
        return np.full(n, OUTLIER_TOPIC, dtype=np.int32), n
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from umap import UMAP

    rng = np.random.default_rng(config.random_state)
    fit_rows = np.sort(rng.choice(n, config.max_cluster_fit, replace=False)) if n > config.max_cluster_fit \
        else np.arange(n)
    size = config.topic_size_for(len(fit_rows))
    model = BERTopic(
        embedding_model=BertopicEmbedder(embedder),
        umap_model=UMAP(n_neighbors=min(15, len(fit_rows) - 1), n_components=5, min_dist=0.0,
                        metric="cosine", random_state=config.random_state),
        # A small min_samples keeps HDBSCAN from merging a large corpus into one giant cluster.
        hdbscan_model=HDBSCAN(min_cluster_size=size, min_samples=max(2, min(10, size // 5)), metric="euclidean",
                              cluster_selection_method="eom", prediction_data=True),
        nr_topics=config.max_discovered_topics,
        vectorizer_model=_vectorizer(len(fit_rows)),
        top_n_words=config.top_n_words,
        calculate_probabilities=False,
    )
    fit_texts = [texts[i] for i in fit_rows]
    fitted, _ = model.fit_transform(fit_texts, embeddings=vectors[fit_rows])
    topics = np.full(n, OUTLIER_TOPIC, dtype=np.int32)
    topics[fit_rows] = fitted
    if len(fit_rows) < n:
        rest = np.setdiff1d(np.arange(n), fit_rows)
        predicted, _ = model.transform([texts[i] for i in rest], embeddings=vectors[rest])
        topics[rest] = predicted
    outliers_before = int((topics == OUTLIER_TOPIC).sum())
    if outliers_before and len(set(topics.tolist()) - {OUTLIER_TOPIC}):
        topics = np.asarray(model.reduce_outliers(
            texts, topics.tolist(), strategy="embeddings", embeddings=vectors,
            threshold=similarity_calibration(embedder).to_embedder_scale(config.outlier_threshold),
        ), dtype=np.int32)
    return topics, outliers_before


def fit_topics(passages: pl.DataFrame, vectors: np.ndarray, title_vectors: np.ndarray, themes: list[Theme],
               embedder: Embedder, config: TopicConfig | None = None,
               theme_index: np.ndarray | None = None) -> TopicResult:
    """Assign every passage (passage_id, doc_id, text) to a theme, a discovered topic or the outliers.

    `theme_index` is each passage's primary theme (an index into `themes`, NO_THEME for
    none), e.g. from the theme classifiers; without it the zero-shot scorer decides."""
    config = config or TopicConfig()
    texts = keyword_texts(passages["text"])
    if theme_index is None:
        theme_index, _ = score_themes(passages, vectors, title_vectors, themes, embedder, config.scoring)
    rest = np.flatnonzero(theme_index == NO_THEME)
    discovered, outliers_before = discover_topics([texts[i] for i in rest], vectors[rest], embedder, config)

    # Labels for the final model: themes first (0..K-1), then discovered topics, OUTLIER_TOPIC.
    labels = theme_index.astype(np.int64)
    labels[rest] = np.where(discovered != OUTLIER_TOPIC, discovered + len(themes), OUTLIER_TOPIC)
    keyword_rows = keyword_sample(labels, passages["doc_id"], config.keyword_sample_per_topic, config.random_state)
    final = fit_final_model(texts, vectors, labels, keyword_rows, embedder, config)
    final_ids = np.asarray(final.topics_, dtype=np.int32)

    label_of = dict(zip(final_ids.tolist(), labels.tolist()))  # final id -> our label
    central = centrality(vectors, final_ids)
    topics = _topics_table(final, label_of, themes, final_ids, central, passages["passage_id"], config)
    topics = _name_discovered_topics(topics, texts, final_ids, central, vectors, embedder, config)
    final.set_topic_labels(dict(zip(topics["topic_id"].to_list(), topics["label"].to_list())))
    probability = _centroid_similarity(vectors, final_ids, final)
    theme_by_topic = dict(zip(topics["topic_id"].to_list(), topics["theme"].to_list()))
    assignments = pl.DataFrame({
        "passage_id": passages["passage_id"],
        "topic_id": pl.Series(final_ids, dtype=pl.Int32),
        "topic_probability": pl.Series(probability, dtype=pl.Float32),
        "theme": pl.Series([theme_by_topic.get(t) for t in final_ids.tolist()], dtype=pl.String),
    })
    n = max(len(texts), 1)
    outlier_share = float((final_ids == OUTLIER_TOPIC).sum()) / n
    return TopicResult(assignments, topics, final, outliers_before / n, outlier_share)


def fit_final_model(texts: list[str], vectors: np.ndarray, labels: np.ndarray, keyword_rows: np.ndarray | None,
                    embedder: Embedder, config: TopicConfig):  # noqa: ANN201 - a fitted BERTopic
    """BERTopic's manual topic modelling: the topics are `labels` (one per passage); keywords
    (c-TF-IDF refined by a KeyBERT-inspired representation) come from the passages at
    `keyword_rows` (all when None, see `pipelines.topic_keywords`), topic embeddings from all."""
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import KeyBERTInspired

    final = keyword_sampled_bertopic(
        keyword_rows,
        embedding_model=BertopicEmbedder(embedder),
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=_vectorizer(len(texts)),
        # In a list, KeyBERTInspired embeds each topic's representative passages itself: given
        # the precomputed embeddings (BERTopic 0.17.x passes them when it is not in a list) it
        # reads them at the representative passages' positions in its own flat list, i.e. the
        # embeddings of the corpus's first passages, and ranks every topic's words against those.
        representation_model=[KeyBERTInspired(top_n_words=config.top_n_words, random_state=config.random_state)],
        top_n_words=config.top_n_words,
    )
    return final.fit(texts, embeddings=vectors, y=labels)


def _centroid_similarity(vectors: np.ndarray, topic_ids: np.ndarray, model) -> np.ndarray:  # noqa: ANN001
    """Cosine similarity of each passage to its topic's embedding, clipped to [0, 1]."""
    centroids = np.asarray(model.topic_embeddings_, dtype=np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    rows = topic_ids + model._outliers  # topic_embeddings_ starts at -1 when outliers exist
    sims = np.einsum("ij,ij->i", vectors, centroids[rows])
    return np.clip(sims, 0.0, 1.0)


def _topics_table(model, label_of: dict[int, int], themes: list[Theme], topic_ids: np.ndarray,  # noqa: ANN001
                  central: np.ndarray, passage_ids: pl.Series, config: TopicConfig) -> pl.DataFrame:
    """One row per final topic with its theme, keywords and representative passages; named
    themes and the outliers have their label, discovered topics get theirs from
    `_name_discovered_topics`."""
    rows = []
    sizes = dict(zip(*np.unique(topic_ids, return_counts=True)))
    for topic_id in sorted(sizes):
        words = model.get_topic(topic_id) or []
        keywords = [w for w, _ in words if w][: config.top_n_words]
        weights = [float(s) for w, s in words if w][: config.top_n_words]
        ours = label_of[topic_id]
        theme = themes[ours] if 0 <= ours < len(themes) else None
        label = OUTLIER_LABEL if topic_id == OUTLIER_TOPIC else theme.label if theme is not None else None
        members = np.flatnonzero(topic_ids == topic_id)
        best = members[np.argsort(-central[members], kind="stable")[:3]]
        rows.append({
            "topic_id": int(topic_id), "label": label, "theme": theme.key if theme else None,
            "keywords": keywords, "keyword_weights": weights, "size": int(sizes[topic_id]),
            "representative_passage_ids": [passage_ids[int(i)] for i in best],
        })
    return pl.DataFrame(rows, schema=TABLES["topics"].schema)


def _name_discovered_topics(topics: pl.DataFrame, texts: list[str], topic_ids: np.ndarray, central: np.ndarray,
                            vectors: np.ndarray, embedder: Embedder, config: TopicConfig) -> pl.DataFrame:
    """Discovered topics (no label yet) named by `pipelines.topic_labels.label_topics`."""
    named = topics.filter(pl.col("label").is_null())["topic_id"].to_list()
    if not named:
        return topics
    frame = pl.DataFrame({"topic_id": pl.Series(topic_ids, dtype=pl.Int32), "text": texts,
                          "centrality": pl.Series(central, dtype=pl.Float32)})
    labels = label_topics(frame, vectors, named, config.labels, embedder.encode,
                          reserved=frozenset(topics["label"].drop_nulls().to_list()))
    return (topics.join(labels.rename({"label": "generated"}), on="topic_id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("label", "generated").alias("label")).select(topics.columns))


# --- saving, loading and assigning new passages ----------------------------------------------


def save_topic_model(result: TopicResult, folder: Path, themes: list[Theme], config: TopicConfig) -> None:
    """BERTopic's safetensors serialization plus the theme definitions and config used."""
    result.model.save(str(folder), serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
    (folder / "themes.json").write_text(json.dumps({
        "themes": [t.model_dump() for t in themes], "config": config.model_dump(mode="json"),
    }, indent=2))


@dataclass
class SavedTopicModel:
    model: object
    themes: list[Theme]
    config: TopicConfig


def load_topic_model(folder: Path, embedder: Embedder) -> SavedTopicModel:
    from bertopic import BERTopic

    meta = json.loads((folder / "themes.json").read_text())
    model = BERTopic.load(str(folder), embedding_model=BertopicEmbedder(embedder))
    return SavedTopicModel(model, [Theme(**t) for t in meta["themes"]], TopicConfig(**meta["config"]))


def assign_new_passages(saved: SavedTopicModel, topics: pl.DataFrame, passages: pl.DataFrame,
                        vectors: np.ndarray, title_vectors: np.ndarray, embedder: Embedder,
                        theme_index: np.ndarray | None = None) -> pl.DataFrame:
    """Assign passages of new documents without refitting: their primary theme (`theme_index`,
    else the zero-shot scorer's), the rest to the nearest discovered topic's embedding (or
    the outliers below the outlier threshold)."""
    if theme_index is None:
        theme_index, _ = score_themes(passages, vectors, title_vectors, saved.themes, embedder,
                                      saved.config.scoring)
    topic_of_theme = {th: tid for tid, th in topics.select("topic_id", "theme").iter_rows() if th is not None}
    centroids = np.asarray(saved.model.topic_embeddings_, dtype=np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    offset = saved.model._outliers
    discovered = [tid for tid, th in topics.select("topic_id", "theme").iter_rows()
                  if th is None and tid != OUTLIER_TOPIC]
    sims = vectors @ centroids[[t + offset for t in discovered]].T if discovered else np.zeros((len(vectors), 0))
    threshold = similarity_calibration(embedder).to_embedder_scale(saved.config.outlier_threshold)
    out_ids, out_prob = [], []
    for row, theme_j in enumerate(theme_index.tolist()):
        key = saved.themes[theme_j].key if theme_j != NO_THEME else None
        if key in topic_of_theme:
            tid = topic_of_theme[key]
            out_ids.append(tid)
            out_prob.append(float(np.clip(vectors[row] @ centroids[tid + offset], 0, 1)))
        elif discovered and sims[row].max() >= threshold:
            best = int(sims[row].argmax())
            out_ids.append(discovered[best])
            out_prob.append(float(np.clip(sims[row, best], 0, 1)))
        else:
            out_ids.append(OUTLIER_TOPIC)
            out_prob.append(0.0)
    theme_by_topic = dict(topics.select("topic_id", "theme").iter_rows())
    return pl.DataFrame({
        "passage_id": passages["passage_id"],
        "topic_id": pl.Series(out_ids, dtype=pl.Int32),
        "topic_probability": pl.Series(out_prob, dtype=pl.Float32),
        "theme": pl.Series([theme_by_topic.get(t) for t in out_ids], dtype=pl.String),
    })


# --- quality report ----------------------------------------------------------------------------


def topic_diversity(topics: pl.DataFrame, top_n: int = 10) -> float:
    """Share of unique words among the top-n keywords of all topics (1.0 = no overlap)."""
    lists = [k[:top_n] for k in topics.filter(pl.col("topic_id") != OUTLIER_TOPIC)["keywords"].to_list() if k]
    total = sum(len(k) for k in lists)
    return len({w for k in lists for w in k}) / total if total else 0.0


def topic_coherence(topics: pl.DataFrame, texts: list[str], top_n: int = 10, sample: int = 20_000,
                    seed: int = 0) -> float | None:
    """NPMI coherence (gensim) of each topic's top unigram keywords over the passages."""
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    if len(texts) > sample:
        rng = np.random.default_rng(seed)
        texts = [texts[i] for i in sorted(rng.choice(len(texts), sample, replace=False))]
    analyzer = _vectorizer(len(texts)).build_analyzer()
    tokenized = [[t for t in analyzer(text) if " " not in t] for text in keyword_texts(pl.Series(texts))]
    dictionary = Dictionary(tokenized)
    keyword_lists = [
        [w for w in k if " " not in w and w in dictionary.token2id][:top_n]
        for k in topics.filter(pl.col("topic_id") != OUTLIER_TOPIC)["keywords"].to_list()
    ]
    keyword_lists = [k for k in keyword_lists if len(k) >= 2]
    if not keyword_lists:
        return None
    model = CoherenceModel(topics=keyword_lists, texts=tokenized, dictionary=dictionary, coherence="c_npmi",
                           processes=1)
    return float(model.get_coherence())
