"""Scale-up generator of a SYNTHETIC *corpus* (input files for `discourse build`), not a run.

`benchmarks/synth.py` resamples the passages of a published run into a run folder, which
skips ingest, embedding and the topic fit. This module writes the input of a real build
instead: whole documents of the bundled corpus (data/corpus, read by the project's own
ingest) resampled with replacement until about N passages, each copy with a new id
(`syncorp-0000042`), a date drawn uniformly from 2023-01-01..2025-12-31 and one of the ~20
synthetic outlets of `benchmarks/synth.py` (same Zipf-like shares).

Ingest keeps a text only once, so each copy opens with its own dateline
("BRUSSELS, March 3, 2024 (Synthetic Wire) — ..."): city, date and outlet are redrawn until
no two copies of one source document share all three, so every copy is a distinct document
and the build rejects none. Every paragraph also ends with the copy's reference
("... the technology poses. [0042137]"), so that passages are distinct as in a real corpus
(the build embeds each distinct text once: without the references ~70 % of the passages
would be repeats served from that dedupe; `distinct_passages=False` leaves them out).
Passage counts per source document are measured with the
project's own splitter on the datelined text, so the corpus holds N passages within a few
tenths of a percent.

Layout of OUT (default benchmarks/cache/synthetic-corpus-<size>/):
  corpus/part-00000.parquet ...  the corpus: columns id, date, title, source, author, url, text,
                                 synthetic_copy_of (kept as metadata by ingest)
  SYNTHETIC.json                 marker: what this is, the spec, counts, input fingerprint
It is written once and reused while the generator version, size, seed, shard size and the
bundled corpus files are unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.common import BUNDLED_CORPUS, CACHE, log
from benchmarks.synth import (
    FIRST_DAY,
    LAST_DAY,
    N_OUTLETS,
    OUTLETS,
    _outlet_weights,
    parse_size,
    size_label,
)

GENERATOR_VERSION = 1
MARKER = "SYNTHETIC.json"
CORPUS_FOLDER = "corpus"
ID_PREFIX = "syncorp-"
# Datelines: upper-case city names (no registry person is matched by them).
CITIES = ["WASHINGTON", "BRUSSELS", "LONDON", "SAN FRANCISCO", "BEIJING", "NEW YORK", "PARIS", "TOKYO",
          "BERLIN", "SEOUL", "OTTAWA", "GENEVA"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
NOTE = ("SYNTHETIC benchmark corpus: whole documents of the bundled (illustrative) corpus resampled with new "
        "ids, dates, outlets and datelines. Not a real corpus.")


@dataclass(frozen=True)
class CorpusSpec:
    """What to generate; every field is part of the cache key."""

    passages: int
    seed: int = 0
    shard_documents: int = 10_000  # documents per Parquet file
    # End every paragraph with the copy's reference ("[0042137]") so that passages are distinct
    # as in a real corpus: the build embeds each distinct text once, and without it copies share
    # all but their first (datelined) passage, so only ~30 % of the passages would be embedded.
    distinct_passages: bool = True
    source: Path = BUNDLED_CORPUS

    def default_out(self) -> Path:
        return CACHE / f"synthetic-corpus-{size_label(self.passages)}"


@dataclass
class SyntheticCorpus:
    out: Path  # holds SYNTHETIC.json and corpus/
    corpus: Path  # the folder to pass to `discourse build --corpus`
    documents: int
    passages: int  # as the project's splitter counts them
    seconds: float | None  # generation time; None when the cached corpus was reused
    files: list[str] = field(default_factory=list)


def source_fingerprint(source: Path) -> str:
    """sha256 over the source corpus's file names and contents."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        digest.update(path.relative_to(source).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _key(spec: CorpusSpec) -> dict:
    return {"generator_version": GENERATOR_VERSION, "passages": spec.passages, "seed": spec.seed,
            "shard_documents": spec.shard_documents, "distinct_passages": spec.distinct_passages,
            "source": source_fingerprint(spec.source)}


def cached_corpus(spec: CorpusSpec, out: Path) -> SyntheticCorpus | None:
    """The corpus already in `out` when its marker matches the spec and every file is there."""
    try:
        marker = json.loads((out / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if marker.get("key") != _key(spec):
        return None
    corpus = out / CORPUS_FOLDER
    if not all((corpus / name).is_file() for name in marker["files"]):
        return None
    return SyntheticCorpus(out, corpus, marker["documents"], marker["passages"], None, marker["files"])


def _dateline(city: pl.Expr, date: pl.Expr, outlet: pl.Expr) -> pl.Expr:
    month = date.dt.month().cast(pl.Int64).replace_strict(dict(enumerate(MONTHS, start=1)), return_dtype=pl.String)
    return pl.format("{}, {} {}, {} ({}) — ", city, month, date.dt.day(), date.dt.year(), outlet)


REF_PLACEHOLDER = " [0000000]"  # as wide as every copy's reference


def _with_references(text: pl.Expr) -> pl.Expr:
    """REF_PLACEHOLDER at the end of every paragraph (replaced per copy later)."""
    return (text.str.strip_chars_end().str.replace_all(r"(\S)([ \t\r]*\n\s*\n)", "${1}" + REF_PLACEHOLDER + "${2}")
            + REF_PLACEHOLDER)


def _source_documents(source: Path, distinct_passages: bool) -> pl.DataFrame:
    """The bundled documents as ingest accepts them, with their passage count once datelined."""
    from pipelines.ingest import ingest_paths
    from pipelines.passages import split_passages

    documents = ingest_paths([source]).documents
    if distinct_passages:
        documents = documents.with_columns(text=_with_references(pl.col("text")))
    longest = _dateline(pl.lit(max(CITIES, key=len)), pl.lit(dt.date(2023, 9, 30)),
                        pl.lit(max(OUTLETS, key=len)))
    datelined = documents.with_columns(text=longest + pl.col("text"))
    counts = split_passages(datelined.lazy()).collect().group_by("doc_id").len("n_passages")
    return (documents.join(counts, on="doc_id", how="inner").sort("doc_id")
            .select("doc_id", "title", "author", "url", "text", "n_passages"))


def _plan(source: pl.DataFrame, spec: CorpusSpec) -> pl.DataFrame:
    """Which source document each copy is, and its date, outlet and city (unique per source)."""
    rng = np.random.default_rng(spec.seed)
    counts = source["n_passages"].to_numpy()
    picks = rng.integers(0, len(counts), int(spec.passages / counts.mean() * 1.2) + 16)
    while counts[picks].sum() < spec.passages:  # pragma: no cover - 20 % slack is plenty
        picks = np.concatenate([picks, rng.integers(0, len(counts), len(picks))])
    n_docs = int(np.searchsorted(np.cumsum(counts[picks]), spec.passages) + 1)
    picks = picks[:n_docs]
    span = (LAST_DAY - FIRST_DAY).days + 1
    day = rng.integers(0, span, n_docs)
    outlet = rng.choice(N_OUTLETS, n_docs, p=_outlet_weights())
    city = rng.integers(0, len(CITIES), n_docs)
    for _ in range(100):  # redraw the day of every copy that repeats an earlier copy's dateline
        frame = pl.DataFrame({"p": picks, "d": day, "o": outlet, "c": city})
        again = ~frame.select(pl.struct(pl.all()).is_first_distinct()).to_series().to_numpy()
        if not again.any():
            break
        day[again] = rng.integers(0, span, int(again.sum()))
    else:  # pragma: no cover - 12 x 20 x 1096 datelines per source document
        raise RuntimeError("could not give every copy a distinct dateline")
    return pl.DataFrame({
        "copy": np.arange(n_docs, dtype=np.int64), "src": picks.astype(np.int64),
        "date": pl.Series(day, dtype=pl.Int32), "outlet": outlet.astype(np.int64), "city": city.astype(np.int64),
    }).with_columns(
        id=pl.lit(ID_PREFIX) + pl.col("copy").cast(pl.String).str.zfill(7),
        date=pl.lit(FIRST_DAY) + pl.duration(days=pl.col("date")),
        source=pl.col("outlet").replace_strict(dict(enumerate(OUTLETS)), return_dtype=pl.String),
        city=pl.col("city").replace_strict(dict(enumerate(CITIES)), return_dtype=pl.String),
    ).drop("outlet")


def generate_corpus(spec: CorpusSpec, out: Path | None = None, force: bool = False) -> SyntheticCorpus:
    """Write (once) a synthetic corpus of about `spec.passages` passages into `out`; reuse it later."""
    out = Path(out or spec.default_out())
    if not force and (existing := cached_corpus(spec, out)):
        log(f"SYNTHETIC corpus reused: {existing.documents:,} documents, {existing.passages:,} passages "
            f"in {existing.corpus}")
        return existing
    began = time.perf_counter()
    label = size_label(spec.passages)
    log(f"generating a SYNTHETIC corpus of ~{spec.passages:,} passages ({label}) from {spec.source} ...")
    source = _source_documents(spec.source, spec.distinct_passages)
    copies = _plan(source, spec).join(source.with_row_index("src").with_columns(pl.col("src").cast(pl.Int64)),
                                      on="src", how="inner", maintain_order="left")
    n_passages = int(copies["n_passages"].sum())
    documents = (
        copies.select(
            "id", pl.col("date").cast(pl.String), "title", "source", "author", "url",
            text=_dateline(pl.col("city"), pl.col("date"), pl.col("source"))
            + pl.col("text").str.replace_all(REF_PLACEHOLDER, pl.format(" [{}]", pl.col("copy").cast(pl.String)
                                                                        .str.zfill(7)), literal=True),
            synthetic_copy_of=pl.col("doc_id"),
        )
    )

    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / CORPUS_FOLDER).mkdir(parents=True)
    files = []
    for number, start in enumerate(range(0, documents.height, spec.shard_documents)):
        name = f"part-{number:05d}.parquet"
        documents.slice(start, spec.shard_documents).write_parquet(tmp / CORPUS_FOLDER / name, compression="zstd")
        files.append(name)
    marker = {
        "synthetic": True, "note": NOTE, "generator": "benchmarks/synth_corpus.py", "key": _key(spec),
        "spec": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(spec).items()},
        "dates": f"{FIRST_DAY}..{LAST_DAY} uniform", "outlets": N_OUTLETS, "cities": len(CITIES),
        "documents": documents.height, "passages": n_passages, "source_documents": source.height,
        "files": files, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (tmp / MARKER).write_text(json.dumps(marker, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    seconds = time.perf_counter() - began
    log(f"SYNTHETIC corpus written in {seconds:.1f} s: {documents.height:,} documents, {n_passages:,} passages "
        f"in {len(files)} files under {out / CORPUS_FOLDER}")
    return SyntheticCorpus(out, out / CORPUS_FOLDER, documents.height, n_passages, seconds, files)


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.synth_corpus SIZE [OUT]`: one synthetic corpus (e.g. 100k, 1m)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("size", help="passages, e.g. 100k, 1m, 2000")
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shard-documents", type=int, default=CorpusSpec.shard_documents)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    spec = CorpusSpec(parse_size(args.size), args.seed, args.shard_documents)
    result = generate_corpus(spec, args.out, args.force)
    print(f"SYNTHETIC corpus ({result.passages:,} passages, {result.documents:,} documents, not a real corpus): "
          f"{result.corpus}")


if __name__ == "__main__":
    main()
