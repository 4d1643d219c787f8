"""What the CLI writes besides runs (issue 17): the rejects CSV goes through the one
formula-guarded CSV writer (case 7); an output folder that cannot be written is one line
naming it, exit 2, no traceback (case 8)."""

from __future__ import annotations

import builtins
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def discourse(*args: object) -> subprocess.CompletedProcess:
    """`python -m discourse ARGS` in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "discourse", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture
def hostile_corpus(tmp_path) -> Path:
    """Records rejected with a formula at the start of their file name, raw record and reason."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "=HYPERLINK(1).md").write_text("---\ntitle: no date\n---\nNo date anywhere.\n")
    (corpus / "rows.csv").write_text(
        'id,date,text\n'
        'ok,2024-01-02,"An accepted row, so the corpus is not empty."\n'
        'a,bad,"=HYPERLINK(""http://evil.example/"",""click"")"\n'
        'b,bad,"@SUM(1+1)*cmd|\' /C calc\'!A0"\n'
        'c,bad,"+1+1"\n'
        'd,bad,"-2+3"\n')
    return corpus


def test_rejects_csv_is_guarded_against_formulas(hostile_corpus, tmp_path):
    target = tmp_path / "rejects.csv"
    done = discourse("ingest", hostile_corpus, "--rejects", target)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 5
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)], cells
    assert "'=HYPERLINK(1).md" in cells  # the file name, kept literal behind the apostrophe
    raws = {row["raw"] for row in rows}
    assert any(raw.startswith("'=HYPERLINK(\"http://evil.example/\"") for raw in raws), raws
    assert any(raw.startswith("'@SUM(") for raw in raws), raws


def test_one_csv_writer_for_the_cli_and_the_dashboard(hostile_corpus, tmp_path):
    """The CLI's file is byte for byte what the dashboard's writer makes of the same table."""
    import polars as pl

    from dashboard.data import csv_text as dashboard_csv_text
    from pipelines.csv_out import csv_text
    from pipelines.ingest import ingest_paths

    assert dashboard_csv_text is csv_text
    target = tmp_path / "rejects.csv"
    assert discourse("ingest", hostile_corpus, "--rejects", target).returncode == 0
    rejects = ingest_paths([hostile_corpus]).rejects
    assert target.read_bytes() == csv_text(rejects).encode("utf-8")
    text = csv_text(pl.DataFrame({"a": ["=1", "+1", "-1", "@1", "\t1", "\r1", " =1", "1"]}))
    values = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert values == ["'=1", "'+1", "'-1", "'@1", "'\t1", "'\r1", " =1", "1"]


# --- case 8: an output folder that cannot be written -------------------------------------------------


def assert_one_line_error(done: subprocess.CompletedProcess, *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "OSError" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_build_into_a_file_used_as_a_folder(hostile_corpus, tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    done = discourse("build", "--corpus", hostile_corpus, "--out", a_file)
    assert_one_line_error(done, f"cannot write to the output folder {a_file}", "not a folder")
    done = discourse("build", "--corpus", hostile_corpus, "--out", a_file / "out")
    assert_one_line_error(done, f"cannot write to the output folder {a_file / 'out'}", "Not a directory")


def test_build_under_proc(hostile_corpus):
    done = discourse("build", "--corpus", hostile_corpus, "--out", "/proc/discourse-test/out")
    assert_one_line_error(done, "cannot write to the output folder /proc/discourse-test/out")


@pytest.fixture
def read_only_lock(monkeypatch):
    """Opening the lock file fails as in a read-only folder (tests run as root, where chmod
    does not stop writes)."""
    from pipelines import run_records

    real_open = builtins.open

    def refusing_open(path, *args, **kwargs):
        if Path(path).name == ".build.lock":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(run_records, "open", refusing_open, raising=False)


def test_build_and_update_in_a_read_only_folder(read_only_lock, hostile_corpus, tmp_path, run_cli):
    out = tmp_path / "out"
    (out / "runs" / "20240101T000000Z-x").mkdir(parents=True)
    (out / "current").symlink_to(Path("runs") / "20240101T000000Z-x")
    for command in ("build", "update"):
        result = run_cli(command, "--corpus", hostile_corpus, "--out", out)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception
        assert result.output.strip() == f"error: cannot write to the output folder {out}: Permission denied"


def test_a_write_failure_after_the_lock_is_one_line(monkeypatch, hostile_corpus, tmp_path, run_cli):
    from pipelines import build as build_module

    def disk_full(out):
        raise OSError(28, "No space left on device", str(out / "runs"))

    monkeypatch.setattr(build_module, "new_run_folder", disk_full)
    result = run_cli("build", "--corpus", hostile_corpus, "--out", tmp_path / "out")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.strip() == f"error: build failed: No space left on device: {tmp_path / 'out' / 'runs'}"
