"""A small run whose corpus tries to inject markup and script into the dashboard.

Every corpus-controlled string the dashboard shows carries a payload: document titles,
passage text (also next to a person mention, so highlights split it), a doc id (hence
passage ids and the document drawer's title), a discovered topic's label and keywords,
the representative passages, a person's name (people registry), a theme description and
the event timeline. The dashboard must show all of it literally and run none of it.

The aggregates are computed from the passage list with plain Polars here (unlike
fixture_run.py, whose numbers are worked out by hand): this run is about rendering.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.artifacts import TABLES, Manifest, write_manifest, write_table
from pipelines.search_index import word_postings

RUN_ID = "20250101T000000Z-hostile"

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
MD_LINK = "[click](javascript:window.__pwned=3)"
A_LINK = '<a href="javascript:window.__pwned=4">a link</a>'
BOLD_MD = "**bold**"
BOLD_TAG = "<b>bold tag</b>"
ENTITIES = "&lt;not a tag&gt; &amp; &#x3C;b&#x3E;"
IFRAME = '<iframe src="javascript:window.__pwned=5"></iframe>'
SVG = "<svg onload=window.__pwned=6>"
LONG_WORD = "Supercalifragilistic" * 60  # 1,200 characters, no break opportunity
FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"
PAYLOADS = [SCRIPT, IMG, MD_LINK, A_LINK, BOLD_MD, BOLD_TAG, ENTITIES, IFRAME, SVG]

ADA = "Ada Lovelace"
BOB = "Bob <b>Tables</b>"  # a registry name with markup in it
EVIL_DOC = "evil<svg onload=window.__pwned=7>"
EVIL_TOPIC_LABEL = f"{IMG} {BOLD_TAG} & {ENTITIES}"
THEME_DESCRIPTION = f"Theme description with {SCRIPT} and {A_LINK}."
EVENT_LABEL = f"Event {SCRIPT}"
EVENT_DESCRIPTION = f"{IMG} {MD_LINK}"

TITLE_1 = f"{SCRIPT} {BOLD_TAG} {ENTITIES}"
TITLE_2 = f"{FORMULA} {IFRAME}"

# doc_id, date, title, source, author, url
DOCUMENTS = [
    (EVIL_DOC, date(2024, 5, 6), TITLE_1, f"wire {SVG}", f"{BOLD_TAG} author",
     "javascript:window.__pwned=8"),
    ("calm", date(2024, 6, 12), TITLE_2, "wire <i>2</i>", None, "https://example.org/calm"),
]

# doc_id, topic_id, text, [(person, surface)]
PASSAGES = [
    (EVIL_DOC, 1, f"{ADA} said {SCRIPT} and {IMG} next to {MD_LINK} in one breath.",
     [(ADA, ADA)]),
    (EVIL_DOC, 1, f"{A_LINK} {BOLD_MD} {BOLD_TAG} {ENTITIES} {IFRAME} {SVG} {LONG_WORD}", []),
    (EVIL_DOC, 0, f"{BOB} argued for a pause {SCRIPT}.", [(BOB, BOB)]),
    ("calm", 0, f"A calm passage about the pause letter, quoting {ADA} and {BOB}.",
     [(ADA, ADA), (BOB, BOB)]),
    ("calm", 1, f"{FORMULA} was pasted into a spreadsheet {IMG}.", []),
]

# topic_id, label, theme, keywords, representative passage ordinals (doc, n)
TOPICS = [
    (0, "Pause letter", "pause_letter", ["pause", "letter"], [(EVIL_DOC, 2), ("calm", 0)]),
    (1, EVIL_TOPIC_LABEL, None, [SCRIPT, BOLD_MD, "&lt;", IMG], [(EVIL_DOC, 0), (EVIL_DOC, 1)]),
]

THEMES_TOML = f'''[[theme]]
key = "pause_letter"
label = "Pause letter"
description = """{THEME_DESCRIPTION}"""
'''

EVENTS_CSV = f'''date,label,description,theme
2024-05-20,"{EVENT_LABEL}","{EVENT_DESCRIPTION.replace('"', '""')}",pause_letter
'''


def write_hostile_run(out_dir: Path) -> Path:
    """Write `out_dir/runs/<RUN_ID>/` (+ themes.toml and events.csv in `out_dir`) and point
    `out_dir/current` at it; return the run folder."""
    out_dir = Path(out_dir)
    run_dir = out_dir / "runs" / RUN_ID
    run_dir.mkdir(parents=True, exist_ok=True)
    meta = {d[0]: d for d in DOCUMENTS}
    texts: dict[str, str] = {}
    passage_rows, mention_rows = [], []
    ordinals: dict[str, int] = {}
    for doc_id, topic_id, text, mentions in PASSAGES:
        prefix = texts.get(doc_id)
        start = 0 if prefix is None else len(prefix) + 2
        texts[doc_id] = text if prefix is None else prefix + "\n\n" + text
        ordinal = ordinals.get(doc_id, 0)
        ordinals[doc_id] = ordinal + 1
        pid = f"{doc_id}:{ordinal}"
        ddate, source = meta[doc_id][1], meta[doc_id][3]
        at = 0
        for person, surface in mentions:
            at = text.index(surface, at)
            mention_rows.append({"passage_id": pid, "doc_id": doc_id, "person": person,
                                 "surface": surface, "char_start": start + at,
                                 "char_end": start + at + len(surface)})
            at += len(surface)
        passage_rows.append({
            "passage_id": pid, "doc_id": doc_id, "ordinal": ordinal, "char_start": start,
            "char_end": start + len(text), "text": text, "date": ddate,
            "month": ddate.replace(day=1), "source": source, "topic_id": topic_id,
            "topic_probability": 0.9, "theme": "pause_letter" if topic_id == 0 else None,
            "people": sorted({p for p, _ in mentions}),
        })

    documents = pl.DataFrame([{
        "doc_id": d, "date": dt, "month": dt.replace(day=1), "title": title, "source": src,
        "author": author, "url": url, "text": texts[d], "origin": f"hostile/{i}.md",
        "metadata": None,
    } for i, (d, dt, title, src, author, url) in enumerate(DOCUMENTS)], schema=TABLES["documents"].schema)
    passages = pl.DataFrame(passage_rows, schema=TABLES["passages"].schema)
    mentions = pl.DataFrame(mention_rows, schema=TABLES["mentions"].schema)
    sizes = passages.group_by("topic_id").len()
    size_of = dict(zip(sizes["topic_id"].to_list(), sizes["len"].to_list()))
    topics = pl.DataFrame([{
        "topic_id": tid, "label": label, "theme": theme, "keywords": kws,
        "keyword_weights": [1.0 / (i + 1) for i in range(len(kws))],
        "size": size_of.get(tid, 0),
        "representative_passage_ids": [f"{d}:{n}" for d, n in reps],
    } for tid, label, theme, kws, reps in TOPICS], schema=TABLES["topics"].schema)

    # aggregates: person = null counts every passage once; one row per named person too
    keys = passages.select("month", "topic_id", "source", "doc_id", "people")
    by_person = pl.concat([
        keys.drop("people").with_columns(pl.lit(None, dtype=pl.String).alias("person")),
        keys.explode("people").drop_nulls("people").rename({"people": "person"}),
    ])
    trends = by_person.group_by("month", "topic_id", "person", "source").agg(
        pl.len().alias("passages"),
        pl.col("doc_id").n_unique().alias("documents"))
    month_totals = by_person.group_by("month", "person", "source").agg(
        pl.len().alias("passages"),
        pl.col("doc_id").n_unique().alias("documents"))
    months = passages.group_by("month").agg(
        pl.col("doc_id").n_unique().alias("documents"),
        pl.len().alias("passages"),
        pl.col("date").min().alias("first_date"), pl.col("date").max().alias("last_date"),
    ).with_columns(pl.lit(False).alias("partial")).sort("month")
    people = mentions.group_by("person").agg(
        pl.len().alias("mentions"),
        pl.col("passage_id").n_unique().alias("passages"),
        pl.col("doc_id").n_unique().alias("documents"),
    ).with_columns(pl.lit(f"Role {BOLD_TAG}").alias("role"),
                   pl.lit(None, dtype=pl.String).alias("affiliation"))

    for name, frame in [("documents", documents), ("passages", passages),
                        ("mentions", mentions), ("topics", topics), ("trends", trends),
                        ("month_totals", month_totals), ("months", months),
                        ("people", people), ("search_index", word_postings(passages))]:
        write_table(run_dir, name, frame)  # in the contract's column order and types
    write_manifest(run_dir, Manifest(
        run_id=RUN_ID, kind="build", corpus=[f"/corpora/{SCRIPT}"],
        illustrative=False, config={"corpus": [f"/corpora/{SCRIPT}"]},
        counts={"documents": len(DOCUMENTS), "passages": len(PASSAGES)},
    ))
    (out_dir / "themes.toml").write_text(THEMES_TOML, encoding="utf-8")
    (out_dir / "events.csv").write_text(EVENTS_CSV, encoding="utf-8")
    current = out_dir / "current"
    if current.is_symlink() or current.exists():
        current.unlink()
    os.symlink(Path("runs") / RUN_ID, current)
    return run_dir
