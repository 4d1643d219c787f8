"""The statement benchmark (part 6 of `make bench`) cannot rot: it runs on a small synthetic run
made from a tiny hand-made one and reports time, memory and what it found."""

from __future__ import annotations

import pytest

from test_benchmarks_smoke import write_tiny_run


pytest.importorskip("pandas")


def test_statement_benchmark_runs_on_a_synthetic_run(tmp_path):
    from benchmarks.common import Results
    from benchmarks.run import render
    from benchmarks.statements_bench import add_rows, run
    from benchmarks.synth import generate

    source = write_tiny_run(tmp_path / "tiny")
    synthetic = generate(source, 500, tmp_path / "synthetic-500", seed=3).run_dir
    out = run(synthetic)
    assert out["passages"] == 500 and out["seconds"] >= 0
    assert out["peak_rss"] >= out["rss_loaded"] > 0
    assert out["statements"] > 0 and out["with_speaker"] > 0  # "Sam Altman told senators that ..."
    res = Results()
    add_rows(res, out, "500")
    text = render({"statements": {"rows": [r.__dict__ for r in res.rows], "notes": res.notes, "tables": {},
                                  "measured_at": "now"}})
    assert "## 6. Statements (who said what)" in text and "statement extraction" in text
