"""Speaker turns in transcripts: `THE PRESIDENT:`, `MS. JEAN-PIERRE:`, `Q`, `SECRETARY LUTNICK:`.

A turn label is an upper-case label at the start of a line followed by a colon (or `Q`
followed by spaces, as White House transcripts write it). The speaker carries from the label
to the next label (over any number of paragraphs), or to an `END` line or the end of the
document. A document needs two labels to count as a transcript, so a lone heading such as
"FACT SHEET:" is not a turn.

Labels resolve to registry people (`LabelResolver`):
  1. anonymous labels (`Q`, `MODERATOR`, `SENIOR ADMINISTRATION OFFICIAL`, the `anonymous`
     list of data/roles.toml) are no one: speaker null;
  2. role labels (`THE PRESIDENT`, `THE VICE PRESIDENT`) name whoever held the office on
     the document's date (data/roles.toml);
  3. otherwise the label's name part (after MR./MS./SECRETARY/PRESIDENT/...) is looked up
     in data/people.toml by surname, full name or alias. A person the document itself names
     (its text or title) wins; an office title (SECRETARY, SENATOR) also accepts the only
     registry person with that surname; a bare honorific (MR., MS.) does not, because
     transcripts name their speakers and an unrelated namesake would be a wrong speaker.
Anything else is unresolved: speaker null, and listed by `discourse people --candidates`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.people import TITLES, Registry
from pipelines.roles import Roles, fold_label

_SPACE = r"[ \t\xa0]"
_WORD = r"[A-Z][A-Z.'’\-]*"
TURN_LABEL = re.compile(
    rf"^{_SPACE}*(?P<label>{_WORD}(?:{_SPACE}{_WORD}){{0,4}}){_SPACE}*:{_SPACE}+(?=\S)"
    rf"|^{_SPACE}*(?P<q>Q)(?::{_SPACE}*|{_SPACE}{{2,}}|\xa0+|\t)(?=\S)",
    re.M,
)
END_LINE = re.compile(r"^[ \t\xa0]*END[ \t\xa0]+\d{1,2}:\d{2}", re.M)
# Headings that look like labels but are not speakers.
NOT_LABELS = frozenset({
    "FACT SHEET", "NOTE", "NOTES", "UPDATE", "EDITOR'S NOTE", "EDITOR’S NOTE", "WASHINGTON", "BACKGROUND",
    "READOUT", "STATEMENT", "PRESS RELEASE", "EMBARGOED", "SUBJECT", "RE", "TITLE", "SECTION", "SEC", "ATTACHMENT",
    "WHAT THEY ARE SAYING", "WHAT THEY’RE SAYING", "WHAT THEY'RE SAYING", "FOR IMMEDIATE RELEASE", "AI", "USA",
    "U.S.", "UPDATED", "CORRECTION", "PURPOSE", "SUMMARY", "BY THE PRESIDENT", "ONLINE", "WHEN", "WHERE", "WHO",
})
# Words of a label before the name: office titles and honorifics (upper case).
_OFFICE_TITLES = sorted({t.upper().rstrip(".") for t in TITLES if t not in {"Mr.", "Mr", "Ms.", "Ms", "Mrs.", "Mrs",
                                                                          "Dr.", "Dr", "Sir", "Dame", "Lord"}}
                        | {"DIRECTOR-GENERAL", "DEPUTY SECRETARY", "SECRETARY OF STATE", "FIRST LADY", "DEPUTY",
                           "CHANCELLOR", "MINISTER", "ADMINISTRATOR", "CONGRESSMAN", "CONGRESSWOMAN", "COMMANDER"},
                        key=len, reverse=True)
_HONORIFICS = ("MR", "MS", "MRS", "DR", "MISS", "MX", "SIR", "DAME", "LORD")
_LEADING = re.compile(r"^(?:THE\s+)?(?:(?P<office>" + "|".join(re.escape(t) for t in _OFFICE_TITLES)
                      + r")|(?P<honorific>" + "|".join(_HONORIFICS) + r"))\.?\s+")


@dataclass(frozen=True)
class Turn:
    label_start: int
    start: int  # the turn's words
    end: int
    label: str  # as written, without the colon
    speaker: str | None
    status: str  # "person", "anonymous" or "unresolved"


def find_turn_labels(text: str) -> list[tuple[int, int, str]]:
    """(label start, words start, label as written) of every turn label; [] unless there are two,
    or one that names a speaker by office or honorific (a solo speech: "THE VICE PRESIDENT:  Good
    morning")."""
    found = []
    for match in TURN_LABEL.finditer(text):
        label = match.group("label") or match.group("q")
        if fold_label(label) in NOT_LABELS or len(label.replace(".", "")) < 1:
            continue
        if label == "Q":  # "Q:  ..." is the questioner's label too
            found.append((match.start("label") if match.group("label") else match.start("q"), match.end(), label))
            continue
        if match.group("label") and not re.search(r"[A-Z]{2}", label):
            continue  # "A.:" or a lone initial is not a speaker
        found.append((match.start("label") if match.group("label") else match.start("q"), match.end(), label))
    if len(found) == 1 and _LEADING.match(fold_label(found[0][2]) + " "):
        return found
    return found if len(found) >= 2 else []


def _fold_name(text: str) -> str:
    return re.sub(r"[\s\xa0]+", " ", text).strip().casefold().replace("’", "'")


class LabelResolver:
    """Turn labels -> registry people (see the module docstring)."""

    def __init__(self, registry: Registry, roles: Roles):
        self.roles = roles
        self.by_form: dict[str, set[str]] = {}
        self.role_of = {p.name: (p.role or "").casefold() for p in registry.people}
        for person in registry.people:
            forms = {person.surname, person.name, *person.aliases}
            for form in forms:
                self.by_form.setdefault(_fold_name(form), set()).add(person.name)

    def resolve(self, label: str, day: dt.date | None, context: frozenset[str] = frozenset()
                ) -> tuple[str | None, str]:
        """(speaker or None, status) of one label on a document dated `day` that names `context`."""
        folded = fold_label(label)
        if self.roles.is_anonymous(folded):
            return None, "anonymous"
        if folded in self.roles.labels:
            person = self.roles.holder(folded, day)
            return (person, "person") if person else (None, "unresolved")
        match = _LEADING.match(folded)
        office = match.group("office") if match else None
        name = folded[match.end():] if match else folded
        candidates = set(self.by_form.get(_fold_name(name), set()))
        if not candidates and " " in name:  # MR. CAMERON WINKLEVOSS: first name + surname
            candidates = set(self.by_form.get(_fold_name(name.split()[-1]), set()))
            candidates = {c for c in candidates if _fold_name(c).startswith(_fold_name(name.split()[0]))}
        named = candidates & context
        if len(named) == 1:
            return named.pop(), "person"
        if office and len(candidates) > 1:
            candidates = {c for c in candidates if office.casefold() in self.role_of.get(c, "")}
        if office and len(candidates) == 1 and not named:
            return candidates.pop(), "person"
        return None, "unresolved"


def document_turns(text: str, day: dt.date | None, resolver: LabelResolver,
                   context: frozenset[str] = frozenset()) -> list[Turn]:
    """Every turn of one document, its words running to the next label (or an END line)."""
    labels = find_turn_labels(text)
    if not labels:
        return []
    ends = [m.start() for m in END_LINE.finditer(text)]
    turns = []
    cache: dict[str, tuple[str | None, str]] = {}
    for index, (label_start, start, label) in enumerate(labels):
        limit = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        limit = min([e for e in ends if start <= e < limit] or [limit])
        end = start + len(text[start:limit].rstrip())
        if end <= start:
            continue
        if label not in cache:
            cache[label] = resolver.resolve(label, day, context)
        speaker, status = cache[label]
        turns.append(Turn(label_start, start, end, label, speaker, status))
    return turns


def count_unresolved(turns: Iterable[Turn]) -> dict[str, int]:
    """Unresolved labels (as written, folded) with their number of turns."""
    counts: dict[str, int] = {}
    for turn in turns:
        if turn.status == "unresolved":
            key = fold_label(turn.label)
            counts[key] = counts.get(key, 0) + 1
    return counts
