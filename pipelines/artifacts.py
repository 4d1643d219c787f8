"""The artifact contract: every table a run publishes, its Polars schema, and the manifest.

Written once here and used by the build (`build`, `update`), `verify`, the dashboard's
loading and the test fixtures. docs/ARTIFACTS.md is the readable version of the same
contract; tests/test_artifacts.py checks that the two agree.

    conform("passages", frame)   -> the frame in contract order and types (for writing)
    check_table("passages", frame)  raises ArtifactError naming the table and the column
    read_table(run_dir, "passages") -> a checked frame, or ArtifactError
    write_manifest(run_dir, manifest)  records every file's sha256, writes manifest.json
    read_manifest(run_dir) -> the typed Manifest, or ArtifactError
    current_run(out), publish(out, partial, run_id, keep)  the run folders and `current`
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.files import file_sha256

OUTLIER_TOPIC = -1  # topic_id of passages no topic or theme took
MANIFEST_FILE = "manifest.json"
TOPIC_MODEL_FOLDER = "topic_model"


@dataclass(frozen=True)
class Table:
    """One published table: its file name, columns and what reads it."""

    name: str
    schema: pl.Schema
    served: bool = True  # the dashboard needs it
    optional: bool = False  # runs built before it existed lack it; readers cope
    # Columns added after the table was first published (each may be null): a run built before
    # them lacks them, and reading it gives nulls; a frame written without them gets nulls.
    added: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"


_S, _D, _U32, _I32 = pl.String, pl.Date, pl.UInt32, pl.Int32

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("documents", pl.Schema({
        "doc_id": _S, "date": _D, "month": _D, "title": _S, "source": _S, "author": _S,
        "url": _S, "text": _S, "origin": _S, "metadata": _S, "page_starts": pl.List(_U32)}),
          added=("page_starts",)),
    Table("passages", pl.Schema({
        "passage_id": _S, "doc_id": _S, "ordinal": _U32, "char_start": _U32,
        "char_end": _U32, "text": _S, "date": _D, "month": _D, "source": _S,
        "topic_id": _I32, "topic_probability": pl.Float32, "theme": _S,
        "people": pl.List(_S), "page": _U32, "speakers": pl.List(_S)}),
          added=("page", "speakers")),
    Table("mentions", pl.Schema({
        "passage_id": _S, "doc_id": _S, "person": _S, "surface": _S, "char_start": _U32,
        "char_end": _U32})),
    Table("statements", pl.Schema({
        "statement_id": _S, "passage_id": _S, "doc_id": _S, "speaker": _S, "speaker_text": _S,
        "kind": _S, "char_start": _U32, "char_end": _U32, "cue": _S}), optional=True),
    Table("topics", pl.Schema({
        "topic_id": _I32, "label": _S, "theme": _S, "keywords": pl.List(_S),
        "keyword_weights": pl.List(pl.Float64), "size": _U32,
        "representative_passage_ids": pl.List(_S)})),
    Table("trends", pl.Schema({
        "month": _D, "topic_id": _I32, "person": _S, "source": _S, "passages": _U32,
        "documents": _U32})),
    Table("month_totals", pl.Schema({
        "month": _D, "person": _S, "source": _S, "passages": _U32, "documents": _U32})),
    Table("months", pl.Schema({
        "month": _D, "documents": _U32, "passages": _U32, "first_date": _D, "last_date": _D,
        "partial": pl.Boolean})),
    Table("people", pl.Schema({
        "person": _S, "role": _S, "affiliation": _S, "mentions": _U32, "passages": _U32,
        "documents": _U32})),
    Table("rejects", pl.Schema({"origin": _S, "reason_code": _S, "reason": _S, "raw": _S}),
          served=False),
    Table("passage_themes", pl.Schema({"passage_id": _S, "theme": _S, "score": pl.Float32,
                                       "origin": _S}), optional=True),
    Table("theme_quality", pl.Schema({
        "theme": _S, "subset": _S, "positives": pl.Int64, "precision": pl.Float64,
        "recall": pl.Float64, "f1": pl.Float64}), optional=True),
    Table("search_index", pl.Schema({"word": _S, "positions": pl.List(_U32)}), optional=True),
)}

PUBLISHED = tuple(TABLES)  # every table a build writes, in this order
SERVED = tuple(n for n, t in TABLES.items() if t.served)  # what the dashboard reads
REQUIRED_TO_SERVE = tuple(n for n in SERVED if not TABLES[n].optional)


class ArtifactError(ValueError):
    """A run's table or manifest does not match the contract; the message names it."""


def _table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise ArtifactError(f"no table named {name!r} in the artifact contract") from None


def empty(name: str) -> pl.DataFrame:
    """A table with no rows and the contract's columns."""
    return pl.DataFrame(schema=_table(name).schema)


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the contract's columns, in its order and types (extra columns dropped).

    Raises ArtifactError when a column is missing or cannot be cast."""
    table = _table(name)
    frame = _with_added(table, frame)
    missing = [c for c in table.schema if c not in frame.columns]
    if missing:
        raise ArtifactError(f"{table.file}: missing column {', '.join(map(repr, missing))}")
    try:
        return frame.select(pl.col(c).cast(t, strict=True) for c, t in table.schema.items())
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise ArtifactError(f"{table.file}: a column does not fit the contract ({exc})") from None


def column_problems(name: str, schema: pl.Schema | dict[str, pl.DataType]) -> list[str]:
    """What differs between a table's schema and the contract, one line per column (empty: it
    matches). Extra columns are allowed (a newer build may add some); missing ones and wrong
    types are not, except a missing `added` column (the run was built before it)."""
    problems = []
    table = _table(name)
    for column, dtype in table.schema.items():
        if column not in schema and column in table.added:
            continue  # a run built before the column was added
        if column not in schema:
            problems.append(f"column {column!r} is missing")
        elif schema[column] != dtype:
            problems.append(f"column {column!r} is {schema[column]}, the contract says {dtype}")
    return problems


def schema_problems(name: str, schema: pl.Schema | dict[str, pl.DataType]) -> list[str]:
    """`column_problems`, each naming the table's file too."""
    return [f"{_table(name).file}: {problem}" for problem in column_problems(name, schema)]


def check_table(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` unchanged when it matches the contract; ArtifactError naming the column if not."""
    problems = schema_problems(name, frame.schema)
    if problems:
        raise ArtifactError("; ".join(problems))
    return frame


def read_table(run_dir: Path, name: str) -> pl.DataFrame:
    """One table of a run, checked against the contract."""
    path = Path(run_dir) / _table(name).file
    if not path.is_file():
        raise ArtifactError(f"{path.name} is missing from {run_dir}")
    try:
        frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ArtifactError(f"{path.name} cannot be read as Parquet ({exc})") from None
    return _with_added(TABLES[name], check_table(name, frame))


def scan_table(run_dir: Path, name: str) -> pl.LazyFrame:
    """One table of a run (or of the partial run a build is writing), read lazily: only what a
    query selects is loaded."""
    return pl.scan_parquet(Path(run_dir) / _table(name).file)


def _with_added(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with null columns for the table's added columns it lacks, in the contract's order."""
    missing = [pl.lit(None, dtype=table.schema[c]).alias(c) for c in table.added if c not in frame.columns]
    if not missing:
        return frame
    frame = frame.with_columns(missing)
    ordered = [c for c in table.schema.names() if c in frame.columns]
    return frame.select(*ordered, *[c for c in frame.columns if c not in table.schema])


# --- the manifest -------------------------------------------------------------------------


class FileRecord(BaseModel):
    sha256: str
    bytes: int


class InputRecord(FileRecord):
    path: str


class EmbeddingRecord(BaseModel):
    identity: str
    model_sha256: str | None = None
    embedded: int = 0
    cached: int = 0
    similarity_calibration: dict[str, Any] | None = None


class Manifest(BaseModel):
    """manifest.json of a run: what was built, from what, how, and every file's hash."""

    model_config = ConfigDict(extra="allow")

    run_id: str
    kind: Literal["build", "update", "synthetic"] = "build"  # synthetic: benchmarks/synth.py
    parent_run: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    corpus: list[str] = Field(default_factory=list)
    illustrative: bool = False
    config: dict[str, Any] = Field(default_factory=dict)
    inputs: list[InputRecord] = Field(default_factory=list)
    versions: dict[str, str] = Field(default_factory=dict)
    embedding: EmbeddingRecord | None = None
    counts: dict[str, int | float] = Field(default_factory=dict)
    update: dict[str, int] | None = None
    fallback_from: str | None = None  # update --fallback: the corrupted run it did not build on
    people_registry: InputRecord | None = None  # the registry every mention comes from
    topics_reused_from_cache: bool | None = None
    themes: dict[str, Any] | None = None  # the themes stage: labels used, classifier, thresholds
    timings: dict[str, float] = Field(default_factory=dict)
    rows: dict[str, int] = Field(default_factory=dict)
    files: dict[str, FileRecord] = Field(default_factory=dict)

    def missing_tables(self, needs: tuple[str, ...] = REQUIRED_TO_SERVE) -> list[str]:
        """Of `needs` (table names, or TOPIC_MODEL_FOLDER), those the manifest lists no file of;
        by default the tables the dashboard needs."""
        listed = {name.partition("/")[0] if "/" in name else name.removesuffix(".parquet") for name in self.files}
        return [name for name in needs if name not in listed]


def write_table(folder: Path, name: str, frame: pl.DataFrame) -> int:
    """Write one table into a run folder in the contract's form; returns its row count."""
    frame = conform(name, frame)
    frame.write_parquet(Path(folder) / _table(name).file, compression="zstd", statistics=True)
    return frame.height


def artifact_hashes(run_dir: Path) -> dict[str, FileRecord]:
    """sha256 and size of every file in a run (the manifest itself excluded)."""
    run_dir = Path(run_dir)
    return {
        path.relative_to(run_dir).as_posix(): FileRecord(sha256=file_sha256(path), bytes=path.stat().st_size)
        for path in sorted(run_dir.rglob("*"))
        if path.is_file() and path.name != MANIFEST_FILE
    }


def write_manifest(run_dir: Path, manifest: Manifest) -> Manifest:
    """Record every file of the run in `manifest.files` and write manifest.json; returns it.

    Only the fields that were given are written (`exclude_unset`): a build's manifest has no
    `update` entry, an update's no `topics_reused_from_cache`."""
    recorded = manifest.model_copy(update={"files": artifact_hashes(run_dir)})
    text = recorded.model_dump_json(indent=2, exclude_unset=True)
    (Path(run_dir) / MANIFEST_FILE).write_text(text, encoding="utf-8")
    return recorded


def read_manifest(run_dir: Path) -> Manifest:
    """A run's manifest.json, validated; ArtifactError saying why when it is missing or bad."""
    path = Path(run_dir) / MANIFEST_FILE
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ArtifactError(f"{MANIFEST_FILE} is missing from {run_dir}") from None
    except OSError as exc:
        raise ArtifactError(f"{MANIFEST_FILE} cannot be read ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(the whole file)"
        raise ArtifactError(f"{MANIFEST_FILE} is not a valid manifest: {where}: {first['msg']}") from None


# --- run folders: OUT/runs/<run_id>/ and the `current` link (docs/ARTIFACTS.md) ------------


def current_run(out: Path) -> Path | None:
    """The published run `out/current` points to, if any."""
    link = out / "current"
    return link.resolve() if link.exists() else None


def publish(out: Path, partial: Path, run_id: str, keep: int) -> Path:
    """Rename the finished run into place, then atomically repoint `current` at it."""
    final = partial.with_name(run_id)
    _fsync_tree(partial)
    os.replace(partial, final)
    tmp_link = out / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(Path("runs") / run_id, tmp_link)
    os.replace(tmp_link, out / "current")
    _prune_runs(out, keep, final)
    return final


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _prune_runs(out: Path, keep: int, current: Path) -> None:
    runs = sorted((p for p in (out / "runs").iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                  key=lambda p: p.name)
    for old in runs[:-keep] if keep > 0 else []:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
