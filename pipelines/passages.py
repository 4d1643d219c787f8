"""Passages stage: documents -> paragraph-level passages with exact character offsets.

A passage follows the document's paragraph boundaries (blank lines). A very short
paragraph (a heading, a one-line sentence) is merged into a neighbour; a very long one is
split at sentence boundaries so that the embedding model reads all of it. A passage never
spans two documents, and `document.text[char_start:char_end] == passage.text` always.
A passage of a paged document (a PDF: `documents.page_starts`) has the page its first
character is on, so a paragraph that runs over a page break has the page where it starts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

import polars as pl
from pydantic import BaseModel

PASSAGE_COLUMNS = [
    "passage_id", "doc_id", "ordinal", "char_start", "char_end", "text", "date", "month", "source", "page",
]

_PARAGRAPH = re.compile(r"\S(?:.*?\S)??(?=\s*?\n\s*\n|\s*\Z)", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"“'‘(\[]?[A-Z0-9])")
_TOKEN = re.compile(r"\w+|[^\w\s]")


class PassageConfig(BaseModel):
    """Sizes of passages. `max_tokens` counts words and punctuation marks, a conservative
    stand-in for the embedding model's 256 word pieces (checked against the real tokenizer
    in the tests)."""

    min_chars: int = 80
    max_tokens: int = 160


def _spans(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text, start, end)]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: runs of text separated by blank lines, trimmed."""
    return _spans(_PARAGRAPH, text, 0, len(text))


class _TokenCounter:
    """Tokens of `text[start:end]`, from one pass over the document.

    Every span this module counts starts and ends at a token's edge (paragraphs at
    whitespace, sentences after their final mark, word cuts between tokens), so the tokens
    inside a span are exactly the document's tokens that start inside it: two bisections
    instead of a regex pass per span (merging re-counted ever longer spans)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [m.start() for m in _TOKEN.finditer(text)]

    def __call__(self, start: int, end: int) -> int:
        return bisect_left(self.starts, end) - bisect_left(self.starts, start)


def _split_long(tokens: _TokenCounter, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Split one paragraph at sentence boundaries into pieces of at most max_tokens."""
    text = tokens.text
    if tokens(start, end) <= max_tokens:
        return [(start, end)]
    sentences: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        sentences.append((cursor, match.start()))
        cursor = match.end()
    sentences.append((cursor, end))
    pieces: list[tuple[int, int]] = []
    for s_start, s_end in sentences:
        if tokens(s_start, s_end) > max_tokens:
            pieces.extend(_split_words(text, s_start, s_end, max_tokens))
        elif pieces and tokens(pieces[-1][0], s_end) <= max_tokens:
            pieces[-1] = (pieces[-1][0], s_end)
        else:
            pieces.append((s_start, s_end))
    return pieces


def _split_words(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Last resort for a sentence longer than max_tokens: cut between tokens."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]
    return [
        (tokens[i][0], tokens[min(i + max_tokens, len(tokens)) - 1][1])
        for i in range(0, len(tokens), max_tokens)
    ]


def _is_heading(text: str, start: int, end: int) -> bool:
    return text[end - 1] not in ".!?\"'”’)"


def passage_spans(text: str, config: PassageConfig) -> list[tuple[int, int]]:
    """Passage (start, end) offsets of one document: paragraphs, short ones merged, long ones split."""
    tokens = _TokenCounter(text)
    pieces: list[tuple[int, int]] = []
    for start, end in paragraph_spans(text):
        pieces.extend(_split_long(tokens, start, end, config.max_tokens))
    merged: list[tuple[int, int]] = []
    carry: tuple[int, int] | None = None  # a short heading waiting for the next paragraph
    for start, end in pieces:
        if carry is not None:
            start = carry[0]
            carry = None
        is_short = end - start < config.min_chars
        fits_previous = merged and tokens(merged[-1][0], end) <= config.max_tokens
        if is_short and (_is_heading(text, start, end) or not fits_previous):
            carry = (start, end)
        elif is_short:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if carry is not None:
        if merged and tokens(merged[-1][0], carry[1]) <= config.max_tokens:
            merged[-1] = (merged[-1][0], carry[1])
        else:
            merged.append(carry)
    return merged


def page_of(page_starts: list[int] | None, offset: int) -> int | None:
    """The page (1-based) holding `offset`: how many pages start at or before it; None when the
    document has no pages."""
    return bisect_right(page_starts, offset) if page_starts else None


def _passage_rows(row: dict, config: PassageConfig) -> list[dict]:
    starts = row["page_starts"]
    return [{"char_start": start, "char_end": end, "page": page_of(starts, start)}
            for start, end in passage_spans(row["text"], config)]


def split_passages(documents: pl.LazyFrame, config: PassageConfig | None = None) -> pl.LazyFrame:
    """Documents -> passages table (see docs/ARTIFACTS.md). Documents without `page_starts`
    (built before it existed, or made by a test) give passages without a page."""
    config = config or PassageConfig()
    span_type = pl.List(pl.Struct({"char_start": pl.UInt32, "char_end": pl.UInt32, "page": pl.UInt32}))
    if "page_starts" not in documents.collect_schema().names():
        documents = documents.with_columns(page_starts=pl.lit(None, dtype=pl.List(pl.UInt32)))
    return (
        documents.select("doc_id", "text", "date", "month", "source", "page_starts")
        .with_columns(
            spans=pl.struct("text", "page_starts").map_elements(
                lambda row: _passage_rows(row, config), return_dtype=span_type)
        )
        .explode("spans")
        .filter(pl.col("spans").is_not_null())
        .unnest("spans")
        .with_columns(ordinal=pl.int_range(pl.len(), dtype=pl.UInt32).over("doc_id"))
        .with_columns(
            passage_id=pl.format("{}:{}", "doc_id", "ordinal"),
            text=pl.col("text").str.slice(pl.col("char_start"), pl.col("char_end") - pl.col("char_start")),
        )
        .select(PASSAGE_COLUMNS)
    )
