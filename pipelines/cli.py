"""The `discourse` command: ingest, people, topics, build, update, info, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.config import ColumnMapping, IngestConfig
from pipelines.ingest import IngestResult, ingest_paths
from pipelines.readers import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="AI-regulation discourse: build topic trends from a corpus and explore them.")
console = Console(stderr=True)



@app.callback()
def _root() -> None:
    """AI-regulation discourse: build topic trends from a corpus and explore them."""


MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="Column mapping FIELD=COLUMN, e.g. --map text=body --map date=published_at."),
]


def fail(message: str, code: int = 2) -> None:
    """Print a clear message (no traceback) and exit."""
    console.print(f"[bold red]error:[/] {message}")
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


def progress_bar(transient: bool = True) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
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
        table.add_row(f"  {code}", f"{count:,}")
    return table


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files to read.")],
    column_map: MapOption = None,
    rejects: Annotated[Path | None, typer.Option(help="Write the rejects table to this CSV file.")] = None,
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
            listing.add_row(origin, code, reason)
        out.print(listing)
    if rejects:
        result.rejects.write_csv(rejects)
        out.print(f"rejects written to {rejects}")
    if documents:
        result.documents.write_parquet(documents)
        out.print(f"documents written to {documents}")
    if result.documents.height:
        dates = result.documents.select(first=pl.col("date").min(),
                                        last=pl.col("date").max()).row(0)
        out.print(f"dates {dates[0]} .. {dates[1]}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
