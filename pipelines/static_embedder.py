"""A fast static embedder: model2vec distilled locally from the bundled all-MiniLM-L6-v2.

Distilling takes a minute or two and happens once; the result is cached under
`.cache/models/` (or `$DISCOURSE_MODEL_CACHE`) keyed by the source weights' sha256, so
nothing is downloaded and every later build loads it in milliseconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.config import REPO_ROOT
from pipelines.embeddings import EmbeddingConfig, default_model_dir, verify_model

PCA_DIMS = 256


def model_cache_root() -> Path:
    return Path(os.environ.get("DISCOURSE_MODEL_CACHE", REPO_ROOT / ".cache" / "models"))


@dataclass
class StaticEmbedder:
    model: object
    identity: str
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.model.encode(list(texts), show_progress_bar=False), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def load_static_embedder(config: EmbeddingConfig) -> StaticEmbedder:
    """Load the distilled model, distilling it from the verified MiniLM the first time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec import StaticModel

    source = config.model_path or default_model_dir()
    sha = verify_model(source, config.model_sha256 if config.model_path is None else None)
    folder = model_cache_root() / f"static-{sha[:16]}-pca{PCA_DIMS}"
    if not (folder / "model.safetensors").is_file():
        from model2vec.distill import distill

        model = distill(model_name=str(source), pca_dims=PCA_DIMS)
        tmp = folder.with_name(folder.name + ".tmp")
        model.save_pretrained(str(tmp))
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, folder)
    model = StaticModel.from_pretrained(str(folder))
    return StaticEmbedder(model, identity=f"static:{folder.name}", dimension=PCA_DIMS)
