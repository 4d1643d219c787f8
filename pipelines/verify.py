"""Check a published run against its manifest and the artifact contract before anyone reads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.artifacts import MANIFEST_FILE, TABLES, ArtifactError, FileRecord, column_problems, read_manifest
from pipelines.files import file_sha256


@dataclass(frozen=True)
class Problem:
    file: str
    issue: str

    def __str__(self) -> str:
        return f"{self.file}: {self.issue}"


def verify_run(run_dir: Path) -> list[Problem]:
    """Every file the manifest lists must exist with its recorded size and sha256, the manifest
    must list every table the dashboard needs, and every listed table must have the contract's
    columns and types; no problems means the run is intact."""
    if not (run_dir / MANIFEST_FILE).is_file():
        return [Problem(MANIFEST_FILE, "missing")]
    try:
        manifest = read_manifest(run_dir)
    except ArtifactError as exc:
        return [Problem(MANIFEST_FILE, f"unreadable ({exc})")]
    problems = [Problem(MANIFEST_FILE, f"does not list {TABLES[name].file}, which the dashboard needs")
                for name in manifest.missing_tables()]
    intact = set()
    for name, expected in sorted(manifest.files.items()):
        issue = file_issue(run_dir / name, expected)
        if issue:
            problems.append(Problem(name, issue))
        else:
            intact.add(name)
    return problems + table_problems(run_dir, intact)


def file_issue(path: Path, expected: FileRecord) -> str | None:
    """What is wrong with one listed file (None: it has its recorded size and sha256)."""
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    if size != expected.bytes:
        return f"size {size:,} bytes, manifest says {expected.bytes:,}"
    if file_sha256(path) != expected.sha256:
        return "sha256 does not match the manifest (file changed or corrupted)"
    return None


def table_problems(run_dir: Path, intact: set[str]) -> list[Problem]:
    """Intact listed tables whose Parquet schema differs from the contract, one problem per column."""
    problems = []
    for name, table in TABLES.items():
        if table.file not in intact:
            continue
        try:
            schema = pl.read_parquet_schema(run_dir / table.file)
        except (OSError, pl.exceptions.PolarsError) as exc:
            problems.append(Problem(table.file, f"cannot be read as Parquet ({exc})"))
            continue
        problems += [Problem(table.file, issue) for issue in column_problems(name, schema)]
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
