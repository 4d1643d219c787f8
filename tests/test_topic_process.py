"""The topics stage (pipelines/topic_process.py) and the statements stage
(pipelines/statement_cache.py) of a large corpus run in child processes, for issue 19's memory
target: the build publishes the same tables as with them in its own process, and its own process
never imports BERTopic or spaCy (nor the torch and transformers they bring)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.artifacts import PUBLISHED
from pipelines.build import BuildConfig, build
from pipelines.embeddings import EmbeddingConfig
from tests.pipeline_fixtures import BUNDLED

pytestmark = pytest.mark.slow

CORPUS = [BUNDLED / month for month in ("2023-03", "2023-04", "2023-05", "2023-06")]
SAMPLE = 120  # BERTopic fitted on a sample, so the child also assigns the other passages

CHILD_BUILD = """
import json, sys
from pathlib import Path
from pipelines import statement_cache
from pipelines.build import BuildConfig, build
from pipelines.embeddings import EmbeddingConfig
statement_cache.CHUNK_DOCUMENTS = 10  # "large": several chunks, so extracted in child processes
corpus, out, sample = json.loads(sys.argv[1])
result = build(BuildConfig(corpus=[Path(p) for p in corpus], out=Path(out), topic_fit_sample=sample,
                           topic_process_above=0, embedding=EmbeddingConfig(embedder="static")))
heavy = sorted(m for m in ("bertopic", "umap", "hdbscan", "spacy", "torch", "transformers") if m in sys.modules)
print(json.dumps({"run": str(result.run_dir), "imported": heavy}))
"""


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    out = tmp_path_factory.mktemp("in-process")
    return build(BuildConfig(corpus=CORPUS, out=out, topic_fit_sample=SAMPLE,
                             embedding=EmbeddingConfig(embedder="static")))


@pytest.fixture(scope="module")
def in_child(tmp_path_factory, repo_root) -> dict:
    """A build with the topics stage in a child, in a fresh interpreter so that what it imports
    can be seen."""
    out = tmp_path_factory.mktemp("in-child")
    job = json.dumps([[str(p) for p in CORPUS], str(out), SAMPLE])
    done = subprocess.run([sys.executable, "-c", CHILD_BUILD, job], cwd=repo_root, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_child_process_publishes_the_same_tables(in_process, in_child):
    run = Path(in_child["run"])
    for name in PUBLISHED:
        mine, theirs = pl.read_parquet(in_process.run_dir / f"{name}.parquet"), pl.read_parquet(run / f"{name}.parquet")
        assert mine.equals(theirs), f"{name}: {mine.shape} vs {theirs.shape}"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["counts"] == in_process.manifest["counts"]
    assert manifest["counts"]["passages"] > manifest["counts"]["topic_fit_passages"]  # the child assigned the rest
    assert (run / "topic_model").is_dir() and any((run / "topic_model").iterdir())


def test_the_builds_own_process_never_imports_bertopic_spacy_or_torch(in_child):
    assert in_child["imported"] == []


def test_the_child_leaves_no_input_files_behind(in_child):
    out = Path(in_child["run"]).parent
    assert not list(out.glob("**/topic-passages.parquet")) and not list(out.glob(".vectors-*"))
