"""People stage: who each passage mentions, from the registry in data/people.toml.

One Aho-Corasick automaton (pyahocorasick) finds every name form of every person in one
pass over each document: full names and aliases (resolved at once), surnames alone or
after a title/honorific ("Musk", "Musk's", "Senator Blumenthal", "Mr. Altman"), which are
resolved in Polars to the person named in full earlier in the same document, or to the only
registry person with that surname; an ambiguous surname is not guessed. Organisation
phrases from the registry's `not_people` list win over a name inside them ("Ford Motor").
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import polars as pl

from pipelines.config import DATA_DIR
from pipelines.files import read_toml

MENTION_COLUMNS = ["passage_id", "doc_id", "person", "surface", "char_start", "char_end"]
DEFAULT_REGISTRY = DATA_DIR / "people.toml"

TITLES = [
    "Mr.", "Mr", "Ms.", "Ms", "Mrs.", "Mrs", "Dr.", "Dr", "Prof.", "Professor", "Sir", "Dame", "Lord",
    "President", "Vice President", "Former President", "President-elect", "Prime Minister",
    "Chancellor", "Senator", "Sen.", "Representative", "Rep.", "Congressman", "Congresswoman",
    "Speaker", "Leader", "Majority Leader", "Minority Leader", "Governor", "Gov.", "Mayor",
    "Secretary", "Deputy Secretary", "Commissioner", "Executive Vice-President", "Minister",
    "Chair", "Chairman", "Chairwoman", "Director", "Administrator", "Ambassador", "Judge",
    "Justice", "Attorney General", "Commerce Secretary", "Secretary-General", "General",
    "Admiral", "King", "Pope", "MEP", "Premier",
]
# Surnames that are also everyday capitalised words are only matched in full or with a title.
_COMMON_WORDS = {
    "May", "June", "April", "August", "March", "Will", "Bill", "Mark", "Rich", "Young", "Long",
    "Brown", "White", "Black", "Green", "Rice", "Bush", "Price", "Hope", "Grant", "Page", "Cook",
    "Hunt", "Field", "Love", "Lane", "House", "Church", "Hall", "Street", "Wood", "Stone", "King",
    "Bell", "Cash", "Chase", "Frank", "Rose", "Fox", "Gates", "Ball", "Wall", "Best", "Law",
}
_APOSTROPHES = ("'s", "’s")


@dataclass(frozen=True)
class Person:
    name: str
    surname: str
    aliases: tuple[str, ...] = ()
    role: str | None = None
    affiliation: str | None = None
    match_surname: bool = True


@dataclass(frozen=True)
class Registry:
    people: tuple[Person, ...]
    not_people: tuple[str, ...] = ()

    def frame(self) -> pl.DataFrame:
        """The registry as a table: person, surname, role, affiliation."""
        return pl.DataFrame(
            [(p.name, p.surname, p.role, p.affiliation) for p in self.people],
            schema={"person": pl.String, "surname": pl.String, "role": pl.String, "affiliation": pl.String},
            orient="row",
        )


class RegistryError(ValueError):
    """The people registry file is missing or malformed."""


def load_registry(path: Path = DEFAULT_REGISTRY) -> Registry:
    """Read data/people.toml (`[[person]]` tables with name, surname?, aliases?, role?, affiliation?)."""
    data = read_toml(path, "people registry", RegistryError)
    people: list[Person] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("person", [])):
        name = str(entry.get("name", "")).strip()
        if not name:
            raise RegistryError(f"{path}: person #{index + 1} has no name")
        if name in seen:
            raise RegistryError(f"{path}: person {name!r} is listed twice")
        seen.add(name)
        surname = str(entry.get("surname") or _default_surname(name)).strip()
        people.append(Person(
            name=name,
            surname=surname,
            aliases=tuple(str(a).strip() for a in entry.get("aliases", []) if str(a).strip()),
            role=entry.get("role"),
            affiliation=entry.get("affiliation"),
            match_surname=bool(entry.get("match_surname", surname not in _COMMON_WORDS)),
        ))
    return Registry(tuple(people), tuple(str(p) for p in data.get("not_people", [])))


def _default_surname(name: str) -> str:
    parts = [p for p in name.split() if p.rstrip(".") not in {"Jr", "Sr", "II", "III", "IV"}]
    return parts[-1] if parts else name


# --- matching ------------------------------------------------------------------------------

# A pattern is (kind, key, title): "full" names a person at once (key = canonical name);
# "surname" (alone, or after `title`) must be resolved (key = surname); "block" is an
# organisation phrase that is not a person.
Pattern = tuple[str, str, str]


@functools.lru_cache(maxsize=4)
def build_automaton(registry: Registry) -> ahocorasick.Automaton:
    """One automaton over every name form; values are lists of patterns for that form (cached
    per registry, which is immutable)."""
    forms: dict[str, list[Pattern]] = {}

    def add(form: str, pattern: Pattern) -> None:
        forms.setdefault(form, [])
        if pattern not in forms[form]:
            forms[form].append(pattern)

    for person in registry.people:
        for form in (person.name, *person.aliases):
            add(form, ("full", person.name, ""))
        for title in TITLES:
            add(f"{title} {person.surname}", ("surname", person.surname, title))
            add(f"{title} {person.name}", ("full", person.name, ""))
        if person.match_surname:
            add(person.surname, ("surname", person.surname, ""))
    for phrase in registry.not_people:
        add(phrase, ("block", phrase, ""))
    automaton = ahocorasick.Automaton()
    for form, patterns in forms.items():
        automaton.add_word(form, (len(form), tuple(patterns)))
    automaton.make_automaton()
    return automaton


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def collapse_whitespace(text: str) -> tuple[str, list[int], list[int]]:
    """Text with every whitespace run as one space, plus breakpoints to map offsets back.

    Names split across a line break ("Kamala\nHarris") or a hard line break then match.
    """
    pieces: list[str] = []
    collapsed_at: list[int] = []  # collapsed offset where each run's space sits
    original_after: list[int] = []  # original offset just after that run
    cursor = 0
    length = 0
    for run in re.finditer(r"\s+", text):
        pieces.append(text[cursor:run.start()])
        length += run.start() - cursor
        pieces.append(" ")
        collapsed_at.append(length)
        length += 1
        original_after.append(run.end())
        cursor = run.end()
    pieces.append(text[cursor:])
    return "".join(pieces), collapsed_at, original_after


def _to_original(pos: int, collapsed_at: list[int], original_after: list[int], *, end: bool) -> int:
    """Map a collapsed offset back to the original text."""
    index = bisect.bisect_right(collapsed_at, pos - 1 if end else pos) - 1
    if index < 0:
        return pos
    shift = original_after[index] - (collapsed_at[index] + 1)
    return pos + shift


def find_name_forms(text: str, automaton: ahocorasick.Automaton) -> list[tuple[int, int, str, str, str]]:
    """Leftmost-longest name forms in one text: (start, end, kind, key, title), word-bounded,
    offsets into `text`.

    A possessive "'s" is included in the match; a hyphenated compound ("Musk-backed")
    is not a mention.
    """
    flat, collapsed_at, original_after = collapse_whitespace(text)
    candidates: list[tuple[int, int, tuple[Pattern, ...]]] = []
    for last, (length, patterns) in automaton.iter(flat):
        start, end = last - length + 1, last + 1
        before = flat[start - 1] if start > 0 else " "
        after = flat[end] if end < len(flat) else " "
        if _is_word_char(before) or _is_word_char(after) or before == "-":
            continue
        if after == "-" and end + 1 < len(flat) and flat[end + 1].isalpha():
            continue
        candidates.append((start, end, patterns))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    found: list[tuple[int, int, str, str, str]] = []
    covered_until = -1
    for start, end, patterns in candidates:
        if start < covered_until:
            continue
        covered_until = end
        if flat.startswith(_APOSTROPHES, end):
            end += 2
        kind, key, title = _preferred(patterns)
        if kind != "block":
            found.append((
                _to_original(start, collapsed_at, original_after, end=False),
                _to_original(end, collapsed_at, original_after, end=True),
                kind, key, title,
            ))
    return found


def _preferred(patterns: tuple[Pattern, ...]) -> Pattern:
    """A form that is both a full name and a surname (rare) counts as the full name."""
    order = {"block": 0, "full": 1, "surname": 2}
    return min(patterns, key=lambda p: order[p[0]])


def raw_name_matches(documents: pl.DataFrame, automaton: ahocorasick.Automaton) -> pl.DataFrame:
    """Every name form found in every document, before resolution."""
    rows = [
        (doc_id, start, end, kind, key, title, text[start:end])
        for doc_id, text in documents.select("doc_id", "text").iter_rows()
        for start, end, kind, key, title in find_name_forms(text, automaton)
    ]
    return pl.DataFrame(
        rows, orient="row",
        schema={"doc_id": pl.String, "char_start": pl.UInt32, "char_end": pl.UInt32,
                "kind": pl.String, "key": pl.String, "title": pl.String, "surface": pl.String},
    )


def resolve_mentions(matches: pl.LazyFrame, registry: pl.LazyFrame) -> pl.LazyFrame:
    """Turn raw matches into (doc_id, person, surface, offsets).

    Full forms name their person. A surname (alone or after a title) is resolved by the first
    rule that gives exactly one person: the person with that surname named in full earlier
    in the document; the one whose registry role carries the title ("Vice President Harris");
    the only registry person with that surname. Otherwise it is ambiguous and dropped.
    """
    key = ["doc_id", "char_start"]
    columns = ["doc_id", "person", "surface", "char_start", "char_end"]
    full = matches.filter(pl.col("kind") == "full").with_columns(person=pl.col("key"))
    surnames = matches.filter(pl.col("kind") == "surname").with_columns(surname=pl.col("key"))
    people = registry.select("person", "surname", role=pl.col("role").fill_null("").str.to_lowercase())

    def only_one(candidates: pl.LazyFrame) -> pl.LazyFrame:
        return (
            candidates.group_by(key)
            .agg(pl.col("person").unique(), pl.col("char_end").first(), pl.col("surface").first())
            .filter(pl.col("person").list.len() == 1)
            .with_columns(person=pl.col("person").list.first())
            .select(columns)
        )

    first_full = (
        full.join(people, on="person").group_by("doc_id", "surname", "person")
        .agg(first_at=pl.col("char_start").min())
    )
    by_context = only_one(
        surnames.join(first_full, on=["doc_id", "surname"]).filter(pl.col("first_at") < pl.col("char_start"))
    )
    pending = surnames.join(by_context.select(key), on=key, how="anti")
    by_title = only_one(
        pending.filter(pl.col("title") != "").join(people, on="surname")
        .filter(pl.col("role").str.contains(pl.col("title").str.to_lowercase(), literal=True))
    )
    pending = pending.join(by_title.select(key), on=key, how="anti")
    by_surname = only_one(pending.join(people, on="surname"))
    return pl.concat([full.select(columns), by_context, by_title, by_surname]).sort("doc_id", "char_start")


def attach_to_passages(mentions: pl.LazyFrame, passages: pl.LazyFrame) -> pl.LazyFrame:
    """Give each mention the passage whose span contains it."""
    spans = passages.select("doc_id", "passage_id", pl.col("char_start").alias("p_start"),
                            pl.col("char_end").alias("p_end")).sort("p_start")
    return (
        mentions.sort("char_start")
        .join_asof(spans, left_on="char_start", right_on="p_start", by="doc_id", strategy="backward",
                   check_sortedness=False)  # both sides are sorted by offset just above
        .filter(pl.col("char_end") <= pl.col("p_end"))
        .sort("doc_id", "char_start")
        .select(MENTION_COLUMNS)
    )


def extract_mentions(documents: pl.DataFrame, passages: pl.LazyFrame, registry: Registry) -> pl.DataFrame:
    """Documents + passages -> mentions table (see docs/ARTIFACTS.md)."""
    matches = raw_name_matches(documents, build_automaton(registry))
    mentions = resolve_mentions(matches.lazy(), registry.frame().lazy())
    return attach_to_passages(mentions, passages).collect()


def passage_people(mentions: pl.LazyFrame) -> pl.LazyFrame:
    """passage_id -> sorted unique list of people mentioned."""
    return mentions.group_by("passage_id").agg(people=pl.col("person").unique().sort())


# --- candidates ----------------------------------------------------------------------------

_NAME = r"(?:Mc|Mac|O')?[A-Z][^\W\d_]+(?:[-'][A-Z][^\W\d_]+)?"
_CANDIDATE_PATTERNS = [
    re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
               + r")\s+(" + _NAME + r"(?:\s(?:[A-Z]\.\s)?" + _NAME + r"){0,2})"),
    re.compile(r"\b(" + _NAME + r"\s" + _NAME + r")(?:,[^,.]{1,80},)?\s(?:said|says|told|argued|wrote|warned|added)\b"),
    re.compile(r"\b(" + _NAME + r"\s(?:[A-Z]\.\s)?" + _NAME + r")\b"),
]
_NOT_NAME_WORDS = {
    "The", "This", "That", "These", "Those", "In", "On", "At", "For", "And", "But", "If", "When",
    "While", "As", "After", "Before", "During", "Since", "With", "Without", "From", "By", "Of",
    "Our", "We", "It", "Its", "He", "She", "They", "His", "Her", "Their", "A", "An", "Under",
    "United", "States", "House", "Senate", "White", "American", "National", "Federal", "Act",
    "Artificial", "Intelligence", "AI", "New", "York", "Department", "Office", "Council",
    "Committee", "Administration", "Executive", "Order", "Union", "European", "Commission",
    "Street", "Journal", "Times", "Post", "News", "Today", "Secretary", "President", "Vice",
    "Fact", "Sheet", "Press", "Briefing", "Room", "Thank", "Thanks", "Q", "Mr", "Ms", "Dr",
    "Institute", "University", "Center", "Centre", "Summit", "Safety", "Security", "Program",
    "Initiative", "Agency", "Foundation", "Company", "Group", "Inc", "Corp", "China", "India",
    "Japan", "Korea", "Russia", "Ukraine", "Israel", "Europe", "America", "Washington",
    "California", "Congress", "Government", "Ministry", "Minister", "General", "Prime",
    "Chief", "Deputy", "Assistant", "Special", "Advisor", "Adviser", "Director", "Good",
    "Morning", "Afternoon", "Evening", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December", "Assembly", "Lady", "Gentleman",
    "Bank", "Fund", "Force", "Plan", "Agreement", "Services", "Patrol", "East", "West", "North",
    "South", "Arabia", "Kingdom", "Republic", "Nations", "Affairs", "Staff", "Sheet", "Coast",
    "Guard", "Army", "Navy", "Marine", "Corps", "Guidance", "Memorandum", "Framework", "Bill",
    "Law", "Rule", "Strategy", "Declaration", "Partnership", "Alliance", "Party", "Club",
    "Service", "Prince", "Princess", "Provisions", "Diego", "Francisco", "Angeles", "Jose",
}


def candidate_people(texts: Iterable[str], registry: Registry, min_count: int = 2) -> pl.DataFrame:
    """Person-like names not in the registry, with counts, for growing the registry.

    Evidence: a title or honorific before a capitalised name, "X Y said", and capitalised
    two-word names that recur. Names of registry people (full, alias or surname) are left out.
    """
    known = {p.name for p in registry.people} | {a for p in registry.people for a in p.aliases}
    known_surnames = {p.surname for p in registry.people}
    known_first_last = {(p.name.split()[0], p.surname) for p in registry.people}
    title_words = {w.rstrip(".") for t in TITLES for w in t.split()}
    counts: Counter[str] = Counter()
    evidence: dict[str, set[str]] = {}
    for text in texts:
        flat = re.sub(r"\s+", " ", text)
        for kind, pattern in zip(("title", "said", "recurring"), _CANDIDATE_PATTERNS):
            for match in pattern.finditer(flat):
                name = match.group(1).strip()
                words = name.replace(".", "").split()
                if any(w in _NOT_NAME_WORDS or w in title_words for w in words) or name in known:
                    continue
                if (words[0], words[-1]) in known_first_last:
                    continue
                if words[-1] in known_surnames and len(words) == 1:
                    continue
                counts[name] += 1
                evidence.setdefault(name, set()).add(kind)
    first_names = {p.name.split()[0] for p in registry.people if " " in p.name}
    rows = [
        (name, count, ", ".join(sorted(evidence[name])))
        for name, count in counts.items()
        if count >= min_count
        and (evidence[name] != {"recurring"} or name.split()[0] in first_names)
    ]
    return pl.DataFrame(rows, orient="row",
                        schema={"name": pl.String, "count": pl.UInt32, "evidence": pl.String}) \
        .sort(["count", "name"], descending=[True, False])
