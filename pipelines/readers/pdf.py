"""Reader of PDF files (pypdf): one record per file, paragraphs rebuilt from the page layout.

The text of each page is taken with the position and size of every fragment (pypdf's text
visitor), and `layout` rebuilds lines, drops headers, footers and page numbers and joins the
paragraphs. `page_starts` records where each page's text begins, so that every passage can
say its page. The date is the document's /CreationDate, else XMP's xmp:CreateDate, else the
file-name rule; the title /Title or XMP dc:title (unless it is a file name), else the first
page's heading (its first line in a font larger than the body's), else the first paragraph.

Rejects: `encrypted` (no empty password opens it), `corrupt` (not a PDF pypdf can read, or a
page that cannot be read), `no_text_layer` (pages of images and no text: a scan without OCR),
`empty_text` (pages with neither), `too_large` (more text than `max_document_chars`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import warnings
from collections.abc import Iterator
from typing import Any

from pipelines.config import IngestConfig
from pipelines.readers.layout import Fragment, Line, document_text, heading, page_lines, paragraphs, strip_furniture
from pipelines.readers.records import FILENAME_DATE, InputFile, file_reject, first_line, make_record, to_json

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")
_XMP_CREATED = re.compile(r"xmp:CreateDate(?:>|\s*=\s*[\"'])\s*([^<\"']{1,100})")
_MAPPED = {"/Title", "/Author", "/CreationDate", "xmp:CreateDate", "dc:title"}  # not kept as metadata
_MAX_META_CHARS = 1000


class PdfProblem(Exception):
    """A PDF that cannot be read: `code` is the rejects reason code."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pypdf's warnings and errors about damaged files kept off the terminal: it logs what it
    read past; what it cannot read raises, and becomes a reject."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def pdf_date(value: str) -> str:
    """A PDF date ("D:20230418093000+02'00'") as an ISO date or datetime as written (the offset
    dropped); a value that is not one comes back unchanged, to be reported as unparseable."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return value
    year, month, day, hour, minute, second = match.groups()
    date = f"{year}-{month or '01'}-{day or '01'}"
    return f"{date}T{hour}:{minute or '00'}:{second or '00'}" if hour else date


def _open(item: InputFile):  # noqa: ANN202 - pypdf's PdfReader, imported late
    import pypdf
    from pypdf.errors import DependencyError

    try:
        reader = pypdf.PdfReader(item.path, strict=False)
    except Exception as exc:  # noqa: BLE001 - whatever pypdf raises, the file is not a readable PDF
        raise PdfProblem("corrupt", f"not a readable PDF: {_why(exc)}") from None
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError:
            raise PdfProblem("encrypted", "encrypted with AES, and the cryptography package is missing") from None
        except Exception as exc:  # noqa: BLE001
            raise PdfProblem("encrypted", f"encrypted, and its encryption cannot be read: {_why(exc)}") from None
        if opened == pypdf.PasswordType.NOT_DECRYPTED:
            raise PdfProblem("encrypted", "password-protected: it cannot be opened without its password")
    try:
        count = len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise PdfProblem("corrupt", f"the page tree cannot be read: {_why(exc)}") from None
    if count == 0:
        raise PdfProblem("corrupt", "the PDF has no pages (truncated or damaged)")
    return reader


def _why(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _fragments(page: Any) -> list[Fragment]:
    """Every piece of text the page draws, with its position and font size, in content order."""
    import pypdf

    found: list[Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:  # noqa: ARG001
        if text:
            matrix = pypdf.mult(tm, cm)
            scale = math.hypot(matrix[2], matrix[3]) or 1.0
            found.append(Fragment(float(matrix[4]), float(matrix[5]), float(size) * scale, text))

    page.extract_text(visitor_text=visit)
    return found


def _has_images(page: Any) -> bool:
    try:
        return len(page.images) > 0
    except Exception:  # noqa: BLE001 - only asked to word a reject
        return False


def _page_lines(reader: Any, config: IngestConfig) -> list[list[Line]]:
    """The lines of every page; PdfProblem for a page that cannot be read, or too much text."""
    pages: list[list[Line]] = []
    chars = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            fragments = _fragments(page)
        except Exception as exc:  # noqa: BLE001 - a damaged page: the text would be incomplete
            raise PdfProblem("corrupt", f"page {number} cannot be read: {_why(exc)}") from None
        lines = page_lines(number, fragments, config.layout)
        chars += sum(len(line.text) + 1 for line in lines)
        if chars > config.max_document_chars:
            raise PdfProblem("too_large", f"the text of pages 1-{number} has over "
                                          f"{config.max_document_chars:,} characters, the limit")
        pages.append(lines)
    if not any(pages):
        if any(_has_images(page) for page in reader.pages):
            raise PdfProblem("no_text_layer", f"no text layer: {len(pages)} page(s) of images and no text "
                                              "(a scan? run OCR on it first)")
        raise PdfProblem("empty_text", f"no text: {len(pages)} page(s) with neither text nor images")
    return pages


def _metadata(reader: Any) -> dict[str, Any]:
    """The document information dictionary and XMP, as (field: value) strings; damaged parts skipped."""
    found: dict[str, Any] = {}
    try:
        info = reader.metadata or {}
        for key, value in info.items():
            text = " ".join(str(value).split())[:_MAX_META_CHARS]
            if text and isinstance(key, str):
                found[key] = text
    except Exception:  # noqa: BLE001, S110 - no usable information dictionary
        pass
    try:  # the date as written (pypdf's xmp_create_date moves it to UTC, and fails on a bad one)
        packet = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8", "replace")
        created = _XMP_CREATED.search(packet)
        found["xmp:CreateDate"] = created.group(1).strip() if created else None
    except Exception:  # noqa: BLE001, S110 - no XMP, or a damaged one
        pass
    try:
        titles = (reader.xmp_metadata.dc_title or {}) if reader.xmp_metadata is not None else {}
        found["dc:title"] = next((t for t in titles.values() if t and t.strip()), None)
    except Exception:  # noqa: BLE001, S110
        pass
    return {key: value for key, value in found.items() if value}


def _usable_title(title: str | None) -> str | None:
    """A metadata title, unless it is a file name ("Microsoft Word - draft.docx") or a placeholder."""
    if not title or title.lower() in {"untitled", "title", "document"}:
        return None
    return None if re.search(r"\.(?:docx?|pdf|odt|rtf|txt|indd|qxd)$", title, re.I) else title


def _fields(item: InputFile, meta: dict[str, Any], text: str, pages: int, first_heading: str | None,
            ) -> dict[str, Any]:
    raw_date, source = None, None
    if meta.get("/CreationDate"):
        raw_date, source = pdf_date(meta["/CreationDate"]), "pdf_creation_date"
    elif meta.get("xmp:CreateDate"):
        raw_date, source = meta["xmp:CreateDate"], "xmp_create_date"
    elif FILENAME_DATE.match(item.path.name):
        source = "file_name"
    extra = {key.lstrip("/"): value for key, value in meta.items() if key not in _MAPPED}
    extra["pages"] = pages
    if source:
        extra["date_source"] = source
    title = _usable_title(meta.get("/Title")) or _usable_title(meta.get("dc:title"))
    title = title or first_heading or first_line(text) or item.path.stem
    return {"raw_date": raw_date, "title": first_line(title),
            "author": meta.get("/Author"), "text": text, "metadata": to_json(extra)}


def read_pdf_file(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    if item.path.stat().st_size == 0:
        yield file_reject(item, "empty_file", "PDF file is empty (0 bytes)")
        return
    try:
        with _quiet():
            reader = _open(item)
            pages = _page_lines(reader, config)
            meta = _metadata(reader)
    except PdfProblem as problem:
        yield file_reject(item, problem.code, problem.reason)
        return
    first_heading = heading(next((lines for lines in pages if lines), []))
    pages = strip_furniture(pages, config.layout)
    found = paragraphs([line for lines in pages for line in lines], config.layout)
    text, starts = document_text(found, len(pages))
    fields = _fields(item, meta, text, len(pages), first_heading)
    fields["page_starts"] = ",".join(map(str, starts))
    yield make_record(item, item.rel_path, fields, config)
