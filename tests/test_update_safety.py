"""`discourse update` on a damaged or changed base (issue 17).

Case 1: update verifies the run it builds on first; a corrupted run (changed, missing or
unlisted table, damaged or missing topic model, dangling `current`) is refused with one line
naming the file, exit 2; `--fallback` updates the last intact run instead and says so.
Case 6: a people registry other than the base run's (its sha256 is in the manifest) matches
every passage again, so people, mentions and passages' people come from one registry.
Case 12 (second half): a known doc id with other text is `duplicate_id`, "text differs".

One small corpus (15 bundled documents) is built once with a small registry; each test
copies that output folder before changing it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from pipeline_fixtures import BUNDLED, read_run
from pipelines.artifacts import read_manifest, write_manifest
from pipelines.build import current_run
from pipelines.verify import verify_run

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
PEOPLE = ("Jensen Huang", "Rishi Sunak", "Gavin Newsom", "Elon Musk", "Richard Blumenthal")


def registry_text(names) -> str:
    return "".join(f'[[person]]\nname = "{name}"\nrole = "test"\n\n' for name in names)


@dataclass(frozen=True)
class Base:
    corpus: Path
    out: Path
    run: Path
    registry: Path


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    from pipelines.build import BuildConfig, build

    folder = tmp_path_factory.mktemp("update-safety")
    corpus = folder / "corpus"
    corpus.mkdir()
    for path in sorted(BUNDLED.rglob("*.md"))[::20]:  # 15 documents spread over 2023-2025
        shutil.copy(path, corpus / path.name)
    registry = folder / "people-a.toml"
    registry.write_text(registry_text(PEOPLE))
    result = build(BuildConfig(corpus=[corpus], out=folder / "out", people_path=registry))
    assert verify_run(result.run_dir) == []
    return Base(corpus, folder / "out", result.run_dir, registry)


@pytest.fixture
def out(base, tmp_path) -> Path:
    """A copy of the module's output folder (its run and caches)."""
    copy = tmp_path / "out"
    shutil.copytree(base.out, copy, symlinks=True)
    return copy


@pytest.fixture
def new_corpus(tmp_path) -> Path:
    folder = tmp_path / "new"
    folder.mkdir()
    for i in range(2):
        (folder / f"2025-12-0{i + 1}-update-{i}.md").write_text(
            f"---\nid: update-{i}\ntitle: Update brief {i}\nsource: test wire\n---\n"
            f"Elon Musk said xAI would add {100 + i} GPUs to Colossus, and Senator Blumenthal "
            f"answered that the licensing bill would return, number {i}.\n")
    return folder


def discourse(*args: object) -> subprocess.CompletedProcess:
    """`python -m discourse ARGS` in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "discourse", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})


def error_line(done: subprocess.CompletedProcess) -> str:
    """The one `error:` line of a refused command (exit 2, no traceback)."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    return line


def change_a_title(run: Path) -> None:
    """documents.parquet still reads, but is not the file the manifest recorded (its size
    differs: "Changed" is shorter than any title of the corpus)."""
    documents = pl.read_parquet(run / "documents.parquet")
    documents.with_columns(title=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("Changed"))
                           .otherwise("title")).write_parquet(run / "documents.parquet")
    assert (run / "documents.parquet").stat().st_size != read_manifest(run).files["documents.parquet"].bytes


def list_no_file(run: Path) -> None:
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "files": {}}))


DAMAGE = {  # kind -> (what to do to the published run, what the error line must say)
    "changed-table": (change_a_title, "documents.parquet: size "),  # (or "sha256 does not match")
    "missing-table": (lambda run: (run / "mentions.parquet").unlink(), "mentions.parquet: missing"),
    "garbage-model": (lambda run: (run / "topic_model" / "topics.json").write_text("{garbage"),
                      "topic_model/topics.json: size"),
    "missing-model": (lambda run: shutil.rmtree(run / "topic_model"), "topic_model/config.json: missing"),
    "unlisted": (list_no_file, "manifest.json: does not list documents.parquet, which update needs"),
    "dangling-current": (shutil.rmtree, "current: points to runs/"),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_update_refuses_a_run_that_does_not_verify_and_names_the_file(out, new_corpus, kind):
    damage, message = DAMAGE[kind]
    run = current_run(out) or (out / "current").resolve()
    damage(run)
    if kind != "dangling-current":
        assert discourse("verify", "--out", out).returncode == 1
    runs_before = sorted((out / "runs").iterdir())
    line = error_line(discourse("update", "--corpus", new_corpus, "--out", out))
    assert line.startswith(f"error: refusing to update run {run.name}: ") and message in line, line
    assert "(no earlier run is intact)" in line
    assert sorted((out / "runs").iterdir()) == runs_before  # nothing was built or published


def test_a_model_that_verifies_but_cannot_be_loaded_is_refused(out, new_corpus):
    run = current_run(out)
    (run / "topic_model" / "topics.json").write_text("{garbage")
    write_manifest(run, read_manifest(run))  # the manifest now records the garbage
    assert verify_run(run) == []
    line = error_line(discourse("update", "--corpus", new_corpus, "--out", out))
    assert f"the topic model of run {run.name} cannot be loaded" in line, line
    assert current_run(out) == run


def test_fallback_updates_the_last_intact_run_and_says_so(out, new_corpus):
    corrupted = current_run(out)
    older = corrupted.with_name("20000101T000000Z-older")
    shutil.copytree(corrupted, older)
    manifest = json.loads((older / "manifest.json").read_text())
    (older / "manifest.json").write_text(json.dumps({**manifest, "run_id": older.name}))
    change_a_title(corrupted)

    line = error_line(discourse("update", "--corpus", new_corpus, "--out", out))
    assert f"pass --fallback to update the last intact run, {older.name}, instead" in line, line

    done = discourse("update", "--corpus", new_corpus, "--out", out, "--fallback")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    [warning] = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert f"run {corrupted.name} is corrupted (documents.parquet: " in warning
    assert f"updating the last intact run, {older.name}, instead" in warning
    run = current_run(out)
    assert run not in (corrupted, older) and verify_run(run) == []
    manifest = read_manifest(run)
    assert manifest.parent_run == older.name and manifest.fallback_from == corrupted.name
    assert "Changed" not in read_run(run, "documents")["title"].to_list()
    assert read_run(run, "documents").height == read_run(older, "documents").height + 2


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_update_with_another_registry_matches_every_passage_again(base, out, new_corpus, tmp_path, run_cli):
    allowed = {p for p in PEOPLE if p != "Jensen Huang"} | {"Sarah Andersen"}
    other = tmp_path / "people-b.toml"  # Jensen Huang removed, Sarah Andersen added
    other.write_text(registry_text(sorted(allowed)))
    assert "Jensen Huang" in read_run(current_run(out), "people")["person"].to_list()
    result = run_cli("update", "--corpus", new_corpus, "--out", out, "--people", other)
    assert result.exit_code == 0, result.output
    run = current_run(out)
    people, mentions, passages = (read_run(run, name) for name in ("people", "mentions", "passages"))
    assert set(people["person"]) <= allowed and set(mentions["person"]) <= allowed
    assert set(passages["people"].explode().drop_nulls()) <= allowed
    old_mentions = mentions.filter(~pl.col("doc_id").str.starts_with("update-"))
    assert "Sarah Andersen" in set(old_mentions["person"])  # old passages, matched again
    assert passages.filter(pl.col("people").list.contains("Sarah Andersen")).height >= 1
    assert read_manifest(base.run).people_registry.sha256 == sha256(base.registry)
    manifest = read_manifest(run)
    assert manifest.people_registry.sha256 == sha256(other) and manifest.people_registry.path == str(other)
    assert manifest.update["passages_rematched"] == passages.height
    assert verify_run(run) == []


def test_a_base_run_without_a_recorded_registry_is_matched_again_and_records_it(base, out, new_corpus, run_cli):
    run = current_run(out)
    manifest = json.loads((run / "manifest.json").read_text())
    del manifest["people_registry"]  # a run built before the registry was recorded
    (run / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("update", "--corpus", new_corpus, "--out", out, "--people", base.registry)
    assert result.exit_code == 0, result.output
    updated = read_manifest(current_run(out))
    assert updated.people_registry.sha256 == sha256(base.registry)
    assert updated.update["passages_rematched"] == read_run(current_run(out), "passages").height


def test_a_known_doc_id_with_other_text_is_duplicate_id_not_duplicate(base, out, new_corpus, run_cli):
    known = read_run(base.run, "documents").sort("doc_id")
    first, second = known.row(0, named=True), known.row(1, named=True)
    (new_corpus / "changed.md").write_text(  # the id of a document the run has, new text
        f"---\nid: {first['doc_id']}\ndate: 2025-12-05\ntitle: Changed\n---\nA different text entirely.\n")
    (new_corpus / "same.md").write_text(  # another id, the text of a document the run has
        f"---\nid: another-id\ndate: 2025-12-06\ntitle: Same\n---\n{second['text']}\n")
    result = run_cli("update", "--corpus", new_corpus, "--out", out, "--people", base.registry)
    assert result.exit_code == 0, result.output
    run = current_run(out)
    rejects = read_run(run, "rejects").filter(pl.col("origin").is_in(["changed.md", "same.md"])).sort("origin")
    assert rejects["reason_code"].to_list() == ["duplicate_id", "duplicate"]
    changed, same = rejects["reason"].to_list()
    assert f"doc id {first['doc_id']}" in changed and "text differs" in changed
    assert same == f"already in run {base.run.name} as doc {second['doc_id']} (same text)"
    documents = read_run(run, "documents")
    assert documents.filter(pl.col("doc_id") == first["doc_id"])["text"].to_list() == [first["text"]]
    manifest = read_manifest(run)
    assert manifest.update["documents_added"] == 2 and manifest.update["already_present"] == 1
    assert manifest.update["same_id_other_text"] == 1 and manifest.update["passages_rematched"] == 0
    counts = manifest.counts
    assert counts["records_read"] == counts["documents_accepted"] + counts["documents_rejected"] + counts["duplicates"]
    assert counts["duplicates"] == read_run(run, "rejects").filter(pl.col("reason_code") == "duplicate").height
