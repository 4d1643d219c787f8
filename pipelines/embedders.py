"""Which embedder a build uses: MiniLM (`pipelines.embeddings`) or the static model
distilled from it (`pipelines.static_embedder`), as `EmbeddingConfig.embedder` says."""

from __future__ import annotations

from pipelines.embeddings import (
    DEFAULT_MODEL_SHA256, Embedder, EmbeddingConfig, SentenceTransformerEmbedder, default_model_dir, verify_model,
)
from pipelines.static_embedder import load_static_embedder


def load_embedder(config: EmbeddingConfig) -> Embedder:
    """Build the configured embedder, refusing a model whose weights do not match."""
    if config.embedder == "static":
        return load_static_embedder(config)
    if config.model_path is None:
        model_dir, expected = default_model_dir(), config.model_sha256 or DEFAULT_MODEL_SHA256
    else:  # a custom model is checked only against a hash the user gave for it
        model_dir = config.model_path
        expected = config.model_sha256 if config.model_sha256 != DEFAULT_MODEL_SHA256 else None
    actual = verify_model(model_dir, expected)
    return SentenceTransformerEmbedder(model_dir, actual, config.batch_size)
