"""Check a published run against its manifest and the artifact contract before anyone reads it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.artifacts import (
    MANIFEST_FILE, REQUIRED_TO_SERVE, TABLES, TOPIC_MODEL_FOLDER, ArtifactError, FileRecord, column_problems,
    read_manifest,
)
from pipelines.files import file_sha256


@dataclass(frozen=True)
class Problem:
    file: str
    issue: str

    def __str__(self) -> str:
        return f"{self.file}: {self.issue}"


def verify_run(run_dir: Path, needs: tuple[str, ...] = REQUIRED_TO_SERVE,
               needed_by: str = "the dashboard") -> list[Problem]:
    """Every file the manifest lists must exist with its recorded size and sha256, the manifest
    must list everything in `needs` (by default the tables the dashboard needs; `update` also
    needs rejects and the topic model), and every listed table must have the contract's columns
    and types; no problems means the run is intact."""
    if not (run_dir / MANIFEST_FILE).is_file():
        return [Problem(MANIFEST_FILE, "missing")]
    try:
        manifest = read_manifest(run_dir)
    except ArtifactError as exc:
        return [Problem(MANIFEST_FILE, f"unreadable ({exc})")]
    problems = [Problem(MANIFEST_FILE, f"does not list {listed_name(name)}, which {needed_by} needs")
                for name in manifest.missing_tables(needs)]
    intact = set()
    for name, expected in sorted(manifest.files.items()):
        issue = file_issue(run_dir / name, expected)
        if issue:
            problems.append(Problem(name, issue))
        else:
            intact.add(name)
    return problems + table_problems(run_dir, intact)


def listed_name(name: str) -> str:
    """How the manifest would name a table's file, or the topic model's folder."""
    return f"{name}/" if name == TOPIC_MODEL_FOLDER else TABLES[name].file


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


def choose_run(out: Path, needs: tuple[str, ...] = REQUIRED_TO_SERVE, needed_by: str = "the dashboard",
               ) -> tuple[Path | None, list[Problem], Path | None]:
    """The run to read: `current` when intact, else the newest intact earlier run (intact for
    `needs`, see `verify_run`).

    Returns (run to read or None, problems found in current, current's path). A `current` link
    to a run that no longer exists gives that path and the problem "points to ..., which does
    not exist"; no link at all gives None and "no published run".
    """
    link = out / "current"
    current = link.resolve() if link.is_symlink() or link.exists() else None
    if current is not None and current.is_dir():
        problems = verify_run(current, needs, needed_by)
        if not problems:
            return current, [], current
    elif current is not None:
        target = os.readlink(link) if link.is_symlink() else link
        problems = [Problem("current", f"points to {target}, which "
                                       + ("is not a run folder" if current.exists() else "does not exist"))]
    else:
        problems = [Problem("current", "no published run")]
    for run in published_runs(out):
        if run != current and not verify_run(run, needs, needed_by):
            return run, problems, current
    return None, problems, current
