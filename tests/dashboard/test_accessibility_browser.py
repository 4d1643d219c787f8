"""WCAG 2.1 AA in the browser: axe-core on every tab and on the document drawer (a serious or
critical violation fails), and what axe cannot see: month names on the range slider's
handles, placeholder contrast, a name for every chart, heading order, and the passage grid
as one tab stop. One server and one browser for the module. Run with `pytest --headless`.

axe-core is the copy bundled in the axe-playwright-python package (read from its folder;
Playwright itself is never started), so nothing is downloaded at run time."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from test_dashboard_browser import grid_rows, wait_until

pytestmark = pytest.mark.browser

AXE_JS = Path(importlib.util.find_spec("axe_playwright_python").origin).with_name("axe.min.js")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(arguments[0] || document, {runOnly: {type: "tag", values: arguments[1]},
                                   resultTypes: ["violations"]})
   .then(r => done(r.violations), e => done({error: String(e)}));
"""
# what shows that a tab's content is drawn (after the page's first render)
TABS = {
    "trends": ("", f"#{ids.TREND_GRAPH} .scatterlayer .trace"),
    "rises": ("", f"#{ids.RISE_TABLE} table"),
    "people": ("", f"#{ids.HEATMAP} .heatmaplayer"),
    "said": ("&said_by=Elon+Musk", f"#{ids.SAID_GRAPH} .scatterlayer .trace"),
    "network": ("", f"#{ids.NETWORK_PASSAGES} .note"),
    "compare": ("&vs=Elon+Musk&vs=Gary+Marcus", f"#{ids.COMPARE_WORDS} ol"),
    "topics": ("", f"#{ids.TOPIC_DETAILS} .topic-figs .js-plotly-plot"),
}
HEADINGS_JS = """
return [...document.querySelectorAll("h1, h2, h3, h4, h5, h6, [role=heading]")]
  .filter(h => h.getClientRects().length && !h.closest("[aria-hidden=true]"))
  .map(h => [Number(h.getAttribute("aria-level") || h.tagName.slice(1)), h.textContent.trim()]);
"""
UNNAMED_CHARTS_JS = """
return [...document.querySelectorAll(".js-plotly-plot")]
  .filter(p => p.getClientRects().length)
  .filter(p => !(p.closest("figure[aria-label]")?.getAttribute("aria-label") || "").trim())
  .map(p => p.closest("[id]")?.id || "(no id)");
"""
FOCUSED_JS = """
const a = document.activeElement, grid = document.getElementById(arguments[0]);
return {inGrid: grid.contains(a), role: a.getAttribute("role"), label: a.getAttribute("aria-label"),
        text: (a.textContent || "").trim().slice(0, 40)};
"""


def open_page(duo, query: str, ready: str) -> None:
    """Loads `query`, then waits for `ready` and the grid's rows, and for Dash to be idle."""
    duo.driver.get(duo.server_url + "/" + query)
    duo.wait_for_element(ready, timeout=20)
    wait_until(lambda: grid_rows(duo), message="the grid's rows")
    wait_until(lambda: not duo.driver.execute_script(
        "return document.querySelector('[data-dash-is-loading]')"), message="Dash idle")
    time.sleep(0.4)  # Mantine's and Plotly's transitions


def axe(duo, context: str | None = None) -> list[dict]:
    """axe-core's violations of the WCAG 2.0 / 2.1 A and AA rules on the page (or in the
    element `context` selects)."""
    if not duo.driver.execute_script("return typeof axe === 'object'"):
        duo.driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    found = duo.driver.execute_async_script(AXE_RUN, context, WCAG_AA)
    assert not isinstance(found, dict), found
    return found


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING]


def report(violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious or critical axe-core violation(s):"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']}")
        for node in v["nodes"][:10]:
            why = node.get("failureSummary", "").replace("\n", " ")[:200]
            lines.append(f"    {' '.join(node['target'])} — {why}")
    return "\n".join(lines)


def heading_jumps(headings: list[list]) -> list[str]:
    """Headings that skip a level (H1 -> H3), or a page that does not start with an H1."""
    jumps = [] if headings and headings[0][0] == 1 else [f"first heading {headings[:1]}"]
    return jumps + [f"H{a} '{ta}' -> H{b} '{tb}'" for (a, ta), (b, tb)
                    in zip(headings, headings[1:]) if b > a + 1]


def test_axe_is_bundled_and_flags_a_planted_violation(browser):
    open_page(browser, "", TABS["trends"][1])
    assert browser.driver.execute_script("return document.documentElement.lang") == "en"
    axe(browser)
    assert browser.driver.execute_script("return axe.version").startswith("4.")
    browser.driver.execute_script("""
        const box = document.createElement("div");
        box.id = "planted";
        box.innerHTML = '<img width="20" height="20"><p style="color:#bbb;background:#fff">faint</p>';
        document.querySelector("main").appendChild(box);""")
    try:
        found = {v["id"]: v["impact"] for v in axe(browser, "#planted")}
    finally:
        browser.driver.execute_script("document.getElementById('planted').remove()")
    assert found == {"image-alt": "critical", "color-contrast": "serious"}


@pytest.mark.parametrize("tab", list(TABS))
def test_tab_has_no_serious_violations_and_names_its_charts(browser, tab):
    extra, ready = TABS[tab]
    open_page(browser, f"?tab={tab}{extra}", ready)
    found = failing(axe(browser))
    assert not found, report(found)
    assert browser.driver.execute_script(UNNAMED_CHARTS_JS) == []
    headings = browser.driver.execute_script(HEADINGS_JS)
    assert heading_jumps(headings) == [], headings


def test_document_drawer_has_no_serious_violations(browser):
    open_page(browser, "?person=Margrethe+Vestager&q=licensing", TABS["trends"][1])
    browser.find_element(f"#{ids.GRID} .ag-row[row-id='d7:0'] .cell-passage").click()
    browser.wait_for_contains_text(".doc-title", "Licensing")
    drawer = browser.find_element(".doc-drawer .mantine-Drawer-content")
    spots = []

    def settled():
        spots.append(drawer.rect)
        time.sleep(0.15)
        return len(spots) > 1 and spots[-1] == spots[-2]
    wait_until(settled, message="the drawer to stop moving")
    found = failing(axe(browser))
    assert not found, report(found)
    headings = browser.driver.execute_script(HEADINGS_JS)
    assert heading_jumps(headings) == [], headings


def test_notices_have_no_serious_violations(browser):
    open_page(browser, "?person=Nobody", TABS["trends"][1])
    browser.wait_for_contains_text(f"#{ids.NOTICES}", "Nobody")
    found = failing(axe(browser, f"#{ids.NOTICES}"))
    assert not found, report(found)


def thumbs(duo) -> list[dict]:
    return [{"label": t.get_attribute("aria-label"), "value": t.get_attribute("aria-valuetext")}
            for t in duo.find_elements(f"#{ids.MONTHS} [role='slider']")]


def test_month_slider_handles_name_their_months(browser):
    open_page(browser, "?from=2024-02", TABS["trends"][1])
    wait_until(lambda: thumbs(browser) == [
        {"label": "First month shown", "value": "Feb 2024"},
        {"label": "Last month shown", "value": "Apr 2024"}], message="month names")
    browser.find_elements(f"#{ids.MONTHS} [role='slider']")[0].send_keys(Keys.ARROW_LEFT)
    wait_until(lambda: thumbs(browser)[0]["value"] == "Jan 2024", message="Jan 2024")
    wait_until(lambda: "from=" not in browser.driver.current_url, message="the URL follows")


def test_copy_link_is_a_button_that_enter_presses(browser):
    open_page(browser, "", TABS["trends"][1])
    copy = wait_until(lambda: browser.find_element(".copy-link [role='button']"),
                      message="the copy-link button")
    assert (copy.get_attribute("tabindex"), copy.get_attribute("aria-label")) == (
        "0", "Copy a link to this view")
    browser.driver.execute_script(
        "arguments[0].addEventListener('click', () => { window.copyClicked = true; });"
        "arguments[0].focus();", copy)
    press(browser, Keys.ENTER)
    assert browser.driver.execute_script("return window.copyClicked") is True


def test_placeholders_and_helper_text_have_4_5_to_1(browser):
    open_page(browser, "", TABS["trends"][1])
    colours = browser.driver.execute_script("""
        const pick = (el, pseudo) => getComputedStyle(el, pseudo).color;
        return [...document.querySelectorAll(".sidebar input[placeholder]")]
            .map(i => ["placeholder " + i.placeholder, pick(i, "::placeholder")])
            .concat([...document.querySelectorAll(".note, .mantine-InputWrapper-description")]
                    .filter(e => e.getClientRects().length).map(e => [e.className, pick(e)]));""")
    assert len(colours) > 5
    low = {what: round(contrast(rgb), 2) for what, rgb in colours if contrast(rgb) < 4.5}
    assert low == {}


def contrast(css_rgb: str, background=(255, 255, 255)) -> float:
    """WCAG contrast ratio of an opaque `rgb(r, g, b)` colour on `background`."""
    def luminance(channels):
        lin = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
               for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    rgb = json.loads("[" + css_rgb[css_rgb.index("(") + 1:css_rgb.index(")")] + "]")[:3]
    high, low = sorted((luminance(rgb), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def focused(duo) -> dict:
    return duo.driver.execute_script(FOCUSED_JS, ids.GRID)


def press(duo, key: str, shift: bool = False) -> dict:
    """Presses `key` (with Shift) where the focus is; returns what has the focus then."""
    keys = ActionChains(duo.driver)
    keys = keys.key_down(Keys.SHIFT).send_keys(key).key_up(Keys.SHIFT) if shift else \
        keys.send_keys(key)
    keys.perform()
    return focused(duo)


def test_grid_is_one_tab_stop_with_arrow_keys_and_enter_inside(browser):
    open_page(browser, "", TABS["trends"][1])
    wait_until(lambda: len(grid_rows(browser)) == 20, message="20 rows")
    browser.driver.execute_script(f"document.getElementById('{ids.PASSAGES_CSV_LINK}').focus()")
    header = press(browser, Keys.TAB)
    assert (header["inGrid"], header["role"], header["text"]) == (True, "columnheader", "Date")
    after = press(browser, Keys.TAB)  # out of the header and cells: to the pager's buttons
    assert (after["inGrid"], after["role"], after["label"]) == (True, "button", "First Page")
    back = press(browser, Keys.TAB, shift=True)
    assert (back["inGrid"], back["role"]) == (True, "gridcell")
    assert press(browser, Keys.TAB, shift=True) == {
        "inGrid": False, "role": None, "label": None, "text": "Download passages CSV"}
    assert press(browser, Keys.TAB)["role"] == "columnheader"
    assert press(browser, Keys.ARROW_DOWN)["role"] == "gridcell"
    row = browser.find_element(f"#{ids.GRID} .ag-row[row-index='0']").get_attribute("row-id")
    press(browser, Keys.ENTER)
    wait_until(lambda: f"passage={quote(row)}" in browser.driver.current_url,
               message="Enter opens the row's document")
    browser.wait_for_element(".doc-title")
