"""Hostile requests to the callback endpoint: never a 500, never a traceback.

Requests are built from the app's own callback map (GET /_dash-dependencies), as the Dash
renderer builds them, through Flask's test client. Two layers are checked separately:

* a well-formed request carrying absurd *values* (wrong types, NaN, 10,000-element lists,
  ~1 MB strings, unknown people / topics / passages, out-of-range months) is handled by the
  callback itself: 200 with real outputs or 204 (nothing to update), never the 400 of the
  last-resort error handler, so a callback that raised would fail these tests;
* a malformed *request* (not JSON, wrong shape, unknown callback, inputs that do not match
  the callback, oversized body) is refused with a 4xx before any callback runs.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from dash import Input, Output

from dashboard import ids
from dashboard.security import MAX_BODY_BYTES, callback_outputs, update_body
from dashboard.url_fields import MAX_LIST_VALUES

UPDATE = "/_dash-update-component"

# A valid value for every input / state of every callback (the fixture run's page).
DEFAULT_STORE = {"people": [], "said_by": [], "start": None, "end": None, "sources": [], "topics": [],
                 "q": "", "point_month": "", "point_topic": "", "measure": "passages",
                 "chart": "lines", "events": True, "lines": [], "tab": "trends",
                 "explore": "", "rise_month": "", "compare": [], "pair": [], "passage": ""}
BASELINE: dict[str, Any] = {
    f"{ids.URL}.search": "", f"{ids.PEOPLE}.value": [], f"{ids.SAID_BY}.value": [],
    f"{ids.MONTHS}.value": [0, 3],
    f"{ids.SOURCES}.value": [], f"{ids.TOPICS}.value": [], f"{ids.SEARCH}.value": "",
    f"{ids.MEASURE}.value": "passages", f"{ids.CHART}.value": "lines",
    f"{ids.EVENTS}.checked": True, f"{ids.TABS}.value": "trends",
    f"{ids.FILTERS}.data": DEFAULT_STORE, f"{ids.TOPIC_SELECT}.value": "0",
    f"{ids.TREND_CSV_BUTTON}.n_clicks": 1, f"{ids.POINT}.data": None,
    f"{ids.GRID}.cellClicked": {"rowId": "d1:0", "colId": "text"},
    f"{ids.RISE_MONTH}.value": None,
    f"{ids.RISE_GRAPH}.clickData": {"points": [{"customdata": [1]}]},
    f"{ids.NETWORK_GRAPH}.clickData": {"points": [{"customdata": ["Elon Musk"]}]},
    f"{ids.COMPARE_PEOPLE}.value": [],
    f"{ids.COMPARE_CSV_BUTTON}.n_clicks": 1,
    f"{ids.NETWORK_PAIR}.value": [],
    f"{ids.TREND_SHOWN}.data": DEFAULT_STORE,
    f"{ids.COPY_LINK}.n_clicks": 1,
    f"{ids.GRID}.getRowsRequest": {"startRow": 0, "endRow": 100, "sortModel": [],
                                   "filterModel": {}},
    f"{ids.TREND_LINES}.data": [], f"{ids.DOC_OPEN}.data": "", f"{ids.GRID_KEY}.data": "",
    f"{ids.DOC_DRAWER}.opened": False, f"{ids.GRID_MOUNT}.data": True, f"{ids.MONTHS_SETTLED}.data": [0, 3],
}
HEATMAP_CLICK, RISE_CLICK = f"{ids.URL}<-{ids.HEATMAP}", f"{ids.URL}<-{ids.RISE_GRAPH}"
NETWORK_CLICK = f"{ids.URL}<-{ids.NETWORK_GRAPH}"
ROW_CLICK = f"{ids.DOC_OPEN}<-{ids.GRID}"  # a grid row click opens its document
RISE_MARKS = f"{ids.TREND_GRAPH}<-{ids.TREND_SHOWN}"

NAN, INF = float("nan"), float("inf")
HOSTILE_VALUES: dict[str, Any] = {
    "null": None,
    "empty-string": "",
    "string-900k": "x" * 900_000,  # just under the 1 MB body cap
    "markup": "<script>window.__pwned=1</script>",
    "list-10k-strings": ["Nobody"] * 10_000,
    "list-10k-ints": list(range(10_000)),
    "dict": {"a": {"b": [1, 2, {"c": None}]}},
    "negative": -1,
    "huge-int": 10**30,
    "nan": NAN,
    "infinity": INF,
    "neg-float": -1e308,
    "bool": True,
    "nested-lists": [[[[[]]]]],
    "click-garbage": {"points": [{"x": 1e308, "y": "NaN", "customdata": [NAN] * 9,
                                  "curveNumber": -1}]},
    "click-points-string": {"points": "abc"},
    "click-unknown-topic": {"points": [{"x": 0, "y": 0, "customdata": [
        99, "x", 1, 1, "1%", "", "Jan 2024", "2024-01-01"]}]},
    "click-month-out-of-range": {"points": [{"customdata": [
        0, "x", 1, 1, "1%", "", "Jan 1999", "1999-01-01"]}]},
    "row-garbage": {"rowId": ["d1:0"], "colId": {"x": 1}},
    "row-unknown": {"rowId": "no-such-doc:0", "colId": "text"},
    "store-garbage": {"people": ["Nobody"] * 10_000, "start": {"y": 1}, "end": -5,
                      "q": ["x"], "measure": 5, "topics": [NAN, INF, "9999"],
                      "month": {"x": 1}, "topic_id": "1e400", "key": ""},
    "month-dict": {"year": 2024, "month": 13},
    "month-range-nan": [NAN, INF],
    "month-range-strings": ["2024-01", "2024-99"],
}


@pytest.fixture(scope="module")
def deps(client) -> dict[str, dict]:
    """Callback map by a short name: the first output's component id (for the callbacks that
    write the address, "url<-" and the id of the input that does)."""
    def name(dep: dict) -> str:
        first = callback_outputs(dep["output"])[0][0]
        return f"{first}<-{dep['inputs'][0]['id']}" if (first == ids.URL or "@" in dep["output"]) \
            and len(dep["inputs"]) == 1 else first
    return {name(d): d for d in client.get("/_dash-dependencies").get_json()
            if not d.get("clientside_function")}  # those run in the browser only


def post(client, body: Any, content_type: str = "application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)  # NaN stays NaN
    return client.post(UPDATE, data=data, content_type=content_type)


def outputs_of(response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)["response"]


def assert_handled(response) -> None:
    """Handled by the callback itself: outputs, possibly none (200), or 204."""
    assert response.status_code in (200, 204), (response.status_code, response.data[:300])
    assert b"Traceback" not in response.data
    if response.status_code == 200:
        assert isinstance(json.loads(response.data)["response"], dict)


CALLBACKS = [ids.PEOPLE, ids.TREND_GRAPH, ids.HEATMAP, ids.SAID_GRAPH, ids.TOPIC_SELECT, ids.TOPIC_DETAILS, ids.TOPIC_SIZES,
             ids.POINT, ids.GRID, ids.GRID_SLOT, ids.GRID_TITLE, ids.TREND_CSV, ids.PASSAGES_CSV_LINK, ids.DOC_DRAWER, ids.DOC_OPEN,
             ids.RISE_GRAPH, ids.NETWORK_GRAPH, ids.COMPARE_BODY, ids.COMPARE_WORDS, ids.COMPARE_CSV, ids.NETWORK_PASSAGES, RISE_MARKS, ids.COPY_LINK, HEATMAP_CLICK, RISE_CLICK,
             NETWORK_CLICK, ROW_CLICK]  # clicks that write the address


def test_every_callback_is_covered(deps):
    assert sorted(deps) == sorted(CALLBACKS)


# ------------------------------------------------------------ normal requests: real outputs
def test_person_filter_from_the_control(client, deps):
    dep = deps[ids.PEOPLE]
    values = dict(BASELINE, **{f"{ids.PEOPLE}.value": ["Elon Musk"]})
    out = outputs_of(post(client, update_body(dep, values, [f"{ids.PEOPLE}.value"])))
    assert out[ids.FILTERS]["data"]["people"] == ["Elon Musk"]
    assert out[ids.URL]["search"] == "?person=Elon+Musk"
    assert out[ids.MONTHS_LABEL]["children"] == "Jan 2024 – Apr 2024"


def test_said_by_filter_from_the_control_and_the_address(client, deps):
    dep = deps[ids.PEOPLE]
    values = dict(BASELINE, **{f"{ids.SAID_BY}.value": ["Gary Marcus", "Nobody", 5]})
    out = outputs_of(post(client, update_body(dep, values, [f"{ids.SAID_BY}.value"])))
    assert out[ids.FILTERS]["data"]["said_by"] == ["Gary Marcus"]
    assert out[ids.URL]["search"] == "?said_by=Gary+Marcus"
    assert "Nobody" in json.dumps(out[ids.NOTICES]["children"])
    values = dict(BASELINE, **{f"{ids.URL}.search": "?said_by=Gary+Marcus&said_by=Nobody"})
    out = outputs_of(post(client, update_body(dep, values, [f"{ids.URL}.search"])))
    assert out[ids.SAID_BY]["value"] == ["Gary Marcus"]
    assert "Ignored unknown said_by" in json.dumps(out[ids.NOTICES]["children"])


@pytest.mark.parametrize("store", [
    dict(DEFAULT_STORE, tab="said", said_by=["Gary Marcus"]),
    dict(DEFAULT_STORE, tab="said", people=["Elon Musk"], said_by=["Nobody"] * 10_000),
    dict(DEFAULT_STORE, tab="said"),
    dict(HOSTILE_VALUES["store-garbage"], tab="said", said_by={"x": [None]}),
])
def test_said_vs_named_on_its_tab(client, deps, store):
    values = dict(BASELINE, **{f"{ids.FILTERS}.data": store})
    out = outputs_of(post(client, update_body(deps[ids.SAID_GRAPH], values,
                                              [f"{ids.FILTERS}.data"])))
    assert set(out) == {ids.SAID_GRAPH, ids.SAID_NOTE}


def test_copy_link_copies_the_views_canonical_address(client, deps):
    """The link is rebuilt from the validated state (unknown values dropped), never echoed."""
    dep = deps[ids.COPY_LINK]
    store = dict(DEFAULT_STORE, people=["Gary Marcus", "Nobody Known"], tab="people", q="pause")
    values = dict(BASELINE, **{f"{ids.FILTERS}.data": store})
    out = outputs_of(post(client, update_body(dep, values, [f"{ids.COPY_LINK}.n_clicks"])))
    assert out[ids.COPY_LINK]["content"] == "http://localhost/?person=Gary+Marcus&q=pause&tab=people"


def test_heatmap_cell_click_writes_the_address(client, deps):
    """A click on a cell (x: topic column, y: person row, least active first) becomes a
    URL query, which the filters callback then carries to the controls (test above)."""
    dep = deps[HEATMAP_CLICK]
    store = dict(DEFAULT_STORE, q="pause", tab="people")
    cell = {"points": [{"x": 0, "y": 1}]}  # under q=pause: rows MV, GM, EM; one column: pause
    values = dict(BASELINE, **{f"{ids.HEATMAP}.clickData": cell, f"{ids.FILTERS}.data": store})
    out = outputs_of(post(client, update_body(dep, values, [f"{ids.HEATMAP}.clickData"])))
    assert list(out[ids.URL].values()) == ["?person=Gary+Marcus&topic=pause_letter&q=pause"]
    unknown = dict(values, **{f"{ids.HEATMAP}.clickData": {"points": [{"x": 9, "y": 0}]}})
    response = post(client, update_body(dep, unknown, [f"{ids.HEATMAP}.clickData"]))
    assert response.status_code == 204 or not outputs_of(response)  # nothing changes


def sync(client, deps, changes: dict[str, Any], store: dict) -> dict:
    """The URL sync callback's outputs after a control changed (`changes`), the controls
    otherwise showing `store` (the topic filter, the point and the open passage)."""
    shown = {f"{ids.TOPICS}.value": store["topics"], f"{ids.DOC_OPEN}.data": store["passage"],
             f"{ids.POINT}.data": {"month": store["point_month"], "topic": store["point_topic"]}}
    values = {**BASELINE, **shown, **changes, f"{ids.FILTERS}.data": store}
    return outputs_of(post(client, update_body(deps[ids.PEOPLE], values, list(changes))))


def test_a_point_and_a_document_go_through_the_address(client, deps):
    """A click on a trend point and a click on a grid row each write a URL control; the
    state (and the address) carry them to the grid, its CSV link and the document."""
    store = dict(DEFAULT_STORE, topics=["compute_race"])
    point = {"points": [{"customdata": [1, "Compute race", 3, 5, "60%", "", "Feb 2024",
                                        "2024-02-01"]}]}
    values = dict(BASELINE, **{f"{ids.TREND_GRAPH}.clickData": point})
    picked = outputs_of(post(client, update_body(deps[ids.POINT], values,
                                                 [f"{ids.TREND_GRAPH}.clickData"])))
    point_data = picked[ids.POINT]["data"]
    assert point_data == {"month": "2024-02", "topic": "compute_race"}
    synced = sync(client, deps, {f"{ids.POINT}.data": point_data}, store)
    assert synced[ids.URL]["search"] == \
        "?topic=compute_race&point_month=2024-02&point_topic=compute_race"
    with_point = synced[ids.FILTERS]["data"]
    assert synced[ids.GRID_KEY]["data"].endswith("#2024-02:compute_race")
    grid = outputs_of(post(client, update_body(
        deps[ids.GRID], dict(BASELINE, **{f"{ids.FILTERS}.data": with_point}),
        [f"{ids.GRID}.getRowsRequest"])))[ids.GRID]["getRowsResponse"]
    assert sorted(r["passage_id"] for r in grid["rowData"]) == ["d3:1", "d4:0", "d4:1"]
    assert grid["rowCount"] == 3
    heading = outputs_of(post(client, update_body(
        deps[ids.GRID_TITLE], dict(BASELINE, **{f"{ids.FILTERS}.data": with_point}),
        [f"{ids.GRID_KEY}.data"])))
    assert heading[ids.GRID_TITLE]["children"].endswith("Compute race · February 2024")
    count = heading[ids.GRID_COUNT]["children"]
    assert count[0] == "3 passages" and count[2] == (
        "Most named: Elon Musk (1). Sources: Policy blog (2), Newswire (1).")
    # a filter change drops the point: it was clicked under other filters
    later = sync(client, deps, {f"{ids.SEARCH}.value": "GPUs"}, with_point)
    assert later[ids.URL]["search"] == "?topic=compute_race&q=GPUs"
    # a row click opens its document, and the address keeps it
    opened = outputs_of(post(client, update_body(
        deps[ROW_CLICK], dict(BASELINE, **{f"{ids.GRID}.cellClicked": {"rowId": "d4:0"}}),
        [f"{ids.GRID}.cellClicked"])))
    assert opened[ids.DOC_OPEN]["data"] == "d4:0"
    synced = sync(client, deps, {f"{ids.DOC_OPEN}.data": "d4:0"}, with_point)
    assert synced[ids.URL]["search"].endswith("&passage=d4%3A0")
    assert ids.GRID_KEY not in synced  # the grid's question did not change
    doc = outputs_of(post(client, update_body(
        deps[ids.DOC_DRAWER], dict(BASELINE, **{f"{ids.FILTERS}.data": synced[ids.FILTERS]["data"]}),
        [f"{ids.FILTERS}.data"])))
    assert doc[ids.DOC_DRAWER] == {"opened": True, "title": "Document d4"}
    closed = outputs_of(post(client, update_body(
        deps[ids.DOC_OPEN], dict(BASELINE, **{f"{ids.DOC_DRAWER}.opened": False}),
        [f"{ids.DOC_DRAWER}.opened"])))
    assert closed[ids.DOC_OPEN]["data"] == ""


def test_csv_link_follows_filters_and_point(ddata, client, deps):
    """The link's href carries the filters and the clicked point; the route then streams
    exactly the rows the grid lists for them."""
    from datetime import date

    from dashboard.data import Filters, csv_text
    from dashboard.exports import strip_header

    data = ddata
    store = dict(DEFAULT_STORE, people=["Elon Musk"], topics=["compute_race"], q="GPUs",
                 measure="share", tab="people")

    def href(point_month="", point_topic=""):
        values = {f"{ids.FILTERS}.data": dict(store, point_month=point_month,
                                              point_topic=point_topic),
                  f"{ids.GRID_KEY}.data": "x"}
        out = outputs_of(post(client, update_body(deps[ids.PASSAGES_CSV_LINK], values,
                                                  [f"{ids.GRID_KEY}.data"])))
        return out[ids.PASSAGES_CSV_LINK]["href"]

    f = Filters(people=("Elon Musk",), topics=(1,), search="GPUs")
    assert href() == "/download/passages.csv?person=Elon+Musk&topic=compute_race&q=GPUs"
    assert strip_header(client.get(href()).get_data(as_text=True)) == csv_text(
        data.passages_export(f))
    with_point = href("2024-02", "compute_race")
    assert with_point.endswith("&q=GPUs&point_month=2024-02&point_topic=compute_race")
    body = strip_header(client.get(with_point).get_data(as_text=True))
    assert body == csv_text(data.passages_export(f, date(2024, 2, 1), 1))
    assert body.count("\n") == 2 and "\nd4:0," in body  # header + the GPU passage


def test_ten_thousand_people_give_a_visible_notice(client, deps):
    dep = deps[ids.PEOPLE]
    values = dict(BASELINE, **{f"{ids.PEOPLE}.value": ["Elon Musk"] + ["Nobody"] * 9_999})
    response = post(client, update_body(dep, values, [f"{ids.PEOPLE}.value"]))
    out = outputs_of(response)
    assert out[ids.FILTERS]["data"]["people"] == ["Elon Musk"]  # the known one is kept
    notice = json.dumps(out[ids.NOTICES]["children"])
    assert f"Too many people values (10,000); only the first {MAX_LIST_VALUES}" in notice
    assert "Ignored unknown person" in notice and "Nobody" in notice


def test_malformed_month_range_gives_a_notice(client, deps):
    dep = deps[ids.PEOPLE]
    values = dict(BASELINE, **{f"{ids.MONTHS}.value": [NAN, INF]})
    out = outputs_of(post(client, update_body(dep, values, [f"{ids.MONTHS_SETTLED}.data"])))
    assert "Ignored the month range" in json.dumps(out[ids.NOTICES]["children"])
    assert out[ids.FILTERS]["data"]["start"] is None  # the whole corpus


def test_unknown_topic_and_passage_are_ignored(client, deps):
    topic = post(client, update_body(deps[ids.TOPIC_DETAILS], dict(BASELINE, **{
        f"{ids.TOPIC_SELECT}.value": "9999", f"{ids.FILTERS}.data": dict(DEFAULT_STORE, tab="topics")}),
        [f"{ids.TOPIC_SELECT}.value"]))
    assert "Unknown topic." in json.dumps(outputs_of(topic))
    unknown = dict(DEFAULT_STORE, passage="x:0")
    doc = post(client, update_body(deps[ids.DOC_DRAWER],
                                    dict(BASELINE, **{f"{ids.FILTERS}.data": unknown}),
                                    [f"{ids.FILTERS}.data"]))
    assert outputs_of(doc) == {}  # nothing to open (it is closed): every output left as it is


# ------------------------------------------------------- hostile values: handled, no 500
@pytest.mark.parametrize("kind", sorted(HOSTILE_VALUES))
@pytest.mark.parametrize("callback", CALLBACKS)
def test_hostile_values_are_handled_by_the_callback(client, deps, callback, kind):
    """Each input and state of the callback in turn gets the hostile value."""
    dep = deps[callback]
    value = HOSTILE_VALUES[kind]
    for item in dep["inputs"] + dep["state"]:
        key = f"{item['id']}.{item['property']}"
        values = dict(BASELINE, **{key: value})
        changed = [key] if item in dep["inputs"] else [
            f"{i['id']}.{i['property']}" for i in dep["inputs"][:1]]
        response = post(client, update_body(dep, values, changed))
        assert_handled(response)


# ---------------------------------------------------- malformed requests: 4xx, no callback
def _valid(deps) -> dict:
    on_its_tab = dict(BASELINE, **{f"{ids.FILTERS}.data": dict(DEFAULT_STORE, tab="people")})
    return update_body(deps[ids.HEATMAP], on_its_tab, [f"{ids.FILTERS}.data"])


MALFORMED: dict[str, Any] = {
    "not-json": b"{not json",
    "empty-body": b"",
    "json-list": b"[]",
    "json-null": b"null",
    "json-string": b'"hello"',
    "deep-nesting": b"[" * 100_000 + b"]" * 100_000,
    "unknown-output": lambda d: dict(_valid(d), output="nope.children",
                                     outputs={"id": "nope", "property": "children"}),
    "output-not-string": lambda d: dict(_valid(d), output=["x"]),
    "output-1mb-id": lambda d: dict(_valid(d), output="x" * 900_000),
    "missing-inputs": lambda d: {k: v for k, v in _valid(d).items() if k != "inputs"},
    "inputs-dict": lambda d: dict(_valid(d), inputs={"id": ids.FILTERS, "property": "data"}),
    "inputs-other-component": lambda d: dict(_valid(d), inputs=[
        {"id": ids.PEOPLE, "property": "value", "value": []}]),
    "inputs-10k": lambda d: dict(_valid(d), inputs=[
        {"id": ids.FILTERS, "property": "data", "value": None}] * 10_000),
    "inputs-id-not-string": lambda d: dict(_valid(d), inputs=[
        {"id": {"type": "x"}, "property": "data"}]),
    "state-on-stateless-callback": lambda d: dict(_valid(d), state=[
        {"id": ids.POINT, "property": "data"}]),
    "outputs-mismatch": lambda d: dict(_valid(d), outputs={"id": ids.URL, "property": "search"}),
    "changed-not-list": lambda d: dict(_valid(d), changedPropIds="filters-store.data"),
    "changed-unknown": lambda d: dict(_valid(d), changedPropIds=["nope.value"]),
    "changed-number": lambda d: dict(_valid(d), changedPropIds=[123]),
    "changed-10k": lambda d: dict(_valid(d), changedPropIds=[f"{ids.FILTERS}.data"] * 10_000),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_requests_get_400(client, deps, kind):
    body = MALFORMED[kind]
    response = post(client, body(deps) if callable(body) else body)
    assert response.status_code == 400, (response.status_code, response.data[:200])
    assert b"Traceback" not in response.data and len(response.data) < 500
    assert "error" in json.loads(response.data)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_oversized_body_gets_413(client, deps):
    body = update_body(deps[ids.PEOPLE], dict(BASELINE, **{
        f"{ids.SEARCH}.value": "x" * (MAX_BODY_BYTES + 1)}), [f"{ids.SEARCH}.value"])
    response = post(client, body)
    assert response.status_code == 413
    assert b"Traceback" not in response.data
    assert response.headers["X-Frame-Options"] == "DENY"


def test_wrong_content_type_and_method(client, deps):
    assert post(client, json.dumps(_valid(deps)), "text/plain").status_code == 415
    assert client.get(UPDATE).status_code in (404, 405)
    assert client.put(UPDATE, json=_valid(deps)).status_code == 405


def test_valid_request_passes_the_check(client, deps):
    """The malformed cases above are all variations of this accepted request."""
    out = outputs_of(post(client, _valid(deps)))
    assert out[ids.HEATMAP]["figure"]["data"][0]["type"] == "heatmap"


# ----------------------------------------------- the last resort: exceptions become a 400
def test_an_exception_in_a_callback_is_logged_and_answered_with_400(
        fixture_run, events_csv, caplog):
    from dashboard.app import create_app

    app = create_app(fixture_run, events_path=events_csv)

    @app.callback(Output("probe-out", "children"), Input("probe-in", "n_clicks"))
    def explode(_n):
        raise RuntimeError("secret detail of the failure")

    client = app.server.test_client()
    with caplog.at_level(logging.ERROR, logger="dashboard.security"):
        response = post(client, {
            "output": "probe-out.children", "outputs": {"id": "probe-out", "property": "children"},
            "inputs": [{"id": "probe-in", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["probe-in.n_clicks"]})
    assert response.status_code == 400
    assert json.loads(response.data) == {"error": "This request could not be handled."}
    assert b"secret detail" not in response.data and b"Traceback" not in response.data
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and "secret detail of the failure" in str(logged[0].exc_info[1])


def grid_block(client, deps, request: dict, store: dict | None = None) -> dict:
    values = dict(BASELINE, **{f"{ids.GRID}.getRowsRequest": request,
                               f"{ids.FILTERS}.data": store or DEFAULT_STORE})
    out = outputs_of(post(client, update_body(deps[ids.GRID], values,
                                              [f"{ids.GRID}.getRowsRequest"])))
    return out[ids.GRID]["getRowsResponse"]


def test_grid_pages_and_sorts_the_whole_result(ddata, client, deps):
    """Each request gets the asked block of the whole result under the asked sort, and the
    size of the whole result: pages put together are every matching passage once."""
    from dashboard.data import Filters

    whole = ddata.passages(Filters(), limit=1000, marks=False).rows
    pages = [grid_block(client, deps, {"startRow": a, "endRow": a + 7, "sortModel": []})
             for a in range(0, 21, 7)]
    assert {p["rowCount"] for p in pages} == {whole.height} == {20}
    newest_first = [r["passage_id"] for p in pages for r in p["rowData"]]
    assert newest_first == whole["passage_id"].to_list()  # the CSV's order
    by_title = grid_block(client, deps, {"startRow": 0, "endRow": 100,
                                         "sortModel": [{"colId": "title", "sort": "asc"}]})
    titles = [r["title"].lower() for r in by_title["rowData"]]
    assert titles == sorted(titles) and len(titles) == 20
    oldest = grid_block(client, deps, {"startRow": 0, "endRow": 1,
                                       "sortModel": [{"colId": "date", "sort": "asc"}]})
    assert oldest["rowData"][0]["date"] == min(str(d) for d in whole["date"].to_list())
    marcus = grid_block(client, deps, {"startRow": 0, "endRow": 100},
                        dict(DEFAULT_STORE, people=["Gary Marcus"]))
    assert marcus["rowCount"] == 3 and all("Gary Marcus" in r["people"] for r in marcus["rowData"])


@pytest.mark.parametrize("request_value", [
    {"startRow": -5, "endRow": 10**12}, {"startRow": 50, "endRow": 10}, {"startRow": "x"},
    {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "text", "sort": "asc"}]},
    {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "title", "sort": "sideways"}]},
    {"startRow": 0, "endRow": 100, "sortModel": "title"}, None])
def test_grid_odd_requests_get_the_first_block_newest_first(client, deps, request_value):
    block = grid_block(client, deps, request_value)
    expected = grid_block(client, deps, {"startRow": 0, "endRow": 100})
    assert block == expected and len(block["rowData"]) == 20


def test_the_grid_is_mounted_in_its_slot_when_the_first_chart_is_drawn(client, deps):
    out = outputs_of(post(client, update_body(deps[ids.GRID_SLOT], BASELINE,
                                              [f"{ids.GRID_MOUNT}.data"])))
    grid = out[ids.GRID_SLOT]["children"]
    assert (grid["type"], grid["namespace"]) == ("AgGrid", "dash_ag_grid")
    assert grid["props"]["id"] == ids.GRID and grid["props"]["rowModelType"] == "infinite"


def test_grid_heading_and_csv_link(client, deps):
    from dashboard.exports import strip_header

    out = outputs_of(post(client, update_body(deps[ids.GRID_TITLE], BASELINE,
                                              [f"{ids.GRID_KEY}.data"])))
    assert out[ids.GRID_TITLE]["children"] == "Passages matching the filters"
    assert out[ids.GRID_COUNT]["children"] == "20 passages"
    link = outputs_of(post(client, update_body(
        deps[ids.PASSAGES_CSV_LINK], BASELINE, [f"{ids.GRID_KEY}.data"])))
    href = link[ids.PASSAGES_CSV_LINK]["href"]
    assert href == "/download/passages.csv"
    body = strip_header(client.get(href).get_data(as_text=True))
    assert body.count("\n") == 21  # the column names + every row


def test_grid_count_wording():
    from dashboard.features.passages import grid_count
    from dashboard.data import EXPORT_LIMIT

    assert grid_count(1) == "1 passage" and grid_count(0) == "0 passages"
    assert grid_count(20) == "20 passages"
    assert grid_count(1_234) == ("1,234 passages. Page through them below, or sort by any "
                                 "column. The CSV has all 1,234 of them.")
    assert grid_count(EXPORT_LIMIT + 1).endswith(f"The CSV has the newest {EXPORT_LIMIT:,}.")


@pytest.mark.parametrize(("callback", "tab"), [(ids.RISE_GRAPH, "rises"),
                                               (ids.NETWORK_GRAPH, "network"),
                                               (ids.COMPARE_BODY, "compare"),
                                               (ids.HEATMAP, "people"),
                                               (ids.TOPIC_DETAILS, "topics"),
                                               (ids.TOPIC_SIZES, "topics")])
def test_views_compute_only_when_their_tab_is_open(client, deps, callback, tab):
    dep = deps[callback]
    hidden = post(client, update_body(dep, BASELINE, [f"{ids.FILTERS}.data"]))
    assert hidden.status_code == 204  # a filter change on another tab costs them nothing
    trend = post(client, update_body(deps[ids.TREND_GRAPH], dict(BASELINE, **{
        f"{ids.FILTERS}.data": dict(DEFAULT_STORE, tab=tab)}), [f"{ids.FILTERS}.data"]))
    assert trend.status_code == 204  # nor does the trend chart while this tab is open
    shown = dict(BASELINE, **{f"{ids.FILTERS}.data": dict(
        DEFAULT_STORE, tab=tab, compare=["Elon Musk", "Gary Marcus"])})
    out = outputs_of(post(client, update_body(dep, shown, [f"{ids.FILTERS}.data"])))
    assert callback in out
