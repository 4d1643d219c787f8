"""Every filter lives in the URL query string; one table of fields, FIELDS, says how.

    ?person=Elon+Musk&person=Gary+Marcus&said_by=Elon+Musk&from=2023-03&to=2024-06&source=news+brief
    &topic=pause_letter&topic=12&q=licensing&point_month=2023-04&point_topic=pause_letter
    &measure=share&chart=area&events=0&line=pause_letter&line=eu_ai_act&tab=topics
    &explore=12&rise=2025-01&vs=Elon+Musk&vs=Sam+Altman&both=Elon+Musk&both=Sam+Altman
    &passage=seed-article%3A3

Each row is a kind of field — ListField (a repeated key; values the corpus vocabulary
knows, at most `cap`), MonthRange (`from` / `to`, one range slider of month positions),
TextField (free text, at most `cap` characters and `max_words` words), ChoiceField (one of `choices`),
FlagField (on / off, 1 / 0), MonthField (one corpus month, YYYY-MM), TopicField (one topic),
IdField (a passage id), PointField (a clicked chart point: month and topic), SpeakerField
(a ListField of people with statements; `said_by`, the Said-by filter) — naming the
UrlState attribute(s), URL key(s), default,
control (component id from dashboard/ids.py, property) and, for a filter, `filter_as`:
the `Filters` argument(s) it sets. A row without it is a view option (measure, chart,
events, the clicked point, the lines shown, tab, the explored topic, the open passage): not
part of `filter_key`, no change to a download. Derived from the table,
in its order: UrlState, decode / encode (the keys' order in the address), sanitize, the
dcc.Store dict, CONTROLS with from_controls / control_values (the sync callback),
filter_key, to_filters, and so the download route (dashboard/downloads.py).

Adding a filter takes (1) one row in FIELDS, where its key should go in the address, with
`filter_as` naming the `Filters` argument the data layer reads, and (2) its control in
the filters panel (dashboard/features/filters.py) with the row's component id (a new name
in dashboard/ids.py) and `control_values(UrlState(), vocab)` as its first value.

`topic` takes a theme key for named themes and the numeric topic id for discovered ones.
Anything unknown, malformed, out of the corpus range or over a size cap is dropped and
reported as a notice (a plain string shown to the user, in table order); decoding never
raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, make_dataclass, replace
from dataclasses import field as dataclass_field
from operator import attrgetter
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dashboard import ids
from dashboard.data import Filters, Vocabulary
from dashboard.data.filters import MAX_SEARCH_WORDS
from dashboard.url_fields import (
    ChoiceField, Field, FlagField, IdField, ListField, MonthField, MonthRange, Pairs, PointField,
    TextField, TopicField, month_indices, shown,
)

MAX_QUERY_CHARS = 4000
MAX_FIELDS = 200
MAX_PEOPLE = 20
MAX_SOURCES = 50
MAX_TOPICS = 50
MAX_SEARCH_CHARS = 200

MEASURES = ("passages", "share")
CHARTS = ("lines", "area")
TABS = ("trends", "people", "topics", "rises", "network", "compare", "said")


def _topic_ids(vocab: Vocabulary, tokens: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for token in tokens for i in vocab.topic_tokens.get(token, ()))


def comparable(vocab: Vocabulary) -> set[str]:
    """What a Compare side may be: a person, a source, or a year of the corpus."""
    return set(vocab.people) | set(vocab.sources) | {str(m.year) for m in vocab.months}


@dataclass(frozen=True, kw_only=True)
class SpeakerField(ListField):
    """People with a statement in the run (the Said-by filter). A run without statements
    knows no speaker: its notice says why rather than calling the name unknown."""

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        values = getattr(state, self.attr)
        if values and not vocab.speakers:
            notices.append(f"Ignored “{self.key}={shown(values[0])}”"
                           f"{f' and {len(values) - 1} more' if len(values) > 1 else ''}: "
                           "no statement in this run is attributed to a person.")
            return {self.attr: ()}
        return super().clean(state, vocab, notices)


# -------------------------------------------------------------------------- the table
# Each row: UrlState attribute(s), URL key(s), control id, then what its kind needs.
# The order is the order of the keys in the address and of CONTROLS.
FIELDS: tuple[Field, ...] = (
    ListField("people", "person", ids.PEOPLE, cap=MAX_PEOPLE, known=attrgetter("people"),
              noun="people", filter_as="people"),
    SpeakerField("said_by", "said_by", ids.SAID_BY, cap=MAX_PEOPLE,
                 known=attrgetter("speakers"), noun="Said by", filter_as="speakers"),
    MonthRange(("start", "end"), ("from", "to"), ids.MONTHS, filter_as=("start", "end")),
    ListField("sources", "source", ids.SOURCES, cap=MAX_SOURCES,
              known=lambda vocab: set(vocab.sources), filter_as="sources"),
    ListField("topics", "topic", ids.TOPICS, cap=MAX_TOPICS, known=attrgetter("topic_tokens"),
              canonical=attrgetter("topic_canonical"), to_filter_values=_topic_ids,
              filter_as="topics"),
    TextField("q", "q", ids.SEARCH, cap=MAX_SEARCH_CHARS, max_words=MAX_SEARCH_WORDS, noun="search",
              filter_as="search"),
    PointField(("point_month", "point_topic"), ("point_month", "point_topic"), ids.POINT),
    ChoiceField("measure", "measure", ids.MEASURE, choices=MEASURES, default="passages"),
    ChoiceField("chart", "chart", ids.CHART, choices=CHARTS, default="lines"),
    FlagField("events", "events", ids.EVENTS, prop="checked", default=True),
    ListField("lines", "line", ids.TREND_LINES, prop="data", cap=MAX_TOPICS,
              known=attrgetter("topic_tokens"), canonical=attrgetter("topic_canonical"),
              noun="lines shown"),
    ChoiceField("tab", "tab", ids.TABS, choices=TABS, default="trends"),
    TopicField("explore", "explore", ids.TOPIC_SELECT),
    MonthField("rise_month", "rise", ids.RISE_MONTH, noun="month to test"),
    ListField("compare", "vs", ids.COMPARE_PEOPLE, cap=2, known=lambda v: comparable(v),
              noun="sides to compare"),
    ListField("pair", "both", ids.NETWORK_PAIR, cap=2, known=attrgetter("people"),
              noun="people named together"),
    IdField("passage", "passage", ids.DOC_OPEN, prop="data", noun="passage"),
)


def _read_query(search: Any, notices: list[str]) -> Pairs:
    """The (key, value) pairs of `?a=b&...`, within MAX_QUERY_CHARS and MAX_FIELDS."""
    search = search if isinstance(search, str) else ""
    if len(search) > MAX_QUERY_CHARS:
        notices.append(f"The address was too long; only its first {MAX_QUERY_CHARS} "
                       "characters were read.")
        search = search[:MAX_QUERY_CHARS]
    search = search[1:] if search.startswith("?") else search
    try:
        return parse_qsl(search, keep_blank_values=False, errors="replace",
                         max_num_fields=MAX_FIELDS)
    except ValueError:
        notices.append(f"The address has too many parameters (more than {MAX_FIELDS}); "
                       "it was ignored.")
        return []


def _merged(pieces: Any) -> dict[str, Any]:
    return {k: v for piece in pieces for k, v in piece.items()}


class UrlSchema:
    """The URL state of a field table: its UrlState class, and decode / encode /
    sanitize / store / controls, each a loop over the rows in table order."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = tuple(fields)
        attributes = [a for f in self.fields for a in f.attributes()]
        self.keys = tuple(k for f in self.fields for k in f.keys)
        self.controls = tuple(f.control for f in self.fields)
        for what, names in (("attribute", [a[0] for a in attributes]), ("URL key", self.keys),
                            ("control", self.controls)):
            repeated = sorted({str(n) for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"Field table: {what} repeated: {', '.join(repeated)}")
        self.state_type = make_dataclass(
            "UrlState", [(name, kind, dataclass_field(default=default))
                         for name, kind, default in attributes],
            frozen=True, namespace={"__module__": __name__, "__doc__": (
                "The URL state: one attribute per field of the table (see FIELDS); "
                "UrlState() has every field at its default.")})
        self.view_defaults = {name: default for f in self.fields if not f.is_filter
                              for name, _, default in f.attributes()}

    def sanitize(self, state: Any, vocab: Vocabulary) -> tuple[Any, list[str]]:
        """Drop every value the corpus does not know; return the clean state and notices."""
        notices: list[str] = []
        clean = _merged(f.clean(state, vocab, notices) for f in self.fields)
        return self.state_type(**clean), notices

    def decode(self, search: str | None, vocab: Vocabulary) -> tuple[Any, list[str]]:
        """Parse `?a=b&...` into a validated state and the notices about what was dropped."""
        notices: list[str] = []
        values: dict[str, list[str]] = {k: [] for k in self.keys}
        for key, value in _read_query(search, notices):
            if key in values:
                values[key].append(value)
            else:
                notices.append(f"Ignored unknown parameter “{shown(key)}”.")
        for key in (k for f in self.fields if not f.multi for k in f.keys):
            if len(values[key]) > 1:
                notices.append(f"“{key}” was given {len(values[key])} times; the first one "
                               "was used.")
        raw = _merged(f.read_url(values, notices) for f in self.fields)
        state, more = self.sanitize(self.state_type(**raw), vocab)
        return state, notices + more

    def encode(self, state: Any) -> str:
        """The query string of a (validated) state, defaults left out; "" when all default."""
        pairs = [pair for f in self.fields for pair in f.write_url(state)]
        return "?" + urlencode(pairs) if pairs else ""

    def from_controls(self, values: Sequence[Any], vocab: Vocabulary
                      ) -> tuple[Any, list[str]]:
        """A validated state (and notices) from the controls' values, in CONTROLS order."""
        if len(values) != len(self.fields):
            raise ValueError(f"expected {len(self.fields)} control values, got {len(values)}")
        notices: list[str] = []
        raw = _merged(f.read_control(v, vocab, notices) for f, v in zip(self.fields, values))
        state, more = self.sanitize(self.state_type(**raw), vocab)
        return state, notices + more

    def control_values(self, state: Any, vocab: Vocabulary) -> list[Any]:
        """The value of each control, in CONTROLS order, for a validated state."""
        return [f.control_value(state, vocab) for f in self.fields]

    def state_to_dict(self, state: Any) -> dict:
        """JSON-ready form, for a dcc.Store."""
        return _merged(f.write_store(state) for f in self.fields)

    def state_from_dict(self, data: Any, vocab: Vocabulary) -> Any:
        """Back from a dcc.Store (re-validated: the browser may send anything)."""
        if not isinstance(data, dict):
            return self.state_type()
        raw = _merged(f.read_store(data) for f in self.fields)
        return self.sanitize(self.state_type(**raw), vocab)[0]

    def filter_key(self, state: Any) -> str:
        """Identifies the filters alone (not the view options): a clicked point stays
        valid while this does not change."""
        return self.encode(replace(state, **self.view_defaults))

    def to_filters(self, state: Any, vocab: Vocabulary) -> Filters:
        """The data-layer filters of a validated state."""
        return Filters(**_merged(f.to_filter(state, vocab) for f in self.fields))


# ------------------------------------------------------------------------ the public API
SCHEMA = UrlSchema(FIELDS)
UrlState = SCHEMA.state_type
CONTROLS: tuple[tuple[str, str], ...] = SCHEMA.controls  # (component id, property)
KNOWN_KEYS: tuple[str, ...] = SCHEMA.keys
decode, encode, sanitize = SCHEMA.decode, SCHEMA.encode, SCHEMA.sanitize
from_controls, control_values = SCHEMA.from_controls, SCHEMA.control_values
state_to_dict, state_from_dict = SCHEMA.state_to_dict, SCHEMA.state_from_dict
filter_key, to_filters = SCHEMA.filter_key, SCHEMA.to_filters


def month_range_indices(state: UrlState, vocab: Vocabulary) -> list[int]:
    """[first, last] month index for a range slider."""
    return month_indices(vocab, state.start, state.end)


def without_point(state: UrlState) -> UrlState:
    """The state with no chart point chosen (a point belongs to the filters it was
    clicked under)."""
    return replace(state, point_month="", point_topic="")


def with_point(state: UrlState, topic_token: str, month: str) -> UrlState:
    """State after clicking a trend point: its passages are listed and the point marked."""
    return replace(state, point_month=month, point_topic=topic_token)


def with_topic_month(state: UrlState, topic_token: str, month: str) -> UrlState:
    """State after clicking a topic of "What rose": that topic in that month, on the trends."""
    return replace(without_point(state), topics=(topic_token,), start=month, end=month,
                   tab="trends")


def with_person(state: UrlState, person: str) -> UrlState:
    """State after clicking a person of the network: that person; the view stays."""
    return replace(without_point(state), people=(person,))


def with_pair(state: UrlState, a: str, b: str) -> UrlState:
    """State after clicking a link of the network: the passages naming both are listed."""
    return replace(state, pair=(a, b))


def with_cell(state: UrlState, person: str, topic_token: str) -> UrlState:
    """State after clicking a people x topics cell: that person and topic, on the trends."""
    return replace(without_point(state), people=(person,), topics=(topic_token,), tab="trends")
