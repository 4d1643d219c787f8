"""`serve(out_dir)`: the dashboard over `out_dir/current`, behind waitress.

`python -m dashboard.server OUT [--host H] [--port P] [--workers N] [--debug]`

Defaults are the safe ones: bound to 127.0.0.1 (this machine only), production mode
(waitress, no Dash dev tools, no Flask debugger). `--debug` runs Flask's development
server with Dash's dev tools and is refused on anything but a loopback address.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from dashboard.data import RunNotFoundError
from dashboard.security import MAX_BODY_BYTES

DEFAULT_HOST = "127.0.0.1"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# waitress settings besides host / port / threads (see docs/RELIABILITY.md)
WAITRESS_OPTIONS = {
    "ident": "discourse",
    # bodies up to 2 MB reach Flask, which answers 413 above 1 MB (with the security
    # headers); waitress refuses anything larger before buffering it
    "max_request_body_size": 2 * MAX_BODY_BYTES,
    "max_request_header_size": 64 * 1024,
    "channel_timeout": 60,
    "connection_limit": 200,
    "expose_tracebacks": False,
}


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
    the newest earlier run that is intact (said in the log); otherwise a clear refusal."""
    from pipelines.verify import choose_run

    run, problems, current = choose_run(out_dir)
    if current is None and run is None:
        raise SystemExit(
            f"No published run at {out_dir / 'current'}. Build one first:\n"
            f"    discourse build --corpus PATH --out {out_dir}")
    if problems and current is not None:
        details = "; ".join(str(p) for p in problems[:5])
        if run is None:
            raise SystemExit(f"Refusing to serve run {current.name}: {details}. "
                             f"No earlier intact run to fall back to; rebuild with `discourse build`.")
        print(f"WARNING: run {current.name} is corrupted ({details}); serving the previous intact run "
              f"{run.name} instead", file=sys.stderr)
    return run


def serve(out_dir: Path, host: str = DEFAULT_HOST, port: int = 8050, workers: int = 4,
          debug: bool = False) -> None:
    """Serve the run that `out_dir/current` points at.

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
        app, ctx = build_app(run_dir, debug=debug)
    except RunNotFoundError as exc:
        raise SystemExit(f"Cannot open the run: {exc}") from None
    summary = ctx.data.summary()
    print(f"Dashboard for run {summary.run_id} ({summary.documents:,} documents, "
          f"{summary.passages:,} passages) on http://{host}:{port}/", file=sys.stderr)
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from waitress import serve as waitress_serve

    freeze_loaded_heap()
    if host not in LOOPBACK_HOSTS:
        print(f"NOTE: listening on {host}, reachable from other machines; there is no "
              "login. Use 127.0.0.1 (the default) unless a proxy in front handles access.",
              file=sys.stderr)
    waitress_serve(app.server, host=host, port=port, threads=workers, **WAITRESS_OPTIONS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the --out folder of `discourse build`")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    serve(args.out, args.host, args.port, args.workers, args.debug)


if __name__ == "__main__":
    main()
