"""The streamed passages CSV route (dashboard/downloads.py): GET /download/passages.csv.

* The body is byte for byte what the old in-callback export produced for the same filters
  and point, `csv_text(data.passages_export(filters, month, topic_id))`, whatever the chunk
  size, with the formula-injection guard in every chunk and the header once.
* Its query is the page URL's filter state plus `point_month` / `point_topic`. Any value
  the page would drop or change is a 400 in plain text that names it (a download has no
  place for a notice); never a 500, never a traceback, never a file for other filters.
* Only GET (and the HEAD that comes with it); security headers as on every response.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

import polars as pl
import pytest

import hostile_run as hr
from dashboard import downloads
from dashboard.data import Filters, csv_text
from dashboard.downloads import csv_chunks, parse_passages_query, passages_csv_href
from dashboard.exports import strip_header
from dashboard.url_state import FIELDS, KNOWN_KEYS, MAX_QUERY_CHARS, ChoiceField, UrlState, encode
from dashboard.url_fields import IdField, ListField, MonthField, PointField, TopicField, month_key
from test_server_hardening import assert_security_headers

ROUTE = "/download/passages.csv"
FEB, MAR = date(2024, 2, 1), date(2024, 3, 1)

# query -> (filters, month, topic_id) the old callback would have exported for it
VALID = {
    "": (Filters(), None, None),
    "person=Gary+Marcus": (Filters(people=("Gary Marcus",)), None, None),
    "person=Elon+Musk&person=Margrethe+Vestager&q=pause": (
        Filters(people=("Elon Musk", "Margrethe Vestager"), search="pause"), None, None),
    "from=2024-02&to=2024-03&source=Newswire": (
        Filters(start=FEB, end=MAR, sources=("Newswire",)), None, None),
    "topic=compute_race&topic=2": (Filters(topics=(1, 2)), None, None),
    "point_month=2024-02&point_topic=compute_race": (Filters(), FEB, 1),
    "topic=2&point_month=2024-03&point_topic=2": (Filters(topics=(2,)), MAR, 2),
    "from=2024-03&point_month=2024-02&point_topic=1": (Filters(start=MAR), FEB, 1),  # empty
    "topic=pause_letter&point_month=2024-02&point_topic=1": (Filters(topics=(0,)), FEB, 1),
    # view options of the page URL are accepted and change nothing
    "measure=share&chart=area&events=0&tab=people": (Filters(), None, None),
    # as on the page: control characters in the search become spaces, the first / last
    # month is the same as no bound
    "q=compute%00race": (Filters(search="compute race"), None, None),
    "from=2024-01&to=2024-04": (Filters(), None, None),
}

# query -> a piece of the 400 message
INVALID = {
    "q-10k": ("q=" + "x" * 10_000, f"longer than {MAX_QUERY_CHARS:,} characters"),
    "q-900": ("q=" + "x" * 900, "search text was cut"),
    "unknown-key": ("admin=1", "unknown parameter “admin”"),
    "month-13": ("from=2023-13", "“from=2023-13”: not a month"),
    "month-outside": ("to=1999-01", "outside the corpus"),
    "reversed": ("from=2024-03&to=2024-02", "reversed"),
    "twice": ("from=2024-02&from=2024-03", "“from” was given 2 times"),
    "unknown-person": ("person=Nobody", "unknown person “Nobody”"),
    "nul-in-person": ("person=Elon%00Musk", "unknown person “Elon?Musk”"),
    "nul-in-key": ("%00=1", "unknown parameter “?”"),
    "markup-topic": ("topic=%3Cscript%3E", "unknown topic “<script>”"),
    "bad-utf8": ("source=%FF", "unknown source"),
    "bad-tab": ("tab=admin", "“tab=admin”"),
    "bad-events": ("events=2", "“events=2”"),
    "too-many-fields": ("&".join(["q=a"] * 201), "too many parameters (more than 200)"),
    "point-topic-markup": ("point_month=2024-02&point_topic=%3Cscript%3Ealert(1)%3C/script%3E",
                           "“point_topic=<script>alert(1)</script>”: not one topic"),
    "point-topic-alone": ("point_topic=1", "go together"),
    "point-month-alone": ("point_month=2024-02", "go together"),
    "point-month-13": ("point_month=2024-13&point_topic=1", "“point_month=2024-13”"),
    "point-month-outside": ("point_month=2023-02&point_topic=1", "outside the corpus"),
    "point-month-day": ("point_month=2024-02-01&point_topic=1", "written as YYYY-MM"),
    "point-topic-unknown": ("point_month=2024-02&point_topic=99", "“point_topic=99”"),
    "point-twice": ("point_month=2024-02&point_month=2024-03&point_topic=1",
                    "“point_month” was given 2 times"),
    "point-nul": ("point_month=2024-02%00&point_topic=1", "“point_month=2024-02?”"),
    "long-value-cut": ("person=" + "A" * 500, "“" + "A" * 60 + "…”"),
    # issue 17, case 10: the page searches the first 8 words only (and says so)
    "nine-search-words": ("q=pause+letter+compute+race+chips+Musk+GPUs+licensing+Marcus",
                          "cut to its first 8 words (it had 9)"),
}


def expected(data, filters: Filters, month, topic_id) -> bytes:
    """The file the route must send under its header block: the data layer's export of
    the same run."""
    return csv_text(data.passages_export(filters, month, topic_id)).encode()


def body_of(data: bytes) -> bytes:
    """A downloaded file without its `#` header block (dashboard/exports.py)."""
    assert data.startswith(b"# AI-regulation discourse dashboard: passages")
    return strip_header(data.decode()).encode()


def test_eight_search_words_are_a_file_nine_a_400(ddata, client):
    """Issue 17, case 10: the route answered 200 for a query the page would cut."""
    eight = "pause letter compute race chips Musk GPUs licensing"
    response = client.get(f"{ROUTE}?{urlencode({'q': eight})}")
    assert response.status_code == 200
    assert body_of(response.data) == expected(ddata, Filters(search=eight), None, None)
    response = client.get(f"{ROUTE}?{urlencode({'q': eight + ' Marcus'})}")
    assert response.status_code == 400
    assert "first 8 words (it had 9)" in response.get_data(as_text=True)


# ------------------------------------------------------------------------- the file itself
@pytest.mark.parametrize("query", list(VALID))
def test_body_is_the_old_export_for_the_same_filters(ddata, client, query, monkeypatch):
    monkeypatch.setattr(downloads, "CSV_CHUNK_ROWS", 3)  # several chunks even here
    response = client.get(f"{ROUTE}?{query}" if query else ROUTE)
    assert response.status_code == 200, response.data[:300]
    assert response.is_streamed
    assert body_of(response.data) == expected(ddata, *VALID[query])


def test_headers_say_csv_attachment(ddata, client):
    response = client.get(f"{ROUTE}?person=Gary+Marcus")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    run_id = ddata.manifest["run_id"].lower()
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="discourse-passages-{run_id}-person-gary-marcus.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert_security_headers(response.headers)
    rows = list(csv.DictReader(io.StringIO(body_of(response.data).decode())))
    assert sorted(r["passage_id"] for r in rows) == ["d1:1", "d5:0", "d8:2"]


def test_an_empty_result_is_the_header_alone(ddata, client):
    body = body_of(client.get(f"{ROUTE}?from=2024-03&point_month=2024-02&point_topic=1").data)
    assert body == expected(ddata, Filters(start=MAR), FEB, 1)
    assert body.decode().startswith("passage_id,doc_id,date,") and body.count(b"\n") == 1


@pytest.mark.parametrize("rows_per_chunk", [1, 2, 3, 5, 7, 100])
def test_chunks_join_to_csv_text_with_the_formula_guard(rows_per_chunk):
    frame = pl.DataFrame({
        "title": ["=HYPERLINK(1)", "plain", "+1", "-x", "@a", "\tt", "\rr", None, 'q"uote'],
        "n": [1, -2, 3, 4, 5, 6, 7, 8, 9],
        "text": ["a,b", "line\nbreak", "=1+1", "ok", "", "x", "y", "z", "w"],
    })
    pieces = list(csv_chunks(frame, rows_per_chunk))
    assert b"".join(pieces) == csv_text(frame).encode()
    assert len(pieces) == 1 + -(-frame.height // rows_per_chunk)  # header + row chunks
    assert pieces[0] == b"title,n,text\n" and all(b"title," not in p for p in pieces[1:])
    assert b"'=HYPERLINK(1)" in b"".join(pieces) and b"'-x" in b"".join(pieces)


def test_hostile_corpus_text_streams_as_literal_text(hostile_app, hostile_data, monkeypatch):
    """Titles starting with '=' are neutralised in every chunk; markup stays literal."""
    monkeypatch.setattr(downloads, "CSV_CHUNK_ROWS", 1)
    client = hostile_app.server.test_client()
    body = body_of(client.get(ROUTE).data)
    data = hostile_data
    assert body == csv_text(data.passages_export(Filters())).encode()
    rows = {r["passage_id"]: r for r in csv.DictReader(io.StringIO(body.decode()))}
    assert rows["calm:0"]["title"] == "'" + hr.TITLE_2
    assert rows[f"{hr.EVIL_DOC}:2"]["text"] == f"{hr.BOB} argued for a pause {hr.SCRIPT}."


# ----------------------------------------------------------------- hostile / bad queries
@pytest.mark.parametrize("kind", sorted(INVALID))
def test_bad_queries_get_a_plain_400_naming_the_value(client, kind):
    query, message = INVALID[kind]
    response = client.get(f"{ROUTE}?{query}")
    text = response.get_data(as_text=True)
    assert response.status_code == 400, (kind, response.status_code, text[:300])
    assert response.mimetype == "text/plain"
    assert "Content-Disposition" not in response.headers
    assert text.startswith("No file was made") and message in text, text
    assert "Traceback" not in text and len(text) < 2_000
    assert "\x00" not in text
    assert_security_headers(response.headers)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_only_get(client, method):
    response = getattr(client, method)(ROUTE, data=b"person=Gary+Marcus")
    assert response.status_code == 405
    assert b"Traceback" not in response.data
    assert_security_headers(response.headers)


def test_head_and_options(client):
    head = client.head(ROUTE)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Disposition"].startswith("attachment")
    assert client.options(ROUTE).status_code in (404, 405)


def test_route_is_the_one_download_path(client):
    """Only the exact path is allowed: nothing under download/ serves anything."""
    for path in ["/download/", "/download/passages.json", "/download/../pyproject.toml",
                 "/download/passages.csv/", "/download/trends.csv", "/download"]:
        response = client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert b"[project]" not in response.data


# ------------------------------------------------------------- links and their parsing
def test_href_round_trips_through_the_parser(ddata):
    vocab = ddata.vocabulary()
    states = [
        UrlState(),
        UrlState(people=("Elon Musk", "Gary Marcus"), start="2024-02", end="2024-03",
                 sources=("Policy blog",), topics=("compute_race", "2"), q="GPUs & chips",
                 measure="share", chart="area", events=False, tab="topics"),
        UrlState(q="a=b&c=d ?#%"),
    ]
    for state in states:
        for month, topic_id, token in [(None, None, ""), (FEB, 1, "compute_race"), (MAR, 2, "2")]:
            href = passages_csv_href(ROUTE, replace(state, point_topic=token, point_month=(
                month_key(month) if month else "")))
            assert href.startswith(ROUTE)
            assert "measure" not in href and "tab=" not in href
            query = href.split("?", 1)[1] if "?" in href else ""
            wanted, problems = parse_passages_query(query, vocab)
            assert problems == [] and wanted is not None, (href, problems)
            assert wanted.month == month and wanted.topic_id == topic_id
            assert wanted.filters.people == tuple(sorted(state.people))
            assert wanted.filters.search == state.q


def test_the_point_is_the_pages_point():
    """The link's point keys are the page address's: a link and the page agree."""
    state = UrlState(point_month="2024-02", point_topic="compute_race")
    assert passages_csv_href(ROUTE, state) == \
        f"{ROUTE}?point_month=2024-02&point_topic=compute_race"
    assert passages_csv_href(ROUTE, replace(state, point_topic="")) == ROUTE  # both or neither
    assert {downloads.POINT_MONTH, downloads.POINT_TOPIC} <= set(KNOWN_KEYS)


def test_view_options_of_the_table_change_neither_link_nor_request(ddata):
    """Every view-option row of url_state.FIELDS (one without `filter_as`) is accepted by
    the route, changes nothing there, and is left out of the links."""
    vocab = ddata.vocabulary()
    views = [f for f in FIELDS if not f.is_filter and not isinstance(f, PointField)]
    assert views
    state = UrlState(people=("Gary Marcus",), topics=("2",), point_month="2024-02",
                     point_topic="2")
    def another(f):  # a value other than the default, for each kind of view option
        if isinstance(f, ChoiceField):
            return next(c for c in f.choices if c != f.default)
        if isinstance(f, MonthField):
            return month_key(vocab.months[0])
        if isinstance(f, ListField):
            return ("2",) if f.key == "line" else ("Gary Marcus", "Elon Musk")
        if isinstance(f, TopicField):
            return "2"
        if isinstance(f, IdField):
            return "d4:0"
        return not f.default
    other = replace(state, **{f.attr: another(f) for f in views})
    assert all(f.key in encode(other) for f in views)
    assert passages_csv_href(ROUTE, other) == passages_csv_href(ROUTE, state)
    wanted = [parse_passages_query(encode(s).removeprefix("?"), vocab) for s in (state, other)]
    assert wanted[0][1] == wanted[1][1] == []
    assert [replace(w[0], state=None) for w in wanted] == [replace(wanted[0][0], state=None)] * 2


def test_the_header_block_records_run_filters_point_and_address(ddata, client):
    query = "person=Elon+Musk&q=GPUs&tab=people&point_month=2024-02&point_topic=compute_race"
    response = client.get(f"{ROUTE}?{query}")
    text = response.get_data(as_text=True)
    header = [line for line in text.splitlines() if line.startswith("#")]
    run_id = ddata.manifest["run_id"]
    assert header[:5] == [
        "# AI-regulation discourse dashboard: passages (the grid's rows, newest first)",
        f"# run: {run_id} (corpus {', '.join(ddata.manifest['corpus'])}, built "
        f"{ddata.manifest['finished_at']}, illustrative briefs)",
        "# filters: person = Elon Musk; q = GPUs",
        "# chart point: compute_race in 2024-02",
        "# address: ?person=Elon+Musk&q=GPUs&point_month=2024-02&point_topic=compute_race"
        "&tab=people",
    ]
    assert header[-1].startswith("# read with: polars.read_csv(path, comment_prefix=")
    frame = pl.read_csv(io.BytesIO(response.data), comment_prefix="#")
    assert frame["passage_id"].to_list() == ["d4:0"]
    assert response.headers["Content-Disposition"].endswith(
        f'discourse-passages-{run_id.lower()}-person-elon-musk_q-gpus_point-month-2024-02'
        '_point-topic-compute-race.csv"')
