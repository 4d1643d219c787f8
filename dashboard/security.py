"""Hardening of the dashboard's Flask server (see docs/RELIABILITY.md).

`harden(app, debug)` is called by `create_app` and adds:

* security headers on every response, errors and static files included (a WSGI
  middleware, so even responses Flask builds while handling an exception get them);
  a Content-Security-Policy that allows scripts only from the app itself plus the hash of
  Dash's one inline start-up script, so injected markup could not run a script even if
  it ever reached the DOM;
* a 1 MB cap on request bodies (Flask answers 413 above it);
* an allow-list of routes: the page, Dash's layout / dependencies / callback endpoints, the
  component bundles Dash registered, the favicon, `assets/` and the passages CSV download
  (`download/passages.csv`, GET only: dashboard/downloads.py validates its query and
  answers 400 in plain text for anything it cannot use). Everything else is 404:
  Dash's catch-all page route, Flask's default `static/` route, `/_reload-hash` (dev tools;
  only with `debug=True`) and any path with `..` / `.` segments, backslashes or NUL;
* a check of every `/_dash-update-component` body against the app's callback map
  (a JSON object naming a registered callback, its inputs and state in the right order,
  with `changedPropIds` among its inputs) before Dash runs anything: 400 otherwise;
* error handlers: an unknown component bundle is 404 (Dash raises for it); any other
  exception inside the callback endpoint is logged with its traceback and answered with a
  400 and a short JSON message; elsewhere a plain 500 without details. Never a traceback
  in a response (PROPAGATE_EXCEPTIONS stays False unless `debug=True`).

Callbacks validate the values they receive themselves (dashboard/callbacks.py); the
400 for exceptions inside the callback endpoint is the last resort, and is logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dash
from dash.exceptions import DependencyException
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from dashboard.downloads import PASSAGES_CSV_ROUTE

log = logging.getLogger("dashboard.security")

MAX_BODY_BYTES = 1_000_000  # request bodies above this get a 413 from Flask
UPDATE_PATH = "/_dash-update-component"
RELOAD_PATH = "/_reload-hash"
MAX_OUTPUT_KEY = 2_000  # characters of a callback's output key
MAX_PROP_ID = 200  # characters of one "component.property" name

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
DEBUG_CSP = "frame-ancestors 'none'"


def content_security_policy(script_hashes: Iterable[str]) -> str:
    """The production CSP: scripts from this origin and Dash's hashed inline start-up
    script only; Mantine and Plotly set inline styles; images may be data:/blob: URLs
    (Plotly's PNG export); no framing, no plugins, no foreign form targets."""
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeaders:
    """WSGI middleware: add `headers` to every response that does not set them itself."""

    def __init__(self, wsgi_app: Callable, headers: dict[str, str]) -> None:
        self.wsgi_app = wsgi_app
        self.headers = list(headers.items())

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, response_headers: list, exc_info: Any = None):
            present = {name.lower() for name, _ in response_headers}
            response_headers.extend((n, v) for n, v in self.headers if n.lower() not in present)
            return start_response(status, response_headers, exc_info)

        return self.wsgi_app(environ, start)


def _json_error(message: str, status: int) -> Response:
    return Response(json.dumps({"error": message}), status=status,
                    mimetype="application/json")


def _bad_path(path: str) -> bool:
    if "\\" in path or "\x00" in path:
        return True
    return any(seg in (".", "..") for seg in path.split("/"))


def _spec_ids(items: Any) -> list[tuple[str, str]] | None:
    """[(id, property)] of a list of {"id": str, "property": str} dicts, else None."""
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        if not isinstance(item, dict):
            return None
        cid, prop = item.get("id"), item.get("property")
        if not isinstance(cid, str) or not isinstance(prop, str):
            return None
        out.append((cid, prop))
    return out


def callback_outputs(output_key: str) -> list[tuple[str, str]]:
    """[(component id, property)] named by a callback's output key: "id.prop", or
    "..a.p...b.q.." for several outputs."""
    parts = output_key[2:-2].split("...") if output_key.startswith("..") else [output_key]
    return [(cid, prop) for cid, prop in (part.rsplit(".", 1) for part in parts)]


def update_body(dep: dict[str, Any], values: Mapping[str, Any], changed: list[str]) -> dict[str, Any]:
    """The body Dash's renderer posts to /_dash-update-component for callback `dep` (an
    entry of /_dash-dependencies): `values` maps "id.prop" to a value, and a prop missing
    there is sent without one (undefined). `check_update_body` accepts these bodies; the
    tests and the HTTP benchmarks build their requests with it."""
    def specs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            spec = {"id": item["id"], "property": item["property"]}
            key = f"{item['id']}.{item['property']}"
            if key in values:
                spec["value"] = values[key]
            out.append(spec)
        return out

    outputs = [{"id": cid, "property": prop} for cid, prop in callback_outputs(dep["output"])]
    body = {"output": dep["output"],
            "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": specs(dep["inputs"]), "changedPropIds": changed}
    if dep.get("state"):
        body["state"] = specs(dep["state"])
    return body


def check_update_body(body: Any, callback_map: dict[str, dict]) -> str | None:
    """Why `body` is not a request the Dash renderer could send for one of the app's
    callbacks (None when it is). Values are not checked here: the callbacks do that."""
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or len(output) > MAX_OUTPUT_KEY:
        return "'output' must name a callback"
    spec = callback_map.get(output)
    if spec is None:
        return "unknown callback output"
    expected_in = [(i["id"], i["property"]) for i in spec.get("inputs", [])]
    expected_state = [(s["id"], s["property"]) for s in spec.get("state", [])]
    if any(not isinstance(cid, str) or cid.startswith("{") for cid, _ in expected_in + expected_state):
        return None  # pattern-matching ids (review mode): Dash and the callback check them
    if _spec_ids(body.get("inputs")) != expected_in:
        return "'inputs' do not match the callback"
    state = body.get("state", [])
    if _spec_ids([] if state is None else state) != expected_state:
        return "'state' does not match the callback"
    expected_out = [(o.component_id, o.component_property) for o in spec.get("output", [])] \
        if isinstance(spec.get("output"), list) else None
    outputs = body.get("outputs")
    if output.startswith(".."):  # several outputs: a list
        if expected_out is not None and _spec_ids(outputs) != expected_out:
            return "'outputs' do not match the callback"
    else:
        got = _spec_ids([outputs])
        if got is None or f"{got[0][0]}.{got[0][1]}" != output:
            return "'outputs' do not match the callback"
    changed = body.get("changedPropIds", [])
    known = {f"{cid}.{prop}" for cid, prop in expected_in}
    if not isinstance(changed, list) or len(changed) > len(known) or any(
            not isinstance(c, str) or len(c) > MAX_PROP_ID or c not in known for c in changed):
        return "'changedPropIds' must name inputs of the callback"
    return None


def harden(app: dash.Dash, debug: bool = False, extra_routes: tuple[str, ...] = ()) -> None:
    """Apply everything in this module's docstring to `app` (call once, after the
    callbacks are registered). `extra_routes`: further rules the app serves (review mode)."""
    server: Flask = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    server.config["PROPAGATE_EXCEPTIONS"] = bool(debug)
    server.config["DEBUG"] = bool(debug)
    headers = dict(BASE_HEADERS)
    headers["Content-Security-Policy"] = (DEBUG_CSP if debug else
                                          content_security_policy(app.csp_hashes()))
    server.wsgi_app = SecurityHeaders(server.wsgi_app, headers)

    prefix = app.config.routes_pathname_prefix  # "/"
    allowed_rules = {prefix, prefix + "_dash-layout", prefix + "_dash-dependencies",
                     prefix + "_dash-update-component", prefix + "_favicon.ico",
                     prefix + PASSAGES_CSV_ROUTE} | {prefix + r for r in extra_routes}
    if debug:
        allowed_rules.add(prefix + "_reload-hash")
    allowed_prefixes = (prefix + "assets/", prefix + "_dash-component-suites/")

    @server.before_request
    def _guard() -> Response | None:
        path = request.path
        if _bad_path(path):
            return _json_error("not found", 404)
        rule = request.url_rule
        if rule is None:
            return None  # Flask answers 404 / 405 itself
        if rule.rule not in allowed_rules and not rule.rule.startswith(allowed_prefixes):
            return _json_error("not found", 404)
        if rule.rule == UPDATE_PATH and request.method == "POST":
            try:
                body = request.get_json()  # cached: Dash reads the same parsed body
            except HTTPException as err:
                if err.code == 400:
                    return _json_error("malformed JSON", 400)
                raise  # 413 too large, 415 not JSON
            except Exception:  # noqa: BLE001 - e.g. RecursionError on absurd nesting
                return _json_error("malformed JSON", 400)
            problem = check_update_body(body, app.callback_map)
            if problem:
                return _json_error(f"bad callback request: {problem}", 400)
        return None

    @server.errorhandler(DependencyException)
    def _unknown_bundle(_err: Exception) -> Response:
        return _json_error("not found", 404)

    if debug:
        return  # Dash's dev tools show tracebacks in debug mode, on purpose

    @server.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return err
        log.exception("unhandled error on %s %s", request.method, request.path)
        if request.path == UPDATE_PATH:
            return _json_error("This request could not be handled.", 400)
        return Response("Internal server error", status=500, mimetype="text/plain")
