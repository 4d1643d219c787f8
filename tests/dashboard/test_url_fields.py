"""The URL field table (dashboard/url_state.py, FIELDS) and what is derived from it.

* Every valid state survives the address (decode(encode(s)) == s), the controls
  (from_controls(control_values(s)) == s) and the store, with no notice.
* The table is consistent: one row per UrlState attribute, control ids from dashboard.ids,
  filter rows naming real `Filters` arguments.
* A new row is picked up by decode / encode / sanitize / CONTROLS / the store /
  filter_key with no other change.

The vocabulary is built here by hand, so these tests need no run folder.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import ids
from dashboard.data import Filters, Vocabulary
from dashboard.url_state import (
    CHARTS, CONTROLS, FIELDS, KNOWN_KEYS, MAX_PEOPLE, MAX_QUERY_CHARS, MAX_SEARCH_CHARS,
    MEASURES, TABS, ChoiceField, FlagField, ListField, MonthRange, UrlSchema, UrlState,
    control_values, decode, encode, filter_key, from_controls, sanitize, state_from_dict,
    state_to_dict, to_filters,
)
from dashboard.data.filters import MAX_SEARCH_WORDS
from dashboard.url_fields import OneKeyField, PointField, first_words, month_key

VOCAB = Vocabulary(
    people=frozenset({"Ada Lovelace", "Alan Turing", "Grace Hopper", "Émile Zola",
                      "A&B =C?#", "Zoë O'Neil"}),
    sources=("Newswire", "Policy blog", "x?y#z&w=1", "Blog + Co"),
    months=tuple(date(2023, m, 1) for m in range(1, 13)) + (date(2024, 1, 1),),
    topic_tokens={"pause_letter": (0,), "compute_race": (1,), "2": (2,), "-1": (-1,),
                  "0": (0,), "1": (1,)},
    topic_canonical={"pause_letter": "pause_letter", "0": "pause_letter",
                     "compute_race": "compute_race", "1": "compute_race", "2": "2",
                     "-1": "-1"},
    speakers=frozenset({"Ada Lovelace", "Grace Hopper", "A&B =C?#"}),
)
MONTH_KEYS = [month_key(m) for m in VOCAB.months]
TOKENS = sorted(set(VOCAB.topic_canonical.values()))
LAST = len(MONTH_KEYS) - 1

# free text as the search box keeps it: no control characters or runs of white space
WORD = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
               min_size=1, max_size=15)


@st.composite
def valid_states(draw) -> UrlState:
    """A UrlState that sanitize leaves as it is."""
    lo, hi = sorted(draw(st.lists(st.integers(0, LAST), min_size=2, max_size=2)))
    words = draw(st.lists(WORD, max_size=20))
    return UrlState(
        people=tuple(draw(st.lists(st.sampled_from(sorted(VOCAB.people)), unique=True,
                                   max_size=MAX_PEOPLE))),
        said_by=tuple(draw(st.lists(st.sampled_from(sorted(VOCAB.speakers)), unique=True))),
        start=MONTH_KEYS[lo] if lo > 0 else None,
        end=MONTH_KEYS[hi] if hi < LAST else None,
        sources=tuple(draw(st.lists(st.sampled_from(VOCAB.sources), unique=True))),
        topics=tuple(draw(st.lists(st.sampled_from(sorted(set(VOCAB.topic_canonical.values()))),
                                   unique=True))),
        q=first_words(" ".join(words)[:MAX_SEARCH_CHARS].rstrip(), MAX_SEARCH_WORDS),
        measure=draw(st.sampled_from(MEASURES)), chart=draw(st.sampled_from(CHARTS)),
        events=draw(st.booleans()), tab=draw(st.sampled_from(TABS)),
        **draw(st.sampled_from([{}, {"point_month": MONTH_KEYS[lo], "point_topic": "2"},
                                {"point_month": MONTH_KEYS[hi], "point_topic": "compute_race"}])),
        lines=tuple(draw(st.lists(st.sampled_from(TOKENS), unique=True))),
        explore=draw(st.sampled_from(["", "compute_race", "2", "-1"])),
        passage=draw(st.sampled_from(["", "d1:0", "seed article:12", "a&b=c?#:3"])),
    )


@settings(max_examples=400, deadline=None)
@given(valid_states())
def test_valid_states_round_trip(state):
    assert sanitize(state, VOCAB) == (state, [])
    search = encode(state)
    assert len(search) <= MAX_QUERY_CHARS  # so decode reads all of it
    assert decode(search, VOCAB) == (state, [])
    assert from_controls(control_values(state, VOCAB), VOCAB) == (state, [])
    assert state_from_dict(state_to_dict(state), VOCAB) == state
    assert filter_key(state) == filter_key(replace(
        state, measure=MEASURES[-1], chart=CHARTS[-1], events=not state.events, tab=TABS[-1],
        point_month="", point_topic="", lines=("2",), explore="2", passage="x:1"))


@settings(max_examples=200, deadline=None)
@given(valid_states())
def test_the_address_keeps_the_table_order(state):
    keys = [pair.split("=", 1)[0] for pair in encode(state).removeprefix("?").split("&")
            if pair]
    assert keys == sorted(keys, key=KNOWN_KEYS.index)


def test_known_keys_controls_and_defaults_come_from_the_table():
    assert KNOWN_KEYS == ("person", "said_by", "from", "to", "source", "topic", "q", "point_month",
                          "point_topic", "measure", "chart", "events", "line", "tab",
                          "explore", "rise", "vs", "both", "passage")
    assert CONTROLS == (
        (ids.PEOPLE, "value"), (ids.SAID_BY, "value"), (ids.MONTHS, "value"),
        (ids.SOURCES, "value"),
        (ids.TOPICS, "value"), (ids.SEARCH, "value"), (ids.POINT, "data"),
        (ids.MEASURE, "value"), (ids.CHART, "value"), (ids.EVENTS, "checked"),
        (ids.TREND_LINES, "data"), (ids.TABS, "value"), (ids.TOPIC_SELECT, "value"),
        (ids.RISE_MONTH, "value"), (ids.COMPARE_PEOPLE, "value"), (ids.NETWORK_PAIR, "value"),
        (ids.DOC_OPEN, "data"))
    assert UrlState() == UrlState(people=(), said_by=(), start=None, end=None, sources=(), topics=(),
                                  q="", point_month="", point_topic="", measure="passages",
                                  chart="lines", events=True, lines=(), tab="trends",
                                  explore="", rise_month="", compare=(), pair=(), passage="")
    assert control_values(UrlState(), VOCAB) == [[], [], [0, LAST], [], [], "", None, "passages",
                                                 "lines", True, [], "trends", "0", None, [],
                                                 [], ""]


def test_every_attribute_has_one_row_and_every_control_exists():
    owners = [name for f in FIELDS for name, _, _ in f.attributes()]
    assert sorted(owners) == sorted(f.name for f in dataclass_fields(UrlState))
    assert len(set(owners)) == len(owners)
    known_ids = {v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
    assert {cid for cid, _ in CONTROLS} <= known_ids
    filter_args = {f.name for f in dataclass_fields(Filters)}
    for f in FIELDS:
        named = f.filter_as if isinstance(f, MonthRange) else (f.filter_as,) * f.is_filter
        assert set(named) <= filter_args, f
        if isinstance(f, ChoiceField):
            assert f.default in f.choices
    assert [f.is_filter for f in FIELDS] == [True] * 6 + [False] * 11


def test_to_filters_follows_the_filter_rows():
    state = UrlState(people=("Ada Lovelace",), said_by=("Grace Hopper",), start="2023-03",
                     end="2023-05", sources=("Newswire",), topics=("compute_race", "2"),
                     q="GPU chips", measure="share", tab="people")
    assert to_filters(state, VOCAB) == Filters(
        people=("Ada Lovelace",), speakers=("Grace Hopper",), start=date(2023, 3, 1),
        end=date(2023, 5, 1), sources=("Newswire",), topics=(1, 2), search="GPU chips")
    assert to_filters(UrlState(), VOCAB) == Filters()


def test_from_controls_wants_one_value_per_control():
    with pytest.raises(ValueError, match="expected 17 control values"):
        from_controls([[]], VOCAB)


def test_a_repeated_key_or_attribute_is_refused():
    with pytest.raises(ValueError, match="URL key repeated: q"):
        UrlSchema(FIELDS + (FlagField("quick", "q", "x-quick", default=False),))
    with pytest.raises(ValueError, match="attribute repeated: tab"):
        UrlSchema(FIELDS + (ChoiceField("tab", "tab2", "x-tab", choices=("a",), default="a"),))


# -------------------------------------------------------------- a new row, nothing else
LANGUAGES = ListField("languages", "lang", "filter-languages", cap=2, noun="language",
                      known=lambda vocab: {"en", "de", "fr"}, filter_as="languages")
PALETTE = ChoiceField("palette", "palette", "trend-palette", choices=("plain", "vivid"),
                      default="plain")


@pytest.fixture(scope="module")
def schema() -> UrlSchema:
    """The app's table with a language filter after the topics and a palette at the end."""
    return UrlSchema(FIELDS[:5] + (LANGUAGES,) + FIELDS[5:] + (PALETTE,))


def test_a_new_row_gets_an_attribute_a_key_and_a_control(schema):
    state = schema.state_type()
    assert (state.languages, state.palette) == ((), "plain")
    assert schema.keys == KNOWN_KEYS[:6] + ("lang",) + KNOWN_KEYS[6:] + ("palette",)
    assert schema.controls == CONTROLS[:5] + (("filter-languages", "value"),) + \
        CONTROLS[5:] + (("trend-palette", "value"),)
    assert schema.encode(state) == ""


def test_a_new_row_is_decoded_checked_and_encoded(schema):
    state, notices = schema.decode(
        "?palette=vivid&lang=de&q=hi&lang=xx&lang=en&lang=fr&person=Ada+Lovelace", VOCAB)
    assert (state.languages, state.palette, state.q) == (("de", "en"), "vivid", "hi")
    assert notices == ["Ignored unknown lang “xx”.",
                       "Ignored lang “fr”: at most 2 can be chosen."]
    assert schema.encode(state) == "?person=Ada+Lovelace&lang=de&lang=en&q=hi&palette=vivid"
    assert schema.decode("?palette=grey", VOCAB)[1] == [
        "Ignored “palette=grey”: expected one of plain, vivid."]
    assert schema.decode("?palette=vivid&palette=plain", VOCAB)[1] == [
        "“palette” was given 2 times; the first one was used."]


def test_a_new_row_has_its_control_store_and_filter_key(schema):
    state, _ = schema.decode("?lang=fr&palette=vivid&tab=people", VOCAB)
    values = schema.control_values(state, VOCAB)
    assert values[5] == ["fr"] and values[-1] == "vivid"
    assert schema.from_controls(values, VOCAB) == (state, [])
    garbage = list(values)
    garbage[5] = ["de", 7, None]
    back, notices = schema.from_controls(garbage, VOCAB)
    assert back.languages == ("de",)
    assert notices == ["Ignored 1 language value that is not text.",
                       "Ignored unknown lang “7”."]
    stored = schema.state_to_dict(state)
    assert stored["languages"] == ["fr"] and stored["palette"] == "vivid"
    assert schema.state_from_dict(stored, VOCAB) == state
    assert schema.filter_key(state) == "?lang=fr"  # a filter; the palette is a view option


def test_the_app_table_is_left_as_it_is(schema):
    assert "lang" not in KNOWN_KEYS and not hasattr(UrlState(), "languages")
    assert decode("?lang=de", VOCAB)[1] == ["Ignored unknown parameter “lang”."]
    assert all(isinstance(f, (OneKeyField, MonthRange, PointField)) for f in FIELDS)


def test_the_month_of_what_rose_is_a_corpus_month_or_the_default():
    state, notices = decode("?tab=rises&rise=2023-06", VOCAB)
    assert (state.tab, state.rise_month, notices) == ("rises", "2023-06", [])
    assert encode(state) == "?tab=rises&rise=2023-06"
    for bad, why in (("1999-01", "outside the corpus"), ("March", "not a month written as YYYY-MM"),
                     ("2024-13", "not a month written as YYYY-MM")):
        state, notices = decode(f"?rise={bad}", VOCAB)
        assert state.rise_month == "" and len(notices) == 1 and why in notices[0]
    assert decode("?rise=", VOCAB)[0].rise_month == ""  # the default: the latest full month
    assert control_values(decode("?rise=2023-06", VOCAB)[0], VOCAB)[-4] == "2023-06"


def test_compare_takes_two_known_people():
    state, notices = decode("?tab=compare&vs=Ada+Lovelace&vs=Alan+Turing&vs=Grace+Hopper"
                            "&vs=Nobody", VOCAB)
    assert state.compare == ("Ada Lovelace", "Alan Turing")
    assert notices == ["Ignored vs “Grace Hopper”: at most 2 can be chosen.",
                       "Ignored unknown vs “Nobody”."]
    assert encode(state) == "?tab=compare&vs=Ada+Lovelace&vs=Alan+Turing"


def test_a_chart_point_is_a_corpus_month_and_one_topic_both_or_neither():
    state, notices = decode("?point_month=2023-04&point_topic=0", VOCAB)
    assert (state.point_month, state.point_topic, notices) == ("2023-04", "pause_letter", [])
    assert encode(state) == "?point_month=2023-04&point_topic=pause_letter"
    assert control_values(state, VOCAB)[6] == {"month": "2023-04", "topic": "pause_letter"}
    for query, why in (("?point_month=2023-04", "go together"),
                       ("?point_topic=2", "go together"),
                       ("?point_month=1999-01&point_topic=2", "outside the corpus"),
                       ("?point_month=2023-04&point_topic=99", "not one topic")):
        state, notices = decode(query, VOCAB)
        assert (state.point_month, state.point_topic) == ("", "") and len(notices) == 1
        assert why in notices[0], notices
    dropped, _ = from_controls([*control_values(UrlState(), VOCAB)[:6],
                                {"month": ["x"], "topic": 3},
                                *control_values(UrlState(), VOCAB)[7:]], VOCAB)
    assert dropped == UrlState()


def test_the_explored_topic_the_lines_shown_and_the_open_passage():
    state, notices = decode("?line=1&line=2&line=99&explore=1&passage=d1%3A0", VOCAB)
    assert notices == ["Ignored unknown line “99”."]
    assert (state.lines, state.explore, state.passage) == (("compute_race", "2"),
                                                            "compute_race", "d1:0")
    assert encode(state) == "?line=compute_race&line=2&explore=compute_race&passage=d1%3A0"
    first, _ = decode("?explore=pause_letter", VOCAB)
    assert first.explore == "" and encode(first) == ""  # the first topic is the default
    bad, notices = decode("?passage=a%0Ab&explore=99", VOCAB)
    assert (bad.passage, bad.explore) == ("", "") and len(notices) == 2
    assert decode("?passage=" + "x" * 301, VOCAB)[0].passage == ""


def test_said_by_takes_known_speakers_and_says_what_it_dropped():
    state, notices = decode("?said_by=Grace+Hopper&person=Alan+Turing&said_by=Alan+Turing"
                            "&said_by=%3Cb%3ENobody%3C%2Fb%3E", VOCAB)
    assert (state.said_by, state.people) == (("Grace Hopper",), ("Alan Turing",))
    # Alan Turing is a known person but has no statement: not a speaker
    assert notices == ["Ignored unknown said_by “Alan Turing”.",
                       "Ignored unknown said_by “<b>Nobody</b>”."]
    assert encode(state) == "?person=Alan+Turing&said_by=Grace+Hopper"
    assert filter_key(state) == encode(state)  # a filter, so in downloads and filter_key
    assert control_values(state, VOCAB)[1] == ["Grace Hopper"]
    garbage, notices = from_controls([[], ["Grace Hopper", 7, {"x": 1}],
                                      *control_values(UrlState(), VOCAB)[2:]], VOCAB)
    assert garbage.said_by == ("Grace Hopper",)
    assert notices == ["Ignored 1 Said by value that is not text.",
                       "Ignored unknown said_by “7”."]


def test_said_by_in_a_run_without_statements_is_dropped_with_the_reason():
    older = replace(VOCAB, speakers=frozenset())
    state, notices = decode("?said_by=Ada+Lovelace&said_by=Grace+Hopper&q=x", older)
    assert (state.said_by, state.q) == ((), "x")
    assert notices == ["Ignored “said_by=Ada Lovelace” and 1 more: no statement in this run "
                       "is attributed to a person."]
    assert decode("?said_by=" + "x" * 5000, older)[0] == UrlState()  # never raises
