"""Readers of tables: CSV and TSV, JSON Lines, JSON, Parquet; one record per row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from pipelines.config import IngestConfig
from pipelines.readers.records import (
    InputFile, NestedTooDeeply, decode_utf8, file_reject, first_line, is_blank, make_record, mapped_fields,
    other_encoding, pick_field, record_reject,
)


class RowProblem(NamedTuple):
    """A row that cannot become a record: its reason code, reason and raw text."""

    code: str
    reason: str
    preview: str = ""


Rows = Iterator[tuple[str, "dict[str, Any] | RowProblem"]]


def _rows_to_records(item: InputFile, rows: Rows, columns_seen: list[str], config: IngestConfig,
                     no_rows: str) -> Iterator[dict[str, Any]]:
    """Turn (origin, row-or-problem) pairs into raw records; reject the file if it has no text
    column, or (`no_records`, saying `no_rows`) if it holds no row at all."""
    text_key, _ = pick_field({c: "x" for c in columns_seen}, config.columns.text)
    if columns_seen and text_key is None:
        yield file_reject(
            item, "no_text_column",
            "no text column: looked for " + ", ".join(config.columns.text)
            + "; the file has " + ", ".join(map(str, columns_seen[:20])),
        )
        return
    empty = True
    for origin, row in rows:
        empty = False
        if isinstance(row, RowProblem):
            yield record_reject(item, origin, row.code, row.reason, row.preview, config)
            continue
        try:
            fields = mapped_fields(row, config.columns, with_text=True)
        except NestedTooDeeply as exc:
            yield record_reject(item, origin, "malformed_row", str(exc), _row_preview(row), config)
            continue
        text = fields.get("text")
        if text is not None and not isinstance(text, str):
            yield record_reject(item, origin, "malformed_row",
                                f"text field is a {type(text).__name__}, not a string", _row_preview(row), config)
            continue
        if not fields.get("title") and isinstance(text, str):
            fields["title"] = first_line(text)
        yield make_record(item, origin, fields, config)
    if empty:
        yield file_reject(item, "no_records", no_rows)


def _row_preview(row: dict[str, Any]) -> str:
    try:
        return json.dumps(row, default=str)[:300]
    except (RecursionError, ValueError):
        return f"(a row with the fields {', '.join(map(str, list(row)[:20]))})"


def read_csv_file(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    raw = item.path.read_bytes()
    other = other_encoding(raw)
    if other:
        yield file_reject(item, "undecodable_bytes", other)
        return
    content = raw.decode("utf-8-sig", errors="surrogateescape")
    del raw
    if "\x00" in content:
        yield file_reject(item, "binary_content", "file contains NUL bytes (binary, not CSV)")
        return
    delimiter = "\t" if item.path.suffix.lower() == ".tsv" else ","
    # No field can be longer than the file: an oversized field then reaches the size check
    # (too_large) instead of stopping the reader and losing the rows after it.
    csv.field_size_limit(max(len(content) + 1, 1 << 20))
    lines = io.StringIO(content, newline="").readlines()  # split as csv.reader splits them
    del content
    parsed = _csv_rows(lines, delimiter)
    _, header = next(parsed, (0, []))
    if isinstance(header, RowProblem):
        yield file_reject(item, "malformed_file", f"CSV header could not be read: {header.reason}")
        return
    if not header:
        yield file_reject(item, "empty_file", "CSV file has no header row")
        return
    header = [h.strip() for h in header]

    def rows() -> Rows:
        for row_number, (_, row) in enumerate(parsed, start=2):
            origin = f"{item.rel_path}#row={row_number}"
            if isinstance(row, RowProblem):
                yield origin, row
            elif not row:  # a blank line
                continue
            elif len(row) != len(header):
                yield origin, RowProblem("malformed_row", f"expected {len(header)} fields, got {len(row)}")
            else:
                yield origin, dict(zip(header, row))

    yield from _rows_to_records(item, rows(), header, config, "CSV file has a header row but no data rows")


def _csv_rows(lines: list[str], delimiter: str) -> Iterator[tuple[int, list[str] | RowProblem]]:
    """(first line, fields) of each CSV row, parsed strictly (RFC 4180 quoting).

    A row that breaks the quoting rules (a quoted field never closed, or text after a closing
    quote: both the mark of a stray quote that would swallow the rows after it) becomes a
    `malformed_csv` problem naming its first line, and reading resumes on the line after it.
    """
    start = 0
    while start < len(lines):
        reader = csv.reader(map(lines.__getitem__, range(start, len(lines))), delimiter=delimiter, strict=True)
        consumed = 0
        try:
            for row in reader:
                yield start + consumed + 1, row
                consumed = reader.line_num
            return
        except csv.Error as exc:
            first, last = start + consumed + 1, start + reader.line_num
            yield first, RowProblem("malformed_csv", _csv_problem(str(exc), first, last, len(lines)),
                                    lines[first - 1][:300])
            start = first


def _csv_problem(error: str, first: int, last: int, total: int) -> str:
    if error == "unexpected end of data":
        problem = "a quoted field opened here is never closed (it runs to the end of the file)"
    elif error.endswith("expected after '\"'"):
        problem = (f"the quote closing a field on line {last} is followed by text, not the delimiter "
                   "(a stray or unbalanced quote)")
    else:
        problem = f"the row could not be parsed ({error})"
    resumed = f"; reading resumed on line {first + 1}" if 1 < first < total else ""  # line 1: the header
    return f"line {first}: {problem}{resumed}"


def read_jsonl_file(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    raw = item.path.read_bytes()
    other = other_encoding(raw)
    if other:
        yield file_reject(item, "undecodable_bytes", other)
        return
    if is_blank(raw):
        yield file_reject(item, "empty_file", "JSON Lines file is empty (no line holds anything)")
        return
    lines = raw.split(b"\n")
    del raw
    parsed: list[tuple[str, dict[str, Any] | RowProblem]] = []
    columns: dict[str, None] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = f"{item.rel_path}#line={number}"
        try:
            value = json.loads(line.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            parsed.append((origin, RowProblem("undecodable_bytes", f"not valid UTF-8 at byte {exc.start}")))
            continue
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an int too long to convert
            parsed.append((origin, RowProblem("malformed_row", f"not valid JSON: {_json_problem(exc)}")))
            continue
        if not isinstance(value, dict):
            parsed.append((origin, RowProblem("malformed_row", f"a JSON {type(value).__name__}, not an object")))
            continue
        columns.update(dict.fromkeys(value))
        parsed.append((origin, value))
    yield from _rows_to_records(item, iter(parsed), list(columns), config, "JSON Lines file holds no record")


def _json_problem(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def read_json_file(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    content, problem = decode_utf8(item.path.read_bytes())
    if content is None:
        yield file_reject(item, "undecodable_bytes", problem)
        return
    if not content.strip():
        yield file_reject(item, "empty_file", "JSON file is empty")
        return
    try:
        value = json.loads(content)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an int too long to convert
        yield file_reject(item, "malformed_file", f"not valid JSON: {_json_problem(exc)}")
        return
    if isinstance(value, dict):
        for key in ("documents", "items", "records", "data", "articles"):
            if isinstance(value.get(key), list):
                value = value[key]
                break
        else:
            value = [value]
    if not isinstance(value, list):
        yield file_reject(item, "malformed_file", "JSON file is neither a list of objects nor an object")
        return
    columns: dict[str, None] = {}
    rows: list[tuple[str, dict[str, Any] | RowProblem]] = []
    for index, entry in enumerate(value):
        origin = f"{item.rel_path}#item={index}"
        if isinstance(entry, dict):
            columns.update(dict.fromkeys(entry))
            rows.append((origin, entry))
        else:
            rows.append((origin, RowProblem("malformed_row", f"a JSON {type(entry).__name__}, not an object")))
    yield from _rows_to_records(item, iter(rows), list(columns), config, "JSON file holds an empty list: no records")


def read_parquet_file(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
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
                yield file_reject(item, "file_too_large",
                                  f"Parquet data is {unpacked:,} bytes uncompressed, over the limit of {limit:,}")
                return
            # Dictionary encoding hides the size of the values (one 2 MB value repeated a million
            # times packs small): count what each batch unpacks to instead.
            batches, unpacked, rows = [], 0, 0
            for batch in parquet.iter_batches(batch_size=1024):
                unpacked, rows = unpacked + batch.nbytes, rows + batch.num_rows
                if unpacked > limit:
                    yield file_reject(item, "file_too_large",
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
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        yield file_reject(item, "malformed_file", f"unreadable Parquet file: {message[:300]}")
        return
    rows = ((f"{item.rel_path}#row={i}", row) for i, row in enumerate(frame.iter_rows(named=True)))
    yield from _rows_to_records(item, rows, frame.columns, config, "Parquet file has columns but no rows")
