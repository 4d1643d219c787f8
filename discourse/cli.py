"""The `discourse` command: ingest, people, topics, build, update, info, serve."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from discourse.labels_cmd import labels_app
from discourse.themes_cmd import themes as themes_command
from pipelines.artifacts import OUTLIER_TOPIC, ArtifactError, Manifest, read_manifest
from pipelines.config import ColumnMapping, IngestConfig
from pipelines.csv_out import write_csv
from pipelines.ingest import IngestResult, ingest_paths
from pipelines.readers import InputError

if TYPE_CHECKING:
    from pipelines.build import BuildConfig
    from pipelines.engine import EngineConfig

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="AI-regulation discourse: build topic trends from a corpus and explore them.")
console = Console(stderr=True)
app.command("themes")(themes_command)  # discourse/themes_cmd.py: --evaluate
app.add_typer(labels_app, name="labels")  # discourse/labels_cmd.py: export


@app.callback()
def _root() -> None:
    """AI-regulation discourse: build topic trends from a corpus and explore them."""


MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="Column mapping FIELD=COLUMN, e.g. --map text=body --map date=published_at."),
]


def fail(message: str, code: int = 2) -> None:
    """Print a clear message (one line, no traceback) and exit."""
    console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    raise typer.Exit(code)


def parse_mapping(pairs: list[str] | None) -> IngestConfig:
    """Build the ingest config from --map FIELD=COLUMN options."""
    overrides: dict[str, str] = {}
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            fail(f"--map expects FIELD=COLUMN, got {pair!r}")
        overrides[field.strip()] = column.strip()
    try:
        return IngestConfig(columns=ColumnMapping().with_overrides(overrides))
    except ValueError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


class RateColumn(ProgressColumn):
    """Items per second (passages/s while embedding)."""

    def render(self, task) -> Text:  # noqa: ANN001 - rich's signature
        return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")


def progress_bar(transient: bool = True) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                    TimeElapsedColumn(), console=console, transient=transient)


def run_ingest(paths: list[Path], config: IngestConfig) -> IngestResult:
    """Ingest with a progress bar; input errors become a clear message."""
    with progress_bar() as progress:
        task = progress.add_task("Reading files", total=None)
        try:
            return ingest_paths(paths, config,
                                on_file=lambda done, total: progress.update(task, completed=done, total=total))
        except InputError as exc:
            progress.stop()
            fail(str(exc))
    raise AssertionError("unreachable")


def ingest_summary(result: IngestResult) -> Table:
    table = Table(title="Ingest summary", show_header=True)
    table.add_column("records")
    table.add_column("count", justify="right")
    table.add_row("read", f"{result.records_read:,}")
    table.add_row("accepted", f"{result.documents.height:,}")
    table.add_row("rejected", f"{result.rejected:,}")
    table.add_row("duplicates", f"{result.duplicates:,}")
    for code, count in result.reason_counts().iter_rows():
        table.add_row(Text(f"  {code}"), f"{count:,}")
    return table


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files to read.")],
    column_map: MapOption = None,
    rejects: Annotated[Path | None, typer.Option(
        help="Write the rejects table to this CSV file (cells that would run as a formula get a leading ').")] = None,
    documents: Annotated[Path | None, typer.Option(help="Write the documents table to this Parquet file.")] = None,
    show: Annotated[int, typer.Option(help="How many rejects to list.")] = 20,
) -> None:
    """Read a corpus into the documents table and report what was accepted and rejected."""
    config = parse_mapping(column_map)
    result = run_ingest(paths, config)
    out = Console()
    out.print(ingest_summary(result))
    if result.rejects.height:
        listing = Table(title=f"Rejects (first {min(show, result.rejects.height)} of {result.rejects.height})")
        for column in ("origin", "reason_code", "reason"):
            listing.add_column(column, overflow="fold")
        for origin, code, reason in result.rejects.select("origin", "reason_code", "reason").head(show).iter_rows():
            listing.add_row(Text(origin), Text(code), Text(reason))  # corpus data, never markup
        out.print(listing)
    try:
        if rejects:
            write_csv(result.rejects, rejects)  # formula-guarded, like every CSV the product writes
            out.print(f"rejects written to {rejects}")
        if documents:
            result.documents.write_parquet(documents)
            out.print(f"documents written to {documents}")
    except (OSError, pl.exceptions.PolarsError) as exc:
        fail(f"could not write output: {exc}")
    if result.documents.height:
        dates = result.documents.select(first=pl.col("date").min(),
                                        last=pl.col("date").max()).row(0)
        out.print(f"dates {dates[0]} .. {dates[1]}")


# --- build, update, info ---------------------------------------------------------------------


class RichProgress:
    """Shows each pipeline stage as a progress bar and a closing line with its time."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task = None

    def start(self, stage: str, total: int | None = None) -> None:
        self.task = self.progress.add_task(f"{stage:<11}", total=total)

    def advance(self, completed: int, total: int | None = None) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=completed, **({"total": total} if total else {}))

    def finish(self, stage: str, seconds: float, detail: str = "") -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
        console.print(Text.assemble(("✓", "green"), f" {stage:<11} {seconds:8.1f} s  {detail}"))

    def note(self, message: str) -> None:
        console.print(Text.assemble(("warning:", "bold yellow"), " ", message), soft_wrap=True)


def engine_config(engine: str, ray_address: str | None, ray_workers: int) -> "EngineConfig":
    from pipelines.engine import EngineConfig, RayOptions

    if engine not in ("local", "ray"):
        fail(f"--engine must be 'local' or 'ray', got {engine!r}")
    if ray_workers < 1:
        fail(f"--ray-workers must be at least 1, got {ray_workers}")
    if ray_address and engine != "ray":
        fail("--ray-address needs --engine ray")
    return EngineConfig(kind=engine, ray=RayOptions(address=ray_address or None, workers=ray_workers))


def build_config(corpus: list[Path], out: Path, column_map: list[str] | None, embedder: str,
                 people: Path | None, themes: Path | None, engine: "EngineConfig | None" = None) -> "BuildConfig":
    from pipelines.build import BuildConfig
    from pipelines.embeddings import EmbeddingConfig

    if embedder not in ("minilm", "static"):
        fail(f"--embedder must be 'minilm' or 'static', got {embedder!r}")
    options = {} if engine is None else {"engine": engine}
    if people:
        options["people_path"] = people
    if themes:
        options["themes_path"] = themes
    return BuildConfig(corpus=corpus, out=out, ingest=parse_mapping(column_map),
                       embedding=EmbeddingConfig(embedder=embedder), **options)


def run_pipeline(action: str, config: "BuildConfig", **options: object) -> None:
    """Run build or update with progress bars; every known failure becomes a clear message."""
    from pipelines import build as build_module
    from pipelines.embeddings import ModelIntegrityError
    from pipelines.people import RegistryError
    from pipelines.themes import ThemeError

    known = (InputError, build_module.BuildError, ArtifactError, ModelIntegrityError, RegistryError, ThemeError)
    with progress_bar(transient=True) as progress:
        try:
            result = getattr(build_module, action)(config, RichProgress(progress), **options)
        except known as exc:
            progress.stop()
            fail(str(exc))
        except OSError as exc:  # e.g. the disk filled up while writing the run
            progress.stop()
            fail(f"{action} failed: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
    Console().print(build_summary(Manifest.model_validate(result.manifest), result.run_dir))


def build_summary(manifest: Manifest, run_dir: Path) -> Table:
    counts = manifest.counts
    table = Table(title=f"{manifest.kind.capitalize()} {manifest.run_id}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("records_read", "documents_accepted", "documents_rejected", "duplicates", "passages",
                "mentions", "people", "topics"):
        table.add_row(key.replace("_", " "), f"{counts[key]:,}")
    table.add_row("outlier share", f"{counts['outlier_share']:.1%}")
    for key, value in (manifest.update or {}).items():
        table.add_row(f"update: {key.replace('_', ' ')}", f"{value:,}")
    for stage, seconds in manifest.timings.items():
        table.add_row(f"time: {stage}", f"{seconds:.1f} s")
    table.add_row("run folder", Text(str(run_dir)))
    return table


CorpusOption = Annotated[list[Path], typer.Option("--corpus", help="Corpus folder(s) or file(s).")]
OutOption = Annotated[Path, typer.Option("--out", help="Output folder holding runs/ and current.")]
EmbedderOption = Annotated[str, typer.Option(help="minilm (default) or static (fast, distilled locally).")]
PeopleOption = Annotated[Path | None, typer.Option(help="People registry (default data/people.toml).")]
ThemesOption = Annotated[Path | None, typer.Option(help="Theme definitions (default data/themes.toml).")]
EngineOption = Annotated[str, typer.Option(
    help="local (default) or ray: the per-passage stages on Ray Data (docs/SCALING.md).")]
RayAddressOption = Annotated[str | None, typer.Option(
    help="A running Ray cluster, e.g. 10.0.0.5:6379 (default: start a local one).")]
RayWorkersOption = Annotated[int, typer.Option(help="Embedding actors (and CPUs of a local Ray).")]
TopicSampleOption = Annotated[int, typer.Option(
    help="Passages BERTopic is fitted on; above it, a sample stratified by month (the rest are assigned).")]


@app.command()
def build(corpus: CorpusOption, out: OutOption, column_map: MapOption = None, embedder: EmbedderOption = "minilm",
          people: PeopleOption = None, themes: ThemesOption = None, engine: EngineOption = "local",
          ray_address: RayAddressOption = None, ray_workers: RayWorkersOption = 2,
          topic_sample: TopicSampleOption = 200_000) -> None:
    """Build a corpus end to end and publish it as DIR/current."""
    if topic_sample < 100:
        fail(f"--topic-sample must be at least 100, got {topic_sample}")
    config = build_config(corpus, out, column_map, embedder, people, themes,
                          engine_config(engine, ray_address, ray_workers))
    run_pipeline("build", config.model_copy(update={"topic_fit_sample": topic_sample}))


FallbackOption = Annotated[bool, typer.Option(
    "--fallback", help="When DIR/current is corrupted, update the last intact run instead (and say so).")]


@app.command()
def update(corpus: CorpusOption, out: OutOption, column_map: MapOption = None, embedder: EmbedderOption = "minilm",
           people: PeopleOption = None, fallback: FallbackOption = False, engine: EngineOption = "local",
           ray_address: RayAddressOption = None, ray_workers: RayWorkersOption = 2) -> None:
    """Add new documents to the current run without refitting the topic model (after checking
    the run against its manifest: a corrupted run is refused unless --fallback is given)."""
    run_pipeline("update", build_config(corpus, out, column_map, embedder, people, None,
                                        engine_config(engine, ray_address, ray_workers)), fallback=fallback)


def published_run(out: Path) -> Path:
    """The run DIR/current points to; a clear message when there is none."""
    from pipelines.build import current_run

    run = current_run(out)
    if run is None or not (run / "manifest.json").is_file():
        fail(f"{out} has no published run (expected {out / 'current' / 'manifest.json'}); run `discourse build`")
    return run


def current_manifest(out: Path) -> tuple[Path, Manifest]:
    """The published run and its manifest (read through the artifact contract)."""
    run = published_run(out)
    try:
        return run, read_manifest(run)
    except ArtifactError as exc:
        fail(f"cannot read {run / 'manifest.json'}: {exc}")
    raise AssertionError("unreachable")


@app.command()
def info(out: OutOption) -> None:
    """What DIR/current holds, from its manifest."""
    run, manifest = current_manifest(out)
    Console().print(build_summary(manifest, run))
    Console().print(f"corpus: {', '.join(manifest.corpus)}"
                    + ("  (illustrative demo briefs, not primary sources)" if manifest.illustrative else ""))
    Console().print(f"embedding model: {manifest.embedding.identity if manifest.embedding else 'unknown'}")


@app.command()
def verify(out: OutOption) -> None:
    """Check every file of DIR/current against its manifest and every table against the artifact
    contract (exit 1 if anything differs)."""
    from pipelines.verify import verify_run

    run = published_run(out)
    problems = verify_run(run)
    if problems:
        for problem in problems:
            console.print(Text.assemble(("corrupted:", "bold red"), f" {run.name}/{problem}"))
        raise typer.Exit(1)
    manifest = read_manifest(run)
    Console().print(f"run {manifest.run_id}: all {len(manifest.files)} files match the manifest "
                    "and the artifact contract")


@app.command()
def topics(out: OutOption, report: Annotated[bool, typer.Option("--report", help="Quality report.")] = True) -> None:
    """Per-topic size, label, keywords, and quality figures (diversity, NPMI coherence, outliers)."""
    from pipelines.topics import topic_coherence, topic_diversity

    run, manifest = current_manifest(out)
    topic_table = pl.read_parquet(run / "topics.parquet")
    texts = pl.read_parquet(run / "passages.parquet", columns=["text"])["text"].to_list()
    listing = Table(title=f"Topics of run {manifest.run_id}")
    for column in ("id", "size", "theme", "label", "keywords"):
        listing.add_column(column, overflow="fold")
    for row in topic_table.sort("size", descending=True).iter_rows(named=True):
        listing.add_row(str(row["topic_id"]), f"{row['size']:,}", Text(row["theme"] or "(discovered)"),
                        Text(row["label"]), Text(", ".join(row["keywords"][:8])))
    out_console = Console()
    out_console.print(listing)
    if report:
        coherence = topic_coherence(topic_table, texts)
        out_console.print(f"topics: {topic_table.filter(pl.col('topic_id') != OUTLIER_TOPIC).height}  "
                          f"topic diversity: {topic_diversity(topic_table):.3f}  "
                          f"NPMI coherence (gensim c_npmi): "
                          + (f"{coherence:.3f}" if coherence is not None else "n/a")
                          + f"  outlier share: {manifest.counts['outlier_share']:.1%}"
                          + f" (before reduction {manifest.counts.get('outlier_share_before_reduction', 0):.1%})")


@app.command()
def people(
    corpus: Annotated[list[Path], typer.Argument(help="Corpus folders or files.")],
    candidates: Annotated[bool, typer.Option("--candidates", help="List person-like names not in the registry.")] = False,
    registry_path: Annotated[Path | None, typer.Option("--registry", help="People registry.")] = None,
    min_count: Annotated[int, typer.Option(help="Least occurrences for a candidate.")] = 2,
    limit: Annotated[int, typer.Option(help="How many rows to show.")] = 50,
) -> None:
    """People the corpus mentions (from the registry), or with --candidates names to add to it."""
    from pipelines.passages import split_passages
    from pipelines.people import DEFAULT_REGISTRY, RegistryError, candidate_people, extract_mentions, load_registry

    try:
        registry = load_registry(registry_path or DEFAULT_REGISTRY)
    except RegistryError as exc:
        fail(str(exc))
    result = run_ingest(corpus, IngestConfig())
    passages = split_passages(result.documents.lazy()).collect()
    out_console = Console()
    if candidates:
        found = candidate_people(passages["text"].to_list(), registry, min_count=min_count)
        out_console.print(_text_table(f"Candidate people not in the registry ({found.height})",
                                      ("name", "count", "evidence"), found.head(limit).iter_rows()))
        _unresolved_turn_labels(out_console, result.documents, passages, registry, limit)
        return
    mentions = extract_mentions(result.documents, passages.lazy(), registry)
    counts = mentions.group_by("person").agg(mentions=pl.len(), documents=pl.col("doc_id").n_unique()) \
        .sort(["mentions", "person"], descending=[True, False])
    out_console.print(_text_table(f"People mentioned ({counts.height})", ("person", "mentions", "documents"),
                                  counts.head(limit).iter_rows()))


def _unresolved_turn_labels(out_console: Console, documents: pl.DataFrame, passages: pl.DataFrame, registry,  # noqa: ANN001
                            limit: int) -> None:
    """Transcript turn labels that resolve to no registry person (add the person to
    data/people.toml, or the office to data/roles.toml)."""
    from pipelines.people import extract_mentions
    from pipelines.statements import document_turn_labels, unresolved_labels

    labels = unresolved_labels(document_turn_labels(documents, extract_mentions(documents, passages.lazy(), registry),
                                                    registry))
    out_console.print(_text_table(f"Turn labels not resolved to a registry person ({labels.height})",
                                  ("label", "turns", "documents"), labels.head(limit).iter_rows()))


def _text_table(title: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> Table:
    """A table of corpus-derived rows: numbers with thousands separators, every string as plain
    text (never Rich markup)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(f"{v:,}" if isinstance(v, int) else Text(str(v)) for v in row))
    return table


@app.command()
def serve(
    out: OutOption,
    host: Annotated[str, typer.Option(help="Interface to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
    workers: Annotated[int, typer.Option(help="Worker threads of the WSGI server.")] = 4,
    debug: Annotated[bool, typer.Option("--debug", help="Dash dev tools and Flask debug (never in production).")] = False,
    review: Annotated[bool, typer.Option(
        "--review", help="Review mode: confirm, remove or add themes on passages in the document view; "
                         "corrections go to DIR/labels/corrections.jsonl and train the next build.")] = False,
) -> None:
    """Serve the dashboard on DIR/current with a production WSGI server."""
    from dashboard.server import serve as serve_dashboard

    serve_dashboard(out, host=host, port=port, workers=workers, debug=debug, review=review)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
