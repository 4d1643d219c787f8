"""A fast static embedder: model2vec distilled locally from the bundled all-MiniLM-L6-v2.

Distilling and calibrating take from 30 s (idle 2-core machine) to a few minutes and happen
once; the result is cached under
`.cache/models/` (or `$DISCOURSE_MODEL_CACHE`) keyed by the source weights' sha256 and the
distillation recipe, so nothing is downloaded and every later build loads it in milliseconds.

Two things make its similarities usable with the theme thresholds, which are in MiniLM's
cosine units (`pipelines.themes`):

* **Recipe.** model2vec weights each token by a Zipf estimate of its frequency (SIF). With
  its default coefficient (1e-4) frequent tokens still dominate every passage vector, so any
  two passages look alike (mean pairwise cosine 0.58 on the bundled passages against 0.27
  for MiniLM) and theme similarity barely separates passages. A stronger weighting
  (`SIF_COEFFICIENT`) brings that to 0.35 and tracks MiniLM's similarities more closely.
* **Similarity calibration.** Right after distilling, the student and its teacher embed a
  fixed reference set (the bundled corpus's passages and titles against the default theme
  descriptions); the affine map that gives the student's theme similarities the teacher's
  mean and spread is saved next to the model (`similarity_calibration.json`) and applied
  by the theme scorer. It depends on the model and the reference set only, never on the
  corpus being built. The fit itself is `pipelines.calibration`.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.calibration import calibrate_to_teacher
from pipelines.config import REPO_ROOT
from pipelines.embeddings import (
    EmbeddingConfig, SentenceTransformerEmbedder, default_model_dir, verify_model,
)
from pipelines.files import publish_folder
from pipelines.themes import SimilarityCalibration

PCA_DIMS = 256
SIF_COEFFICIENT = 5e-6  # model2vec's default is 1e-4; see the module docstring
CALIBRATION_FILE = "similarity_calibration.json"


def model_cache_root() -> Path:
    return Path(os.environ.get("DISCOURSE_MODEL_CACHE", REPO_ROOT / ".cache" / "models"))


def model_folder(source_sha256: str) -> Path:
    """Where the model distilled from these weights with this recipe lives (the recipe is in
    the name, so a changed recipe never reuses vectors of the old one)."""
    return model_cache_root() / f"static-{source_sha256[:16]}-sif{SIF_COEFFICIENT:g}-pca{PCA_DIMS}"


@dataclass
class StaticEmbedder:
    model: object
    identity: str
    dimension: int
    similarity_calibration: SimilarityCalibration = field(default_factory=SimilarityCalibration)

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.model.encode(list(texts), show_progress_bar=False), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def load_static_embedder(config: EmbeddingConfig) -> StaticEmbedder:
    """Load the distilled model, distilling and calibrating it from the verified MiniLM the first time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec import StaticModel

    source = config.model_path or default_model_dir()
    sha = verify_model(source, config.model_sha256 if config.model_path is None else None)
    folder = model_folder(sha)
    if not (folder / "model.safetensors").is_file():
        from model2vec.distill import distill

        model = distill(model_name=str(source), pca_dims=PCA_DIMS, sif_coefficient=SIF_COEFFICIENT)
        tmp = folder.with_name(f"{folder.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        model.save_pretrained(str(tmp))
        _write_calibration(tmp, model, source, sha, config.batch_size)
        move_into_place(tmp, folder)
    model = StaticModel.from_pretrained(str(folder))
    if not (folder / CALIBRATION_FILE).is_file():  # a folder distilled before calibration existed
        _write_calibration(folder, model, source, sha, config.batch_size)
    calibration = SimilarityCalibration(**json.loads((folder / CALIBRATION_FILE).read_text()))
    return StaticEmbedder(model, identity=f"static:{folder.name}", dimension=PCA_DIMS,
                          similarity_calibration=calibration)


def move_into_place(tmp: Path, folder: Path) -> None:
    """Rename a finished model folder into place. Two builds distilling at once each write their
    own `tmp`; the second finds the first's folder there and drops its own copy (the same model).
    A folder there without a model is not the cache's: the rename fails with OSError."""
    publish_folder(tmp, folder, complete="model.safetensors", replace_incomplete=False)


def _write_calibration(folder: Path, model: object, source: Path, sha: str, batch_size: int) -> None:
    """Fit the distilled model's similarities to MiniLM's (`pipelines.calibration`) and save the map."""
    student = StaticEmbedder(model, identity="student", dimension=PCA_DIMS)
    teacher = SentenceTransformerEmbedder(source, sha, batch_size)
    calibration = calibrate_to_teacher(student, teacher)
    tmp = folder / f".{CALIBRATION_FILE}.tmp"
    tmp.write_text(json.dumps(calibration.model_dump(), indent=2))
    os.replace(tmp, folder / CALIBRATION_FILE)
