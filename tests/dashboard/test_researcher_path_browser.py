"""The researcher's path on the bundled run, in Chromium, as one walk through ten tasks
(issue 16): each step asserts what a researcher would check, above all that the numbers
on the page agree with each other and with the exports.

 1. find the pause letter's peak month on the trend chart;
 2. click it: its passages are listed, as many as the point says, and the point is ringed;
 3. Musk only: the picker's count is the grid's count;
 4. his heatmap cell for the pause letter is the sum of his pause-letter line;
 5. show a line from the legend: the address keeps it across a filter change;
 6. click a point and open a document: the address names the passage;
 7. reopen the link in a fresh session: same point, same document, same lines;
 8. export the trend CSV: it is the chart, and is named after the filters;
 9. the passages CSV of the point is the grid's rows;
10. change the months with the keyboard alone: one update after the last key.
"""

from __future__ import annotations

import io
import time
from html import unescape
from pathlib import Path

import polars as pl
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from test_dashboard_browser import csv_link, fetch, wait_until

pytestmark = pytest.mark.browser

PAUSE = "Pause letter (FLI, March 2023)"

LINES_JS = """
const gd = document.querySelector('#trend-graph .js-plotly-plot');
if (!gd || !gd.data) return null;
return gd.data.filter(t => t.meta && t.meta.topic_id !== undefined).map(t => ({
  name: t.name, topic_id: t.meta.topic_id, x: t.x.map(v => String(v).slice(0, 7)), y: t.y,
  visible: t.visible === undefined ? true : t.visible}));
"""

POINT_PIXELS_JS = """
const gd = document.querySelector('#trend-graph .js-plotly-plot');
const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
return [xa.l2p(xa.d2l(arguments[0])) - xa._length / 2, ya.l2p(arguments[1]) - ya._length / 2];
"""

RING_JS = """
const gd = document.querySelector('#trend-graph .js-plotly-plot');
const ring = gd && gd.data && gd.data.find(t => t.meta && t.meta.selected);
return ring ? [String(ring.x[0]).slice(0, 7), ring.y[0]] : null;
"""

HEATMAP_JS = """
const gd = document.querySelector('#people-heatmap .js-plotly-plot');
if (!gd || !gd.data || !gd.data[0] || !gd.data[0].z) return null;
const t = gd.data[0], layout = gd._fullLayout;
const strip = v => String(v).replace(/<[^>]*>/g, '');
return {x: layout.xaxis.ticktext.map(strip), y: layout.yaxis.ticktext.map(strip), z: t.z};
"""

COUNT_SYNCS_JS = """
window.__syncs = 0;
const original = window.fetch;
window.fetch = function (url, options) {
  const body = String((options && options.body) || '');
  if (body.indexOf('"changedPropIds":["filter-months-settled.data"]') >= 0) window.__syncs++;
  return original.apply(this, arguments);
};
"""

GRID_ROWS_JS = """
const api = window.dash_ag_grid && window.dash_ag_grid.getApi(arguments[0]);
if (!api) return null;
const out = [];
api.forEachNode(n => { if (n.data) out.push(n.data.passage_id); });
return [api.getDisplayedRowCount(), out];
"""


def lines(dash_duo) -> dict[str, dict]:
    return {t["name"]: t for t in dash_duo.driver.execute_script(LINES_JS) or []}


def click_point(dash_duo, month: str, y: float) -> None:
    """Click the chart where the point of (month, y) is drawn (offsets from the centre of
    the plot area, as every Selenium version reads them)."""
    area = dash_duo.find_element(f"#{ids.TREND_GRAPH} .nsewdrag")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", area)
    dx, dy = dash_duo.driver.execute_script(POINT_PIXELS_JS, month + "-01", y)
    ActionChains(dash_duo.driver).move_to_element(area).move_by_offset(int(dx), int(dy)) \
        .pause(0.4).click().perform()


def show_from_legend(dash_duo, name: str) -> None:
    """Click a line's legend entry; the chart redraws it and the address keeps it."""
    label = unescape(name)  # trace names are HTML-escaped for Plotly
    entry = next(e for e in dash_duo.find_elements(f"#{ids.TREND_GRAPH} .legend .traces")
                 if e.text and (e.text == label or label.startswith(e.text.rstrip("…"))))
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", entry)
    entry.find_element("css selector", ".legendtoggle").click()
    wait_until(lambda: "line=" in dash_duo.driver.current_url, message="lines in the address")
    wait_until(lambda: lines(dash_duo)[name]["visible"] is True, message=f"{name} drawn")


def grid(dash_duo) -> tuple[int, list[str]]:
    """(rows in the whole result, the loaded rows' passage ids)."""
    return tuple(dash_duo.driver.execute_script(GRID_ROWS_JS, ids.GRID) or (0, []))


def count_of(dash_duo) -> int:
    """The number the grid's note starts with ("84 passages. ...")."""
    text = dash_duo.find_element(f"#{ids.GRID_COUNT}").text
    return int(text.split(" ", 1)[0].replace(",", ""))


def peak(line: dict) -> tuple[str, int]:
    y = max(line["y"])
    return line["x"][line["y"].index(y)], y


def test_the_researchers_ten_tasks(dash_duo, bundled_build):
    from dashboard.app import create_app

    dash_duo.start_server(create_app(bundled_build.run_dir))
    driver = dash_duo.driver
    tab = lambda name: next(t for t in dash_duo.find_elements("[role=tab]")  # noqa: E731
                            if t.text.startswith(name))
    driver.set_window_size(1400, 1000)  # a laptop screen
    driver.get(dash_duo.server_url + "/?events=0")  # event markers sit on top of the peaks
    wait_until(lambda: PAUSE in lines(dash_duo), timeout=20, message="the trend chart")

    # 1-2. the pause letter's peak (its line shown from the legend if the default of the
    # largest lines left it out), clicked: its passages, as many as the point says
    if lines(dash_duo)[PAUSE]["visible"] != True:  # noqa: E712 - "legendonly" is truthy
        show_from_legend(dash_duo, PAUSE)
    month, y = peak(lines(dash_duo)[PAUSE])
    assert month in ("2023-03", "2023-04")
    click_point(dash_duo, month, y)
    wait_until(lambda: "point_month=" + month in driver.current_url, message="the point")
    wait_until(lambda: count_of(dash_duo) == y and grid(dash_duo)[0] == y,
               message="the point's passages in the grid")
    assert "Pause letter" in dash_duo.find_element(f"#{ids.GRID_TITLE}").text
    assert "Most named:" in dash_duo.find_element(f"#{ids.GRID_COUNT}").text
    assert wait_until(lambda: driver.execute_script(RING_JS), message="ring") == [month, y]

    # 3. Musk only: the picker's count is the grid's count (passages naming him)
    box = dash_duo.find_element(f"#{ids.PEOPLE}")
    box.click()
    box.send_keys("Elon Musk")
    option = wait_until(lambda: [o for o in dash_duo.find_elements("[role='option']")
                                 if o.text.startswith("Elon Musk (")], message="his option")[0]
    picked = int(option.text.removeprefix("Elon Musk (").rstrip(")").replace(",", ""))
    option.click()
    wait_until(lambda: "person=Elon+Musk" in driver.current_url
               and "point_month" not in driver.current_url, message="Musk, no point")
    wait_until(lambda: count_of(dash_duo) == picked == grid(dash_duo)[0],
               message="the picker's count in the grid")
    dash_duo.wait_for_contains_text(f"#{ids.TREND_NOTE}", "Passages naming Elon Musk.")
    his_pause = sum(lines(dash_duo)[PAUSE]["y"])
    assert 0 < his_pause < picked

    # 4. the heatmap agrees with the chart
    tab("People").click()
    cells = wait_until(lambda: driver.execute_script(HEATMAP_JS), message="the heatmap")
    row = cells["y"].index("Elon Musk")
    column = next(i for i, x in enumerate(cells["x"]) if str(x).startswith("Pause letter"))
    assert cells["z"][row][column] == his_pause
    tab("Trends").click()

    # 5. a line shown from the legend stays shown across a filter change
    hidden = wait_until(lambda: [n for n, t in lines(dash_duo).items()
                                 if t["visible"] == "legendonly"], message="a hidden line")[0]
    show_from_legend(dash_duo, hidden)
    search = dash_duo.find_element(f"#{ids.SEARCH}")
    search.send_keys("the")
    wait_until(lambda: "q=the" in driver.current_url, message="a search")
    wait_until(lambda: lines(dash_duo).get(hidden, {}).get("visible") is True,
               message="the shown line after the filter change")

    # 6. a point, then a document from the grid
    line = max((t for t in lines(dash_duo).values() if t["visible"] is True),
               key=lambda t: max(t["y"]))
    month, y = peak(line)
    click_point(dash_duo, month, y)
    wait_until(lambda: "point_month=" + month in driver.current_url, message="the new point")
    wait_until(lambda: grid(dash_duo)[0] == y == count_of(dash_duo), message="its rows")
    first = grid(dash_duo)[1][0]
    row_index = driver.execute_script(
        "return window.dash_ag_grid.getApi(arguments[0]).getRowNode(arguments[1]).rowIndex",
        ids.GRID, first)
    dash_duo.find_element(f"#{ids.GRID} .ag-center-cols-container "
                          f".ag-row[row-index='{row_index}'] .cell-passage").click()
    wait_until(lambda: "passage=" in driver.current_url, message="the passage in the address")
    title = wait_until(lambda: dash_duo.find_element(".doc-title").text, message="document")
    link = driver.current_url

    # 7. the link in a fresh session: same point, same document, same lines
    driver.execute_script("window.localStorage.clear(); window.sessionStorage.clear();")
    driver.delete_all_cookies()
    old = driver.current_window_handle
    driver.switch_to.new_window("window")
    driver.switch_to.window(old)
    driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.set_window_size(1400, 1000)
    driver.get(link)
    wait_until(lambda: dash_duo.find_element(".doc-title").text == title,
               timeout=20, message="the same document open")
    assert wait_until(lambda: driver.execute_script(RING_JS), message="ring") == [month, y]
    assert lines(dash_duo)[hidden]["visible"] is True
    wait_until(lambda: grid(dash_duo)[0] == y, message="the same rows")
    driver.find_element("css selector", ".mantine-Drawer-close").click()
    wait_until(lambda: "passage=" not in driver.current_url, message="closed: out of the link")

    # 8. the trend CSV is the chart, named after the run and the filters
    dash_duo.find_element(f"#{ids.TREND_CSV_BUTTON}").click()
    files = lambda: list(Path(dash_duo.download_path).glob(  # noqa: E731
        "discourse-trends-*-person-elon-musk_q-the*.csv"))
    wait_until(lambda: files() and files()[0].stat().st_size > 0, message="trend CSV")
    trend = pl.read_csv(files()[0], comment_prefix="#")
    shown = lines(dash_duo)
    for name in (PAUSE, line["name"]):
        exported = trend.filter(pl.col("topic") == name).sort("month")["passages"].to_list()
        assert exported == shown[name]["y"], name

    # 9. the passages CSV of the point is the grid's rows
    href = wait_until(lambda: "point_month" in csv_link(dash_duo) and csv_link(dash_duo),
                      message="the CSV link of the point")
    frame = pl.read_csv(io.BytesIO(fetch(href).content), comment_prefix="#")
    assert frame.height == y and sorted(frame["passage_id"]) == sorted(grid(dash_duo)[1])

    # 10. the months, by keyboard alone: one update once the keys stop
    driver.execute_script(COUNT_SYNCS_JS)
    thumb = dash_duo.find_elements(f"#{ids.MONTHS} [role=slider]")[0]
    driver.execute_script("arguments[0].focus()", thumb)
    for _ in range(3):
        thumb.send_keys(Keys.ARROW_RIGHT)
        time.sleep(0.05)
    wait_until(lambda: "from=2023-04" in driver.current_url, message="from April 2023")
    time.sleep(1)
    assert driver.execute_script("return window.__syncs") == 1
    assert dash_duo.find_element(f"#{ids.MONTHS_LABEL}").text.startswith("Apr 2023")
    assert all(x >= "2023-04" for t in lines(dash_duo).values() for x in t["x"])
    assert dash_duo.get_logs() == []
