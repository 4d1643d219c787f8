"""PDF and Word files made by the tests (no binary fixture is committed).

`write_pdf` draws text with Helvetica at given positions, page by page, in the order given (so
a test decides the order of the page's content, e.g. row by row across two columns), or a
grey image standing for a scan; pypdf's writer adds the information dictionary, XMP and
encryption. `column` lays a paragraph out in lines like a typesetter; `write_docx` uses
python-docx.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

PAGE_WIDTH, PAGE_HEIGHT = 612, 792


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 10


@dataclass(frozen=True)
class Image:
    """A grey image covering most of the page, as a scanner makes."""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _stream(writer: PdfWriter, data: bytes, **entries: object):  # noqa: ANN202 - an indirect reference
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return writer._add_object(stream)


def _image(writer: PdfWriter):  # noqa: ANN202
    return _stream(writer, bytes(range(64)) * 4, Type=NameObject("/XObject"), Subtype=NameObject("/Image"),
                   Width=NumberObject(16), Height=NumberObject(16), ColorSpace=NameObject("/DeviceGray"),
                   BitsPerComponent=NumberObject(8))


def write_pdf(path: Path, pages: list[list[Text | Image]], *, info: dict[str, str] | None = None,
              xmp: bytes | None = None, user_password: str | None = None, owner_password: str | None = None) -> Path:
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    for drawn in pages:
        page = writer.add_blank_page(PAGE_WIDTH, PAGE_HEIGHT)
        operations, images = [], DictionaryObject()
        for item in drawn:
            if isinstance(item, Image):
                name = f"/Im{len(images)}"
                images[NameObject(name)] = _image(writer)
                operations.append(f"q 512 0 0 692 50 50 cm {name} Do Q")
            else:
                operations.append(f"BT /F1 {item.size} Tf {item.x} {item.y} Td ({_escape(item.text)}) Tj ET")
        page[NameObject("/Contents")] = _stream(writer, "\n".join(operations).encode("cp1252"))
        resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        if images:
            resources[NameObject("/XObject")] = images
        page[NameObject("/Resources")] = resources
    if info:
        writer.add_metadata(info)
    if xmp:
        writer.xmp_metadata = xmp
    if user_password is not None or owner_password is not None:
        writer.encrypt(user_password or "", owner_password, algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def column(paragraphs: list[str], x: float, top: float, chars: int, *, size: float = 10, leading: float = 13,
           gap: float = 0.0) -> list[Text]:
    """Paragraphs set in lines of at most `chars` characters from (x, top) down; `gap` points
    of extra space after each paragraph (0: paragraphs told apart only by their short last line)."""
    drawn, y = [], top
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, chars, break_on_hyphens=False):
            drawn.append(Text(x, y, line, size))
            y -= leading
        y -= gap
    return drawn


def xmp_packet(created: str, title: str) -> bytes:
    return f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<xmp:CreateDate>{created}</xmp:CreateDate>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()


def write_docx(path: Path, blocks: list[tuple[str, str]], *, created: dt.datetime | None = None,
               title: str | None = None, author: str | None = None, table: list[list[str]] | None = None) -> Path:
    """A .docx of (style, text) paragraphs (style "Title", "Heading 1", "Normal"...), an
    optional table after them, and core properties."""
    import docx

    document = docx.Document()
    for style, text in blocks:
        document.add_paragraph(text, style=style)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for cells, row in zip(table, grid.rows, strict=True):
            for text, cell in zip(cells, row.cells, strict=True):
                cell.text = text
    properties = document.core_properties
    if created is None:  # python-docx's template says 2013-12-23: no date at all instead
        properties._element.remove(properties._element.created)
    else:
        properties.created = created
    properties.title = title or ""
    properties.author = author or ""
    document.save(str(path))
    return path
