"""Statements stage: who said what (issue 15). documents + passages + mentions -> statements.

One row per attributed statement (docs/ARTIFACTS.md, table `statements`):
- `turn`: a transcript speaker turn (pipelines/speaker_turns.py), from its label to the
  next label, over any number of passages;
- `quote`: words in quotation marks with a reporting clause next to them
  (pipelines/quotes.py), a quotation running over a paragraph break included;
- `reported`: reported speech (pipelines/reported_speech.py).
Speakers are registry people (the mentions of pipelines/people.py give the names, already
resolved against the whole document), role labels and phrases resolved by the document's
date (data/roles.toml), or null with the words that name the speaker kept.

Work is per document, and cheap text tests come first: documents with no quotation mark,
reporting cue or turn label are skipped in Polars, and only paragraphs holding a quotation
mark or a cue are tokenised by spaCy (the blank English tokenizer, no model).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterator

import polars as pl

from pipelines.artifacts import empty
from pipelines.frames import attach_list_column
from pipelines.passages import paragraph_spans
from pipelines.people import Registry, build_automaton, find_name_forms
from pipelines.quotes import Segment, nested_quotes, paragraph_quotes
from pipelines.cue_lexicon import CUE_PHRASES
from pipelines.reported_speech import PARTICIPLES, URGE, VERBS, cue_matcher, paragraph_reported
from pipelines.roles import Roles, default_roles, fold_label
from pipelines.speaker_phrases import PRONOUNS, Mention, Paragraph
from pipelines.speaker_turns import LabelResolver, Turn, document_turns
from pipelines.speech_frames import paragraph_frames

STATEMENT_COLUMNS = ["statement_id", "passage_id", "doc_id", "speaker", "speaker_text", "kind", "char_start",
                     "char_end", "cue"]
_CUES = sorted(set(VERBS) | PARTICIPLES | set(URGE) | {"call", "calls", "called", "calling"}
               | {re.escape(p).replace(r"\ ", r"\s+") for p in CUE_PHRASES["BACK"] + CUE_PHRASES["NEED"]},
               key=len, reverse=True)  # every cue the matcher knows, so no paragraph holding one is skipped
CUE_PATTERN = r"[“”\"]|\b(?:" + "|".join(_CUES) + r")\b|\baccording to\b|\bin (?:his|her) (?:view|words)\b" \
    r"|\bputs?\s+it\b|\bmade\s+(?:it\s+)?(?:clear|plain|the\s+case|the\s+point|the\s+argument)\b" \
    r"|['’]s\s+(?:view|words|telling|estimation|account)\b|\bquoted\s+as\b|\bclear\s+that\b"  # speech_frames
TURN_PATTERN = r"(?m)^[ \t\xa0]*(?:Q(?:[ \t\xa0]{2}|\xa0|:)|[A-Z][A-Z.'’\- \xa0]{1,60}:)"
_CUE_RE = re.compile(CUE_PATTERN, re.I)
MAX_PARAGRAPH = 20_000  # longer paragraphs are read in windows of this size, cut after a sentence
BATCH = 2_000  # paragraphs tokenised together


@functools.lru_cache(maxsize=1)
def tokenizer():  # noqa: ANN201 - a spaCy Language
    """spaCy's blank English pipeline: its rule-based tokenizer and vocabulary, no model."""
    import spacy

    return spacy.blank("en")


def _windows(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of at most MAX_PARAGRAPH characters, cut after a sentence if possible."""
    while end - start > MAX_PARAGRAPH:
        cut = text.rfind(". ", start, start + MAX_PARAGRAPH)
        cut = cut + 1 if cut > start + MAX_PARAGRAPH // 2 else start + MAX_PARAGRAPH
        yield start, cut
        start = cut
    yield start, end


def _mentions_by_doc(mentions: pl.DataFrame) -> dict[str, list[Mention]]:
    found: dict[str, list[Mention]] = {}
    for doc_id, person, surface, start, end in mentions.select(
            "doc_id", "person", "surface", "char_start", "char_end").sort("doc_id", "char_start").iter_rows():
        found.setdefault(doc_id, []).append(Mention(start, end, person, surface.endswith(("'s", "’s"))))
    return found


def _turn_lookup(turns: list[Turn]):  # noqa: ANN202 - a callable offset -> (speaker, label) or None
    starts = [t.label_start for t in turns]

    def lookup(offset: int) -> tuple[str | None, str] | None:
        k = bisect.bisect_right(starts, offset) - 1
        if k >= 0 and offset < turns[k].end:
            return turns[k].speaker, turns[k].label
        return None

    return lookup


def _emit_segments(text: str, segments: list[Segment], reported: list[dict]) -> list[dict]:
    rows = []
    for segment in segments:
        start, end = segment.words(text)
        if end <= start:
            continue
        if not segment.attributed:  # a partial quotation inside a reported clause is its speaker's
            holder = next((r for r in reported if r["start"] <= segment.open and end <= r["end"] + 2), None)
            if holder is None:
                continue
            segment.speaker, segment.speaker_text, segment.cue = holder["speaker"], holder["speaker_text"], \
                holder["cue"]
        elif (segment.speaker_text or "").lower() in PRONOUNS:  # "He added that the letter “...”": the
            holder = next((r for r in reported if r["start"] <= segment.open and end <= r["end"] + 2  # clause's
                           and r["cue"] == segment.cue and r["speaker_text"] == segment.speaker_text), None)
            segment.speaker = holder["speaker"] if holder is not None else segment.speaker  # pronoun, read later
        rows.append({"start": start, "end": end, "kind": "quote", "cue": segment.cue or "",
                     "speaker": segment.speaker, "speaker_text": segment.speaker_text or ""})
    return rows


def _link_run_on(previous: Segment | None, segments: list[Segment], text: str, par_start: int) -> None:
    """A quotation left open at the end of the previous paragraph and reopened here is one
    quotation: both segments share whichever speaker was found."""
    if previous is None or not segments or text[par_start:segments[0].open].strip(" *\xa0\t\n"):
        return
    first = segments[0]
    source, target = (previous, first) if previous.attributed else (first, previous)
    if source.attributed and not target.attributed:
        target.speaker, target.speaker_text, target.cue, target.attributed = \
            source.speaker, source.speaker_text, source.cue, True
    for source, target in ((previous, first), (first, previous)):  # “... [break] “...,” he added: his quotation
        if source.speaker and target.attributed and target.speaker is None \
                and (target.speaker_text or "").lower() in PRONOUNS:
            target.speaker = source.speaker


def _carried(text: str, last: Paragraph | None, start: int, lookup) -> str | None:  # noqa: ANN001
    """Who a pronoun opening the paragraph at `start` may refer to: the one person the paragraph
    just before it spoke of, when both lie in the same transcript turn (rule 7: "the same turn")."""
    if last is None or lookup is None or text[last.end:start].strip() or lookup(start) is None:
        return None
    here, there = lookup(start), lookup(last.start)
    if there is None or here != there or text.rfind(":", last.end, start) >= 0:
        return None
    return last.spoke_of()


def _worth_reading(text: str, start: int, end: int, hits: list[tuple[int, int]] | None) -> bool:
    """Whether a paragraph may hold a statement: it overlaps a passage that Polars found holding a
    quotation mark or a cue (`hits`, sorted), or, without those, it matches the cue pattern."""
    if hits is None:
        return _CUE_RE.search(text, start, end) is not None
    k = bisect.bisect_right(hits, (end, end)) - 1
    return k >= 0 and hits[k][1] > start or (k >= 1 and hits[k - 1][1] > start)


def document_prose(text: str, day: dt.date | None, mentions: list[Mention], roles: Roles, nlp,  # noqa: ANN001
                   turns: list[Turn], hits: list[tuple[int, int]] | None = None,
                   author: str | None = None, people_roles: dict[str, str] | None = None) -> list[dict]:
    """Quotations and reported speech of one document (offsets into `text`); `hits`: the spans of
    its passages worth reading (see `_worth_reading`); `author`: who "I" is outside any turn."""
    lookup = _turn_lookup(turns) if turns else None
    starts = [m.start for m in mentions]
    spans = [(s, e) for ps, pe in paragraph_spans(text) for s, e in _windows(text, ps, pe)
             if _worth_reading(text, s, e, hits)]
    rows: list[dict] = []
    all_segments: list[list[Segment]] = []
    reported_all: list[list[dict]] = []
    previous: Segment | None = None
    previous_end = -1
    last: Paragraph | None = None
    for (start, end), doc in zip(spans, nlp.tokenizer.pipe(text[s:e] for s, e in spans)):
        inside = mentions[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]
        par = Paragraph(text, start, end, day, roles, doc, inside, turn_speaker=lookup, matcher=cue_matcher(nlp),
                        author=author, turn_people=frozenset(t.speaker for t in turns if t.speaker),
                        carried=_carried(text, last, start, lookup), people_roles=people_roles or {})
        last = par
        segments = paragraph_quotes(par)
        if previous is not None and not text[previous_end:start].strip():
            _link_run_on(previous, segments, text, start)
        for segment in [s for s in segments if s.attributed]:
            segments += nested_quotes(par, segment)
        quoted = _emit_segments(text, [s for s in segments if s.attributed], [])
        reported = paragraph_reported(par, quoted)
        reported += [r for r in paragraph_frames(par) if not any(r["start"] < x["end"] and x["start"] < r["end"]
                                                                 and x["speaker"] is not None for x in reported)]
        all_segments.append(segments)
        reported_all.append(reported)
        previous = segments[-1] if segments and segments[-1].close is None else None
        previous_end = end
    for segments, reported in zip(all_segments, reported_all):
        rows += _emit_segments(text, segments, reported) + reported
    return rows


def _context(row: dict, mentions: list[Mention], automaton) -> frozenset[str]:  # noqa: ANN001
    """The people a document names: its mentions and the full names in its title."""
    return frozenset({m.person for m in mentions} | {
        key for _, _, kind, key, _ in find_name_forms(row["title"] or "", automaton) if kind == "full"})


_AUTHORED = re.compile(r"^(?:Statement|Remarks|Op-Ed|Letter|Message)\s+(?:by|from|of)\s+(?P<who>.+?)"
                       r"(?=\s+(?:on|at|in|for|before|after|to|as|launching|participating|regarding)\b|\s*[|:]|$)",
                       re.I)


def document_author(title: str | None, day: dt.date | None, resolver: LabelResolver,
                    automaton) -> str | None:  # noqa: ANN001
    """The one registry person a signed statement or a speech is by ("Statement from Vice President
    Harris on ...", "Remarks by APNSA Jake Sullivan at ..."): its first person outside any turn."""
    m = _AUTHORED.match(title or "")
    if m is None or re.search(r",|\band\b|&", m.group("who")):
        return None
    found = {key for _, _, kind, key, _ in find_name_forms(m.group("who"), automaton) if kind == "full"}
    if not found:
        found = {resolver.resolve(m.group("who").upper(), day)[0]} - {None}
    return found.pop() if len(found) == 1 else None


def _doc_rows(row: dict, mentions: list[Mention], resolver: LabelResolver, roles: Roles, nlp,  # noqa: ANN001
              automaton, hits: list[tuple[int, int]] | None = None,  # noqa: ANN001
              people_roles: dict[str, str] | None = None) -> list[tuple]:
    text, day = row["text"], row["date"]
    turns = document_turns(text, day, resolver, _context(row, mentions, automaton))
    out = [(row["doc_id"], t.speaker, t.label, "turn", t.start, t.end, t.label) for t in turns]
    author = document_author(row["title"], day, resolver, automaton)
    for s in document_prose(text, day, mentions, roles, nlp, turns, hits, author, people_roles):
        if s["end"] > s["start"]:
            out.append((row["doc_id"], s["speaker"], s["speaker_text"], s["kind"], s["start"], s["end"], s["cue"]))
    return out


def candidate_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """Documents that may hold a statement: a quotation mark, a reporting cue or a turn label."""
    return documents.filter(pl.col("text").str.contains("(?i)" + CUE_PATTERN)
                            | pl.col("text").str.contains(TURN_PATTERN))


def extract_statements(documents: pl.DataFrame, passages: pl.DataFrame, mentions: pl.DataFrame,
                       registry: Registry, roles: Roles | None = None) -> pl.DataFrame:
    """The statements table (docs/ARTIFACTS.md) of `documents`, their passages and mentions."""
    roles = roles or default_roles()
    resolver = LabelResolver(registry, roles)
    automaton = build_automaton(registry)
    nlp = tokenizer()
    by_doc = _mentions_by_doc(mentions)
    hits: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, end in passages.filter(pl.col("text").str.contains("(?i)" + CUE_PATTERN)).select(
            "doc_id", "char_start", "char_end").sort("doc_id", "char_start").iter_rows():
        hits.setdefault(doc_id, []).append((start, end))
    rows: list[tuple] = []
    people_roles = {p.name: f"{p.role or ''} {p.affiliation or ''}".lower() for p in registry.people}
    for row in candidate_documents(documents).select("doc_id", "text", "date", "title").iter_rows(named=True):
        rows += _doc_rows(row, by_doc.get(row["doc_id"], []), resolver, roles, nlp, automaton,
                          hits.get(row["doc_id"], []), people_roles)
    return statements_frame(rows, passages)


def document_turn_labels(documents: pl.DataFrame, mentions: pl.DataFrame, registry: Registry,
                         roles: Roles | None = None) -> pl.DataFrame:
    """Every turn of every transcript: doc_id, label (folded), speaker, status (`person`,
    `anonymous`, `unresolved`). `discourse people --candidates` lists the unresolved labels."""
    roles = roles or default_roles()
    resolver, automaton = LabelResolver(registry, roles), build_automaton(registry)
    by_doc = _mentions_by_doc(mentions)
    rows = []
    for row in documents.filter(pl.col("text").str.contains(TURN_PATTERN)).select(
            "doc_id", "text", "date", "title").iter_rows(named=True):
        context = _context(row, by_doc.get(row["doc_id"], []), automaton)
        rows += [(row["doc_id"], fold_label(t.label), t.speaker, t.status)
                 for t in document_turns(row["text"], row["date"], resolver, context)]
    return pl.DataFrame(rows, orient="row", schema={"doc_id": pl.String, "label": pl.String, "speaker": pl.String,
                                                    "status": pl.String})


def unresolved_labels(turns: pl.DataFrame) -> pl.DataFrame:
    """Turn labels that name no registry person and are not anonymous: label, turns, documents."""
    return (turns.filter(pl.col("status") == "unresolved").group_by("label")
            .agg(turns=pl.len().cast(pl.UInt32), documents=pl.col("doc_id").n_unique().cast(pl.UInt32))
            .sort(["turns", "label"], descending=[True, False]))


STATEMENT_ORDER = ["doc_id", "char_start", "char_end", "kind", "speaker", "speaker_text",
                   "cue"]  # the table's row order (nulls last), total so chunked runs equal one pass


def statements_frame(rows: list[tuple], passages: pl.DataFrame) -> pl.DataFrame:
    """Rows (doc_id, speaker, speaker_text, kind, start, end, cue) -> the statements table, each
    statement in the passage its first character is in, numbered within that passage."""
    if not rows:
        return empty("statements")
    frame = pl.DataFrame(rows, orient="row", schema={
        "doc_id": pl.String, "speaker": pl.String, "speaker_text": pl.String, "kind": pl.String,
        "char_start": pl.UInt32, "char_end": pl.UInt32, "cue": pl.String}).unique(maintain_order=True)
    spans = passages.select("doc_id", "passage_id", p_start=pl.col("char_start")).sort("doc_id", "p_start")
    located = (
        frame.sort("doc_id", "char_start")
        .join_asof(spans, left_on="char_start", right_on="p_start", by="doc_id", strategy="backward",
                   check_sortedness=False)
        .filter(pl.col("passage_id").is_not_null())
        .sort(STATEMENT_ORDER, nulls_last=True)
        .with_columns(n=pl.int_range(pl.len(), dtype=pl.UInt32).over("passage_id"))
        .with_columns(statement_id=pl.format("{}:s{}", "passage_id", "n"))
    )
    return located.select(STATEMENT_COLUMNS)


def passage_speakers(passages: pl.DataFrame, statements: pl.DataFrame) -> pl.DataFrame:
    """`passages` with `speakers`: the sorted unique registry people with a statement starting in
    each passage (an empty list when none)."""
    speakers = (statements.filter(pl.col("speaker").is_not_null())
                .group_by("passage_id").agg(speakers=pl.col("speaker").unique().sort()))
    return attach_list_column(passages, speakers, "speakers")
