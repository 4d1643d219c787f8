"""Safe defaults: loopback bind, no debug / dev tools, no client-chosen file paths, security
headers on every response. Checked through Flask's test client and through the production
server (waitress) on 127.0.0.1 with raw HTTP, so paths reach the app exactly as sent."""

from __future__ import annotations

import contextlib
import http.client
import inspect
import json
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dashboard import server
from dashboard.security import MAX_BODY_BYTES

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

TRAVERSAL_PATHS = [
    "/assets/../pyproject.toml",
    "/assets/%2e%2e/pyproject.toml",
    "/assets/%2E%2E/%2E%2E/etc/passwd",
    "/assets/..%2fpyproject.toml",
    "/assets/..%5cpyproject.toml",
    "/assets/..\\pyproject.toml",
    "/assets//etc/passwd",
    "/assets/%00style.css",
    "/assets/./style.css/../../pyproject.toml",
    "/_dash-component-suites/../../etc/passwd",
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/deps/..%2f..%2f..%2fpyproject.toml",
    "/_dash-component-suites/os/path.py",
    "/_dash-component-suites/dash/__init__.py",
    "/_dash-component-suites/dashboard/app.py",
    "/static/../pyproject.toml",
    "/static/app.py",
    "/etc/passwd",
    "/pyproject.toml",
    "/dashboard/app.py",
    "/.git/config",
    "/..%2f..%2f..%2fetc%2fpasswd",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
FILE_CONTENT = re.compile(rb"\[project\]|root:x?:0:0|\[core\]|def create_app|import ")


def assert_security_headers(headers) -> None:
    for name, value in HEADERS.items():
        assert headers.get(name) == value, (name, headers.get(name))
    csp = headers.get("Content-Security-Policy") or ""
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'sha256-" in csp and "'unsafe-inline'" not in csp.split(
        "script-src")[1].split(";")[0]


@pytest.fixture(scope="module")
def live(app):
    """The app behind waitress on a free loopback port, with serve()'s settings."""
    listener = server.create_guarded_server(app.server, host="127.0.0.1", port=0, threads=4,
                                            connection_limit=server.CONNECTION_LIMIT,
                                            **server.WAITRESS_OPTIONS)

    def run():
        try:
            listener.run()
        except OSError:  # the listening socket closed under the loop at teardown
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield listener.effective_port
    listener.task_dispatcher.shutdown()
    listener.close()
    thread.join(5)


def raw(port: int, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None, timeout: float = 30,
        ) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request with the path sent byte for byte (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body:
            try:
                conn.send(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered before reading it all (e.g. 413)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------- defaults
def test_serve_defaults_are_loopback_and_production():
    params = inspect.signature(server.serve).parameters
    assert params["host"].default == "127.0.0.1"
    assert params["debug"].default is False


def test_module_entry_defaults(fixture_out, monkeypatch):
    seen = {}
    monkeypatch.setattr(server, "serve", lambda *a: seen.setdefault("args", a))
    server.main([str(fixture_out)])
    assert seen["args"][1:] == ("127.0.0.1", 8050, 4, False, False)  # no debug, no review


def test_discourse_serve_defaults(fixture_out, monkeypatch, run_cli):
    seen = {}
    monkeypatch.setattr(server, "serve", lambda out, **kw: seen.update(kw, out=out))
    result = run_cli("serve", "--out", fixture_out)
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["debug"] is False and seen["review"] is False


def test_debug_is_refused_off_loopback(fixture_out):
    with pytest.raises(SystemExit) as exc:
        server.serve(fixture_out, host="0.0.0.0", debug=True)
    assert "loopback" in str(exc.value.code)


def test_production_serve_passes_the_waitress_limits(fixture_out, monkeypatch, capsys):
    import waitress

    calls = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.update(kw, app=app))
    server.serve(fixture_out, host="0.0.0.0", port=8125)
    assert calls["host"] == "0.0.0.0" and calls["threads"] == 4
    assert calls["max_request_body_size"] == 2 * MAX_BODY_BYTES
    assert calls["expose_tracebacks"] is False
    assert calls["app"].config["PROPAGATE_EXCEPTIONS"] is False
    # slow clients (issue 17, case 11): the request deadline, more connections, poll()
    assert calls["_server"] is server.create_guarded_server
    assert calls["connection_limit"] == server.connection_limit()  # 1,000 where files allow
    assert calls["asyncore_use_poll"] is True and calls["channel_timeout"] == 30
    assert "reachable from other machines" in capsys.readouterr().err


def test_debug_and_dev_tools_are_off(app, client):
    assert app.server.config["PROPAGATE_EXCEPTIONS"] is False
    assert app.server.config["DEBUG"] is False and app.server.debug is False
    assert not app._dev_tools.ui and not app._dev_tools.hot_reload
    assert not app._dev_tools.serve_dev_bundles and not app._dev_tools.props_check
    page = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)'
                                  r"</script>", page, re.DOTALL).group(1))
    assert config["ui"] is False and "hot_reload" not in config
    assert ".min.js" in page and "dash_renderer.dev" not in page


@pytest.mark.parametrize("path", ["/_reload-hash", "/console", "/_alive_x",
                                  "/?__debugger__=yes&cmd=resource&f=debugger.js"])
def test_no_dev_endpoints_in_production(client, path):
    response = client.get(path)
    body = response.get_data(as_text=True)
    assert "reloadHash" not in body and "__debugger__" not in body
    assert "Werkzeug" not in body and "Traceback" not in body
    if path != "/?__debugger__=yes&cmd=resource&f=debugger.js":
        assert response.status_code == 404  # the last one is just the page


def test_reload_hash_exists_only_in_debug(fixture_run, events_csv):
    """The check above can tell: with debug=True the dev-tools route answers."""
    from dashboard.app import create_app

    debug_app = create_app(fixture_run, debug=True, events_path=events_csv)
    assert debug_app.server.test_client().get("/_reload-hash").status_code == 200


def test_a_failing_page_route_gives_a_plain_500(fixture_run, events_csv, caplog):
    from dashboard.app import create_app

    broken = create_app(fixture_run, events_path=events_csv)

    def fail():
        raise RuntimeError("internal detail")

    broken.server.view_functions["/_dash-layout"] = fail
    response = broken.server.test_client().get("/_dash-layout")
    assert response.status_code == 500
    assert response.get_data(as_text=True) == "Internal server error"
    assert_security_headers(response.headers)
    assert any("internal detail" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


# ------------------------------------------------------------------- client-chosen paths
@pytest.mark.parametrize("path", TRAVERSAL_PATHS)
def test_no_file_outside_the_allow_list_test_client(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert not FILE_CONTENT.search(response.data)
    assert_security_headers(response.headers)


@pytest.mark.parametrize("path", TRAVERSAL_PATHS)
def test_no_file_outside_the_allow_list_waitress(live, path):
    status, headers, body = raw(live, "GET", path)
    assert status in (400, 404), (path, status)
    assert not FILE_CONTENT.search(body)
    if status != 400:  # waitress itself answers 400 to some malformed request lines
        assert_security_headers(headers)


def test_real_assets_and_bundles_are_still_served(client):
    page = client.get("/").get_data(as_text=True)
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    assert bundles
    for path in ["/assets/style.css", "/assets/dashAgGridComponentFunctions.js",
                 "/_favicon.ico", bundles[0]]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response.headers)


# ------------------------------------------------------------- headers on every response
def test_security_headers_on_every_kind_of_response(client):
    responses = {
        "page": client.get("/"),
        "layout": client.get("/_dash-layout"),
        "dependencies": client.get("/_dash-dependencies"),
        "asset": client.get("/assets/style.css"),
        "not found": client.get("/nope"),
        "bad callback": client.post("/_dash-update-component", data=b"{",
                                    content_type="application/json"),
        "too large": client.post("/_dash-update-component", data=b"x" * (MAX_BODY_BYTES + 1),
                                 content_type="application/json"),
        "wrong method": client.delete("/_dash-layout"),
        "csv download": client.get("/download/passages.csv?person=Gary+Marcus"),
        "bad csv download": client.get("/download/passages.csv?from=2023-13"),
        "csv download POST": client.post("/download/passages.csv"),
    }
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 200, 404, 400,
                                                           413, 405, 200, 400, 405]
    for name, response in responses.items():
        assert_security_headers(response.headers)
        assert b"Traceback" not in response.data, name


def test_waitress_responses(live):
    status, headers, body = raw(live, "GET", "/")
    assert status == 200 and b"_dash-config" in body
    assert_security_headers(headers)
    assert headers.get("Server") == "discourse"
    status, headers, body = raw(live, "POST", "/_dash-update-component", b"{not json",
                                {"Content-Type": "application/json"})
    assert status == 400 and json.loads(body) == {"error": "malformed JSON"}
    assert_security_headers(headers)
    # between Flask's cap (1 MB) and waitress's (2 MB): Flask's 413, with the headers
    status, headers, _ = raw(live, "POST", "/_dash-update-component",
                             b"x" * (MAX_BODY_BYTES + 500_000),
                             {"Content-Type": "application/json"})
    assert status == 413
    assert_security_headers(headers)
    # above waitress's cap: refused by waitress before the body is read
    status, _, body = raw(live, "POST", "/_dash-update-component",
                          b"x" * (3 * MAX_BODY_BYTES), {"Content-Type": "application/json"})
    assert status == 413 and b"Traceback" not in body


def test_waitress_streams_the_passages_csv(live, ddata):
    """The download through the production server: chunked, complete, with the headers;
    hostile queries get the plain 400."""
    from dashboard.data import Filters, csv_text
    from dashboard.exports import strip_header

    status, headers, body = raw(live, "GET", "/download/passages.csv?person=Gary+Marcus")
    assert status == 200 and headers.get("Transfer-Encoding") == "chunked"
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"] == (
        f'attachment; filename="discourse-passages-{ddata.manifest["run_id"].lower()}'
        '-person-gary-marcus.csv"')
    assert_security_headers(headers)
    export = ddata.passages_export(Filters(people=("Gary Marcus",)))
    assert strip_header(body.decode()) == csv_text(export)
    for query in ["q=" + "x" * 10_000, "point_topic=%3Cscript%3E&point_month=2024-02",
                  "person=%00", "from=2023-13&nope=1"]:
        status, headers, body = raw(live, "GET", "/download/passages.csv?" + query)
        assert status == 400 and headers["Content-Type"].startswith("text/plain"), query
        assert body.startswith(b"No file was made") and b"Traceback" not in body
        assert_security_headers(headers)
    status, headers, _ = raw(live, "POST", "/download/passages.csv", b"x=1")
    assert status == 405
    assert_security_headers(headers)


def test_waitress_survives_a_burst_of_hostile_requests(live):
    """Garbage on the wire, then a normal page: the server still answers correctly."""
    for payload in [b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
                    b"POST /_dash-update-component HTTP/1.1\r\nContent-Length: -5\r\n\r\n"]:
        with socket.create_connection(("127.0.0.1", live), timeout=10) as sock:
            sock.sendall(payload)
            answer = sock.recv(200)
            assert not answer or answer.split(b" ")[1][:1] in (b"4",), answer
    status, _, _ = raw(live, "GET", "/_dash-layout")
    assert status == 200


# --------------------------------------------------------------- slow clients (issue 17, case 11)
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def trickling(port: int, count: int, every: float = 0.5):
    """`count` connections that send a request line, then one header byte every `every`
    seconds and never finish; yields the set of those the server has closed so far."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
    for sock in socks:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
    closed: set[int] = set()
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(every):
            for i, sock in enumerate(socks):
                if i not in closed:
                    try:
                        sock.sendall(b"x")
                    except OSError:  # the server closed it (the 2nd send after its FIN fails)
                        closed.add(i)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield closed
    finally:
        stop.set()
        thread.join(5)
        for sock in socks:
            sock.close()


def test_the_connection_limit_fits_the_open_files_limit(monkeypatch):
    import resource

    limits = {"now": (20_000, 20_000)}
    monkeypatch.setattr(resource, "getrlimit", lambda kind: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", lambda kind, new: limits.update(now=new))
    assert server.connection_limit() == server.CONNECTION_LIMIT == 1000
    limits["now"] = (1024, 4096)  # a common default: the soft limit is raised
    assert server.connection_limit() == 1000 and limits["now"] == (1100, 4096)
    limits["now"] = (256, 256)  # cannot be raised: fewer connections, never EMFILE at accept()
    assert server.connection_limit() == 156


def test_210_slow_clients_do_not_lock_out_a_normal_request(fixture_out):
    """The production entry point, 210 connections trickling their headers (one byte every
    0.5 s): a normal request is still answered at once. Before: waitress held 200
    connections, so the normal request waited as long as the slow clients kept sending."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "dashboard.server", str(fixture_out),
                                "--port", str(port)], cwd=REPO_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            time.sleep(0.2)
        with trickling(port, 210):
            time.sleep(1)  # all of them accepted (or queued) before the normal request
            began = time.monotonic()
            status, _, _ = raw(port, "GET", "/_dash-layout", timeout=5)
            assert status == 200 and time.monotonic() - began < 3
    finally:
        process.terminate()
        process.wait(10)


def test_a_request_trickling_in_is_closed_at_the_request_timeout(app):
    """With 30 trickling clients against 20 connections and a 1 s request deadline, each slow
    connection is closed about 1 s after it opened, however steadily it sends, and a normal
    request queued behind them is answered within a few seconds."""
    listener = server.create_guarded_server(app.server, request_timeout=1, host="127.0.0.1",
                                            port=0, threads=2, connection_limit=20,
                                            **server.WAITRESS_OPTIONS)
    def run():
        with contextlib.suppress(OSError):  # the listening socket closed under the loop
            listener.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    port = listener.effective_port
    try:
        with trickling(port, 30) as closed:
            began = time.monotonic()
            status, _, _ = raw(port, "GET", "/_dash-layout", timeout=10)
            assert status == 200 and time.monotonic() - began < 6
            while len(closed) < 30 and time.monotonic() - began < 10:
                time.sleep(0.2)
            assert len(closed) == 30
    finally:
        listener.task_dispatcher.shutdown()
        listener.close()
        thread.join(5)
