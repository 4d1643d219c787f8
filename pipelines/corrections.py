"""Review corrections: a researcher's confirmations, removals and additions of themes on
passages of a run (`discourse serve --review`), kept in `<out>/labels/corrections.jsonl`.

Each line is one correction, appended whole (one write of one line, under a lock, then
fsync), and carries the passage's full set of themes after it, so the last line about a
passage says what it carries. The published run's tables are never modified; the next
build trains with the corrections (pipelines/theme_stage.py) and `discourse labels export`
copies them into the labelled files (data/theme_labels/).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path

import polars as pl

from pipelines.theme_labels import CORRECTION, text_sha1

ACTIONS = ("confirm", "remove", "add")
CORRECTIONS_FILE = Path("labels") / "corrections.jsonl"  # under a build's output folder
SCHEMA = {"passage_id": pl.String, "doc_id": pl.String, "sha1": pl.String, "text": pl.String,
          "themes": pl.List(pl.String), "action": pl.String, "theme": pl.String,
          "at": pl.String, "run_id": pl.String}
MAX_ID_CHARS = 200


class CorrectionError(ValueError):
    """A correction that cannot be recorded; the message says why."""


def corrections_path(out: Path) -> Path:
    return Path(out) / CORRECTIONS_FILE


def new_themes(current: list[str], action: str, theme: str) -> list[str]:
    """The passage's themes after the action."""
    kept = set(current)
    if action == "remove":
        kept.discard(theme)
    else:  # confirm and add both assert the theme
        kept.add(theme)
    return sorted(kept)


def make_correction(passage: dict | None, current: list[str], action: object, theme: object,
                    known_themes: list[str], run_id: str,
                    now: dt.datetime | None = None) -> dict:
    """A validated correction row for `passage` (a row with passage_id, doc_id and text;
    None when the id is unknown). Raises CorrectionError with a specific message."""
    if passage is None:
        raise CorrectionError("unknown passage id")
    if not isinstance(action, str) or action not in ACTIONS:
        raise CorrectionError(f"action must be one of {', '.join(ACTIONS)}")
    if not isinstance(theme, str) or theme not in known_themes:
        raise CorrectionError("unknown theme")
    if action == "confirm" and theme not in current:
        raise CorrectionError(f"the passage does not carry {theme}: add it instead")
    if action == "remove" and theme not in current:
        raise CorrectionError(f"the passage does not carry {theme}")
    when = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    return {"passage_id": passage["passage_id"], "doc_id": passage["doc_id"],
            "sha1": text_sha1(passage["text"]), "text": passage["text"],
            "themes": new_themes(current, action, theme), "action": action, "theme": theme,
            "at": when, "run_id": run_id}


def append_correction(path: Path, row: dict) -> None:
    """Append one correction as one line: a single write under an exclusive lock, then
    fsync, so concurrent writers never interleave and a crash leaves whole lines."""
    line = (json.dumps({k: row[k] for k in SCHEMA}, ensure_ascii=False) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def read_corrections(path: Path) -> pl.DataFrame:
    """Every correction in `path` (SCHEMA), in the order written; an absent file has none.
    Raises CorrectionError naming the file and line of a malformed one (a torn last line
    from a crash mid-write is ignored: it was never acknowledged)."""
    path = Path(path)
    if not path.is_file():
        return pl.DataFrame(schema=SCHEMA)
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("themes"), list):
                raise ValueError("not a correction")
            rows.append({k: row[k] for k in SCHEMA})
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            if number == len(lines) and not raw.endswith(b"\n"):
                break  # torn last line
            raise CorrectionError(f"{path}:{number}: not a correction ({exc})") from None
    return pl.DataFrame(rows, schema=SCHEMA) if rows else pl.DataFrame(schema=SCHEMA)


def latest(corrections: pl.DataFrame) -> pl.DataFrame:
    """The last correction of each passage (what it carries now), in first-seen order."""
    return corrections.group_by("passage_id", maintain_order=True).last()


def label_rows(corrections: pl.DataFrame, passages: pl.DataFrame, documents: pl.DataFrame,
               source: str) -> pl.DataFrame:
    """The latest correction of each passage as a row of the labelled files
    (data/theme_labels/README.md), picked_for "correction": it replaces the passage's other
    labels. Corrections of passages not in the run, or whose text changed, are left out."""
    last = latest(corrections)
    located = (last.join(passages.select("passage_id", "char_start", "char_end",
                                         pl.col("text").alias("_text")), on="passage_id")
               .join(documents.select("doc_id", "origin"), on="doc_id")
               .filter(pl.col("_text").map_elements(text_sha1, return_dtype=pl.String)
                       == pl.col("sha1")))
    return located.select(
        pl.format("{}:{}@{}-{}", pl.lit(source), "origin", "char_start", "char_end").alias("key"),
        pl.lit(source).alias("source"), "origin",
        pl.col("char_start").cast(pl.Int64), pl.col("char_end").cast(pl.Int64), "sha1", "text",
        "themes", pl.lit(CORRECTION).alias("picked_for"), pl.lit("review").alias("labeller"),
        pl.format("review of run {} at {}", "run_id", "at").alias("note"))


def merge_label_file(path: Path, rows: pl.DataFrame) -> int:
    """Write `rows` into the label file `path` (kept rows of other passages, the new ones
    replacing rows of the same key); written aside and renamed. Returns the rows written."""
    old = []
    if path.is_file():
        old = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    merged = {row["key"]: row for row in old}
    merged.update({row["key"]: row for row in rows.to_dicts()})
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in merged.values()),
                   encoding="utf-8")
    os.replace(tmp, path)
    return len(merged)
