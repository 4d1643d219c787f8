"""The orchestrator: ingest -> passages -> people -> embeddings -> topics -> aggregates -> publish.

Stage modules hold the logic; this module only wires them, times them, reports progress
and does the I/O: reading the corpus, writing a run folder, and publishing it atomically
(`DIR/current` is switched to a complete run only after every file and the manifest are
written, so readers never see a half-written run and a killed build leaves it untouched).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from pipelines import aggregates, search_index
from pipelines.artifacts import (  # current_run and publish: the run folders' layout, used here and re-exported
    OUTLIER_TOPIC, PUBLISHED, TOPIC_MODEL_FOLDER, Manifest, current_run, empty,
    publish, read_manifest, read_table, scan_table, write_manifest, write_table,
)
from pipelines.config import IngestConfig
from pipelines.embedders import load_embedder
from pipelines.embeddings import EmbeddingCache, EmbeddingConfig
from pipelines.engine import LOCAL, Engine, EngineConfig
from pipelines.ingest import DUPLICATE_CODE as DUPLICATE, IngestResult, ingest_paths
from pipelines.passages import PassageConfig, split_passages
from pipelines.ray_engine import RayEngineError, make_engine
from pipelines.run_records import (  # BuildError, build_lock and new_run_folder: re-exported
    BuildError, build_lock, embedding_record, file_record, input_files, new_run_folder, run_manifest,
)
from pipelines.people import DEFAULT_REGISTRY, Registry, extract_mentions, load_registry
from pipelines.passage_themes import complete_theme_topics, topic_memberships, zero_shot_rows
from pipelines.theme_stage import (
    ThemeLabelConfig, ThemeStageResult, classify_themes, load_stage, save_stage, stage_key,
)
from pipelines.theme_training import label_embedding_cache
from pipelines.themes import DEFAULT_THEMES, load_themes
from pipelines.topic_cache import TopicTables
from pipelines.topic_process import TopicProcessError, fit_topics_in_child
from pipelines.topic_sampling import fit_topics_on_sample
from pipelines.topics import SavedTopicModel, TopicConfig, assign_new_passages, load_topic_model
from pipelines.statement_cache import StatementProcessError, extract_or_reuse_statements
from pipelines.statements import extract_statements, passage_speakers
from pipelines.update_steps import already_present_rejects, recount_topics, split_already_present
from pipelines.verify import choose_run


class BuildConfig(BaseModel):
    """Everything a build depends on; written to the manifest."""

    corpus: list[Path]
    out: Path
    people_path: Path = DEFAULT_REGISTRY
    themes_path: Path = DEFAULT_THEMES
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    passages: PassageConfig = Field(default_factory=PassageConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    topics: TopicConfig = Field(default_factory=TopicConfig)
    theme_labels: ThemeLabelConfig = Field(default_factory=ThemeLabelConfig)
    engine: EngineConfig = Field(default_factory=EngineConfig)
    topic_fit_sample: int = Field(200_000, ge=1)  # passages BERTopic is fitted on (pipelines/topic_sampling.py)
    topic_process_above: int = Field(250_000, ge=0)  # more passages: topics in a child (pipelines/topic_process.py)
    keep_runs: int = 5
    reuse_topic_fit: bool = True  # an unchanged corpus reuses the cached (seeded, identical) fit

    @property
    def cache_dir(self) -> Path:
        return self.embedding.cache_dir or self.out / "cache" / "embeddings"


class Progress(Protocol):
    """What the orchestrator reports; the CLI shows it as progress bars."""

    def start(self, stage: str, total: int | None = None) -> None: ...
    def advance(self, completed: int, total: int | None = None) -> None: ...
    def finish(self, stage: str, seconds: float, detail: str = "") -> None: ...
    def note(self, message: str) -> None: ...  # something the user must know (a fallback)


class SilentProgress:
    def start(self, stage: str, total: int | None = None) -> None: ...
    def advance(self, completed: int, total: int | None = None) -> None: ...
    def finish(self, stage: str, seconds: float, detail: str = "") -> None: ...
    def note(self, message: str) -> None: ...


@dataclass
class StageClock:
    progress: Progress
    timings: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[dict[str, str]]:
        self.progress.start(name, total)
        began = time.perf_counter()
        note: dict[str, str] = {}
        yield note
        self.timings[name] = round(time.perf_counter() - began, 3)
        self.progress.finish(name, self.timings[name], note.get("detail", ""))

    def note(self, message: str) -> None:
        getattr(self.progress, "note", lambda _: None)(message)  # Progress before `note` existed: nothing


@dataclass
class BuildResult:
    run_dir: Path
    manifest: dict  # what manifest.json holds



WRITTEN_EARLY = ("search_index", "trends", "month_totals", "passage_themes")  # final before statements


def _write_early(folder: Path, tables: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Write the large tables that are final before the statements stage into the partial run
    folder and let them go (a million passages: half a GB the stage can use); their rows."""
    return {name: write_table(folder, name, tables.pop(name)) for name in WRITTEN_EARLY}


def _documents_to_disk(folder: Path, ingest: IngestResult) -> tuple[IngestResult, int]:
    """Write the documents table, final once passages are split, into the partial run folder and
    keep only its columns without the text (a million passages: 0.4 GB); the statements stage
    reads the text back a chunk at a time. (the ingest result without text, the table's rows)"""
    rows = write_table(folder, "documents", ingest.documents)
    return dataclasses.replace(ingest, documents=ingest.documents.drop("text")), rows


def _write_and_publish(config: "BuildConfig", run_id: str, folder: Path, tables: dict[str, pl.DataFrame],
                       manifest: Manifest, written: dict[str, int] | None = None) -> BuildResult:
    """Write the tables (in the contract's form; `written`: those already written, with their
    rows) and the manifest into the partial run folder, then publish it."""
    written = written or {}
    rows = {name: written[name] if name in written else write_table(folder, name, tables[name])
            for name in PUBLISHED}
    finished = dt.datetime.now(dt.timezone.utc).isoformat()
    manifest = write_manifest(folder, manifest.model_copy(update={"rows": rows, "finished_at": finished}))
    final = publish(config.out, folder, run_id, config.keep_runs)
    return BuildResult(final, manifest.model_dump(mode="json", exclude_unset=True))


# --- stages shared by build and update ----------------------------------------------------------


def _titles_per_passage(passages: pl.DataFrame, documents: pl.DataFrame) -> pl.Series:
    return passages.select("doc_id").join(
        documents.select("doc_id", "title"), on="doc_id", how="left", maintain_order="left"
    )["title"].fill_null("")


def _embed(clock: StageClock, config: BuildConfig, passages: pl.DataFrame, documents: pl.DataFrame,
           engine: Engine = LOCAL, spill_dir: Path | None = None):
    with clock.stage("embeddings", passages.height) as note:
        embedder = load_embedder(config.embedding)
        cache = EmbeddingCache(config.cache_dir, embedder.identity, embedder.dimension)
        vectors, titles = engine.embed([passages["text"], _titles_per_passage(passages, documents)], embedder,
                                       cache, progress=clock.progress.advance, spill_dir=spill_dir)
        note["detail"] = f"{vectors.embedded:,} embedded, {vectors.cached:,} from cache"
    return embedder, vectors, titles


def _classify(clock: StageClock, config: BuildConfig, passages: pl.DataFrame, documents: pl.DataFrame,
              embedder, vectors, titles, themes: list, engine: Engine = LOCAL) -> ThemeStageResult:  # noqa: ANN001
    """The themes stage: every passage's named themes (pipelines/theme_stage.py)."""
    labels = config.theme_labels.with_corrections_of(config.out)  # + the review corrections
    with clock.stage("themes", passages.height) as note:
        entry = config.cache_dir.parent / "themes" / stage_key(
            passages, _titles_per_passage(passages, documents), themes, embedder.identity, labels)
        named = load_stage(entry) if config.reuse_topic_fit else None
        if named is None:
            cache = label_embedding_cache(embedder, labels.cache_dir / "embeddings")
            named = classify_themes(passages, documents, vectors, titles, themes, embedder,
                                    cache, labels.cache_dir / "classifiers", labels, engine.theme_probabilities)
            save_stage(entry, named)
        note["detail"] = (f"{named.table['passage_id'].n_unique():,} passages with a theme, "
                          f"{named.record['labelled_passages']:,} labelled passages")
    return named


def _fit_topics(config: BuildConfig, engine: Engine, scratch: Path, documents: pl.DataFrame, passages: pl.DataFrame,
                embedder, vectors, titles, themes: list, model_folder: Path,  # noqa: ANN001
                primary: np.ndarray | None) -> tuple[TopicTables, int]:
    """The topics stage: BERTopic fitted on a sample, every passage assigned. A large corpus on the
    local engine runs it in a child process (pipelines/topic_process.py)."""
    args = (config.cache_dir.parent / "topics", config.reuse_topic_fit, config.topics, documents, passages)
    if engine is LOCAL and passages.height > config.topic_process_above:
        try:
            return fit_topics_in_child(scratch, *args, config.embedding, vectors, titles, themes, model_folder,
                                       primary, config.topic_fit_sample)
        except TopicProcessError as exc:
            raise BuildError(str(exc)) from None
    return fit_topics_on_sample(*args, embedder, vectors, titles, themes, model_folder, primary,
                                config.topic_fit_sample, engine.assign_topics)


def _themed(passages: pl.DataFrame, named: ThemeStageResult, topics: pl.DataFrame, themes: list,
            ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(passage_themes, topics with a row for every carried theme)."""
    table = named.table if named.primary is not None else zero_shot_rows(passages)
    return table, complete_theme_topics(topics, table, themes)


def _aggregate(clock: StageClock, documents: pl.DataFrame, passages: pl.DataFrame, mentions: pl.DataFrame,
               registry_frame: pl.DataFrame, memberships: pl.DataFrame | None = None, engine: Engine = LOCAL,
               ) -> dict[str, pl.DataFrame]:
    with clock.stage("aggregates"):
        lazy_passages, lazy_mentions = passages.lazy(), mentions.lazy()
        with_people, months, people = pl.collect_all([
            aggregates.passages_with_people(lazy_passages, lazy_mentions),
            aggregates.month_coverage(documents.lazy(), lazy_passages),
            aggregates.people_summary(lazy_mentions, registry_frame.lazy()),
        ])
        trends, totals = engine.trend_tables(
            with_people, memberships if memberships is not None else with_people.select("passage_id", "topic_id"))
        words = search_index.word_postings(with_people)
    return {"passages": with_people, "trends": trends, "month_totals": totals, "months": months, "people": people,
            "search_index": words}


def _statements(clock: StageClock, tables: dict[str, pl.DataFrame], documents: pl.DataFrame, passages: pl.DataFrame,
                registry: Registry, cache: Path, old: pl.DataFrame | None = None,
                new_documents: pl.DataFrame | None = None, rematch: bool = True,
                extracted: pl.DataFrame | None = None, texts: pl.LazyFrame | None = None) -> None:
    """The statements stage (pipelines/statements.py): `statements`, and `passages.speakers`. An
    update with the base run's registry extracts only the new documents' statements; an unchanged
    input reads the cached table back (pipelines/statement_cache.py). `extracted`: the table the
    Ray engine made with the passages; `texts`: the documents' text when `documents` has none."""
    again = old is None or rematch or new_documents is None
    with clock.stage("statements", (documents if again else new_documents).height) as note:
        if extracted is not None:
            statements, reused = extracted, False
        elif again:
            try:
                statements, reused = extract_or_reuse_statements(cache, documents, passages, tables["mentions"],
                                                                 registry, texts)
            except StatementProcessError as exc:
                raise BuildError(str(exc)) from None
        else:
            statements, reused = pl.concat([old, extract_statements(new_documents, passages, tables["mentions"],
                                                                    registry)]), False
        tables.update(statements=statements, passages=passage_speakers(tables["passages"], statements))
        note["detail"] = (f"{statements.height:,} statements, {statements['speaker'].is_not_null().sum():,} by people"
                          + (" (unchanged input: reused)" if reused else ""))


def _statements_cache(config: BuildConfig) -> Path:
    return config.cache_dir.parent / "statements"


def _counts(ingest: IngestResult, tables: dict[str, pl.DataFrame], outliers: float) -> dict:
    return {
        "records_read": ingest.records_read,
        "documents_accepted": ingest.documents.height,
        "documents_rejected": ingest.rejected,
        "duplicates": ingest.duplicates,
        "passages": tables["passages"].height,
        "mentions": tables["mentions"].height,
        "statements": tables["statements"].height,
        "statements_with_speaker": int(tables["statements"]["speaker"].is_not_null().sum()),
        "people": tables["people"].height,
        "topics": tables["topics"].filter(pl.col("topic_id") != OUTLIER_TOPIC).height,
        "outlier_share": round(outliers, 4),
    }


# --- build --------------------------------------------------------------------------------------


def build(config: BuildConfig, progress: Progress | None = None) -> BuildResult:
    """Build a corpus from scratch into a new run and publish it."""
    clock = StageClock(progress or SilentProgress())
    started = dt.datetime.now(dt.timezone.utc)
    registry = load_registry(config.people_path)
    themes = load_themes(config.themes_path)
    engine, session = make_engine(config.engine.kind, config.engine.ray, config.embedding)
    with build_lock(config.out), _engine_session(session), _scratch(config) as scratch:
        run_id, folder = new_run_folder(config.out)
        with clock.stage("ingest"):
            ingest = ingest_paths(config.corpus, config.ingest,
                                  on_file=lambda done, total: clock.progress.advance(done, total))
            inputs = input_files(config.corpus)
        if ingest.documents.is_empty():
            raise BuildError("no document was accepted: " + ", ".join(
                f"{code} ({n})" for code, n in ingest.reason_counts().iter_rows()) if ingest.rejects.height
                else "the corpus is empty")
        documents = ingest.documents
        with clock.stage("passages", documents.height) as note:  # and people (and statements on Ray)
            passages, mentions, extracted = engine.split_and_match(documents, config.passages, registry)
            note["detail"] = f"{passages.height:,} passages, {mentions.height:,} mentions"
        ingest, documents_rows = _documents_to_disk(folder, ingest)
        documents = ingest.documents
        embedder, vectors, titles = _embed(clock, config, passages, documents, engine, scratch)
        named = _classify(clock, config, passages, documents, embedder, vectors, titles, themes, engine)
        with clock.stage("topics", passages.height) as note:
            result, fitted_on = _fit_topics(config, engine, scratch, documents, passages, embedder, vectors, titles,
                                            themes, folder / TOPIC_MODEL_FOLDER, named.primary)
            note["detail"] = f"{result.topics.filter(pl.col('topic_id') != OUTLIER_TOPIC).height} topics" + (
                " (unchanged input: reused)" if result.reused else "")
        embedding = embedding_record(embedder, vectors)
        del vectors, titles  # a GB per million passages, not needed by the stages below
        passages = passages.join(result.assignments, on="passage_id", how="left", maintain_order="left")
        table, topics = _themed(passages, named, result.topics, themes)
        tables = _aggregate(clock, documents, passages, mentions, registry.frame(),
                            topic_memberships(passages, table, topics), engine)
        tables.update(documents=documents, mentions=mentions, topics=topics, rejects=ingest.rejects,
                      passage_themes=table, theme_quality=named.quality)
        themes_record = named.record
        del table, named  # passage_themes goes to disk next
        written = _write_early(folder, tables) | {"documents": documents_rows}
        _statements(clock, tables, documents, passages, registry, _statements_cache(config), extracted=extracted,
                    texts=scan_table(folder, "documents"))
        counts = _counts(ingest, tables, result.outlier_share) | {
            "outlier_share_before_reduction": round(result.outlier_share_before_reduction, 4),
            "topic_fit_passages": fitted_on}
        manifest = run_manifest(run_id, started, config, clock, inputs, embedding, counts,
                                topics_reused_from_cache=result.reused, themes=themes_record,
                                people_registry=file_record(config.people_path))
        return _write_and_publish(config, run_id, folder, tables, manifest, written)


@contextlib.contextmanager
def _scratch(config: BuildConfig) -> Iterator[Path]:
    """A folder for the build's passage and title vectors (kept on disk, read a chunk at a
    time), removed when the build ends, whether it is published or not. Those of a killed
    build are removed by the next (the build lock is held: no other build is using them)."""
    config.out.mkdir(parents=True, exist_ok=True)
    for stale in config.out.glob(".vectors-*"):
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=".vectors-", dir=config.out) as folder:
        yield Path(folder)


@contextlib.contextmanager
def _engine_session(session) -> Iterator[None]:  # noqa: ANN001 - a context manager factory
    try:
        with session():
            yield
    except RayEngineError as exc:
        raise BuildError(str(exc)) from None


# --- update -------------------------------------------------------------------------------------

UPDATE_READS = ("documents", "passages", "mentions", "topics", "rejects", TOPIC_MODEL_FOLDER)


def update_base(out: Path, fallback: bool = False, clock: StageClock | None = None) -> tuple[Path, str | None]:
    """The run an update builds on: `current`, once `verify_run` finds it intact and listing all
    that update reads. Otherwise a BuildError naming the problem or, with `fallback`, the newest
    intact earlier run (said through `clock`). Returns the run and the corrupted run it skipped."""
    run, problems, current = choose_run(out, needs=UPDATE_READS, needed_by="update")
    if not problems:
        return run, None
    if current is None and run is None:
        raise BuildError(f"{out} has no current run to update; run `discourse build` first")
    what = f"run {current.name}" if current is not None else "`current`"
    details = "; ".join(map(str, problems[:3])) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    if not fallback or run is None:
        instead = (f", or pass --fallback to update the last intact run, {run.name}, instead" if run is not None
                   else " (no earlier run is intact)")
        raise BuildError(f"refusing to update {what}: {details}. Rebuild it with `discourse build`{instead}")
    if clock is not None:
        clock.note(f"{what} is corrupted ({details}); updating the last intact run, {run.name}, instead")
    return run, current.name if current is not None else "current"


def update(config: BuildConfig, progress: Progress | None = None, fallback: bool = False) -> BuildResult:
    """Add new documents to the current run without refitting the topic model. The run is verified
    first: a corrupted one is refused, or with `fallback` the last intact run is updated instead."""
    clock = StageClock(progress or SilentProgress())
    started = dt.datetime.now(dt.timezone.utc)
    registry, registry_file = load_registry(config.people_path), file_record(config.people_path)
    if not config.out.is_dir():
        raise BuildError(f"{config.out} has no current run to update; run `discourse build` first")
    engine, session = make_engine(config.engine.kind, config.engine.ray, config.embedding)
    with build_lock(config.out), _engine_session(session):
        base, skipped = update_base(config.out, fallback, clock)
        run_id, folder = new_run_folder(config.out)
        parent = read_manifest(base)
        old = {name: read_table(base, name) for name in UPDATE_READS if name != TOPIC_MODEL_FOLDER}
        old.update({name: read_table(base, name) for name in ("passage_themes", "theme_quality", "statements")
                    if (base / f"{name}.parquet").is_file()})
        with clock.stage("ingest"):
            ingest = ingest_paths(config.corpus, config.ingest,
                                  on_file=lambda done, total: clock.progress.advance(done, total))
            inputs = input_files(config.corpus)
        new_documents, already = split_already_present(ingest.documents, old["documents"])
        documents = pl.concat([old["documents"], new_documents.select(old["documents"].columns)])
        with clock.stage("passages", new_documents.height):
            new_passages = split_passages(new_documents.lazy(), config.passages).collect()
        rematch = parent.people_registry is None or parent.people_registry.sha256 != registry_file.sha256
        with clock.stage("people", (documents if rematch else new_documents).height) as note:
            mentions = _update_mentions(old, documents, new_documents, new_passages, registry, rematch)
            note["detail"] = "registry changed: every passage matched again" if rematch else ""
        embedder, vectors, titles = _embed(clock, config, new_passages, new_documents, engine)
        passages, table, topics, quality, themes_record = _update_topics(
            clock, config, base, old, new_passages, new_documents, embedder, vectors, titles, engine)
        tables = _aggregate(clock, documents, passages, mentions, registry.frame(),
                            topic_memberships(passages, table, topics), engine)
        rejects = pl.concat([old["rejects"], ingest.rejects,
                             already_present_rejects(already, base.name, config.ingest.raw_preview_chars)])
        tables.update(documents=documents, mentions=mentions, topics=topics, rejects=rejects,
                      passage_themes=table, theme_quality=quality)
        _statements(clock, tables, documents, passages, registry, _statements_cache(config), old.get("statements"),
                    new_documents, rematch)
        shutil.copytree(base / TOPIC_MODEL_FOLDER, folder / TOPIC_MODEL_FOLDER)
        exact = int((already["reason_code"] == DUPLICATE).sum())
        counts = _counts(ingest, tables, float((passages["topic_id"] == OUTLIER_TOPIC).mean() or 0.0)) | {
            "records_read": parent.counts["records_read"] + ingest.records_read,
            "documents_accepted": documents.height,
            "documents_rejected": parent.counts["documents_rejected"] + ingest.rejected + already.height - exact,
            "duplicates": parent.counts["duplicates"] + ingest.duplicates + exact,
        }
        added = {"documents_read": ingest.records_read, "documents_added": new_documents.height,
                 "already_present": exact, "same_id_other_text": already.height - exact,
                 "rejected": ingest.rejected, "duplicates": ingest.duplicates, "passages_added": new_passages.height,
                 "passages_rematched": passages.height if rematch else 0}
        manifest = run_manifest(run_id, started, config, clock, inputs, embedding_record(embedder, vectors), counts,
                                parent=parent, update=added, people_registry=registry_file,
                                themes=_update_themes_record(parent.themes, themes_record),
                                **({"fallback_from": skipped} if skipped else {}))
        return _write_and_publish(config, run_id, folder, tables, manifest)


def _update_topics(clock: StageClock, config: BuildConfig, base: Path, old: dict[str, pl.DataFrame],
                   new_passages: pl.DataFrame, new_documents: pl.DataFrame, embedder, vectors, titles,  # noqa: ANN001
                   engine: Engine = LOCAL) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, dict | None]:
    """(passages, passage_themes, topics, theme_quality, themes record or None) of an update:
    the new passages' themes from the classifiers, their topics from the saved model."""
    saved = _load_topic_model(base, embedder)
    base_passages = old["passages"].drop("people", "speakers")
    old_table = old["passage_themes"] if "passage_themes" in old else zero_shot_rows(base_passages)
    quality = old.get("theme_quality", empty("theme_quality"))
    record = None
    if new_passages.height:
        named = _classify(clock, config, new_passages, new_documents, embedder, vectors, titles, saved.themes, engine)
        with clock.stage("topics", new_passages.height):
            assigned = assign_new_passages(saved, old["topics"], new_passages, vectors.vectors, titles.vectors,
                                           embedder, named.primary)
        new_passages = new_passages.join(assigned, on="passage_id", how="left", maintain_order="left")
        new_table = named.table if named.primary is not None else zero_shot_rows(new_passages)
        old_table, quality = pl.concat([old_table, new_table]), named.quality if named.quality.height else quality
        record = named.record
        base_passages = pl.concat([base_passages, new_passages.select(base_passages.columns)])
    topics = complete_theme_topics(recount_topics(old["topics"], base_passages), old_table, saved.themes)
    return base_passages, old_table, topics, quality, record


def _update_themes_record(parent: dict | None, record: dict | None) -> dict | None:
    """An update's themes entry: how its added passages were classified, else the parent's."""
    return record | {"scope": "added passages"} if record is not None else (
        None if parent is None else parent | {"scope": "inherited"})


def _update_mentions(old: dict[str, pl.DataFrame], documents: pl.DataFrame, new_documents: pl.DataFrame,
                     new_passages: pl.DataFrame, registry: Registry, rematch: bool) -> pl.DataFrame:
    """The updated run's mentions. With another registry than the base run's (or one it did not
    record) every passage is matched again, so people, mentions and each passage's people all
    come from one registry; with the same one only the new documents are matched."""
    if not rematch:
        return pl.concat([old["mentions"], extract_mentions(new_documents, new_passages.lazy(), registry)])
    spans = ("passage_id", "doc_id", "char_start", "char_end")
    passages = pl.concat([old["passages"].select(spans), new_passages.select(spans)])
    return extract_mentions(documents, passages.lazy(), registry)


def _load_topic_model(base: Path, embedder) -> SavedTopicModel:  # noqa: ANN001 - an Embedder
    """The base run's topic model; a BuildError when it cannot be loaded (BERTopic, safetensors
    and json raise many kinds of error on a damaged folder)."""
    try:
        return load_topic_model(base / TOPIC_MODEL_FOLDER, embedder)
    except Exception as exc:  # noqa: BLE001 - reported to the user, never swallowed
        raise BuildError(f"the topic model of run {base.name} cannot be loaded ({type(exc).__name__}: {exc}); "
                         "rebuild with `discourse build`") from None
