"""Reader of RSS and Atom feeds: one record per entry."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from pipelines.config import IngestConfig
from pipelines.readers.records import InputFile, file_reject, make_record
from pipelines.readers.text import html_fragment_to_text


def read_feed_file(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    import feedparser

    size = item.path.stat().st_size
    if size > config.max_feed_bytes:
        yield file_reject(item, "file_too_large", f"feed file is {size:,} bytes, over the limit of "
                                                  f"{config.max_feed_bytes:,} for RSS/Atom feeds")
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
        yield file_reject(item, "malformed_file", reason)
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
        yield make_record(item, origin, fields, config)
