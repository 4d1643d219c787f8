"""Quotations in prose: words in quotation marks with a speaker next to them.

A quotation is attributed when a reporting clause touches it:
  after it      “...,” Altman said / “...,” said OSTP Director Kratsios / “...,” the company said
  before it     Musk said: “...” / Altman told the podcast host: “...” / As President Trump said
                to me in his letter, “...”
  round-ups     **Name, title:** “...” (a paragraph opening with a name and a colon)
  interrupted   “...,” Jan Leike wrote, “...”: the second segment gets the first one's speaker
  partial       predicted that robots “could be greater than one to one”: a quotation inside a
                reported clause (pipelines/reported_speech.py) gets that clause's speaker
  run-on        a quotation left open at the end of a paragraph and reopened at the start of
                the next is one quotation in two segments, both with the speaker found for either
Nested quotations (single marks inside double ones) are attributed inside the outer quotation.
An unattributed quotation (a title, a scare-quoted term, "“EV” has a copyright") is not a
statement. Speakers are resolved by `Paragraph.resolve` (pipelines/speaker_phrases.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.speaker_phrases import Paragraph

_S = r"[\s\xa0]"
_VERBS = (r"said|says|say|told|tells|wrote|writes|posted|added|adds|noted|argued|argues|warned|warns|explained|"
          r"insisted|asked|recalled|tweeted|declared|stated|continued|replied|responded|remarked|observed|"
          r"concluded|cautioned|ask|asks|predicted|promised|explains|notes|put[\s\xa0]+it|puts[\s\xa0]+it|quipped|"
          r"joked|testified|asserted|asserts|stressed|stresses|emphasized|emphasised|underscored|acknowledged|"
          r"admitted|conceded|reaffirmed|affirmed|urged|countered|boasted|recounted|proclaimed|exclaimed|mused|"
          r"commented|answered|retorted")
_ADVERBS = rf"(?:(?:also|later|then|has|had|have|once|previously|simply|only|just|recently|further){_S}+)*"
_ABBR = r"\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Sgt|Prof|St|Jr|Sr)\.(?=\s)"  # "**Mrs. Trump stated**, “...”"
_NP = rf"(?:{_ABBR}|[^,.;:“”\"()\[\]!?]){{1,90}}?"
AFTER_INVERTED = re.compile(
    rf"^[\s\xa0*]*(?P<cue>{_VERBS}){_S}+(?P<np>(?:\b[A-Z]\.|[^,.;:“”\"()!?]){{1,90}}?)"
    rf"(?=[,;:!?(]|(?<!\b[A-Z])\.|{_S}+(?:in|on|at|during|after|before|to|when|while|last|this|of|who|as)\b|\*\*|$)")
AFTER_LONG = re.compile(rf"^[\s\xa0*]*(?P<cue>{_VERBS}){_S}+(?P<np>(?:\b[A-Z]\.|[^,.;:“”\"()!?]){{1,90}}?)"
                        rf"(?=[,;:!?(]|(?<!\b[A-Z])\.|\*\*|$)")
_APPOS = r"(?P<appos>,[^,.;:“”\"()\[\]!?]{1,80},)?"  # "Sam Altman, OpenAI's chief executive, said"
AFTER_NORMAL = re.compile(rf"^[\s\xa0*]*,?{_S}*(?P<np>{_NP}){_APPOS}{_S}+{_ADVERBS}(?P<cue>{_VERBS})\b")
BEFORE = re.compile(rf"(?P<np>{_NP}){_APPOS}{_S}+{_ADVERBS}\[?(?P<cue>{_VERBS})(?:\]\([^)\s]*\))?"
                    rf"(?P<mid>[^.“”\"!?]{{0,110}}?){_S}*[:,]?{_S}*(?:\*\*)?{_S}*$")
ROUND_UP = re.compile(rf"[\s\xa0]*(?P<markup>\*\*|\[)?(?P<label>[^:“”\"\[\]()]{{2,200}}?)(?:\*\*)?(?:\]\([^)]*\))?"
                      rf"{_S}*(?:\*\*)?{_S}*:{_S}*(?:\*\*)?{_S}*[“\"]")
_CUT = re.compile(r".*\b(?:and|but|or|that|as|while|when|because|which|who|whom|so|if|though|although|since|"
                  r"where|then|after|before|As|And|But|While|When|Because|If)\b", re.S)
_VERB_SET = set(_VERBS.replace("put[\\s\\xa0]+it|puts[\\s\\xa0]+it|", "").split("|"))
SINGLE = re.compile(r"(?:(?<=[\s(])|^)[‘'](?=\w)(?P<inner>.+?)[’'](?=[\s,.;:!?)]|$)", re.S)


@dataclass
class Segment:
    open: int  # offset of the opening mark
    start: int  # the quoted words (marks excluded)
    end: int
    close: int | None  # offset just after the closing mark; None when left open at the paragraph end
    speaker: str | None = None
    speaker_text: str | None = None
    cue: str | None = None
    attributed: bool = False
    cue_after: bool = False  # its reporting clause follows it ("“...,” Altman said.")

    def words(self, text: str) -> tuple[int, int]:
        """The quoted words: trimmed of spaces, emphasis markup and a trailing comma."""
        start, end = self.start, self.end
        while start < end and (text[start].isspace() or text[start] == "*"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in "*,"):
            end -= 1
        return start, end


def quote_segments(text: str, start: int, end: int) -> list[Segment]:
    """The double-quoted segments of text[start:end], curly or straight, in order."""
    found: list[Segment] = []
    i = start
    while i < end:
        char = text[i]
        if char == "“" or (char == '"' and (i == start or not text[i - 1].isalnum())):
            j = text.find("”" if char == "“" else '"', i + 1, end)
            reopen = text.find("“", i + 1, end) if char == "“" else -1
            if 0 <= reopen and (j < 0 or reopen < j):  # unbalanced: open up to the next opening mark
                found.append(Segment(i, i + 1, reopen, None))
                i = reopen
                continue
            if j < 0:
                found.append(Segment(i, i + 1, end, None))
                break
            found.append(Segment(i, i + 1, j, j + 1))
            i = j + 1
            continue
        i += 1
    return [s for s in found if s.end > s.start]


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The last clause of text[start:end] (after a conjunction or 'that'), trimmed."""
    piece = text[start:end]
    cut = _CUT.match(piece)
    if cut:
        start += cut.end()
    while start < end and text[start] in " \xa0\t\n*":
        start += 1
    while end > start and text[end - 1] in " \xa0\t\n*":
        end -= 1
    return start, end


def _set(segment: Segment, par: Paragraph, np_start: int, np_end: int, cue: str, inverted: bool = False,
         appos: tuple[int, int] | None = None) -> bool:
    """Attribute the segment to the phrase text[np_start:np_end] (or, when that names no one, to
    the name in apposition after it: "Altman's rival, Musk, said")."""
    np_start, np_end = _clause(par.text, np_start, np_end)
    if np_end <= np_start or len(par.text[np_start:np_end].split()) > 9:
        return False
    resolve = par.resolve_after if inverted else par.resolve
    segment.speaker, segment.speaker_text = resolve(np_start, np_end)
    if segment.speaker is None and appos is not None and appos[1] - appos[0] > 3:
        named = par.resolve(appos[0] + 1, appos[1] - 1)
        segment.speaker, segment.speaker_text = named if named[0] else (None, segment.speaker_text)
    par.spoken.append((np_start, segment.speaker))
    segment.cue, segment.attributed = re.sub(r"\s+", " ", cue), True
    return True


def _span(m: re.Match, group: str, base: int) -> tuple[int, int] | None:
    return (base + m.start(group), base + m.end(group)) if m.group(group) else None


def attribute(segment: Segment, par: Paragraph, lower: int, upper: int) -> bool:
    """Find the reporting clause next to one segment (within text[lower:upper])."""
    text = par.text
    before_start = max(lower, segment.open - 260)
    before = BEFORE.search(text[before_start:segment.open])
    closed = text[segment.start:segment.end].rstrip(" \xa0\n*").endswith((".", "?", "!"))
    if segment.close is not None and not (closed and before):  # “... .” And I said: the cue before wins
        after = text[segment.close:min(upper, segment.close + 160)]
        m = AFTER_INVERTED.match(after)
        if m and not re.match(r"(?i)(?:that|it|so|nothing|the\s+word)\b", m.group("np").strip()):
            base = segment.close
            segment.cue_after = True
            long = AFTER_LONG.match(after)  # "said U.S. Secretary of Energy Chris Wright."
            if long and long.end("np") > m.end("np") and par.resolve_after(
                    base + long.start("np"), base + long.end("np"))[0] is not None:
                m = long
            return _set(segment, par, base + m.start("np"), base + m.end("np"), m.group("cue"), inverted=True)
        m = AFTER_NORMAL.match(after)
        if m and closed and text[segment.start:segment.end].rstrip(" \xa0\n*").endswith(".") \
                and re.match(rf"[^.!?“”\"]*?\b(?:that\b|[“\"])", after[m.end():]):
            m = None  # “... Midwest.” Smith said of Altman that “...”: a new sentence with its own words
        if m:
            base = segment.close
            segment.cue_after = True
            return _set(segment, par, base + m.start("np"), base + m.end("np"), m.group("cue"),
                        appos=_span(m, "appos", base))
    m = before
    if m:
        return _set(segment, par, before_start + m.start("np"), before_start + m.end("np"), m.group("cue"),
                    appos=_span(m, "appos", before_start))
    return _introduced(segment, par, lower) or _signed(segment, par, upper)


SIGNED = re.compile(rf"{_S}*[—–]{_S}*(?P<np>[^,.;:“”\"()\[\]—–\n]{{2,60}}?)"  # "“...” — Sam Altman, CEO"
                    rf"(?=[,;(\n]|{_S}*$|\.{_S}*$)")


def _signed(segment: Segment, par: Paragraph, upper: int) -> bool:
    """“...” — Sam Altman, CEO of OpenAI: a quotation signed with a dash and a person's name."""
    if segment.close is None:
        return False
    m = SIGNED.match(par.text, segment.close, upper)
    if m is None:
        return False
    person, phrase = par.resolve_after(m.start("np"), m.end("np"))
    if person is None or par.mention_ending(m.end("np")) is None:
        return False
    segment.speaker, segment.speaker_text, segment.cue, segment.attributed = person, phrase, "—", True
    return True


_SENTENCE_END = re.compile(  # a full stop after "Mr", "Sen" or an initial ends no sentence
    rf"(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr))(?<!\bMrs|\bSen|\bRep|\bGov|\bGen)(?<!\b[A-Z])[.!?][”\"’]?{_S}+")
_INTRO = re.compile(rf"(?P<clause>[^“”\"]{{2,160}}?){_S}*(?P<mark>[:,]){_S}*(?:\*\*)?{_S}*$")
_LEAD = re.compile(rf"(?:(?:But|And|Then|Later|Again|Instead|So){_S}+)?")


def _introduced(segment: Segment, par: Paragraph, lower: int) -> bool:
    """“...” after a clause of its own ending in a colon (or, for a whole quoted sentence, a comma)
    whose subject is a person: "Cruz was blunt: “...”", "Mrs. Trump also addressed the cynics,
    “...”". The subject speaks; a title ("signed an order, “Removing Barriers ...”") does not."""
    text = par.text
    m = _INTRO.fullmatch(text, _sentence_start(text, lower, segment.open), segment.open)
    words = text[segment.start:segment.end].split()
    if m is None or _title(words):
        return False
    if m.group("mark") == "," and not (words[0][:1].isupper() and text[segment.start:segment.end].rstrip(
            " \xa0\n*").endswith((".", "?", "!"))):
        return False
    found = clause_speaker(par, m.start("clause"), m.end("clause"))
    if found is None:
        return False
    segment.speaker, segment.speaker_text = found
    segment.cue, segment.attributed = m.group("mark"), True
    par.spoken.append((m.start("clause"), segment.speaker))
    return True


def _sentence_start(text: str, lower: int, upper: int) -> int:
    """Where the last sentence of text[lower:upper] starts."""
    start = lower
    for end in _SENTENCE_END.finditer(text, lower, upper):
        start = end.end()
    return start


def _title(words: list[str]) -> bool:
    """Too short to be said, or mostly capitalised words: a title, not speech."""
    return len(words) < 3 or sum(w[:1].isupper() for w in words) > 0.6 * len(words)


SPEECH_NOUNS = {"message", "reply", "response", "answer", "verdict", "warning", "words", "advice", "retort",
                "comment", "comments", "remarks", "argument", "promise", "pitch", "plea", "prediction"}


def clause_speaker(par: Paragraph, start: int, end: int) -> tuple[str, str] | None:
    """(person, words naming them) when the last sentence of text[start:end] is a short clause whose
    subject is a person named (or a pronoun referring to one) at its start and a lower-case verb
    phrase follows."""
    text = par.text
    start = _LEAD.match(text, _sentence_start(text, start, end), end).end()
    if len(text[start:end].split()) > 12:
        return None
    first = text[start:end].split()[0] if text[start:end].split() else ""
    if first.lower() in {"he", "she"}:
        subject = (start, start + len(first))
    else:
        named = par.mentions_between(start, end)
        if not named:
            return None
        subject = (start, named[0].end)
        if named[0].possessive:  # "Musk's reply was short: “...”": his own words, a speech noun
            rest = text[subject[1]:end].split()
            speech = bool(rest) and rest[0].lower().strip(",") in SPEECH_NOUNS and len(rest) <= 4
            return (named[0].person, text[subject[0]:subject[1]]) if speech and named[0].start == start else None
    rest = text[subject[1]:end].split()
    if not rest or not rest[0][:1].islower() or rest[0] in {"and", "or", "of", "for", "from"}:
        return None
    person, phrase = par.resolve_after(*subject) if first.lower() not in {"he", "she"} else par.resolve(*subject)
    return (person, phrase) if person is not None else None


def _round_up(par: Paragraph, segments: list[Segment]) -> None:
    """**Name, title:** “...”: the paragraph's first segment, spoken by the label."""
    m = ROUND_UP.match(par.text, par.start, par.end)
    if not m or not segments or segments[0].open >= m.end() or m.group("label").isupper():
        return
    words = m.group("label").split()
    if not m.group("markup") and (len(words) > 8 or any(w.lower() in _VERB_SET for w in words)):
        return  # "Pressed by ..., Altman said: “...”" is a sentence, not a round-up label
    label_start, label_end = m.start("label"), m.end("label")
    first = segments[0]
    speaker = None
    for mention in par.mentions_between(label_start, label_end):
        before = par.text[label_start:mention.start].lower().split()
        after = re.sub(r"\*\*|\]\([^)]*\)|\]", "", par.text[mention.end:label_end]).strip(" \xa0\n")
        whole = not after or after[0] in ",(–—-"  # "Rep. Young Kim": "Young" is not the whole name
        if whole and not mention.possessive and not any(w in {"by", "from", "of", "for", "on", "about"}
                                                        for w in before):
            speaker = mention.person
        break
    label = re.sub(r"[\s\xa0]+", " ", re.sub(r"\*\*", "", par.text[label_start:label_end])).strip(" ,")
    clause = clause_speaker(par, label_start, label_end) if speaker is None and not m.group("markup") \
        and not _title(par.text[first.start:first.end].split()) else None
    if clause is not None:  # "Cruz was blunt: “...”": a sentence, its subject speaks
        speaker, label = clause
    first.speaker, first.speaker_text, first.cue, first.attributed = speaker, label, ":", True


def paragraph_quotes(par: Paragraph) -> list[Segment]:
    """The paragraph's double-quoted segments, attributed where a reporting clause touches them."""
    segments = quote_segments(par.text, par.start, par.end)
    par.quotes = [(s.start, s.end) for s in segments]
    _round_up(par, segments)
    previous_end = par.start
    for index, segment in enumerate(segments):
        if not segment.attributed:
            upper = segments[index + 1].open if index + 1 < len(segments) else par.end
            attribute(segment, par, previous_end, upper)
        previous_end = segment.close or segment.end
    for index in range(1, len(segments)):  # “A,” he said, “B.”: B is his too
        segment, prior = segments[index], segments[index - 1]
        gap = par.text[prior.close or prior.end:segment.open]
        if not segment.attributed and prior.attributed and len(gap) < 90 and gap.rstrip().endswith(","):
            segment.speaker, segment.speaker_text, segment.cue = prior.speaker, prior.speaker_text, prior.cue
            segment.attributed = True
    _continuations(par, segments)
    par.quote_speakers = {(s.start, s.end): s.speaker for s in segments if s.attributed}
    return segments


def _continuations(par: Paragraph, segments: list[Segment]) -> None:
    """“A,” he said. “B.”: a quoted sentence right after an attributed one, with nothing between
    them but that one's reporting clause, goes on with the same speaker. Two quotations with
    nothing between them are left alone: in a speech they are as often a question and its reply."""
    text = par.text
    for prior, segment in zip(segments, segments[1:]):
        if segment.attributed or not prior.attributed or prior.close is None:
            continue
        gap = text[prior.close:segment.open].strip(" \xa0\t\n*")
        opening = text[segment.start:segment.end].lstrip(" \xa0*")[:1]
        if not opening.isupper():
            continue
        if prior.cue_after and gap.endswith(".") and len(gap) < 160 and "\n\n" not in gap:
            segment.speaker, segment.speaker_text, segment.cue = prior.speaker, prior.speaker_text, prior.cue
            segment.attributed = True


def nested_quotes(par: Paragraph, outer: Segment) -> list[Segment]:
    """Single-quoted segments inside an attributed double-quoted one, attributed within it."""
    found = []
    for m in SINGLE.finditer(par.text, outer.start, outer.end):
        inner = Segment(m.start(), m.start("inner"), m.end("inner"), m.end())
        if attribute(inner, par, outer.start, outer.end):
            found.append(inner)
    return found
