"""Interrupted builds: `discourse build` killed with SIGKILL at a random point of any stage
leaves the published run exactly as it was, and the next build completes, is published and
reuses the embedding cache.

A small corpus (15 bundled documents) is built once per module; each test copies that output
folder (its published run and its caches), adds new documents, starts `discourse build` as a
subprocess and kills it at a random delay after the previous stage's "✓ <stage>" line (or,
for ingest, after its run folder appears). Which stage was really running when the kill
landed is read from the "✓" lines the process printed before it died. The delays are drawn
from a `random.Random` seeded per test (printed; set INTERRUPTED_BUILD_SEED to draw others) as
fractions of the stage's wall-clock and CPU time in the module's own build, whichever comes
first, so that the kills meant for embeddings, topics and the publish window land there on a
busy machine as on an idle one (the tests assert that they did).
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest

from pipeline_fixtures import BUNDLED
from pipelines.artifacts import PUBLISHED
from pipelines.build import BuildConfig, build, current_run
from pipelines.verify import verify_run

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED = int(os.environ.get("INTERRUPTED_BUILD_SEED", "20240417"))
ORDER = ["ingest", "passages", "embeddings", "topics", "aggregates"]  # the "✓" lines, in order
STAGES = ["ingest", "passages", "embeddings", "topics", "publish"]
DONE = re.compile(r"✓\s+(\w+)")


# --- the module's published run ---------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    wall: float
    cpu: float

    @staticmethod
    def now() -> Clock:
        return Clock(time.monotonic(), time.process_time())

    def __sub__(self, other: Clock) -> Clock:
        return Clock(self.wall - other.wall, self.cpu - other.cpu)


class StageTimes:
    """A Progress that notes each stage's wall-clock and CPU time (publish: after aggregates)."""

    def __init__(self) -> None:
        self.started: dict[str, Clock] = {}
        self.took: dict[str, Clock] = {}

    def start(self, stage: str, total: int | None = None) -> None:
        self.started[stage] = Clock.now()

    def advance(self, completed: int, total: int | None = None) -> None: ...

    def finish(self, stage: str, seconds: float, detail: str = "") -> None:
        self.took[stage] = Clock.now() - self.started[stage]
        self.started["publish"] = Clock.now()


@dataclass
class Base:
    corpus: Path
    out: Path
    run: Path
    took: dict[str, Clock]  # wall-clock and CPU seconds per stage of the module's build


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    corpus = tmp_path_factory.mktemp("corpus")
    for path in sorted(BUNDLED.rglob("*.md"))[::20]:  # 15 documents spread over 2023-2025
        shutil.copy(path, corpus / path.name)
    out = tmp_path_factory.mktemp("published")
    times = StageTimes()
    result = build(BuildConfig(corpus=[corpus], out=out), times)
    times.took["publish"] = Clock.now() - times.started["publish"]  # tables, manifest, fsync, switch
    assert current_run(out) == result.run_dir and verify_run(result.run_dir) == []
    assert result.manifest["counts"]["documents_accepted"] == 15
    print("module build:", {stage: f"{c.wall:.2f} s ({c.cpu:.2f} s CPU)" for stage, c in times.took.items()})
    return Base(corpus, out, result.run_dir, times.took)


def write_new_documents(folder: Path, tag: str, count: int) -> None:
    for i in range(count):
        (folder / f"2025-11-{10 + i:02d}-{tag}-{i}.md").write_text(
            f"---\nid: {tag}-{i}\ntitle: Interrupted build brief {tag} {i}\nsource: test wire\n---\n"
            f"Brief {tag}/{i}: Senator Blumenthal said the AI licensing bill would return after the "
            f"{tag} stage of the review, number {i}.\n\n"
            f"Elon Musk answered that xAI would add {100 + i} GPUs to Colossus while the {tag} debate went on.\n",
            encoding="utf-8")


# --- killing a build -----------------------------------------------------------------------------


@dataclass
class Kill:
    stage: str  # the stage the kill was meant for
    seed: int
    delay: float
    finished: list[str] = field(default_factory=list)  # "✓" lines printed before the kill
    returncode: int | None = None
    stderr: str = ""

    @property
    def landed(self) -> str:
        """The stage running when the kill landed ("publish": after the last ✓ line)."""
        for stage in ORDER:
            if stage not in self.finished:
                return stage
        return "publish"


def _trigger_and_delay(stage: str, base: Base, rng: random.Random) -> tuple[str | None, Clock]:
    """What starts the clock (the "✓" line of the stage before, or None: the run folder appearing)
    and how long after it to kill: whichever of the wall-clock and the CPU delay comes first.

    Delays are a random fraction of the stage's time in the module's build, in wall-clock and
    in CPU seconds: on a machine busy with other work the wall-clock time of one build says
    little about the next, the CPU time they need much more.
    """
    if stage == "ingest":  # under a second: kill as soon as its run folder exists
        return None, Clock(rng.uniform(0.0, 0.05), float("inf"))
    if stage == "passages":  # passages and people: milliseconds, the kill often lands later
        return "ingest", Clock(rng.uniform(0.0, 0.1), float("inf"))
    previous, fraction = {
        # the module's build embedded its whole corpus; this one a few passages: loading the model
        # (most of the stage) is all they share
        "embeddings": ("passages", rng.uniform(0.02, 0.2)),
        "topics": ("embeddings", rng.uniform(0.02, 0.3)),
        # writing the tables, the manifest, fsync, renaming the run, switching `current`: the kill
        # may land after the switch (then the new run is complete), never after the process ends
        "publish": ("aggregates", rng.uniform(0.0, 1.0)),
    }[stage]
    took = base.took[stage]
    return previous, Clock(fraction * took.wall, fraction * max(took.cpu, 0.001))


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process, all threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kill_build_during(stage: str, corpus: Path, out: Path, base: Base, seed: int) -> Kill:
    rng = random.Random(seed)
    trigger, delay = _trigger_and_delay(stage, base, rng)
    kill = Kill(stage, seed, delay.wall)
    process = subprocess.Popen(
        [sys.executable, "-m", "discourse", "build", "--corpus", str(corpus), "--out", str(out)],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read_stderr() -> None:
        for raw in process.stderr:
            lines.put(raw.decode("utf-8", "replace"))
        lines.put(None)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    seen: list[str] = []
    finished: list[str] = []

    def take(timeout: float) -> bool:
        """Read one line if there is one; False at the end of the output."""
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            return True
        if line is None:
            return False
        seen.append(line)
        if match := DONE.search(line):
            finished.append(match.group(1))
        return True

    runs = out / "runs"
    existing = {p.name for p in runs.iterdir()}
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            if trigger is None:
                if any(p.name.endswith(".partial") and p.name not in existing for p in runs.iterdir()):
                    break
                if not take(0.001) or process.poll() is not None:
                    pytest.fail(f"the build ended before its run folder appeared:\n{''.join(seen)}")
            else:
                if trigger in finished:
                    break
                if not take(0.5):
                    pytest.fail(f"the build ended before '✓ {trigger}' (seed {seed}):\n{''.join(seen)}")
        else:
            pytest.fail(f"no '{trigger}' within 10 minutes:\n{''.join(seen)}")
        began, cpu = time.monotonic(), process_cpu_seconds(process.pid)
        while (time.monotonic() - began < delay.wall and process_cpu_seconds(process.pid) - cpu < delay.cpu
               and process.poll() is None):
            time.sleep(0.001)
        kill.delay = time.monotonic() - began
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        kill.returncode = process.wait(60)
        reader.join(60)
    while take(5):  # everything the process printed before it died
        if reader.is_alive() is False and lines.empty():
            break
    kill.finished, kill.stderr = finished, "".join(seen)
    print(f"seed {seed}: kill meant for {stage} after {kill.delay:.3f} s (drawn: {delay.wall:.3f} s, "
          f"{delay.cpu:.3f} s CPU) landed in {kill.landed} (finished: {', '.join(finished) or 'nothing'})")
    return kill


# --- checks ------------------------------------------------------------------------------------


def assert_intact(run: Path) -> None:
    """The run verifies against its manifest and every table loads with the rows it lists."""
    assert not run.name.endswith(".partial")
    assert verify_run(run) == [], verify_run(run)
    manifest = json.loads((run / "manifest.json").read_text())
    for name in PUBLISHED:
        assert pl.read_parquet(run / f"{name}.parquet").height == manifest["rows"][name], name
    for path in run.rglob("*.parquet"):
        pl.read_parquet(path)
    counts = manifest["counts"]
    assert counts["records_read"] == counts["documents_accepted"] + counts["documents_rejected"] + counts["duplicates"]


def file_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def cached_hashes(out: Path) -> set[str]:
    shards = sorted((out / "cache" / "embeddings").rglob("*.parquet"))
    return set(pl.concat([pl.read_parquet(s, columns=["text_hash"]) for s in shards])["text_hash"]) if shards else set()


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # the cache's key (embeddings.text_hashes)


# --- the tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_sigkill_during_a_stage_keeps_the_published_run_and_the_next_build_recovers(base, tmp_path, stage):
    seed = SEED + STAGES.index(stage)
    print(f"seed {seed} (INTERRUPTED_BUILD_SEED={SEED})")
    out = tmp_path / "out"
    shutil.copytree(base.out, out, symlinks=True)  # the published run, the embedding and topic caches
    previous = current_run(out)
    assert previous is not None and previous.name == base.run.name
    before = file_hashes(previous)
    corpus = tmp_path / "corpus"
    shutil.copytree(base.corpus, corpus)
    write_new_documents(corpus, f"{stage}-killed", 2)  # new passages to embed, new topics to fit

    kill = kill_build_during(stage, corpus, out, base, seed)

    assert kill.returncode == -signal.SIGKILL, f"the build was not killed (seed {seed}):\n{kill.stderr}"
    assert "Traceback" not in kill.stderr
    landed = kill.landed
    if stage in ("embeddings", "topics", "publish"):
        assert landed == stage, f"seed {seed}: meant for {stage}, landed in {landed}"
    else:  # fast stages may be over before the kill lands; never as late as writing the run
        assert ORDER.index(landed) >= ORDER.index(stage) and landed in ORDER[:3], landed

    # `current` still is the previous run, intact; the killed run was never published ...
    link = out / "current"
    assert link.is_symlink()
    runs = sorted(p for p in (out / "runs").iterdir() if p.is_dir())
    new_runs = [p for p in runs if p.name != previous.name]
    assert len(new_runs) <= 1, new_runs
    assert file_hashes(previous) == before  # not one byte of the published run changed
    if current_run(out) == previous:
        assert_intact(previous)
        if landed != "publish":
            assert [p.name.endswith(".partial") for p in new_runs] == [True]
        elif new_runs and not new_runs[0].name.endswith(".partial"):  # renamed, not yet switched to
            print("the kill landed after the new run was renamed into place, before the switch")
            assert_intact(new_runs[0])
    else:  # ... unless it landed in the instant after the switch: then the new run is complete
        assert landed == "publish", landed
        print("the kill landed after `current` was switched to the new, complete run")
        assert current_run(out) == new_runs[0]
        assert_intact(new_runs[0])
        assert_intact(previous)
    assert not list(out.glob(".current-*")) or landed == "publish"

    # the next build: the same corpus plus a new document
    write_new_documents(corpus, f"{stage}-next", 1)
    cached = cached_hashes(out)
    result = build(BuildConfig(corpus=[corpus], out=out))
    print(f"next build: {result.manifest['timings']}")
    assert current_run(out) == result.run_dir
    assert result.run_dir.name not in {previous.name} | {p.name for p in new_runs}
    assert_intact(result.run_dir)
    assert not list((out / "runs").glob("*.partial"))  # the killed build's leftovers are gone
    assert not list(out.glob(".vectors-*"))  # and its scratch vectors (pipelines/build.py, _scratch)
    assert_intact(previous)  # still kept, still intact
    manifest = result.manifest
    assert manifest["counts"]["documents_accepted"] == 15 + 3
    passages = pl.read_parquet(result.run_dir / "passages.parquet")
    hashes = [text_hash(t) for t in passages["text"]]
    never_embedded = {h for h in hashes if h not in cached}
    assert manifest["embedding"]["cached"] == sum(h in cached for h in hashes) > 0
    assert manifest["embedding"]["embedded"] == len(never_embedded) > 0
    new_passages = passages.filter(pl.col("doc_id").str.contains(f"{stage}-"))
    assert new_passages.height >= 3
    # every passage of the base corpus came from the cache
    assert {text_hash(t) for t in pl.read_parquet(previous / "passages.parquet")["text"]} <= cached
    if landed in ("topics", "aggregates", "publish"):  # the killed build had stored its vectors
        killed_docs = passages.filter(pl.col("doc_id").str.contains(f"{stage}-killed"))
        assert {text_hash(t) for t in killed_docs["text"]} <= cached
        assert manifest["embedding"]["embedded"] == len(
            {text_hash(t) for t in passages.filter(pl.col("doc_id").str.contains(f"{stage}-next"))["text"]})
