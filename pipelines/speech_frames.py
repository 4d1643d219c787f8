"""Reporting frames that are not a reporting verb with its subject (pipelines/reported_speech.py
reads those): fixed phrases of English that attribute the rest of a sentence to someone.

- "As Biden put it, ..." / "..., as Biden put it." (the rest of the sentence, or what precedes);
- "In Biden's view/words/telling, ..." (a named possessor; "in his view" is a reporting cue);
- "Altman was quoted as saying (that) ..." (the passive of quoting: the subject is the speaker);
- "Biden made (it) clear / made the case / made the point / made the argument that ..." (a light
  verb with a speech-act noun: the subject speaks); "The President has been (very) clear that ...".
Each frame's speaker phrase is resolved like a reporting clause's (`Paragraph.resolve`), and a
frame inside a quotation or without words after it gives nothing.
"""

from __future__ import annotations

import re

from pipelines.cue_lexicon import NEGATIONS, SKIP_BEFORE
from pipelines.speaker_phrases import Paragraph

_S = r"[\s\xa0]+"
_NP = r"[^,.;:“”\"()—–]{1,60}?"
PUT_IT = re.compile(rf"\b[Aa]s{_S}(?P<np>{_NP}){_S}(?:(?:has|had|once|recently|famously){_S})?puts?{_S}it\b")
POSSESSOR = re.compile(rf"\b[Ii]n{_S}(?P<np>{_NP}['’]s){_S}(?:view|words|telling|estimation|account)\b")
QUOTED = re.compile(rf"{_S}(?:was|is|has{_S}been|had{_S}been){_S}(?:(?:also|later|widely|reportedly){_S})?"
                    rf"quoted{_S}as{_S}(?:saying|stating|telling{_S}\w+)(?:{_S}that)?\b")
MADE = re.compile(rf"{_S}made{_S}(?:it{_S})?(?:clear|plain|the{_S}case|the{_S}point|the{_S}argument){_S}that\b")
BE_CLEAR = re.compile(rf"{_S}(?:(?:has|have|had){_S})?(?:been|was|were|is|are){_S}"
                      rf"(?:(?:very|quite|abundantly|pretty|crystal|also|always|equally){_S})*clear{_S}that\b")


def paragraph_frames(par: Paragraph) -> list[dict]:
    """Every reported statement of one paragraph introduced by one of the frames above."""
    found: list[dict] = []
    text = par.text
    for m in PUT_IT.finditer(text, par.start, par.end):
        found += _put_it(par, m)
    for m in POSSESSOR.finditer(text, par.start, par.end):
        found += _possessor(par, m)
    frames = [m for pattern in (QUOTED, MADE, BE_CLEAR) for m in pattern.finditer(text, par.start, par.end)]
    for m in sorted(frames, key=lambda m: m.start()):  # in text order: "The President has been clear ... He made clear"
        found += _subject_frame(par, m, re.sub(r"\s+that$", "", m.group(0).strip()))
    return found


def _row(start: int, end: int, cue: str, speaker: str | None, speaker_text: str) -> dict:
    return {"start": start, "end": end, "kind": "reported", "cue": re.sub(r"\s+", " ", cue), "speaker": speaker,
            "speaker_text": speaker_text}


def _sentence(par: Paragraph, offset: int) -> tuple[int, int]:
    """(start, end) offsets of the sentence holding `offset`, without its final punctuation."""
    first, last = par.sentence_of(par.token_at(offset))
    while last - 1 > first and par.tokens[last - 1].text in {".", "!", "?", "”", "\"", "**"}:
        last -= 1
    return par.offset(first), par.token_end(last - 1)


def _words(par: Paragraph, start: int, end: int) -> tuple[int, int] | None:
    """The words text[start:end] trimmed; None when fewer than three or opening a quotation (the
    quotation is attributed on its own)."""
    text = par.text
    while start < end and text[start] in " \xa0\t\n,:":
        start += 1
    while end > start and text[end - 1] in " \xa0\t\n,":
        end -= 1
    end -= text[end - 1:end] == "." and end > start  # the sentence's own full stop
    if len(text[start:end].split()) < 3 or text[start:start + 1] in {"“", "\""}:
        return None
    return start, end


def _put_it(par: Paragraph, m: re.Match) -> list[dict]:
    """"As X put it, P." or "P, as X put it." (P: the rest of the sentence)."""
    if par.in_quote(m.start()):
        return []
    sentence = _sentence(par, m.start())
    speaker, phrase = par.resolve(m.start("np"), m.end("np"))
    if m.start() == sentence[0]:
        words = _words(par, m.end(), sentence[1])
    elif par.text[sentence[0]:m.start()].rstrip().endswith(",") and m.end() >= sentence[1] - 1:
        words = _words(par, sentence[0], m.start())
    else:
        words = None
    return [] if words is None else [_row(*words, "put it", speaker, phrase)]


def _possessor(par: Paragraph, m: re.Match) -> list[dict]:
    """"In Biden's words, P": the possessor is a person named."""
    sentence = _sentence(par, m.start())
    named = [x for x in par.mentions_between(m.start("np"), m.end("np")) if x.possessive and x.end == m.end("np")]
    if not named or m.start() != sentence[0] or par.in_quote(m.start()):
        return []
    words = _words(par, m.end(), sentence[1])
    cue = par.text[m.start():m.end()]
    return [] if words is None else [_row(*words, cue, named[0].person, par.text[m.start("np"):m.end("np")])]


def _subject_frame(par: Paragraph, m: re.Match, cue: str) -> list[dict]:
    """"X was quoted as saying P", "X made clear that P": X, the phrase from the clause start to the
    frame (adverbs such as "also" left out), speaks P."""
    if par.in_quote(m.start()):
        return []
    sentence = _sentence(par, m.start())
    clause = max(sentence[0], par.text.rfind(",", sentence[0], m.start()) + 1,
                 par.text.rfind(":", sentence[0], m.start()) + 1)  # "MS. JEAN-PIERRE:  The President has been clear"
    words = par.text[clause:m.start()].split()
    while words and words[-1].lower() in SKIP_BEFORE:
        words.pop()
    if not words or len(words) > 8 or any(w.lower() in NEGATIONS or w.lower().endswith("n't") for w in words):
        return []
    end = par.text.rfind(words[-1], clause, m.start()) + len(words[-1])
    start = par.text.find(words[0], clause)
    found = _words(par, m.end(), sentence[1])
    if found is None:
        return []
    rows = []
    for part_start, part_end in _conjuncts(par.text, start, end):  # "The President and Vice President were clear"
        speaker, phrase = par.resolve(part_start, part_end)
        if speaker is None and not phrase.lower().startswith("the "):
            speaker = par.role_phrase("the " + phrase.lower())  # "Vice President" after "The President and"
        if speaker is not None:
            par.spoken.append((part_start, speaker))
            rows.append(_row(*found, cue, speaker, phrase))
    return rows


def _conjuncts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of "A and B" (or the whole phrase when it has no "and")."""
    cut = re.search(r"\s+and\s+", text[start:end])
    if cut is None:
        return [(start, end)]
    return [(start, start + cut.start()), (start + cut.end(), end)]
