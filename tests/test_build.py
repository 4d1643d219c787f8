"""The build: full artifact set, manifest that reconciles, aggregates without double counting,
atomic publish that survives SIGKILL, and updates that embed only new passages."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from pipeline_fixtures import BUNDLED, read_run
from pipelines import aggregates
from pipelines.artifacts import PUBLISHED, artifact_hashes, read_manifest
from pipelines.build import current_run
from pipelines.verify import verify_run

REPO_ROOT = Path(__file__).resolve().parents[1]
# manifest.json's keys (an update has `update` in place of `topics_reused_from_cache`)
BUILD_MANIFEST_KEYS = {"run_id", "kind", "parent_run", "started_at", "finished_at", "corpus", "illustrative", "config",
                       "inputs", "versions", "embedding", "counts", "topics_reused_from_cache", "timings", "rows",
                       "files", "people_registry", "themes"}
UPDATE_MANIFEST_KEYS = BUILD_MANIFEST_KEYS - {"topics_reused_from_cache"} | {"update"}


def memberships(run, passages: pl.DataFrame) -> int:
    """How many (passage, topic) counts `passages` make: one per theme a passage carries
    (passage_themes), or one for its own topic when it carries none."""
    themes = read_run(run, "passage_themes").join(passages.select("passage_id"), on="passage_id")
    return themes.height + passages.join(themes.select("passage_id").unique(), on="passage_id",
                                         how="anti").height


def test_full_artifact_set_and_manifest_reconcile(bundled_build):
    run = bundled_build.run_dir
    manifest = json.loads((run / "manifest.json").read_text())
    assert set(manifest) == BUILD_MANIFEST_KEYS and manifest == bundled_build.manifest
    for name in PUBLISHED:
        assert (run / f"{name}.parquet").is_file(), name
        assert manifest["rows"][name] == read_run(run, name).height
    assert (run / "topic_model" / "topic_embeddings.safetensors").is_file()
    counts = manifest["counts"]
    assert counts["records_read"] == counts["documents_accepted"] + counts["documents_rejected"] + counts["duplicates"]
    assert counts["documents_accepted"] == read_run(run, "documents").height == 297
    assert counts["passages"] == read_run(run, "passages").height
    assert counts["mentions"] == read_run(run, "mentions").height
    assert counts["people"] == read_run(run, "people").height
    statements = read_run(run, "statements")
    assert counts["statements"] == statements.height > 0
    assert counts["statements_with_speaker"] == statements["speaker"].is_not_null().sum() > 0
    speakers = read_run(run, "passages").select("passage_id", "speakers").explode("speakers").drop_nulls()
    assert speakers.height and speakers.join(statements, left_on=["passage_id", "speakers"],
                                             right_on=["passage_id", "speaker"], how="anti").height == 0
    assert read_manifest(run).files == artifact_hashes(run)
    assert len(manifest["inputs"]) == 297 and all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["embedding"]["model_sha256"] == manifest["config"]["embedding"]["model_sha256"]
    assert set(manifest["timings"]) == {"ingest", "passages", "embeddings", "themes", "topics",
                                        "aggregates", "statements"}
    assert manifest["illustrative"] is True
    assert {"polars", "bertopic", "torch"} <= set(manifest["versions"])


def test_trends_totals_match_the_passages(bundled_build):
    run = bundled_build.run_dir
    passages, trends, totals = read_run(run, "passages"), read_run(run, "trends"), read_run(run, "month_totals")
    everyone = trends.filter(pl.col("person").is_null())
    assert everyone["passages"].sum() == memberships(run, passages)  # each passage under each of its themes
    assert totals.filter(pl.col("person").is_null())["passages"].sum() == passages.height
    musk = trends.filter(pl.col("person") == "Elon Musk")["passages"].sum()
    assert musk == memberships(run, passages.filter(pl.col("people").list.contains("Elon Musk")))
    by_person = totals.filter(pl.col("person") == "Elon Musk")["passages"].sum()
    assert by_person == passages.filter(pl.col("people").list.contains("Elon Musk")).height
    months = read_run(run, "months")
    assert months["partial"].to_list()[0] and months["partial"].to_list()[-1]  # Jan 16 .. Dec 22
    assert not any(months["partial"].to_list()[1:-1])


def _tiny_passages() -> tuple[pl.LazyFrame, pl.LazyFrame]:
    may, june = dt.date(2023, 5, 1), dt.date(2023, 6, 1)
    passages = pl.DataFrame({
        "passage_id": ["a:0", "a:1", "b:0", "c:0"],
        "doc_id": ["a", "a", "b", "c"],
        "month": [may, may, may, june],
        "topic_id": [0, 0, 1, 0],
        "source": ["news", "news", "blog", "news"],
    })
    mentions = pl.DataFrame({
        "passage_id": ["a:0", "a:0", "a:0", "b:0", "c:0"],
        "person": ["Elon Musk", "Sam Altman", "Elon Musk", "Sam Altman", "Elon Musk"],
    })
    return passages.lazy(), mentions.lazy()


def test_a_passage_naming_two_people_counts_once_in_all_people_and_once_under_each():
    passages, mentions = _tiny_passages()
    trends, totals = aggregates.trend_tables(aggregates.passages_with_people(passages, mentions).collect())
    may_topic0 = trends.filter((pl.col("month") == dt.date(2023, 5, 1)) & (pl.col("topic_id") == 0))
    rows = {(r["person"], r["source"]): (r["passages"], r["documents"]) for r in may_topic0.iter_rows(named=True)}
    # a:0 names Musk (twice) and Altman; a:1 names nobody: all people = 2 passages of 1 document
    assert rows == {(None, "news"): (2, 1), ("Elon Musk", "news"): (1, 1), ("Sam Altman", "news"): (1, 1)}
    may_all = totals.filter((pl.col("month") == dt.date(2023, 5, 1)) & pl.col("person").is_null())
    assert dict(zip(may_all["source"], may_all["passages"])) == {"blog": 1, "news": 2}


def test_month_coverage_flags_partial_first_and_last_months_and_fills_gaps():
    documents = pl.DataFrame({"date": [dt.date(2023, 1, 1), dt.date(2023, 3, 15)],
                              "month": [dt.date(2023, 1, 1), dt.date(2023, 3, 1)]})
    passages = pl.DataFrame({"month": [dt.date(2023, 1, 1)] * 3 + [dt.date(2023, 3, 1)]})
    months = aggregates.month_coverage(documents.lazy(), passages.lazy()).collect()
    assert months["month"].to_list() == [dt.date(2023, 1, 1), dt.date(2023, 2, 1), dt.date(2023, 3, 1)]
    assert months["documents"].to_list() == [1, 0, 1]
    assert months["passages"].to_list() == [3, 0, 1]
    assert months["partial"].to_list() == [False, False, True]


def _write_docs(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        (folder / f"2026-0{1 + i % 9}-1{i % 10}-brief-{i}.md").write_text(
            f"---\nid: new-{i}\ntitle: New brief {i}\nsource: test wire\n---\n"
            f"Elon Musk said on day {i} that xAI would buy {1000 + i} more Nvidia GPUs for its Colossus "
            f"data centre in Memphis, expanding the compute race with OpenAI and Google.\n\n"
            f"Senator Blumenthal answered in statement number {i} that AI should be licensed the way the "
            f"FAA certifies airplanes and the FDA approves drugs before they reach the public.\n"
        )


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    """A small corpus (first 40 bundled documents) built once; tests copy it before changing it."""
    from pipelines.build import BuildConfig, build

    corpus = tmp_path_factory.mktemp("small-corpus")
    for path in sorted(BUNDLED.rglob("*.md"))[:40]:
        shutil.copy(path, corpus / path.name)
    out = tmp_path_factory.mktemp("small-out")
    build(BuildConfig(corpus=[corpus], out=out))
    return corpus, out


def test_update_with_ten_new_documents_embeds_only_their_passages(small_build, tmp_path):
    from pipelines.build import BuildConfig, update

    corpus, original = small_build
    out = tmp_path / "out"
    shutil.copytree(original, out, symlinks=True)
    before = current_run(out)
    new = tmp_path / "new"
    _write_docs(new, 10)
    shutil.copy(next(corpus.glob("*.md")), new / "already-there.md")  # a document the run has
    result = update(BuildConfig(corpus=[new], out=out, embedding={"cache_dir": out / "cache" / "embeddings"}))
    manifest = result.manifest
    assert current_run(out) == result.run_dir != before
    assert set(manifest) == UPDATE_MANIFEST_KEYS and manifest["parent_run"] == before.name
    assert verify_run(result.run_dir) == []  # every table in the contract's form
    assert manifest["update"]["documents_added"] == 10
    assert manifest["update"]["already_present"] == 1
    assert manifest["update"]["passages_added"] == 20
    assert manifest["update"]["passages_rematched"] == 0  # the same registry: only new passages matched
    assert manifest["people_registry"] == read_manifest(before).people_registry.model_dump()
    assert manifest["embedding"]["embedded"] == 20  # only the new passages
    themes = manifest["themes"]  # how the added passages got their themes
    assert themes["scope"] == "added passages" and themes["label_rows"] > 0
    assert themes["classifier"] == read_manifest(before).themes["classifier"]
    passages = read_run(result.run_dir, "passages")
    assert passages.height == read_run(before, "passages").height + 20
    trends = read_run(result.run_dir, "trends")
    new_rows = trends.filter((pl.col("source") == "test wire") & pl.col("person").is_null())
    assert new_rows["passages"].sum() == memberships(result.run_dir, passages.filter(
        pl.col("source") == "test wire"))
    assert new_rows["passages"].sum() >= 20
    assert set(passages.filter(pl.col("doc_id").str.starts_with("new-"))["theme"].drop_nulls()) & {
        "compute_race", "regulation_analogies"}
    counts = manifest["counts"]
    assert counts["records_read"] == counts["documents_accepted"] + counts["documents_rejected"] + counts["duplicates"]
    assert read_run(result.run_dir, "rejects").filter(pl.col("reason").str.starts_with("already in run")).height == 1


def test_sigkill_during_a_build_leaves_current_intact_and_loadable(small_build, tmp_path):
    corpus, original = small_build
    out = tmp_path / "out"
    shutil.copytree(original, out, symlinks=True)
    before = current_run(out)
    bigger = tmp_path / "bigger"
    shutil.copytree(corpus, bigger)
    _write_docs(bigger, 30)
    process = subprocess.Popen(
        [sys.executable, "-m", "discourse", "build", "--corpus", str(bigger), "--out", str(out)],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / "runs").glob("*.partial")):
        time.sleep(0.05)
    time.sleep(3)  # into ingest/embeddings: loading the model alone takes longer than this
    if process.poll() is not None:
        pytest.fail("the build finished before it could be killed")
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert current_run(out) == before
    for name in PUBLISHED:
        assert read_run(before, name).height >= 0
    assert read_manifest(before).files == artifact_hashes(before)
    assert list((out / "runs").glob("*.partial"))  # the half-written run was never published


def test_an_update_that_adds_nothing_inherits_the_themes_entry(small_build, tmp_path):
    from pipelines.build import BuildConfig, update

    corpus, original = small_build
    out = tmp_path / "out"
    shutil.copytree(original, out, symlinks=True)
    before = read_manifest(current_run(out))
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(next(corpus.glob("*.md")), again / "already-there.md")
    manifest = update(BuildConfig(corpus=[again], out=out,
                                  embedding={"cache_dir": out / "cache" / "embeddings"})).manifest
    assert manifest["update"]["passages_added"] == 0
    assert manifest["themes"] == before.themes | {"scope": "inherited"}
