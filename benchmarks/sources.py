"""The source run the synthetic runs are resampled from: one build of the bundled corpus,
cached in benchmarks/cache/source/ and rebuilt when the corpus, themes or people change."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from benchmarks.common import BUNDLED_CORPUS, CACHE, DISCOURSE, REPO_ROOT, log

SOURCE_OUT = CACHE / "source"


def inputs_fingerprint(corpus: Path = BUNDLED_CORPUS) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    files += [REPO_ROOT / "data" / "themes.toml", REPO_ROOT / "data" / "people.toml"]
    for path in files:
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def ensure_source_run(out: Path = SOURCE_OUT) -> Path:
    """`out/current` of a default build of the bundled corpus (built when missing or stale)."""
    stamp = out / "inputs.sha256"
    fingerprint = inputs_fingerprint()
    current = out / "current"
    if (current / "manifest.json").is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return current.resolve()
    log(f"building the bundled corpus once as the synthetic runs' source ({out}) ...")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(DISCOURSE), "build", "--corpus", str(BUNDLED_CORPUS), "--out", str(out)],
                   check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    stamp.write_text(fingerprint)
    return current.resolve()
