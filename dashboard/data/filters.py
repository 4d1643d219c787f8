"""What the user narrows the corpus to (`Filters`) and the values a filter may take
(`Vocabulary`). Both are plain values: hashable, so queries can be memoised on them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAX_SEARCH_WORDS = 8
WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Filters:
    """What the user has narrowed the corpus to. Empty tuple / None = no restriction.

    `topics` empty means "every topic except the outliers" for charts and tables.
    `people`: passages naming any of them; `speakers`: passages with a statement by any of
    them (`passages.speakers`); both set: passages doing both.
    """

    people: tuple[str, ...] = ()
    start: date | None = None  # first day of the first month shown
    end: date | None = None  # first day of the last month shown
    sources: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()
    search: str = ""
    speakers: tuple[str, ...] = ()

    def __post_init__(self) -> None:  # canonical form, so equal filters hash equally
        object.__setattr__(self, "people", tuple(sorted(set(self.people))))
        object.__setattr__(self, "speakers", tuple(sorted(set(self.speakers))))
        object.__setattr__(self, "sources", tuple(sorted(set(self.sources))))
        object.__setattr__(self, "topics", tuple(sorted(set(int(t) for t in self.topics))))
        object.__setattr__(self, "search", " ".join(self.search.split()))

    @property
    def search_words(self) -> tuple[str, ...]:
        return tuple(WORD_RE.findall(self.search.lower()))[:MAX_SEARCH_WORDS]

    @property
    def uses_aggregates(self) -> bool:
        """True when `trends` / `month_totals` can answer exactly (they know nothing of
        statements, so not under the Said-by filter)."""
        return len(self.people) <= 1 and not self.search_words and not self.speakers


@dataclass(frozen=True)
class Vocabulary:
    """The values a URL or a filter control may take."""

    people: frozenset[str]
    sources: tuple[str, ...]
    months: tuple[date, ...]
    topic_tokens: dict[str, tuple[int, ...]]  # theme key or str(topic_id) -> topic ids
    topic_canonical: dict[str, str]  # any accepted token -> the one controls use
    speakers: frozenset[str] = frozenset()  # people with a statement (the Said-by filter)


def month_of(d: date) -> date:
    return d.replace(day=1)
