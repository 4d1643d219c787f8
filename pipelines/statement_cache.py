"""Statements, extracted once per distinct input: the table is cached under a key of
everything extraction depends on (the documents, passages and mentions, the people registry,
data/roles.toml, the extractor's own source code and spaCy's version), so an unchanged
rebuild reads it back instead of loading spaCy and reading every document again."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib import metadata
from pathlib import Path

import polars as pl

from pipelines.people import Registry
from pipelines.roles import DEFAULT_ROLES
from pipelines.statements import STATEMENT_ORDER, extract_statements

PIPELINES_DIR = Path(__file__).resolve().parent
EXTRACTOR_ENTRY = "statements"  # pipelines/statements.py and every pipelines module it imports
KEEP_ENTRIES = 3  # cached tables kept (the newest)
CHUNK_DOCUMENTS = 20_000  # documents whose statements are extracted at once
WORKERS = max(1, min(2, os.cpu_count() or 1))  # processes extracting chunks of a large corpus
_IMPORT = re.compile(r"^\s*(?:from|import)\s+pipelines\.([a-z_]+)", re.MULTILINE)


class StatementProcessError(RuntimeError):
    """A child extracting statements ended without an answer (killed, or out of memory)."""


def extractor_sources(entry: str = EXTRACTOR_ENTRY) -> list[Path]:
    """The source files of `pipelines/<entry>.py` and of the pipelines modules it imports,
    directly or not (read from the files, nothing is imported)."""
    seen: dict[str, Path] = {}
    todo = [entry]
    while todo:
        name = todo.pop()
        path = PIPELINES_DIR / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen[name] = path
        todo.extend(_IMPORT.findall(path.read_text(encoding="utf-8")))
    return [seen[name] for name in sorted(seen)]


def _spacy_version() -> str:
    try:
        return metadata.version("spacy")
    except metadata.PackageNotFoundError:
        return "not installed"


def _frame_digest(digest, frame: pl.DataFrame) -> None:  # noqa: ANN001 - a hashlib hash
    _schema_digest(digest, frame)
    _rows_digest(digest, frame)


def _schema_digest(digest, frame: pl.DataFrame) -> None:  # noqa: ANN001
    digest.update(",".join(f"{n}:{t}" for n, t in frame.schema.items()).encode())


def _rows_digest(digest, frame: pl.DataFrame) -> None:  # noqa: ANN001
    for row in frame.iter_rows():
        digest.update("\x1f".join(str(v) for v in row).encode("utf-8", "surrogatepass") + b"\x1e")


def statements_cache_key(documents: pl.DataFrame, passages: pl.DataFrame, mentions: pl.DataFrame,
                         registry: Registry, roles_path: Path = DEFAULT_ROLES,
                         texts: pl.LazyFrame | None = None) -> str:
    """Everything statement extraction depends on: same key, same statements. `texts`: as for
    `document_chunks`."""
    digest = hashlib.sha256()
    digest.update(repr(registry).encode())
    digest.update(roles_path.read_bytes() if roles_path.is_file() else b"no roles file")
    digest.update(_spacy_version().encode())
    for source in extractor_sources():
        digest.update(source.name.encode() + b"\x1d" + source.read_bytes())
    for number, chunk in enumerate(document_chunks(documents, texts, CHUNK_DOCUMENTS)):
        part = chunk.select("doc_id", "date", "text")
        if number == 0:
            _schema_digest(digest, part)
        _rows_digest(digest, part)
    _frame_digest(digest, passages.select("passage_id", "doc_id", "char_start", "char_end"))
    _frame_digest(digest, mentions)
    return digest.hexdigest()[:32]


def document_chunks(documents: pl.DataFrame, texts: pl.LazyFrame | None, size: int) -> Iterator[pl.DataFrame]:
    """`documents`, `size` rows at a time, each chunk with its text: the frame's own or, when
    `texts` is given, read from it (doc_id, text: the same documents in the same order, e.g. the
    run's documents table on disk), so that only one chunk's text is in memory at a time."""
    for start in range(0, max(documents.height, 1), size):
        chunk = documents.slice(start, size)
        if texts is not None:
            read = texts.select("doc_id", "text").slice(start, size).collect()
            if not read["doc_id"].equals(chunk["doc_id"]):
                raise StatementProcessError("the documents' text on disk is not that of the documents being "
                                            "built (another order or another corpus); nothing was published")
            chunk = chunk.with_columns(read["text"])
        yield chunk


def read_cached(cache: Path, key: str) -> pl.DataFrame | None:
    """The cached statements of `key`, or None (absent or unreadable: extract again)."""
    entry = cache / f"{key}.parquet"
    try:
        return pl.read_parquet(entry) if entry.is_file() else None
    except (OSError, pl.exceptions.PolarsError):
        return None


def write_cached(cache: Path, key: str, statements: pl.DataFrame) -> None:
    """Keep `statements` under `key` (written atomically; only the newest entries stay)."""
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{key}.{uuid.uuid4().hex[:6]}.tmp"
    statements.write_parquet(tmp)
    os.replace(tmp, cache / f"{key}.parquet")
    entries = sorted(cache.glob("*.parquet"), key=lambda p: p.stat().st_mtime)
    for stale in entries[:-KEEP_ENTRIES]:
        stale.unlink(missing_ok=True)


def extract_or_reuse_statements(cache: Path, documents: pl.DataFrame, passages: pl.DataFrame,
                                mentions: pl.DataFrame, registry: Registry,
                                texts: pl.LazyFrame | None = None) -> tuple[pl.DataFrame, bool]:
    """Every document's statements, and whether they came from the cache. `texts`: where the
    documents' text is read from, a chunk at a time, when `documents` has none (`document_chunks`)."""
    key = statements_cache_key(documents, passages, mentions, registry, texts=texts)
    cached = read_cached(cache, key)
    if cached is not None:
        return cached, True
    statements = extract_in_chunks(documents, passages, mentions, registry, texts=texts)
    write_cached(cache, key, statements)
    return statements, False


def extract_in_chunks(documents: pl.DataFrame, passages: pl.DataFrame, mentions: pl.DataFrame,
                      registry: Registry, size: int | None = None, workers: int = WORKERS,
                      texts: pl.LazyFrame | None = None) -> pl.DataFrame:
    """`extract_statements`, `size` documents at a time (a document's statements depend on it
    alone); the same table. More than one chunk is extracted in `workers` child processes, so
    spaCy (and the torch it imports when installed) and its Python objects never load the
    build's own process; at most `workers + 1` chunks are handed out at once."""
    size = size or CHUNK_DOCUMENTS
    chunks = _chunks(documents, passages, mentions, size, texts)
    if documents.height <= size:
        return extract_statements(*next(chunks), registry)
    parts: list[pl.DataFrame] = []
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            pending: deque = deque()
            for chunk in chunks:
                pending.append(pool.submit(extract_statements, *chunk, registry))
                if len(pending) > workers:
                    parts.append(pending.popleft().result())
            parts.extend(job.result() for job in pending)
    except BrokenProcessPool:
        raise StatementProcessError("a statement-extraction process ended without finishing (killed, or out of "
                                    "memory); nothing was published") from None
    return pl.concat(parts).sort(STATEMENT_ORDER, nulls_last=True, maintain_order=True)


def _chunks(documents: pl.DataFrame, passages: pl.DataFrame, mentions: pl.DataFrame, size: int,
            texts: pl.LazyFrame | None) -> Iterator[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
    """(documents with their text, their passages, their mentions), `size` documents at a time."""
    for chunk in document_chunks(documents, texts, size):
        ids = chunk["doc_id"].implode()
        yield chunk, passages.filter(pl.col("doc_id").is_in(ids)), mentions.filter(pl.col("doc_id").is_in(ids))
