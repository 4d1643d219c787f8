"""Paragraphs rebuilt from the positioned text of a paged document (PDF): pure functions.

The PDF reader hands over, page by page, the text fragments the page draws (`Fragment`: text,
position, font size) in the order of the page's content. From them:

1. Lines (`page_lines`). A fragment that starts, on the same baseline, a gutter's width after
   the text before it, at an x where that happens on at least `gutter_lines` lines of the page
   (`LayoutConfig` in pipelines/config.py), starts the line of another column: such a page
   (its content drawn row by row across the columns) is put in reading order, column by
   column, between the full-width lines. Every other page keeps the order of its content,
   which is reading order for what word processors and typesetters write (one column after
   the other).
2. Page furniture (`strip_furniture`). Among the `furniture_lines` top and bottom lines of each
   page: a line found on most pages (at least two, and over half), compared with its digits
   folded, is a running header or footer; a bare page number ("3", "Page 3 of 10", "- 3 -",
   "iv") is dropped on any page.
3. Paragraphs (`paragraphs`). The lines of a paragraph are joined with spaces. A paragraph ends
   at a blank line, at a change of font size, before a bulleted line ("• ..."), at a vertical
   gap over `paragraph_gap` times the usual line spacing, or after a line that ends a sentence
   and is shorter than `short_line` times the usual width of the lines starting near its x on
   its page. It runs on across columns and pages, and it keeps the page it starts on.
4. Hyphenation at a line end: "regu-" + "lation" is joined as "regulation" when the part before
   the hyphen is lowercase letters and the next line starts with a lowercase letter; otherwise
   the hyphen stays and the parts are joined without a space ("AI-" + "generated" is
   "AI-generated"). So a lowercase compound broken at its hyphen ("self-" + "regulation") loses
   the hyphen: a simple rule, written down.

Widths are estimated from the characters (`text_width`): they only compare lines of one page.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from pipelines.config import LayoutConfig


@dataclass(frozen=True)
class Fragment:
    """Text drawn at (x, y) on a page, y upwards; `size` is the font size in points."""

    x: float
    y: float
    size: float
    text: str


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    x: float
    y: float
    size: float
    text: str

    @property
    def width(self) -> float:
        return text_width(self.text, self.size)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph's text, and where each page's part of it begins: (offset, page) pairs, the
    first at offset 0 with the page the paragraph starts on."""

    text: str
    pages: tuple[tuple[int, int], ...]


_NARROW, _WIDE = set("il.,;:'!|()[]{}-ftjrI"), set("mwMW@%")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PAGE_NUMBER = re.compile(
    r"(?:page\s+)?(?:\d{1,5}|[ivxlcdm]{1,7})(?:\s*(?:of|/)\s*\d{1,5})?|[-–—]\s*\d{1,5}\s*[-–—]", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_BULLET = re.compile(r"^[•◦▪▫‣∙●○■□]\s")
_SOFT_BREAK = re.compile(r"(?<=\S)[-\u2010\u00ad]$")
_LOWER_WORD_END = re.compile(r"(?:^|[^\w])([^\W\d_]+)$")
_X_BUCKET = 6.0  # points: lines starting within a bucket (or the next) start "near" each other


def text_width(text: str, size: float) -> float:
    """Estimated width in points of `text` set at `size` (average advances of a sans-serif font)."""
    units = 0.0
    for char in text:
        if char == " ":
            units += 0.28
        elif char in _NARROW:
            units += 0.3
        elif char in _WIDE or char.isupper():
            units += 0.7
        else:
            units += 0.53
    return units * size


def clean(text: str) -> str:
    """Fragment text with ligatures spelt out and control characters (tabs, NULs) as spaces."""
    return _CONTROL.sub(" ", text.translate(_LIGATURES).replace("\t", " "))


# --- 1. lines ------------------------------------------------------------------------------------


def _raw_lines(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped into lines: a new line after a newline in the text or a change of baseline."""
    lines: list[list[Fragment]] = [[]]
    for fragment in fragments:
        parts = fragment.text.split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append([])
            if not part:
                continue
            current = lines[-1]
            # a part after a newline inside one fragment: taken to start a line lower, at its x
            y = fragment.y - 1.2 * index * fragment.size
            if current and abs(current[-1].y - y) > 0.5 * max(fragment.size, current[-1].size):
                lines.append(current := [])
            current.append(Fragment(fragment.x, y, fragment.size, part))
    return [line for line in lines if any(f.text.strip() for f in line)]


def _gutter_starts(line: list[Fragment], config: LayoutConfig) -> list[int]:
    """Indexes of the fragments of `line` that start after a gutter-wide gap, past column-wide text."""
    found, start = [], line[0].x
    for index in range(1, len(line)):
        before, fragment = line[index - 1], line[index]
        end = before.x + text_width(before.text, before.size)
        if (fragment.x - end >= config.gutter_em * fragment.size
                and end - start >= config.column_em * fragment.size and fragment.text.strip()):
            found.append(index)
            start = fragment.x
    return found


def _make_line(page: int, fragments: list[Fragment]) -> Line:
    text = " ".join("".join(clean(f.text) for f in fragments).split())
    first = next(f for f in fragments if f.text.strip())
    sizes = Counter()
    for fragment in fragments:
        sizes[round(fragment.size, 1)] += len(fragment.text.strip())
    return Line(page, first.x, first.y, sizes.most_common(1)[0][0], text)


def page_lines(page: int, fragments: list[Fragment], config: LayoutConfig) -> list[Line]:
    """The lines of one page in reading order (see the module's docstring)."""
    raw = _raw_lines(fragments)
    seen = Counter(round(line[i].x) for line in raw for i in _gutter_starts(line, config))
    gutters = sorted(x for x, count in seen.items() if count >= config.gutter_lines)
    lines: list[Line] = []
    for line in raw:  # every fragment at a gutter starts a column's line, after short text too
        cuts = [i for i in range(1, len(line)) if any(
            abs(line[i].x - x) <= 1 and line[i - 1].x < x - 1 for x in gutters) and line[i].text.strip()]
        bounds = [0, *cuts, len(line)]
        lines += [_make_line(page, line[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    lines = [line for line in lines if line.text]
    return _by_columns(lines, gutters) if gutters else lines


def _by_columns(lines: list[Line], gutters: list[float]) -> list[Line]:
    """Lines of a page drawn row by row across columns, column by column: top to bottom, each
    run of column lines between two full-width lines is read one column after the other."""
    def column(line: Line) -> int:
        return sum(line.x >= x - 1 for x in gutters)

    def spans(line: Line) -> bool:
        return any(line.x < x - 1 and line.x + line.width > x + line.size for x in gutters)

    ordered: list[Line] = []
    band: list[Line] = []
    for line in sorted(lines, key=lambda line: -line.y):
        if spans(line):
            ordered += sorted(band, key=lambda line: (column(line), -line.y))
            ordered.append(line)
            band = []
        else:
            band.append(line)
    return ordered + sorted(band, key=lambda line: (column(line), -line.y))


# --- 2. headers, footers, page numbers ------------------------------------------------------------


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _margins(lines: list[Line], count: int) -> list[Line]:
    """The `count` top and `count` bottom lines of a page (fewer when the page has fewer)."""
    by_height = sorted(lines, key=lambda line: -line.y)
    return by_height[:count] + by_height[count:][-count:]


def strip_furniture(pages: list[list[Line]], config: LayoutConfig) -> list[list[Line]]:
    """Each page's lines without running headers and footers and bare page numbers."""
    margins = [_margins(lines, config.furniture_lines) for lines in pages]
    found_on = Counter(key for lines in margins for key in {_furniture_key(line.text) for line in lines})
    repeated = {key for key, count in found_on.items() if count >= 2 and 2 * count > len(pages)}
    kept = []
    for lines, margin in zip(pages, margins, strict=True):
        drop = {id(line) for line in margin
                if _furniture_key(line.text) in repeated or _PAGE_NUMBER.fullmatch(line.text.strip())}
        kept.append([line for line in lines if id(line) not in drop])
    return kept


# --- 3. paragraphs ---------------------------------------------------------------------------------


def _usual_spacing(lines: list[Line]) -> float | None:
    """Median distance between consecutive lines of one size on one page, in font sizes."""
    gaps = [(a.y - b.y) / a.size for a, b in zip(lines, lines[1:])
            if a.page == b.page and abs(a.size - b.size) <= 0.1 * a.size and 0 < a.y - b.y < 3 * a.size]
    return statistics.median(gaps) if gaps else None


def _usual_widths(lines: list[Line]) -> dict[tuple[int, int], float]:
    """Median width of the lines starting near each x of each page: (page, x bucket) -> points."""
    buckets: dict[tuple[int, int], list[float]] = {}
    for line in lines:
        buckets.setdefault((line.page, round(line.x / _X_BUCKET)), []).append(line.width)
    on_page: dict[int, list[float]] = {}
    for (page, _), found in buckets.items():
        on_page.setdefault(page, []).extend(found)
    usual = {}
    for (page, bucket) in buckets:
        near = [w for b in (bucket - 1, bucket, bucket + 1) for w in buckets.get((page, b), [])]
        near = near if len(near) >= 3 else on_page[page]  # too few lines start there: the whole page
        if len(near) >= 3:
            usual[(page, bucket)] = statistics.median(near)
    return usual


def _ends_paragraph(line: Line, after: Line, spacing: float | None, widths: dict[tuple[int, int], float],
                    config: LayoutConfig) -> bool:
    if not line.text.strip() or not after.text.strip():
        return True
    if abs(line.size - after.size) > 0.15 * max(line.size, after.size) or _BULLET.match(after.text):
        return True
    if (spacing is not None and line.page == after.page and after.y < line.y
            and (line.y - after.y) / line.size > config.paragraph_gap * spacing):
        return True
    usual = widths.get((line.page, round(line.x / _X_BUCKET)))
    return bool(_SENTENCE_END.search(line.text) and usual and line.width < config.short_line * usual)


def join_lines(text: str, line: str) -> str:
    """`text` continued by the next `line` of its paragraph, repairing a hyphenated word."""
    if not _SOFT_BREAK.search(text):
        return f"{text} {line}"
    word = _LOWER_WORD_END.search(text[:-1])
    if text.endswith("\u00ad") or (word and word.group(1).islower() and line[:1].islower()):
        return text[:-1] + line
    return text + line


def paragraphs(lines: list[Line], config: LayoutConfig) -> list[Paragraph]:
    """The paragraphs of a document's lines, in order (see the module's docstring)."""
    spacing, widths = _usual_spacing(lines), _usual_widths(lines)
    found: list[Paragraph] = []
    text, pages = "", []
    for index, line in enumerate(lines):
        if line.text.strip():
            if not text:
                text, pages = line.text, [(0, line.page)]
            else:
                text = join_lines(text, line.text)
                if line.page != pages[-1][1]:
                    pages.append((len(text) - len(line.text), line.page))
        after = lines[index + 1] if index + 1 < len(lines) else None
        if text and (after is None or _ends_paragraph(line, after, spacing, widths, config)):
            found.append(Paragraph(text, tuple(pages)))
            text, pages = "", []
    return found


def heading(lines: list[Line]) -> str | None:
    """The first page's heading: its first line in the page's largest font, with the line after
    it in the same font, when that font is larger than most of the page's text."""
    if not lines:
        return None
    sizes = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body, largest = sizes.most_common(1)[0][0], max(sizes)
    if largest <= 1.15 * body:
        return None
    first = next(i for i, line in enumerate(lines) if line.size == largest)
    title = lines[first].text
    if first + 1 < len(lines) and lines[first + 1].size == largest:
        title = join_lines(title, lines[first + 1].text)
    return title


def document_text(found: list[Paragraph], page_count: int) -> tuple[str, list[int]]:
    """(text, page starts): the paragraphs separated by blank lines, and for each page of the
    document the offset in the text where its text begins (the next page's start for a page
    with none), so the page of any offset is the number of page starts at or before it."""
    text = "\n\n".join(paragraph.text for paragraph in found)
    begins: list[tuple[int, int]] = []  # (offset in text, page), in order
    offset = 0
    for paragraph in found:
        begins += [(offset + at, page) for at, page in paragraph.pages]
        offset += len(paragraph.text) + 2
    starts, index = [], 0
    for page in range(1, page_count + 1):  # pages only increase along the text
        while index < len(begins) and begins[index][1] < page:
            index += 1
        starts.append(begins[index][0] if index < len(begins) else len(text))
    return text, starts
