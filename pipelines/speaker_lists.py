"""Subject phrases that are more than one noun phrase before a reporting cue
(pipelines/reported_speech.py), read from the blank tokenizer's tokens of a `Paragraph`:

- a coordinated list of people: "Harari, Tristan Harris and Aza Raskin argued" (each speaks);
- names in apposition to a group: "two former OpenAI researchers, William Saunders and Daniel
  Kokotajlo, wrote" (each named person speaks), but "eight Democrats, including Lofgren, Khanna
  and Eshoo, had asked" (the group speaks: the names after "including" are examples, not speakers);
- a relative clause's antecedent: "OpenAI's Sam Altman, who called for ..." (Altman);
- the subject of a series of verbs: "Musk praised the summit, said ..." (Musk);
- a leading time phrase is not part of a subject: "On 28 July California Governor Gavin Newsom".
"""

from __future__ import annotations

import re

from pipelines.cue_lexicon import BOUNDARY_WORDS
from pipelines.speaker_phrases import _DESCRIPTOR, OPENERS, PREPOSITIONS, Mention, Paragraph, skip_time_lead

LIST_HEADS = {"including", "like", "among", "especially", "notably"}  # + "such as"
BOUNDARY = {",", ".", ";", ":", "!", "?", "(", ")", "“", "”", "\"", "—", "–"}
_JOINER = re.compile(r"[\s\xa0,]*(?:and)?[\s\xa0,]*")


def names_only(par: Paragraph, a: int, b: int, titles: bool = True) -> list[Mention] | None:
    """The person mentions making up tokens a..b, joined only by commas and "and" (with title
    words before a name when `titles`), or None when anything else is there."""
    if b < a:
        return None
    lo, hi = par.offset(a), par.token_end(b)
    found = [m for m in par.mentions_between(lo, hi) if not m.possessive]
    if not found:
        return None
    pos = lo
    for m in found + [None]:
        piece = par.text[pos:m.start if m else hi]
        words = _JOINER.sub(" ", piece).split()
        if m is None and words:
            return None
        if words and not (titles and all(_DESCRIPTOR.match(w) and w.lower() != "the" for w in words)):
            return None
        pos = m.end if m else hi
    return found


def relative_antecedent(par: Paragraph, j: int, first: int) -> list[tuple[int, int]] | None:
    """"..., Sam Altman, who called for": the person the relative pronoun at token j refers to."""
    tokens = par.tokens
    if tokens[j].lower_ != "who" or j - 2 < first or tokens[j - 1].text != ",":
        return None
    mention = par.mention_ending(par.token_end(j - 2))
    comma = next((k for k in range(j - 3, max(first, j - 14) - 1, -1) if par.tokens[k].text == ","), None)
    if mention is None and comma is not None and not par.mentions_between(par.offset(comma), par.offset(j)):
        mention = par.mention_ending(par.token_end(comma - 1))  # "Yann LeCun, Meta's chief AI scientist, who"
    if mention is None or mention.possessive or par.in_quote(mention.start):
        return None
    return [(mention.start, mention.end)]


def appositive(par: Paragraph, k: int, j: int, first: int) -> list[tuple[int, int]] | int | None:
    """The comma block between tokens k and j (both commas) before a cue: the spans of the people
    it names in apposition ("researchers, Saunders and Kokotajlo, wrote"), or the token where the
    group's own phrase ends when the names only exemplify it ("Democrats, including ..., had
    asked"), or None."""
    tokens = par.tokens
    a = k + 1
    while a - 2 >= first and tokens[a - 1].text == ",":  # "including Lofgren, Ro Khanna and Anna Eshoo": one list
        c = a - 2 - _chunk(par, a - 2, first)
        if names_only(par, _after_head(par, c, a - 2), a - 2) is None:
            break
        a = c
        if _after_head(par, c, a - 2) > c:
            break
    head = _after_head(par, a, j - 1)
    names = names_only(par, head, j - 1, titles=True)
    if names is None:
        return None
    if head > a:  # an example list: the group before it speaks
        return a - 2 if a - 2 >= first and tokens[a - 1].text == "," else None
    if a - 2 < first or tokens[a - 1].text != "," or tokens[a - 2].text in {",", ".", ":", ";"}:
        return None
    return [(m.start, m.end) for m in names]


def _after_head(par: Paragraph, a: int, b: int) -> int:
    """The token after a list head ("including", "such as") opening tokens a..b, else a."""
    if par.tokens[a].lower_ in LIST_HEADS:
        return a + 1
    return a + 2 if a + 1 < b and par.tokens[a].lower_ == "such" and par.tokens[a + 1].lower_ == "as" else a


def _chunk(par: Paragraph, b: int, first: int) -> int:
    """How many tokens before token b the comma-free chunk ending at b starts (0: b alone)."""
    n = 0
    while b - n - 1 >= first and par.tokens[b - n - 1].text != "," and n < 14:
        n += 1
    return n


def series_subject(par: Paragraph, a: int, b: int, first: int) -> list[tuple[int, int]] | None:
    """"(On safety,) Musk praised the summit, said ...": a clause a..b opening the sentence (or
    following an opening phrase) whose subject is a person: that person speaks the next verb."""
    tokens = par.tokens
    if a != first and not (tokens[first].lower_ in OPENERS and tokens[first].text[:1].isupper()):
        return None
    found = par.mentions_between(par.offset(a), par.token_end(b))
    if not found or found[0].possessive or par.in_quote(found[0].start):
        return None
    m = found[0]
    lead = par.text[par.offset(a):m.start].split()
    after = par.text[m.end:par.token_end(b)].split()
    if not all(_DESCRIPTOR.match(w) for w in lead) or len(after) < 2 or not after[0][:1].islower() \
            or after[0].lower() in {"and", "or", "of", "for", "to", "who"}:
        return None
    return [(m.start, m.end)]


def conjuncts(par: Paragraph, s: int, first: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"A and B said", "A, B and C said", "A, B, and C said": the spans of the people before the
    last conjunct (which starts at token s), nearest first; commas only once an "and" was crossed."""
    tokens = par.tokens
    crossed = False
    while s - 2 >= first and len(spans) < 6:
        sep = tokens[s - 1].lower_
        if sep == "and":
            crossed = True
            j = s - 2 if tokens[s - 2].text != "," else s - 3
        elif sep == "," and crossed:
            j = s - 2
        else:
            break
        if j < first:
            break
        lead = j
        while lead - 1 >= first and tokens[lead - 1].text not in BOUNDARY and tokens[lead - 1].lower_ != "and" \
                and j - lead < 14:
            lead -= 1
        lead = skip_time_lead(par, lead, j)
        if par.resolve(par.offset(lead), par.token_end(j))[0] is None:
            break  # "After meeting Altman and Breton said", "Meta and Zuckerberg said": not a list of people
        spans.append((par.offset(lead), par.token_end(j)))
        s = lead
    return spans


def joint_subject(par: Paragraph, first: int, limit: int, person: str) -> list[str]:
    """The sentence subject `person` and the people coordinated with it ("Senators Richard
    Blumenthal and Josh Hawley wrote ..., asking"): each mention joined to the previous one by
    "and" or a comma, with only title words between."""
    people = [person]
    found = [m for m in par.mentions_between(par.offset(first), par.offset(limit)) if not par.in_quote(m.start)]
    at = next((k for k, m in enumerate(found) if m.person == person), None)
    if at is None:
        return people
    for previous, m in zip(found[at:], found[at + 1:]):
        gap = par.text[previous.end:m.start]
        joiner = re.match(r"[\s\xa0]*(?:,[\s\xa0]*)?(?:and[\s\xa0]+)?", gap)
        rest = gap[joiner.end():].split()
        if m.possessive or not joiner.group(0).strip() or not all(_DESCRIPTOR.match(w) and w.lower() != "the"
                                                                   for w in rest):
            break
        people.append(m.person)
    return list(dict.fromkeys(people))


def they_group(par: Paragraph, made: dict, at: int, found: list[dict]) -> list[str]:
    """"A, B and C argued ... Because ..., they wrote, ...": "they" is the joint speakers of the
    paragraph's last statement before it, when that statement (in this sentence or the one
    before) had two or more speakers."""
    if made["speaker_text"].lower() != "they" or not found:
        return []
    before = [s for s in found if s["start"] < at]
    if not before:
        return []
    last = before[-1]
    first, _ = par.sentence_of(par.token_at(at))
    previous, _ = par.sentence_of(max(first - 1, 0))
    if last["start"] < par.offset(previous):
        return []
    people = list(dict.fromkeys(s["speaker"] for s in before if (s["start"], s["end"]) == (last["start"], last["end"])
                                and s["speaker"]))
    return people if len(people) >= 2 else []


def new_subject(par: Paragraph, a: int, b: int) -> bool:
    """Whether a main clause with its own named subject starts between tokens a and b (", Khosla
    answered"): a comma, a capitalised word and a lower-case word after it."""
    tokens = par.tokens
    for k in (k for k in range(a, b - 2) if tokens[k].text == ","):
        m = k + 1
        while m < b and tokens[m].text[:1].isupper() and tokens[m].lower_ != "i":
            m += 1
        if k + 1 < m < b and tokens[m].text.isalpha() and tokens[m].text.islower() \
                and tokens[m].lower_ not in BOUNDARY_WORDS | PREPOSITIONS | {"the", "a", "an", "or", "nor"}:
            return True
    return False
