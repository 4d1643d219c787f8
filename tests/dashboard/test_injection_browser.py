"""Markup and script in the corpus are shown literally everywhere and never run.

The run of hostile_run.py puts payloads (<script>, <img onerror>, javascript: links in
Markdown and HTML, <iframe>, <svg onload>, **bold**, <b>, &lt; entities, a 1,200-character
word) in titles, passage text (next to a person mention), a doc id, a topic label and its
keywords, a person's name, a theme description and an event. Each test opens views in
headless Chromium and checks three things: `window.__pwned` was never set and no alert
opened; the payloads' literal text is on the page; no element, event-handler attribute or
javascript: URL was created from them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

import hostile_run as hr
from dashboard import ids
from dashboard.exports import strip_header
from test_dashboard_browser import grid_rows, open_app, wait_until

pytestmark = pytest.mark.browser

INJECTED_JS = """
const bad = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
    if (/^(href|src|action|formaction|xlink:href|data)$/i.test(a.name)
        && /^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + ' ' + a.name + '=' + a.value);
  }
}
for (const el of document.querySelectorAll('iframe, object, embed, img[src="x"]'))
  bad.push(el.outerHTML.slice(0, 80));
for (const el of document.querySelectorAll('script'))
  if (el.textContent.includes('__pwned')) bad.push('script: ' + el.textContent.slice(0, 60));
for (const el of document.querySelectorAll(
    '#passage-grid b, #passage-grid a, .document b, .document a:not(.doc-link), '
    + '#topic-details b, #topic-details a, #notices b, .mantine-Combobox-dropdown b'))
  bad.push('markup: ' + el.outerHTML.slice(0, 80));
return bad;
"""

TRACE_HOVER_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
const i = gd.data.findIndex(t => arguments[1] ? (t.meta && t.meta.events)
                                              : (t.meta && t.meta.topic_id === arguments[2]));
if (i < 0) return null;
Plotly.Fx.unhover(gd);
Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: 0}], arguments[1] ? 'xy2' : 'xy');
const layer = gd.querySelector('.hoverlayer');
return layer ? layer.textContent : null;
"""


def assert_not_pwned(dash_duo) -> None:
    driver = dash_duo.driver
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when there is no alert
    assert driver.execute_script(INJECTED_JS) == []


def overflows(dash_duo, element) -> bool:
    """True when the element's content is wider than the element (text not wrapped)."""
    return dash_duo.driver.execute_script(
        "return arguments[0].scrollWidth > arguments[0].clientWidth + 2", element)


def page_text(dash_duo) -> str:
    return dash_duo.driver.execute_script("return document.body.innerText")


ROW_INDEX_JS = """
const api = window.dash_ag_grid && window.dash_ag_grid.getApi(arguments[0]);
const node = api && api.getRowNode(arguments[1]);
return node ? node.rowIndex : null;
"""


def row_element(dash_duo, passage_id: str):
    """The grid row of a passage, found through the grid's API: AG Grid escapes ids with
    markup in its row-id attribute, so they cannot be matched by a CSS selector."""
    index = dash_duo.driver.execute_script(ROW_INDEX_JS, ids.GRID, passage_id)
    if index is None:
        return None
    rows = dash_duo.find_elements(
        f"#{ids.GRID} .ag-center-cols-container .ag-row[row-index='{int(index)}']")
    return rows[0] if rows else None


def test_grid_and_document_show_markup_as_text(dash_duo, hostile_app):
    open_app(dash_duo, hostile_app)
    evil = [f"{hr.EVIL_DOC}:{n}" for n in range(3)]
    wait_until(lambda: grid_rows(dash_duo) == sorted(evil + ["calm:0", "calm:1"]),
               message="the five hostile passages")
    text = page_text(dash_duo)
    for payload in hr.PAYLOADS + [hr.TITLE_1, hr.TITLE_2, hr.LONG_WORD, hr.BOB]:
        assert payload in text, payload
    assert f"/corpora/{hr.SCRIPT}" in text  # the corpus path in the header
    # the person-adjacent passage: the mention is highlighted, the payload beside it is text
    row = wait_until(lambda: row_element(dash_duo, evil[0]), message="the first evil row")
    cell = row.find_element(By.CSS_SELECTOR, ".cell-passage")
    assert [m.text for m in cell.find_elements(By.CSS_SELECTOR, "mark")] == [hr.ADA]
    assert hr.SCRIPT in cell.text and hr.IMG in cell.text and hr.MD_LINK in cell.text
    long_cell = row_element(dash_duo, evil[1]).find_element(By.CSS_SELECTOR, ".cell-passage")
    assert not overflows(dash_duo, long_cell)  # the long word wraps
    assert_not_pwned(dash_duo)

    cell.click()
    dash_duo.wait_for_text_to_equal(".doc-title", hr.TITLE_1)
    drawer = dash_duo.find_element(".mantine-Drawer-content")
    assert f"Document {hr.EVIL_DOC}" in drawer.text
    body = dash_duo.find_element(".document")
    for payload in hr.PAYLOADS + [hr.LONG_WORD, hr.BOB, hr.BOLD_TAG + " author"]:
        assert payload in body.text, payload
    assert f"wire {hr.SVG}" in body.text  # the source
    assert not body.find_elements(By.CSS_SELECTOR, ".doc-link")  # javascript: url not linked
    assert body.find_element(By.CSS_SELECTOR, ".doc-passage.focus mark").text == hr.ADA
    assert not [p for p in body.find_elements(By.CSS_SELECTOR, ".doc-text")
                if overflows(dash_duo, p)]
    assert_not_pwned(dash_duo)
    assert dash_duo.get_logs() == []


def test_topic_explorer_and_chart_hover_show_markup_as_text(dash_duo, hostile_app):
    open_app(dash_duo, hostile_app)
    legend = dash_duo.find_element(f"#{ids.TREND_GRAPH} .legend").text
    assert hr.IMG in legend  # legend names are cut to 42 characters
    hover = wait_until(lambda: dash_duo.driver.execute_script(
        TRACE_HOVER_JS, f"#{ids.TREND_GRAPH}", False, 1), message="trend hover label")
    assert hr.EVIL_TOPIC_LABEL in hover
    hover = wait_until(lambda: dash_duo.driver.execute_script(
        TRACE_HOVER_JS, f"#{ids.TREND_GRAPH}", True, None), message="event hover label")
    assert hr.EVENT_LABEL in hover and hr.IMG in hover and hr.MD_LINK in hover
    assert_not_pwned(dash_duo)

    dash_duo.driver.get(dash_duo.server_url + "/?tab=topics")
    details = f"#{ids.TOPIC_DETAILS}"
    dash_duo.wait_for_text_to_equal(f"{details} h3", "Pause letter")
    dash_duo.wait_for_contains_text(f"{details} .theme-description", hr.THEME_DESCRIPTION)
    bars = dash_duo.find_elements(f"#{ids.TOPIC_SIZES} .bars path")
    ticks = [t.text for t in dash_duo.find_elements(f"#{ids.TOPIC_SIZES} .ytick text")]
    assert any(t.startswith('<img src=x onerror="') for t in ticks), ticks
    ActionChains(dash_duo.driver).move_to_element(bars[0]).pause(0.3).click().perform()
    dash_duo.wait_for_text_to_equal(f"{details} h3", hr.EVIL_TOPIC_LABEL)
    panel = dash_duo.find_element(details)
    for payload in hr.PAYLOADS + [hr.LONG_WORD, hr.TITLE_1]:
        assert payload in panel.text, payload  # representative passages and their titles
    keywords = [t.text for t in panel.find_elements(By.CSS_SELECTOR, ".ytick text")]
    assert hr.SCRIPT in keywords and hr.BOLD_MD in keywords and "&lt;" in keywords
    assert_not_pwned(dash_duo)
    assert dash_duo.get_logs() == []


def test_people_heatmap_and_csv_show_markup_as_text(dash_duo, hostile_app):
    open_app(dash_duo, hostile_app, "?tab=people")
    dash_duo.wait_for_element(f"#{ids.HEATMAP} .heatmaplayer", timeout=10)
    ticks = [t.text for t in dash_duo.find_elements(f"#{ids.HEATMAP} .ytick text")]
    assert hr.BOB in ticks, ticks
    field = dash_duo.find_element(f"#{ids.PEOPLE}")
    field.click()
    field.send_keys("Bob")
    option = wait_until(lambda: [o for o in dash_duo.find_elements(
        ".mantine-MultiSelect-option") if o.text == f"{hr.BOB} (2)"], message="option")[0]
    assert_not_pwned(dash_duo)
    option.click()
    wait_until(lambda: "person=Bob+%3Cb%3ETables%3C%2Fb%3E" in dash_duo.driver.current_url,
               message="URL with the escaped name")
    wait_until(lambda: grid_rows(dash_duo) == ["calm:0", f"{hr.EVIL_DOC}:2"],
               message="Bob's passages")
    pills = [p.text for p in dash_duo.find_elements(".mantine-MultiSelect-pill")]
    assert pills == [f"{hr.BOB} (2)"]
    wait_until(lambda: [m.get_attribute("textContent") for m in dash_duo.find_elements(
        f"#{ids.GRID} mark.hl-match")] == [hr.BOB, hr.BOB],
        message="his name highlighted in both rows")
    next(t for t in dash_duo.find_elements("[role=tab]") if t.text == "Trends").click()
    note = wait_until(lambda: dash_duo.find_element(f"#{ids.TREND_NOTE}").get_attribute(
        "textContent"), message="the trend note, once its tab is open")
    assert f"Passages naming {hr.BOB}." in note

    link = dash_duo.find_element(f"#{ids.PASSAGES_CSV_LINK}")
    wait_until(lambda: "person=Bob+%3Cb%3ETables%3C%2Fb%3E" in link.get_attribute("href"),
               message="CSV link with the escaped name")
    assert not link.find_elements(By.CSS_SELECTOR, "*")  # the link is text only
    link.click()
    files = lambda: list(Path(dash_duo.download_path).glob("discourse-passages-*-person-bob-b-tables-b.csv"))  # noqa: E731
    wait_until(lambda: files() and files()[0].stat().st_size > 0, message="CSV file")
    text = files()[0].read_text(encoding="utf-8")
    assert "# filters: person = Bob <b>Tables</b>" in text  # the header keeps it as text
    rows = list(csv.DictReader(io.StringIO(strip_header(text))))
    assert sorted(r["passage_id"] for r in rows) == sorted(["calm:0", f"{hr.EVIL_DOC}:2"])
    by_id = {r["passage_id"]: r for r in rows}
    assert by_id[f"{hr.EVIL_DOC}:2"]["title"] == hr.TITLE_1
    assert by_id[f"{hr.EVIL_DOC}:2"]["text"] == f"{hr.BOB} argued for a pause {hr.SCRIPT}."
    assert by_id["calm:0"]["title"] == "'" + hr.TITLE_2  # formula neutralised, rest literal
    assert_not_pwned(dash_duo)
    assert dash_duo.get_logs() == []


def test_content_security_policy_blocks_inline_script(dash_duo, hostile_app):
    """Defence in depth: even a <script> element that did reach the DOM would not run."""
    open_app(dash_duo, hostile_app)
    ran = dash_duo.driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__csp_probe = 1';"
        "document.body.appendChild(s); return window.__csp_probe === 1;")
    assert ran is False
    logs = dash_duo.get_logs() or []
    assert any("Content Security Policy" in entry["message"] for entry in logs), logs
