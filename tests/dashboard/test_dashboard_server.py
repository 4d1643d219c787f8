"""create_app / serve: headers, assets, start-up errors, waitress vs debug."""

from __future__ import annotations

import json
import shutil

import dash
import pytest

from dashboard import server
from dashboard.app import ASSETS_DIR


def test_security_headers_and_pages(dash_app):
    client = dash_app.server.test_client()
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and layout.headers["X-Frame-Options"] == "DENY"
    assert json.loads(layout.data)  # the layout serialises
    assert client.get("/assets/dashAgGridComponentFunctions.js").status_code == 200


def test_uses_the_repo_assets_folder(dash_app):
    assert dash_app.config.assets_folder == str(ASSETS_DIR)
    renderer = (ASSETS_DIR / "dashAgGridComponentFunctions.js").read_text()
    assert "innerHTML" not in renderer and "dangerouslySetInnerHTML" not in renderer


def test_no_corpus_text_as_html():
    """No dcc.Markdown / dangerously_allow_html anywhere in the app code."""
    from pathlib import Path

    for path in Path(ASSETS_DIR.parent, "dashboard").rglob("*.py"):
        code = path.read_text()
        assert "dcc.Markdown" not in code and "dangerously_allow_html" not in code, path
        assert "dangerously_allow_code" not in code, path


def test_serve_without_a_run_says_so(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        server.serve(tmp_path)
    assert "No published run" in str(exc.value.code)
    assert "discourse build" in str(exc.value.code)


def test_serve_with_a_broken_run_says_so(tmp_path, fixture_run):
    broken = tmp_path / "current"
    shutil.copytree(fixture_run, broken)
    (broken / "trends.parquet").unlink()
    with pytest.raises(SystemExit) as exc:
        server.serve(tmp_path)
    assert "trends" in str(exc.value.code)


def test_serve_uses_waitress_with_threads(fixture_out, monkeypatch):
    import waitress

    calls, order = {}, []
    monkeypatch.setattr(server, "freeze_loaded_heap", lambda: order.append("freeze"))
    monkeypatch.setattr(waitress, "serve",
                        lambda app, **kw: (calls.update(kw, app=app), order.append("serve")))
    server.serve(fixture_out, host="127.0.0.1", port=8123, workers=3)
    assert calls["threads"] == 3 and calls["port"] == 8123 and calls["host"] == "127.0.0.1"
    assert calls["app"].name == "dashboard.app"  # the Flask server
    assert order == ["freeze", "serve"]  # the loaded app is out of the GC's way first


def test_freezing_the_loaded_heap_leaves_nothing_for_a_full_collection():
    import gc

    try:
        server.freeze_loaded_heap()
        assert gc.get_freeze_count() > 0
        assert sum(len(gc.get_objects(generation)) for generation in range(3)) < gc.get_freeze_count()
    finally:
        gc.unfreeze()


def test_serve_debug_uses_dev_server(fixture_out, monkeypatch):
    calls = {}
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: calls.update(kw))
    server.serve(fixture_out, port=8124, debug=True)
    assert calls == {"host": "127.0.0.1", "port": 8124, "debug": True}


def test_cli_entry(fixture_out, monkeypatch):
    seen = {}
    monkeypatch.setattr(server, "serve", lambda *a: seen.setdefault("args", a))
    server.main([str(fixture_out), "--port", "9000", "--workers", "2", "--review"])
    assert seen["args"][2:] == (9000, 2, False, True)  # no debug; review mode asked for
