"""The Ray engine (pipelines/ray_engine.py), with Ray in local mode on a small corpus: it
publishes the same tables as the local engine, a killed embedding actor is restarted by Ray
and the build still publishes the same result, and a build that cannot reach its cluster
fails with a clear message and leaves `current` as it was."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl
import psutil
import pytest
from polars.testing import assert_frame_equal

from pipelines.artifacts import PUBLISHED, current_run
from pipelines.build import BuildConfig, build, update
from pipelines.embeddings import EmbeddingConfig
from pipelines.engine import EngineConfig, RayOptions
from pipelines.topic_sampling import stratified_sample
from tests.pipeline_fixtures import BUNDLED

pytestmark = pytest.mark.slow

# Four months of the bundled corpus, the seed article's month among them (about 50 documents).
CORPUS = [BUNDLED / month for month in ("2023-03", "2023-04", "2023-05", "2023-06")]
CPU_SECONDS_TO_LOAD_MINILM = 4  # an actor past this has loaded the model and is embedding
SCORE_TOLERANCE = 1e-6  # theme probabilities: the same model on other row blocks (BLAS summation order)


@pytest.fixture(scope="module")
def ray_local():
    """One local Ray for the module (a build inside it does not start or stop its own)."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def config(out: Path, engine: str, embedder: str = "static", **overrides: object) -> BuildConfig:
    ray = RayOptions(workers=2, shard_documents=20, embed_batch=overrides.pop("embed_batch", 32))
    return BuildConfig(corpus=CORPUS, out=out, engine=EngineConfig(kind=engine, ray=ray),
                       embedding=EmbeddingConfig(embedder=embedder, **overrides.pop("embedding", {})), **overrides)


@pytest.fixture(scope="module")
def local_static(tmp_path_factory):
    """The local engine's build, fitting BERTopic on a sample of 120 passages."""
    return build(config(tmp_path_factory.mktemp("local-static"), "local", topic_fit_sample=120))


def assert_same_tables(left: Path, right: Path) -> None:
    for name in PUBLISHED:
        a, b = pl.read_parquet(left / f"{name}.parquet"), pl.read_parquet(right / f"{name}.parquet")
        if name == "passage_themes":
            assert a.drop("score").equals(b.drop("score")), name
            assert_frame_equal(a, b, check_exact=False, abs_tol=SCORE_TOLERANCE, rel_tol=0)
        else:
            assert a.equals(b), f"{name}: {a.shape} vs {b.shape}"


@pytest.fixture(scope="module")
def ray_static(ray_local, tmp_path_factory):
    """The Ray engine's build of the same corpus with the same config."""
    return build(config(tmp_path_factory.mktemp("ray-static"), "ray", topic_fit_sample=120))


def test_the_ray_engine_publishes_the_local_engines_tables(local_static, ray_static):
    ray = ray_static
    assert_same_tables(local_static.run_dir, ray.run_dir)
    counts = ray.manifest["counts"]
    assert counts == local_static.manifest["counts"]
    assert counts["passages"] > counts["topic_fit_passages"] == pytest.approx(120, abs=12)  # a sample was used
    assert ray.manifest["config"]["engine"]["kind"] == "ray"
    assert ray.manifest["embedding"]["embedded"] == counts["passages"] - ray.manifest["embedding"]["cached"] > 0
    passages = pl.read_parquet(ray.run_dir / "passages.parquet")
    assert passages["topic_id"].null_count() == 0  # fitted on or assigned, every passage has its topic
    sizes = passages.group_by("topic_id").agg(counted=pl.len())
    discovered = (pl.read_parquet(ray.run_dir / "topics.parquet").filter(pl.col("theme").is_null())
                  .join(sizes, on="topic_id", how="left"))
    assert discovered.height and (discovered["size"] == discovered["counted"].fill_null(0)).all()


def embedding_actors() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any("EmbedBatches" in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


def test_a_killed_embedding_actor_is_retried_and_the_build_publishes_the_same_result(ray_local, tmp_path):
    out = tmp_path / "ray"
    cache = out / "cache" / "embeddings"
    killed: list[int] = []

    def kill_an_actor_once_it_is_embedding() -> None:
        deadline = time.monotonic() + 300
        while not killed and time.monotonic() < deadline:
            for actor in embedding_actors():
                with contextlib.suppress(psutil.Error):
                    if sum(actor.cpu_times()[:2]) >= CPU_SECONDS_TO_LOAD_MINILM:  # loaded, now embedding
                        actor.kill()
                        killed.append(actor.pid)
                        break
            time.sleep(0.02)

    killer = threading.Thread(target=kill_an_actor_once_it_is_embedding, daemon=True)
    killer.start()
    ray = build(config(out, "ray", embedder="minilm", embed_batch=8))
    killer.join(timeout=1)
    assert killed, "no embedding actor was found to kill"
    assert not psutil.pid_exists(killed[0]) or psutil.Process(killed[0]).status() == psutil.STATUS_ZOMBIE

    # The local engine on the cache the Ray build filled: every vector is there (none lost
    # with the killed actor), and both publish the same tables.
    local = build(config(tmp_path / "local", "local", embedder="minilm", embedding={"cache_dir": cache}))
    assert local.manifest["embedding"]["embedded"] == 0
    assert local.manifest["embedding"]["cached"] == ray.manifest["counts"]["passages"]
    assert_same_tables(ray.run_dir, local.run_dir)


def test_an_unreachable_cluster_fails_clearly_and_leaves_current(local_static):
    out = local_static.run_dir.parent.parent
    before = current_run(out)
    result = subprocess.run(
        [sys.executable, "-m", "discourse", "build", "--corpus", str(CORPUS[0]), "--out", str(out),
         "--engine", "ray", "--ray-address", "127.0.0.1:9", "--embedder", "static"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2  # the CLI's exit code for a refused command
    assert "cannot reach the Ray cluster at 127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert current_run(out) == before
    assert not list((out / "runs").glob("*.partial"))


def test_the_cli_refuses_bad_engine_options(tmp_path):
    for args, message in ((["--engine", "spark"], "--engine must be 'local' or 'ray'"),
                          (["--ray-address", "127.0.0.1:6379"], "--ray-address needs --engine ray"),
                          (["--engine", "ray", "--ray-workers", "0"], "--ray-workers must be at least 1"),
                          (["--topic-sample", "5"], "--topic-sample must be at least 100")):
        result = subprocess.run([sys.executable, "-m", "discourse", "build", "--corpus", str(CORPUS[0]),
                                 "--out", str(tmp_path / "out"), *args], capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and message in result.stderr + result.stdout, args
        assert not (tmp_path / "out").exists()


def test_the_topic_sample_keeps_every_months_share():
    months = pl.Series([m for m, n in (("2023-01", 600), ("2023-02", 300), ("2023-03", 100)) for _ in range(n)])
    rows = stratified_sample(months, 100, seed=42)
    picked = months.gather(rows).value_counts().sort("")
    assert picked["count"].to_list() == [60, 30, 10]
    assert np.all(np.diff(rows) > 0)  # sorted, no repeats
    assert np.array_equal(rows, stratified_sample(months, 100, seed=42))  # the same draw every time
    assert not np.array_equal(rows, stratified_sample(months, 100, seed=7))
    assert np.array_equal(stratified_sample(months, 5_000, seed=42), np.arange(1_000))  # small: all of it


def test_an_update_on_ray_publishes_the_local_engines_update(ray_local, local_static, ray_static, tmp_path):
    """`discourse update --engine ray` on copies of both builds, adding another month."""
    added = [BUNDLED / "2023-07"]
    results = {}
    for engine, base in (("local", local_static), ("ray", ray_static)):
        out = tmp_path / engine
        shutil.copytree(base.run_dir.parent.parent, out, symlinks=True)
        results[engine] = update(config(out, engine, topic_fit_sample=120).model_copy(update={"corpus": added}))
    assert results["ray"].manifest["update"]["passages_added"] > 0
    assert results["ray"].manifest["update"] == results["local"].manifest["update"]
    assert_same_tables(results["local"].run_dir, results["ray"].run_dir)
