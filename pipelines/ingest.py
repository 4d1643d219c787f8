"""Ingest stage: raw records -> documents table + rejects table, nothing lost.

`normalise_documents` is pure Polars; `ingest_paths` is the I/O edge that runs the
readers over the user's paths (with a progress bar) and hands their records over.
Invariant: records read = accepted + rejected + duplicates.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.artifacts import TABLES
from pipelines.config import IngestConfig
from pipelines.readers import (
    FEED_SUFFIXES, HTML_SUFFIXES, RAW_FIELDS, InputFile, Skipped, file_reject, read_input, scan_inputs,
)

DOCUMENT_COLUMNS = list(TABLES["documents"].schema)  # the artifact contract's order
DUPLICATE_CODE = "duplicate"
TEXT_KEY = ["text_key_a", "text_key_b"]  # see with_text_keys
RECORDS_PER_CHUNK = 20_000  # reader records held as Python dicts at once

# Tried in order on the cleaned date string; the first that parses wins.
_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d.%m.%Y", "%Y%m%d"]
_MIN_DATE = dt.date(1800, 1, 1)
# No date is written in more bytes than this; a longer value is not parsed (some twenty
# passes over a multi-MB "date" took seconds per MB). No format below can match a value this
# long, so unlike the limits in IngestConfig it never changes a result.
MAX_DATE_BYTES = 200
# The time of day after an ISO date (extended or basic form), or after a space in other dates.
_ISO_TIME = r"^\d{4}-\d{2}-\d{2}[T ](?<hour>\d{1,2})(?::?(?<minute>\d{2})(?::?(?<second>\d{2}))?)?"
_OTHER_TIME = r"\s(?<hour>\d{1,2}):(?<minute>\d{2})(?::(?<second>\d{2}))?"


@dataclass(frozen=True)
class IngestResult:
    documents: pl.DataFrame
    rejects: pl.DataFrame
    records_read: int

    @property
    def duplicates(self) -> int:
        return self.rejects.filter(pl.col("reason_code") == DUPLICATE_CODE).height

    @property
    def rejected(self) -> int:
        return self.rejects.height - self.duplicates

    def reason_counts(self) -> pl.DataFrame:
        """Rejects (and duplicates) per reason code, most frequent first."""
        return (
            self.rejects.group_by("reason_code").len("records")
            .sort(["records", "reason_code"], descending=[True, False])
        )


def records_chunk(records: list[dict], config: IngestConfig) -> pl.DataFrame:
    """Raw reader records as a frame of strings, with the keys that find duplicate texts."""
    schema = {name: pl.String for name in RAW_FIELDS}
    frame = pl.DataFrame(records, schema=schema, orient="row") if records else pl.DataFrame(schema=schema)
    return with_text_keys(frame.lazy(), config.max_document_chars).collect()


def with_text_keys(raw: pl.LazyFrame, max_chars: int) -> pl.LazyFrame:
    """`text_key_a`/`text_key_b`: two hashes (128 bits together) of the text with whitespace
    collapsed and case folded, which name a text for finding duplicates; `text_blank`: no
    text once whitespace is removed. Hashes instead of the folded text itself, so that no
    second copy of every text is held: two different texts share both keys with a chance
    of about 1 in 10^28 per pair."""
    # not worked out for a text over the limit (rejected anyway): 50 MB of regex is slow
    folded = (pl.when(pl.col("text").str.len_chars() <= max_chars)
              .then(pl.col("text")).str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase())
    return raw.with_columns(folded.alias("_folded")).with_columns(
        text_key_a=pl.col("_folded").hash(seed=1), text_key_b=pl.col("_folded").hash(seed=2),
        text_blank=pl.col("_folded").str.len_chars() == 0,
    ).drop("_folded")


def raw_records_frame(chunks: list[pl.DataFrame]) -> pl.LazyFrame:
    """The record chunks as one LazyFrame, in reading order (`seq`)."""
    return pl.concat(chunks, rechunk=False).lazy().with_row_index("seq")


def parse_date(column: pl.Expr) -> pl.Expr:
    """Parse ISO dates/datetimes (date as written, offset ignored), RFC 822 and English dates."""
    column = pl.when(column.str.len_bytes() <= MAX_DATE_BYTES).then(column)
    cleaned = (
        column.str.strip_chars()
        .str.replace(r"^[A-Za-z]{3,9}\.?,\s*", "")  # leading weekday: "Tue, 18 Apr 2023"
        .str.replace_all(r"(\d)(st|nd|rd|th)\b", "$1")  # "18th April"
        .str.replace_all(r"\s+", " ")
    )
    iso_prefix = cleaned.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ]\d)", 1)
    day_month_year = cleaned.str.extract(r"^(\d{1,2} [A-Za-z]+\.? \d{4})\b", 1).str.replace(r"\.", "")
    month_day_year = cleaned.str.extract(r"^([A-Za-z]+\.? \d{1,2},? \d{4})\b", 1).str.replace(r"\.", "")
    candidates = [iso_prefix.str.strptime(pl.Date, "%Y-%m-%d", strict=False)]
    for source in (day_month_year, month_day_year, cleaned):
        candidates += [source.str.strptime(pl.Date, fmt, strict=False) for fmt in _DATE_FORMATS]
    parsed = pl.coalesce(candidates)
    max_date = dt.date(dt.date.today().year + 1, 12, 31)
    return pl.when(parsed.is_between(_MIN_DATE, max_date) & time_is_possible(cleaned)).then(parsed)


def time_is_possible(cleaned: pl.Expr) -> pl.Expr:
    """False when the value holds a time of day no clock shows (`25:61`): the time after an ISO
    date (`T25`, `T10:61:00`), else the first `H:MM[:SS]` after a space; true when it has none."""
    iso = cleaned.str.extract_groups(_ISO_TIME)
    other = cleaned.str.extract_groups(_OTHER_TIME)
    time = pl.when(iso.struct.field("hour").is_not_null()).then(iso).otherwise(other)
    hour, minute, second = (time.struct.field(name).cast(pl.Int32) for name in ("hour", "minute", "second"))
    return ((hour.is_null() | (hour <= 23)) & (minute.is_null() | (minute <= 59))
            & (second.is_null() | (second <= 60)))  # 60: a leap second


def _first_unique(rows: pl.Series) -> pl.Series:
    """Greedy, in reading order: accept a record unless an accepted one has its text or its id."""
    texts: set[int] = set()
    ids: set[str] = set()
    accepted: list[bool] = []
    for text_group, doc_id in zip(rows.struct.field("text_group").to_list(),
                                  rows.struct.field("doc_id").to_list(), strict=True):
        ok = text_group not in texts and doc_id not in ids
        if ok:
            texts.add(text_group)
            ids.add(doc_id)
        accepted.append(ok)
    return pl.Series(rows.name, accepted, dtype=pl.Boolean)


def _record_problem(config: IngestConfig) -> pl.Expr:
    """The (code, reason) struct of a record's first problem, null for a usable record."""
    raw_date_shown = pl.col("raw_date").str.slice(0, 60)
    short_date = pl.when(pl.col("raw_date").str.len_bytes() <= MAX_DATE_BYTES).then(pl.col("raw_date"))
    return (
        pl.when(pl.col("reject_code").is_not_null())
        .then(pl.struct(code=pl.col("reject_code"), reason=pl.col("reject_reason")))
        .when(pl.col("text").is_null() | pl.col("text_blank"))
        .then(pl.struct(code=pl.lit("empty_text"), reason=pl.lit("document has no text")))
        .when(pl.col("text_chars") > config.max_document_chars)
        .then(pl.struct(
            code=pl.lit("too_large"),
            reason=pl.format("document has {} characters, over the limit of {}",
                             pl.col("text_chars"), pl.lit(f"{config.max_document_chars:,}")),
        ))
        .when(pl.col("date").is_null() & pl.col("raw_date").is_null())
        .then(pl.struct(code=pl.lit("missing_date"),
                        reason=pl.lit("no date field and no YYYY-MM-DD date in the file name")))
        .when(pl.col("date").is_null() & ~time_is_possible(short_date.str.strip_chars()))
        .then(pl.struct(code=pl.lit("unparseable_date"),
                        reason=pl.format("unparseable date: '{}' (no such time of day)", raw_date_shown)))
        .when(pl.col("date").is_null())
        .then(pl.struct(code=pl.lit("unparseable_date"),
                        reason=pl.format("unparseable date: '{}'", raw_date_shown)))
    )


def normalise_documents(raw: pl.LazyFrame, config: IngestConfig) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Split raw records into (documents, rejects) with a specific reason for every reject."""
    # The file-name date stands in only when the content has no date at all: a date that is
    # there but unreadable is reported (unparseable_date), never replaced by a guess.
    with_dates = raw.with_columns(
        date=pl.when(pl.col("raw_date").str.strip_chars().str.len_chars() > 0)
        .then(parse_date(pl.col("raw_date")))
        .otherwise(parse_date(pl.col("filename_date"))),
        text_chars=pl.col("text").str.len_chars(),
        page_starts=pl.col("page_starts").str.split(",").cast(pl.List(pl.UInt32)),
    )
    checked = with_dates.with_columns(problem=_record_problem(config))

    valid = (
        checked.filter(pl.col("problem").is_null()).sort("seq")
        .with_columns(text_group=pl.col("seq").first().over(TEXT_KEY))
        .with_columns(
            accepted=pl.struct("text_group", "doc_id").map_batches(_first_unique, return_dtype=pl.Boolean)
        )
    )
    # A record is accepted unless an earlier *accepted* one has its text or its id, so every
    # duplicate names a doc that is in the documents table.
    # (at most one accepted record per text and per id; the one that caused a reject came first)
    accepted_with_text = pl.col("doc_id").filter(pl.col("accepted")).first().over(TEXT_KEY)
    accepted_text_seq = pl.col("seq").filter(pl.col("accepted")).first().over(TEXT_KEY)
    accepted_with_id = pl.col("origin").filter(pl.col("accepted")).first().over("doc_id")
    duplicate_problem = (
        pl.when(pl.col("accepted")).then(None)
        .when(accepted_text_seq < pl.col("seq"))
        .then(pl.struct(
            code=pl.lit(DUPLICATE_CODE),
            reason=pl.format("duplicate of doc {} (same text)", accepted_with_text),
        ))
        .otherwise(pl.struct(
            code=pl.lit("duplicate_id"),
            reason=pl.format("id {} is already used by {} with different text",
                             pl.col("doc_id"), accepted_with_id),
        ))
    )
    valid = valid.with_columns(problem=duplicate_problem).drop("text_group", "accepted")

    documents = (
        valid.filter(pl.col("problem").is_null())
        .with_columns(month=pl.col("date").dt.truncate("1mo"))
        .select(DOCUMENT_COLUMNS)
    )
    rejects = (
        pl.concat([checked.filter(pl.col("problem").is_not_null()), valid.filter(pl.col("problem").is_not_null())])
        .sort("seq")
        .select(
            "origin",
            reason_code=pl.col("problem").struct.field("code"),
            reason=pl.col("problem").struct.field("reason"),
            raw=pl.col("raw_preview"),
        )
    )
    return documents, rejects


def ingest_paths(paths: list[Path], config: IngestConfig | None = None,
                 on_file: Callable[[int, int], None] | None = None) -> IngestResult:
    """Read every input under `paths` into documents and rejects.

    Raises `readers.InputError` only for problems with the request itself (missing path,
    unknown format of a file named directly); bad content, and every folder entry that is
    not read (unreadable folder, link loop, broken link, pipe), always becomes a reject.
    `on_file(done, total)` is called after each entry, for progress display.
    """
    config = config or IngestConfig()
    entries = scan_inputs(paths)
    records: list[dict] = []
    chunks: list[pl.DataFrame] = []
    for done, entry in enumerate(entries, start=1):
        if isinstance(entry, Skipped):
            records.append(file_reject(entry.item, entry.code, entry.reason))
        else:
            records.extend(read_with_time_limit(entry, config))
        if len(records) >= RECORDS_PER_CHUNK or done == len(entries):
            chunks.append(records_chunk(records, config))
            records = []  # Python strings cost several times their Arrow form: hold few at once
        if on_file:
            on_file(done, len(entries))
    raw = raw_records_frame(chunks or [records_chunk([], config)])
    records_read = sum(chunk.height for chunk in chunks)
    chunks.clear()
    documents, rejects = normalise_documents(raw, config)
    documents_df, rejects_df = pl.collect_all([documents, rejects])
    return IngestResult(documents=documents_df, rejects=rejects_df, records_read=records_read)


# --- the per-file time limit ---------------------------------------------------------------------


class _OutOfTime(BaseException):
    """Raised by the SIGALRM handler inside a reader that ran out of time.

    A BaseException, so that no reader's (or library's) `except Exception` swallows it.
    """


def file_time_limit(item: InputFile, config: IngestConfig) -> float:
    """Seconds reading `item` may take: HTML and feeds go through pure-Python third-party
    parsers (trafilatura, feedparser) that are slow on hostile markup, and their input is
    capped in size, so they get a flat limit; every other reader is about linear in the file's
    size and gets time for that (IngestConfig.file_time_limit_seconds, file_seconds_per_mb); a
    small PDF that draws a huge number of pages is stopped by the same limit."""
    suffix = item.path.suffix.lower()
    if suffix in HTML_SUFFIXES or suffix in FEED_SUFFIXES:
        return config.file_time_limit_seconds
    try:
        size = item.path.stat().st_size
    except OSError:
        size = 0
    return config.file_time_limit_seconds + config.file_seconds_per_mb * size / 1_000_000


def _alarm_available() -> bool:
    """SIGALRM can be used: main thread, and no one else's interval timer is running."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )


def read_with_time_limit(item: InputFile, config: IngestConfig) -> list[dict]:
    """The raw records of one file, or one `timeout` reject if reading it takes too long.

    The limit is enforced with SIGALRM, so only in the main thread (elsewhere the file is read
    without one) and only between Python bytecodes: it stops pure-Python parsing, not a single
    long call into C. Records the file yielded before the limit are dropped with it.
    """
    if not _alarm_available():
        return list(read_input(item, config))
    limit = file_time_limit(item, config)
    armed = True

    def out_of_time(signum, frame):  # noqa: ANN001 - signal handler signature
        if armed:
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    records: list[dict] | None = None
    try:
        try:
            # Fires again every 0.2 s, in case a library swallows the first one with a bare except.
            signal.setitimer(signal.ITIMER_REAL, limit, 0.2)
            records = list(read_input(item, config))
            armed = False
        except _OutOfTime:
            armed = False
    except _OutOfTime:  # a second alarm in the instant before the handler above disarmed
        armed = False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if records is None:
        return [file_reject(item, "timeout",
                            f"reading this file took longer than {limit:,.1f} s and was stopped "
                            "(pathological or too complex content)")]
    return records
