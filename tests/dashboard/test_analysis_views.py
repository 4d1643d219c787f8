"""The analysis views on the bundled corpus. "What rose": the query finds the pause
letter's rise in March 2023 and the compute race's in January 2025 (DeepSeek, Stargate),
and the tab keeps its month in the URL and turns a click into a filter. "Who appears with
whom": edges count the passages naming both, follow the filters, and a click on a person
filters the page."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from selenium.webdriver.common.action_chains import ActionChains

from dashboard import ids
from test_dashboard_browser import wait_until


@pytest.fixture(scope="module")
def bundled_data(bundled_build):
    from dashboard.data import DiscourseData

    return DiscourseData.load(bundled_build.run_dir)


def risen(data, month: date, **filters) -> dict[str, str]:
    from dashboard.data import Filters

    table = data.rise_table(Filters(**filters), month)
    return dict(table.filter(pl.col("significant")).select("theme", "direction")
                .drop_nulls("theme").iter_rows())


def test_the_pause_letter_and_the_compute_race_rise_when_they_did(bundled_data):
    assert risen(bundled_data, date(2023, 3, 1)).get("pause_letter") == "rise"
    assert risen(bundled_data, date(2025, 1, 1)).get("compute_race") == "rise"
    quiet = risen(bundled_data, date(2024, 8, 1))
    assert "pause_letter" not in quiet and "compute_race" not in quiet


def test_every_figure_is_finite_and_counts_agree_with_the_trend_counts(bundled_data):
    from dashboard.data import Filters

    month = date(2025, 1, 1)
    table = bundled_data.rise_table(Filters(), month)
    tested = table.filter(pl.col("tested"))
    for column in ("rate_ratio", "ci_low", "ci_high", "p_value", "q_value"):
        values = tested[column].to_numpy()
        assert pl.Series(values).is_finite().all(), column
    assert (tested["ci_low"] <= tested["rate_ratio"]).all()
    assert (tested["rate_ratio"] <= tested["ci_high"]).all()
    trend = bundled_data.monthly_topic_counts(Filters(start=month, end=month), None)
    compute = table.filter(pl.col("theme") == "compute_race").row(0, named=True)
    in_trend = trend.filter(pl.col("theme") == "compute_race").row(0, named=True)
    assert (compute["count"], compute["exposure"]) == (in_trend["passages"], in_trend["month_passages"])
    assert compute["monthly"][-1] == compute["count"] and len(compute["monthly"]) == 7


def test_the_trend_chart_marks_the_rises_the_view_finds(bundled_data):
    """The trend chart's triangles are the What rose view's verdicts, month by month, under
    the same filters; the pause letter's March 2023 point is drawn as a rise."""
    from dashboard import figures
    from dashboard.data import Filters

    f = Filters(start=date(2023, 1, 1), end=date(2025, 6, 1))
    marks = bundled_data.rise_marks(f)
    by_view = pl.concat([
        bundled_data.rise_table(f, m).filter(pl.col("significant")).select(
            pl.lit(m).alias("month"), "topic_id", "direction")
        for m in bundled_data.index.months_in_range(f)])
    assert sorted(marks.iter_rows()) == sorted(by_view.iter_rows())
    fig = figures.trend_figure(bundled_data.monthly_topic_counts(f, None), changes=marks)
    pause = next(t for t in fig["data"] if t.get("name", "").lower().startswith("pause"))
    march = pause["x"].index(date(2023, 3, 1))
    assert pause["marker"]["symbol"][march] == "triangle-up"
    assert "rose beyond chance" in pause["customdata"][march][figures.POINT_FIELDS.index("change_note")]
    quiet = pause["x"].index(date(2024, 8, 1))
    assert pause["marker"]["symbol"][quiet] == "circle"


@pytest.mark.browser
def test_the_tab_keeps_its_month_in_the_url_and_a_click_filters(dash_duo, bundled_build):
    from dashboard.app import create_app

    dash_duo.start_server(create_app(bundled_build.run_dir))
    dash_duo.driver.get(dash_duo.server_url + "/?tab=rises&rise=2025-01")
    dash_duo.wait_for_contains_text(f"#{ids.RISE_NOTE}", "January 2025", timeout=15)
    rows = wait_until(lambda: dash_duo.find_elements(".rise-table tbody tr"), message="rows")
    compute = [r for r in rows if r.text.startswith("Compute race")]
    assert compute and "▲ rose" in compute[0].text
    link = compute[0].find_element("css selector", "a").get_attribute("href")
    assert "topic=compute_race" in link and "from=2025-01" in link and "to=2025-01" in link

    dash_duo.find_element(f"#{ids.RISE_MONTH}").click()  # the month control writes the URL
    option = wait_until(lambda: [o for o in dash_duo.find_elements("[role='option']")
                                 if o.text == "February 2025"], message="the month option")
    option[0].click()
    wait_until(lambda: "rise=2025-02" in dash_duo.driver.current_url, message="rise=2025-02")
    dash_duo.wait_for_contains_text(f"#{ids.RISE_NOTE}", "February 2025")

    dash_duo.driver.get(dash_duo.server_url + "/?tab=rises&rise=2023-03")  # a reloaded link
    dash_duo.wait_for_contains_text(f"#{ids.RISE_NOTE}", "March 2023", timeout=15)
    wait_until(lambda: any(r.text.startswith("Pause letter") and "▲ rose" in r.text
                           for r in dash_duo.find_elements(".rise-table tbody tr")),
               message="the pause letter's rise")
    point = wait_until(lambda: dash_duo.find_elements(f"#{ids.RISE_GRAPH} .scatterlayer .point"),
                       message="the ratios")
    top = point[-1]  # the top row: the biggest change, the pause letter
    ActionChains(dash_duo.driver).move_to_element(top).pause(0.3).click().perform()
    wait_until(lambda: "topic=pause_letter" in dash_duo.driver.current_url,
               message="the filter in the URL")
    url = dash_duo.driver.current_url
    assert "from=2023-03" in url and "to=2023-03" in url and "tab=" not in url  # on the trends
    dash_duo.wait_for_contains_text(f"#{ids.GRID_COUNT}", "15 passages")
    symbols = f"""return document.querySelector('#{ids.TREND_GRAPH} .js-plotly-plot')
                  .data.map(t => (t.marker || {{}}).symbol)"""
    wait_until(lambda: ["triangle-up"] in dash_duo.driver.execute_script(symbols),
               message="the rise marked on the trend chart (patched after the chart)")
    titles = dash_duo.driver.execute_script(
        f"return [...document.querySelectorAll('#{ids.TREND_GRAPH} .modebar-btn')].map(b => b.dataset.title)")
    assert "Download plot as a PNG" in titles and not any("Share" in t for t in titles)  # no Plotly Cloud
    assert dash_duo.get_logs() == []


def test_network_edges_count_the_passages_naming_both_and_follow_the_filters(bundled_data):
    from dashboard.data import Filters

    passages = bundled_data.index.p.select("passage_id", "people", "topic_id")
    net = bundled_data.network(Filters())
    assert net.passages == passages.height and not net.edges.is_empty()
    for edge in net.edges.head(5).iter_rows(named=True):
        both = passages.filter(pl.col("people").list.contains(edge["source"])
                               & pl.col("people").list.contains(edge["target"])).height
        assert edge["count"] == both >= 3 and -1 <= edge["npmi"] <= 1
    assert set(net.edges["source"]) | set(net.edges["target"]) <= set(net.nodes["person"])
    pause = bundled_data.index.topics.filter(pl.col("theme") == "pause_letter")["topic_id"][0]
    narrowed = bundled_data.network(Filters(topics=(pause,)))
    assert 0 < narrowed.passages < net.passages
    assert narrowed.nodes["passages"].sum() <= net.nodes["passages"].sum()


def test_narrowing_some_rows_agrees_with_filtering_the_corpus(bundled_data):
    import numpy as np

    from dashboard.data import Filters
    from dashboard.data.rows import filtered_rows, narrow_rows

    index = bundled_data.index
    pause = index.topics.filter(pl.col("theme") == "pause_letter")["topic_id"][0]
    every = np.arange(index.height, dtype=np.int64)
    some = every[::3]
    for f in (Filters(), Filters(people=("Elon Musk", "Sam Altman")), Filters(sources=bundled_data.sources[:1]),
              Filters(topics=(pause,), start=date(2023, 3, 1), end=date(2023, 9, 1)),
              Filters(search="GPU", people=("Elon Musk",))):
        expected = filtered_rows(index, f)
        assert narrow_rows(index, f, every).tolist() == expected.tolist(), f
        assert narrow_rows(index, f, some).tolist() == np.intersect1d(expected, some).tolist(), f


def test_the_passages_naming_both_of_a_pair(bundled_data):
    from dashboard.data import Filters

    p = bundled_data.index.p
    both = p.filter(pl.col("people").list.contains("Elon Musk")
                    & pl.col("people").list.contains("Sam Altman"))
    total, rows = bundled_data.pair_passages(Filters(), "Elon Musk", "Sam Altman")
    assert total == both.height > 0
    assert set(rows["passage_id"]) <= set(both["passage_id"]) and rows.height == min(total, 25)
    assert rows["date"].to_list() == sorted(rows["date"].to_list(), reverse=True)
    in_2023, _ = bundled_data.pair_passages(Filters(start=date(2023, 1, 1), end=date(2023, 12, 1)),
                                            "Elon Musk", "Sam Altman")
    assert in_2023 == both.filter(pl.col("month").dt.year() == 2023).height


def click_on_the_network(dash_duo, bundled_build, trace: str, what: str) -> None:
    """Serve the bundled run, open the network tab and click the first point of `trace`
    (a CSS selector of the figure's trace: the people are the last, the links' diamonds
    the one before)."""
    from dashboard.app import create_app

    dash_duo.start_server(create_app(bundled_build.run_dir))
    dash_duo.driver.get(dash_duo.server_url + "/?tab=network")
    dash_duo.wait_for_contains_text(f"#{ids.NETWORK_NOTE}", "people and", timeout=15)
    points = wait_until(lambda: dash_duo.find_elements(
        f"#{ids.NETWORK_GRAPH} .scatterlayer .trace:{trace} .point"), message=what)
    ActionChains(dash_duo.driver).move_to_element(points[0]).pause(0.3).click().perform()


@pytest.mark.browser
def test_a_click_on_a_link_of_the_network_lists_the_passages_naming_both(dash_duo, bundled_build):
    click_on_the_network(dash_duo, bundled_build, "nth-last-child(2)", "links")
    wait_until(lambda: dash_duo.driver.current_url.count("both=") == 2, message="the pair in the URL")
    dash_duo.wait_for_contains_text(f"#{ids.NETWORK_PAIR_NOTE}", "passages name both", timeout=10)
    listed = dash_duo.find_elements(".pair-passage")
    assert listed and "person=" not in dash_duo.driver.current_url
    dash_duo.driver.get(dash_duo.driver.current_url)  # a reloaded link shows the same list
    dash_duo.wait_for_contains_text(f"#{ids.NETWORK_PAIR_NOTE}", "passages name both", timeout=15)
    assert len(dash_duo.find_elements(".pair-passage")) == len(listed)
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_a_click_on_a_person_of_the_network_filters_the_page(dash_duo, bundled_build):
    click_on_the_network(dash_duo, bundled_build, "last-child", "people")
    wait_until(lambda: "person=" in dash_duo.driver.current_url, message="a person in the URL")
    assert "tab=network" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text(f"#{ids.NETWORK_NOTE}", "people and")
    assert dash_duo.get_logs() == []


def test_compare_two_people(bundled_data):
    from dashboard.data import Filters

    result = bundled_data.compare(Filters(), "Elon Musk", "Sam Altman")
    words = bundled_data.compare_words(Filters(), "Elon Musk", "Sam Altman")
    passages = bundled_data.index.p
    assert result.passages == words.passages == tuple(
        passages.filter(pl.col("people").list.contains(p)).height for p in ("Elon Musk", "Sam Altman"))
    words_a = words.words.filter(pl.col("side") == "a")["word"].to_list()
    words_b = words.words.filter(pl.col("side") == "b")["word"].to_list()
    assert "xai" in words_a and "board" in words_b  # xAI and Grok; OpenAI's board crisis
    assert not {"elon", "musk", "sam", "altman"} & set(words_a + words_b)  # not their names
    assert (words.words["z"] > 0).all()
    mix = result.mix.filter(pl.col("passages") > 0)
    assert ((mix["low"] <= mix["share"]) & (mix["share"] <= mix["high"])).all()
    assert "Elon Musk" not in result.company.filter(pl.col("side") == "a")["person"].to_list()
    assert words.word_passages == result.passages  # small sides: every passage's words


def test_compare_trend_is_each_sides_share_of_the_months_passages(bundled_data):
    from dashboard.data import Filters

    result = bundled_data.compare(Filters(), "Elon Musk", "2023")
    p = bundled_data.index.p
    musk = result.trend.filter(pl.col("side") == "a")
    assert musk["passages"].sum() == result.passages[0]
    march = musk.filter(pl.col("month") == date(2023, 3, 1)).row(0, named=True)
    in_march = p.filter(pl.col("month") == date(2023, 3, 1))
    assert march["passages"] == in_march["people"].list.contains("Elon Musk").sum()
    assert march["month_passages"] == in_march.height
    year = result.trend.filter(pl.col("side") == "b")
    assert (year["share"] == 1.0).all() and year["month"].dt.year().unique().to_list() == [2023]


def test_compare_csv_holds_every_section_and_is_guarded(bundled_data):
    import csv
    import io

    from dashboard.data import Filters, csv_text
    from dashboard.data.compare import comparison_rows
    from dashboard.exports import export_filename
    from dashboard.url_state import UrlState

    result = bundled_data.compare(Filters(), "Elon Musk", "Sam Altman")
    words = bundled_data.compare_words(Filters(), "Elon Musk", "Sam Altman")
    rows = list(csv.DictReader(io.StringIO(csv_text(comparison_rows(result, words)))))
    sections = {r["section"] for r in rows}
    assert sections == {"theme share", "distinctive word", "named with", "monthly share"}
    words_a = [r for r in rows if r["section"] == "distinctive word" and r["side"] == "Elon Musk"]
    assert words_a[0]["item"] == words.words.filter(pl.col("side") == "a")["word"][0]
    shares = {r["item"]: float(r["share"]) for r in rows
              if r["section"] == "theme share" and r["side"] == "Sam Altman"}
    mix = result.mix.filter(pl.col("side") == "b")
    assert shares == pytest.approx(dict(zip(mix["label"], mix["share"])), abs=1e-6)
    state = UrlState(compare=("Elon Musk", "=cmd|x"), q="x")
    assert export_filename("compare", "R-1", state, "Elon Musk", "vs", "=cmd|x") == \
        "discourse-compare-r-1-elon-musk_vs_cmd-x_q-x.csv"


@pytest.mark.browser
def test_compare_keeps_its_people_in_the_url(dash_duo, bundled_build):
    from dashboard.app import create_app

    dash_duo.start_server(create_app(bundled_build.run_dir))
    dash_duo.driver.get(dash_duo.server_url + "/?tab=compare&vs=Elon+Musk&vs=Sam+Altman")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_NOTE}", "Elon Musk:", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_WORDS}", "Words of Elon Musk", timeout=15)
    lists = dash_duo.find_elements(f"#{ids.COMPARE_WORDS} .compare-col")
    assert lists[0].text.startswith("Words of Elon Musk") and "xai" in lists[0].text
    dash_duo.driver.get(dash_duo.server_url + "/?tab=compare&vs=Elon+Musk")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_BODY}", "Choose two sides")
    box = dash_duo.find_element(f"#{ids.COMPARE_PEOPLE}")  # the control writes the URL
    box.click()
    box.send_keys("Gary Marcus")
    option = wait_until(lambda: [o for o in dash_duo.find_elements("[role='option']")
                                 if o.text.startswith("Gary Marcus")], message="the option")
    option[0].click()
    wait_until(lambda: "vs=Gary+Marcus" in dash_duo.driver.current_url, message="vs in the URL")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_NOTE}", "Gary Marcus:")
    assert dash_duo.get_logs() == []


def test_compare_two_years_and_two_sources(bundled_data):
    from dashboard.data import Filters

    years = bundled_data.compare(Filters(), "2023", "2025")
    months = bundled_data.index.p["month"]
    assert years.passages == ((months.dt.year() == 2023).sum(), (months.dt.year() == 2025).sum())
    clipped = bundled_data.compare(Filters(start=date(2023, 6, 1)), "2023", "2025")
    assert clipped.passages[0] == ((months.dt.year() == 2023) & (months.dt.month() >= 6)).sum()
    sources = bundled_data.sources[:2]
    pair = bundled_data.compare(Filters(), *sources)
    assert pair.passages == tuple((bundled_data.index.p["source"] == s).sum() for s in sources)
