"""Fixtures for the dashboard tests: the hand-made run, its data layer, and Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fixture_run import write_fixture_run  # tests/dashboard is on sys.path (rootdir conftest)
from hostile_run import write_hostile_run

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def fixture_out(tmp_path_factory) -> Path:
    """An --out folder holding one hand-made run, with `current` pointing at it."""
    out = tmp_path_factory.mktemp("discourse-out")
    write_fixture_run(out)
    return out


@pytest.fixture(scope="session")
def fixture_run(fixture_out) -> Path:
    """The run folder (`OUT/current`)."""
    return fixture_out / "current"


@pytest.fixture(scope="session")
def events_csv(fixture_out) -> Path:
    return fixture_out / "events.csv"


@pytest.fixture(scope="session")
def ddata(fixture_run, events_csv):
    """DiscourseData over the fixture run (no themes.toml: theme order is alphabetical)."""
    from dashboard.data import DiscourseData

    return DiscourseData.load(fixture_run, events_path=events_csv)


@pytest.fixture
def dash_app(fixture_run, events_csv):
    from dashboard.app import create_app

    return create_app(fixture_run, events_path=events_csv)


@pytest.fixture(scope="session")
def hostile_out(tmp_path_factory) -> Path:
    """An --out folder whose run tries to inject markup and script (hostile_run.py)."""
    out = tmp_path_factory.mktemp("discourse-hostile")
    write_hostile_run(out)
    return out


@pytest.fixture(scope="session")
def hostile_data(hostile_out):
    """DiscourseData over the hostile run, as hostile_app loads it."""
    from dashboard.data import DiscourseData

    return DiscourseData.load(hostile_out / "current", themes_path=hostile_out / "themes.toml",
                              events_path=hostile_out / "events.csv")


@pytest.fixture
def hostile_app(hostile_out):
    from dashboard.app import create_app

    return create_app(hostile_out / "current", themes_path=hostile_out / "themes.toml",
                      events_path=hostile_out / "events.csv")


def _chromium_available() -> bool:
    return (CHROMIUM.exists() or shutil.which("chromium") is not None) and \
        shutil.which("chromedriver") is not None


def pytest_runtest_setup(item):
    """Browser tests skip without Chromium locally, but must run (and so fail) in CI."""
    if item.get_closest_marker("browser") and not _chromium_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium / chromedriver missing under CI: "
                        "apt-get install chromium chromium-driver", pytrace=False)
        pytest.skip("Chromium / chromedriver not installed (set CI=1 to make this an error)")


def pytest_setup_options():
    """Chrome options for dash[testing]'s dash_duo (called by its plugin)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if CHROMIUM.exists():
        options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                 "--disable-dev-shm-usage"):
        options.add_argument(flag)
    return options


@pytest.fixture(scope="module")
def app(fixture_run, events_csv):
    """One app over the fixture run per test module (for request-level tests)."""
    from dashboard.app import create_app

    return create_app(fixture_run, events_path=events_csv)


@pytest.fixture(scope="module")
def client(app):
    """Flask test client of `app`."""
    return app.server.test_client()


@pytest.fixture(scope="module")
def browser(request, app, tmp_path_factory):
    """One server over `app` and one Chromium for the module (dash[testing]'s parts, module-scoped)."""
    from dash.testing.application_runners import ThreadedRunner
    from dash.testing.composite import DashComposite

    with ThreadedRunner() as server, DashComposite(
            server=server, browser=request.config.getoption("webdriver"),
            headless=request.config.getoption("headless"),
            options=request.config.hook.pytest_setup_options(),
            download_path=str(tmp_path_factory.mktemp("browser-download"))) as duo:
        duo.start_server(app)
        yield duo
