"""Readers: the I/O edge of ingestion.

Every supported input is turned into *raw records*: plain dicts of strings with the
fields the documents table needs, plus `reject_code`/`reject_reason` when a record is
already unusable at read time (undecodable bytes, malformed row, invalid front matter).
A file that cannot be read at all becomes one rejected record, so that every input is
accounted for: nothing here raises on bad input.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipelines.config import ColumnMapping, IngestConfig

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
HTML_SUFFIXES = {".html", ".htm"}
CSV_SUFFIXES = {".csv", ".tsv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
SUPPORTED_SUFFIXES = (
    TEXT_SUFFIXES | HTML_SUFFIXES | CSV_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES
    | PARQUET_SUFFIXES | FEED_SUFFIXES
)

RAW_FIELDS = (
    "origin", "rel_path", "doc_id", "raw_date", "filename_date", "title", "source",
    "author", "url", "text", "metadata", "reject_code", "reject_reason", "raw_preview",
)

_FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")

# Byte order marks of encodings that are not UTF-8 (UTF-32 first: its LE mark starts like UTF-16's).
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
               (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


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


def discover_inputs(paths: list[Path]) -> list[InputFile]:
    """Expand folders recursively into input files, in a deterministic order.

    Hidden files and folders (starting with ".") are skipped. A path that does not
    exist, or a file given directly whose format is unknown, is an `InputError`.
    """
    found: list[InputFile] = []
    for path in paths:
        shown = _safe_text(str(path))
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
    """Yield raw records for one input file (never raises on bad content)."""
    suffix = item.path.suffix.lower()
    try:
        info = item.path.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode):  # a named pipe would block the read forever
            yield _file_reject(item, "unreadable_file", "not a regular file (a pipe, socket or device)")
            return
        if size > config.max_file_bytes:
            yield _file_reject(item, "file_too_large",
                               f"file is {size:,} bytes, over the limit of {config.max_file_bytes:,}")
            return
        if suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES:
            yield _read_text_file(item, config, html=suffix in HTML_SUFFIXES)
        elif suffix in CSV_SUFFIXES:
            yield from _read_csv(item, config)
        elif suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(item, config)
        elif suffix in JSON_SUFFIXES:
            yield from _read_json(item, config)
        elif suffix in PARQUET_SUFFIXES:
            yield from _read_parquet(item, config)
        elif suffix in FEED_SUFFIXES:
            yield from _read_feed(item, config)
        else:
            yield _file_reject(item, "unsupported_format",
                               f"unsupported file type {suffix or '(no extension)'!r}")
    except (OSError, MemoryError, RecursionError) as exc:
        yield _file_reject(item, "unreadable_file", f"could not read file: {exc}")
    except Exception as exc:  # noqa: BLE001 - last resort: a reader bug must not stop the corpus
        yield _file_reject(item, "reader_error",
                           f"could not read file ({type(exc).__name__}): {str(exc)[:300]}")


# --- records -----------------------------------------------------------------------------


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Fields read from the content; a lone surrogate in one means the input was not valid UTF-8.
_CONTENT_FIELDS = ("text", "doc_id", "raw_date", "title", "source", "author", "url", "metadata")


def _safe_text(value: str) -> str:
    """`value` with lone surrogates (undecodable bytes, bad escapes) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def _record(item: InputFile, origin: str, fields: dict[str, Any], config: IngestConfig,
            preview: str = "") -> dict[str, Any]:
    record = {name: None for name in RAW_FIELDS}
    record.update(fields)
    record["origin"] = origin
    record["rel_path"] = item.rel_path
    # The date in a file name dates the document in that file, not the rows of a table or feed.
    suffix = item.path.suffix.lower()
    match = _FILENAME_DATE.match(item.path.name) if suffix in TEXT_SUFFIXES | HTML_SUFFIXES else None
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
            record[name] = _safe_text(record[name])
    return record


def _reject(item: InputFile, origin: str, code: str, reason: str, preview: str,
            config: IngestConfig) -> dict[str, Any]:
    return _record(item, origin, {"reject_code": code, "reject_reason": reason}, config, preview)


def _file_reject(item: InputFile, code: str, reason: str) -> dict[str, Any]:
    """One rejected record standing for a whole file that could not be read."""
    return _reject(item, item.rel_path, code, reason, "", IngestConfig())


def file_reject(item: InputFile, code: str, reason: str) -> dict[str, Any]:
    """One rejected record standing for a whole file (for `ingest`'s per-file time limit)."""
    return _file_reject(item, code, reason)


class NestedTooDeeply(ValueError):
    """A value nested too deeply to be kept as metadata (a RecursionError while converting it)."""


def _jsonable(value: Any) -> Any:
    """`value` with every mapping key turned into a string, so that it can be dumped as JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def _to_json(value: Any) -> str:
    return json.dumps(_jsonable(value), default=str, ensure_ascii=False)


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
        return _to_json(value)
    text = str(value).strip()
    return text or None


def _pick(fields: dict[str, Any], candidates: list[str],
          lowered: dict[str, Any] | None = None) -> tuple[str | None, Any]:
    """First candidate key present with a non-empty value (keys compared case-insensitively)."""
    if lowered is None:
        lowered = {str(k).lower(): k for k in fields}
    for name in candidates:
        key = lowered.get(name.lower())
        if key is not None and fields[key] not in (None, ""):
            return key, fields[key]
    return None, None


def _mapped_fields(fields: dict[str, Any], columns: ColumnMapping, *, with_text: bool) -> dict[str, Any]:
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
        key, value = _pick(fields, getattr(columns, field), lowered)
        if key is not None:
            used.add(key)
        out["doc_id" if field == "id" else "raw_date" if field == "date" else field] = (
            value if field == "text" else _as_text(value)
        )
    # Empty cells (a blank `id` or `title` column) carry nothing worth keeping as metadata.
    extra = {str(k): v for k, v in fields.items() if k not in used and v not in (None, "")}
    out["metadata"] = _to_json(extra) if extra else None
    return out


# --- Markdown, text and HTML files ---------------------------------------------------------


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, so an alias bomb cannot expand into metadata."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML signature
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "YAML aliases are not allowed", mark)
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):  # noqa: ANN001 - PyYAML signature
        """A date YAML cannot construct (`2023-02-30`) stays the string as written, to be reported as a date."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)


def split_front_matter(content: str, max_chars: int) -> tuple[dict[str, Any], str]:
    """Split `---`-delimited YAML front matter from the body; raises ValueError with a reason."""
    stripped = content.lstrip("\ufeff")
    if not stripped.startswith("---"):
        return {}, stripped
    match = _FRONT_MATTER.match(stripped)
    if not match:
        if re.match(r"\A---[ \t]*\r?\n", stripped):
            raise ValueError("front matter opened with '---' is never closed")
        return {}, stripped
    block = match.group(1)
    if len(block) > max_chars:
        raise ValueError(f"front matter is {len(block):,} characters, over the limit of {max_chars:,}")
    try:
        data = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 - safe subclass
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise ValueError(f"front matter is not valid YAML: {problem}{where}") from None
    except RecursionError:
        raise ValueError("front matter is not valid YAML: nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - a bad explicit tag (`!!int abc`, `!!bool maybe`) fails in its constructor
        detail = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"front matter is not valid YAML: a value cannot be built ({detail})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"front matter is a YAML {type(data).__name__}, not a mapping of fields")
    return data, stripped[match.end():]


def _other_encoding(raw: bytes) -> str | None:
    """Why `raw` is not UTF-8 when it starts with a UTF-16 or UTF-32 byte order mark, else None."""
    for mark, name in _OTHER_BOMS:
        if raw.startswith(mark):
            return f"not valid UTF-8: the file starts with a {name} byte order mark (save it as UTF-8)"
    return None


def _decode(raw: bytes) -> tuple[str | None, str | None]:
    """Decode UTF-8 (with or without BOM); on failure return a reason instead."""
    other = _other_encoding(raw)
    if other:
        return None, other
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"


def _read_text_file(item: InputFile, config: IngestConfig, *, html: bool) -> dict[str, Any]:
    raw = item.path.read_bytes()
    origin = item.rel_path
    content, problem = _decode(raw)
    if content is None:
        return _reject(item, origin, "undecodable_bytes", problem, raw[:200].decode("utf-8", "replace"), config)
    if "\x00" in content:
        return _reject(item, origin, "binary_content", "file contains NUL bytes (binary, not text)",
                       content[:200].replace("\x00", "\\0"), config)
    if html:
        if len(content) > config.max_document_chars:
            # Checked before extraction: trafilatura needs minutes for a page this size.
            return _reject(item, origin, "too_large",
                           f"HTML file has {len(content):,} characters, over the limit of "
                           f"{config.max_document_chars:,}", content, config)
        markup = _markup_chars(content)
        if markup > config.max_html_markup_chars:
            return _reject(item, origin, "too_large",
                           f"HTML file has {markup:,} characters of markup outside scripts and styles, over "
                           f"the limit of {config.max_html_markup_chars:,} for main-text extraction", content, config)
        return _record(item, origin, _html_fields(content), config)
    try:
        front, body = split_front_matter(content, config.max_front_matter_chars)
    except ValueError as exc:
        return _reject(item, origin, "invalid_front_matter", str(exc), content, config)
    try:
        fields = _mapped_fields(front, config.columns, with_text=False)
    except NestedTooDeeply:
        return _reject(item, origin, "invalid_front_matter", "front matter is not valid YAML: nested too deeply",
                       content, config)
    fields["text"] = body
    if not fields.get("title"):
        fields["title"] = _title_from_filename(item.path)
    return _record(item, origin, fields, config)


_RAW_TEXT_ELEMENTS = ("script", "style")


def _markup_chars(content: str) -> int:
    """Characters of an HTML page outside the content of its <script> and <style> elements.

    That content is raw text the parser skips in one step, so only the rest decides how long
    extraction takes (a saved page can hold megabytes of inline script). A linear scan, no
    regex: no page can make it slow.
    """
    lower = content.lower()
    size = len(lower)
    skipped, pos = 0, 0
    next_at = {tag: lower.find("<" + tag) for tag in _RAW_TEXT_ELEMENTS}
    while True:
        for tag, at in next_at.items():
            if 0 <= at < pos:  # searched again only once passed: each occurrence is found once
                next_at[tag] = lower.find("<" + tag, pos)
        found = [(at, tag) for tag, at in next_at.items() if at >= 0]
        if not found:
            return size - skipped
        start, tag = min(found)
        after = start + 1 + len(tag)
        if after < size and lower[after] not in " \t\r\n\f/>":  # <scripts>, <styled>: ordinary elements
            pos = after
            continue
        end = lower.find("</" + tag, after)
        end = size if end < 0 else end
        opened = lower.find(">", after, end)  # the tags themselves count: 100,000 tiny scripts are markup
        skipped += end - (opened + 1 if opened >= 0 else after)
        pos = max(end, after)


def _title_from_filename(path: Path) -> str:
    stem = _FILENAME_DATE.sub("", path.stem).strip("-_ ")
    return _safe_text(re.sub(r"[-_]+", " ", stem).strip().capitalize() or path.stem)


def _html_fields(content: str) -> dict[str, Any]:
    import trafilatura  # heavy import, only when HTML is present

    doc = trafilatura.bare_extraction(
        content, with_metadata=True, include_comments=False, include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return {"text": "", "metadata": None}
    return {
        "text": doc.text or "",
        "title": doc.title,
        "raw_date": doc.date,
        "author": doc.author,
        "url": doc.url,
        "source": doc.sitename,
    }


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of a small HTML fragment (feed entries), block elements as paragraphs."""
    import lxml.html

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return re.sub(r"<[^<>]*>", " ", fragment).strip()  # not `<[^>]+>`: quadratic on "<<<<..."
    lxml.etree.strip_elements(root, "script", "style", with_tail=False)
    for block in root.iter("p", "div", "li", "br", "h1", "h2", "h3", "h4", "blockquote"):
        block.tail = "\n\n" + (block.tail or "")
    text = root.text_content()
    return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


# --- tables: CSV, JSON Lines, JSON, Parquet -----------------------------------------------


def _rows_to_records(item: InputFile, rows: Iterator[tuple[str, dict[str, Any] | str]],
                     columns_seen: list[str], config: IngestConfig) -> Iterator[dict[str, Any]]:
    """Turn (origin, row-or-reject-reason) pairs into raw records; reject the file if no text column."""
    text_key, _ = _pick({c: "x" for c in columns_seen}, config.columns.text)
    if columns_seen and text_key is None:
        yield _file_reject(
            item, "no_text_column",
            "no text column: looked for " + ", ".join(config.columns.text)
            + "; the file has " + ", ".join(map(str, columns_seen[:20])),
        )
        return
    for origin, row in rows:
        if isinstance(row, str):
            code, _, reason = row.partition(":")
            yield _reject(item, origin, code, reason.strip(), "", config)
            continue
        try:
            fields = _mapped_fields(row, config.columns, with_text=True)
        except NestedTooDeeply as exc:
            yield _reject(item, origin, "malformed_row", str(exc), _row_preview(row), config)
            continue
        text = fields.get("text")
        if text is not None and not isinstance(text, str):
            yield _reject(item, origin, "malformed_row",
                          f"text field is a {type(text).__name__}, not a string", _row_preview(row), config)
            continue
        if not fields.get("title") and isinstance(text, str):
            fields["title"] = _first_line(text)
        yield _record(item, origin, fields, config)


def _row_preview(row: dict[str, Any]) -> str:
    try:
        return json.dumps(row, default=str)[:300]
    except (RecursionError, ValueError):
        return f"(a row with the fields {', '.join(map(str, list(row)[:20]))})"


def _first_line(text: str, limit: int = 90) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _read_csv(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    raw = item.path.read_bytes()
    other = _other_encoding(raw)
    if other:
        yield _file_reject(item, "undecodable_bytes", other)
        return
    content = raw.decode("utf-8-sig", errors="surrogateescape")
    del raw
    if "\x00" in content:
        yield _file_reject(item, "binary_content", "file contains NUL bytes (binary, not CSV)")
        return
    delimiter = "\t" if item.path.suffix.lower() == ".tsv" else ","
    # No field can be longer than the file: an oversized field then reaches the size check
    # (too_large) instead of stopping the reader and losing the rows after it.
    csv.field_size_limit(max(len(content) + 1, 1 << 20))
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield _file_reject(item, "malformed_file", f"CSV header could not be read: {exc}")
        return
    if not header:
        yield _file_reject(item, "empty_file", "CSV file has no header row")
        return
    header = [h.strip() for h in header]

    def rows() -> Iterator[tuple[str, dict[str, Any] | str]]:
        row_number = 1
        while True:
            row_number += 1
            origin = f"{item.rel_path}#row={row_number}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield origin, f"malformed_row: CSV row could not be parsed: {exc}"
                return
            if not row:
                continue
            if len(row) != len(header):
                yield origin, f"malformed_row: expected {len(header)} fields, got {len(row)}"
                continue
            yield origin, dict(zip(header, row))

    yield from _rows_to_records(item, rows(), header, config)


def _read_jsonl(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    raw = item.path.read_bytes()
    other = _other_encoding(raw)
    if other:
        yield _file_reject(item, "undecodable_bytes", other)
        return
    lines = raw.split(b"\n")
    del raw
    parsed: list[tuple[str, dict[str, Any] | str]] = []
    columns: dict[str, None] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = f"{item.rel_path}#line={number}"
        try:
            value = json.loads(line.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            parsed.append((origin, f"undecodable_bytes: not valid UTF-8 at byte {exc.start}"))
            continue
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an int too long to convert
            parsed.append((origin, f"malformed_row: not valid JSON: {_json_problem(exc)}"))
            continue
        if not isinstance(value, dict):
            parsed.append((origin, f"malformed_row: a JSON {type(value).__name__}, not an object"))
            continue
        columns.update(dict.fromkeys(value))
        parsed.append((origin, value))
    yield from _rows_to_records(item, iter(parsed), list(columns), config)


def _json_problem(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def _read_json(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    content, problem = _decode(item.path.read_bytes())
    if content is None:
        yield _file_reject(item, "undecodable_bytes", problem)
        return
    try:
        value = json.loads(content)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an int too long to convert
        yield _file_reject(item, "malformed_file", f"not valid JSON: {_json_problem(exc)}")
        return
    if isinstance(value, dict):
        for key in ("documents", "items", "records", "data", "articles"):
            if isinstance(value.get(key), list):
                value = value[key]
                break
        else:
            value = [value]
    if not isinstance(value, list):
        yield _file_reject(item, "malformed_file", "JSON file is neither a list of objects nor an object")
        return
    columns: dict[str, None] = {}
    rows: list[tuple[str, dict[str, Any] | str]] = []
    for index, entry in enumerate(value):
        origin = f"{item.rel_path}#item={index}"
        if isinstance(entry, dict):
            columns.update(dict.fromkeys(entry))
            rows.append((origin, entry))
        else:
            rows.append((origin, f"malformed_row: a JSON {type(entry).__name__}, not an object"))
    yield from _rows_to_records(item, iter(rows), list(columns), config)


def _read_parquet(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Read with pyarrow, which answers a corrupt file with an exception: Polars' own reader
    # panics on some (a PanicException, which is no Exception) and aborts the whole process on
    # others ("memory allocation of 2305843009213693944 bytes failed").
    limit = config.max_file_bytes
    try:
        with pq.ParquetFile(item.path) as parquet:
            metadata = parquet.metadata
            unpacked = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
            if unpacked > limit:
                yield _file_reject(item, "file_too_large",
                                   f"Parquet data is {unpacked:,} bytes uncompressed, over the limit of {limit:,}")
                return
            # Dictionary encoding hides the size of the values (one 2 MB value repeated a million
            # times packs small): count what each batch unpacks to instead.
            batches, unpacked, rows = [], 0, 0
            for batch in parquet.iter_batches(batch_size=1024):
                unpacked, rows = unpacked + batch.nbytes, rows + batch.num_rows
                if unpacked > limit:
                    yield _file_reject(item, "file_too_large",
                                       f"Parquet data unpacks to {unpacked:,} bytes by row {rows:,}, over the "
                                       f"limit of {limit:,}")
                    return
                batches.append(batch)
            table = pa.Table.from_batches(batches) if batches else parquet.schema_arrow.empty_table()
        table.validate(full=True)  # offsets and UTF-8 checked here, not trusted by Polars
        # Rebuilt from its columns: drops schema metadata, and names that are not UTF-8 fail here.
        table = pa.Table.from_arrays(table.columns, names=[str(name) for name in table.column_names])
        frame = pl.from_arrow(table)
        if not isinstance(frame, pl.DataFrame):
            frame = frame.to_frame()
    except (Exception, pl.exceptions.PanicException) as exc:  # noqa: BLE001 - any Parquet failure is a counted reject
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        yield _file_reject(item, "malformed_file", f"unreadable Parquet file: {first_line[:300]}")
        return
    rows = ((f"{item.rel_path}#row={i}", row) for i, row in enumerate(frame.iter_rows(named=True)))
    yield from _rows_to_records(item, rows, frame.columns, config)


# --- feeds ---------------------------------------------------------------------------------


def _read_feed(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    import feedparser

    size = item.path.stat().st_size
    if size > config.max_feed_bytes:
        yield _file_reject(item, "file_too_large",
                           f"feed file is {size:,} bytes, over the limit of {config.max_feed_bytes:,} for RSS/Atom feeds")
        return
    raw = item.path.read_bytes()
    # A stream, never the bytes themselves: feedparser opens bytes that name a file ("/etc/passwd")
    # and reads that file instead. HTML in entries becomes plain text below, so it needs neither
    # sanitizing nor link resolving (both slow on escaped markup).
    feed = feedparser.parse(io.BytesIO(raw), sanitize_html=False, resolve_relative_uris=False)
    if not feed.entries:
        reason = "feed has no entries"
        if feed.bozo:
            reason = f"not a readable RSS/Atom feed: {feed.bozo_exception}"
        yield _file_reject(item, "malformed_file", reason)
        return
    feed_title = feed.feed.get("title")
    for index, entry in enumerate(feed.entries):
        origin = f"{item.rel_path}#entry={index}"
        content = entry.get("content")
        html = content[0].get("value", "") if content else entry.get("summary", "")
        raw_date = entry.get("published") or entry.get("updated") or entry.get("created")
        url = entry.get("link")
        if url and entry.get("guidislink") and not re.match(r"https?://", url):
            url = None  # feedparser copies an id such as "urn:uuid:..." into link when there is none
        author = (entry.get("author_detail") or {}).get("name") or entry.get("author")
        fields = {
            "doc_id": entry.get("id") or None,
            "raw_date": raw_date,
            "title": entry.get("title"),
            "source": feed_title,
            "author": author,
            "url": url,
            "text": html_fragment_to_text(html or ""),
        }
        yield _record(item, origin, fields, config)
