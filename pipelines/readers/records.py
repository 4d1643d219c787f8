"""Raw records: the dicts every reader yields, the input files they come from, and the
mapping of input fields onto documents-table fields."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.config import ColumnMapping, IngestConfig

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
HTML_SUFFIXES = {".html", ".htm"}
CSV_SUFFIXES = {".csv", ".tsv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
SUPPORTED_SUFFIXES = (
    TEXT_SUFFIXES | HTML_SUFFIXES | CSV_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES
    | PARQUET_SUFFIXES | FEED_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES
)
# One document per file: the date in the file name dates it when its content has none.
NAME_DATED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES

RAW_FIELDS = (
    "origin", "rel_path", "doc_id", "raw_date", "filename_date", "title", "source",
    "author", "url", "text", "metadata", "reject_code", "reject_reason", "raw_preview",
    "page_starts",  # paged documents (PDF): the offset where each page's text begins, comma-separated
)

FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")

# Byte order marks of encodings that are not UTF-8 (UTF-32 first: its LE mark starts like UTF-16's).
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
               (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


class InputError(Exception):
    """A problem with what the user asked for (missing path, unknown format): stops the run."""


@dataclass(frozen=True)
class InputFile:
    path: Path
    root: Path

    @functools.cached_property  # asked for every record of a file: a million rows, a million calls
    def rel_path(self) -> str:
        try:
            rel = self.path.relative_to(self.root)
        except ValueError:
            rel = Path(self.path.name)
        return rel.as_posix() if str(rel) != "." else self.path.name



_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Fields read from the content; a lone surrogate in one means the input was not valid UTF-8.
_CONTENT_FIELDS = ("text", "doc_id", "raw_date", "title", "source", "author", "url", "metadata")


def safe_text(value: str) -> str:
    """`value` with lone surrogates (undecodable bytes, bad escapes) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def make_record(item: InputFile, origin: str, fields: dict[str, Any], config: IngestConfig,
                preview: str = "") -> dict[str, Any]:
    record = {name: None for name in RAW_FIELDS}
    record.update(fields)
    record["origin"] = origin
    record["rel_path"] = item.rel_path
    # The date in a file name dates the document in that file, not the rows of a table or feed.
    suffix = item.path.suffix.lower()
    match = FILENAME_DATE.match(item.path.name) if suffix in NAME_DATED_SUFFIXES else None
    record["filename_date"] = match.group(1) if match else None
    text = record.get("text")
    if not record.get("doc_id") and isinstance(text, str):
        digest = hashlib.sha1(f"{origin}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
        record["doc_id"] = f"d{digest[:16]}"
    record["raw_preview"] = (preview or (text if isinstance(text, str) else ""))[: config.raw_preview_chars]
    if record.get("reject_code") is None:
        bad = [name for name in _CONTENT_FIELDS
               if isinstance(record.get(name), str) and _SURROGATE.search(record[name])]
        if bad:
            record["reject_code"] = "undecodable_bytes"
            record["reject_reason"] = f"{', '.join(bad)} not valid UTF-8 (undecodable bytes or a lone surrogate escape)"
    # Polars (and every later stage) needs valid UTF-8: keep what can be shown, replace the rest.
    for name in RAW_FIELDS:
        if isinstance(record.get(name), str):
            record[name] = safe_text(record[name])
    return record


def record_reject(item: InputFile, origin: str, code: str, reason: str, preview: str,
                  config: IngestConfig) -> dict[str, Any]:
    return make_record(item, origin, {"reject_code": code, "reject_reason": reason}, config, preview)


def file_reject(item: InputFile, code: str, reason: str) -> dict[str, Any]:
    """One rejected record standing for a whole file that could not be read (or took too long)."""
    return record_reject(item, item.rel_path, code, reason, "", IngestConfig())


class NestedTooDeeply(ValueError):
    """A value nested too deeply to be kept as metadata (a RecursionError while converting it)."""


def _jsonable(value: Any) -> Any:
    """`value` with every mapping key turned into a string, so that it can be dumped as JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def to_json(value: Any) -> str:
    return json.dumps(_jsonable(value), default=str, ensure_ascii=False)


def first_line(text: str, limit: int = 90) -> str:
    """The first line of `text`, cut to `limit` characters (a title when none is given)."""
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _as_text(value: Any) -> str | None:
    """Render a scalar metadata value as a string (dates as ISO)."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        parts = [_as_text(v) for v in value]
        return "; ".join(p for p in parts if p) or None
    if isinstance(value, dict):
        return to_json(value)
    text = str(value).strip()
    return text or None


def pick_field(fields: dict[str, Any], candidates: list[str],
               lowered: dict[str, Any] | None = None) -> tuple[str | None, Any]:
    """First candidate key present with a non-empty value (keys compared case-insensitively)."""
    if lowered is None:
        lowered = {str(k).lower(): k for k in fields}
    for name in candidates:
        key = lowered.get(name.lower())
        if key is not None and fields[key] not in (None, ""):
            return key, fields[key]
    return None, None


def mapped_fields(fields: dict[str, Any], columns: ColumnMapping, *, with_text: bool) -> dict[str, Any]:
    """Map input keys to documents-table fields; the rest is kept as JSON metadata.

    Raises `NestedTooDeeply` for a value too deeply nested to convert (JSON allows about a
    thousand levels, more than the conversion's recursion can follow).
    """
    try:
        return _map_fields(fields, columns, with_text=with_text)
    except RecursionError:
        raise NestedTooDeeply("a field is nested too deeply to be kept (hundreds of levels)") from None


def _map_fields(fields: dict[str, Any], columns: ColumnMapping, *, with_text: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    used: set[str] = set()
    lowered = {str(k).lower(): k for k in fields}
    for field in ("id", "date", "title", "source", "author", "url") + (("text",) if with_text else ()):
        key, value = pick_field(fields, getattr(columns, field), lowered)
        if key is not None:
            used.add(key)
        out["doc_id" if field == "id" else "raw_date" if field == "date" else field] = (
            value if field == "text" else _as_text(value)
        )
    # Empty cells (a blank `id` or `title` column) carry nothing worth keeping as metadata.
    extra = {str(k): v for k, v in fields.items() if k not in used and v not in (None, "")}
    out["metadata"] = to_json(extra) if extra else None
    return out


# --- encodings ---------------------------------------------------------------------------


def other_encoding(raw: bytes) -> str | None:
    """Why `raw` is not UTF-8 when it starts with a UTF-16 or UTF-32 byte order mark, else None."""
    for mark, name in _OTHER_BOMS:
        if raw.startswith(mark):
            return f"not valid UTF-8: the file starts with a {name} byte order mark (save it as UTF-8)"
    return None


def is_blank(raw: bytes) -> bool:
    """`raw` holds nothing but whitespace (and perhaps a UTF-8 byte order mark)."""
    return not raw.removeprefix(b"\xef\xbb\xbf").strip()


def decode_utf8(raw: bytes) -> tuple[str | None, str | None]:
    """Decode UTF-8 (with or without BOM); on failure return a reason instead."""
    other = other_encoding(raw)
    if other:
        return None, other
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
