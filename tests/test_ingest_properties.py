"""Property-based tests: whatever the bytes, ingestion accounts for every record.

Invariants checked on every generated input:
- no exception escapes `ingest_paths`;
- records read = accepted + rejected + duplicates;
- every reject has a specific reason code and a non-empty reason (never the last-resort
  `reader_error`, which would mean a reader crashed);
- every accepted document has a date, its month is the first day of that month, ids and
  normalised texts are unique, and every duplicate names an accepted document.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import IngestResult, ingest_paths, parse_date

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CANDIDATE_KEYS = ["id", "doc_id", "text", "body", "content", "date", "published", "title", "headline",
                  "author", "source", "url", "source_url", "extra", "Text", "DATE"]

# Dates that parse, dates that look like dates but do not exist, and plain junk.
valid_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(dt.date.today().year, 12, 31))
date_values = st.one_of(
    valid_dates.map(dt.date.isoformat),
    valid_dates.map(lambda d: d.strftime("%b %d, %Y")),
    valid_dates.map(lambda d: d.strftime("%d %B %Y")),
    valid_dates.map(lambda d: d.strftime("%a, %d %b %Y 12:00:00 +0200")),
    st.sampled_from(["2023-02-30", "2023-13-01", "yesterday", "", "   ", "0000-00-00", "31/12/2023",
                     "2023", "April", "9999-12-31", "1799-12-31"]),
    st.text(max_size=20),
)
texts = st.one_of(st.text(max_size=80), st.sampled_from(["", " ", "\n", "same text", "SAME   text"]))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                           max_leaves=8)


def check(result: IngestResult) -> None:
    documents, rejects = result.documents, result.rejects
    assert result.records_read == documents.height + result.rejected + result.duplicates
    assert rejects.height == result.rejected + result.duplicates
    for code, reason in rejects.select("reason_code", "reason").iter_rows():
        assert code and code != "reader_error", (code, reason)
        assert reason and reason.strip(), code
    assert documents["date"].null_count() == 0
    assert documents["month"].null_count() == 0
    assert (documents["month"] == documents["date"].dt.truncate("1mo")).all()
    assert documents["doc_id"].null_count() == 0
    assert documents["doc_id"].n_unique() == documents.height
    normalised = documents["text"].str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    assert normalised.n_unique() == documents.height
    assert (normalised.str.len_chars() > 0).all()
    accepted = set(documents["doc_id"])
    for reason in rejects.filter(pl.col("reason_code") == "duplicate")["reason"]:
        named = re.fullmatch(r"duplicate of doc (.+) \(same text\)", reason, re.S)
        assert named and named.group(1) in accepted, reason


def ingest_file(name: str, content: bytes | str) -> IngestResult:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogatepass")
        path.write_bytes(content)
        result = ingest_paths([Path(folder)])
    check(result)
    return result


# --- CSV ------------------------------------------------------------------------------------


@st.composite
def csv_files(draw) -> str:
    header = draw(st.lists(st.sampled_from(CANDIDATE_KEYS), min_size=1, max_size=6, unique=True))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        # the right number of fields, or one too few / too many
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        row = []
        for position in range(max(width, 0)):
            column = header[position] if position < len(header) else "extra"
            value = draw(date_values) if column.lower() in {"date", "published"} else draw(texts)
            row.append(value)
        rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):  # break the quoting somewhere
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(['"', '\n', ',', '""', '\r'])) + text[cut:]
    return text


@SETTINGS
@given(csv_files())
def test_malformed_csv_is_fully_accounted_for(content):
    ingest_file("rows.csv", content)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_csv(content):
    ingest_file("random.csv", content)


# Latin letters only, so that Python's and Polars' ideas of case and whitespace agree.
plain_text = st.text(st.characters(max_codepoint=0x24F, categories=("L", "N", "P", "S")) | st.sampled_from(" \n\t,\"'"),
                     min_size=1, max_size=60).filter(lambda t: t.strip())


@SETTINGS
@given(st.lists(st.tuples(valid_dates, plain_text),
                min_size=1, max_size=10,
                unique_by=lambda row: " ".join(row[1].split()).lower()))
def test_valid_csv_rows_are_all_accepted_with_their_text_and_date(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "text"])
    writer.writerows([(date.isoformat(), text) for date, text in rows])
    result = ingest_file("valid.csv", out.getvalue())
    assert result.rejects.height == 0, result.rejects.to_dicts()
    assert result.documents.select("date", "text").rows() == rows


# --- JSON Lines -----------------------------------------------------------------------------


@st.composite
def jsonl_lines(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["object", "object", "object", "value", "junk", "bytes"]))
        if kind == "object":
            keys = draw(st.lists(st.sampled_from(CANDIDATE_KEYS), max_size=5, unique=True))
            obj = {}
            for key in keys:
                if key.lower() in {"date", "published"}:
                    obj[key] = draw(st.one_of(date_values, json_values))
                elif key.lower() in {"text", "body", "content"}:
                    obj[key] = draw(st.one_of(texts, texts, json_values))
                else:
                    obj[key] = draw(json_values)
            lines.append(json.dumps(obj).encode())
        elif kind == "value":
            lines.append(json.dumps(draw(json_values)).encode())
        elif kind == "junk":
            lines.append(draw(st.text(max_size=30)).encode("utf-8"))
        else:
            lines.append(draw(st.binary(max_size=30)))
    return b"\n".join(lines)


@SETTINGS
@given(jsonl_lines())
def test_malformed_json_lines_are_fully_accounted_for(content):
    result = ingest_file("rows.jsonl", content)
    # a file whose objects lack any text key becomes one file-level reject
    non_blank = sum(1 for line in content.split(b"\n") if line.strip())
    assert result.records_read in (non_blank, 1) or (non_blank == 0 and result.records_read == 0)


@SETTINGS
@given(st.lists(json_values, max_size=6))
def test_random_json_arrays(items):
    ingest_file("items.json", json.dumps(items))


# --- front matter -----------------------------------------------------------------------------


yaml_lines = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(CANDIDATE_KEYS), date_values),
    st.builds(lambda k, v: f"{k}: {json.dumps(v)}", st.sampled_from(CANDIDATE_KEYS), json_values),
    st.sampled_from(["date: 2023-02-30", "date: 2023-04-18 23:30:00-05:00", "title: [unclosed", "a: &x 1",
                     "b: *x", "c: !!python/object:os.system {}", "d: !custom x", "e: !!int nope",
                     "f: !!binary '@@'", "- list item", "? [a]\n: b", "  bad indent: x", "g: |", "h: >-",
                     "...", "---"]),
    st.text(max_size=30),
)


@st.composite
def markdown_files(draw) -> str:
    lines = draw(st.lists(yaml_lines, max_size=6))
    opener = draw(st.sampled_from(["---\n", "---\r\n", "\ufeff---\n", ""]))
    closer = draw(st.sampled_from(["---\n", "...\n", "---", ""]))
    body = draw(texts)
    return opener + "\n".join(lines) + "\n" + closer + body


@SETTINGS
@given(markdown_files(), st.booleans())
def test_random_front_matter_is_fully_accounted_for(content, dated_name):
    name = "2023-04-18-note.md" if dated_name else "note.md"
    result = ingest_file(name, content)
    assert result.records_read == 1


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["x.md", "2023-01-01-x.txt", "x.html", "x.jsonl", "x.json",
                                                 "x.parquet", "x.rss", "x.atom", "x.xml", "x.tsv"]))
def test_random_bytes_in_every_format(content, name):
    ingest_file(name, content)


# --- dates ----------------------------------------------------------------------------------


def parse(values: list[str]) -> list[dt.date | None]:
    return pl.select(parse_date(pl.Series("raw", values, dtype=pl.String))).to_series().to_list()


@SETTINGS
@given(valid_dates, st.times(), st.integers(-12 * 60, 14 * 60))
def test_dates_are_taken_as_written_whatever_the_offset(date, time, offset_minutes):
    moment = dt.datetime.combine(date, time, tzinfo=dt.timezone(dt.timedelta(minutes=offset_minutes)))
    written = [
        date.isoformat(),
        moment.isoformat(),
        moment.isoformat(sep=" ", timespec="seconds"),
        date.strftime("%b %d, %Y"),
        date.strftime("%B %d, %Y"),
        date.strftime("%d %B %Y"),
        moment.strftime("%a, %d %b %Y %H:%M:%S %z"),  # RFC 822
    ]
    assert parse(written) == [date] * len(written)


@SETTINGS
@given(st.text(max_size=25))
def test_parse_date_never_guesses_from_junk(value):
    [parsed] = parse([value])
    if parsed is not None:
        # anything accepted must literally contain its year
        assert str(parsed.year) in value
