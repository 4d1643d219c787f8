"""How well the statement extractor attributes speakers: `python -m pipelines.statement_quality`.

Gold: data/statement_labels/attributions.jsonl (150 passages, 310 statements), labelled by an
annotator who wrote no extraction code, before any existed (its README gives the rules).

The split is fixed and was decided before any tuning. Each example belongs to a group: its
`source_path` (a document), or its `example_id` for a handwritten passage, so all passages of
one document fall on the same side. fold = int(sha1(group).hexdigest(), 16) % 5.
Folds 2, 3 and 4 are the DEVELOPMENT set: its examples and their errors may be read while
tuning (`--errors` prints them, for these folds only). Folds 0 and 1 are HELD OUT: nobody
tuning the extractor opens, prints or inspects their examples or their per-example errors;
only the aggregate figures below are computed on them, a few times at most, at the end.
This module never prints anything per held-out example.

Update: folds 0 and 1 are retired as a held-out set (a separately written file replaces them)
and all of attributions.jsonl is now development: `--folds all --errors` lists every example's
errors. The default report keeps the old split so earlier figures stay reproducible (its
"held out" line is no longer a clean held-out figure). `--labels PATH` scores any labels file
of the same format over all its examples and prints aggregates only; per-example errors only for
the development files (heldout_2, dev_4, dev_5), never a held-out set.

Scoring. Every labelled document is run through the real pipeline (ingest, passages, people
mentions, statements) and scored inside its labelled passages; a handwritten example is a
one-passage document dated `doc_date`. White House examples give offsets into the source file
(../shared/corpora/whitehouse-ai), mapped here into the document text.
- Speaker statements are statements with a non-null speaker.
- An extracted statement counts for a passage when it starts inside it (its span is cut at
  the passage end, as the annotator cut turns that run on).
- An extracted statement matches a gold statement when their character spans overlap (in
  document coordinates) and the speakers are equal.
- precision = matched extracted speaker statements / extracted speaker statements counted;
  recall = gold speaker statements matched / gold speaker statements.
Secondary lines: one-to-one precision and recall (each gold statement matched at most once,
greedily by overlap), kind agreement (matched gold statements whose best-overlapping match
has the same kind), and null-speaker handling (gold statements with speaker null, e.g. `Q`
turns and organisations: share found with speaker null, share given a person instead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.config import DATA_DIR

LABELS = DATA_DIR / "statement_labels" / "attributions.jsonl"
HELDOUT_2 = DATA_DIR / "statement_labels" / "heldout_2.jsonl"  # opened for tuning after it was scored
DEV_4 = DATA_DIR / "statement_labels" / "dev_4.jsonl"  # development labels, scored once unseen first
DEV_5 = DATA_DIR / "statement_labels" / "dev_5.jsonl"  # development labels, scored once unseen first
ERRORS_SHOWN = (LABELS, HELDOUT_2, DEV_4, DEV_5)  # the label files whose per-example errors may be listed


def errors_shown(path: Path) -> bool:
    """Whether per-example errors of a label file may be listed (never for a held-out set)."""
    path = Path(path).resolve()
    return path in {f.resolve() for f in ERRORS_SHOWN}
REPO_ROOT = DATA_DIR.parent
WHITEHOUSE = REPO_ROOT.parent / "shared" / "corpora" / "whitehouse-ai"
BUNDLED = DATA_DIR / "corpus"
DEV_FOLDS = (2, 3, 4)
HELD_OUT_FOLDS = (0, 1)
ALL_FOLDS = (0, 1, 2, 3, 4)


def group_of(example: dict) -> str:
    return example["source_path"] if example["source_path"] is not None else example["example_id"]


def fold_of(example: dict) -> int:
    return int(hashlib.sha1(group_of(example).encode()).hexdigest(), 16) % 5


def load_examples(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Document:
    doc_id: str
    text: str
    date: dt.date
    title: str
    examples: list[tuple[dict, int, int]] = field(default_factory=list)  # (example, passage start, end)


def _read_source(example: dict, whitehouse: Path) -> tuple[str, str, dt.date, str] | None:
    """(file text, document text, date, title) of a corpus example, read by the project's ingest."""
    from pipelines.ingest import ingest_paths

    root = whitehouse if example["origin"] == "whitehouse" else BUNDLED
    path = root / example["source_path"]
    if not path.is_file():
        return None
    docs = ingest_paths([path]).documents
    if docs.is_empty():
        return None
    row = docs.row(0, named=True)
    return path.read_text(encoding="utf-8"), row["text"], row["date"], row["title"] or ""


def _locate(example: dict, file_text: str, doc_text: str) -> tuple[int, int] | None:
    """The example's passage as (start, end) in the document text."""
    if example["origin"] == "whitehouse":
        passage = file_text[example["char_start"]:example["char_end"]]
    else:
        passage = example["text"]
    at = doc_text.find(passage)
    return (at, at + len(passage)) if at >= 0 else None


def documents_for(examples: list[dict], whitehouse: Path = WHITEHOUSE) -> tuple[list[Document], int]:
    """The documents the examples lie in, each with its examples' passage spans, and the number
    of examples that could not be placed (their source file missing)."""
    docs: dict[str, Document] = {}
    missing = 0
    cache: dict[str, tuple | None] = {}
    for ex in examples:
        if ex["origin"] == "handwritten":
            doc = Document(ex["example_id"], ex["text"], dt.date.fromisoformat(ex["doc_date"]), "")
            doc.examples.append((ex, 0, len(ex["text"])))
            docs[doc.doc_id] = doc
            continue
        key = group_of(ex)
        if key not in cache:
            cache[key] = _read_source(ex, whitehouse)
        source = cache[key]
        span = _locate(ex, source[0], source[1]) if source else None
        if span is None:
            missing += 1
            continue
        doc = docs.setdefault(key, Document(key, source[1], source[2], source[3]))
        doc.examples.append((ex, *span))
    return list(docs.values()), missing


def extract_for(docs: list[Document]) -> pl.DataFrame:
    """The statements of the documents, through the pipeline's own stages."""
    from pipelines.passages import split_passages
    from pipelines.people import extract_mentions, load_registry
    from pipelines.statements import extract_statements

    registry = load_registry()
    frame = pl.DataFrame({
        "doc_id": [d.doc_id for d in docs], "date": [d.date for d in docs],
        "month": [d.date.replace(day=1) for d in docs], "title": [d.title for d in docs],
        "source": [None] * len(docs), "text": [d.text for d in docs]}, schema_overrides={"source": pl.String})
    passages = split_passages(frame.lazy()).collect()
    mentions = extract_mentions(frame, passages.lazy(), registry)
    return extract_statements(frame, passages, mentions, registry)


@dataclass
class Tally:
    examples: int = 0
    extracted: int = 0
    extracted_matched: int = 0
    gold: int = 0
    gold_matched: int = 0
    one_to_one: int = 0
    kind_same: int = 0
    gold_null: int = 0
    null_found: int = 0
    null_given_person: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        p = self.extracted_matched / self.extracted if self.extracted else float("nan")
        r = self.gold_matched / self.gold if self.gold else float("nan")
        p1 = self.one_to_one / self.extracted if self.extracted else float("nan")
        r1 = self.one_to_one / self.gold if self.gold else float("nan")
        kind = self.kind_same / self.gold_matched if self.gold_matched else float("nan")
        nf = self.null_found / self.gold_null if self.gold_null else float("nan")
        ng = self.null_given_person / self.gold_null if self.gold_null else float("nan")
        return (f"{name}: {self.examples} passages | speaker precision {p:.3f} ({self.extracted_matched}/"
                f"{self.extracted}) | recall {r:.3f} ({self.gold_matched}/{self.gold})\n"
                f"    one-to-one precision {p1:.3f}, recall {r1:.3f} | kind agreement {kind:.3f} | "
                f"null-speaker gold ({self.gold_null}): found as null {nf:.3f}, given a person {ng:.3f}")

    @property
    def precision(self) -> float:
        return self.extracted_matched / self.extracted if self.extracted else float("nan")

    @property
    def recall(self) -> float:
        return self.gold_matched / self.gold if self.gold else float("nan")


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def score_example(tally: Tally, ex: dict, start: int, end: int, found: list[dict], keep_errors: bool) -> None:
    """Add one example to the tally (`found`: the document's extracted statements)."""
    mine = [dict(s, char_end=min(s["char_end"], end)) for s in found if start <= s["char_start"] < end]
    gold = [dict(g, char_start=start + g["words_start"], char_end=start + g["words_end"]) for g in ex["statements"]]
    span = lambda s: (s["char_start"], s["char_end"])  # noqa: E731
    tally.examples += 1
    speaking = [s for s in mine if s["speaker"] is not None]
    gold_speaking = [g for g in gold if g["speaker"] is not None]
    tally.extracted += len(speaking)
    tally.gold += len(gold_speaking)
    for s in speaking:
        if any(g["speaker"] == s["speaker"] and _overlap(span(s), span(g)) > 0 for g in gold_speaking):
            tally.extracted_matched += 1
        elif keep_errors:
            tally.errors.append(f"  FP {ex['example_id']}: {s['speaker']} [{s['speaker_text']}] {s['kind']} "
                                f"cue={s['cue']!r} @{s['char_start'] - start}")
    used: set[int] = set()
    for g in gold_speaking:
        hits = [s for s in speaking if s["speaker"] == g["speaker"] and _overlap(span(s), span(g)) > 0]
        if hits:
            tally.gold_matched += 1
            best = max(hits, key=lambda s: _overlap(span(s), span(g)))
            tally.kind_same += best["kind"] == g["kind"]
            free = [s for s in hits if id(s) not in used]
            if free:
                used.add(id(max(free, key=lambda s: _overlap(span(s), span(g)))))
                tally.one_to_one += 1
        elif keep_errors:
            tally.errors.append(f"  FN {ex['example_id']}: {g['speaker']} [{g['speaker_text']}] {g['kind']} "
                                f"cue={g['cue']!r} @{g['words_start']}")
    for g in (g for g in gold if g["speaker"] is None):
        tally.gold_null += 1
        near = [s for s in mine if _overlap(span(s), span(g)) > 0 and s["kind"] == g["kind"]]
        tally.null_found += any(s["speaker"] is None for s in near)
        tally.null_given_person += any(s["speaker"] is not None and _overlap(span(s), span(g)) >= 0.5 * (
            g["char_end"] - g["char_start"]) and s["char_start"] >= g["char_start"] - 40 for s in near)


def evaluate(folds: tuple[int, ...] | None, keep_errors: bool = False, whitehouse: Path = WHITEHOUSE,
             labels: Path = LABELS, errors_allowed: tuple[int, ...] = DEV_FOLDS,
             origin: str | None = None) -> tuple[Tally, int]:
    """The tally over the examples of `folds` (None: all) of `labels`, and how many could not be
    placed. Errors are kept only for attributions.jsonl and only for `errors_allowed` folds (the
    old development folds unless the caller retires the old held-out folds with `--folds all`)."""
    if keep_errors and not errors_shown(labels):
        raise ValueError("per-example errors are only shown for attributions.jsonl, heldout_2.jsonl, dev_4.jsonl "
                         "and dev_5.jsonl")
    if keep_errors and (folds is None or set(folds) - set(errors_allowed)):
        if not (folds is None and errors_allowed == ALL_FOLDS):
            raise ValueError("per-example errors are never shown for held-out folds")
    examples = [ex for ex in load_examples(Path(labels)) if (folds is None or fold_of(ex) in folds)
                and (origin is None or ex["origin"] == origin)]
    docs, missing = documents_for(examples, whitehouse)
    statements = extract_for(docs) if docs else pl.DataFrame()
    by_doc: dict[str, list[dict]] = {}
    for row in statements.iter_rows(named=True) if statements.height else []:
        by_doc.setdefault(row["doc_id"], []).append(row)
    tally = Tally()
    for doc in docs:
        for ex, start, end in doc.examples:
            score_example(tally, ex, start, end, by_doc.get(doc.doc_id, []), keep_errors)
    return tally, missing


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Speaker precision and recall of the statement extractor")
    parser.add_argument("--errors", action="store_true", help="list the development set's errors (never held-out)")
    parser.add_argument("--dev-only", action="store_true", help="skip the held-out figures")
    parser.add_argument("--folds", choices=["split", "all"], default="split",
                        help="split: the old dev / held-out report (default); all: every example of "
                             "attributions.jsonl as development (folds 0 and 1 are retired)")
    parser.add_argument("--labels", type=Path, default=None,
                        help="score another labels file of the same format: all examples, aggregates only "
                             "(--errors lists per-example errors for heldout_2, dev_4 and dev_5 only)")
    args = parser.parse_args(argv)
    if args.labels is not None and Path(args.labels).resolve() != LABELS.resolve():
        shown = errors_shown(args.labels)
        if args.errors and not shown:
            parser.error("--errors is only allowed for attributions.jsonl, heldout_2.jsonl, dev_4.jsonl and "
                         "dev_5.jsonl")
        tally, missing = evaluate(None, keep_errors=args.errors, labels=args.labels, errors_allowed=ALL_FOLDS)
        print(tally.line(f"{args.labels} (all examples)"))
        if args.errors:
            print("\n".join(tally.errors))
        for origin in ("whitehouse", "brief", "handwritten"):  # the White House text on its own, and the rest
            print(evaluate(None, labels=args.labels, origin=origin)[0].line(f"  of which {origin}"))
        if missing:
            print(f"{missing} examples skipped: their source file is missing")
        return
    if args.folds == "all":
        tally, missing = evaluate(None, keep_errors=args.errors, errors_allowed=ALL_FOLDS)
        print(tally.line("development (all folds of attributions.jsonl)"))
        if args.errors:
            print("\n".join(tally.errors))
        if missing:
            print(f"{missing} examples skipped: their source file is missing ({WHITEHOUSE} absent?)")
        return
    dev, missing = evaluate(DEV_FOLDS, keep_errors=args.errors)
    print(dev.line(f"development (folds {', '.join(map(str, DEV_FOLDS))})"))
    if args.errors:
        print("\n".join(dev.errors))
    if not args.dev_only:
        held, missing_held = evaluate(HELD_OUT_FOLDS)
        print(held.line(f"held out (folds {', '.join(map(str, HELD_OUT_FOLDS))})"))
        missing += missing_held
    if missing:
        print(f"{missing} examples skipped: their source file is missing ({WHITEHOUSE} absent?)")


if __name__ == "__main__":
    main()
