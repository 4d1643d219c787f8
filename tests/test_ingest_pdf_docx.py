"""PDF and Word files: text, paragraphs, pages, dates and titles, and every bad file a counted
reject. The files are made here (tests/document_fixtures.py): no binary fixture is committed."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import polars as pl
import pytest

from document_fixtures import Image, Text, column, write_docx, write_pdf, xmp_packet
from ingest_checks import check, corpus, rejects_of
from pipelines.artifacts import TABLES, conform, read_table, write_table
from pipelines.config import IngestConfig, LayoutConfig
from pipelines.ingest import IngestResult, ingest_paths
from pipelines.passages import split_passages
from pipelines.readers.layout import Line, join_lines, strip_furniture
from pipelines.readers.pdf import pdf_date

CREATED = {"/CreationDate": "D:20230418093000+02'00'"}

# --- the two-page report: header, footer, page numbers, hyphens, a paragraph over the page break

HEADING = "Licensing frontier AI models"
PARAGRAPH_1 = (
    "The Senate subcommittee heard three witnesses on the licensing of frontier AI models. Senators "
    "asked how the new agency would handle the regulation of compute and how it would fit with the AI "
    "Act. The witnesses agreed that AI-generated content needs labels and that each audit should be made "
    "public in full. Nobody asked for a pause.")
PARAGRAPH_2 = (
    "A second paragraph follows without any extra space above it, told apart only by the short last line "
    "of the paragraph before it, as many word processors do. It ends here.")
PARAGRAPH_3 = (
    "After a larger gap a third paragraph begins near the bottom of the first page, and it runs on over "
    "the page break: the chair said that the committee will publish its report in the autumn, after a "
    "second hearing with the companies themselves.")
PARAGRAPH_4 = (
    "The last paragraph of the report is on the second page, and it is long enough to be a passage of its "
    "own in the passages table.")

PAGE_1_LINES = [  # (text, extra space above the line in points)
    ("The Senate subcommittee heard three witnesses on the licensing of frontier AI", 0),
    ("models. Senators asked how the new agency would handle the regu-", 0),
    ("lation of compute and how it would fit with the AI Act. The witnesses agreed that AI-", 0),
    ("generated content needs labels and that each audit should be made public in full.", 0),
    ("Nobody asked for a pause.", 0),
    ("A second paragraph follows without any extra space above it, told apart only by", 0),
    ("the short last line of the paragraph before it, as many word processors do.", 0),
    ("It ends here.", 0),
    ("After a larger gap a third paragraph begins near the bottom of the first page, and", 10),
    ("it runs on over the page break: the chair said that the committee will", 0),
]
PAGE_2_LINES = [
    ("publish its report in the autumn, after a second hearing with the companies", 0),
    ("themselves.", 0),
    ("The last paragraph of the report is on the second page, and it is long enough to", 10),
    ("be a passage of its own in the passages table.", 0),
]


def _page(number: int, lines: list[tuple[str, float]], top: float) -> list[Text]:
    drawn = [Text(72, 752, f"AI Policy Review, Issue 4, Page {number}", 9)]
    y = top
    for text, extra in lines:
        y -= extra
        drawn.append(Text(72, y, text))
        y -= 13
    drawn += [Text(290, 55, f"- {number} -", 9), Text(72, 40, "Confidential draft, not for circulation", 8)]
    return drawn


def write_report(path: Path, info: dict[str, str] | None = CREATED) -> Path:
    first = [Text(72, 700, HEADING, 16), *_page(1, PAGE_1_LINES, 670)]
    return write_pdf(path, [first, _page(2, PAGE_2_LINES, 700)], info=info)


def reconciled(result: IngestResult) -> IngestResult:
    check(result)
    assert result.records_read == result.documents.height + result.rejected + result.duplicates
    return result


def only_document(result: IngestResult) -> dict:
    assert result.documents.height == 1, (result.documents, result.rejects.to_dicts())
    return result.documents.row(0, named=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("report")
    write_report(folder / "report.pdf", info=CREATED | {"/Title": "AI licensing hearing", "/Author": "Ann Lee"})
    return only_document(reconciled(ingest_paths([folder])))


def test_pdf_text_is_rebuilt_into_paragraphs_without_headers_footers_and_page_numbers(report):
    assert report["text"] == "\n\n".join([HEADING, PARAGRAPH_1, PARAGRAPH_2, PARAGRAPH_3, PARAGRAPH_4])
    for furniture in ("AI Policy Review", "Confidential draft", "- 1 -", "- 2 -"):
        assert furniture not in report["text"]


def test_pdf_hyphenation_at_a_line_end_is_repaired_and_real_hyphens_kept(report):
    assert "the regulation of compute" in report["text"]  # "regu-" + "lation"
    assert "AI-generated content" in report["text"]  # "AI-" + "generated": the hyphen stays


def test_pdf_metadata_gives_date_title_author_and_page_starts(report):
    assert report["date"] == dt.date(2023, 4, 18)  # D:20230418093000+02'00', as written
    assert report["title"] == "AI licensing hearing"
    assert report["author"] == "Ann Lee"
    metadata = json.loads(report["metadata"])
    assert metadata["pages"] == 2 and metadata["date_source"] == "pdf_creation_date"
    page_2 = report["text"].index("publish its report")  # inside the third paragraph
    assert report["page_starts"] == [0, page_2]


def test_pdf_passages_carry_the_page_they_start_on(report, tmp_path):
    documents = pl.DataFrame([report], schema=TABLES["documents"].schema)
    passages = split_passages(documents.lazy()).collect()
    assert passages["text"].to_list() == [f"{HEADING}\n\n{PARAGRAPH_1}", PARAGRAPH_2, PARAGRAPH_3, PARAGRAPH_4]
    # the third paragraph runs over the page break: it has the page where it starts
    assert passages["page"].to_list() == [1, 1, 1, 2]
    for row in passages.iter_rows(named=True):
        assert report["text"][row["char_start"]:row["char_end"]] == row["text"]
    # through the contract: written and read back with the page
    table = passages.with_columns(topic_id=pl.lit(-1), topic_probability=pl.lit(0.5), theme=pl.lit(None),
                                  people=pl.lit([], dtype=pl.List(pl.String)))
    write_table(tmp_path, "passages", table)
    write_table(tmp_path, "documents", documents)
    assert read_table(tmp_path, "passages")["page"].to_list() == [1, 1, 1, 2]
    assert read_table(tmp_path, "documents")["page_starts"].to_list() == [report["page_starts"]]


def test_a_page_break_inside_a_long_paragraph_gives_later_pieces_the_later_page():
    text = "A" * 50 + " sentence. " + "B" * 50 + " sentence."
    documents = pl.DataFrame({"doc_id": ["d"], "text": [text], "date": [dt.date(2023, 1, 1)],
                              "month": [dt.date(2023, 1, 1)], "source": [None], "page_starts": [[0, 61]]})
    from pipelines.passages import PassageConfig

    passages = split_passages(documents.lazy(), PassageConfig(max_tokens=3, min_chars=1)).collect()
    assert passages.select("char_start", "page").rows() == [(0, 1), (61, 2)]


# --- two columns ----------------------------------------------------------------------------------

LEFT = ["Left column, first paragraph: the EU institutions reached a provisional deal on the AI Act late on Friday.",
        "Left column, second paragraph: general-purpose models get their own chapter of the law."]
RIGHT = ["Right column, first paragraph: civil society groups said the exemptions for police use went too far.",
         "Right column, second paragraph: the Parliament votes on the final text in the spring. That is all."]


@pytest.mark.parametrize("drawn", ["column by column", "row by row"])
def test_a_two_column_page_is_read_column_by_column(tmp_path, drawn):
    title = Text(72, 720, "Two columns on one page", 14)
    left = column(LEFT, 72, 690, 42, gap=8)
    right = column(RIGHT, 320, 690, 42, gap=8)
    body = left + right if drawn == "column by column" else sorted(left + right, key=lambda t: (-t.y, t.x))
    write_pdf(tmp_path / "columns.pdf", [[title, *body]], info=CREATED)
    row = only_document(reconciled(ingest_paths([tmp_path])))
    assert row["text"].split("\n\n") == ["Two columns on one page", *LEFT, *RIGHT]
    assert row["title"] == "Two columns on one page"  # no /Title: the first page's heading


# --- dates and titles -----------------------------------------------------------------------------


def test_pdf_date_from_xmp_when_the_information_dictionary_has_none(tmp_path):
    path = tmp_path / "report.pdf"
    write_pdf(path, [[Text(72, 700, PARAGRAPH_4)]],
              xmp=xmp_packet("2023-07-21T23:30:00-05:00", "Voluntary commitments"))
    row = only_document(reconciled(ingest_paths([path])))
    assert row["date"] == dt.date(2023, 7, 21)  # as written (07-22 in UTC)
    assert row["title"] == "Voluntary commitments"
    assert json.loads(row["metadata"])["date_source"] == "xmp_create_date"


def test_pdf_without_a_metadata_date_is_dated_from_its_file_name_or_rejected(tmp_path):
    write_report(tmp_path / "2023-05-02-hearing.pdf", info=None)
    write_report(tmp_path / "undated.pdf", info=None)
    write_pdf(tmp_path / "bad-date.pdf", [[Text(72, 700, PARAGRAPH_4)]], info={"/CreationDate": "last Tuesday"})
    result = reconciled(ingest_paths([tmp_path]))
    row = only_document(result)
    assert row["origin"] == "2023-05-02-hearing.pdf" and row["date"] == dt.date(2023, 5, 2)
    assert json.loads(row["metadata"])["date_source"] == "file_name"
    assert row["title"] == HEADING  # no /Title: the first page's heading
    rejects = rejects_of(result)
    assert rejects["undated.pdf"][0] == "missing_date"
    assert rejects["bad-date.pdf"] == ("unparseable_date", "unparseable date: 'last Tuesday'")


@pytest.mark.parametrize(("written", "expected"), [
    ("D:20230418093000+02'00'", "2023-04-18T09:30:00"), ("D:20230418", "2023-04-18"), ("D:2023", "2023-01-01"),
    ("20231208230000Z", "2023-12-08T23:00:00"), ("yesterday", "yesterday"),
])
def test_pdf_dates_are_read_as_written(written, expected):
    assert pdf_date(written) == expected


# --- bad PDFs: counted rejects -----------------------------------------------------------------------


def _huge_page_count_pdf(pages: int) -> bytes:
    """A small file whose page tree lists one page `pages` times."""
    content = b"BT /F1 10 Tf 72 700 Td (A line of text on a page that repeats.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join([b"4 0 R"] * pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R"
        b" /Resources << /Font << /F1 3 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    data, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(data)


def test_bad_pdfs_are_counted_rejects_with_their_reason(tmp_path):
    folder = corpus(tmp_path, {})
    good = write_report(folder / "report.pdf")
    write_pdf(folder / "scan.pdf", [[Image()], [Image()]], info=CREATED)
    write_pdf(folder / "secret.pdf", [[Text(72, 700, PARAGRAPH_4)]], info=CREATED,
              user_password="secret", owner_password="owner")
    write_pdf(folder / "owner-only.pdf", [[Text(72, 700, PARAGRAPH_2)]], info=CREATED, owner_password="owner")
    write_pdf(folder / "blank.pdf", [[]], info=CREATED)
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    (folder / "truncated.pdf").write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    (folder / "empty.pdf").write_bytes(b"")
    result = reconciled(ingest_paths([folder]))
    assert result.documents["origin"].sort().to_list() == ["good.md", "owner-only.pdf", "report.pdf"]
    codes = {origin: code for origin, (code, _) in rejects_of(result).items()}
    assert codes == {"scan.pdf": "no_text_layer", "secret.pdf": "encrypted", "blank.pdf": "empty_text",
                     "garbage.pdf": "corrupt", "truncated.pdf": "corrupt", "empty.pdf": "empty_file"}
    reasons = rejects_of(result)
    assert reasons["scan.pdf"][1] == "no text layer: 2 page(s) of images and no text (a scan? run OCR on it first)"
    assert reasons["secret.pdf"][1] == "password-protected: it cannot be opened without its password"
    assert reasons["garbage.pdf"][1].startswith("not a readable PDF: ")
    assert result.records_read == 9 and result.documents.height == 3 and result.rejected == 6


def test_damaged_copies_of_a_good_pdf_are_documents_or_counted_rejects(tmp_path):
    data = write_report(tmp_path / "source.pdf").read_bytes()
    folder = tmp_path / "damaged"
    folder.mkdir()
    rng = random.Random(7)
    for n in range(12):
        cut = data[: rng.randrange(10, len(data))]
        (folder / f"2023-01-01-cut-{n}.pdf").write_bytes(cut)
        flipped = bytearray(data)
        for _ in range(20):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        (folder / f"2023-01-01-flip-{n}.pdf").write_bytes(bytes(flipped))
    (folder / "2023-01-01-random.pdf").write_bytes(rng.randbytes(2_000_000))
    (folder / "2023-01-01-random.docx").write_bytes(rng.randbytes(2_000_000))
    result = reconciled(ingest_paths([folder]))  # no reader_error among the rejects
    assert result.records_read == 26
    assert set(result.rejects["reason_code"]) <= {"corrupt", "empty_text", "no_text_layer", "duplicate"}


# The alarm may land in a garbage-collector callback (hypothesis installs one), which swallows
# it with this warning; the alarm repeats every 0.2 s until it stops the reader.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_pdf_with_a_huge_page_count_is_stopped_by_the_time_limit(tmp_path):
    folder = corpus(tmp_path, {"2023-01-01-endless.pdf": _huge_page_count_pdf(100_000)})
    result = reconciled(ingest_paths([folder], IngestConfig(file_time_limit_seconds=1.0, file_seconds_per_mb=0.0)))
    assert rejects_of(result)["2023-01-01-endless.pdf"][0] == "timeout"
    assert result.documents["origin"].to_list() == ["good.md"]


def test_a_pdf_with_more_text_than_the_limit_is_too_large(tmp_path):
    write_report(tmp_path / "report.pdf")
    result = reconciled(ingest_paths([tmp_path], IngestConfig(max_document_chars=300)))
    code, reason = rejects_of(result)["report.pdf"]
    assert code == "too_large" and reason.startswith("the text of pages 1-1 has over 300 characters")


def test_pdf_and_docx_rejects_reconcile_through_the_cli(tmp_path, run_cli):
    folder = corpus(tmp_path, {"garbage.pdf": b"%PDF-1.7\nnothing else", "broken.docx": b"PK\x03\x04 no zip"})
    write_report(folder / "report.pdf")
    result = run_cli("ingest", folder)
    assert result.exit_code == 0, result.output
    rows = re.findall(r"│\s*([a-z_ ]+?)\s*│\s*(\d+)\s*│", result.stdout)
    counts = {name.strip(): int(value) for name, value in rows}
    assert counts["read"] == 4 and counts["accepted"] == 2 and counts["rejected"] == 2
    assert counts["corrupt"] == 2


# --- Word ------------------------------------------------------------------------------------------


def test_docx_headings_paragraphs_table_and_core_properties(tmp_path):
    created = dt.datetime(2023, 12, 8, 23, 0, tzinfo=dt.timezone.utc)
    write_docx(tmp_path / "brief.docx", [
        ("Title", "EU AI Act agreed"),
        ("Heading 1", "Background"),
        ("Normal", "Negotiators of the Parliament and the Council reached a provisional agreement on the AI Act."),
        ("Normal", "   "),  # an empty paragraph is no paragraph
        ("Normal", "The   law bans social scoring\tand sets rules for general-purpose models."),
    ], created=created, author="Clara Hedge", table=[["Risk", "Examples"], ["Unacceptable", "Social scoring"]])
    row = only_document(reconciled(ingest_paths([tmp_path])))
    assert row["text"] == (
        "EU AI Act agreed\n\nBackground\n\n"
        "Negotiators of the Parliament and the Council reached a provisional agreement on the AI Act.\n\n"
        "The law bans social scoring and sets rules for general-purpose models.\n\n"
        "Risk | Examples\n\nUnacceptable | Social scoring")
    assert row["date"] == dt.date(2023, 12, 8)
    assert row["title"] == "EU AI Act agreed"  # no title property: the first heading
    assert row["author"] == "Clara Hedge"
    assert json.loads(row["metadata"])["date_source"] == "docx_created"
    assert row["page_starts"] is None  # a Word file has no fixed pages
    passages = split_passages(pl.DataFrame([row], schema=TABLES["documents"].schema).lazy()).collect()
    assert passages["page"].null_count() == passages.height
    assert conform("passages", passages.with_columns(
        topic_id=pl.lit(-1), topic_probability=pl.lit(0.5), theme=pl.lit(None),
        people=pl.lit([], dtype=pl.List(pl.String))))["page"].null_count() == passages.height


def test_docx_title_property_and_file_name_date(tmp_path):
    write_docx(tmp_path / "2023-05-02-notes.docx", [("Normal", "Notes from the hearing on licensing.")],
               title="Hearing notes")
    write_docx(tmp_path / "undated.docx", [("Normal", "No date anywhere.")])
    result = reconciled(ingest_paths([tmp_path]))
    row = only_document(result)
    assert row["title"] == "Hearing notes" and row["date"] == dt.date(2023, 5, 2)
    assert json.loads(row["metadata"])["date_source"] == "file_name"
    assert rejects_of(result)["undated.docx"][0] == "missing_date"


def test_bad_docx_files_are_counted_rejects(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    folder = corpus(tmp_path, {
        "2023-01-01-garbage.docx": b"PK\x03\x04 this is not a zip at all",
        "2023-01-01-protected.docx": ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100,
        "2023-01-01-old.docx": ole,
        "2023-01-01-empty.docx": b"",
    })
    import zipfile

    with zipfile.ZipFile(folder / "2023-01-01-not-word.docx", "w") as package:
        package.writestr("hello.txt", "a zip, but no Word document in it")
    result = reconciled(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    rejects = rejects_of(result)
    assert {origin: code for origin, (code, _) in rejects.items()} == {
        "2023-01-01-garbage.docx": "corrupt", "2023-01-01-protected.docx": "encrypted",
        "2023-01-01-old.docx": "corrupt", "2023-01-01-empty.docx": "empty_file", "2023-01-01-not-word.docx": "corrupt"}
    assert "older binary Word file (.doc)" in rejects["2023-01-01-old.docx"][1]


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = write_docx(tmp_path / "2023-01-01-big.docx", [("Normal", "Some text. " * 2000)])
    result = reconciled(ingest_paths([path], IngestConfig(max_docx_xml_bytes=10_000)))
    code, reason = rejects_of(result)["2023-01-01-big.docx"]
    assert code == "file_too_large" and "over the limit of 10,000" in reason


# --- the layout rules, line by line ------------------------------------------------------------------


def _lines(page: int, texts: list[str]) -> list[Line]:
    return [Line(page, 72, 760 - 20 * i, 10, text) for i, text in enumerate(texts)]


BODY = ["The Council and the Parliament reached a deal", "on the AI Act after three days of talks,", "and the",
        "3", "text now goes to the lawyers for a final", "check before both institutions vote on it",
        "in the spring of next year, said the", "rapporteurs at a press conference."]


@pytest.mark.parametrize("number", ["3", "Page 3 of 10", "- 3 -", "iv", "page 3", "3 / 10"])
def test_bare_page_numbers_are_dropped_at_the_top_or_bottom_of_a_page(number):
    (kept,) = strip_furniture([_lines(1, [number, *BODY, number])], LayoutConfig())
    assert [line.text for line in kept] == BODY  # the "3" inside the page stays


def test_running_headers_repeat_modulo_digits_on_most_pages_and_one_off_lines_stay():
    def body(n: int) -> list[str]:  # other text on every page
        lines = BODY[:3] + BODY[4:]
        return lines[2 * n:] + lines[:2 * n]

    def page(n: int) -> list[Line]:
        footer = "A footer on pages 0 and 1" if n < 2 else "Something else at the bottom"
        return _lines(n, [f"Annual report {2020 + n}, chapter {n}", *body(n), footer])

    kept = strip_furniture([page(0), page(1), page(2)], LayoutConfig())
    assert [[line.text for line in lines] for lines in kept] == [
        body(0), body(1), [*body(2), "Something else at the bottom"]]


@pytest.mark.parametrize(("text", "line", "joined"), [
    ("the regu-", "lation of compute", "the regulation of compute"),
    ("new AI-", "generated images", "new AI-generated images"),
    ("the COVID-19-", "related rules", "the COVID-19-related rules"),
    ("a dash -", "and more", "a dash - and more"),
    ("soft\u00ad", "Hyphen", "softHyphen"),
    ("plain", "words", "plain words"),
])
def test_hyphenation_rule(text, line, joined):
    assert join_lines(text, line) == joined


# --- a real build and update -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_build_and_an_update_publish_the_pages_of_pdf_passages(tmp_path):
    import shutil

    from pipelines.build import BuildConfig, build, update
    from pipelines.verify import verify_run

    bundled = Path(__file__).resolve().parents[1] / "data" / "corpus"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(bundled.rglob("*.md"))[:40]:
        shutil.copy(path, corpus / path.name)
    write_report(corpus / "report.pdf")
    write_docx(corpus / "brief.docx", [("Title", "EU AI Act agreed"), (
        "Normal", "Negotiators of the Parliament and the Council reached a provisional agreement on the AI Act "
                  "late on Friday night in Brussels.")], created=dt.datetime(2023, 12, 8, tzinfo=dt.timezone.utc))
    out = tmp_path / "out"
    built = build(BuildConfig(corpus=[corpus], out=out))
    assert verify_run(built.run_dir) == []
    documents = read_table(built.run_dir, "documents")
    report = documents.filter(pl.col("origin") == "report.pdf").row(0, named=True)
    passages = read_table(built.run_dir, "passages").filter(pl.col("doc_id") == report["doc_id"])
    assert passages["page"].to_list() == [1, 1, 1, 2]
    brief = documents.filter(pl.col("origin") == "brief.docx")["doc_id"].item()
    assert read_table(built.run_dir, "passages").filter(pl.col("doc_id") == brief)["page"].to_list() == [None]

    new = tmp_path / "new"
    new.mkdir()
    write_pdf(new / "columns.pdf", [[Text(72, 720, "Two columns on one page", 14),
                                     *column(LEFT, 72, 690, 42, gap=8), *column(RIGHT, 320, 690, 42, gap=8)]],
              info=CREATED)
    updated = update(BuildConfig(corpus=[new], out=out, embedding={"cache_dir": out / "cache" / "embeddings"}))
    assert verify_run(updated.run_dir) == []
    pages = read_table(updated.run_dir, "passages").join(
        read_table(updated.run_dir, "documents").select("doc_id", "origin"), on="doc_id")
    assert pages.filter(pl.col("origin") == "report.pdf")["page"].to_list() == [1, 1, 1, 2]  # carried over
    assert pages.filter(pl.col("origin") == "columns.pdf")["page"].unique().to_list() == [1]
