"""`create_app(run_dir)`: the Dash app over one published run."""

from __future__ import annotations

from pathlib import Path

import dash

from dashboard.context import AppContext
from dashboard.data import DiscourseData
from dashboard.data.review import ReviewDesk
from dashboard.downloads import PASSAGES_CSV_ROUTE, register_passages_csv
from dashboard.features import VIEWS
from dashboard.features.review import REVIEW_ROUTE
from dashboard.page import page
from dashboard.security import harden

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"
DATA_DIR = REPO_ROOT / "data"


# <html lang="en">, and Dash's script holder a <div>: a second <footer> would be a second
# contentinfo landmark beside the page's own
INDEX = (dash.dash._default_index.replace("<html>", '<html lang="en">', 1)
         .replace("<footer>", "<div>", 1).replace("</footer>", "</div>", 1))


def _first_file(*candidates: Path) -> Path | None:
    return next((c for c in candidates if c.is_file()), None)


def load_data(run_dir: Path, themes_path: Path | None = None,
              events_path: Path | None = None) -> DiscourseData:
    """The run's data layer. Events come from `events_path`, else `run_dir/events.csv`,
    else `data/events.csv`; theme descriptions from `themes_path`, else the run's
    themes.toml, else `data/themes.toml`."""
    return DiscourseData.load(
        run_dir,
        themes_path=themes_path or _first_file(run_dir / "themes.toml",
                                               DATA_DIR / "themes.toml"),
        events_path=events_path or _first_file(run_dir / "events.csv", DATA_DIR / "events.csv"),
    )


def create_app(run_dir: Path, debug: bool = False, *, themes_path: Path | None = None,
               events_path: Path | None = None, corrections: Path | None = None) -> dash.Dash:
    """The dashboard over `run_dir` (an `OUT/current` folder). Tables are read once, here.
    With `corrections` (a corrections.jsonl path) it runs in review mode."""
    return build_app(run_dir, debug, themes_path=themes_path, events_path=events_path,
                     corrections=corrections)[0]


def build_app(run_dir: Path, debug: bool = False, *, themes_path: Path | None = None,
              events_path: Path | None = None, corrections: Path | None = None,
              ) -> tuple[dash.Dash, AppContext]:
    """The app and the context its views share (for the server's start-up message)."""
    data = load_data(Path(run_dir), themes_path, events_path)
    desk = ReviewDesk(data, Path(corrections)) if corrections is not None else None
    app = dash.Dash(
        __name__, assets_folder=str(ASSETS_DIR), title="AI-regulation discourse",
        update_title=None, serve_locally=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        index_string=INDEX,
        # The passage grid joins the page after the first chart (features/passages.py), so
        # its callbacks name ids the first layout lacks. Dash's own check would need the
        # whole page again in every HTML response; tests/dashboard/test_layout_ids.py checks
        # instead that every callback's ids are in the page or in the grid.
        suppress_callback_exceptions=True,
    )
    ctx = AppContext.create(data, app.config.requests_pathname_prefix + PASSAGES_CSV_ROUTE, desk)
    app.layout = page(ctx)
    for view in VIEWS:
        view.register(app, ctx)
    register_passages_csv(app, data)  # GET /download/passages.csv, streamed
    extra = (REVIEW_ROUTE,) if desk is not None else ()
    harden(app, debug, extra)  # headers, CSP, body cap, route allow-list, error handlers
    return app, ctx
