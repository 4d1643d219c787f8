"""Records that used to vanish (issue 17): each now accepted or a counted reject.

- a CSV quote never closed swallowed the rows after it into one text (`malformed_csv`);
- an unreadable subfolder, link loops, broken links, pipes and sockets were left out of
  the counts (`unreadable_folder`, `symlink_loop`, `broken_link`, `not_a_regular_file`),
  and links to folders were not followed;
- empty containers gave neither a record nor a reject (`empty_file`, `no_records`);
- an impossible time of day (`T25:61`) was accepted, only the date being read.
"""

from __future__ import annotations

import errno
import io
import json
import os
import socket
import time
from pathlib import Path

import polars as pl
import pytest

from ingest_checks import GOOD_MD, check, corpus, rejects_of
from pipelines.ingest import IngestResult, ingest_paths, parse_date
from pipelines.readers import discover_inputs

def texts_of(result: IngestResult) -> dict[str, str]:
    return dict(result.documents.select("origin", "text").iter_rows())


# --- 2. a CSV quote never closed --------------------------------------------------------------


def test_unclosed_csv_quote_is_a_counted_malformed_region(tmp_path):
    content = ('id,date,text\nu0,2023-01-04,before\nu1,2023-01-05,"never closed\n'
               'u2,2023-01-06,second row\nu3,2023-01-07,third row\n')
    result = check(ingest_paths([corpus(tmp_path, {"rows.csv": content})]))
    code, reason = rejects_of(result)["rows.csv#row=3"]
    assert code == "malformed_csv"
    assert reason.startswith("line 3: a quoted field opened here is never closed")
    texts = texts_of(result)
    assert [texts[f"rows.csv#row={n}"] for n in (2, 4, 5)] == ["before", "second row", "third row"]
    assert result.records_read == 5  # good.md, u0, the malformed region, u2, u3


def test_stray_quote_closed_by_a_later_field_does_not_merge_rows(tmp_path):
    content = ('id,date,text\nu1,2023-01-05,"stray quote\nu2,2023-01-06,"quoted, second"\n'
               'u3,2023-01-07,third row\n')
    result = check(ingest_paths([corpus(tmp_path, {"rows.csv": content})]))
    code, reason = rejects_of(result)["rows.csv#row=2"]
    assert code == "malformed_csv" and reason.startswith("line 2: ") and "resumed on line 3" in reason
    assert sorted(t.strip() for t in texts_of(result).values()) == ["This document is fine.", "quoted, second", "third row"]


def test_quoted_fields_over_several_lines_are_still_read(tmp_path):
    content = 'id,date,text\nu1,2023-01-05,"first paragraph\n\nsecond, with ""quotes"""\nu2,2023-01-06,next\n'
    result = check(ingest_paths([corpus(tmp_path, {"rows.csv": content})]))
    assert result.rejects.is_empty()
    assert texts_of(result)["rows.csv#row=2"] == 'first paragraph\n\nsecond, with "quotes"'


# --- 3. unreadable folders --------------------------------------------------------------------


def test_unreadable_subfolder_is_a_reject(tmp_path, monkeypatch):
    folder = corpus(tmp_path, {"locked/inside.md": GOOD_MD.replace("fine", "locked away"),
                               "locked/deeper/more.md": GOOD_MD.replace("fine", "deeper")})
    real_scandir = os.scandir

    def scandir(path=".") -> object:  # noqa: ANN001 - os.scandir's signature
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = check(ingest_paths([folder]))
    assert rejects_of(result) == {
        "locked": ("unreadable_folder", "folder could not be listed: Permission denied; nothing in it was read")}
    assert result.records_read == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_chmod_000_subfolder_and_file_are_rejects(tmp_path):
    folder = corpus(tmp_path, {"locked/inside.md": GOOD_MD, "secret.md": GOOD_MD.replace("fine", "secret")})
    (folder / "locked").chmod(0)
    (folder / "secret.md").chmod(0)
    try:
        result = check(ingest_paths([folder]))
        assert [item.rel_path for item in discover_inputs([folder])] == ["good.md"]  # safe to hash
    finally:
        (folder / "locked").chmod(0o755)
        (folder / "secret.md").chmod(0o644)
    rejects = rejects_of(result)
    assert rejects["locked"][0] == "unreadable_folder"
    assert rejects["secret.md"][0] == "unreadable_file"


# --- 4. links, pipes and sockets --------------------------------------------------------------


def test_links_pipes_and_sockets_are_rejects_and_never_block(tmp_path):
    folder = corpus(tmp_path, {"sub/note.md": GOOD_MD.replace("fine", "in sub")})
    (folder / "loop-a.md").symlink_to("loop-b.md")
    (folder / "loop-b.md").symlink_to("loop-a.md")
    (folder / "sub" / "up").symlink_to("..")
    (folder / "broken.md").symlink_to("nowhere.md")
    os.mkfifo(folder / "pipe.csv")  # opening it would block until someone writes
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.jsonl"))
    began = time.monotonic()
    try:
        result = check(ingest_paths([folder]))
        files = discover_inputs([folder])  # the build hashes these for the manifest: never a pipe
    finally:
        server.close()
    assert time.monotonic() - began < 10
    rejects = rejects_of(result)
    assert {origin: code for origin, (code, _) in rejects.items()} == {
        "loop-a.md": "symlink_loop", "loop-b.md": "symlink_loop", "sub/up": "symlink_loop",
        "broken.md": "broken_link", "pipe.csv": "not_a_regular_file", "sock.jsonl": "not_a_regular_file"}
    assert rejects["broken.md"][1] == "broken link: its target 'nowhere.md' does not exist"
    assert rejects["pipe.csv"][1] == "not a regular file but a named pipe: not read"
    assert rejects["sock.jsonl"][1] == "not a regular file but a socket: not read"
    assert sorted(item.rel_path for item in files) == ["good.md", "sub/note.md"]


def test_links_to_files_and_folders_are_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.md").write_text(GOOD_MD.replace("fine", "from outside"), encoding="utf-8")
    folder = corpus(tmp_path, {})
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    (folder / "again.md").symlink_to(folder / "good.md")
    result = check(ingest_paths([folder]))
    assert texts_of(result)["linked/outside.md"].strip() == "This document is from outside."
    assert rejects_of(result)["good.md"][0] == "duplicate"  # again.md, read first, has the same text
    assert result.records_read == 3


# --- 5. empty containers ----------------------------------------------------------------------


def _empty_parquet() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame(schema={"date": pl.String, "text": pl.String}).write_parquet(buffer)
    return buffer.getvalue()


EMPTY_CONTAINERS = {
    "empty.jsonl": ("", "empty_file", "JSON Lines file is empty (no line holds anything)"),
    "blank.jsonl": ("\n  \n", "empty_file", "JSON Lines file is empty (no line holds anything)"),
    "empty.json": ("", "empty_file", "JSON file is empty"),
    "list.json": ("[]", "no_records", "JSON file holds an empty list: no records"),
    "wrapped.json": (json.dumps({"documents": []}), "no_records", "JSON file holds an empty list: no records"),
    "header.csv": ("id,date,text\n", "no_records", "CSV file has a header row but no data rows"),
    "header.tsv": ("id\tdate\ttext\n\n", "no_records", "CSV file has a header row but no data rows"),
    "empty.csv": ("", "empty_file", "CSV file has no header row"),
    "rows.parquet": (_empty_parquet(), "no_records", "Parquet file has columns but no rows"),
}


@pytest.mark.parametrize("name", sorted(EMPTY_CONTAINERS))
def test_empty_containers_are_rejects(tmp_path, name):
    content, code, reason = EMPTY_CONTAINERS[name]
    result = check(ingest_paths([corpus(tmp_path, {name: content})]))
    assert rejects_of(result) == {name: (code, reason)}
    assert result.records_read == 2


# --- 12. impossible times of day --------------------------------------------------------------


def test_impossible_times_are_unparseable_dates(tmp_path):
    rows = [{"date": "2023-03-31T25:61:00", "text": "a"}, {"date": "2023-03-31T10:61", "text": "b"},
            {"date": "Fri, 31 Mar 2023 24:00:00 GMT", "text": "c"}, {"date": "2023-03-31T23:59:60Z", "text": "d"}]
    files = {"rows.jsonl": "\n".join(json.dumps(row) for row in rows) + "\n",
             "2023-03-31-note.md": "---\ndate: 2023-03-31T25:61:00\n---\nA note.\n"}
    result = check(ingest_paths([corpus(tmp_path, files)]))
    rejects = rejects_of(result)
    assert rejects["rows.jsonl#line=1"] == (
        "unparseable_date", "unparseable date: '2023-03-31T25:61:00' (no such time of day)")
    assert {rejects[f"rows.jsonl#line={n}"][0] for n in (2, 3)} == {"unparseable_date"}
    assert rejects["2023-03-31-note.md"][0] == "unparseable_date"  # not replaced by the file name's date
    assert texts_of(result)["rows.jsonl#line=4"] == "d"  # a leap second is a real time


def test_parse_date_checks_the_time_of_day():
    values = ["2023-03-31T25:61:00", "2023-03-31 23:60", "2023-03-31T2400", "18 Apr 2023 10:75:00",
              "2023-03-31T23:59:59.999+05:30", "2023-03-31 00:00", "Tue, 18 Apr 2023 23:00:00 GMT", "2023-03-31"]
    parsed = pl.select(parse_date(pl.Series("raw", values, dtype=pl.String))).to_series().to_list()
    assert [value is not None for value in parsed] == [False] * 4 + [True] * 4
