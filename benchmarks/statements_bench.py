"""Part 5 of `make bench`: statement extraction (who said what) on a SYNTHETIC run.

`python -m benchmarks.statements_bench RUN_DIR` loads the run's documents, passages and
mentions, extracts the statements with `pipelines.statements.extract_statements` exactly as
the build does, and prints one JSON line: wall time of the extraction, the process's RSS after
loading the tables and its peak RSS (VmHWM) over the whole run, and what was found. It runs in
a subprocess of its own (`measure`), so the peak is the extraction's and not the benchmark's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from benchmarks.common import PYTHON, REPO_ROOT


def _rss(field: str) -> int:
    """VmRSS or VmHWM of this process in bytes (0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(run_dir: Path) -> dict:
    from pipelines.people import load_registry
    from pipelines.statements import candidate_documents, extract_statements, tokenizer

    documents = pl.read_parquet(run_dir / "documents.parquet", columns=["doc_id", "date", "title", "text"])
    passages = pl.read_parquet(run_dir / "passages.parquet", columns=["passage_id", "doc_id", "char_start",
                                                                      "char_end", "text"])
    mentions = pl.read_parquet(run_dir / "mentions.parquet")
    registry = load_registry()
    tokenizer()  # spaCy's first load is not part of the extraction
    loaded = _rss("VmRSS")
    began = time.perf_counter()
    statements = extract_statements(documents, passages, mentions, registry)
    seconds = time.perf_counter() - began
    return {
        "seconds": round(seconds, 2), "rss_loaded": loaded, "peak_rss": _rss("VmHWM"),
        "documents": documents.height, "passages": passages.height,
        "candidate_documents": candidate_documents(documents).height,
        "statements": statements.height, "with_speaker": int(statements["speaker"].is_not_null().sum()),
        "kinds": dict(statements.group_by("kind").len().iter_rows()),
        "passages_per_second": round(passages.height / seconds) if seconds else None,
    }


def measure(run_dir: Path) -> dict:
    """`run` in a fresh subprocess (its own peak memory)."""
    python = str(PYTHON if PYTHON.exists() else sys.executable)
    done = subprocess.run([python, "-m", "benchmarks.statements_bench", str(run_dir)], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"statement benchmark failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def add_rows(res, out: dict, label: str) -> None:  # noqa: ANN001 - a benchmarks.common.Results
    from benchmarks.common import fmt_bytes, fmt_seconds

    part = "6 statements"
    res.add(part, f"statement extraction, {label} passages ({out['documents']:,} documents, "
            f"{out['candidate_documents']:,} with a quotation mark, cue or turn label)", fmt_seconds(out["seconds"]),
            "1 run, wall time of extract_statements")
    res.add(part, f"statement extraction throughput at {label}", f"{out['passages_per_second']:,} passages/s",
            "passages / wall time")
    res.add(part, f"peak RSS of the extraction process at {label}", fmt_bytes(out["peak_rss"]),
            f"VmHWM; {fmt_bytes(out['rss_loaded'])} after loading the run's tables", "< 2 GB",
            out["peak_rss"] < 2 * 2**30)
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(out["kinds"].items()))
    res.note(part, f"At {label}: {out['statements']:,} statements ({kinds}), {out['with_speaker']:,} attributed to a "
             "registry person. The synthetic run resamples the bundled briefs, which are mostly reported speech and "
             "have no transcripts, so turns are absent and the mix differs from a real corpus. One process, one "
             "core; measured while other test runs kept the 2-core machine loaded (load average 6-12), so an idle "
             "machine should be faster. The White House corpus (255 documents, about 8,200 statements) took 25-40 s "
             "under the same load.")


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]))))
