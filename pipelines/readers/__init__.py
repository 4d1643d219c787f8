"""Readers: the I/O edge of ingestion.

Every supported input is turned into *raw records*: plain dicts of strings with the
fields the documents table needs, plus `reject_code`/`reject_reason` when a record is
already unusable at read time (undecodable bytes, malformed row, invalid front matter).
A file that cannot be read at all becomes one rejected record, so that every input is
accounted for: nothing here raises on bad input.

`records` holds the record shape and field mapping; `text` (Markdown, text, HTML),
`tables` (CSV, JSON Lines, JSON, Parquet) and `feeds` (RSS, Atom) read one family each.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines.config import IngestConfig
from pipelines.readers.feeds import read_feed_file
from pipelines.readers.records import (
    CSV_SUFFIXES, FEED_SUFFIXES, HTML_SUFFIXES, JSON_SUFFIXES, JSONL_SUFFIXES, PARQUET_SUFFIXES, RAW_FIELDS,
    SUPPORTED_SUFFIXES, TEXT_SUFFIXES, InputError, InputFile, file_reject, safe_text,
)
from pipelines.readers.tables import read_csv_file, read_json_file, read_jsonl_file, read_parquet_file
from pipelines.readers.text import html_fragment_to_text, read_text_file, split_front_matter

__all__ = [
    "CSV_SUFFIXES", "FEED_SUFFIXES", "HTML_SUFFIXES", "JSONL_SUFFIXES", "JSON_SUFFIXES", "PARQUET_SUFFIXES",
    "RAW_FIELDS", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "InputError", "InputFile", "discover_inputs", "file_reject",
    "html_fragment_to_text", "read_input", "split_front_matter",
]


def discover_inputs(paths: list[Path]) -> list[InputFile]:
    """Expand folders recursively into input files, in a deterministic order.

    Hidden files and folders (starting with ".") are skipped. A path that does not
    exist, or a file given directly whose format is unknown, is an `InputError`.
    """
    found: list[InputFile] = []
    for path in paths:
        shown = safe_text(str(path))
        try:
            exists, is_dir = path.exists(), path.is_dir()
            children = sorted(path.rglob("*")) if is_dir else []
            children = [child for child in children if child.is_file()]
        except OSError as exc:  # name too long, unreadable folder, ...
            raise InputError(f"{shown}: cannot be read: {exc.strerror or exc}") from None
        if not exists:
            raise InputError(f"{shown}: no such file or folder")
        if is_dir:
            for child in children:
                rel_parts = child.relative_to(path).parts
                if not any(part.startswith(".") for part in rel_parts):
                    found.append(InputFile(child, path))
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append(InputFile(path, path.parent))
        else:
            raise InputError(
                f"{shown}: unknown format {path.suffix or '(no extension)'!r}; supported: "
                + ", ".join(sorted(SUPPORTED_SUFFIXES))
            )
    return found


def read_input(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    """Yield raw records for one input file (never raises on bad content).

    The format readers are looked up in this module, so a test can replace one here."""
    suffix = item.path.suffix.lower()
    try:
        info = item.path.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode):  # a named pipe would block the read forever
            yield file_reject(item, "unreadable_file", "not a regular file (a pipe, socket or device)")
            return
        if size > config.max_file_bytes:
            yield file_reject(item, "file_too_large",
                              f"file is {size:,} bytes, over the limit of {config.max_file_bytes:,}")
            return
        if suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES:
            yield read_text_file(item, config, html=suffix in HTML_SUFFIXES)
        elif suffix in CSV_SUFFIXES:
            yield from read_csv_file(item, config)
        elif suffix in JSONL_SUFFIXES:
            yield from read_jsonl_file(item, config)
        elif suffix in JSON_SUFFIXES:
            yield from read_json_file(item, config)
        elif suffix in PARQUET_SUFFIXES:
            yield from read_parquet_file(item, config)
        elif suffix in FEED_SUFFIXES:
            yield from read_feed_file(item, config)
        else:
            yield file_reject(item, "unsupported_format",
                              f"unsupported file type {suffix or '(no extension)'!r}")
    except (OSError, MemoryError, RecursionError) as exc:
        yield file_reject(item, "unreadable_file", f"could not read file: {exc}")
    except Exception as exc:  # noqa: BLE001 - last resort: a reader bug must not stop the corpus
        yield file_reject(item, "reader_error",
                          f"could not read file ({type(exc).__name__}): {str(exc)[:300]}")
