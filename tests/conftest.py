"""Fixtures shared by the whole test suite (keep this file small and generic)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder."""
    return REPO_ROOT


@pytest.fixture
def run_cli():
    """Run the `discourse` command in-process: `run_cli("ingest", path)` -> click Result.

    The terminal is made wide so that Rich does not wrap messages mid-sentence.
    """
    from typer.testing import CliRunner

    from discourse.cli import app

    runner = CliRunner()

    def run(*args: object):
        return runner.invoke(app, [str(arg) for arg in args], env={"COLUMNS": "200", "NO_COLOR": "1"})

    return run


pytest_plugins = ["pipeline_fixtures"]
