"""Corrupted artifacts: `discourse verify` names the file; `serve` falls back (saying which run
it serves and why) or refuses."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import server
from pipelines.artifacts import REQUIRED_TO_SERVE, TABLES
from pipelines.verify import verify_run

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_runs(fixture_out, tmp_path):
    """An --out folder with an older intact run and a newer `current` run."""
    out = tmp_path / "out"
    shutil.copytree(fixture_out, out, symlinks=True)
    current = (out / "current").resolve()
    older = current.with_name("20000101T000000Z-older")
    shutil.copytree(current, older)
    return out, current, older


def test_verify_passes_an_intact_run_and_names_a_changed_file(two_runs, run_cli):
    out, current, _ = two_runs
    assert verify_run(current) == []
    assert run_cli("verify", "--out", out).exit_code == 0
    with open(current / "trends.parquet", "r+b") as handle:
        handle.seek(10)
        handle.write(b"\x00\xff")
    result = run_cli("verify", "--out", out)
    assert result.exit_code == 1
    assert "trends.parquet" in result.output and "sha256" in result.output
    assert "Traceback" not in result.output


def test_serve_falls_back_to_the_previous_intact_run_and_says_which(two_runs, capsys):
    out, current, older = two_runs
    (current / "passages.parquet").write_bytes(b"truncated")
    assert server.choose_run_to_serve(out) == older
    log = capsys.readouterr().err
    assert current.name in log and older.name in log and "passages.parquet" in log


def test_serve_refuses_a_corrupted_run_with_no_fallback(two_runs):
    out, current, older = two_runs
    shutil.rmtree(older)
    (current / "manifest.json").write_text("{not json")
    with pytest.raises(SystemExit) as exc:
        server.serve(out)
    assert "Refusing to serve" in str(exc.value.code) and "manifest.json" in str(exc.value.code)


def test_missing_file_is_reported(two_runs):
    _, current, _ = two_runs
    (current / "people.parquet").unlink()
    assert [str(p) for p in verify_run(current)] == ["people.parquet: missing"]


# --- issue 17, case 9: verify does not trust the manifest's file list; serve agrees with it -------


def unlisted_garbage(current) -> None:
    """A manifest listing no file, and a passages.parquet that is not Parquet at all."""
    manifest = json.loads((current / "manifest.json").read_text())
    (current / "manifest.json").write_text(json.dumps({**manifest, "files": {}}))
    (current / "passages.parquet").write_bytes(b"PAR1 not parquet at all PAR1")


def test_verify_names_every_needed_table_an_empty_file_list_leaves_out(two_runs, run_cli):
    out, current, _ = two_runs
    unlisted_garbage(current)
    result = run_cli("verify", "--out", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    for name in REQUIRED_TO_SERVE:
        assert f"does not list {TABLES[name].file}" in result.output, name


def test_serve_refuses_a_run_whose_manifest_lists_nothing_without_a_polars_traceback(two_runs):
    out, current, older = two_runs
    shutil.rmtree(older)
    unlisted_garbage(current)
    with socket.socket() as probe:  # a free port, should it start after all
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run([sys.executable, "-m", "discourse", "serve", "--out", str(out), "--port", str(port)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert done.returncode != 0
    assert "Refusing to serve run" in done.stderr and "passages.parquet" in done.stderr
    assert "Traceback" not in done.stderr and "polars" not in done.stderr.lower()


def test_serve_with_a_dangling_current_says_which_run_it_serves_and_why(two_runs, capsys):
    out, current, older = two_runs
    shutil.rmtree(current)  # `current` still points at it
    assert (out / "current").is_symlink() and not (out / "current").exists()
    assert server.choose_run_to_serve(out) == older
    log = capsys.readouterr().err
    assert f"runs/{current.name}, which does not exist" in log
    assert f"serving the newest intact run, {older.name}" in log


def test_serve_with_no_current_link_says_which_run_it_serves(two_runs, capsys):
    out, current, _ = two_runs
    (out / "current").unlink()
    assert server.choose_run_to_serve(out) == current  # the newest intact run
    log = capsys.readouterr().err
    assert "current: no published run" in log and f"serving the newest intact run, {current.name}" in log
