"""Reader of Word files (.docx, python-docx): one record per file, one paragraph per paragraph.

The body's paragraphs and tables are read in document order: each non-empty paragraph is one
paragraph of the text (its whitespace folded), each table row one paragraph of its cells
joined by " | ". Headers, footers, footnotes and text boxes are not part of the body and are
not read. The date is the core properties' `created` (Word stores it in UTC), else the
file-name rule; the title the core properties' `title`, else the first heading (a paragraph in
a Title or Heading style), else the first paragraph, else the file name.

Rejects: `encrypted` (a password-protected Word file, which is not a zip), `corrupt` (not a
.docx python-docx can open), `file_too_large` (XML parts unpacking to more than
`max_docx_xml_bytes`: a zip bomb).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any

from pipelines.config import IngestConfig
from pipelines.readers.records import FILENAME_DATE, InputFile, file_reject, first_line, make_record, to_json

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an encrypted .docx, or an old .doc
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_KEPT_PROPERTIES = ("subject", "keywords", "category", "comments", "language", "last_modified_by")


class DocxProblem(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _check_package(item: InputFile, config: IngestConfig) -> None:
    """DocxProblem unless the file is a zip whose XML parts unpack to a sane size."""
    with item.path.open("rb") as handle:
        head = handle.read(len(_OLE_MAGIC))
    if head == _OLE_MAGIC:
        if _ENCRYPTION_INFO in item.path.read_bytes():
            raise DocxProblem("encrypted", "password-protected Word file: it cannot be opened without its password")
        raise DocxProblem("corrupt", "not a .docx but an older binary Word file (.doc): save it as .docx")
    try:
        with zipfile.ZipFile(item.path) as package:
            unpacked = sum(info.file_size for info in package.infolist()
                           if info.filename.endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise DocxProblem("corrupt", f"not a readable .docx (zip): {exc}") from None
    if unpacked > config.max_docx_xml_bytes:
        raise DocxProblem("file_too_large", f"the XML of this .docx unpacks to {unpacked:,} bytes, over the "
                                            f"limit of {config.max_docx_xml_bytes:,}")


def _open(item: InputFile, config: IngestConfig):  # noqa: ANN202 - python-docx's Document, imported late
    import docx

    _check_package(item, config)
    try:
        return docx.Document(str(item.path))
    except Exception as exc:  # noqa: BLE001 - whatever python-docx raises, the file is not a readable .docx
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise DocxProblem("corrupt", f"not a readable .docx: {detail}") from None


def _style(paragraph: Any) -> str:
    try:
        return paragraph.style.name or ""
    except Exception:  # noqa: BLE001 - a paragraph naming a style the file lacks
        return ""


def _row_text(row: Any) -> str:
    cells: list[str] = []
    for cell in row.cells:  # a merged cell is listed once per grid column it covers
        text = " ".join(cell.text.split())
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    return " | ".join(cells)


def _blocks(document: Any) -> Iterator[tuple[str, bool]]:
    """(text, is a heading) of each paragraph and table row of the body, in order."""
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                yield _row_text(row), False
        else:
            yield " ".join(block.text.split()), _style(block).startswith(("Title", "Heading"))


def _fields(item: InputFile, document: Any, blocks: list[tuple[str, bool]]) -> dict[str, Any]:
    properties = document.core_properties
    created = properties.created
    extra: dict[str, Any] = {name: value for name in _KEPT_PROPERTIES
                             if (value := " ".join(str(getattr(properties, name) or "").split()))}
    if properties.modified:
        extra["modified"] = properties.modified.isoformat()
    if created or FILENAME_DATE.match(item.path.name):
        extra["date_source"] = "docx_created" if created else "file_name"
    text = "\n\n".join(block for block, _ in blocks)
    heading = next((block for block, is_heading in blocks if is_heading), None)
    title = " ".join((properties.title or "").split()) or heading or first_line(text) or item.path.stem
    return {
        "raw_date": created.replace(tzinfo=None).isoformat() if created else None,
        "title": first_line(title), "author": " ".join((properties.author or "").split()) or None,
        "text": text, "metadata": to_json(extra) if extra else None,
    }


def read_docx_file(item: InputFile, config: IngestConfig) -> Iterator[dict[str, Any]]:
    if item.path.stat().st_size == 0:
        yield file_reject(item, "empty_file", "Word file is empty (0 bytes)")
        return
    try:
        document = _open(item, config)
    except DocxProblem as problem:
        yield file_reject(item, problem.code, problem.reason)
        return
    try:
        blocks = [(text, heading) for text, heading in _blocks(document) if text]
    except Exception as exc:  # noqa: BLE001 - python-docx failing inside a damaged body
        yield file_reject(item, "corrupt", f"the body of this .docx cannot be read: {type(exc).__name__}: "
                                           + " ".join(str(exc).split())[:200])
        return
    yield make_record(item, item.rel_path, _fields(item, document, blocks), config)
