"""Offices and their holders by date, from data/roles.toml (issue 15, "who said what").

A transcript's `THE PRESIDENT:` or a sentence's "the President said" names an office; who
held it depends on the document's date. `Roles.holder(label, day)` answers that, and
`Roles.is_anonymous(label)` says whether a turn label never names a person (`Q`,
`MODERATOR`). Role phrases and descriptions in running text ("the Tesla chief executive")
are in `Roles.phrases`, lower-cased, for the prose extractor.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config import DATA_DIR
from pipelines.files import read_toml

DEFAULT_ROLES = DATA_DIR / "roles.toml"


class RolesError(ValueError):
    """The roles file is missing or malformed; the message names the entry."""


@dataclass(frozen=True)
class Holder:
    person: str
    start: dt.date | None
    end: dt.date | None

    def covers(self, day: dt.date | None) -> bool:
        if day is None:
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Roles:
    labels: dict[str, tuple[Holder, ...]] = field(default_factory=dict)  # folded label -> holders
    phrases: dict[str, tuple[Holder, ...]] = field(default_factory=dict)  # lower-cased phrase -> holders
    anonymous: frozenset[str] = frozenset({"Q"})

    def __hash__(self) -> int:  # labels and phrases are never mutated after loading
        return hash((tuple(self.labels), tuple(self.phrases), self.anonymous))

    def is_anonymous(self, label: str) -> bool:
        return fold_label(label) in self.anonymous

    def holder(self, label: str, day: dt.date | None) -> str | None:
        """The person holding the office a turn label names on `day`, or None."""
        return _on(self.labels.get(fold_label(label), ()), day)

    def phrase_holder(self, phrase: str, day: dt.date | None) -> str | None:
        """The person a role phrase or description ("the President") names on `day`, or None."""
        return _on(self.phrases.get(fold_phrase(phrase), ()), day)


def _on(holders: tuple[Holder, ...], day: dt.date | None) -> str | None:
    found = {h.person for h in holders if h.covers(day)}
    return found.pop() if len(found) == 1 else None


def fold_label(label: str) -> str:
    """Upper case, single spaces, no trailing dots or colons: `Ms.  Jean-Pierre:` -> `MS. JEAN-PIERRE`."""
    return re.sub(r"\s+", " ", label).strip().strip(":").strip().upper()


def fold_phrase(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase).strip().lower()


def _date(value: object, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise RolesError(f"{where}: dates are TOML dates (2025-01-21), not {value!r}")


def _holders(entry: dict, where: str, people: set[str] | None) -> tuple[Holder, ...]:
    holders = []
    for item in entry.get("holders", []):
        person = str(item.get("person", "")).strip()
        if not person:
            raise RolesError(f"{where}: a holder without a person")
        if people is not None and person not in people:
            raise RolesError(f"{where}: {person!r} is not a name in the people registry")
        holders.append(Holder(person, _date(item.get("from"), where), _date(item.get("to"), where)))
    if not holders:
        raise RolesError(f"{where}: no holders")
    return tuple(holders)


def load_roles(path: Path = DEFAULT_ROLES, people: set[str] | None = None) -> Roles:
    """Read data/roles.toml; `people` (canonical registry names) checks every holder."""
    data = read_toml(path, "roles file", RolesError)
    labels: dict[str, tuple[Holder, ...]] = {}
    phrases: dict[str, tuple[Holder, ...]] = {}
    for kind in ("role", "description"):
        for index, entry in enumerate(data.get(kind, [])):
            where = f"{path.name}: {kind} #{index + 1}"
            holders = _holders(entry, where, people)
            if kind == "role":
                if not str(entry.get("label", "")).strip():
                    raise RolesError(f"{where}: no label")
                labels[fold_label(entry["label"])] = holders
            for phrase in entry.get("prose", []):
                phrases[fold_phrase(str(phrase))] = holders
    anonymous = frozenset(fold_label(str(a)) for a in data.get("anonymous", [])) | {"Q"}
    return Roles(labels, phrases, anonymous)


@functools.lru_cache(maxsize=2)
def default_roles() -> Roles:
    """data/roles.toml (not checked against a registry: the caller's registry may differ)."""
    return load_roles(DEFAULT_ROLES)
