"""A serving worker for the HTTP benchmark: `create_app(RUN_DIR)` behind waitress.

`python -m benchmarks.serve_worker RUN_DIR [--port 0] [--threads 4]` prints
`READY <port> <create_app seconds>` once it listens on 127.0.0.1. Every response carries
`X-Bench-Server-Ms`: the time from Flask's first before_request hook to the last
after_request hook (callback, figure building and JSON serialisation; not the socket).
For a streamed response (the passages CSV download) that is the time until Flask has the
response object, before any of the body is generated: the client measures the rest.
Stop it with SIGTERM.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=4)  # as dashboard.server.serve
    args = parser.parse_args(argv)

    began = time.perf_counter()
    from dashboard.app import create_app

    app = create_app(args.run_dir)
    load_seconds = time.perf_counter() - began
    server = app.server
    from flask import g

    @server.before_request
    def _bench_started() -> None:
        g.bench_started = time.perf_counter()

    @server.after_request
    def _bench_finished(response):  # noqa: ANN001, ANN202
        started = getattr(g, "bench_started", None)
        if started is not None:
            response.headers["X-Bench-Server-Ms"] = f"{(time.perf_counter() - started) * 1000:.3f}"
        return response

    # after_request hooks run in reverse order of registration: make ours run last.
    funcs = server.after_request_funcs.setdefault(None, [])
    funcs.remove(_bench_finished)
    funcs.insert(0, _bench_finished)

    from waitress import create_server

    from dashboard.server import freeze_loaded_heap

    freeze_loaded_heap()  # as dashboard.server.serve does before serving
    listener = create_server(server, host="127.0.0.1", port=args.port, threads=args.threads, ident="bench")
    print(f"READY {listener.effective_port} {load_seconds:.3f}", flush=True)
    listener.run()


if __name__ == "__main__":
    main()
