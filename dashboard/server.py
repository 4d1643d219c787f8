"""`serve(out_dir)`: the dashboard over `out_dir/current`, behind waitress.

`python -m dashboard.server OUT [--host H] [--port P] [--workers N] [--debug]`

Defaults are the safe ones: bound to 127.0.0.1 (this machine only), production mode
(waitress, no Dash dev tools, no Flask debugger). `--debug` runs Flask's development
server with Dash's dev tools and is refused on anything but a loopback address.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import resource
import sys
import time
from pathlib import Path
from typing import Any

from waitress.channel import HTTPChannel

from dashboard.data import RunNotFoundError
from dashboard.security import MAX_BODY_BYTES
from pipelines.corrections import corrections_path

DEFAULT_HOST = "127.0.0.1"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
CONNECTION_LIMIT = 1000  # connections at once (fewer when the process may not open that many files)
REQUEST_TIMEOUT = 15  # seconds a request (headers and body) may take to arrive, however it trickles
# waitress settings besides host / port / threads / connection_limit (see docs/RELIABILITY.md)
WAITRESS_OPTIONS = {
    "ident": "discourse",
    # bodies up to 2 MB reach Flask, which answers 413 above 1 MB (with the security
    # headers); waitress refuses anything larger before buffering it
    "max_request_body_size": 2 * MAX_BODY_BYTES,
    "max_request_header_size": 64 * 1024,
    "channel_timeout": 30,  # an idle connection is closed after 30 s (checked every cleanup_interval)
    "cleanup_interval": 10,
    "asyncore_use_poll": True,  # select() stops at 1,024 file descriptors
    "expose_tracebacks": False,
}


class GuardedChannel(HTTPChannel):
    """waitress's connection, with a deadline for reading each request: one that has not fully
    arrived `request_timeout` seconds after its first byte (the first request: after the
    connection opened) is closed, however steadily it trickles in. waitress's channel_timeout
    closes idle connections only, so slow clients sending a byte a second held every slot."""

    request_timeout: float = REQUEST_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading_since: float | None = self.creation_time

    def received(self, data: bytes) -> bool:
        if data and self.reading_since is None:
            self.reading_since = time.time()
        result = super().received(data)
        if self.request is None:  # everything received so far formed complete requests
            self.reading_since = None
        return result

    def readable(self) -> bool:  # asked on every turn of waitress's loop (at least once a second)
        if (self.reading_since is not None and not self.requests
                and time.time() - self.reading_since > self.request_timeout):
            self.will_close = True  # waitress closes it on its next turn
        return super().readable()


def connection_limit(wanted: int = CONNECTION_LIMIT, spare: int = 100) -> int:
    """`wanted`, or fewer when the process may not open that many files (the soft limit on open
    files is raised toward the hard one first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted + spare:
        raised = wanted + spare if hard == resource.RLIM_INFINITY else min(wanted + spare, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return wanted if soft == resource.RLIM_INFINITY else max(10, min(wanted, soft - spare))


def create_guarded_server(application: Any, request_timeout: float = REQUEST_TIMEOUT, **options: Any) -> Any:
    """`waitress.create_server` whose connections are GuardedChannels with `request_timeout`."""
    from waitress.server import BaseWSGIServer, create_server

    server = create_server(application, **options)
    channel = type("GuardedChannel", (GuardedChannel,), {"request_timeout": request_timeout})
    listeners = [server] if isinstance(server, BaseWSGIServer) else [
        d for d in server.map.values() if isinstance(d, BaseWSGIServer)]  # one per address
    for listener in listeners:
        listener.channel_class = channel
    return server


def freeze_loaded_heap() -> None:
    """Exempt everything loaded so far (the app, the run's tables and indexes) from the
    cyclic garbage collector. A full collection over a loaded 1M-passage app walks it all
    and took 58 ms, stalling whichever callback triggered it (the p95 outliers of
    docs/PERFORMANCE.md); after `gc.freeze()` it takes well under 1 ms. Refcounting still
    frees these objects; they are meant to live as long as the worker anyway."""
    gc.collect()
    gc.freeze()


def choose_run_to_serve(out_dir: Path) -> Path:
    """`out_dir/current` after checking every file against its manifest; when it is corrupted,
    missing or dangling, the newest intact earlier run (the log says which and why); otherwise a
    clear refusal."""
    from pipelines.verify import choose_run

    run, problems, current = choose_run(out_dir)
    if current is None and run is None:
        raise SystemExit(
            f"No published run at {out_dir / 'current'}. Build one first:\n"
            f"    discourse build --corpus PATH --out {out_dir}")
    if problems:
        what = f"run {current.name}" if current is not None and current.is_dir() else str(out_dir / "current")
        details = "; ".join(str(p) for p in problems[:5])
        if run is None:
            raise SystemExit(f"Refusing to serve {what}: {details}. "
                             f"No earlier intact run to fall back to; rebuild with `discourse build`.")
        print(f"WARNING: cannot serve {what} ({details}); serving the newest intact run, {run.name}, "
              "instead", file=sys.stderr)
    return run


def serve(out_dir: Path, host: str = DEFAULT_HOST, port: int = 8050, workers: int = 4,
          debug: bool = False, review: bool = False) -> None:
    """Serve the run that `out_dir/current` points at; with `review`, in review mode
    (corrections go to `out_dir/labels/corrections.jsonl`).

    Production: waitress with `workers` threads. `debug=True`: Flask's development server
    with Dash dev tools (never expose that one). Exits with a short message, no traceback,
    when there is no run to show.
    """
    if debug and host not in LOOPBACK_HOSTS:
        raise SystemExit(f"--debug serves Dash's dev tools and is only allowed on a loopback "
                         f"address ({', '.join(LOOPBACK_HOSTS)}), not {host}")
    run_dir = choose_run_to_serve(Path(out_dir))
    if workers < 1:
        raise SystemExit("--workers must be at least 1")
    from dashboard.app import build_app  # heavy imports only once there is a run

    try:
        app, ctx = build_app(run_dir, debug=debug,
                             corrections=corrections_path(Path(out_dir)) if review else None)
    except RunNotFoundError as exc:
        raise SystemExit(f"Cannot open the run: {exc}") from None
    summary = ctx.data.summary()
    print(f"Dashboard for run {summary.run_id} ({summary.documents:,} documents, "
          f"{summary.passages:,} passages) on http://{host}:{port}/", file=sys.stderr)
    if review:
        print(f"Review mode: corrections are saved to {corrections_path(Path(out_dir))}",
              file=sys.stderr)
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from waitress import serve as waitress_serve

    freeze_loaded_heap()
    if host not in LOOPBACK_HOSTS:
        print(f"NOTE: listening on {host}, reachable from other machines; there is no "
              "login. Use 127.0.0.1 (the default) unless a proxy in front handles access.",
              file=sys.stderr)
    waitress_serve(app.server, host=host, port=port, threads=workers, connection_limit=connection_limit(),
                   _server=create_guarded_server, **WAITRESS_OPTIONS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the --out folder of `discourse build`")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("--review", action="store_true")
    args = parser.parse_args(argv)
    serve(args.out, args.host, args.port, args.workers, args.debug, args.review)


if __name__ == "__main__":
    main()
