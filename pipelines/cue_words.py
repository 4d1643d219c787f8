"""Where a reporting cue's words start (pipelines/reported_speech.py): a bare clause after "told
<object>", a quoted word opening a clause, a place or time phrase after the cue."""

from __future__ import annotations

from pipelines.cue_lexicon import (BOUNDARY_MARKS, BOUNDARY_WORDS, DOCUMENT_NOUNS, FILINGS, PUBLISHING, SKIP_BEFORE,
                                   SPEECH_PARTICIPLES, TIME_WORDS)
from pipelines.speaker_phrases import PREPOSITIONS, Paragraph

CLAUSE_SUBJECTS = {"he", "she", "they", "we", "i"}  # nominative only: a clause starts here ("it" may be an object)


def after_object(window: list[str]) -> int | None:
    """Where a bare clause starts after "told <object>": a nominative pronoun, or the words after a
    time phrase, within the first five words and with no punctuation or clause word before it."""
    if not window or window[0] in BOUNDARY_MARKS | BOUNDARY_WORDS | PREPOSITIONS:
        return None
    for k in range(1, min(5, len(window))):
        if window[k] in CLAUSE_SUBJECTS:
            return k
        skip = time_phrase(window[k:])
        if skip and len(window) - k - skip >= 3:
            return k + skip
        if window[k] in BOUNDARY_MARKS | BOUNDARY_WORDS | PREPOSITIONS:
            return None
    return None


def quoted_word(par: Paragraph, i: int) -> bool:
    """"shot back that “clear” was doing a lot of work": a quoted word or two opening a reported
    clause that goes on after the closing mark (a quotation that IS the words is not this)."""
    inner = par.in_quote(par.offset(i) + 1)
    if inner is None or len(par.text[inner[0]:inner[1]].split()) > 3:
        return False
    after = par.text[inner[1] + 1:inner[1] + 30].split()
    return bool(after) and after[0][:1].islower()


def as_said_where(par: Paragraph, i: int, window: list[str]) -> int:
    """"As I said in London last year, AI must ...": after "as ... said", the words up to the comma
    only say where or when; how many they are (0 without "as" just before the cue)."""
    first, _ = par.sentence_of(i - 1)
    if not any(t.lower_ == "as" for t in par.tokens[max(first, i - 6):i - 1]) or "," not in window[:9]:
        return 0
    comma = window.index(",")
    return comma + 1 if not any(w in BOUNDARY_MARKS for w in window[:comma]) else 0


def time_phrase(words: list[str]) -> int:
    """How many words at the start of `words` only say when ("on Tuesday", "last week", "on 28 May")."""
    n = 0
    if words and words[0] in {"on", "last", "this", "earlier", "in", "late", "early"}:
        n = 1
    k = n
    while k < len(words) and (words[k] in TIME_WORDS or words[k].isdigit()):
        k += 1
    return k if k > n else 0


BE_FORMS = {"is", "are", "was", "were", "been", "be", "'s", "’s"}
RENEWING = {"reiterated", "repeated", "renewed", "restated", "reiterates", "repeats", "renews"}  # one's own call again
ECHOING = RENEWING | {"echoed", "echoes", "seconded"}  # "echoed Bengio's call for": said it too (not "backed": endorsing)
ASIDES = {"however", "though", "moreover", "too", "also", "again", "meanwhile", "instead", "nonetheless", "then"}


def progressive_head(par: Paragraph, start: int) -> int | None:
    """The auxiliary of a progressive cue ("is telling", "has been warning", "was saying"): a form
    of "be" before the participle at `start`, adverbs aside; None otherwise."""
    k = start - 1
    while k >= 0 and par.tokens[k].lower_ in ASIDES | {"now", "still", "already", "long", "repeatedly", "publicly"}:
        k -= 1
    return k if k >= 1 and par.tokens[k].lower_ in BE_FORMS else None


def nominal_head(par: Paragraph, start: int) -> int | None:
    """The verb of "reiterated his call for", "renewed her warning that": the cue is a noun owned by
    the subject of a verb of repeating, who speaks; None otherwise."""
    tokens = par.tokens
    if start >= 2 and tokens[start - 1].lower_ in {"his", "her", "their"} and tokens[start - 2].lower_ in RENEWING:
        return start - 2
    if start >= 3 and tokens[start - 1].lower_ in {"'s", "’s"}:  # "echoed Bengio's call for": the echoer speaks
        k = next((k for k in range(start - 2, max(0, start - 5), -1) if tokens[k].lower_ in ECHOING), None)
        if k is not None and all(t.text[:1].isupper() for t in tokens[k + 1:start - 1]):
            return k
    return None


def aside_after(par: Paragraph, i: int, last: int) -> int:
    """How many tokens after a cue are a parenthetical adverb between commas ("noted, however, that")."""
    tokens = par.tokens
    if i + 2 < last and tokens[i].text == "," and tokens[i + 1].lower_ in ASIDES and tokens[i + 2].text == ",":
        return 3
    return 0


def dash_aside(par: Paragraph, j: int, first: int) -> int | None:
    """"Gina Raimondo — the commerce secretary — said": the token before the opening dash of an aside
    ending at token j (a dash), or None."""
    tokens = par.tokens
    if tokens[j].text not in {"—", "–"}:
        return None
    k = next((k for k in range(j - 1, max(first, j - 15) - 1, -1) if tokens[k].text in {"—", "–"}), None)
    return k - 1 if k is not None and k - 1 >= first else None


def after_document(par: Paragraph, i: int) -> bool:
    """"published a statement saying ...", "wrote to Zuckerberg on Tuesday asking ...": a speech
    participle right after the subject's own document ("a", a publishing verb before it) or a time
    phrase, with no comma, goes on with the sentence's subject ("the letter calling for": the letter's)."""
    tokens = par.tokens
    previous = tokens[i - 1]
    if tokens[i].lower_ not in SPEECH_PARTICIPLES:
        return False
    if previous.lower_ in TIME_WORDS or previous.text.isdigit():
        return not any(t.lower_ in FILINGS | DOCUMENT_NOUNS for t in tokens[max(0, i - 9):i])
    if previous.lower_ not in DOCUMENT_NOUNS:
        return False
    window = [t.lower_ for t in tokens[max(0, i - 5):i - 1]]
    return any(w in {"a", "an"} for w in window) and any(w in PUBLISHING for w in window)


def coordinated(par: Paragraph, i: int) -> bool:
    """A verb whose subject is the previous clause's: "... and said", "..., but added"."""
    j = i - 1
    while j >= 0 and par.tokens[j].lower_ in SKIP_BEFORE:
        j -= 1
    return j >= 1 and par.tokens[j].lower_ in {"and", "but"} and par.tokens[j - 1].text not in {"“", "\""}
