"""The app in headless Chromium (dash[testing]'s dash_duo). Run with `pytest --headless`."""

from __future__ import annotations

import io
import time
from pathlib import Path

import polars as pl
import pytest
import requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

import fixture_run as fx
from dashboard.data import Filters, csv_text
from dashboard.exports import strip_header
from dashboard import ids

pytestmark = pytest.mark.browser

TREND_DATA_JS = """
const gd = document.querySelector('#trend-graph .js-plotly-plot');
if (!gd || !gd.data) return null;
return gd.data.filter(t => t.meta && t.meta.topic_id !== undefined)
              .map(t => ({name: t.name, x: t.x, y: t.y}));
"""


def wait_until(predicate, timeout: float = 10, message: str = "condition"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = predicate()
        except Exception:  # the page may be mid-render
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


def trend_series(dash_duo) -> dict[str, list]:
    traces = dash_duo.driver.execute_script(TREND_DATA_JS) or []
    return {t["name"]: list(t["y"]) for t in traces}


def open_app(dash_duo, app, query: str = "") -> None:
    """Start the app at `query` and wait for the trend chart (only the open tab computes:
    on another tab, wait for the grid's count instead)."""
    dash_duo.start_server(app)
    if query:
        dash_duo.driver.get(dash_duo.server_url + "/" + query)
    if "tab=" in query and "tab=trends" not in query:
        wait_until(lambda: dash_duo.find_element(f"#{ids.GRID_COUNT}").text, timeout=15,
                   message="the page")
    else:
        dash_duo.wait_for_element(f"#{ids.TREND_GRAPH} .scatterlayer .trace", timeout=15)


SELECTED_JS = """
const gd = document.querySelector('#trend-graph .js-plotly-plot');
const ring = gd && gd.data && gd.data.find(t => t.meta && t.meta.selected);
return ring ? {x: ring.x.map(String).map(v => v.slice(0, 10)), y: ring.y} : null;
"""

GRID_IDS_JS = """
const api = window.dash_ag_grid && window.dash_ag_grid.getApi(arguments[0]);
if (!api) return null;
const out = [];
api.forEachNode(n => out.push(n.id));
return out;
"""


def grid_rows(dash_duo) -> list[str]:
    """Passage ids of every row in the grid (all pages; rendered or not)."""
    return sorted(dash_duo.driver.execute_script(GRID_IDS_JS, ids.GRID) or [])


def test_page_loads_without_console_errors(dash_duo, dash_app):
    open_app(dash_duo, dash_app)
    assert set(trend_series(dash_duo)) == {"Compute race", "Pause letter", "Copyright lawsuits"}
    dash_duo.wait_for_text_to_equal("#stat-passages .stat-value", "20")
    dash_duo.wait_for_contains_text("#corpus-line", fx.RUN_ID)
    dash_duo.wait_for_element("#illustrative-note")
    wait_until(lambda: len(grid_rows(dash_duo)) == 20, message="20 grid rows")
    assert dash_duo.get_logs() == []


def test_choosing_a_person_updates_chart_and_url(dash_duo, dash_app):
    open_app(dash_duo, dash_app)
    assert trend_series(dash_duo)["Compute race"] == [1, 3, 2, 2]
    field = dash_duo.find_element(f"#{ids.PEOPLE}")
    field.click()
    field.send_keys("Elon")
    option = wait_until(lambda: [o for o in dash_duo.find_elements(
        ".mantine-MultiSelect-option") if o.text.startswith("Elon Musk")], message="option")[0]
    option.click()
    wait_until(lambda: "person=Elon+Musk" in dash_duo.driver.current_url, message="URL")
    wait_until(lambda: trend_series(dash_duo).get("Compute race") == [0, 1, 1, 0],
               message="Elon Musk's compute-race counts")
    assert trend_series(dash_duo)["Pause letter"] == [2, 0, 0, 1]
    dash_duo.wait_for_contains_text(f"#{ids.TREND_NOTE}", "Passages naming Elon Musk")
    wait_until(lambda: len(grid_rows(dash_duo)) == 5, message="his 5 passages")
    assert dash_duo.get_logs() == []


def test_url_restores_filters(dash_duo, dash_app):
    open_app(dash_duo, dash_app, "?person=Elon+Musk&from=2024-02&to=2024-03&measure=share")
    dash_duo.wait_for_text_to_equal(f"#{ids.MONTHS_LABEL}", "Feb 2024 – Mar 2024")
    pills = dash_duo.find_elements(".mantine-MultiSelect-pill")
    assert [p.text for p in pills] == ["Elon Musk (5)"]  # passages naming him, as the grid
    wait_until(lambda: trend_series(dash_duo).get("Compute race") == [1, 1],
               message="shares for Feb-Mar")
    wait_until(lambda: grid_rows(dash_duo) == ["d4:0", "d6:0"], message="Feb-Mar passages")
    selected = dash_duo.find_element(f"#{ids.MEASURE} [data-active]") \
        if dash_duo.find_elements(f"#{ids.MEASURE} [data-active]") else None
    assert selected is None or "Share" in selected.text
    assert "person=Elon+Musk" in dash_duo.driver.current_url


def test_clicking_a_trend_point_fills_the_grid(dash_duo, dash_app):
    open_app(dash_duo, dash_app, "?topic=compute_race&events=0")
    assert list(trend_series(dash_duo)) == ["Compute race"]
    points = dash_duo.find_elements(f"#{ids.TREND_GRAPH} .scatterlayer .trace .points path")
    assert len(points) == 4
    ActionChains(dash_duo.driver).move_to_element(points[1]).pause(0.3).click().perform()
    dash_duo.wait_for_contains_text(f"#{ids.GRID_TITLE}", "Compute race · February 2024")
    wait_until(lambda: grid_rows(dash_duo) == ["d3:1", "d4:0", "d4:1"],
               message="February compute-race passages")
    dash_duo.wait_for_text_to_equal(
        f"#{ids.GRID_COUNT}",
        "3 passages\nMost named: Elon Musk (1). Sources: Policy blog (2), Newswire (1).")
    wait_until(lambda: dash_duo.driver.current_url.endswith(
        "?topic=compute_race&point_month=2024-02&point_topic=compute_race&events=0"),
        message="the point in the address")
    ring = dash_duo.driver.execute_script(SELECTED_JS)
    assert ring == {"x": ["2024-02-01"], "y": [3]}, ring  # the chosen point is ringed
    href = wait_until(lambda: "point_month" in csv_link(dash_duo) and csv_link(dash_duo),
                      message="link with the point")
    assert href.endswith("/download/passages.csv?topic=compute_race&point_month=2024-02"
                         "&point_topic=compute_race")
    frame = pl.read_csv(io.BytesIO(fetch(href).content), comment_prefix="#")
    assert sorted(frame["passage_id"]) == ["d3:1", "d4:0", "d4:1"]
    dash_duo.driver.get(dash_duo.driver.current_url)  # the link reopens the same point
    dash_duo.wait_for_contains_text(f"#{ids.GRID_TITLE}", "Compute race · February 2024")
    wait_until(lambda: grid_rows(dash_duo) == ["d3:1", "d4:0", "d4:1"], message="same rows")
    wait_until(lambda: dash_duo.driver.execute_script(SELECTED_JS), message="ring again")
    dash_duo.find_element(f"#{ids.CLEAR_POINT}").click()
    wait_until(lambda: "point_month" not in csv_link(dash_duo), message="link without point")
    assert csv_link(dash_duo).endswith("/download/passages.csv?topic=compute_race")
    every = wait_until(lambda: len(grid_rows(dash_duo)) > 3 and grid_rows(dash_duo),
                       message="every compute-race passage")
    dash_duo.wait_for_text_to_equal(f"#{ids.GRID_COUNT}", f"{len(every)} passages")
    assert "point_month" not in dash_duo.driver.current_url
    assert dash_duo.driver.execute_script(SELECTED_JS) is None


def test_invalid_url_values_show_a_notice(dash_duo, dash_app):
    open_app(dash_duo, dash_app, "?person=Nobody&from=2024-99&tab=admin")
    dash_duo.wait_for_contains_text(f"#{ids.NOTICES}", "Ignored unknown person “Nobody”")
    notice = dash_duo.find_element(f"#{ids.NOTICES}").text
    assert "from=2024-99" in notice and "tab=admin" in notice
    wait_until(lambda: set(trend_series(dash_duo)) == {"Compute race", "Pause letter",
                                                        "Copyright lawsuits"},
               message="the trend chart of the default tab")
    wait_until(lambda: "Nobody" not in dash_duo.driver.current_url, message="clean URL")


def csv_link(dash_duo) -> str:
    """The passages CSV link's absolute href (as the browser resolved it)."""
    return dash_duo.find_element(f"#{ids.PASSAGES_CSV_LINK}").get_attribute("href")


def fetch(url: str) -> requests.Response:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response


def test_download_passages_csv_matches_filters(dash_duo, dash_app, ddata):
    open_app(dash_duo, dash_app, "?person=Gary+Marcus")
    wait_until(lambda: len(grid_rows(dash_duo)) == 3, message="Gary Marcus's passages")
    href = wait_until(lambda: "person=Gary+Marcus" in csv_link(dash_duo) and csv_link(dash_duo),
                      message="link with the filter")
    assert href == dash_duo.server_url + "/download/passages.csv?person=Gary+Marcus"
    link = dash_duo.find_element(f"#{ids.PASSAGES_CSV_LINK}")
    run_id = ddata.manifest["run_id"].lower()
    name = f"discourse-passages-{run_id}-person-gary-marcus.csv"
    wait_until(lambda: link.get_attribute("download") == name, message="the file's name")
    response = fetch(href)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    export = ddata.passages_export(Filters(people=(fx.GM,)))
    assert strip_header(response.content.decode()) == csv_text(export)
    frame = pl.read_csv(io.BytesIO(response.content), comment_prefix="#")
    assert sorted(frame["passage_id"]) == ["d1:1", "d5:0", "d8:2"]
    assert all(fx.GM in people for people in frame["people"])
    link.click()  # a real download too: the browser saves the streamed file
    target = Path(dash_duo.download_path) / name
    wait_until(lambda: target.is_file() and target.read_bytes() == response.content,
               message="the downloaded CSV")
    dash_duo.find_element(f"#{ids.TREND_CSV_BUTTON}").click()
    trend_file = Path(dash_duo.download_path) / name.replace("-passages-", "-trends-")
    wait_until(lambda: trend_file.is_file() and trend_file.stat().st_size > 0,
               message="trend CSV")
    assert "# filters: person = Gary Marcus" in trend_file.read_text()
    trend = pl.read_csv(trend_file, comment_prefix="#")
    assert trend.filter(pl.col("topic_id") == 0)["passages"].to_list() == [1, 0, 1, 0]


def test_row_opens_the_document_as_text(dash_duo, dash_app):
    open_app(dash_duo, dash_app, "?person=Margrethe+Vestager&q=licensing")
    wait_until(lambda: grid_rows(dash_duo) == ["d7:0"], message="the licensing passage")
    cell = dash_duo.find_element(f"#{ids.GRID} .ag-row[row-id='d7:0'] .cell-passage")
    marks = cell.find_elements(By.CSS_SELECTOR, "mark")
    assert [(m.text, m.get_attribute("class")) for m in marks] == [
        ("Margrethe Vestager", "hl hl-match"), ("licensing", "hl hl-search")]
    assert "<script>alert('x')</script>" in cell.text  # shown, not run
    cell.click()
    dash_duo.wait_for_contains_text(".doc-title", "Licensing <b>deals</b> & copyright")
    body = dash_duo.find_element(".document")
    assert "<script>alert('x')</script>" in body.text
    assert not body.find_elements(By.CSS_SELECTOR, "script, b")
    focus = dash_duo.find_element(".doc-passage.focus mark.hl-match")
    assert focus.text == "Margrethe Vestager"
    assert dash_duo.get_logs() == []


def test_heatmap_cell_sets_person_and_topic(dash_duo, dash_app):
    open_app(dash_duo, dash_app, "?tab=people")
    dash_duo.wait_for_element(f"#{ids.HEATMAP} .heatmaplayer", timeout=10)
    # the bottom row is the least active person (Margrethe Vestager); click her
    # Copyright lawsuits cell (last column)
    drag = dash_duo.find_element(f"#{ids.HEATMAP} .nsewdrag")
    size = drag.size  # from the centre, which means the same in every Selenium version
    ActionChains(dash_duo.driver).move_to_element(drag).move_by_offset(
        int(size["width"] * (5 / 6 - 0.5)), int(size["height"] * (5 / 6 - 0.5))
    ).pause(0.3).click().perform()
    wait_until(lambda: "person=Margrethe+Vestager" in dash_duo.driver.current_url
               and "topic=2" in dash_duo.driver.current_url, message="cell filters in URL")
    wait_until(lambda: trend_series(dash_duo) == {"Copyright lawsuits": [0, 1, 1, 0]},
               message="her copyright trend")


def test_topic_explorer_bar_opens_the_topic(dash_duo, dash_app):
    open_app(dash_duo, dash_app, "?tab=topics")
    wait_until(lambda: dash_duo.find_element(f"#{ids.TOPIC_DETAILS} h3").text in (
        "Pause letter", "Compute race"), message="a named theme opened first")
    bars = dash_duo.find_elements(f"#{ids.TOPIC_SIZES} .bars path")
    assert len(bars) == 3  # outliers left out
    # the bottom bar is the smallest topic: the discovered one
    ActionChains(dash_duo.driver).move_to_element(bars[0]).pause(0.3).click().perform()
    dash_duo.wait_for_contains_text(f"#{ids.TOPIC_DETAILS} h3", "Copyright lawsuits")
    assert "discovered topic" in dash_duo.find_element(f"#{ids.TOPIC_DETAILS}").text.lower()
    assert dash_duo.get_logs() == []
