"""Labelled theme examples: the rows of data/theme_labels/*.jsonl (and a run's review
corrections) resolved to passages exactly as the pipeline splits them.

A label names its passage by corpus, file and character offsets, with a hash of the text
(data/theme_labels/README.md). Rows of a corpus that is not on this machine are skipped
and counted; a row whose text no longer matches its hash is skipped and counted too, so a
changed corpus never trains on the wrong paragraph.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.config import DATA_DIR, REPO_ROOT, IngestConfig
from pipelines.ingest import ingest_paths
from pipelines.passages import PassageConfig, split_passages

LABEL_DIR = DATA_DIR / "theme_labels"
DEFAULT_CORPORA = {
    "bundled": DATA_DIR / "corpus",
    "whitehouse": REPO_ROOT.parent / "shared" / "corpora" / "whitehouse-ai",
}
CORRECTION = "correction"  # picked_for of rows exported from review corrections
LABEL_SCHEMA = {"key": pl.String, "source": pl.String, "origin": pl.String,
                "char_start": pl.Int64, "char_end": pl.Int64, "sha1": pl.String,
                "themes": pl.List(pl.String), "picked_for": pl.String, "labeller": pl.String}


class LabelError(ValueError):
    """A label file is malformed; the message names the file and line."""


@dataclass
class LabelledPassages:
    """Labelled passages with the whole documents they come from (for document context)."""

    passages: pl.DataFrame  # passage_id, doc_id, text, source, origin, key, themes, picked_for
    documents: pl.DataFrame  # every passage of the labelled documents: passage_id, doc_id, text
    titles: pl.DataFrame  # doc_id, title
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read_label_files(paths: list[Path]) -> pl.DataFrame:
    """Every label row of `paths` (LABEL_SCHEMA); a passage labelled twice is one row with
    the union of its themes, except that a review correction (picked_for "correction")
    replaces every other label of its passage, the last correction winning. Raises
    LabelError naming the file and line of a bad row."""
    rows = []
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append({k: row[k] if k in row else row.get(k, "") for k in LABEL_SCHEMA})
            except (ValueError, KeyError, TypeError) as exc:
                raise LabelError(f"{path}:{number}: not a label row ({exc})") from None
    if not rows:
        return pl.DataFrame(schema=LABEL_SCHEMA)
    frame = pl.DataFrame(rows, schema=LABEL_SCHEMA).with_row_index("_line")
    corrected = frame.filter(pl.col("picked_for") == CORRECTION)  # replaces, never unites
    frame = pl.concat([frame.join(corrected.select("key"), on="key", how="anti"),
                       corrected.group_by("key").last()], how="diagonal").sort("_line").drop("_line")
    return (frame.group_by("key", maintain_order=True).agg(
        pl.col("source", "origin", "char_start", "char_end", "sha1", "picked_for",
               "labeller").first(),
        pl.col("themes").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
        .alias("themes"),
        pl.len().alias("_times"))
        .with_columns(pl.col("themes").list.drop_nulls())
        .select(*LABEL_SCHEMA, "_times"))


def label_files(label_dir: Path = LABEL_DIR) -> list[Path]:
    return sorted(Path(label_dir).glob("*.jsonl"))


def _documents(source: str, root: Path, origins: list[str]) -> pl.DataFrame:
    """The labelled documents of one corpus: the corpus folder ingested once (origins are
    relative to it, as the labels name them), kept to the labelled files."""
    docs = ingest_paths([root], IngestConfig()).documents
    docs = docs.filter(pl.col("origin").is_in(origins))
    return docs.with_columns((pl.lit(f"{source}:") + pl.col("origin") + pl.lit("#")
                              + pl.col("doc_id")).alias("doc_id"))


def resolve_labels(labels: pl.DataFrame, corpora: dict[str, Path] | None = None,
                   passage_config: PassageConfig | None = None) -> LabelledPassages:
    """The labelled passages, split as the pipeline splits their documents."""
    corpora = DEFAULT_CORPORA if corpora is None else corpora
    skipped: dict[str, int] = {}
    parts, docs_parts, title_parts = [], [], []
    for (source,), rows in labels.group_by("source", maintain_order=True):
        root = corpora.get(source)
        if root is None or not Path(root).is_dir():
            skipped[f"corpus {source} not found"] = rows.height
            continue
        docs = _documents(source, Path(root), rows["origin"].unique().sort().to_list())
        if docs.is_empty():
            skipped[f"files of {source} not found"] = rows.height
            continue
        passages = split_passages(docs.lazy(), passage_config or PassageConfig()).collect() \
            .join(docs.select("doc_id", "origin"), on="doc_id")
        joined = rows.join(passages.select("passage_id", "doc_id", "origin", "text", "char_start",
                                           "char_end"),
                           on=["origin", "char_start", "char_end"], how="left")
        found = joined.filter(pl.col("text").is_not_null() & (pl.col("text").map_elements(
            text_sha1, return_dtype=pl.String) == pl.col("sha1")))
        if joined.height - found.height:
            skipped[f"{source}: passage changed or not found"] = joined.height - found.height
        parts.append(found)
        docs_parts.append(passages.select("passage_id", "doc_id", "text"))
        title_parts.append(docs.select("doc_id", "title"))
    columns = ["passage_id", "doc_id", "text", "source", "origin", "key", "themes", "picked_for"]
    if not parts:
        empty = pl.DataFrame(schema={"passage_id": pl.String, "doc_id": pl.String,
                                     "text": pl.String})
        return LabelledPassages(pl.DataFrame(schema={c: LABEL_SCHEMA.get(c, pl.String)
                                                     for c in columns}), empty,
                                pl.DataFrame(schema={"doc_id": pl.String, "title": pl.String}),
                                skipped)
    return LabelledPassages(pl.concat(parts).select(columns), pl.concat(docs_parts),
                            pl.concat(title_parts), skipped)
