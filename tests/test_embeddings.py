"""Embeddings: offline model with a verified hash, and a cache that embeds only what is new."""

from __future__ import annotations

import shutil

import numpy as np
import polars as pl
import pytest

from pipelines.embedders import load_embedder
from pipelines.embeddings import (
    DEFAULT_MODEL_SHA256, EmbeddingCache, EmbeddingConfig, ModelIntegrityError, default_model_dir, embed_texts,
    verify_model,
)
from pipelines.files import file_sha256


class CountingEmbedder:
    """A stand-in model that records what it was asked to embed."""

    identity = "counting-test-embedder"
    dimension = 4

    def __init__(self):
        self.calls: list[str] = []

    def encode(self, texts):
        self.calls.extend(texts)
        return np.array([[len(t), t.count("a"), t.count("e"), 1.0] for t in texts], dtype=np.float32)


def test_shipped_model_matches_the_pinned_hash():
    assert file_sha256(default_model_dir() / "model.safetensors") == DEFAULT_MODEL_SHA256


def test_a_tampered_model_is_refused(tmp_path):
    tampered = tmp_path / "model"
    shutil.copytree(default_model_dir(), tampered)
    weights = tampered / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="refusing to load"):
        verify_model(tampered, DEFAULT_MODEL_SHA256)
    with pytest.raises(ModelIntegrityError, match="refusing to load"):
        load_embedder(EmbeddingConfig(model_path=tampered, model_sha256=DEFAULT_MODEL_SHA256[::-1]))


def test_missing_weights_are_refused(tmp_path):
    with pytest.raises(ModelIntegrityError, match="not found"):
        verify_model(tmp_path, DEFAULT_MODEL_SHA256)


@pytest.mark.slow
def test_default_model_gives_unit_vectors_and_similar_texts_are_close(embedder):
    vectors = embedder.encode(["Musk buys 10,000 GPUs for a data centre.",
                               "Elon Musk purchased thousands of Nvidia chips.",
                               "The European Parliament voted on the AI Act."])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_cache_embeds_only_new_texts(tmp_path):
    model = CountingEmbedder()
    cache = EmbeddingCache(tmp_path, model.identity, model.dimension)
    texts = pl.Series(["alpha", "beta", "alpha", "gamma"])
    first = embed_texts(texts, model, cache)
    assert (first.embedded, first.cached) == (3, 0)
    assert model.calls == ["alpha", "beta", "gamma"]
    again = embed_texts(texts, model, cache)
    assert (again.embedded, again.cached) == (0, 4)
    assert np.array_equal(again.vectors, first.vectors)
    grown = embed_texts(pl.Series(["alpha", "delta", "beta"]), model, cache)
    assert (grown.embedded, grown.cached) == (1, 2)
    assert model.calls[-1] == "delta"
    assert np.array_equal(grown.vectors[0], first.vectors[0])


def test_each_distinct_text_is_held_once_and_stored_in_shards(tmp_path):
    model = CountingEmbedder()
    cache = EmbeddingCache(tmp_path, model.identity, model.dimension)
    texts = pl.Series(["the title", "the title", "another", "the title", "a third", "a fourth", "a fifth"])
    result = embed_texts(texts, model, cache, chunk=2, store_every=2)
    assert result.distinct.shape == (5, 4)  # five distinct titles, not seven rows
    expected = model.encode(texts.to_list())
    assert np.array_equal(result.vectors, expected)
    assert np.array_equal(result.take(np.array([3, 2])), expected[[3, 2]])
    assert np.array_equal(result.subset(np.array([1, 4])).vectors, expected[[1, 4]])
    assert len(list(cache.folder.glob("*.parquet"))) == 3  # 2 + 2 + 1 new vectors
    again = embed_texts(texts[::-1], model, cache)
    assert (again.embedded, again.cached) == (0, 7)
    assert np.array_equal(again.vectors, expected[::-1])


def test_all_new_distinct_texts_are_returned_without_a_copy(tmp_path):
    model = CountingEmbedder()
    result = embed_texts(pl.Series(["one", "two", "three"]), model, EmbeddingCache(tmp_path, model.identity, 4))
    assert result.rows is None and result.vectors is result.distinct


def test_cache_is_keyed_by_model_identity(tmp_path):
    one, other = CountingEmbedder(), CountingEmbedder()
    other.identity = "another-model"
    embed_texts(pl.Series(["alpha"]), one, EmbeddingCache(tmp_path, one.identity, 4))
    result = embed_texts(pl.Series(["alpha"]), other, EmbeddingCache(tmp_path, other.identity, 4))
    assert result.embedded == 1


def test_similarity_calibration_maps_onto_the_reference_scale():
    from pipelines.themes import SimilarityCalibration

    rng = np.random.default_rng(0)
    teacher = rng.uniform(-0.2, 0.9, 500)
    calibration = SimilarityCalibration.fit(0.5 * teacher + 0.3, teacher)
    assert (calibration.scale, calibration.offset) == (2.0, -0.6)
    assert np.allclose(calibration.apply(0.5 * teacher + 0.3), teacher, atol=1e-3)
    assert calibration.to_embedder_scale(0.25) == pytest.approx(0.425)
    identity = SimilarityCalibration()
    sims = rng.uniform(0, 1, (3, 4)).astype(np.float32)
    assert identity.is_identity and identity.apply(sims) is sims and identity.to_embedder_scale(0.25) == 0.25


def test_default_embedder_is_the_reference_scale_and_keeps_its_topic_cache_key():
    """MiniLM needs no calibration, so its theme scores and topic cache entries are unchanged."""
    from pipelines.topic_cache import topic_cache_key
    from pipelines.themes import SimilarityCalibration, load_themes, similarity_calibration
    from pipelines.topics import TopicConfig

    assert similarity_calibration(load_embedder(EmbeddingConfig())).is_identity  # no model load needed
    documents = pl.DataFrame({"doc_id": ["d"], "title": ["t"]})
    passages = pl.DataFrame({"passage_id": ["d:0"], "doc_id": ["d"], "text": ["x"]})
    key = lambda calibration: topic_cache_key("st:x", documents, passages, load_themes(), TopicConfig(),  # noqa: E731
                                              calibration)
    assert key(None) == key(SimilarityCalibration())
    assert key(SimilarityCalibration(scale=1.0, offset=-0.05)) != key(None)


def test_static_model_folder_names_source_and_recipe(tmp_path, monkeypatch):
    from pipelines.static_embedder import PCA_DIMS, SIF_COEFFICIENT, model_folder

    monkeypatch.setenv("DISCOURSE_MODEL_CACHE", str(tmp_path))
    folder = model_folder(DEFAULT_MODEL_SHA256)
    assert folder.parent == tmp_path
    assert folder.name == f"static-{DEFAULT_MODEL_SHA256[:16]}-sif{SIF_COEFFICIENT:g}-pca{PCA_DIMS}"


@pytest.mark.slow
def test_static_embedder_is_calibrated_against_minilm_and_spreads_passages_apart(bundled_documents):
    """The distilled model (distilled and calibrated on first use) carries the fitted map, and its
    vectors of the bundled passages are far less alike than with model2vec's default SIF weighting
    (mean pairwise cosine 0.58 then; MiniLM's is 0.27)."""
    from pipelines.passages import split_passages
    from pipelines.static_embedder import CALIBRATION_FILE, model_folder

    static = load_embedder(EmbeddingConfig(embedder="static"))
    assert static.identity == f"static:{model_folder(DEFAULT_MODEL_SHA256).name}"
    assert (model_folder(DEFAULT_MODEL_SHA256) / CALIBRATION_FILE).is_file()
    calibration = static.similarity_calibration
    assert 0.5 < calibration.scale < 2 and -0.3 < calibration.offset < 0.3 and "corpus" in calibration.fitted_on
    texts = split_passages(bundled_documents.lazy()).collect()["text"].to_list()
    vectors = static.encode(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    pairwise = vectors @ vectors.T
    assert pairwise[np.triu_indices(len(texts), 1)].mean() < 0.45


def test_a_second_distillation_finishing_late_keeps_the_first_models_folder(tmp_path):
    """Two first-time static builds distil at once, each into its own temporary folder: the one
    that finishes second finds the model in place, keeps it and removes its own copy; a failed
    rename with no model in place is still an error."""
    from pipelines.static_embedder import move_into_place

    folder = tmp_path / "static-abc"
    first, second = tmp_path / "static-abc.1.tmp", tmp_path / "static-abc.2.tmp"
    for tmp, content in ((first, b"first"), (second, b"second")):
        tmp.mkdir()
        (tmp / "model.safetensors").write_bytes(content)
    move_into_place(first, folder)
    move_into_place(second, folder)
    assert (folder / "model.safetensors").read_bytes() == b"first"
    assert not first.exists() and not second.exists()
    blocked = tmp_path / "blocked"
    (blocked / "other").mkdir(parents=True)  # a non-empty folder without a model
    third = tmp_path / "blocked.3.tmp"
    third.mkdir()
    (third / "model.safetensors").write_bytes(b"third")
    with pytest.raises(OSError):
        move_into_place(third, blocked)
    assert third.is_dir()
