"""Reported speech in prose: "Hinton said he now regrets ...", "X told senators that ...",
"X warned/argued/called for ...", "according to X", "in his view", "As the President has said, ...".

spaCy's `PhraseMatcher` finds the cues on the blank English tokenizer's tokens (no statistical
model). For each cue:
- a finite verb ("said", "has argued", "told senators that") takes the subject just before
  it: the words back to a clause boundary, skipping auxiliaries and adverbs ("has long
  said"), an appositive or relative clause between commas ("Sam Altman, OpenAI's chief
  executive, wrote"), and taking both people of "Toner and McCauley had argued";
- a participle after a comma (", saying", ", arguing", ", adding") takes the speaker of the
  sentence's previous statement, else the sentence's subject;
- "according to X" takes X and the clause before it (or after it, when the sentence opens
  with it); "in his view" takes the pronoun.
The reported words run from after the cue (and "that", or the object of "told") to the end
of the clause. No statement comes from a negated or passive cue ("did not say", "was told"),
a cue without content ("declined to comment", "said little"), or a verb that needs a
complement it lacks ("added a feature"). Speakers are resolved by `Paragraph.resolve`.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from pipelines.cue_lexicon import (  # noqa: F401 - VERBS, PARTICIPLES, URGE: re-exported for statements.py
    BASE_FORMS, BOUNDARY_MARKS, BOUNDARY_WORDS, CATENATIVES, CLAUSE_OPENERS, CUE_PHRASES, DOCUMENT_NOUNS, EMPTY_CONTENT,
    LEAD_INS, MODALS, MUST_HAVE_OBJECT, NEGATIONS, NO_CLAUSE, OBJECT_VERBS, PARTICIPLE_NEEDS, PARTICIPLES, PASSIVE, SAY,
    SAY_AFTER, SKIP_BEFORE, SUBJECT_PRONOUNS, SUBORDINATORS, THAT, TIME_WORDS, URGE, VERBS)
from pipelines.cue_words import (CLAUSE_SUBJECTS, after_document, after_object, as_said_where, aside_after, coordinated,
                                 dash_aside, nominal_head, progressive_head, quoted_word, time_phrase)
from pipelines.speaker_lists import (appositive, conjuncts, joint_subject, new_subject, relative_antecedent,
                                     series_subject, skip_time_lead, they_group)
from pipelines.speaker_phrases import OPENERS, PREPOSITIONS, Paragraph

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher


@functools.lru_cache(maxsize=4)
def cue_matcher(nlp) -> PhraseMatcher:  # noqa: ANN001 - a spaCy Language (its tokenizer makes the patterns)
    """spaCy's PhraseMatcher over lower-cased tokens, one label per kind of cue. spaCy is imported
    here, not at module level, so importing the build (every CLI command) does not pay for it."""
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for label, phrases in CUE_PHRASES.items():
        matcher.add(label, [nlp.make_doc(p) for p in phrases])
    return matcher


def paragraph_reported(par: Paragraph, prior: list[dict] | None = None) -> list[dict]:
    """Every reported statement of one paragraph (see the module docstring). `prior`: the
    paragraph's attributed quotations, whose speaker a following participle continues."""
    found: list[dict] = []
    prior = prior or []
    strings = par.doc.vocab.strings
    for match_id, start, end in sorted(par.matcher(par.doc)):
        kind = strings[match_id]
        if kind == "NEED":
            found += _need(par, start, end)
        elif kind == "ACCORDING":
            found += _according(par, start, end)
        elif kind == "VIEW":
            found += _in_view(par, start, end)
        else:
            found += _verb(par, start, end, sorted(prior + found, key=lambda s: s["start"]))
    return found


def _statement(par: Paragraph, speaker_span: tuple[int, int] | None, cue: str, words: tuple[int, int],
               speaker: str | None = None, speaker_text: str | None = None) -> dict:
    if speaker_span is not None:
        speaker, speaker_text = par.resolve(*speaker_span)
        par.spoken.append((speaker_span[0], speaker))
    return {"start": words[0], "end": words[1], "kind": "reported", "cue": cue, "speaker": speaker,
            "speaker_text": speaker_text or ""}


def _clause_end(par: Paragraph, i: int) -> int:
    """Token index where the clause starting at token i ends."""
    _, last = par.sentence_of(i)
    tokens = par.tokens
    for j in range(i, last):
        text, lower = tokens[j].text, tokens[j].lower_
        if text == ";":
            return j
        if text == "," and j + 1 < last and (tokens[j + 1].lower_ in PARTICIPLES | {"but", "according"} or (
                tokens[j + 1].lower_.endswith("ing") and len(tokens[j + 1].text) > 5 and tokens[j + 1].text.islower())):
            return j
        if lower in {"and", "but"} and j + 1 < last and tokens[j + 1].lower_ in VERBS:
            return j
    while last > i and tokens[last - 1].text in {".", "!", "?", "”", "\"", "**"}:
        last -= 1
    return last


def _content(par: Paragraph, i: int, needs: tuple[str, ...] | str) -> tuple[int, int] | None:
    """(start, end) offsets of the words after a cue ending before token i, or None."""
    tokens = par.tokens
    _, last = par.sentence_of(max(i - 1, 0))
    verb = tokens[i - 1].lower_ if i > 0 else ""
    while i < last and tokens[i].text.isspace():  # "noted\xa0the need": a non-breaking space is its own token
        i += 1
    i += aside_after(par, i, last)
    if i >= last:
        return None
    window = [t.lower_ for t in tokens[i:min(last, i + 10)]]
    if window[0] == "by" and verb.endswith("ed"):
        return None  # "informed by the fact that", "told by aides": a passive, its agent not a speaker
    if needs == SAY and window[0] in LEAD_INS and "that" not in window:  # "said in an interview published ... that"
        longer = [t.lower_ for t in tokens[i:min(last, i + 14)]]
        if "that" in longer and any(w in DOCUMENT_NOUNS for w in longer[:4]):
            window = longer[:longer.index("that") + 1]
    if needs != SAY and "that" in needs and window[0] in CLAUSE_SUBJECTS:
        needs = SAY  # "warned they would ...", "suggesting he had ...": a bare clause after a that-verb
    if needs != SAY:
        hits = [k for k, w in enumerate(window) if w in needs and (k > 0 or verb != "called")]  # an object first
        if not hits and verb in {"told", "tells"}:
            bare = after_object(window)  # "told the BBC he regretted ...", "told reporters on Tuesday the ..."
            return None if bare is None else _content(par, i + bare, SAY)
        if not hits or (hits[0] > 0 and verb not in OBJECT_VERBS and window[0] not in LEAD_INS
                        and window[:hits[0] + 1] not in (["the", "need"], ["the", "importance"])):
            return None
        hit = hits[-1] if window[0] in LEAD_INS and window[hits[-1]] == "that" else hits[0]
        if verb in {"welcomed", "welcomes"} and hit > 0:
            return None  # "welcomed Prime Minister Modi to the White House": a visit, not a position
        if verb in MUST_HAVE_OBJECT and hit == 0:
            return None  # "called a meeting", "described as": no object, no evaluation
        if verb == "called" and any(w in PREPOSITIONS or w in BOUNDARY_MARKS - {"“", '"'} for w in window[:hit]):
            return None  # "called reporters to the White House": not "called AI the most disruptive force"
        if verb in MUST_HAVE_OBJECT and window[0] in BOUNDARY_MARKS:
            return None  # "He defended, as you all know, ...": no object before "as"
        if window[hit] in {"as", "for", "a", "an", "the", "importance", "need", "progress"}:
            hit = 0  # the words are the whole evaluation: "the summit a missed opportunity"
        if any(w in BOUNDARY_MARKS for w in window[:hit] if w not in {"“", '"', ":"}):
            return None
        i += hit + (1 if window[hit] in {"that", ":"} else 0)
    elif window[0] in LEAD_INS:
        skip = time_phrase(window) or as_said_where(par, i, window)
        if "that" not in window and not skip:
            return None  # "said in a blog post on Thursday": where, not what
        i += len(window) - 1 - window[::-1].index("that") + 1 if "that" in window else skip
    while i < last and tokens[i].lower_ in {"that", ":", ","}:
        i += 1
    if i >= len(tokens) and tokens[-1].lower_ in {"that", ":"}:
        return par.next_paragraph()  # "... suggesting at the summit that" + the next paragraph
    if i >= last or (tokens[i].text[:1] in {"“", "\"", "‘", "'"} and not quoted_word(par, i)) \
            or tokens[i].lower_ in EMPTY_CONTENT:
        return None
    if tokens[i].lower_ in {"it", "this", "so"} and (i + 1 >= last or tokens[i + 1].lower_ in NO_CLAUSE):
        return None  # "Biden said it, and ...", "he said this many times": no content
    end = _clause_end(par, i)
    if end - i < 3:
        return None
    return par.offset(i), par.token_end(end - 1)


def _subject(par: Paragraph, i: int) -> list[tuple[int, int]] | None:
    """Speaker phrase spans before the cue at token i (two for "A and B said"), or None."""
    tokens = par.tokens
    first, _ = par.sentence_of(i)
    j = i - 1
    modal = False
    while j >= first and tokens[j].lower_ in SKIP_BEFORE | NEGATIONS:
        if tokens[j].lower_ in NEGATIONS:
            return None
        modal = modal or tokens[j].lower_ in MODALS
        j -= 1
    if modal and j >= first and next((t.lower_ for t in tokens[j::-1] if not t.text.isspace()), "") not in {"i", "we"}:
        return None  # "he will call for", "why he would say that": expected or supposed, not said
    if j < first or (tokens[j].lower_ in PASSIVE and not tokens[i].lower_.endswith("ing")):
        return None
    j = dash_aside(par, j, first) or j  # "Gina Raimondo — the commerce secretary — said"
    if tokens[j].text == ")":  # "Senator Cruz (R-Texas) said": skip the parenthesis
        k = next((k for k in range(j - 1, max(first, j - 12) - 1, -1) if tokens[k].text == "("), None)
        if k is None or k - 1 < first:
            return None
        j = k - 1
    back = 0  # "Altman on Tuesday said": the time phrase is not part of the subject
    while j - back >= first and (tokens[j - back].lower_ in TIME_WORDS or tokens[j - back].text.isdigit()):
        back += 1
    if back and j - back >= first and tokens[j - back].lower_ in {"on", "last", "this", "in", "earlier"}:
        back += 1
    j -= back if back and j - back >= first else 0
    if tokens[j].text == ",":
        k = next((k for k in range(j - 1, max(first, j - 30) - 1, -1) if tokens[k].text == ","), None)
        if k is None:
            return series_subject(par, first, j - 1, first)
        inside = par.mentions_between(par.offset(k + 1), par.token_end(j - 1))
        if len(inside) == 1 and inside[0].start == par.offset(k + 1) and inside[0].end == par.token_end(j - 1):
            return [(inside[0].start, inside[0].end)]
        named = appositive(par, k, j, first)
        if isinstance(named, list):
            return named
        series = series_subject(par, k + 1, j - 1, first) if named is None else None
        if series:
            return series
        j = named if named is not None else k - 1
        if j >= first and tokens[j].lower_ == "who" and j - 1 >= first and tokens[j - 1].text == ",":
            j -= 2
        if j - 2 >= first and tokens[j].text.isdigit() and tokens[j - 1].text == ",":
            j -= 2  # "Musk, 52, who owns X, wrote": an age in apposition
    elif tokens[j].lower_ == "who" and j - 1 >= first and tokens[j - 1].text == ",":
        antecedent = relative_antecedent(par, j, first)
        if antecedent:
            return antecedent
        j -= 2
    if j < first or tokens[j].text in BOUNDARY_MARKS or tokens[j].lower_ in BOUNDARY_WORDS:
        return None
    s = j
    while s - 1 >= first and tokens[s - 1].lower_ not in BOUNDARY_WORDS and tokens[s - 1].text not in \
            BOUNDARY_MARKS and j - s < 13:
        s -= 1
    if tokens[j].lower_ in SUBJECT_PRONOUNS:  # "In an op-ed on Monday he wrote": the pronoun alone
        s = j
    s = skip_time_lead(par, s, j)
    opened = par.after_opening(s, j + 1) if s == first else None  # "In his remarks Zuckerberg defended"
    s = par.token_at(opened.start) if opened and par.mention_ending(par.token_end(j)) is opened else s
    return conjuncts(par, s, first, [(par.offset(s), par.token_end(j))])


def _verb(par: Paragraph, start: int, end: int, found: list[dict]) -> list[dict]:
    tokens = par.tokens
    lower = tokens[start].lower_
    if lower in {"call", "calls", "called"} and end - start == 1 and end + 1 < len(tokens) \
            and (tokens[end].text.isspace() or _manner(tokens[end].text)) and tokens[end + 1].lower_ in {"for", "on"}:
        end += 2  # "called\nfor", "called publicly for": the phrase across a line break or a manner adverb
    cue = re.sub(r"\s+", " ", par.text[par.offset(start):par.token_end(end - 1)])
    if lower in PARTICIPLES or (lower == "calling" and end - start == 2):
        return _participle(par, start, end, cue, found)
    if lower in URGE:
        needs: tuple[str, ...] | str = ("to", "that")  # "urged Congress to act", "urged that risks be weighed"
    elif end - start == 2 and tokens[start + 1].lower_ in {"back", "out"}:
        needs = THAT
    elif end - start >= 2:
        needs = SAY if tokens[end - 1].lower_ == "for" else ("to",)
    else:
        needs = VERBS.get(lower, ())
        if not needs and needs != SAY:
            return []
    if lower in SAY_AFTER and end + 1 < len(tokens) and tokens[end].text == "," and (
            tokens[end + 1].lower_ in CLAUSE_OPENERS or any(tokens[k].text == "," for k in (start - 2, start - 3)
                                                           if k >= 0)):
        needs = SAY  # ", he wrote, and OpenAI must ...", "The company, he added, would ...": said too
    if lower in SAY_AFTER and start > 0 and tokens[start - 1].text == ",":
        inverted = _after_clause(par, start, end, cue)
        if inverted and inverted[0]["speaker"] is not None:
            return inverted
        if inverted:  # ", said he was stunned": no one after the cue; try its subject first
            return _verb_forward(par, start, end, cue, needs, found) or inverted
    return _verb_forward(par, start, end, cue, needs, found)


def _manner(word: str) -> bool:
    """A manner adverb ("publicly", "repeatedly") that may sit between a verb and its particle."""
    return word.islower() and word.endswith("ly") and len(word) > 4


def _verb_forward(par: Paragraph, start: int, end: int, cue: str, needs: tuple[str, ...] | str,
                  found: list[dict]) -> list[dict]:
    """A finite cue with its words after it (or, failing that, the clause before it)."""
    tokens = par.tokens
    lower = tokens[start].lower_
    words = _content(par, end, needs if end - start == 1 or needs != SAY else SAY)
    if words is None and lower in SAY_AFTER:
        return _after_clause(par, start, end, cue)
    if words is None:
        return []
    if needs == ("to", "that") and end - start == 1 and par.tokens[end].lower_ != "that":
        words = (par.offset(end), words[1])
    head = nominal_head(par, start) or start  # "reiterated his call for"
    before = next((t.lower_ for t in tokens[start - 1::-1] if t.lower_ not in SKIP_BEFORE - MODALS), "") \
        if start > 0 else ""
    if lower in BASE_FORMS - {"say", "ask", "underscore"} and before in MODALS:
        return []  # "I would (just) argue, ...": a hedge, not a report
    if start > 0 and tokens[start - 1].lower_ == "to" and lower in BASE_FORMS:
        head = _catenative(par, start)  # "went on to say": the subject of "went"
        if head is None:
            return [] if lower not in {"say", "ask", "underscore"} else _verb_infinitive(par, start, cue, words)
    if coordinated(par, head):  # "..., but said ...": the sentence's speaker goes on
        return _continued(par, head, cue, words, found)
    spans = _subject(par, head)
    if spans is None:
        return []
    made = [_statement(par, span, cue, words) for span in spans]
    made = made[:1] + [s for s in made[1:] if s["speaker"] is not None]
    if not made[0]["speaker_text"].strip(" *_“”\"'’"):
        return []  # “...,” **said X.**: the quotation's own clause, already attributed
    if len(made) == 1 and made[0]["speaker"] is None:
        people = par.group(spans[0][0], made[0]["speaker_text"]) or they_group(par, made[0], spans[0][0], found)
        made = [{**made[0], "speaker": person} for person in people] or made
    return _clause_before(par, start, end, spans, made) + made


def _verb_infinitive(par: Paragraph, start: int, cue: str, words: tuple[int, int]) -> list[dict]:
    """"is expected to say", "wants to say": no speech act; kept as before (no person speaks)."""
    spans = _subject(par, start)
    return [] if spans is None else [s for s in (_statement(par, span, cue, words) for span in spans[:1])
                                     if s["speaker"] is None and s["speaker_text"].strip()]


def _catenative(par: Paragraph, start: int) -> int | None:
    """The token of the verb governing "to <cue>" at `start` when it entails the speech act ("went on
    to say", "took to X to argue", "used the hearing to warn", "continued to insist"), else None."""
    tokens = par.tokens
    first, _ = par.sentence_of(start)
    for k in range(start - 2, max(first, start - 9) - 1, -1):
        lower = tokens[k].lower_
        if tokens[k].text in BOUNDARY_MARKS or lower in BOUNDARY_WORDS - {"then"}:
            return None
        if lower in CATENATIVES and (lower not in {"went", "goes"} or tokens[k + 1].lower_ == "on"):
            return k
    return None


def _clause_before(par: Paragraph, start: int, end: int, spans: list[tuple[int, int]], made: list[dict]) -> list[dict]:
    """"Customers were lining up, he said, because ...": the words before a cue set off by commas
    on both sides are the speaker's too when a new clause follows it (a conjunction or a subject
    pronoun after the comma); the sentence must not open with a quotation."""
    tokens = par.tokens
    first, _ = par.sentence_of(start)
    if tokens[start].lower_ not in SAY_AFTER or end + 1 >= len(tokens) or tokens[end].text != "," \
            or not (tokens[end + 1].lower_ in CLAUSE_OPENERS or tokens[first].lower_ in SUBORDINATORS) \
            or len(spans) != 1 or made[0]["speaker"] is None:
        return []  # "Such an AI, he argued, would ...": the words before are only a subject
    comma = par.token_at(spans[0][0]) - 1
    if comma - first < 3 or tokens[comma].text != "," or tokens[first].text in {"“", "\"", "‘", "'"} \
            or par.in_quote(par.offset(comma)):
        return []
    return [_statement(par, None, s["cue"], (par.offset(first), par.token_end(comma - 1)), s["speaker"],
                       s["speaker_text"]) for s in made]


def _participle(par: Paragraph, start: int, end: int, cue: str, found: list[dict]) -> list[dict]:
    tokens = par.tokens
    head = progressive_head(par, start) or nominal_head(par, start)  # "is telling", "renewed his warning that"
    if head is None and (start == 0 or not (tokens[start - 1].lower_ in {",", "and", "—", "while", "by", "in"}
                                            or after_document(par, start))):
        return []
    lower = tokens[start].lower_
    needs = SAY if lower in {"saying", "arguing", "insisting", "claiming", "calling", "comparing"} \
        else PARTICIPLE_NEEDS.get(lower, THAT)
    words = _content(par, end, needs)
    if words is None:
        return []
    if head is not None:
        spans = _subject(par, head)
        return [] if not spans else [_statement(par, span, cue, words) for span in spans]
    return _continued(par, start, cue, words, found)


def _after_clause(par: Paragraph, start: int, end: int, cue: str) -> list[dict]:
    """Reported words before their cue, the clause ending a sentence: "The rules are too broad,
    Cruz said." / "..., he added." / "..., said Senator Cruz." (no quotation marks)."""
    tokens = par.tokens
    first, last = par.sentence_of(start)
    if start > first and tokens[start - 1].text == ",":  # inverted: ", said Senator Cruz."
        k = end
        while k < last and tokens[k].text not in BOUNDARY_MARKS and k - end < 10:
            k += 1
        relative = k + 1 < last and tokens[k].text == "," and tokens[k + 1].lower_ in {"who", "the", "a", "an"}
        if k == end or (k < last and tokens[k].text not in {".", "!", "?"} and not relative) \
                or par.in_quote(par.offset(start)):
            return []  # ", said Cruz." / ", said Cruz, who chairs ..." / ", said Cruz, the ranking member."
        comma = start - 1
        speaker, text = par.resolve_after(par.offset(end), par.token_end(k - 1))
    else:
        tail = end
        while tail < last and tokens[tail].lower_ in LEAD_INS | TIME_WORDS | {"reporters", "the", "a"}:
            tail += 1
        if tail < last and tokens[tail].text not in {".", "!", "?"}:
            return []
        spans = _subject(par, start)
        if not spans:
            return []
        comma = par.token_at(min(span[0] for span in spans)) - 1
        if comma <= first or tokens[comma].text != "," or par.in_quote(par.offset(comma)):
            return []
        named = [par.resolve(*span) for span in spans]
        named = named[:1] + [n for n in named[1:] if n[0] is not None]  # ", Cruz and Schumer said.": both
        par.spoken.append((spans[0][0], named[0][0]))
        if comma - first < 3 or tokens[first].text in {"“", "\""}:
            return []
        return [_statement(par, None, cue, (par.offset(first), par.token_end(comma - 1)), *n) for n in named]
    if comma - first < 3 or tokens[first].text in {"“", "\""}:
        return []
    return [_statement(par, None, cue, (par.offset(first), par.token_end(comma - 1)), speaker, text)]


def _continued(par: Paragraph, start: int, cue: str, words: tuple[int, int], found: list[dict]) -> list[dict]:
    """A statement whose speaker is the sentence's previous speaker, else its subject."""
    first, _ = par.sentence_of(start)
    before = [s for s in found if par.offset(first) <= s["start"] < par.offset(start)]
    if before and new_subject(par, par.token_at(before[-1]["start"]), start):
        return []  # "When A accused him of X, Khosla answered by ... and asking": not A's
    if before:
        return [_statement(par, None, cue, words, before[-1]["speaker"], before[-1]["speaker_text"])]
    person = par.sentence_subject(first, start)
    role = par.opening_role(first, start) if person is None else None
    if role is not None:  # "The Tesla and Twitter chief repeated his warnings, saying ..."
        return [_statement(par, role, cue, words)]
    if person is None:
        return _group_subject(par, first, start, cue, words) or _pronoun_subject(par, first, start, cue, words)
    return [_statement(par, None, cue, words, p, p) for p in joint_subject(par, first, start, person)]


def _group_subject(par: Paragraph, first: int, start: int, cue: str, words: tuple[int, int]) -> list[dict]:
    """"The Leaders jointly inaugurated ... and reaffirmed that ...": a sentence opening with a group
    phrase ("the leaders", "the three leaders") goes on with the people it stands for."""
    tokens = par.tokens
    for n in (2, 3):
        if first + n <= start and tokens[first + n - 1].lower_ in {"leaders", "presidents"}:
            phrase = par.text[par.offset(first):par.token_end(first + n - 1)]
            people = par.group(par.offset(first), phrase)
            return [_statement(par, None, cue, words, p, phrase) for p in people]
    return []


def _pronoun_subject(par: Paragraph, first: int, start: int, cue: str, words: tuple[int, int]) -> list[dict]:
    """"He also raised ..., suggesting ...": a sentence whose subject is "he"/"she" (first word, or
    first after an opening adverbial) goes on with the person the pronoun refers to."""
    tokens = par.tokens
    at = first
    if at < start and tokens[at].lower_ not in SUBJECT_PRONOUNS:
        comma = next((k for k in range(at, min(start, at + 12)) if tokens[k].text == ","), None)
        if comma is None or tokens[at].lower_ not in OPENERS:
            return []
        at = comma + 1
    if at >= start or tokens[at].lower_ not in SUBJECT_PRONOUNS or par.in_quote(par.offset(at)):
        return []
    return [_statement(par, (par.offset(at), par.token_end(at)), cue, words)]


def _according(par: Paragraph, start: int, end: int) -> list[dict]:
    tokens = par.tokens
    first, last = par.sentence_of(start)
    k = end
    while k < last and tokens[k].text not in BOUNDARY_MARKS and k - end < 12:
        k += 1
    if k == end:
        return []
    speaker_span = (par.offset(end), par.token_end(k - 1))
    if start == first or tokens[start - 1].text in {"“", "\""}:
        if k >= last or tokens[k].text != ",":
            return []
        content_end = _clause_end(par, k + 1)
        words = (par.offset(k + 1), par.token_end(content_end - 1)) if content_end > k + 1 else None
    else:
        stop = start - 1 if tokens[start - 1].text == "," else start
        words = (par.offset(first), par.token_end(stop - 1)) if stop > first else None
    if words is None:
        return []
    speaker, text = par.resolve_after(*speaker_span)
    return [_statement(par, None, "according to", words, speaker, text)]


def _need(par: Paragraph, start: int, end: int) -> list[dict]:
    """"talked about the need for X", "floated the idea of X": a stated position."""
    content_end = _clause_end(par, end - 1)
    spans = _subject(par, start)
    if not spans or content_end - end < 1:
        return []
    cue = par.text[par.offset(start):par.token_end(end - 1)]
    words = (par.offset(end - 2 if par.tokens[end - 1].lower_ in {"need", "importance"} else end),
             par.token_end(content_end - 1))
    return [_statement(par, span, cue, words) for span in spans[:1]]


def _in_view(par: Paragraph, start: int, end: int) -> list[dict]:
    tokens = par.tokens
    if end >= len(tokens) or (tokens[end].text != "," and par.sentence_of(start)[0] != start):
        return []  # "In her view they deserve ...": the comma may go when the phrase opens the sentence
    words = end + 1 if tokens[end].text == "," else end
    content_end = _clause_end(par, words)
    if content_end - words < 3:
        return []
    pronoun = (par.offset(start + 1), par.token_end(start + 1))
    return [_statement(par, pronoun, par.text[par.offset(start):par.token_end(end - 1)],
                       (par.offset(words), par.token_end(content_end - 1)))]
