"""The kinds of row of the URL field table (dashboard/url_state.py: FIELDS) and the
checks they share. Each kind reads its value(s) from the address, a control and the
dcc.Store, validates them (adding a notice for whatever it drops) and writes them back.

    ListField   a repeated key; values the corpus vocabulary knows, at most `cap`
    MonthRange  `from` / `to`, one range slider of month positions
    TextField   free text, at most `cap` characters (and `max_words` words)
    ChoiceField one of `choices`
    FlagField   on / off, written 1 / 0
    MonthField  one corpus month, YYYY-MM
    TopicField  one topic (theme key or topic id), a select of topic ids
    IdField     an identifier (a passage id), checked for form only
    PointField  a clicked chart point: `point_month` and `point_topic`, both or neither
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from dataclasses import KW_ONLY, dataclass
from datetime import date
from typing import Any

from dashboard.data import Vocabulary
from dashboard.data.filters import WORD_RE
from dashboard.inputs import small_int

MAX_SHOWN_VALUE = 60
MAX_LIST_VALUES = 200  # values read from one multi-select control / store list
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

Pairs = list[tuple[str, str]]


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_of(text: str) -> date | None:
    """The first day of a month written as YYYY-MM (any year from 1), else None."""
    m = MONTH_RE.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def shown(value: str) -> str:
    """A value as it may appear in a notice or an error message: no control characters, short."""
    value = CONTROL_RE.sub("?", value)
    return value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"


def _corpus_month(value: str, vocab: Vocabulary, name: str, notices: list[str]
                  ) -> date | None:
    """The month of `name=value` when it is one of the corpus, else None and a notice."""
    d = month_of(value.strip())
    if d is None:
        notices.append(f"Ignored “{name}={shown(value)}”: not a month written as YYYY-MM.")
        return None
    if not vocab.months or not vocab.months[0] <= d <= vocab.months[-1]:
        span = (f"{month_key(vocab.months[0])} to {month_key(vocab.months[-1])}"
                if vocab.months else "no months")
        notices.append(f"Ignored “{name}={shown(value)}”: outside the corpus ({span}).")
        return None
    return d


def month_indices(vocab: Vocabulary, start: str | None, end: str | None) -> list[int]:
    keys = [month_key(m) for m in vocab.months]
    lo = keys.index(start) if start in keys else 0
    hi = keys.index(end) if end in keys else max(len(keys) - 1, 0)
    return [lo, hi]


def _strings(values: Any, what: str, notices: list[str] | None = None) -> tuple[str, ...]:
    """The text values of a list sent by the browser: at most MAX_LIST_VALUES of them;
    numbers become text, anything else (lists, objects, null) is dropped with a notice."""
    if not isinstance(values, (list, tuple)):
        if values not in (None, "") and notices is not None:
            notices.append(f"Ignored the {what} value: expected a list.")
        return ()
    if len(values) > MAX_LIST_VALUES and notices is not None:
        notices.append(f"Too many {what} values ({len(values):,}); only the first "
                       f"{MAX_LIST_VALUES} were read.")
    out, dropped = [], 0
    for v in values[:MAX_LIST_VALUES]:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(str(v))
        else:
            dropped += 1
    if dropped and notices is not None:
        notices.append(f"Ignored {dropped} {what} value{'s' * (dropped != 1)} that "
                       f"{'are' if dropped != 1 else 'is'} not text.")
    return tuple(out)


def _text(value: Any, default: str, what: str, notices: list[str]) -> str:
    """`value` when it is text, else `default` (and a notice when it was not empty)."""
    if isinstance(value, str):
        return value
    if value is not None:
        notices.append(f"Ignored the {what} value: expected text.")
    return default


class Field:
    """One row of the table. Every kind has `keys` (its URL keys), `control` ((component
    id, property)) and `filter_as`, and reads its value(s) from the URL (`read_url`), a
    control (`read_control`) and the store (`read_store`), each giving {attribute: raw
    value}; `clean` validates them, adding notices; `write_url`, `control_value`,
    `write_store` and `to_filter` write them out."""

    multi = False  # may its URL key repeat (a list)? Else the first value is used

    def attributes(self) -> tuple[tuple[str, Any, Any], ...]:
        """(UrlState attribute, type, default) of each attribute the row owns."""
        raise NotImplementedError

    @property
    def control(self) -> tuple[str, str]:
        return (self.control_id, self.prop)

    @property
    def is_filter(self) -> bool:
        return bool(self.filter_as)

    def write_store(self, state: Any) -> dict[str, Any]:
        """JSON-ready values for the dcc.Store."""
        values = {name: getattr(state, name) for name, _, _ in self.attributes()}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


@dataclass(frozen=True)
class OneKeyField(Field):
    """A field with one attribute, one URL key and one control. A kind gives `default`
    (the value left out of the address) and `clean`; a text value is read as it is."""

    attr: str
    key: str
    control_id: str
    _: KW_ONLY
    prop: str = "value"
    filter_as: str = ""  # the Filters argument it sets; "" = a view option
    noun: str = ""  # what notices about the control's value call it; the key when ""

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,)

    def attributes(self) -> tuple[tuple[str, Any, Any], ...]:
        return ((self.attr, type(self.default), self.default),)

    def first(self, values: Mapping[str, list[str]]) -> str | None:
        return values[self.key][0] if values[self.key] else None

    def read_url(self, values: Mapping[str, list[str]], notices: list[str]) -> dict:
        return {self.attr: self.first(values) or self.default}

    def url_text(self, value: Any) -> str:
        return value

    def write_url(self, state: Any) -> Pairs:
        value = getattr(state, self.attr)
        return [] if value == self.default else [(self.key, self.url_text(value))]

    def read_control(self, value: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        return {self.attr: _text(value, self.default, self.noun or self.key, notices)}

    def control_value(self, state: Any, vocab: Vocabulary) -> Any:
        return getattr(state, self.attr)

    def read_store(self, data: Mapping[str, Any]) -> dict:
        value, default = data.get(self.attr), self.default
        return {self.attr: value if isinstance(value, type(default)) else default}

    def to_filter(self, state: Any, vocab: Vocabulary) -> dict[str, Any]:
        return {self.filter_as: getattr(state, self.attr)} if self.filter_as else {}


@dataclass(frozen=True, kw_only=True)
class ListField(OneKeyField):
    """Several values (the key repeats), each one the vocabulary knows; at most `cap`."""

    cap: int
    known: Callable[[Vocabulary], Container[str]]
    canonical: Callable[[Vocabulary], Mapping[str, str]] | None = None  # alias -> value
    to_filter_values: Callable[[Vocabulary, tuple[str, ...]], tuple] | None = None
    multi = True
    default = ()

    def read_url(self, values: Mapping[str, list[str]], notices: list[str]) -> dict:
        return {self.attr: tuple(values[self.key])}

    def write_url(self, state: Any) -> Pairs:
        return [(self.key, v) for v in getattr(state, self.attr)]

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        values = list(getattr(state, self.attr))
        if self.canonical is not None:
            aliases = self.canonical(vocab)
            values = [aliases.get(v, v) for v in values]
        known, good = self.known(vocab), []
        for v in dict.fromkeys(values):
            if v not in known:
                notices.append(f"Ignored unknown {self.key} “{shown(v)}”.")
            elif len(good) >= self.cap:
                notices.append(f"Ignored {self.key} “{shown(v)}”: at most {self.cap} can "
                               "be chosen.")
            else:
                good.append(v)
        return {self.attr: tuple(good)}

    def read_control(self, value: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        return {self.attr: _strings(value, self.noun or self.key, notices)}

    def control_value(self, state: Any, vocab: Vocabulary) -> Any:
        return list(getattr(state, self.attr))

    def read_store(self, data: Mapping[str, Any]) -> dict:
        return {self.attr: _strings(data.get(self.attr), "")}

    def to_filter(self, state: Any, vocab: Vocabulary) -> dict[str, Any]:
        values = getattr(state, self.attr)
        if self.to_filter_values is not None:
            values = self.to_filter_values(vocab, values)
        return {self.filter_as: values} if self.filter_as else {}


def search_word_count(text: str) -> int:
    """Words of `text` as the search counts them (`Filters.search_words`)."""
    return len(WORD_RE.findall(text.lower()))


def first_words(text: str, limit: int) -> str:
    """`text` up to the end of its `limit`-th word (words as the search counts them)."""
    if search_word_count(text) <= limit:
        return text
    kept = ""
    for match in WORD_RE.finditer(text):
        if search_word_count(text[:match.end()]) > limit:
            break
        kept = text[:match.end()]
    return kept


@dataclass(frozen=True, kw_only=True)
class TextField(OneKeyField):
    """Free text: control characters become spaces, runs of spaces one; at most `cap`
    characters and, when `max_words` is set, that many words."""

    cap: int
    max_words: int = 0
    default = ""

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        raw = getattr(state, self.attr) or ""
        text = " ".join(CONTROL_RE.sub(" ", raw[:self.cap * 4]).split())
        what = f"The {self.noun or self.key} text"
        if len(text) > self.cap or len(raw) > self.cap * 4:
            notices.append(f"{what} was cut to {self.cap} characters.")
            text = text[:self.cap].rstrip()
        if self.max_words and (words := search_word_count(text)) > self.max_words:
            notices.append(f"{what} was cut to its first {self.max_words} words (it had "
                           f"{words}): “{shown(first_words(text, self.max_words))}”.")
            text = first_words(text, self.max_words)
        return {self.attr: text}


@dataclass(frozen=True, kw_only=True)
class ChoiceField(OneKeyField):
    """One of `choices`."""

    choices: tuple[str, ...]
    default: str

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        value = getattr(state, self.attr)
        if value in self.choices:
            return {self.attr: value}
        notices.append(f"Ignored “{self.key}={shown(str(value))}”: expected one of "
                       f"{', '.join(self.choices)}.")
        return {self.attr: self.default}


@dataclass(frozen=True, kw_only=True)
class MonthField(OneKeyField):
    """One month of the corpus, written YYYY-MM; "" (the default) lets the view choose."""

    default: str = ""

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        value = getattr(state, self.attr)
        if not value:
            return {self.attr: ""}
        d = _corpus_month(str(value), vocab, self.key, notices)
        return {self.attr: month_key(d) if d else ""}

    def read_control(self, value: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        return {self.attr: _text(value, "", self.noun or self.key, notices) if value else ""}

    def control_value(self, state: Any, vocab: Vocabulary) -> Any:
        return getattr(state, self.attr) or None


@dataclass(frozen=True, kw_only=True)
class FlagField(OneKeyField):
    """On or off, written 1 / 0 in the address."""

    default: bool

    def read_url(self, values: Mapping[str, list[str]], notices: list[str]) -> dict:
        value = self.first(values)
        if value not in (None, "0", "1"):
            notices.append(f"Ignored “{self.key}={shown(value)}”: expected 0 or 1.")
            value = None
        return {self.attr: self.default if value is None else value == "1"}

    def url_text(self, value: Any) -> str:
        return "1" if value else "0"

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        return {self.attr: bool(getattr(state, self.attr))}

    def read_control(self, value: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        return {self.attr: bool(value)}


@dataclass(frozen=True)
class MonthRange(Field):
    """The first and last month shown: two attributes and two URL keys ("YYYY-MM"), one
    range slider whose value is [first, last] month positions. A bound at the corpus's
    own first / last month is the default (None) and left out of the address."""

    attrs: tuple[str, str]
    keys: tuple[str, str]
    control_id: str
    _: KW_ONLY
    prop: str = "value"
    filter_as: tuple[str, ...] = ()  # the two Filters arguments; () = a view option

    def attributes(self) -> tuple[tuple[str, Any, Any], ...]:
        return tuple((attr, str | None, None) for attr in self.attrs)

    def read_url(self, values: Mapping[str, list[str]], notices: list[str]) -> dict:
        return {a: values[k][0] if values[k] else None for a, k in zip(self.attrs, self.keys)}

    def write_url(self, state: Any) -> Pairs:
        return [(k, getattr(state, a)) for a, k in zip(self.attrs, self.keys)
                if getattr(state, a)]

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        start, end = (_corpus_month(getattr(state, a), vocab, k, notices)
                      if getattr(state, a) else None for a, k in zip(self.attrs, self.keys))
        if start and end and start > end:
            notices.append("The month range was reversed; showing it the right way round.")
            start, end = end, start
        if vocab.months and start == vocab.months[0]:
            start = None
        if vocab.months and end == vocab.months[-1]:
            end = None
        return dict(zip(self.attrs, (month_key(d) if d else None for d in (start, end))))

    def read_control(self, value: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        keys = [month_key(m) for m in vocab.months]
        bounds: tuple[str | None, str | None] = (None, None)
        if value is not None and keys:
            positions = [small_int(v) for v in value] if isinstance(
                value, (list, tuple)) and len(value) == 2 else [None]
            if None in positions:
                notices.append("Ignored the month range: expected two month positions.")
            else:
                lo, hi = (min(max(p, 0), len(keys) - 1) for p in sorted(positions))
                bounds = (keys[lo], keys[hi])
        return dict(zip(self.attrs, bounds))

    def control_value(self, state: Any, vocab: Vocabulary) -> list[int]:
        return month_indices(vocab, *(getattr(state, a) for a in self.attrs))

    def read_store(self, data: Mapping[str, Any]) -> dict:
        return {a: data.get(a) if isinstance(data.get(a), str) else None for a in self.attrs}

    def to_filter(self, state: Any, vocab: Vocabulary) -> dict[str, Any]:
        return {name: month_of(getattr(state, a) or "")
                for name, a in zip(self.filter_as, self.attrs)}


def _one_topic(token: str, vocab: Vocabulary, name: str, notices: list[str]) -> str:
    """The canonical token of `name=token` when it names exactly one topic, else ""."""
    canonical = vocab.topic_canonical.get(token, token)
    if len(vocab.topic_tokens.get(canonical, ())) != 1:
        notices.append(f"Ignored “{name}={shown(token)}”: not one topic of this run.")
        return ""
    return canonical


def _first_topic(vocab: Vocabulary) -> str:
    """The id (as text) of the run's first topic (themes come first), or ""."""
    return next((str(ids[0]) for ids in vocab.topic_tokens.values() if len(ids) == 1), "")


@dataclass(frozen=True, kw_only=True)
class TopicField(OneKeyField):
    """One topic (a theme key, or a discovered topic's id); its control is a select whose
    value is the topic id as text. The default "" is the run's first topic, which the
    select then shows (and which is left out of the address)."""

    default: str = ""

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        value = getattr(state, self.attr)
        token = _one_topic(str(value), vocab, self.key, notices) if value else ""
        first = _first_topic(vocab)
        return {self.attr: "" if token == vocab.topic_canonical.get(first) else token}

    def read_control(self, value: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        number = small_int(value)
        return {self.attr: vocab.topic_canonical.get(str(number), "") if number is not None
                else ""}

    def control_value(self, state: Any, vocab: Vocabulary) -> Any:
        value = getattr(state, self.attr)
        return str(vocab.topic_tokens[value][0]) if value else (_first_topic(vocab) or None)


PASSAGE_ID_RE = re.compile(r"[^\x00-\x1f\x7f]{1,300}")


@dataclass(frozen=True, kw_only=True)
class IdField(OneKeyField):
    """An identifier such as a passage id: up to 300 characters, no control characters.
    Whether it exists is the view's to say (a run has too many to list here)."""

    default: str = ""

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        value = getattr(state, self.attr)
        if not value or PASSAGE_ID_RE.fullmatch(str(value)):
            return {self.attr: str(value) if value else ""}
        notices.append(f"Ignored “{self.key}={shown(str(value))}”: not an identifier.")
        return {self.attr: ""}


@dataclass(frozen=True)
class PointField(Field):
    """A clicked chart point: a month and one topic (`point_month=YYYY-MM` and
    `point_topic=<theme key or topic id>`), both or neither. Its control is a dcc.Store
    holding {"month": "YYYY-MM", "topic": token}."""

    attrs: tuple[str, str]
    keys: tuple[str, str]
    control_id: str
    _: KW_ONLY
    prop: str = "data"
    filter_as: str = ""  # a view option: a point is dropped when the filters change

    def attributes(self) -> tuple[tuple[str, Any, Any], ...]:
        return tuple((attr, str, "") for attr in self.attrs)

    def read_url(self, values: Mapping[str, list[str]], notices: list[str]) -> dict:
        return {a: values[k][0] if values[k] else "" for a, k in zip(self.attrs, self.keys)}

    def write_url(self, state: Any) -> Pairs:
        month, topic = (getattr(state, a) for a in self.attrs)
        return list(zip(self.keys, (month, topic))) if month and topic else []

    def clean(self, state: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        month, topic = (str(getattr(state, a) or "") for a in self.attrs)
        if bool(month) != bool(topic):
            notices.append(f"Ignored the chart point: “{self.keys[0]}” and “{self.keys[1]}” "
                           "go together.")
            month = topic = ""
        if month:
            d = _corpus_month(month, vocab, self.keys[0], notices)
            topic = _one_topic(topic, vocab, self.keys[1], notices)
            month = month_key(d) if d and topic else ""
            topic = topic if month else ""
        return dict(zip(self.attrs, (month, topic)))

    def read_control(self, value: Any, vocab: Vocabulary, notices: list[str]) -> dict:
        value = value if isinstance(value, dict) else {}
        parts = [value.get(name) for name in ("month", "topic")]
        return dict(zip(self.attrs, (p if isinstance(p, str) else "" for p in parts)))

    def control_value(self, state: Any, vocab: Vocabulary) -> Any:
        month, topic = (getattr(state, a) for a in self.attrs)
        return {"month": month, "topic": topic} if month and topic else None

    def read_store(self, data: Mapping[str, Any]) -> dict:
        return {a: data.get(a) if isinstance(data.get(a), str) else "" for a in self.attrs}

    def to_filter(self, state: Any, vocab: Vocabulary) -> dict[str, Any]:
        return {}
