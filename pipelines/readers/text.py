"""Readers of Markdown, text and HTML files: one record per file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pipelines.config import IngestConfig
from pipelines.readers.records import (
    FILENAME_DATE, InputFile, NestedTooDeeply, decode_utf8, make_record, mapped_fields, record_reject, safe_text,
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


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


def read_text_file(item: InputFile, config: IngestConfig, *, html: bool) -> dict[str, Any]:
    raw = item.path.read_bytes()
    origin = item.rel_path
    content, problem = decode_utf8(raw)
    if content is None:
        return record_reject(item, origin, "undecodable_bytes", problem, raw[:200].decode("utf-8", "replace"), config)
    if "\x00" in content:
        return record_reject(item, origin, "binary_content", "file contains NUL bytes (binary, not text)",
                             content[:200].replace("\x00", "\\0"), config)
    if html:
        if len(content) > config.max_document_chars:
            # Checked before extraction: trafilatura needs minutes for a page this size.
            return record_reject(item, origin, "too_large",
                                 f"HTML file has {len(content):,} characters, over the limit of "
                                 f"{config.max_document_chars:,}", content, config)
        markup = _markup_chars(content)
        if markup > config.max_html_markup_chars:
            return record_reject(item, origin, "too_large",
                                 f"HTML file has {markup:,} characters of markup outside scripts and styles, over "
                                 f"the limit of {config.max_html_markup_chars:,} for main-text extraction",
                                 content, config)
        return make_record(item, origin, _html_fields(content), config)
    try:
        front, body = split_front_matter(content, config.max_front_matter_chars)
    except ValueError as exc:
        return record_reject(item, origin, "invalid_front_matter", str(exc), content, config)
    try:
        fields = mapped_fields(front, config.columns, with_text=False)
    except NestedTooDeeply:
        return record_reject(item, origin, "invalid_front_matter", "front matter is not valid YAML: nested too deeply",
                             content, config)
    fields["text"] = body
    if not fields.get("title"):
        fields["title"] = _title_from_filename(item.path)
    return make_record(item, origin, fields, config)


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
    stem = FILENAME_DATE.sub("", path.stem).strip("-_ ")
    return safe_text(re.sub(r"[-_]+", " ", stem).strip().capitalize() or path.stem)


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
