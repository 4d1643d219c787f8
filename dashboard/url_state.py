"""Every filter lives in the URL query string. Encode / decode / validate it here.

    ?person=Elon+Musk&person=Gary+Marcus&from=2023-03&to=2024-06&source=news+brief
    &topic=pause_letter&topic=12&q=licensing&measure=share&chart=area&events=0&tab=people

`topic` takes a theme key for named themes and the numeric topic id for discovered ones.
Anything unknown, malformed, out of the corpus range or over a size cap is dropped and
reported as a notice (a plain string shown to the user); decoding never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dashboard.data import Filters, Vocabulary
from dashboard.inputs import small_int

MAX_QUERY_CHARS = 4000
MAX_FIELDS = 200
MAX_PEOPLE = 20
MAX_SOURCES = 50
MAX_TOPICS = 50
MAX_SEARCH_CHARS = 200
MAX_SHOWN_VALUE = 60
MAX_LIST_VALUES = 200  # values read from one multi-select control / store list

MEASURES = ("passages", "share")
CHARTS = ("lines", "area")
TABS = ("trends", "people", "topics")
KNOWN_KEYS = ("person", "from", "to", "source", "topic", "q", "measure", "chart", "events",
              "tab")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class UrlState:
    people: tuple[str, ...] = ()
    start: str | None = None  # "YYYY-MM"; None = first month of the corpus
    end: str | None = None  # "YYYY-MM"; None = last month
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # theme keys / topic ids as strings
    q: str = ""
    measure: str = "passages"
    chart: str = "lines"
    events: bool = True
    tab: str = "trends"


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def shown(value: str) -> str:
    """A value as it may appear in a notice or an error message: no control characters, short."""
    value = CONTROL_RE.sub("?", value)
    return value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"


def _parse_month(value: str, vocab: Vocabulary, name: str, notices: list[str]) -> date | None:
    m = MONTH_RE.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        notices.append(f"Ignored “{name}={shown(value)}”: not a month written as YYYY-MM.")
        return None
    d = date(int(m.group(1)), int(m.group(2)), 1)
    if not vocab.months or not vocab.months[0] <= d <= vocab.months[-1]:
        span = (f"{month_key(vocab.months[0])} to {month_key(vocab.months[-1])}"
                if vocab.months else "no months")
        notices.append(f"Ignored “{name}={shown(value)}”: outside the corpus ({span}).")
        return None
    return d


def _dedupe(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


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


def sanitize(state: UrlState, vocab: Vocabulary) -> tuple[UrlState, list[str]]:
    """Drop every value the corpus does not know; return the clean state and notices."""
    notices: list[str] = []

    def keep(values: tuple[str, ...], known, cap: int, what: str) -> tuple[str, ...]:
        good: list[str] = []
        for v in _dedupe(list(values)):
            if v not in known:
                notices.append(f"Ignored unknown {what} “{shown(v)}”.")
            elif len(good) >= cap:
                notices.append(f"Ignored {what} “{shown(v)}”: at most {cap} can be chosen.")
            else:
                good.append(v)
        return tuple(good)

    people = keep(state.people, vocab.people, MAX_PEOPLE, "person")
    sources = keep(state.sources, set(vocab.sources), MAX_SOURCES, "source")
    topics = keep(_dedupe([vocab.topic_canonical.get(t, t) for t in state.topics]),
                  vocab.topic_tokens, MAX_TOPICS, "topic")
    start = _parse_month(state.start, vocab, "from", notices) if state.start else None
    end = _parse_month(state.end, vocab, "to", notices) if state.end else None
    if start and end and start > end:
        notices.append("The month range was reversed; showing it the right way round.")
        start, end = end, start
    if vocab.months and start == vocab.months[0]:
        start = None
    if vocab.months and end == vocab.months[-1]:
        end = None
    q = " ".join(CONTROL_RE.sub(" ", (state.q or "")[:MAX_SEARCH_CHARS * 4]).split())
    if len(q) > MAX_SEARCH_CHARS or len(state.q or "") > MAX_SEARCH_CHARS * 4:
        notices.append(f"The search text was cut to {MAX_SEARCH_CHARS} characters.")
        q = q[:MAX_SEARCH_CHARS].rstrip()
    clean = UrlState(
        people=people, start=month_key(start) if start else None,
        end=month_key(end) if end else None, sources=sources, topics=topics, q=q,
        measure=state.measure if state.measure in MEASURES else "passages",
        chart=state.chart if state.chart in CHARTS else "lines",
        events=bool(state.events), tab=state.tab if state.tab in TABS else "trends",
    )
    for name, value, allowed in (("measure", state.measure, MEASURES),
                                 ("chart", state.chart, CHARTS), ("tab", state.tab, TABS)):
        if value not in allowed:
            notices.append(f"Ignored “{name}={shown(str(value))}”: expected one of "
                           f"{', '.join(allowed)}.")
    return clean, notices


def decode(search: str | None, vocab: Vocabulary) -> tuple[UrlState, list[str]]:
    """Parse `?a=b&...` into a validated UrlState and the notices about what was dropped."""
    notices: list[str] = []
    search = search if isinstance(search, str) else ""
    if len(search) > MAX_QUERY_CHARS:
        notices.append(f"The address was too long; only its first {MAX_QUERY_CHARS} "
                       "characters were read.")
        search = search[:MAX_QUERY_CHARS]
    search = search[1:] if search.startswith("?") else search
    try:
        pairs = parse_qsl(search, keep_blank_values=False, errors="replace",
                          max_num_fields=MAX_FIELDS)
    except ValueError:
        notices.append(f"The address has too many parameters (more than {MAX_FIELDS}); "
                       "it was ignored.")
        pairs = []
    multi: dict[str, list[str]] = {k: [] for k in KNOWN_KEYS}
    for key, value in pairs:
        if key in multi:
            multi[key].append(value)
        else:
            notices.append(f"Ignored unknown parameter “{shown(key)}”.")
    single: dict[str, str | None] = {}
    for key in ("from", "to", "q", "measure", "chart", "events", "tab"):
        values = multi[key]
        if len(values) > 1:
            notices.append(f"“{key}” was given {len(values)} times; the first one was used.")
        single[key] = values[0] if values else None
    events = single["events"]
    if events not in (None, "0", "1"):
        notices.append(f"Ignored “events={shown(events)}”: expected 0 or 1.")
        events = None
    raw = UrlState(
        people=tuple(multi["person"]), start=single["from"], end=single["to"],
        sources=tuple(multi["source"]), topics=tuple(multi["topic"]), q=single["q"] or "",
        measure=single["measure"] or "passages", chart=single["chart"] or "lines",
        events=events != "0", tab=single["tab"] or "trends",
    )
    state, more = sanitize(raw, vocab)
    return state, notices + more


def encode(state: UrlState) -> str:
    """The query string of a (validated) state, defaults left out; "" when all default."""
    pairs: list[tuple[str, str]] = [("person", p) for p in state.people]
    if state.start:
        pairs.append(("from", state.start))
    if state.end:
        pairs.append(("to", state.end))
    pairs += [("source", s) for s in state.sources]
    pairs += [("topic", t) for t in state.topics]
    if state.q:
        pairs.append(("q", state.q))
    if state.measure != "passages":
        pairs.append(("measure", state.measure))
    if state.chart != "lines":
        pairs.append(("chart", state.chart))
    if not state.events:
        pairs.append(("events", "0"))
    if state.tab != "trends":
        pairs.append(("tab", state.tab))
    return "?" + urlencode(pairs) if pairs else ""


def to_filters(state: UrlState, vocab: Vocabulary) -> Filters:
    """The data-layer filters of a validated state."""
    topic_ids: list[int] = []
    for token in state.topics:
        topic_ids.extend(vocab.topic_tokens.get(token, ()))

    def month(value: str | None) -> date | None:
        m = MONTH_RE.match(value or "")
        return date(int(m.group(1)), int(m.group(2)), 1) if m else None

    return Filters(people=state.people, start=month(state.start), end=month(state.end),
                   sources=state.sources, topics=tuple(topic_ids), search=state.q)


def month_range_indices(state: UrlState, vocab: Vocabulary) -> list[int]:
    """[first, last] month index for a range slider."""
    keys = [month_key(m) for m in vocab.months]
    last = max(len(keys) - 1, 0)
    lo = keys.index(state.start) if state.start in keys else 0
    hi = keys.index(state.end) if state.end in keys else last
    return [lo, hi]


def from_controls(people, month_range, sources, topics, q, measure, chart, events, tab,
                  vocab: Vocabulary) -> tuple[UrlState, list[str]]:
    """Build a validated state from the filter controls' current values."""
    keys = [month_key(m) for m in vocab.months]
    notices: list[str] = []
    start = end = None
    if month_range is not None and keys:
        bounds = [small_int(v) for v in month_range] if isinstance(
            month_range, (list, tuple)) and len(month_range) == 2 else [None]
        if None in bounds:
            notices.append("Ignored the month range: expected two month positions.")
        else:
            lo, hi = sorted(bounds)
            lo, hi = min(max(lo, 0), len(keys) - 1), min(max(hi, 0), len(keys) - 1)
            start, end = keys[lo], keys[hi]

    def text(value: Any, default: str, what: str) -> str:
        if isinstance(value, str):
            return value
        if value is not None:
            notices.append(f"Ignored the {what} value: expected text.")
        return default

    state, more = sanitize(UrlState(
        people=_strings(people, "people", notices), start=start, end=end,
        sources=_strings(sources, "source", notices),
        topics=_strings(topics, "topic", notices), q=text(q, "", "search"),
        measure=text(measure, "passages", "measure"), chart=text(chart, "lines", "chart"),
        events=bool(events), tab=text(tab, "trends", "tab"),
    ), vocab)
    return state, notices + more


def with_cell(state: UrlState, person: str, topic_token: str) -> UrlState:
    """State after clicking a people x topics cell: that person and topic, on the trends."""
    return replace(state, people=(person,), topics=(topic_token,), tab="trends")


def state_to_dict(state: UrlState) -> dict:
    """JSON-ready form, for a dcc.Store."""
    return {"people": list(state.people), "start": state.start, "end": state.end,
            "sources": list(state.sources), "topics": list(state.topics), "q": state.q,
            "measure": state.measure, "chart": state.chart, "events": state.events,
            "tab": state.tab}


def state_from_dict(data, vocab: Vocabulary) -> UrlState:
    """Back from a dcc.Store (re-validated: the browser may send anything)."""
    if not isinstance(data, dict):
        return UrlState()

    def strings(value) -> tuple[str, ...]:
        return _strings(value, "")

    def text(value) -> str | None:
        return value if isinstance(value, str) else None

    state, _ = sanitize(UrlState(
        people=strings(data.get("people")), start=text(data.get("start")),
        end=text(data.get("end")), sources=strings(data.get("sources")),
        topics=strings(data.get("topics")), q=text(data.get("q")) or "",
        measure=text(data.get("measure")) or "passages",
        chart=text(data.get("chart")) or "lines", events=data.get("events") is not False,
        tab=text(data.get("tab")) or "trends",
    ), vocab)
    return state


def filter_key(state: UrlState) -> str:
    """Identifies the filters alone (not chart options or tab): a clicked point stays
    valid while this does not change."""
    return encode(replace(state, measure="passages", chart="lines", events=True,
                          tab="trends"))
