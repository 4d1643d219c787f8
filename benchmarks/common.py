"""Shared helpers: paths, repeated side-by-side timing, result rows, machine description."""

from __future__ import annotations

import datetime as dt
import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("DISCOURSE_BENCH_CACHE", REPO_ROOT / "benchmarks" / "cache"))
BUNDLED_CORPUS = REPO_ROOT / "data" / "corpus"
PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
DISCOURSE = REPO_ROOT / ".venv" / "bin" / "discourse"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a small sample; no interpolation beyond the max."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def side_by_side(functions: dict[str, Callable[[], object]], repeat: int,
                 warmup: bool | set[str] = True) -> tuple[dict[str, list[float]], dict[str, object]]:
    """Time each function `repeat` times, interleaved (A B C A B C ...) so that load from
    other processes hits every implementation alike. Returns seconds per run and the last
    result of each function. `warmup`: run all (True), none (False) or the named functions
    once before timing (first-call costs such as imports and thread pools are not measured)."""
    results: dict[str, object] = {}
    for name, fn in functions.items():
        if warmup is True or (isinstance(warmup, set) and name in warmup):
            results[name] = fn()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, fn in functions.items():
            gc.collect()
            began = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - began)
    return times, results


@dataclass
class Row:
    """One figure of the results table."""

    part: str
    what: str
    value: str
    stat: str  # how it was measured: "median of 5", "p95 of 20 requests", "1 run", ...
    target: str = ""
    met: bool | None = None  # None = no target

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "**missed**")


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # part -> paragraphs
    tables: dict[str, str] = field(default_factory=dict)  # part -> extra markdown table

    def add(self, *args, **kwargs) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row

    def note(self, part: str, text: str) -> None:
        self.notes.setdefault(part, []).append(text)


def machine() -> dict[str, str]:
    """Cores, RAM, CPU model, OS, Python and the date."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
        load = ", ".join(f"{x:.1f}" for x in psutil.getloadavg())
    except Exception:  # noqa: BLE001 - description only
        ram, load = "unknown", "unknown"
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": model, "cores": str(os.cpu_count()), "ram": ram,
        "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
        "load average at start": load,
    }


def fmt_seconds(s: float) -> str:
    if s != s:  # nan
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def fmt_bytes(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} B"
    if n < 1024**2:
        return f"{n / 1024:.1f} KB"
    if n < 1024**3:
        return f"{n / 1024**2:.0f} MB"
    return f"{n / 1024**3:.2f} GB"
