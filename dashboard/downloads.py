"""The passages CSV as a streamed file download: `GET /download/passages.csv?<query>`.

The query is the page URL's state, read by `url_state.decode` from the same field table
(dashboard/url_state.py, FIELDS): its filter rows (person, said_by, from, to, source,
topic, q)
choose the rows; the clicked trend point (`point_month`, `point_topic`), when there is
one, narrows them to its month and topic; the other view options (measure, chart, tab...)
are accepted and do not change the file. Links carry the filters and the point alone:

    /download/passages.csv?person=Elon+Musk&from=2024-02&point_month=2024-03&point_topic=12

`point_topic` is a topic token as in `topic=` (a theme key, or a discovered topic's id)
naming exactly one topic; `point_month` a corpus month written as YYYY-MM; both or neither.

The page drops what it cannot use and says so in a notice; a download has no place for a
notice, so here every value the page would drop makes the request a 400 with a plain-text
message naming it: a file never silently answers other filters than its link asks for.
The links the app builds (`passages_csv_href`, set by a callback) are always valid.

The file is the header block of dashboard/exports.py (run, filters, point, the address)
then `csv_text(data.passages_export(filters, month, topic_id))`, byte for byte, and is
named after the run and the filters (`export_filename`). The frame is built before the
response starts (a failure is a clean 500, never a truncated
file), then encoded and sent CSV_CHUNK_ROWS rows at a time, the header once. The generator
reads only that immutable frame, not the request, so it needs no request context
(`stream_with_context`); DiscourseData is safe to query from waitress's threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import dash
import polars as pl
from flask import Response, request

from dashboard.data import DiscourseData, Filters, Vocabulary, csv_text
from dashboard.exports import export_filename, export_header
from dashboard.url_fields import month_of
from dashboard.url_state import MAX_QUERY_CHARS, UrlState, decode, filter_key, to_filters

PASSAGES_CSV_ROUTE = "download/passages.csv"  # under the app's routes prefix ("/")
PASSAGES_TITLE = "passages (the grid's rows, newest first)"
CSV_CHUNK_ROWS = 2_000  # rows encoded and sent at a time (about 1 MB at 500 bytes a row)
POINT_MONTH, POINT_TOPIC = "point_month", "point_topic"


@dataclass(frozen=True)
class PassagesRequest:
    """What one download asks for: the filters and the drill-down point, if any."""

    filters: Filters
    month: date | None = None
    topic_id: int | None = None
    state: UrlState = UrlState()  # the validated query, for the file's name and header


def passages_csv_href(base: str, state: UrlState) -> str:
    """The download link of what the grid lists for `state`: its filters and its point."""
    query = filter_key(state).removeprefix("?")
    if state.point_month and state.point_topic:
        point = urlencode([(POINT_MONTH, state.point_month), (POINT_TOPIC, state.point_topic)])
        query = f"{query}&{point}" if query else point
    return f"{base}?{query}" if query else base


def parse_passages_query(query: str, vocab: Vocabulary
                         ) -> tuple[PassagesRequest | None, list[str]]:
    """(request, problems) of a download's query string; the request is None when any
    value could not be used (the problems say which)."""
    if len(query) > MAX_QUERY_CHARS:
        return None, [f"The query is longer than {MAX_QUERY_CHARS:,} characters."]
    state, problems = decode(query, vocab)
    if problems:
        return None, problems
    month = month_of(state.point_month) if state.point_month else None
    topic_id = vocab.topic_tokens[state.point_topic][0] if state.point_topic else None
    return PassagesRequest(to_filters(state, vocab), month, topic_id, state), []


def csv_chunks(frame: pl.DataFrame, rows_per_chunk: int) -> Iterator[bytes]:
    """`csv_text(frame)` as UTF-8 pieces: the header, then `rows_per_chunk` rows at a time
    (each piece through `csv_text`, so the formula-injection guard applies, header cut)."""
    header = csv_text(frame.clear())
    yield header.encode("utf-8")
    for start in range(0, frame.height, rows_per_chunk):
        text = csv_text(frame.slice(start, rows_per_chunk))
        if not text.startswith(header):  # cannot happen: same columns, same names
            raise RuntimeError("CSV chunk without the expected header")
        yield text[len(header):].encode("utf-8")


def bad_request(problems: list[str]) -> Response:
    """A 400 with a short plain-text list of what was wrong."""
    lines = ["No file was made: the dashboard would drop or change these values of the "
             "download link, so the file would not match it."]
    lines += [f"- {p}" for p in problems[:12]]
    if len(problems) > 12:
        lines.append(f"- … and {len(problems) - 12:,} more.")
    return Response("\n".join(lines) + "\n", status=400, mimetype="text/plain")


def register_passages_csv(app: dash.Dash, data: DiscourseData) -> str:
    """Add the download route to `app`'s Flask server (GET only); returns its rule."""
    vocab = data.vocabulary()
    rule = app.config.routes_pathname_prefix + PASSAGES_CSV_ROUTE

    def passages_csv() -> Response:
        query = request.query_string.decode("utf-8", "replace")
        wanted, problems = parse_passages_query(query, vocab)
        if wanted is None:
            return bad_request(problems)
        frame = data.passages_export(wanted.filters, wanted.month, wanted.topic_id)
        header = export_header(PASSAGES_TITLE, data.manifest, wanted.state).encode("utf-8")
        name = export_filename("passages", data.manifest.get("run_id", ""), wanted.state)
        return Response(chain([header], csv_chunks(frame, CSV_CHUNK_ROWS)),
                        mimetype="text/csv", headers={
                            "Content-Disposition": f'attachment; filename="{name}"',
                            "Cache-Control": "no-store"})

    app.server.add_url_rule(rule, endpoint="passages_csv", view_func=passages_csv,
                            methods=["GET"], provide_automatic_options=False)
    return rule
