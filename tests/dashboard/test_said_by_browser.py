"""The Said-by filter in headless Chromium: choosing a speaker changes the trend chart, the
grid and the address; the document view names each statement's speaker; the "Said vs
named" tab draws one person's statements and mentions. One server and one browser for
the module (as test_accessibility_browser.py). Run with `pytest --headless`."""

from __future__ import annotations

import pytest

import fixture_run as fx
from dashboard import ids
from test_dashboard_browser import grid_rows, trend_series, wait_until

pytestmark = pytest.mark.browser

SAID_JS = """
const gd = document.querySelector('#said-graph .js-plotly-plot');
return gd && gd.data ? gd.data.map(t => ({name: t.name, y: t.y})) : null;
"""


def load(duo, query: str = "") -> None:
    duo.driver.get(duo.server_url + "/" + query)
    if "tab=" in query and "tab=trends" not in query:
        wait_until(lambda: duo.find_element(f"#{ids.GRID_COUNT}").text, timeout=20,
                   message="the page")
    else:
        duo.wait_for_element(f"#{ids.TREND_GRAPH} .scatterlayer .trace", timeout=20)
    wait_until(lambda: grid_rows(duo), timeout=20, message="the grid's rows")


def test_said_by_changes_the_chart_the_grid_and_the_url(browser):
    load(browser)
    assert trend_series(browser)["Compute race"] == [1, 3, 2, 2]
    field = browser.find_element(f"#{ids.SAID_BY}")
    assert field.get_attribute("disabled") is None
    field.click()
    field.send_keys("Gary")
    option = wait_until(lambda: [o for o in browser.find_elements(
        ".mantine-MultiSelect-option") if o.text.startswith("Gary Marcus")], message="option")[0]
    assert option.text == "Gary Marcus (3)"
    option.click()
    wait_until(lambda: "said_by=Gary+Marcus" in browser.driver.current_url, message="URL")
    # his statements: d1:1 (Jan, pause letter), d5:0 (Mar, pause letter), d8:2 (Apr, compute)
    wait_until(lambda: trend_series(browser).get("Compute race") == [0, 0, 0, 1],
               message="the chart under Said by")
    assert trend_series(browser)["Pause letter"] == [1, 0, 1, 0]
    wait_until(lambda: grid_rows(browser) == ["d1:1", "d5:0", "d8:2"], message="his 3 passages")
    browser.wait_for_contains_text(f"#{ids.TREND_NOTE}", "Passages with statements by Gary Marcus")
    cells = [c.text for c in browser.find_elements(f"#{ids.GRID} .ag-row [col-id='speakers']")]
    assert sorted(cells) == ["Elon Musk, Gary Marcus", "Gary Marcus", "Gary Marcus"]
    assert "said_by=Gary+Marcus" in browser.find_element(
        f"#{ids.PASSAGES_CSV_LINK}").get_attribute("href")
    assert browser.get_logs() == []


def test_the_address_restores_said_by_and_reports_an_unknown_speaker(browser):
    load(browser, "?said_by=Margrethe+Vestager&said_by=Nobody+Known")
    browser.wait_for_contains_text(f"#{ids.NOTICES}", "Ignored unknown said_by “Nobody Known”")
    pills = [p.text for p in browser.find_elements(
        ".mantine-MultiSelect-pill")]
    assert pills == ["Margrethe Vestager (2)"]
    wait_until(lambda: grid_rows(browser) == ["d3:0", "d7:0"], message="her 2 passages")
    wait_until(lambda: browser.driver.current_url.endswith("?said_by=Margrethe+Vestager"),
               message="the canonical address")


def test_the_document_names_each_statements_speaker(browser):
    load(browser, "?said_by=Gary+Marcus")
    wait_until(lambda: "d1:1" in grid_rows(browser), message="d1:1")
    browser.find_element(f"#{ids.GRID} .ag-row[row-id='d1:1'] .cell-passage").click()
    browser.wait_for_contains_text(".doc-title", "Tech leaders")
    tags = wait_until(lambda: [t.text for t in browser.find_elements(".doc-body .said-tag")
                               if t.text], message="statement tags (shown)")
    assert tags == ["Gary Marcus:", "Elon Musk:"]
    chosen = browser.find_elements(".doc-body .said.said-chosen")
    assert len(chosen) == 1 and "laboratories should halt" in chosen[0].text
    legend = [c.text for c in browser.find_elements(".said-legend .said-chip")]
    assert legend == [fx.GM, fx.EM]
    assert "passage=d1%3A1" in browser.driver.current_url


def test_said_vs_named_draws_statements_and_mentions(browser):
    load(browser, "?said_by=Elon+Musk&tab=said")
    series = wait_until(lambda: browser.driver.execute_script(SAID_JS), timeout=20,
                        message="the said vs named chart")
    assert series == [{"name": "Statements (words attributed to Elon Musk)", "y": [1, 1, 0, 0]},
                      {"name": "Mentions (Elon Musk named)", "y": [3, 1, 1, 1]}]
    browser.wait_for_contains_text(f"#{ids.SAID_NOTE}", "2 statements and 6 mentions")
    assert browser.get_logs() == []
