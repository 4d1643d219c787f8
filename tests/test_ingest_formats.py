"""Every supported input format is read into the documents table with the right values.

The small text fixtures live in tests/fixtures/ingest/formats (one file per format);
Parquet, being binary, is written into tmp_path by the test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.config import ColumnMapping, IngestConfig
from pipelines.ingest import DOCUMENT_COLUMNS, IngestResult, ingest_paths

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
FORMATS = FIXTURES / "formats"
MAPPED = FIXTURES / "mapped"


def reconciled(result: IngestResult) -> IngestResult:
    assert result.records_read == result.documents.height + result.rejected + result.duplicates
    return result


@pytest.fixture(scope="module")
def corpus() -> IngestResult:
    return reconciled(ingest_paths([FORMATS]))


def doc(result: IngestResult, origin: str) -> dict:
    rows = result.documents.filter(pl.col("origin") == origin)
    assert rows.height == 1, f"{origin}: {rows.height} documents; origins are {result.documents['origin'].to_list()}"
    return rows.row(0, named=True)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- the documents table --------------------------------------------------------------------


def test_every_fixture_record_is_accepted_with_the_documents_schema(corpus):
    assert corpus.rejects.height == 0, corpus.rejects.to_dicts()
    # 1 md + 1 txt + 1 html + 3 csv rows + 2 jsonl lines + 2 json items + 2 rss + 2 atom entries
    assert corpus.records_read == 14
    assert corpus.documents.height == 14
    assert corpus.documents.columns == DOCUMENT_COLUMNS
    schema = corpus.documents.schema
    assert schema["date"] == pl.Date and schema["month"] == pl.Date
    for column in ("doc_id", "title", "source", "author", "url", "text", "origin", "metadata"):
        assert schema[column] == pl.String, column
    assert corpus.documents["doc_id"].n_unique() == 14
    assert corpus.documents["date"].null_count() == 0
    # month is the first day of the date's month
    assert (corpus.documents["month"] == corpus.documents["date"].dt.truncate("1mo")).all()
    assert (corpus.documents["month"].dt.day() == 1).all()


def test_markdown_front_matter_fields_and_body_exactly_as_written(corpus):
    row = doc(corpus, "2023-04-18-musk-buys-gpus.md")
    assert row["doc_id"] == "fm-musk-gpus"
    # `2023-04-18 23:30:00-05:00` is 04-19 in UTC: the date is taken as written
    assert row["date"] == d("2023-04-18")
    assert row["month"] == d("2023-04-01")
    assert row["title"] == "Musk Buys 10,000 GPUs"
    assert row["source"] == "Example Wire"
    assert row["author"] == "Yunfeng Zhang"
    assert row["url"] == "https://news.example/musk-gpus"  # from source_url
    assert row["text"] == (
        "Musk has never been a techno-pessimist.\n\nHe bought 10,000 GPUs for a new AI project.\n"
    )
    raw = (FORMATS / "2023-04-18-musk-buys-gpus.md").read_text(encoding="utf-8")
    assert raw.endswith(row["text"]) and "---" not in row["text"]
    # other front-matter keys are kept as metadata
    assert json.loads(row["metadata"]) == {"section": "Technology", "tags": ["chips", "musk"]}


def test_text_file_without_front_matter_is_dated_from_its_file_name(corpus):
    origin = "notes/2023-05-02-parliament-committee-vote.txt"
    row = doc(corpus, origin)
    assert row["date"] == d("2023-05-02")
    assert row["month"] == d("2023-05-01")
    assert row["title"] == "Parliament committee vote"  # from the file name, date removed
    assert row["text"] == (FORMATS / origin).read_text(encoding="utf-8")
    assert row["author"] is None and row["url"] is None and row["metadata"] is None
    assert row["doc_id"].startswith("d") and len(row["doc_id"]) == 17  # hash: no id in the file


def test_html_is_reduced_to_its_main_text_with_meta_date_and_author(corpus):
    row = doc(corpus, "eu-ai-act-page.html")
    assert row["date"] == d("2023-06-14")
    assert row["title"] == "Parliament adopts its position on the AI Act"
    assert row["author"] == "Clara Hedge"
    text = row["text"]
    assert "499 votes in favour, 28 against and 93 abstentions" in text
    assert "foundation models such as the one behind ChatGPT" in text
    assert "reaching an agreement by the end of the year" in text
    # navigation, footer and markup are boilerplate
    for boilerplate in ("NAVBAR-SUBSCRIBE-NOW", "Sign in to your account", "Politics section",
                        "FOOTER-COPYRIGHT-NOTICE", "Cookie settings", "<p>", "<nav", "</"):
        assert boilerplate not in text, boilerplate


def test_csv_with_default_column_names(corpus):
    first = doc(corpus, "articles.csv#row=2")
    assert first["doc_id"] == "csv-1"
    assert first["date"] == d("2023-03-14")
    assert first["title"] == "OpenAI launches GPT-4"
    assert first["author"] == "Ann Lee"
    assert first["source"] == "Tech Daily"
    assert first["url"] == "https://tech.example/gpt4"
    assert first["text"] == "GPT-4 accepts images and text, and scores well on exams."  # the `body` column
    assert json.loads(first["metadata"]) == {"section": "AI"}

    second = doc(corpus, "articles.csv#row=3")  # quoted multi-line body, "Apr 18, 2023", no id or title
    assert second["date"] == d("2023-04-18")
    assert second["text"] == "Senators debate a licensing regime for AI models.\nA second line of the body."
    assert second["title"] == "Senators debate a licensing regime for AI models."  # first line of the text
    assert second["doc_id"].startswith("d") and second["doc_id"] != "csv-1"
    assert second["author"] is None
    assert json.loads(second["metadata"]) == {"section": "Policy"}  # blank cells are not metadata

    third = doc(corpus, "articles.csv#row=4")  # "18 April 2023"
    assert third["doc_id"] == "csv-3"
    assert third["date"] == d("2023-04-18")
    assert third["title"] == "Italy lifts ChatGPT ban"
    assert third["author"] == "Marco Rossi"
    assert third["source"] is None


def test_json_lines_with_alternative_column_names(corpus):
    row = doc(corpus, "wire.jsonl#line=1")
    assert row["doc_id"] == "jl-1"
    assert row["date"] == d("2023-07-21")  # from `published`, offset ignored
    assert row["title"] == "White House secures voluntary AI commitments"  # `headline`
    assert row["author"] == "Dee Park"  # `byline`
    assert row["source"] == "Wire"  # `publisher`
    assert row["url"] == "https://wire.example/commitments"  # `link`
    assert row["text"] == "Seven companies agreed to voluntary safeguards."  # `content`
    assert json.loads(row["metadata"]) == {"words": 6}

    second = doc(corpus, "wire.jsonl#line=2")
    assert second["date"] == d("2023-07-26")
    assert second["title"] == "Frontier Model Forum launched by four companies."
    assert second["source"] is None


def test_json_array(corpus):
    first = doc(corpus, "digest.json#item=0")
    assert first["doc_id"] == "js-1"
    assert first["date"] == d("2023-10-30")
    assert first["title"] == "Executive order on safe, secure and trustworthy AI"
    assert first["author"] == "Staff"
    assert first["url"] == "https://digest.example/eo"
    assert first["text"] == "The president signed an executive order on AI."
    second = doc(corpus, "digest.json#item=1")
    assert second["doc_id"] == "js-2"
    assert second["date"] == d("2023-11-01")
    assert second["month"] == d("2023-11-01")
    assert json.loads(second["metadata"]) == {"region": "UK"}


def test_json_object_holding_a_list_of_documents(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"documents": [
        {"id": "o-1", "date": "2023-02-01", "text": "first"},
        {"id": "o-2", "date": "2023-02-02", "text": "second"},
    ], "exported": "yesterday"}), encoding="utf-8")
    result = reconciled(ingest_paths([path]))
    assert result.documents["doc_id"].to_list() == ["o-1", "o-2"]
    assert result.documents["origin"].to_list() == ["export.json#item=0", "export.json#item=1"]


def test_rss_feed_entries(corpus):
    first = doc(corpus, "policy.rss#entry=0")
    assert first["doc_id"] == "rss-ftc-1"  # the guid
    # RFC 822 "Thu, 13 Jul 2023 23:30:00 -0500" is 07-14 in UTC: the date is taken as written
    assert first["date"] == d("2023-07-13")
    assert first["title"] == "FTC opens inquiry into generative AI"
    assert first["source"] == "Policy Feed"  # the channel title
    assert first["author"] == "Jane Roe"  # dc:creator
    assert first["url"] == "https://feed.example/ftc-inquiry"
    assert first["text"] == "The FTC sent a civil investigative demand.\n\nIt asks about consumer harm."

    second = doc(corpus, "policy.rss#entry=1")
    assert second["date"] == d("2023-05-16")
    assert second["author"] == "Bob Smith"  # "bob@example.com (Bob Smith)" -> the name
    assert second["text"] == "Sam Altman testified before the Senate judiciary subcommittee."
    assert second["doc_id"].startswith("d")  # no guid: hash


def test_atom_feed_entries(corpus):
    first = doc(corpus, "lab-blog.atom#entry=0")
    assert first["doc_id"] == "urn:uuid:atom-entry-1"
    assert first["date"] == d("2023-12-08")  # `published` wins over `updated`, as written
    assert first["month"] == d("2023-12-01")
    assert first["title"] == "Provisional agreement on the AI Act"
    assert first["author"] == "Ada Lovelace"
    assert first["source"] == "Lab Blog"
    assert first["url"] == "https://lab.example/ai-act-deal"
    assert first["text"] == "Negotiators reached a provisional agreement."

    second = doc(corpus, "lab-blog.atom#entry=1")
    assert second["date"] == d("2023-11-02")  # only `updated`
    assert second["text"] == "Only a summary for this entry."
    assert second["url"] is None  # the urn: id is not a link


def test_parquet(tmp_path):
    frame = pl.DataFrame({
        "id": [7, 8],
        "published_at": [dt.date(2023, 9, 12), dt.date(2023, 9, 30)],
        "title": ["Senate AI forum", None],
        "outlet": ["Hill", "Hill"],
        "text": ["Tech leaders met senators behind closed doors.", "Second parquet row."],
        "score": [0.5, 1.5],
    })
    frame.write_parquet(tmp_path / "sample.parquet")
    result = reconciled(ingest_paths([tmp_path]))
    assert result.rejects.height == 0
    assert result.documents["origin"].to_list() == ["sample.parquet#row=0", "sample.parquet#row=1"]
    first, second = result.documents.iter_rows(named=True)
    assert first["doc_id"] == "7"
    assert first["date"] == d("2023-09-12") and first["month"] == d("2023-09-01")
    assert first["title"] == "Senate AI forum"
    assert first["source"] == "Hill"
    assert first["text"] == "Tech leaders met senators behind closed doors."
    assert json.loads(first["metadata"]) == {"score": 0.5}
    assert second["doc_id"] == "8"
    assert second["date"] == d("2023-09-30")
    assert second["title"] == "Second parquet row."


# --- column mapping -------------------------------------------------------------------------


def test_mapped_csv_is_rejected_without_a_mapping():
    result = reconciled(ingest_paths([MAPPED]))
    assert result.documents.height == 0
    # `pub_day` is not a default date column, so every row lacks a date (and is not guessed)
    assert result.rejects["reason_code"].to_list() == ["missing_date", "missing_date"]


def test_csv_with_column_mapping_overrides():
    columns = ColumnMapping().with_overrides(
        {"id": "story_id", "text": "story", "date": "pub_day", "author": "writer"}
    )
    result = reconciled(ingest_paths([MAPPED], IngestConfig(columns=columns)))
    assert result.rejects.height == 0
    rows = result.documents.sort("doc_id").to_dicts()
    assert [r["doc_id"] for r in rows] == ["m-1", "m-2"]
    assert [r["text"] for r in rows] == ["The story column holds the text.", "Second story text."]
    assert [r["date"] for r in rows] == [d("2023-08-01"), d("2023-08-15")]
    assert [r["author"] for r in rows] == ["Writer One", "Writer Two"]
    assert [r["title"] for r in rows] == ["Mapped headline one", "Mapped headline two"]  # default `headline`
    # the unmapped distractor column is kept as metadata, not used as text
    assert json.loads(rows[0]["metadata"]) == {"body": "this body column is a distractor"}


def test_mapping_override_rejects_unknown_field():
    with pytest.raises(ValueError, match="unknown field 'txt'"):
        ColumnMapping().with_overrides({"txt": "body"})


def test_cli_map_option(run_cli, tmp_path):
    out = tmp_path / "documents.parquet"
    result = run_cli("ingest", MAPPED, "--map", "text=story", "--map", "date=pub_day",
                     "--map", "id=story_id", "--documents", out)
    assert result.exit_code == 0, result.output
    documents = pl.read_parquet(out).sort("doc_id")
    assert documents["doc_id"].to_list() == ["m-1", "m-2"]
    assert documents["text"].to_list() == ["The story column holds the text.", "Second story text."]
    assert documents["date"].to_list() == [d("2023-08-01"), d("2023-08-15")]


# --- doc ids --------------------------------------------------------------------------------


def test_doc_ids_are_stable_across_runs_and_locations(corpus, tmp_path):
    copy = tmp_path / "elsewhere" / "formats"
    shutil.copytree(FORMATS, copy)
    again = reconciled(ingest_paths([copy]))
    first = dict(zip(corpus.documents["origin"], corpus.documents["doc_id"]))
    second = dict(zip(again.documents["origin"], again.documents["doc_id"]))
    assert first == second
    hashed = [doc_id for doc_id in first.values() if doc_id.startswith("d") and len(doc_id) == 17]
    assert len(hashed) == 5  # txt, html, csv row 3, jsonl line 2, rss entry 1


def test_hashed_doc_id_depends_on_path_and_content(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "2023-01-01-x.md").write_text("same text\n", encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2023-01-01-y.md").write_text("same text\n", encoding="utf-8")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "2023-01-01-x.md").write_text("other text\n", encoding="utf-8")
    ids = [ingest_paths([tmp_path / sub]).documents["doc_id"].item() for sub in ("a", "b", "c")]
    assert len(set(ids)) == 3
    assert ingest_paths([tmp_path / "a"]).documents["doc_id"].item() == ids[0]


def test_front_matter_id_is_used_as_is(tmp_path):
    (tmp_path / "2023-01-01-x.md").write_text("---\nid: 12345\ndate: 2023-01-02\n---\nbody\n", encoding="utf-8")
    result = ingest_paths([tmp_path])
    assert result.documents["doc_id"].to_list() == ["12345"]
    assert result.documents["date"].to_list() == [d("2023-01-02")]  # front matter beats file name


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2023-04-18", "2023-04-18"),
        ("2023-04-18T23:30:00-05:00", "2023-04-18"),
        ("2023-04-18T01:15:00+09:00", "2023-04-18"),
        ("2023-04-18 00:50:00+08:00", "2023-04-18"),
        ("2023-04-18T10:00:00Z", "2023-04-18"),
        ("Apr 18, 2023", "2023-04-18"),
        ("April 18, 2023", "2023-04-18"),
        ("18 April 2023", "2023-04-18"),
        ("18 Apr 2023", "2023-04-18"),
        ("Tue, 18 Apr 2023 23:59:00 -0700", "2023-04-18"),
        ("Wed, 01 Mar 2023 00:00:01 GMT", "2023-03-01"),
        ("2023/04/18", "2023-04-18"),
    ],
)
def test_date_formats(tmp_path, written, expected):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"date": written, "text": "a document"}) + "\n", encoding="utf-8")
    result = reconciled(ingest_paths([path]))
    assert result.rejects.height == 0, result.rejects.to_dicts()
    assert result.documents["date"].to_list() == [d(expected)]
    assert result.documents["month"].to_list() == [d(expected).replace(day=1)]
