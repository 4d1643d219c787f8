"""Review mode (`discourse serve --review`): a correction made in the document drawer is
written, survives a server restart, trains the next build (a near-identical passage on
another document takes it) and exports into the labelled files; hostile correction
requests are refused and write nothing. Run with `pytest --headless`."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import polars as pl
import pytest
from selenium.webdriver.common.by import By
from typer.testing import CliRunner

from dashboard import ids
from pipelines import corrections as review
from pipelines.theme_labels import read_label_files
from test_dashboard_browser import grid_rows, wait_until

pytestmark = pytest.mark.browser
BUNDLED = Path(__file__).resolve().parents[2] / "data" / "corpus"
LIBRARY = ("The city council met on Tuesday to discuss the renovation of the public library's "
           "reading room, its new {day} opening hours and a mural painted by students of the "
           "local art school.")


def write_doc(folder: Path, doc_id: str, date: str, day: str) -> None:
    (folder / f"{date}-{doc_id}.md").write_text(
        f"---\nid: {doc_id}\ntitle: Council and the library ({day})\nsource: Local desk\n"
        f"date: {date}\n---\n{LIBRARY.format(day=day)}\n")


@pytest.fixture(scope="module")
def review_out(tmp_path_factory):
    """A small corpus (eight bundled briefs and two near-identical local reports, which no
    theme fits) built once; tests copy the output folder before changing it."""
    from pipelines.build import BuildConfig, build

    corpus = tmp_path_factory.mktemp("review-corpus")
    for path in sorted((BUNDLED / "2023-04").glob("*.md"))[:8]:
        shutil.copy(path, corpus / path.name)
    write_doc(corpus, "library-a", "2024-03-05", "weekend")
    write_doc(corpus, "library-b", "2024-03-06", "Sunday")
    out = tmp_path_factory.mktemp("review-out")
    build(BuildConfig(corpus=[corpus], out=out))
    return corpus, out


def carried(out: Path) -> dict[str, list[str]]:
    table = pl.read_parquet(out / "current" / "passage_themes.parquet")
    return {pid: sorted(table.filter(pl.col("passage_id") == pid)["theme"].to_list())
            for pid in ("library-a:0", "library-b:0")}


def review_app(out: Path):
    from dashboard.app import create_app

    return create_app(out / "current", corrections=review.corrections_path(out))


def open_library_report(dash_duo, app) -> None:
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?q=library")
    wait_until(lambda: grid_rows(dash_duo) == ["library-a:0", "library-b:0"],
               message="the two library reports")
    dash_duo.find_element(f"#{ids.GRID} .ag-row[row-id='library-a:0'] .cell-passage").click()
    dash_duo.wait_for_contains_text(".doc-title", "Council and the library (weekend)")
    dash_duo.wait_for_element(".doc-passage.focus .doc-themes")
    themes = dash_duo.find_element(".doc-passage.focus .doc-themes")
    spots = []  # wait until the drawer has slid in: a click lands where it is aimed

    def settled():
        spots.append(themes.rect)
        time.sleep(0.15)
        return len(spots) > 1 and spots[-1] == spots[-2]
    wait_until(settled, message="the drawer to stop moving")


def test_a_correction_is_written_survives_a_restart_and_trains_the_next_build(
        dash_duo, review_out, tmp_path):
    from pipelines.build import BuildConfig, build

    corpus, built = review_out
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    assert carried(out) == {"library-a:0": [], "library-b:0": []}

    open_library_report(dash_duo, review_app(out))
    focus = dash_duo.find_element(".doc-passage.focus")
    assert focus.find_element(By.CSS_SELECTOR, ".no-theme").get_attribute("textContent") == "no named theme"
    focus.find_element(By.CSS_SELECTOR, ".review-add input").click()
    option = wait_until(lambda: [o for o in dash_duo.find_elements("[role='option']")
                                 if o.text == "Jobs, labour & economic impact"], message="the theme option")
    option[0].click()
    dash_duo.wait_for_contains_text(f"#{ids.REVIEW_STATUS}", "saved for the next build")
    lines = review.read_corrections(review.corrections_path(out))
    assert lines.select("passage_id", "action", "theme").rows() == [
        ("library-a:0", "add", "jobs_labour")]
    assert carried(out)["library-a:0"] == []  # the published run is never modified
    assert dash_duo.get_logs() == []

    dash_duo.server.stop()  # a restart: a new app over the same output folder
    open_library_report(dash_duo, review_app(out))
    chip = dash_duo.find_element(".doc-passage.focus .theme-chip")
    assert chip.text.startswith("Jobs, labour & economic impact") and "origin-reviewed" in chip.get_attribute("class")
    chip.find_element(By.CSS_SELECTOR, "button[aria-label='Confirm Jobs, labour & economic impact']").click()
    dash_duo.wait_for_contains_text(f"#{ids.REVIEW_STATUS}", "Confirmed")
    assert review.read_corrections(review.corrections_path(out))["action"].to_list() == [
        "add", "confirm"]

    result = build(BuildConfig(corpus=[corpus], out=out))
    assert result.manifest["themes"]["corrections"] == 1
    assert carried(out) == {"library-a:0": ["jobs_labour"], "library-b:0": ["jobs_labour"]}
    origins = pl.read_parquet(out / "current" / "passage_themes.parquet").filter(
        pl.col("passage_id").str.starts_with("library"))["origin"].unique().to_list()
    assert origins == ["label"]

    target = tmp_path / "labels" / "corrections.jsonl"
    run = CliRunner().invoke(__import__("discourse.cli", fromlist=["app"]).app, [
        "labels", "export", "--out", str(out), "--to", str(target), "--source", "local"])
    assert run.exit_code == 0, run.output
    exported = read_label_files([target])
    assert exported.select("key", "themes", "picked_for").rows() == [
        (f"local:2024-03-05-library-a.md@0-{len(LIBRARY.format(day='weekend'))}",
         ["jobs_labour"], "correction")]


@pytest.fixture(scope="module")
def review_client(review_out, tmp_path_factory):
    out = tmp_path_factory.mktemp("review-hostile")
    shutil.copytree(review_out[1], out, symlinks=True, dirs_exist_ok=True)
    return out, review_app(out).server.test_client()


@pytest.mark.parametrize("body", [
    {"passage_id": "no-such:0", "theme": "jobs_labour", "action": "add"},
    {"passage_id": "library-a:0", "theme": "jobs", "action": "add"},
    {"passage_id": "library-a:0", "theme": "jobs_labour", "action": "remove"},
    {"passage_id": "library-a:0", "theme": "jobs_labour", "action": "rm -rf"},
    {"passage_id": "x" * 100_000, "theme": "jobs_labour", "action": "add"},
    {"passage_id": ["library-a:0"], "theme": "jobs_labour", "action": "add"},
    {"passage_id": "library-a:0", "theme": {"$ne": 1}, "action": "add"},
    ["library-a:0", "jobs_labour", "add"],
    "library-a:0",
])
def test_hostile_corrections_get_a_400_and_write_nothing(review_client, body):
    out, client = review_client
    answer = client.post("/review/corrections", json=body)
    assert answer.status_code == 400 and answer.get_json()["error"]
    assert not review.corrections_path(out).exists()


def test_a_body_that_is_not_json_gets_a_400_and_review_is_off_by_default(review_client):
    out, client = review_client
    answer = client.post("/review/corrections", data=b"{not json", content_type="application/json")
    assert answer.status_code == 400 and not review.corrections_path(out).exists()
    from dashboard.app import create_app

    plain = create_app(out / "current").server.test_client()
    refused = plain.post("/review/corrections", json={"passage_id": "library-a:0", "theme":
                                                     "jobs_labour", "action": "add"})
    assert refused.status_code in (404, 405)  # no such route: Dash's pages answer GET only
    assert not review.corrections_path(out).exists()
