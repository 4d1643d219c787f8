"""Corrupted artifacts: `discourse verify` names the file; `serve` falls back or refuses."""

from __future__ import annotations

import shutil

import pytest

from dashboard import server
from pipelines.verify import verify_run


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
