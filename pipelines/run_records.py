"""A build's output folder and its record: the lock, the fresh `.partial` run folder, and the
manifest's entries (inputs, library versions, embedding). Publishing and the manifest's
schema are the artifact contract's (pipelines/artifacts.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import platform
import shutil
import uuid
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from pipelines.artifacts import EmbeddingRecord, InputRecord, Manifest
from pipelines.files import file_sha256
from pipelines.readers import discover_inputs
from pipelines.themes import similarity_calibration

LIBRARIES = ("polars", "numpy", "bertopic", "sentence-transformers", "torch", "umap-learn", "hdbscan",
             "scikit-learn", "dash", "plotly", "trafilatura", "feedparser", "pyahocorasick", "gensim")


class BuildError(RuntimeError):
    """A build could not complete; the message says why (no traceback for the user)."""


# --- the output folder (run folders and publishing: pipelines/artifacts.py) -------------------


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build or update at a time per output folder; a BuildError naming the folder when
    it cannot be written (read-only, not a folder, no such place)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / ".build.lock", "w")
    except OSError as exc:
        problem = "it is not a folder" if out.exists() and not out.is_dir() else exc.strerror or str(exc)
        raise BuildError(f"cannot write to the output folder {out}: {problem}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is running in {out}") from None
        yield


def new_run_folder(out: Path) -> tuple[str, Path]:
    """A fresh `.partial` folder; stale ones from killed builds are removed first."""
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for stale in runs.glob("*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    for link in out.glob(".current-*"):  # a killed publish may leave its temporary link
        link.unlink(missing_ok=True)
    for tmp in (out / "cache" / "topics").glob(".*.tmp"):
        shutil.rmtree(tmp, ignore_errors=True)
    run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    folder = runs / f"{run_id}.partial"
    folder.mkdir()
    return run_id, folder


# --- manifest ---------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def file_record(path: Path) -> InputRecord:
    return InputRecord(path=str(path), sha256=file_sha256(path), bytes=path.stat().st_size)


def input_files(paths: list[Path]) -> list[InputRecord]:
    return [file_record(item.path) for item in discover_inputs(paths)]


def embedding_record(embedder, vectors) -> EmbeddingRecord:  # noqa: ANN001 - an Embedder and its vectors
    """The manifest's embedding entry: model, vectors embedded and from the cache, and the map
    onto MiniLM's cosine scale the theme scorer applied (None: already on it)."""
    calibration = similarity_calibration(embedder)
    return EmbeddingRecord(
        identity=embedder.identity, model_sha256=getattr(embedder, "weights_sha256", None),
        embedded=vectors.embedded, cached=vectors.cached,
        similarity_calibration=None if calibration.is_identity else calibration.model_dump())


def is_bundled(paths: list[Path]) -> bool:
    bundled = (Path(__file__).resolve().parent.parent / "data" / "corpus").resolve()
    return any(Path(p).resolve() == bundled for p in paths)


def run_manifest(run_id: str, started: dt.datetime, config, clock,  # noqa: ANN001 - a BuildConfig, a StageClock
                 inputs: list[InputRecord], embedding: EmbeddingRecord, counts: dict[str, int | float],
                 parent: Manifest | None = None, **details: object) -> Manifest:
    """The manifest of a build, or of an update when `parent` (the updated run's manifest) is
    given: corpus and inputs then continue the parent's. `details` are the kind's own entries
    (`topics_reused_from_cache`, `update`); rows, files and the finish time are added when the
    run is written."""
    return Manifest(
        run_id=run_id, kind="update" if parent else "build", parent_run=parent.run_id if parent else None,
        started_at=started.isoformat(),
        corpus=(parent.corpus if parent else []) + [str(p) for p in config.corpus],
        illustrative=parent.illustrative if parent else is_bundled(config.corpus),
        config=config.model_dump(mode="json"), inputs=(parent.inputs if parent else []) + inputs,
        versions=versions(), embedding=embedding, counts=counts, timings=clock.timings, **details,
    )
