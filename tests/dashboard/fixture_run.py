"""A small hand-made run folder for the dashboard tests.

Every number in the aggregate tables below (trends, month_totals, months, people,
topic sizes) is written out by hand from the passage list, NOT computed by code, so the
data-access layer is checked against independently worked-out values.

Passages (N = "Newswire", P = "Policy blog"; topics: 0 pause_letter, 1 compute_race,
2 discovered "Copyright lawsuits", -1 outliers; EM Elon Musk, GM Gary Marcus,
MV Margrethe Vestager):

  #   passage  month    src topic people
  1   d1:0     2024-01  N    0    EM (named twice: "Elon Musk", "Musk's")
  2   d1:1     2024-01  N    0    EM, GM
  3   d1:2     2024-01  N   -1
  4   d2:0     2024-01  P    1
  5   d2:1     2024-01  P    2
  6   d3:0     2024-02  N    2    MV
  7   d3:1     2024-02  N    1
  8   d3:2     2024-02  N    0    MV
  9   d4:0     2024-02  P    1    EM
  10  d4:1     2024-02  P    1
  11  d5:0     2024-03  N    0    GM
  12  d5:1     2024-03  N   -1
  13  d5:2     2024-03  N    2
  14  d6:0     2024-03  P    1    EM
  15  d6:1     2024-03  P    0
  16  d7:0     2024-03  N    2    MV
  17  d7:1     2024-03  N    1
  18  d8:0     2024-04  P    0    EM
  19  d8:1     2024-04  P    1
  20  d8:2     2024-04  P    1    GM

January (from the 20th) and April (up to the 10th) are partial months.

Statements (who said what; `STATEMENTS`, reported speech): d1:1 by GM and EM (the same
words), d3:0 MV, d4:0 EM, d5:0 GM, d7:0 MV (over the <script> text), d8:2 GM, and d6:1 by
"Supporters of the pause letter" (no registered person). So `speakers` (Said by): EM in 2
passages (d1:1, d4:0), GM in 3 (d1:1, d5:0, d8:2), MV in 2 (d3:0, d7:0). d1:0 (Musk
signing the letter) is a mention only. `write_fixture_run(..., statements=False)` writes
a run as built before statements existed (no table, null `speakers`).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.artifacts import TABLES, Manifest, write_manifest, write_table
from pipelines.search_index import word_postings

NEWS = "Newswire"
BLOG = "Policy blog"
EM, GM, MV = "Elon Musk", "Gary Marcus", "Margrethe Vestager"
RUN_ID = "20240501T000000Z-fixture"

# doc_id, date, title, source, author
DOCUMENTS = [
    ("d1", date(2024, 1, 20), "Tech leaders call for a pause", NEWS, "A. Reporter"),
    ("d2", date(2024, 1, 28), "Chips, compute and copyright", BLOG, None),
    ("d3", date(2024, 2, 5), "Brussels weighs the AI Act", NEWS, "B. Writer; C. Writer"),
    ("d4", date(2024, 2, 19), "Musk goes shopping for GPUs", BLOG, None),
    ("d5", date(2024, 3, 3), "A year of the pause letter", NEWS, None),
    ("d6", date(2024, 3, 15), "Arms race rhetoric", BLOG, "D. Blogger"),
    ("d7", date(2024, 3, 28), "Licensing <b>deals</b> & copyright", NEWS, None),
    ("d8", date(2024, 4, 10), "Pause, again", BLOG, None),
]

# doc_id, topic_id, probability, text, [(person, surface), ...] in reading order
PASSAGES = [
    ("d1", 0, 0.9, "Elon Musk joined hundreds of researchers in signing an open letter that "
     "calls for a pause on giant AI experiments. Musk's name led the list.",
     [(EM, "Elon Musk"), (EM, "Musk's")]),
    ("d1", 0, 0.8, "Gary Marcus and Elon Musk both argued that laboratories should halt "
     "training runs for six months.", [(GM, "Gary Marcus"), (EM, "Elon Musk")]),
    ("d1", -1, 0.1, "The letter was published on a Wednesday afternoon.", []),
    ("d2", 1, 0.7, "Export controls on advanced chips are reshaping the compute race between "
     "the United States and China.", []),
    ("d2", 2, 0.6, "Illustrators filed a copyright lawsuit over image generators trained on "
     "their work.", []),
    ("d3", 2, 0.7, "Margrethe Vestager said copyright rules must apply to training data used "
     "by large models.", [(MV, "Margrethe Vestager")]),
    ("d3", 1, 0.6, "Data centre investment keeps climbing as firms race to secure compute.", []),
    ("d3", 0, 0.5, "Margrethe Vestager was asked whether a pause on frontier models would help "
     "regulators catch up.", [(MV, "Margrethe Vestager")]),
    ("d4", 1, 0.9, "Elon Musk said his company would buy tens of thousands of GPUs this year.",
     [(EM, "Elon Musk")]),
    ("d4", 1, 0.8, "Rivals announced new compute clusters the same week.", []),
    ("d5", 0, 0.9, "Gary Marcus said the pause letter had changed the conversation in "
     "Washington.", [(GM, "Gary Marcus")]),
    ("d5", -1, 0.2, "Other business news followed in the afternoon.", []),
    ("d5", 2, 0.8, "A court heard arguments in the illustrators' copyright case.", []),
    ("d6", 1, 0.9, "Elon Musk described the compute race as an arms race that nobody can "
     "afford to lose.", [(EM, "Elon Musk")]),
    ("d6", 0, 0.7, "Supporters of the pause letter testified at a Senate hearing.", []),
    ("d7", 2, 0.8, "Margrethe Vestager warned that licensing deals will not settle the "
     "<script>alert('x')</script> copyright question.", [(MV, "Margrethe Vestager")]),
    ("d7", 1, 0.6, "Cloud providers rationed compute for smaller labs.", []),
    ("d8", 0, 0.9, "Elon Musk repeated his call for a pause before new models are released.",
     [(EM, "Elon Musk")]),
    ("d8", 1, 0.7, "Governments are funding national compute reserves.", []),
    ("d8", 1, 0.8, "Gary Marcus argued that the chip race favours the largest firms.",
     [(GM, "Gary Marcus")]),
]

# passage_id, speaker, speaker_text, kind, cue, the attributed words (found in the passage)
STATEMENTS = [
    ("d1:1", GM, "Gary Marcus", "reported", "argued",
     "laboratories should halt training runs for six months"),
    ("d1:1", EM, "Elon Musk", "reported", "argued",
     "laboratories should halt training runs for six months"),
    ("d3:0", MV, "Margrethe Vestager", "reported", "said",
     "copyright rules must apply to training data used by large models"),
    ("d4:0", EM, "Elon Musk", "reported", "said",
     "his company would buy tens of thousands of GPUs this year"),
    ("d5:0", GM, "Gary Marcus", "reported", "said",
     "the pause letter had changed the conversation in Washington"),
    ("d6:1", None, "Supporters of the pause letter", "reported", "testified",
     "at a Senate hearing"),
    ("d7:0", MV, "Margrethe Vestager", "reported", "warned",
     "licensing deals will not settle the <script>alert('x')</script> copyright question"),
    ("d8:2", GM, "Gary Marcus", "reported", "argued", "the chip race favours the largest firms"),
]

TOPICS = [
    # topic_id, label, theme, keywords, size, representative passages
    (-1, "Outliers", None, ["letter", "afternoon", "news"], 2, ["d1:2", "d5:1"]),
    (0, "Pause letter", "pause_letter", ["pause", "letter", "experiments", "halt", "moratorium"],
     6, ["d1:0", "d5:0", "d6:1"]),
    (1, "Compute race", "compute_race", ["compute", "chips", "gpus", "race", "clusters"],
     8, ["d2:0", "d6:0"]),
    (2, "Copyright lawsuits", None, ["copyright", "illustrators", "lawsuit", "licensing"],
     4, ["d2:1", "d7:0"]),
]

M1, M2, M3, M4 = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)

# month, topic_id, person, source, passages, documents  (worked out by hand)
TRENDS = [
    # all people (person = null)
    (M1, 0, None, NEWS, 2, 1), (M1, -1, None, NEWS, 1, 1),
    (M1, 1, None, BLOG, 1, 1), (M1, 2, None, BLOG, 1, 1),
    (M2, 2, None, NEWS, 1, 1), (M2, 1, None, NEWS, 1, 1), (M2, 0, None, NEWS, 1, 1),
    (M2, 1, None, BLOG, 2, 1),
    (M3, 0, None, NEWS, 1, 1), (M3, -1, None, NEWS, 1, 1), (M3, 2, None, NEWS, 2, 2),
    (M3, 1, None, NEWS, 1, 1), (M3, 1, None, BLOG, 1, 1), (M3, 0, None, BLOG, 1, 1),
    (M4, 0, None, BLOG, 1, 1), (M4, 1, None, BLOG, 2, 1),
    # per person
    (M1, 0, EM, NEWS, 2, 1), (M2, 1, EM, BLOG, 1, 1), (M3, 1, EM, BLOG, 1, 1),
    (M4, 0, EM, BLOG, 1, 1),
    (M1, 0, GM, NEWS, 1, 1), (M3, 0, GM, NEWS, 1, 1), (M4, 1, GM, BLOG, 1, 1),
    (M2, 2, MV, NEWS, 1, 1), (M2, 0, MV, NEWS, 1, 1), (M3, 2, MV, NEWS, 1, 1),
]

# month, person, source, passages, documents  (worked out by hand)
MONTH_TOTALS = [
    (M1, None, NEWS, 3, 1), (M1, None, BLOG, 2, 1),
    (M2, None, NEWS, 3, 1), (M2, None, BLOG, 2, 1),
    (M3, None, NEWS, 5, 2), (M3, None, BLOG, 2, 1),
    (M4, None, BLOG, 3, 1),
    (M1, EM, NEWS, 2, 1), (M2, EM, BLOG, 1, 1), (M3, EM, BLOG, 1, 1), (M4, EM, BLOG, 1, 1),
    (M1, GM, NEWS, 1, 1), (M3, GM, NEWS, 1, 1), (M4, GM, BLOG, 1, 1),
    (M2, MV, NEWS, 2, 1), (M3, MV, NEWS, 1, 1),
]

# month, documents, passages, first_date, last_date, partial
MONTHS = [
    (M1, 2, 5, date(2024, 1, 20), date(2024, 1, 28), True),
    (M2, 2, 5, date(2024, 2, 5), date(2024, 2, 19), False),
    (M3, 3, 7, date(2024, 3, 3), date(2024, 3, 28), False),
    (M4, 1, 3, date(2024, 4, 10), date(2024, 4, 10), True),
]

# person, role, affiliation, mentions, passages, documents
PEOPLE = [
    (EM, "Entrepreneur", "xAI", 6, 5, 4),
    (GM, "Scientist", "NYU (emeritus)", 3, 3, 3),
    (MV, "Politician", "European Commission", 3, 3, 2),
]

EVENTS_CSV = """date,label,description,theme
2024-02-13,Example hearing,"A hearing on <compute> & chips",compute_race
2024-03-22,Letter anniversary,One year since the open letter,pause_letter
2023-01-01,Out of range,Before the corpus,
"""


def _month(d: date) -> date:
    return d.replace(day=1)


def _table(name: str, rows: list, orient: str | None = None) -> pl.DataFrame:
    """Hand-written rows (dicts, or tuples in column order) as a table of the artifact contract."""
    return pl.DataFrame(rows, schema=TABLES[name].schema, orient=orient)


def statement_rows(passages: list[dict]) -> list[dict]:
    """The STATEMENTS as rows of the contract, offsets into the document text."""
    by_id = {p["passage_id"]: p for p in passages}
    rows, counts = [], {}
    for pid, speaker, speaker_text, kind, cue, words in STATEMENTS:
        passage = by_id[pid]
        at = passage["char_start"] + passage["text"].index(words)
        n = counts[pid] = counts.get(pid, -1) + 1
        rows.append({"statement_id": f"{pid}:s{n}", "passage_id": pid, "doc_id": passage["doc_id"],
                     "speaker": speaker, "speaker_text": speaker_text, "kind": kind,
                     "char_start": at, "char_end": at + len(words), "cue": cue})
    return rows


def write_fixture_run(out_dir: Path, *, illustrative: bool = True,
                      statements: bool = True) -> Path:
    """Write `out_dir/runs/<RUN_ID>/` and point `out_dir/current` at it; return the run dir.
    `statements=False`: a run built before statements existed (no table, no speakers)."""
    run_dir = Path(out_dir) / "runs" / RUN_ID
    run_dir.mkdir(parents=True, exist_ok=True)
    docs_meta = {d[0]: d for d in DOCUMENTS}

    # documents: passages joined by a blank line; offsets follow from that layout
    doc_text: dict[str, str] = {}
    passage_rows = []
    mention_rows = []
    ordinals: dict[str, int] = {}
    for doc_id, topic_id, prob, text, mentions in PASSAGES:
        prefix = doc_text.get(doc_id)
        start = 0 if prefix is None else len(prefix) + 2
        doc_text[doc_id] = text if prefix is None else prefix + "\n\n" + text
        ordinal = ordinals.get(doc_id, 0)
        ordinals[doc_id] = ordinal + 1
        pid = f"{doc_id}:{ordinal}"
        _, ddate, _, source, _ = docs_meta[doc_id]
        theme = {0: "pause_letter", 1: "compute_race"}.get(topic_id)
        search_from = 0
        for person, surface in mentions:
            at = text.index(surface, search_from)
            search_from = at + len(surface)
            mention_rows.append({
                "passage_id": pid, "doc_id": doc_id, "person": person, "surface": surface,
                "char_start": start + at, "char_end": start + at + len(surface),
            })
        passage_rows.append({
            "passage_id": pid, "doc_id": doc_id, "ordinal": ordinal,
            "char_start": start, "char_end": start + len(text), "text": text,
            "date": ddate, "month": _month(ddate), "source": source,
            "topic_id": topic_id, "topic_probability": prob, "theme": theme,
            "people": sorted({p for p, _ in mentions}),
        })

    documents = _table("documents", [{
        "doc_id": doc_id, "date": ddate, "month": _month(ddate), "title": title,
        "source": source, "author": author, "url": f"https://example.org/{doc_id}",
        "text": doc_text[doc_id], "origin": f"fixture/{doc_id}.md", "metadata": None,
    } for doc_id, ddate, title, source, author in DOCUMENTS])
    said = statement_rows(passage_rows)
    if statements:
        for row in passage_rows:
            row["speakers"] = sorted({s["speaker"] for s in said if s["speaker"]
                                      and s["passage_id"] == row["passage_id"]})
    passages = _table("passages", passage_rows)
    topics = _table("topics", [{
        "topic_id": tid, "label": label, "theme": theme, "keywords": kws,
        "keyword_weights": [round(0.5 / (i + 1), 4) for i in range(len(kws))],
        "size": size, "representative_passage_ids": reps,
    } for tid, label, theme, kws, size, reps in TOPICS])
    tables = {
        "documents": documents, "passages": passages, "mentions": _table("mentions", mention_rows),
        "topics": topics, "trends": _table("trends", TRENDS, "row"),
        "month_totals": _table("month_totals", MONTH_TOTALS, "row"), "months": _table("months", MONTHS, "row"),
        "people": _table("people", PEOPLE, "row"), "search_index": word_postings(passages),
    }
    if statements:
        tables["statements"] = _table("statements", said)
    for name, frame in tables.items():
        write_table(run_dir, name, frame)

    corpus = "/somewhere/data/corpus" if illustrative else "/srv/press-archive"
    manifest = Manifest(
        run_id=RUN_ID,
        started_at="2024-05-01T00:00:00Z",
        finished_at="2024-05-01T00:01:00Z",
        kind="build",
        corpus=[corpus],
        illustrative=illustrative,
        config={"corpus": [corpus]},
        counts={"documents": len(DOCUMENTS), "passages": len(PASSAGES)},
    )
    write_manifest(run_dir, manifest)  # records every file's sha256, as a real build does
    (Path(out_dir) / "events.csv").write_text(EVENTS_CSV)

    current = Path(out_dir) / "current"
    if current.is_symlink() or current.exists():
        current.unlink()
    os.symlink(Path("runs") / RUN_ID, current)
    return run_dir


if __name__ == "__main__":  # python -m tests.dashboard.fixture_run OUT_DIR
    import sys

    print(write_fixture_run(Path(sys.argv[1] if len(sys.argv) > 1 else "runs/fixture")))
