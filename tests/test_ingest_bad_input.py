"""Bad input never ends in a traceback: a clear message (exit code 2) or a counted reject.

Each case goes through `ingest_paths` and through the `discourse ingest` command; in each
the good documents beside the bad one still load and the counts reconcile.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from ingest_checks import GOOD_MD, check, corpus, rejects_of
from pipelines import readers
from pipelines.config import IngestConfig
from pipelines.ingest import ingest_paths
from pipelines.readers import InputError

# --- helpers --------------------------------------------------------------------------------


def corpus_with(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """A folder with one good document and the bad file `name`."""
    return corpus(tmp_path, {name: content})


def one_line(text: str) -> str:
    return " ".join(text.split())


def summary(stdout: str) -> dict[str, int]:
    """The counts of the CLI's 'Ingest summary' table."""
    counts = {}
    for name, value in re.findall(r"│\s*([a-z_ ]+?)\s*│\s*([\d,]+)\s*│", stdout):
        counts[name.strip()] = int(value.replace(",", ""))
    return counts


def cli_ok(run_cli, *args) -> tuple[dict[str, int], object]:
    """Run `discourse ingest ARGS`; it must succeed and its summary must reconcile."""
    result = run_cli("ingest", *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    counts = summary(result.stdout)
    assert counts["read"] == counts["accepted"] + counts["rejected"] + counts["duplicates"]
    return counts, result


def cli_fails(run_cli, *args) -> str:
    """Run `discourse ingest ARGS`; it must exit 2 with a message on stderr and no traceback."""
    result = run_cli(*args)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout.strip() == ""
    message = one_line(result.stderr)
    assert message.startswith("error:"), message
    return message


# --- problems with the request: a clear message, exit code 2 --------------------------------


def test_missing_path(tmp_path, run_cli):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(InputError, match="no such file or folder"):
        ingest_paths([missing])
    message = cli_fails(run_cli, "ingest", missing)
    assert f"{missing}: no such file or folder" in message


def test_missing_path_among_good_ones_stops_before_reading(tmp_path, run_cli):
    good = corpus_with(tmp_path, "other.md", GOOD_MD.replace("fine", "also fine"))
    message = cli_fails(run_cli, "ingest", good, tmp_path / "typo")
    assert "typo: no such file or folder" in message


def test_unknown_format_named_directly(tmp_path, run_cli):
    path = tmp_path / "report.odt"
    path.write_bytes(b"PK\x03\x04 not really an odt")
    with pytest.raises(InputError, match=r"unknown format '\.odt'"):
        ingest_paths([path])
    message = cli_fails(run_cli, "ingest", path)
    assert "report.odt: unknown format '.odt'; supported:" in message
    assert ".md" in message and ".parquet" in message and ".pdf" in message and ".docx" in message


def test_path_that_cannot_be_read(run_cli):
    too_long = Path("x" * 5000)
    with pytest.raises(InputError, match="cannot be read"):
        ingest_paths([too_long])
    assert "cannot be read: File name too long" in cli_fails(run_cli, "ingest", too_long)


@pytest.mark.parametrize(("option", "expected"), [
    ("text", "--map expects FIELD=COLUMN, got 'text'"),
    ("txt=body", "unknown field 'txt' in column mapping"),
    ("=body", "--map expects FIELD=COLUMN"),
])
def test_bad_map_option(run_cli, repo_root, option, expected):
    assert expected in cli_fails(run_cli, "ingest", repo_root / "tests", "--map", option)


def test_output_that_cannot_be_written(tmp_path, run_cli):
    folder = corpus_with(tmp_path, "other.md", GOOD_MD.replace("fine", "fine too"))
    result = run_cli("ingest", folder, "--rejects", tmp_path / "missing-dir" / "rejects.csv")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "could not write output" in one_line(result.stderr)


# --- bad files inside a corpus: counted rejects, the rest loads --------------------------------


def test_unknown_format_inside_a_folder(tmp_path, run_cli):
    folder = corpus_with(tmp_path, "LICENSE", "MIT License\n")
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04")
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    rejects = rejects_of(result)
    assert rejects["LICENSE"] == ("unsupported_format", "unsupported file type '(no extension)'")
    assert rejects["slides.pptx"] == ("unsupported_format", "unsupported file type '.pptx'")
    counts, _ = cli_ok(run_cli, folder)
    assert counts == {"read": 3, "accepted": 1, "rejected": 2, "duplicates": 0, "unsupported_format": 2}


def test_csv_without_a_text_column(tmp_path, run_cli):
    folder = corpus_with(tmp_path, "stats.csv", "id,date,views\n1,2023-01-01,5\n2,2023-01-02,6\n")
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    code, reason = rejects_of(result)["stats.csv"]
    assert code == "no_text_column"
    assert "looked for text, body, content" in reason and "the file has id, date, views" in reason
    counts, cli = cli_ok(run_cli, folder)
    assert counts["no_text_column"] == 1 and counts["accepted"] == 1
    assert "no text column" in one_line(cli.stdout)


def test_markdown_file_that_is_not_utf8(tmp_path, run_cli):
    folder = corpus_with(tmp_path, "2023-02-01-latin1.md", "Régulation de l'IA\n".encode("latin-1"))
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    code, reason = rejects_of(result)["2023-02-01-latin1.md"]
    assert code == "undecodable_bytes"
    assert reason == "not valid UTF-8: byte 0xe9 at offset 1"
    counts, _ = cli_ok(run_cli, folder)
    assert counts["undecodable_bytes"] == 1


def test_csv_rows_that_are_not_utf8(tmp_path):
    content = "id,date,title,text\n1,2023-01-05,ok,plain ascii\n2,2023-01-06,caf\xe9,accent in the title\n3,2023-01-07,ok,na\xefve text\n"
    folder = corpus_with(tmp_path, "mixed.csv", content.encode("latin-1"))
    result = check(ingest_paths([folder]))
    assert sorted(result.documents["origin"]) == ["good.md", "mixed.csv#row=2"]
    rejects = rejects_of(result)
    assert rejects["mixed.csv#row=3"][0] == "undecodable_bytes"
    assert "title" in rejects["mixed.csv#row=3"][1]
    assert rejects["mixed.csv#row=4"][0] == "undecodable_bytes"
    # what is shown of the bad row is valid text (undecodable bytes replaced)
    raw = result.rejects.filter(pl.col("origin") == "mixed.csv#row=4")["raw"].item()
    assert raw.startswith("na\ufffdve")


def test_lone_surrogate_escapes_in_json(tmp_path):
    lines = [
        json.dumps({"date": "2023-01-01", "title": "\ud800 broken", "text": "title has a lone surrogate"}),
        json.dumps({"date": "2023-01-02", "text": "text has one \udfff"}),
        json.dumps({"date": "2023-01-03", "text": "fine line"}),
    ]
    folder = corpus_with(tmp_path, "s.jsonl", "\n".join(lines) + "\n")
    result = check(ingest_paths([folder]))
    assert sorted(result.documents["origin"]) == ["good.md", "s.jsonl#line=3"]
    rejects = rejects_of(result)
    assert rejects["s.jsonl#line=1"][0] == "undecodable_bytes"
    assert rejects["s.jsonl#line=2"][0] == "undecodable_bytes"


def test_file_name_that_is_not_utf8(tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    name = b"2023-01-01-caf\xe9.md".decode("utf-8", "surrogateescape")  # how Python names it on Linux
    (folder / name).write_text("body text\n", encoding="utf-8")
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["2023-01-01-caf\ufffd.md"]
    assert result.documents["date"].to_list()[0].isoformat() == "2023-01-01"


def test_truncated_parquet(tmp_path, run_cli):
    folder = corpus_with(tmp_path, "placeholder.md", GOOD_MD.replace("fine", "fine as well"))
    frame = pl.DataFrame({"date": ["2023-01-01"] * 50, "text": [f"row {i}" for i in range(50)]})
    frame.write_parquet(folder / "full.parquet")
    data = (folder / "full.parquet").read_bytes()
    (folder / "cut.parquet").write_bytes(data[: len(data) // 2])
    result = check(ingest_paths([folder]))
    assert result.documents.height == 2 + 50
    code, reason = rejects_of(result)["cut.parquet"]
    assert code == "malformed_file"
    assert reason.startswith("unreadable Parquet file:")
    counts, _ = cli_ok(run_cli, folder)
    assert counts == {"read": 53, "accepted": 52, "rejected": 1, "duplicates": 0, "malformed_file": 1}


@pytest.fixture(scope="module")
def huge_corpus(tmp_path_factory) -> Path:
    """A 50 MB Markdown document next to a good one (default limit: 5,000,000 characters)."""
    folder = tmp_path_factory.mktemp("huge")
    (folder / "good.md").write_text(GOOD_MD, encoding="utf-8")
    with open(folder / "2023-06-01-huge.md", "w", encoding="utf-8") as handle:
        handle.write("---\ndate: 2023-06-01\ntitle: Huge\n---\n")
        handle.write("lorem ipsum dolor sit amet " * 1_900_000)  # 51.3 MB
    return folder


def test_50_mb_document(huge_corpus, run_cli):
    assert (huge_corpus / "2023-06-01-huge.md").stat().st_size > 50_000_000
    result = check(ingest_paths([huge_corpus]))
    assert result.documents["origin"].to_list() == ["good.md"]
    code, reason = rejects_of(result)["2023-06-01-huge.md"]
    assert code == "too_large"
    assert reason == "document has 51300000 characters, over the limit of 5,000,000"
    raw = result.rejects["raw"].item()
    assert raw.startswith("lorem ipsum") and len(raw) <= 300  # a preview, not 50 MB
    counts, _ = cli_ok(run_cli, huge_corpus)
    assert counts == {"read": 2, "accepted": 1, "rejected": 1, "duplicates": 0, "too_large": 1}


def test_oversized_csv_field_does_not_stop_the_rest_of_the_file(tmp_path):
    big = "x" * 1_200_000  # over the csv module's default field limit and 4x the document limit
    content = f"id,date,text\n1,2023-01-01,{big}\n2,2023-01-02,after the big row\n"
    folder = corpus_with(tmp_path, "big.csv", content)
    result = check(ingest_paths([folder], IngestConfig(max_document_chars=1_000)))
    assert sorted(result.documents["origin"]) == ["big.csv#row=3", "good.md"]
    code, reason = rejects_of(result)["big.csv#row=2"]
    assert code == "too_large"
    assert reason == "document has 1200000 characters, over the limit of 1,000"


def test_oversized_html_is_rejected_before_extraction(tmp_path, monkeypatch):
    import trafilatura

    def never(*args, **kwargs):
        raise AssertionError("trafilatura must not be run on an oversized page")

    monkeypatch.setattr(trafilatura, "bare_extraction", never)
    page = "<html><body>" + "<p>word word word</p>" * 500 + "</body></html>"
    folder = corpus_with(tmp_path, "2023-01-01-page.html", page)
    result = check(ingest_paths([folder], IngestConfig(max_document_chars=2_000)))
    assert result.documents["origin"].to_list() == ["good.md"]
    code, reason = rejects_of(result)["2023-01-01-page.html"]
    assert code == "too_large"
    assert reason == f"HTML file has {len(page):,} characters, over the limit of 2,000"


# --- front matter -----------------------------------------------------------------------------


@pytest.mark.parametrize(("front_matter", "code", "reason_part"), [
    ("date: 2023-01-01\ntitle: [unclosed\n", "invalid_front_matter", "front matter is not valid YAML"),
    ("date: 2023-01-01\ntitle: x\nbad indent: : :\n", "invalid_front_matter", "front matter is not valid YAML"),
    ("base: &a [x, x, x]\nbomb: [*a, *a, *a]\ndate: 2023-01-01\n", "invalid_front_matter",
     "YAML aliases are not allowed"),
    ("date: 2023-01-01\ntitle: !custom value\n", "invalid_front_matter", "could not determine a constructor for the tag '!custom'"),
    ("date: 2023-01-01\ncount: !!int abc\n", "invalid_front_matter", "a value cannot be built"),
    ("date: 2023-01-01\nflag: !!bool maybe\n", "invalid_front_matter", "a value cannot be built"),
    ("date: 2023-01-01\nwhen: !!timestamp soon\n", "invalid_front_matter", "a value cannot be built"),
    ("just a sentence\n", "invalid_front_matter", "front matter is a YAML str, not a mapping"),
    ("- a\n- list\n", "invalid_front_matter", "front matter is a YAML list, not a mapping"),
    ("nested: " + "[" * 2000 + "]" * 2000 + "\ndate: 2023-01-01\n", "invalid_front_matter", "nested too deeply"),
    ("date: 2023-02-30\ntitle: No such day\n", "unparseable_date", "unparseable date: '2023-02-30'"),
    ("date: yesterday\n", "unparseable_date", "unparseable date: 'yesterday'"),
])
def test_invalid_front_matter(tmp_path, run_cli, front_matter, code, reason_part):
    # the file name has a date: a bad date in the content must still not be replaced by it
    folder = corpus_with(tmp_path, "2023-05-05-bad.md", f"---\n{front_matter}---\nThe body.\n")
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    got_code, reason = rejects_of(result)["2023-05-05-bad.md"]
    assert (got_code, reason_part in reason) == (code, True), reason
    raw = result.rejects["raw"].item()  # what was read is shown
    assert raw.startswith("---\n" if code == "invalid_front_matter" else "The body.")
    counts, _ = cli_ok(run_cli, folder)
    assert counts[code] == 1 and counts["accepted"] == 1


def test_front_matter_never_closed(tmp_path):
    folder = corpus_with(tmp_path, "2023-01-01-open.md", "---\ndate: 2023-01-01\ntitle: x\nThe body.\n")
    result = check(ingest_paths([folder]))
    assert rejects_of(result)["2023-01-01-open.md"] == (
        "invalid_front_matter", "front matter opened with '---' is never closed")


def test_python_tags_in_front_matter_are_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    front = (f"date: 2023-01-01\nx: !!python/object/apply:os.system ['touch {marker}']\n"
             "y: !!python/object:collections.OrderedDict {}\n")
    folder = corpus_with(tmp_path, "2023-01-01-evil.md", f"---\n{front}---\nbody\n")
    result = check(ingest_paths([folder]))
    code, reason = rejects_of(result)["2023-01-01-evil.md"]
    assert code == "invalid_front_matter"
    assert "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'" in reason
    assert not marker.exists()


def test_nul_bytes(tmp_path, run_cli):
    folder = corpus_with(tmp_path, "2023-01-01-binary.md", b"text\x00with\x00nul bytes\n")
    (folder / "table.csv").write_bytes(b"date,text\n2023-01-01,a\x00b\n")
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    rejects = rejects_of(result)
    assert rejects["2023-01-01-binary.md"] == ("binary_content", "file contains NUL bytes (binary, not text)")
    assert rejects["table.csv"] == ("binary_content", "file contains NUL bytes (binary, not CSV)")
    counts, _ = cli_ok(run_cli, folder)
    assert counts["binary_content"] == 2


# --- rows of tables -------------------------------------------------------------------------


def test_malformed_csv_rows(tmp_path, run_cli):
    content = (
        "id,date,title,text\n"
        "1,2023-01-05,T1,first text\n"
        "2,2023-01-06,T2\n"                      # a field short
        "3,2023-01-07,T3,third,extra\n"          # a field too many
        "\n"                                     # blank line: skipped, not a record
        "4,2023-01-08,T4,fourth text\n"
    )
    folder = corpus_with(tmp_path, "rows.csv", content)
    result = check(ingest_paths([folder]))
    assert sorted(result.documents["doc_id"].to_list())[:2] == ["1", "4"]
    rejects = rejects_of(result)
    assert rejects["rows.csv#row=3"] == ("malformed_row", "expected 4 fields, got 3")
    assert rejects["rows.csv#row=4"] == ("malformed_row", "expected 4 fields, got 5")
    assert result.records_read == 5
    counts, _ = cli_ok(run_cli, folder)
    assert counts == {"read": 5, "accepted": 3, "rejected": 2, "duplicates": 0, "malformed_row": 2}


def test_empty_csv(tmp_path):
    folder = corpus_with(tmp_path, "empty.csv", "")
    result = check(ingest_paths([folder]))
    assert rejects_of(result)["empty.csv"] == ("empty_file", "CSV file has no header row")


def test_jsonl_bad_lines_and_non_objects(tmp_path, run_cli):
    lines = [
        '{"id": "a", "date": "2023-01-01", "text": "good line"}',
        '{"id": "b", "date": "2023-01-01", "text": "unterminated',
        "[1, 2, 3]",
        '"just a string"',
        "42",
        "null",
        '{"id": "c", "date": "2023-01-01", "text": 42}',
        '{"id": "big", "date": "2023-01-01", "text": "x", "n": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        "",
        '{"id": "d", "date": "2023-01-02", "text": "another good line"}',
    ]
    folder = corpus_with(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    result = check(ingest_paths([folder]))
    assert sorted(result.documents["doc_id"].to_list())[:2] == ["a", "d"]
    rejects = rejects_of(result)
    assert rejects["feed.jsonl#line=2"][0] == "malformed_row"
    assert rejects["feed.jsonl#line=2"][1].startswith("not valid JSON: Unterminated string")
    assert rejects["feed.jsonl#line=3"] == ("malformed_row", "a JSON list, not an object")
    assert rejects["feed.jsonl#line=4"] == ("malformed_row", "a JSON str, not an object")
    assert rejects["feed.jsonl#line=5"] == ("malformed_row", "a JSON int, not an object")
    assert rejects["feed.jsonl#line=6"] == ("malformed_row", "a JSON NoneType, not an object")
    assert rejects["feed.jsonl#line=7"] == ("malformed_row", "text field is a int, not a string")
    assert rejects["feed.jsonl#line=8"][0] == "malformed_row"
    assert rejects["feed.jsonl#line=9"] == ("malformed_row", "not valid JSON: nested too deeply")
    assert result.records_read == 1 + 10  # good.md + ten non-blank lines
    counts, _ = cli_ok(run_cli, folder)
    assert counts["malformed_row"] == 8 and counts["accepted"] == 3


def test_invalid_json_files(tmp_path):
    folder = corpus_with(tmp_path, "broken.json", '[{"text": "a", ')
    (folder / "scalar.json").write_text("3.14", encoding="utf-8")
    (folder / "mixed.json").write_text(json.dumps(
        [{"date": "2023-01-01", "text": "ok item"}, "not an object"]), encoding="utf-8")
    result = check(ingest_paths([folder]))
    assert sorted(result.documents["origin"]) == ["good.md", "mixed.json#item=0"]
    rejects = rejects_of(result)
    assert rejects["broken.json"][0] == "malformed_file" and rejects["broken.json"][1].startswith("not valid JSON")
    assert rejects["scalar.json"] == ("malformed_file", "JSON file is neither a list of objects nor an object")
    assert rejects["mixed.json#item=1"] == ("malformed_row", "a JSON str, not an object")


def test_broken_feeds(tmp_path):
    folder = corpus_with(tmp_path, "broken.rss", "<rss><channel><item><title>cut off")
    (folder / "empty.atom").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>', encoding="utf-8")
    (folder / "undated.rss").write_text(
        "<rss version='2.0'><channel><title>c</title><item><title>t</title>"
        "<description>no date here</description></item></channel></rss>", encoding="utf-8")
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    rejects = rejects_of(result)
    assert rejects["empty.atom"] == ("malformed_file", "feed has no entries")
    assert rejects["undated.rss#entry=0"][0] == "missing_date"
    broken = [origin for origin in rejects if origin.startswith("broken.rss")]
    assert broken and all(rejects[o][0] in {"malformed_file", "empty_text", "missing_date"} for o in broken)


# --- dates, text, duplicates ------------------------------------------------------------------


def test_unparseable_missing_and_impossible_dates(tmp_path, run_cli):
    content = (
        "id,date,text\n"
        "ok,2023-02-28,valid date\n"
        "feb30,2023-02-30,february the thirtieth\n"
        "yday,yesterday,relative date\n"
        "slash,03/04/2023,ambiguous day and month\n"
        "future,2999-01-01,far future\n"
        "blank,,no date at all\n"
        "month13,2023-13-01,thirteenth month\n"
    )
    # a dated file name must not stand in for the rows' dates
    folder = corpus_with(tmp_path, "2023-01-01-export.csv", content)
    result = check(ingest_paths([folder]))
    assert set(result.documents["origin"]) == {"good.md", "2023-01-01-export.csv#row=2"}
    rejects = rejects_of(result)
    assert rejects["2023-01-01-export.csv#row=3"] == ("unparseable_date", "unparseable date: '2023-02-30'")
    assert rejects["2023-01-01-export.csv#row=4"] == ("unparseable_date", "unparseable date: 'yesterday'")
    assert rejects["2023-01-01-export.csv#row=5"] == ("unparseable_date", "unparseable date: '03/04/2023'")
    assert rejects["2023-01-01-export.csv#row=6"] == ("unparseable_date", "unparseable date: '2999-01-01'")
    assert rejects["2023-01-01-export.csv#row=7"][0] == "missing_date"
    assert rejects["2023-01-01-export.csv#row=8"] == ("unparseable_date", "unparseable date: '2023-13-01'")
    counts, _ = cli_ok(run_cli, folder)
    assert counts["unparseable_date"] == 5 and counts["missing_date"] == 1


def test_text_file_without_any_date(tmp_path):
    folder = corpus_with(tmp_path, "notes.txt", "Some notes without a date.\n")
    result = check(ingest_paths([folder]))
    assert rejects_of(result)["notes.txt"] == (
        "missing_date", "no date field and no YYYY-MM-DD date in the file name")


def test_empty_text(tmp_path):
    folder = corpus_with(tmp_path, "2023-01-01-empty.md", "---\ndate: 2023-01-01\ntitle: Empty\n---\n  \n\t\n")
    (folder / "rows.jsonl").write_text(
        '{"date": "2023-01-01", "text": ""}\n{"date": "2023-01-01", "title": "no text key"}\n', encoding="utf-8")
    result = check(ingest_paths([folder]))
    assert result.documents["origin"].to_list() == ["good.md"]
    rejects = rejects_of(result)
    for origin in ("2023-01-01-empty.md", "rows.jsonl#line=1", "rows.jsonl#line=2"):
        assert rejects[origin] == ("empty_text", "document has no text"), origin


def test_duplicate_text_is_kept_once(tmp_path, run_cli):
    folder = corpus_with(tmp_path, "2023-01-02-copy.md",
                         "---\ndate: 2023-01-02\ntitle: Republished\n---\nThis   document is\nFINE.\n")
    (folder / "2023-01-03-copy-again.md").write_text(GOOD_MD, encoding="utf-8")
    result = check(ingest_paths([folder]))
    # reading order is sorted by path: the two dated copies come first
    assert result.documents["origin"].to_list() == ["2023-01-02-copy.md"]
    kept = result.documents["doc_id"].item()
    rejects = rejects_of(result)
    assert rejects["2023-01-03-copy-again.md"] == ("duplicate", f"duplicate of doc {kept} (same text)")
    assert rejects["good.md"] == ("duplicate", f"duplicate of doc {kept} (same text)")
    assert result.duplicates == 2 and result.rejected == 0
    counts, _ = cli_ok(run_cli, folder)
    assert counts == {"read": 3, "accepted": 1, "rejected": 0, "duplicates": 2, "duplicate": 2}


def test_duplicate_id_with_different_text(tmp_path):
    content = (
        '{"id": "x", "date": "2023-01-01", "text": "first text"}\n'
        '{"id": "x", "date": "2023-01-02", "text": "second text"}\n'
        '{"id": "y", "date": "2023-01-03", "text": "third text"}\n'
    )
    folder = corpus_with(tmp_path, "ids.jsonl", content)
    result = check(ingest_paths([folder]))
    assert set(result.documents["doc_id"]) >= {"x", "y"}
    assert result.documents.filter(pl.col("doc_id") == "x")["text"].item() == "first text"
    assert rejects_of(result)["ids.jsonl#line=2"] == (
        "duplicate_id", "id x is already used by ids.jsonl#line=1 with different text")
    assert result.duplicates == 0 and result.rejected == 1


def test_duplicates_always_name_an_accepted_document(tmp_path):
    # B reuses A's id (rejected); C repeats B's text: C must not be lost because of B
    content = (
        '{"id": "1", "date": "2023-01-01", "text": "text T"}\n'
        '{"id": "1", "date": "2023-01-01", "text": "text U"}\n'
        '{"id": "2", "date": "2023-01-01", "text": "text U"}\n'
        '{"id": "3", "date": "2023-01-01", "text": "TEXT   u"}\n'
    )
    folder = tmp_path / "dups"
    folder.mkdir()
    (folder / "d.jsonl").write_text(content, encoding="utf-8")
    result = check(ingest_paths([folder]))
    docs = {row["doc_id"]: row["text"] for row in result.documents.iter_rows(named=True)}
    assert docs == {"1": "text T", "2": "text U"}
    rejects = rejects_of(result)
    assert rejects["d.jsonl#line=2"][0] == "duplicate_id"
    assert rejects["d.jsonl#line=4"] == ("duplicate", "duplicate of doc 2 (same text)")


# --- the last resort ------------------------------------------------------------------------


def test_a_reader_crash_is_a_counted_reject(tmp_path, monkeypatch, run_cli):
    def crash(item, config):
        raise RuntimeError("boom")
        yield  # pragma: no cover - makes this a generator like the real reader

    monkeypatch.setattr(readers, "read_csv_file", crash)
    folder = corpus_with(tmp_path, "any.csv", "date,text\n2023-01-01,x\n")
    result = ingest_paths([folder])
    assert result.documents["origin"].to_list() == ["good.md"]
    assert rejects_of(result)["any.csv"] == ("reader_error", "could not read file (RuntimeError): boom")
    counts, _ = cli_ok(run_cli, folder)
    assert counts["reader_error"] == 1 and counts["accepted"] == 1
