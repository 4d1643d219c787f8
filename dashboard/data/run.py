"""Loading and checking one published run: its tables (through the artifact contract of
pipelines/artifacts.py), its manifest, the theme descriptions and the event timeline."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.artifacts import REQUIRED_TO_SERVE, SERVED, TABLES, ArtifactError, read_table


class RunNotFoundError(FileNotFoundError):
    """The run folder or one of its tables is missing, or a table breaks the contract."""


@dataclass(frozen=True)
class LoadedRun:
    """Everything read from disk for one run, before any index is built."""

    run_dir: Path
    tables: dict[str, pl.DataFrame]
    manifest: dict[str, Any]
    themes: dict[str, dict[str, str]]  # theme key -> {label, description}
    events: pl.DataFrame  # date, label, description, theme


@dataclass(frozen=True)
class CorpusSummary:
    documents: int
    passages: int
    months: int
    people: int
    first_month: date | None
    last_month: date | None
    run_id: str
    corpus: str
    built_at: str | None
    illustrative: bool


def read_run_tables(run_dir: Path) -> dict[str, pl.DataFrame]:
    """Every table the dashboard reads, each checked against the contract; optional ones
    only when present. Raises RunNotFoundError naming the table (and column)."""
    run_dir = Path(run_dir)
    missing = [t for t in REQUIRED_TO_SERVE if not (run_dir / TABLES[t].file).is_file()]
    if not run_dir.is_dir() or missing:
        raise RunNotFoundError(
            f"{run_dir} is not a complete run (missing: {', '.join(missing) or 'folder'})")
    try:
        return {t: read_table(run_dir, t) for t in SERVED
                if t in REQUIRED_TO_SERVE or (run_dir / TABLES[t].file).is_file()}
    except ArtifactError as exc:
        raise RunNotFoundError(f"{run_dir}: {exc}") from None


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """manifest.json as a dict ({} when absent or unreadable: the summary copes)."""
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def load_theme_descriptions(path: Path | None) -> dict[str, dict[str, str]]:
    """theme key -> {label, description} from data/themes.toml (empty when absent/broken)."""
    if path is None or not Path(path).is_file():
        return {}
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    out: dict[str, dict[str, str]] = {}
    for item in doc.get("theme", []) if isinstance(doc.get("theme"), list) else []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            out[item["key"]] = {
                "label": str(item.get("label") or item["key"]),
                "description": str(item.get("description") or ""),
            }
    return out


EVENT_SCHEMA = {"date": pl.Date, "label": pl.String, "description": pl.String,
                "theme": pl.String}


def load_events(path: Path | None) -> pl.DataFrame:
    """date, label, description, theme from data/events.csv; bad rows are dropped."""
    empty = pl.DataFrame(schema=EVENT_SCHEMA)
    if path is None or not Path(path).is_file():
        return empty
    try:
        raw = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True)
    except (OSError, pl.exceptions.PolarsError):
        return empty
    for col in EVENT_SCHEMA:
        if col not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    return (raw.select(
        pl.col("date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        pl.col("label").str.strip_chars(), pl.col("description").str.strip_chars(),
        pl.col("theme").str.strip_chars().replace("", None))
        .drop_nulls(["date", "label"]).sort("date"))


def load_run(run_dir: Path, themes_path: Path | None = None,
             events_path: Path | None = None) -> LoadedRun:
    """Read `run_dir` (e.g. `OUT/current`), its theme descriptions and event timeline."""
    run_dir = Path(run_dir)
    tables = read_run_tables(run_dir)
    return LoadedRun(run_dir.resolve(), tables, read_manifest(run_dir),
                     load_theme_descriptions(themes_path), load_events(events_path))


def find_corpus(manifest: dict[str, Any]) -> str:
    """The corpus path, wherever the manifest keeps it."""
    config = manifest.get("config") if isinstance(manifest.get("config"), dict) else {}
    for holder in (config, manifest):
        for key in ("corpus", "corpus_path", "corpus_dir", "input"):
            value = holder.get(key)
            if isinstance(value, dict):
                value = value.get("path") or value.get("dir")
            if isinstance(value, (list, tuple)) and value and all(
                    isinstance(v, (str, Path)) for v in value):
                return ", ".join(str(v) for v in value)
            if isinstance(value, (str, Path)) and str(value):
                return str(value)
    return "unknown corpus"


def is_illustrative(manifest: dict[str, Any], corpus: str) -> bool:
    """True for the bundled demo corpus (the page then says its briefs are illustrative)."""
    config = manifest.get("config") if isinstance(manifest.get("config"), dict) else {}
    if "illustrative" in manifest:
        return manifest["illustrative"] is True
    if config.get("illustrative") is True:
        return True
    return any(part.strip().rstrip("/\\").replace("\\", "/").endswith("data/corpus")
               for part in corpus.split(","))


def summarize(manifest: dict[str, Any], run_dir: Path, *, documents: int, passages: int,
              months: list[date], people: int) -> CorpusSummary:
    """The header's facts about a run."""
    corpus = find_corpus(manifest)
    return CorpusSummary(
        documents=documents, passages=passages, months=len(months), people=people,
        first_month=months[0] if months else None, last_month=months[-1] if months else None,
        run_id=str(manifest.get("run_id") or run_dir.name), corpus=corpus,
        built_at=manifest.get("finished_at") or manifest.get("started_at"),
        illustrative=is_illustrative(manifest, corpus),
    )
