"""Check a published run against its manifest before anyone reads it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipelines.embeddings import file_sha256


@dataclass(frozen=True)
class Problem:
    file: str
    issue: str

    def __str__(self) -> str:
        return f"{self.file}: {self.issue}"


def verify_run(run_dir: Path) -> list[Problem]:
    """Every file the manifest lists must exist with its recorded size and sha256; no problems
    means the run is intact."""
    manifest_path = run_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
    except FileNotFoundError:
        return [Problem("manifest.json", "missing")]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [Problem("manifest.json", f"unreadable ({exc.__class__.__name__}: {exc})")]
    problems = []
    for name, expected in sorted(files.items()):
        path = run_dir / name
        if not path.is_file():
            problems.append(Problem(name, "missing"))
        elif path.stat().st_size != expected.get("bytes"):
            problems.append(Problem(name, f"size {path.stat().st_size:,} bytes, manifest says {expected.get('bytes'):,}"))
        elif file_sha256(path) != expected.get("sha256"):
            problems.append(Problem(name, "sha256 does not match the manifest (file changed or corrupted)"))
    return problems


def published_runs(out: Path) -> list[Path]:
    """Complete runs under out/runs, newest first."""
    runs = out / "runs"
    if not runs.is_dir():
        return []
    return sorted((p for p in runs.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                  key=lambda p: p.name, reverse=True)


def choose_run(out: Path) -> tuple[Path | None, list[Problem], Path | None]:
    """The run to serve: `current` when intact, else the newest intact earlier run.

    Returns (run to serve or None, problems found in current, current's path).
    """
    link = out / "current"
    current = link.resolve() if link.exists() else None
    if current is not None:
        problems = verify_run(current)
        if not problems:
            return current, [], current
    else:
        problems = [Problem("current", "no published run")]
    for run in published_runs(out):
        if run != current and not verify_run(run):
            return run, problems, current
    return None, problems, current
