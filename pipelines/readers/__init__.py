"""Readers: the I/O edge of ingestion.

Every supported input is turned into *raw records*: plain dicts of strings with the
fields the documents table needs, plus `reject_code`/`reject_reason` when a record is
already unusable at read time (undecodable bytes, malformed row, invalid front matter).
A file that cannot be read at all becomes one rejected record, so that every input is
accounted for: nothing here raises on bad input.

`discover` finds the files under the user's paths and names every entry it will not read
(unreadable folders, link loops, broken links, pipes); `records` holds the record shape and
field mapping; `text` (Markdown, text, HTML), `tables` (CSV, JSON Lines, JSON, Parquet),
`feeds` (RSS, Atom), `pdf` (PDF, with `layout` rebuilding its paragraphs) and `word` (.docx)
read one family each.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from typing import Any

from pipelines.config import IngestConfig
from pipelines.readers.discover import Entry, Skipped, discover_inputs, scan_inputs
from pipelines.readers.feeds import read_feed_file
from pipelines.readers.pdf import read_pdf_file
from pipelines.readers.records import (
    CSV_SUFFIXES, DOCX_SUFFIXES, FEED_SUFFIXES, HTML_SUFFIXES, JSON_SUFFIXES, JSONL_SUFFIXES, PARQUET_SUFFIXES,
    PDF_SUFFIXES, RAW_FIELDS, SUPPORTED_SUFFIXES, TEXT_SUFFIXES, InputError, InputFile, file_reject,
)
from pipelines.readers.tables import read_csv_file, read_json_file, read_jsonl_file, read_parquet_file
from pipelines.readers.text import html_fragment_to_text, read_text_file, split_front_matter
from pipelines.readers.word import read_docx_file

__all__ = [
    "CSV_SUFFIXES", "DOCX_SUFFIXES", "FEED_SUFFIXES", "HTML_SUFFIXES", "JSONL_SUFFIXES", "JSON_SUFFIXES",
    "PARQUET_SUFFIXES", "PDF_SUFFIXES", "RAW_FIELDS", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "Entry", "InputError",
    "InputFile", "Skipped", "discover_inputs", "file_reject", "html_fragment_to_text", "read_input", "scan_inputs",
    "split_front_matter",
]


def read_input(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    """Yield raw records for one input file (never raises on bad content).

    The format readers are looked up in this module, so a test can replace one here."""
    suffix = item.path.suffix.lower()
    try:
        info = item.path.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode):  # a named pipe would block the read forever
            yield file_reject(item, "not_a_regular_file", "not a regular file (a pipe, socket or device): not read")
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
        elif suffix in PDF_SUFFIXES:
            yield from read_pdf_file(item, config)
        elif suffix in DOCX_SUFFIXES:
            yield from read_docx_file(item, config)
        else:
            yield file_reject(item, "unsupported_format",
                              f"unsupported file type {suffix or '(no extension)'!r}")
    except (OSError, MemoryError, RecursionError) as exc:
        yield file_reject(item, "unreadable_file", f"could not read file: {exc}")
    except Exception as exc:  # noqa: BLE001 - last resort: a reader bug must not stop the corpus
        yield file_reject(item, "reader_error",
                          f"could not read file ({type(exc).__name__}): {str(exc)[:300]}")
