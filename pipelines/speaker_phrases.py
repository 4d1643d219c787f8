"""Who a speaker phrase names: the paragraph model the prose extractors share.

`Paragraph` holds one paragraph of a document as spaCy tokens (the blank English tokenizer:
no statistical model), its sentences, its quotation segments and the registry mentions
inside it (from pipelines/people.py, which already resolved surnames, titles and aliases
against the whole document). `Paragraph.resolve(start, end)` turns the words at a cue into
a speaker:

- a person mention that ends the phrase ("Anthropic chief executive Dario Amodei") names
  that person; one that is possessive ("Musk's company") or follows a preposition ("a
  letter signed by Musk") does not: the phrase names something else (speaker null);
- a role phrase or description of data/roles.toml ("the President", "the Tesla chief
  executive") names whoever it named on the document's date;
- a pronoun ("he", "she", "his") names only a person named before it in the same
  paragraph: the subject of the nearest sentence that has a person as subject, else the
  only person named before it; with no one named before, the one person the paragraph
  names after it; otherwise no one;
- a definite description ("The Microsoft co-founder", "the Tesla and Twitter chief": "the",
  descriptor words, a title noun) names whom a pronoun there would, but never a person named
  only after it;
- "I" names the speaker of the turn or quotation it is in; "we" and "you" name no one;
- anything else (an organisation, a document, an unregistered name) is speaker null with
  the phrase kept as `speaker_text`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from pipelines.roles import Roles

PRONOUNS = {"he", "she", "him", "her", "his", "hers"}
FIRST_PERSON = {"i", "me", "my", "i’ve", "i've", "i’d", "i'd", "i’ll", "i'll"}
NO_ONE = {"we", "us", "our", "you", "your", "they", "them", "their", "it", "its", "who", "which"}
PREPOSITIONS = {"by", "of", "from", "with", "for", "about", "to", "on", "in", "at", "against", "than", "like",
                "under", "after", "before", "between", "among", "toward", "towards", "into", "over", "through"}
_DESCRIPTOR = re.compile(r"^(?:the|a|an|(?-i:[A-Z][\w.&'’\-]*)|chief|executive|former|co-founder|founder|director|"
                         r"senator|president|vice|secretary|chair|chairman|chairwoman|head|minister|prime|"
                         r"commissioner|ceo|cto|leader|representative|governor|ambassador|deputy|assistant|"
                         r"general|adviser|advisor|scientist|researcher|professor|fellow|current|then|"
                         r"acting|lead|board|member|of|and|&|,|'s|’s)$", re.I)


@dataclass
class Mention:
    start: int  # document offsets
    end: int
    person: str
    possessive: bool


@dataclass
class Paragraph:
    text: str  # the whole document text
    start: int
    end: int
    day: dt.date | None
    roles: Roles
    doc: object  # spaCy Doc of text[start:end]
    mentions: list[Mention]
    quotes: list[tuple[int, int]] = field(default_factory=list)  # inner spans, document offsets
    turn_speaker: object = None  # callable: offset -> (speaker, label) of the turn holding it, or None
    subjects: dict[int, tuple[str | None, str]] = field(default_factory=dict)  # sentence start -> subject
    spoken: list[tuple[int, str | None]] = field(default_factory=list)  # (speaker phrase offset, speaker)

    matcher: object = None  # the cue PhraseMatcher (pipelines/reported_speech.py)
    author: str | None = None  # who "I" is outside any turn: a signed statement's or a speech's author
    turn_people: frozenset[str] = frozenset()  # the registry speakers of the document's turns
    carried: str | None = None  # the one person the previous paragraph of the same turn spoke of
    people_roles: dict[str, str] = field(default_factory=dict)  # person -> registry role and affiliation (lower)

    def __post_init__(self) -> None:
        self.starts = [m.start for m in self.mentions]
        self.tokens = _light_tokens(self.doc, self.text, self.start)
        self.offsets = [self.start + t.idx for t in self.tokens]
        self.sentences = _sentence_starts(self.tokens)

    # --- positions ---------------------------------------------------------------------------

    def offset(self, i: int) -> int:
        return self.offsets[i] if i < len(self.tokens) else self.end

    def token_end(self, i: int) -> int:
        return self.offsets[i] + len(self.tokens[i].text)

    def token_at(self, offset: int) -> int:
        return max(bisect.bisect_right(self.offsets, offset) - 1, 0)

    def sentence_of(self, i: int) -> tuple[int, int]:
        """(first token, end token) of the sentence holding token i."""
        k = bisect.bisect_right(self.sentences, i) - 1
        first = self.sentences[max(k, 0)]
        last = self.sentences[k + 1] if k + 1 < len(self.sentences) else len(self.tokens)
        return first, last

    def in_quote(self, offset: int) -> tuple[int, int] | None:
        for start, end in self.quotes:
            if start <= offset < end:
                return start, end
        return None

    # --- mentions ----------------------------------------------------------------------------

    def mention_ending(self, end: int) -> Mention | None:
        """The mention whose last character is at `end` (trailing punctuation of a title allowed)."""
        k = bisect.bisect_right(self.starts, end) - 1
        while k >= 0 and self.mentions[k].start >= end - 80:
            m = self.mentions[k]
            if m.end == end or (m.end < end and not self.text[m.end:end].strip(" .,*_\xa0\n\t\r")):
                return m
            k -= 1
        return None

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        lo, hi = bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)
        return [m for m in self.mentions[lo:hi] if m.end <= end]

    # --- resolution --------------------------------------------------------------------------

    def resolve(self, start: int, end: int) -> tuple[str | None, str]:
        """(speaker or None, speaker_text) of the phrase text[start:end] (see the module docstring)."""
        phrase = re.sub(r"[\s\xa0]+", " ", self.text[start:end]).strip(" ,*_[]")
        phrase = re.sub(r"\*\*|\[|\]\([^)]*\)", "", phrase).strip(" ,")
        lower = phrase.lower()
        if lower in PRONOUNS:
            return self.antecedent(start), phrase
        if lower in FIRST_PERSON:
            return self.first_person(start), phrase
        if lower == "you" and self.turn_speaker is not None:
            return self.addressee(start), phrase
        if lower in NO_ONE or not phrase:
            return None, phrase
        held = self.role_phrase(lower)
        if held is not None:
            return held, phrase
        mention = self.mention_ending(end)
        fit = self.described(start, lower) if mention is None else None
        if fit is not None:  # "The secretary", "the majority leader": the one person named before whose role fits
            return fit, phrase
        if mention is None and is_description(phrase):  # "The Microsoft co-founder" named earlier
            return self.antecedent(start, forward=False), phrase
        if mention is None or mention.possessive or mention.start < start:
            return None, phrase
        before = self.text[start:mention.start].split()
        owner = max((k for k, w in enumerate(before) if w.endswith(("'s", "’s"))), default=-1)
        before = before[owner + 1:]  # "the Center for Humane Technology's Tristan Harris": the owner is apart
        if any(w.lower() in PREPOSITIONS for w in before) and not _title_words(before):
            return None, phrase
        return mention.person, phrase

    def described(self, offset: int, lower: str) -> str | None:
        """Who "the secretary", "the majority leader", "the commerce secretary" at `offset` is: the one
        person named before it in the paragraph whose registry role holds every word of the phrase."""
        words = lower.split()
        if not 2 <= len(words) <= 4 or words[0] != "the" or not self.people_roles:
            return None
        words = [w for w in words[1:] if w not in {"former", "top", "senior", "current", "then"}]
        if not words or words[-1] not in PERSON_HEADS or not all(re.fullmatch(r"[a-z][a-z\-]+", w) for w in words):
            return None  # "the party", "the Commission", "the United States": not a person's title
        fits = {m.person for m in self.mentions_between(self.start, offset) if all(
            re.search(rf"\b{w}\b", self.people_roles.get(m.person, "")) for w in words)}
        return fits.pop() if len(fits) == 1 else None

    def resolve_after(self, start: int, end: int) -> tuple[str | None, str]:
        """(speaker or None, speaker_text) of a phrase after its cue ("said OSTP Director Kratsios",
        "according to Sam Altman, ..."): its first mention, preceded only by descriptor words."""
        phrase = re.sub(r"[\s\xa0]+", " ", self.text[start:end]).strip(" ,*_")
        lower = phrase.lower()
        if lower in PRONOUNS | FIRST_PERSON | NO_ONE or self.role_phrase(lower) is not None:
            return self.resolve(start, end)
        for mention in self.mentions_between(start, end):
            words = self.text[start:mention.start].split()
            if not mention.possessive and all(_DESCRIPTOR.match(w) for w in words) \
                    and (not any(w.lower() in PREPOSITIONS for w in words) or _title_words(words)):
                return mention.person, phrase
            break
        return None, phrase

    def addressee(self, offset: int) -> str | None:
        """Whom "you" in a questioner's turn addresses: the last vocative before it in the
        paragraph ("Mr. President, ...", "Prime Minister Sunak, thank you."), else no one."""
        turn = self.turn_speaker(offset)
        if turn is None or turn[0] is not None or not self.roles.is_anonymous(turn[1]):
            return None  # only a questioner's "you" (a named host's "Mr. President" may be anyone's)
        window = self.text[max(self.start, offset - 400):offset]
        best: tuple[int, str | None] = (-1, None)
        for m in _VOCATIVE.finditer(window):
            best = (m.start(), self.roles.phrase_holder("the " + re.sub(r"\s+", " ", m.group(1)), self.day))
        lo = max(self.start, offset - 400)
        for mention in self.mentions_between(lo, offset):
            lead = self.text[max(lo, mention.start - 40):mention.start]
            if not mention.possessive and self.text[mention.end:mention.end + 1] in {",", "."} \
                    and (_GREETING.search(lead) or _ADDRESS_TITLE.search(lead)) and mention.start - lo > best[0]:
                best = (mention.start - lo, mention.person)
        for m in _FIRST_NAME.finditer(window):  # "Thanks, Karine.": a turn speaker's first name
            named = {p for p in self.turn_people if p.split()[0] == m.group(1)}
            if len(named) == 1 and m.start(1) > best[0]:
                best = (m.start(1), named.pop())
        return best[1]

    def next_paragraph(self) -> tuple[int, int] | None:
        """The paragraph after this one (a reporting clause ending in "that" introduces it)."""
        m = re.compile(r"\s*\n\s*\n\s*(\S(?:.*?\S)??)(?=\s*?\n\s*\n|\s*\Z)", re.S).match(self.text, self.end)
        return (m.start(1), m.end(1)) if m else None

    def role_phrase(self, lower: str) -> str | None:
        for candidate in (lower, "the " + lower.removeprefix("the ")):
            if candidate in self.roles.phrases:
                return self.roles.phrase_holder(candidate, self.day)
        return None

    def first_person(self, offset: int) -> str | None:
        quote = self.in_quote(offset)
        if quote is not None:
            return getattr(self, "quote_speakers", {}).get(quote)
        found = self.turn_speaker(offset) if self.turn_speaker is not None else None
        return found[0] if found else self.author

    def antecedent(self, offset: int, forward: bool = True) -> str | None:
        """The person a pronoun at `offset` refers to (see the module docstring); `forward`: or
        the one person named after it when the paragraph opens with the pronoun (never for a
        description). In a transcript turn it is never the turn's own speaker, who says "I"."""
        here = self.token_at(offset)
        first, _ = self.sentence_of(here)
        scope = self.in_quote(offset)
        own = self.turn_person(offset)
        k = bisect.bisect_right(self.sentences, first) - 1
        while k >= 0:
            sentence = self.sentences[k]
            if sentence < here:
                following = self.sentences[k + 1] if k + 1 < len(self.sentences) else len(self.tokens)
                limit = min(following, here)
                person = self.sentence_subject(sentence, limit)
                spoke = [p for at, p in self.spoken if self.offset(sentence) <= at < self.offset(limit)
                         and _SECOND_CLAUSE.search(self.text, self.offset(sentence), at)]
                if spoke and person not in spoke and (spoke[-1] is None or spoke[-1] != own):
                    return spoke[-1]  # "A signed it, but its organiser, B, said ... He added": B, the speaker
                if person is None:  # a role phrase or description that spoke in that sentence
                    person = next((p for at, p in self.spoken
                                   if p and p != own and self.offset(sentence) <= at < self.offset(limit)), None)
                if person is not None and person != own:
                    return person
            k -= 1
        lower = scope[0] if scope else self.start
        before = {m.person for m in self.mentions_between(lower, offset)
                  if not self._quoted_apart(m, scope) and not self.vocative(m)} | self.roles_named(lower, offset)
        before.discard(own)
        if before:  # named before, but not as a subject: only a lone person is a safe antecedent
            return before.pop() if len(before) == 1 else None
        if first == self.sentences[0] and scope is None and self.carried is not None:
            return self.carried  # "President Biden pointed out ... [paragraph] And he also pointed out": same turn
        if not forward or first != self.sentences[0]:
            return None
        upper = scope[1] if scope else self.end
        after = {m.person for m in self.mentions_between(offset, upper) if not self._quoted_apart(m, scope)}
        after.discard(own)
        return after.pop() if len(after) == 1 else None

    def spoke_of(self) -> str | None:
        """The one person (not the turn's own speaker) this paragraph's statements name as speaker,
        else the one person it names: what a pronoun opening the turn's next paragraph refers to."""
        own = self.turn_person(self.start)
        people = {p for _, p in self.spoken if p and p != own}
        if not people:
            people = {m.person for m in self.mentions if not self.vocative(m) and self.in_quote(m.start) is None}
            people.discard(own)
        return people.pop() if len(people) == 1 else None

    def group(self, offset: int, phrase: str) -> list[str]:
        """Who "the leaders", "both leaders", "the two presidents" at `offset` are: the people its
        sentence (else its paragraph) names before it (exactly two for "both"/"the two", at most
        four); none when fewer are named (the "two leaders" of a readout that names no one stay unresolved)."""
        match = _GROUP.fullmatch(" ".join(phrase.lower().split()))
        if match is None:
            return []
        first, _ = self.sentence_of(self.token_at(offset))
        people: list[str] = []
        for lower in (self.offset(first), self.start):  # the sentence's own names first ("between A and B, where")
            people = list(dict.fromkeys(m.person for m in self.mentions_between(lower, offset)
                                        if not m.possessive and self.in_quote(m.start) is None))
            if len(people) >= 2:
                break
        count = _COUNTS.get(match.group(1).split()[-1])
        if len(people) < 2 or len(people) > 4 or (count is not None and len(people) != count):
            return []
        return people

    def turn_person(self, offset: int) -> str | None:
        """The registry speaker of the transcript turn holding `offset`, if any."""
        found = self.turn_speaker(offset) if self.turn_speaker is not None else None
        return found[0] if found else None

    def vocative(self, mention: Mention) -> bool:
        """A one-word name addressed in a transcript turn ("John, the White House ...", "Thanks,
        Karine."): the person spoken to, not a subject or antecedent."""
        if self.turn_speaker is None or self.turn_speaker(mention.start) is None:
            return False
        before = self.text[max(self.start, mention.start - 40):mention.start]
        return " " not in self.text[mention.start:mention.end].strip() and \
            self.text[mention.end:mention.end + 1] in {",", ".", "?", "!"} and _GREETING.search(before) is not None

    def roles_named(self, start: int, end: int) -> set[str]:
        """Holders on the document's date of the role phrases ("the President") in text[start:end]."""
        pattern = _role_pattern(tuple(self.roles.phrases))
        if pattern is None:
            return set()
        found = {self.roles.phrase_holder(m.group(0), self.day) for m in pattern.finditer(self.text, start, end)}
        return {p for p in found if p}

    def _quoted_apart(self, mention: Mention, scope: tuple[int, int] | None) -> bool:
        """A mention inside a quotation other than the one the pronoun is in."""
        return self.in_quote(mention.start) != scope

    def sentence_subject(self, first: int, limit: int) -> str | None:
        """The person who is the subject of the sentence starting at token `first`, if its
        subject is a person named before token `limit`: the first mention after an opening
        adverbial ("In February, Musk ..."), preceded only by descriptor words."""
        key = first * 100_000 + limit
        if key in self.subjects:
            return self.subjects[key][0]
        person = None
        start = first
        tokens = self.tokens
        if start < limit and tokens[start].text[:1].isupper() and tokens[start].lower_ in OPENERS:
            comma = next((i for i in range(start, min(limit, start + 30)) if tokens[i].text == ","), None)
            timed = skip_time_lead(self, start, limit - 1)  # "On 21 October Amodei published ...": no comma
            start = timed if timed > start and tokens[timed].text != "," else comma + 1 if comma is not None else start
        for m in self.mentions_between(self.offset(start), self.offset(limit)):
            if self.vocative(m):
                continue
            words = self.text[self.offset(start):m.start].split()
            if self.in_quote(m.start) is None and not m.possessive and all(_DESCRIPTOR.match(w) for w in words):
                person = m.person
            break
        if person is None and start > first:  # "In his prepared remarks Zuckerberg defended ..., and said"
            m = self.after_opening(first, limit)
            person = m.person if m else None
        self.subjects[key] = (person, "")
        return person

    def opening_role(self, first: int, limit: int) -> tuple[int, int] | None:
        """The span of a role phrase or description opening the sentence at token `first` ("The
        Tesla and Twitter chief repeated ..., saying"), ending before token `limit`."""
        pattern = _role_pattern(tuple(self.roles.phrases))
        m = pattern.match(self.text, self.offset(first), self.offset(limit)) if pattern and first < limit else None
        if m is None or self.text[m.end():m.end() + 1] in {"'", "’", ":"} or m.group(0).isupper():
            return None  # "The President's spokesman", a turn label
        between = self.text[m.end():self.offset(limit)].lower().split()
        if any(w in {"with", "—", "–", "like", "including", "while", "as"} for w in between):
            return None  # "The President faces pressure — with the Republicans calling for ...": theirs
        return m.start(), m.end()

    def after_opening(self, first: int, limit: int) -> Mention | None:
        """The person named right after a sentence's opening phrase with no comma ("In his prepared
        remarks Zuckerberg defended ..."): a mention after a noun (not a preposition or article),
        followed by a lower-case word."""
        tokens = self.tokens
        if first >= limit or tokens[first].lower_ not in OPENERS or not tokens[first].text[:1].isupper():
            return None
        for m in self.mentions_between(self.offset(first), self.offset(limit)):
            lead = self.text[self.offset(first):m.start].split()
            after = self.text[m.end:self.offset(limit) + 40].split()
            if m.possessive or self.in_quote(m.start) or len(lead) < 2 or any(w in ",;:" or w.endswith(",")
                                                                              for w in lead):
                return None
            if lead[-1].lower() in PREPOSITIONS | {"a", "an", "the", "and", "or"} or not after \
                    or not after[0][:1].islower():
                return None
            return m
        return None


_TITLE_LINKS = {"of", "for", "to", "the", "and", "on", "&"}


def _title_words(words: list[str]) -> bool:
    """"Senior Advisor to the President for International Climate Policy": a capitalised title whose
    prepositions link its words (not "a letter signed by", "After meeting")."""
    return bool(words) and words[0][:1].isupper() and words[0].lower() not in PREPOSITIONS | OPENERS \
        and all(w[:1].isupper() or w.lower() in _TITLE_LINKS for w in words) and words[-1].lower() not in _TITLE_LINKS


TITLE_NOUNS = {"co-founder", "cofounder", "founder", "chief", "executive", "ceo", "billionaire", "entrepreneur",
               "senator", "lawmaker", "congressman", "congresswoman", "scientist", "researcher", "investor", "boss",
               "pioneer", "chairman", "chairwoman", "commissioner", "governor", "professor", "mogul", "magnate"}


PERSON_HEADS = {"secretary", "senator", "leader", "minister", "governor", "commissioner", "director", "chair",
                "chairman", "chairwoman", "administrator", "ambassador", "adviser", "advisor", "representative",
                "congressman", "congresswoman", "speaker", "mayor", "chancellor", "founder", "co-founder", "ceo",
                "scientist", "researcher", "professor", "economist", "judge", "lawmaker", "coordinator", "envoy"}


def is_description(phrase: str) -> bool:
    """"The Microsoft co-founder", "the Tesla and Twitter chief": a definite description of a
    person (the, then at most five descriptor words, ending in a title noun)."""
    words = phrase.split()
    return 2 <= len(words) <= 6 and words[0].lower() == "the" and words[-1].lower() in TITLE_NOUNS \
        and all(_DESCRIPTOR.match(w) for w in words[1:])


@functools.lru_cache(maxsize=4)
def _role_pattern(phrases: tuple[str, ...]) -> re.Pattern | None:
    if not phrases:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in
                                          sorted(phrases, key=len, reverse=True)) + r")\b(?!\s+of\b)", re.I)


_GROUP = re.compile(r"(both|the two|two|the three|three|all three|the four|four|all four|the)\s+"
                    r"(?:leaders|presidents|heads of state|heads of government)")
_COUNTS = {"both": 2, "two": 2, "three": 3, "four": 4}
_SECOND_CLAUSE = re.compile(r"(?:[,;]\s*(?:but|and|while|whereas)|;)\s*$")  # "A signed, but B said": B's clause
_ADDRESS_TITLE = re.compile(r"(?:^|[,.?!—]\s*)(?:[A-Z][\w.]*\s+){0,3}$")  # "Prime — Prime Minister Sunak,"
_FIRST_NAME = re.compile(r"(?:^|[.?!]\s+|\b(?:thanks|thank you|hey|hi|hello|okay|and|so),?\s+)([A-Z][a-z]+)[,.](?=\s)",
                         re.I)
_GREETING = re.compile(r"(?:^|[.?!:]\s+|\bQ\s+|\b(?:thanks|thank you|hey|hi|hello|okay|ok|yes|well|sorry|and|so),?\s+)$",
                       re.I)
_VOCATIVE = re.compile(r"(?:Mr\.|Madam|Madame|Mister)\s+(Vice\s+President|President|Secretary|Prime\s+Minister)\b")
OPENERS = {"in", "on", "at", "after", "before", "during", "since", "speaking", "asked", "back", "days", "over",
            "earlier", "later", "last", "this", "as", "when", "while", "with", "for", "at", "by", "following",
            "addressing", "testifying", "writing", "meanwhile", "however", "still", "yet", "separately", "also",
            "then", "now", "today", "yesterday", "pressed", "responding", "appearing", "weeks", "months", "hours"}


TIME_LEAD = {"on", "in", "last", "this", "earlier", "late", "early"}
_TIME = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
         "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
         "week", "month", "year", "weekend", "morning", "afternoon", "evening", "night", "day", "today",
         "yesterday", "tonight"}


def skip_time_lead(par: Paragraph, s: int, j: int) -> int:
    """The first token of the subject s..j after a leading time phrase ("On 28 July", "Last week",
    "In March 2024"); s itself when there is none or nothing would be left."""
    tokens = par.tokens
    if tokens[s].lower_ not in TIME_LEAD:
        return s
    k = s + 1
    while k <= j and (tokens[k].lower_ in _TIME or tokens[k].text.isdigit()):
        k += 1
    return k if s + 1 < k < j + 1 else s


class Tok:
    """A token's text, lower case and offset in its paragraph: spaCy's Token without the cost of
    making one per token."""

    __slots__ = ("text", "lower_", "idx")

    def __init__(self, text: str, idx: int):
        self.text, self.lower_, self.idx = text, text.lower(), idx


def _light_tokens(doc, text: str, start: int) -> list[Tok]:  # noqa: ANN001 - a spaCy Doc
    spans = doc.to_array(["IDX", "LENGTH"]).tolist() if len(doc) else []
    return [Tok(text[start + i:start + i + n], i) for i, n in spans]


def _sentence_starts(tokens: list) -> list[int]:
    """Token indices where sentences start: after . ! ? (and any closing quote) before a capital."""
    starts = [0]
    n = len(tokens)
    for i, token in enumerate(tokens):
        if token.text in {".", "!", "?"} or (token.text.endswith(".") and token.text.count(".") == 1
                                              and len(token.text) > 4 and token.text[:-1].isalpha()
                                              and token.text[0].islower()):
            j = i + 1
            while j < n and (tokens[j].text in {"”", "\"", "’", "'", ")", "**"} or tokens[j].text.isspace()):
                j += 1  # closing marks, and the whitespace tokens of "\xa0" runs
            if j < n and (tokens[j].text[:1].isupper() or tokens[j].text in {"“", "\"", "("}):
                if j > starts[-1]:
                    starts.append(j)
    return starts
