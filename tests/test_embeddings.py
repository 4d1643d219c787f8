"""Embeddings: offline model with a verified hash, and a cache that embeds only what is new."""

from __future__ import annotations

import shutil

import numpy as np
import polars as pl
import pytest

from pipelines.embeddings import (
    DEFAULT_MODEL_SHA256, EmbeddingCache, EmbeddingConfig, ModelIntegrityError, default_model_dir, embed_texts,
    file_sha256, load_embedder, verify_model,
)


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


def test_cache_is_keyed_by_model_identity(tmp_path):
    one, other = CountingEmbedder(), CountingEmbedder()
    other.identity = "another-model"
    embed_texts(pl.Series(["alpha"]), one, EmbeddingCache(tmp_path, one.identity, 4))
    result = embed_texts(pl.Series(["alpha"]), other, EmbeddingCache(tmp_path, other.identity, 4))
    assert result.embedded == 1
