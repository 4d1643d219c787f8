"""`verify_run`: besides every file's size and sha256, a run's manifest must list every table the
dashboard needs, and every listed table must have the contract's columns and types."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.artifacts import (
    PUBLISHED, REQUIRED_TO_SERVE, TABLES, Manifest, empty, read_manifest, write_manifest, write_table,
)
from pipelines.verify import verify_run


@pytest.fixture
def run(tmp_path) -> Path:
    """A run folder holding every published table (no rows) and a manifest listing them."""
    folder = tmp_path / "run"
    folder.mkdir()
    for name in PUBLISHED:
        write_table(folder, name, empty(name))
    write_manifest(folder, Manifest(run_id="test-run"))
    return folder


def problems(run_dir: Path) -> list[str]:
    return [str(problem) for problem in verify_run(run_dir)]


def test_an_intact_run_has_no_problems(run):
    assert problems(run) == []


def test_a_manifest_that_lists_no_file_is_a_problem_naming_every_table_the_dashboard_needs(run):
    (run / "manifest.json").write_text('{"run_id": "test-run", "files": {}}')
    assert problems(run) == [f"manifest.json: does not list {TABLES[name].file}, which the dashboard needs"
                             for name in REQUIRED_TO_SERVE]


def test_a_manifest_missing_one_needed_table_names_it(run):
    manifest = read_manifest(run)
    del manifest.files["trends.parquet"]
    (run / "manifest.json").write_text(manifest.model_dump_json(exclude_unset=True))
    assert problems(run) == ["manifest.json: does not list trends.parquet, which the dashboard needs"]


def test_a_listed_table_with_a_wrong_type_names_the_file_and_the_column(run):
    wrong = empty("passages").with_columns(pl.col("topic_id").cast(pl.Int64))
    wrong.write_parquet(run / "passages.parquet")
    write_manifest(run, read_manifest(run))  # hashes match: only the contract can tell
    assert problems(run) == ["passages.parquet: column 'topic_id' is Int64, the contract says Int32"]


def test_a_listed_table_missing_a_column_names_the_file_and_the_column(run):
    empty("months").drop("partial").write_parquet(run / "months.parquet")
    write_manifest(run, read_manifest(run))
    assert problems(run) == ["months.parquet: column 'partial' is missing"]


def test_a_changed_file_is_reported_once_by_its_hash_not_by_its_schema(run):
    empty("months").drop("partial").write_parquet(run / "months.parquet")
    [problem] = problems(run)
    assert problem.startswith("months.parquet: ") and "contract" not in problem


def test_an_invalid_manifest_is_one_problem(run):
    (run / "manifest.json").write_text('{"files": {}}')
    [problem] = problems(run)
    assert problem.startswith("manifest.json: unreadable") and "run_id" in problem
