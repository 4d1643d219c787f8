"""Typed configuration for every pipeline stage."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


class ColumnMapping(BaseModel):
    """Which input column (or front-matter key) fills each documents-table field.

    Each field lists candidates tried in order; the first present, non-empty one wins.
    """

    id: list[str] = ["id", "doc_id", "document_id", "guid"]
    text: list[str] = ["text", "body", "content", "full_text", "article", "summary"]
    date: list[str] = [
        "date", "published", "published_time", "published_at", "publication_date",
        "pubdate", "created", "created_at", "updated",
    ]
    title: list[str] = ["title", "headline", "name"]
    source: list[str] = ["source", "publisher", "outlet", "site_name", "site", "feed"]
    author: list[str] = ["author", "authors", "byline", "creator"]
    url: list[str] = ["url", "source_url", "link", "href"]

    def with_overrides(self, overrides: dict[str, str]) -> "ColumnMapping":
        """Put explicitly mapped columns first (e.g. {"text": "body_html"})."""
        fields = self.model_dump()
        for field, column in overrides.items():
            if field not in fields:
                raise ValueError(
                    f"unknown field {field!r} in column mapping; expected one of {', '.join(fields)}"
                )
            fields[field] = [column]
        return ColumnMapping(**fields)


class LayoutConfig(BaseModel):
    """How the lines of a PDF page become paragraphs (pipelines/readers/layout.py says how)."""

    paragraph_gap: float = 1.4  # a gap this many times the usual line spacing ends a paragraph
    short_line: float = 0.8  # a sentence-ending line under this share of the usual width ends one
    furniture_lines: int = 2  # lines at the top and at the bottom of a page checked for furniture
    gutter_em: float = 1.0  # a same-baseline gap of this many font sizes may be a column gutter...
    gutter_lines: int = 3  # ...when it recurs at one x on this many lines of the page...
    column_em: float = 10.0  # ...after at least this much text (less: table cells, not columns)


class IngestConfig(BaseModel):
    """How corpus files are read into the documents table."""

    columns: ColumnMapping = Field(default_factory=ColumnMapping)
    max_document_chars: int = 5_000_000
    max_file_bytes: int = 2_000_000_000
    max_front_matter_chars: int = 65_536
    # Size caps applied before the slow pure-Python parsers run: trafilatura needs about 2-4 s
    # per MB of HTML markup (outside scripts and styles), feedparser 1-6 s per MB of a feed.
    max_html_markup_chars: int = 2_000_000
    max_feed_bytes: int = 10_000_000
    # How long reading one file may take before it becomes a `timeout` reject: HTML and feeds
    # (size-capped above) get the flat limit, every other reader that plus time per MB.
    file_time_limit_seconds: float = 10.0
    file_seconds_per_mb: float = 2.0
    raw_preview_chars: int = 300
    # A .docx is a zip: its XML parts may unpack to at most this many bytes (a zip bomb is refused).
    max_docx_xml_bytes: int = 200_000_000
    layout: LayoutConfig = Field(default_factory=LayoutConfig)
