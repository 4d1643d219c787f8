"""URL state: round trip, validation notices, and random query strings never raising."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixture_run as fx
from dashboard import ids
from dashboard.data.filters import MAX_SEARCH_WORDS
from dashboard.url_state import (
    CONTROLS, MAX_PEOPLE, UrlState, control_values, decode, encode, filter_key, from_controls,
    month_range_indices, state_from_dict, state_to_dict, to_filters, with_cell, with_pair,
)


@pytest.fixture(scope="module")
def vocab(ddata):
    return ddata.vocabulary()


def test_round_trip(vocab):
    state = UrlState(people=(fx.EM, fx.GM), start="2024-02", end="2024-03",
                     sources=(fx.NEWS,), topics=("pause_letter", "2"), q="AI & safety",
                     measure="share", chart="area", events=False, tab="people")
    search = encode(state)
    assert search.startswith("?person=Elon+Musk&person=Gary+Marcus&from=2024-02")
    back, notices = decode(search, vocab)
    assert back == state and notices == []
    assert state_from_dict(state_to_dict(state), vocab) == state


def test_defaults_are_left_out(vocab):
    assert encode(UrlState()) == ""
    state, notices = decode("?from=2024-01&to=2024-04", vocab)  # the full range
    assert state == UrlState() and notices == []
    assert decode("", vocab) == (UrlState(), [])
    assert decode(None, vocab) == (UrlState(), [])


def test_filters_from_state(vocab):
    state, _ = decode("?person=Elon+Musk&from=2024-02&topic=compute_race&topic=2&q=chips",
                      vocab)
    f = to_filters(state, vocab)
    assert f.people == (fx.EM,) and f.start == date(2024, 2, 1) and f.end is None
    assert f.topics == (1, 2) and f.search == "chips"
    assert month_range_indices(state, vocab) == [1, 3]


def test_topic_ids_of_themes_become_theme_keys(vocab):
    state, notices = decode("?topic=1&topic=compute_race", vocab)
    assert state.topics == ("compute_race",) and notices == []


@pytest.mark.parametrize("query, fragment", [
    ("?person=Nobody", "unknown person “Nobody”"),
    ("?source=Tabloid", "unknown source"),
    ("?topic=nope", "unknown topic"),
    ("?topic=77", "unknown topic"),
    ("?from=2024-13", "not a month"),
    ("?from=24-01", "not a month"),
    ("?to=2024-02-30", "not a month"),
    ("?from=0000-01", "not a month"),
    ("?from=2023-12", "outside the corpus"),
    ("?to=2031-01", "outside the corpus"),
    ("?measure=pie", "measure=pie"),
    ("?chart=bars", "chart=bars"),
    ("?tab=admin", "tab=admin"),
    ("?events=maybe", "events=maybe"),
    ("?colour=red", "unknown parameter “colour”"),
    ("?q=a&q=b", "given 2 times"),
])
def test_invalid_values_are_ignored_with_a_notice(vocab, query, fragment):
    state, notices = decode(query, vocab)
    assert any(fragment in n for n in notices), notices
    assert state.people == () and state.sources == ()


def test_reversed_range_is_swapped(vocab):
    state, notices = decode("?from=2024-03&to=2024-02", vocab)
    assert (state.start, state.end) == ("2024-02", "2024-03")
    assert notices


def test_caps(vocab):
    many = "&".join(f"person={fx.EM}" for _ in range(5))
    state, notices = decode("?" + many, vocab)
    assert state.people == (fx.EM,) and notices == []  # duplicates collapse silently
    state, notices = decode("?q=" + "x" * 500, vocab)
    assert len(state.q) == 200 and notices
    state, notices = decode("?" + "&".join(f"k{i}=1" for i in range(300)), vocab)
    assert state == UrlState() and "too many parameters" in notices[0]
    state, notices = decode("?q=" + "y" * 5000, vocab)
    assert "too long" in notices[0]
    assert MAX_PEOPLE >= 3


NINE_WORDS = "licensing pause compute race Musk chips copyright Vestager Marcus"


def test_search_words_over_the_cap_are_cut_with_a_notice_from_the_url(vocab):
    """Issue 17, case 10: the 9th word used to be dropped silently (Filters.search_words)."""
    assert MAX_SEARCH_WORDS == 8
    state, notices = decode("?" + urlencode({"q": NINE_WORDS}), vocab)
    assert state.q == NINE_WORDS.rsplit(" ", 1)[0]
    assert notices == ["The search text was cut to its first 8 words (it had 9): "
                       f"“{state.q}”."]
    assert len(to_filters(state, vocab).search_words) == 8
    assert decode(encode(state), vocab) == (state, [])  # the cut address is valid as it is
    assert decode("?q=" + quote("a-b c.d e f g"), vocab)[1] == []  # 8 words: no notice


def test_search_words_over_the_cap_are_cut_with_a_notice_from_the_control(vocab):
    values = control_values(UrlState(), vocab)
    values[[cid for cid, _ in CONTROLS].index(ids.SEARCH)] = "  " + NINE_WORDS + "  "
    state, notices = from_controls(values, vocab)
    assert state.q == NINE_WORDS.rsplit(" ", 1)[0]
    assert len(notices) == 1 and "first 8 words (it had 9)" in notices[0]


def test_controls(vocab):
    state, notices = from_controls([[fx.GM], [fx.MV], [1, 2], [], ["pause_letter"],
                                    "  licensing  ", None, "share", "lines", True, [], "trends",
                                    None, None, [], [], ""], vocab)
    assert notices == []
    assert encode(state) == ("?person=Gary+Marcus&said_by=Margrethe+Vestager&from=2024-02"
                             "&to=2024-03&topic=pause_letter&q=licensing&measure=share")
    garbage, _ = from_controls([None, {"s": 1}, "x", 5, {"a": 1}, None, [1], None, 7, None,
                                "x", None, {"b": 2}, 3, 9, "x", ["y"]], vocab)
    assert garbage == UrlState(events=False)


def test_a_network_pair_is_two_known_people(vocab):
    state, notices = decode(f"?tab=network&both={fx.GM}&both={fx.MV}".replace(" ", "+"), vocab)
    assert (state.pair, notices) == ((fx.GM, fx.MV), [])
    assert encode(with_pair(UrlState(), fx.GM, fx.MV)) == encode(state).replace("tab=network&", "")
    unknown, notices = decode("?both=Nobody+Known", vocab)
    assert unknown.pair == () and len(notices) == 1
    assert filter_key(UrlState(pair=(fx.GM, fx.MV))) == filter_key(UrlState())  # a view option


def test_heatmap_cell_and_filter_key(vocab):
    state = with_cell(UrlState(people=(fx.GM,), tab="people"), fx.MV, "2")
    assert (state.people, state.topics, state.tab) == ((fx.MV,), ("2",), "trends")
    assert filter_key(UrlState(measure="share", tab="people")) == filter_key(UrlState())
    assert filter_key(UrlState(q="x")) != filter_key(UrlState())


def test_corpus_text_in_notices_is_just_text(vocab):
    _, notices = decode("?person=" + quote("<script>alert(1)</script>"), vocab)
    assert notices == ["Ignored unknown person “<script>alert(1)</script>”."]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_random_query_strings_never_raise(vocab, text):
    state, notices = decode(text, vocab)
    assert isinstance(state, UrlState) and all(isinstance(n, str) for n in notices)
    again, more = decode(encode(state), vocab)
    assert again == state and more == []


keys = st.sampled_from(["person", "from", "to", "source", "topic", "q", "measure", "chart",
                        "events", "tab", "other"])
values = st.one_of(st.sampled_from([fx.EM, "2024-02", "2024-99", "pause_letter", "1", "-1",
                                    fx.NEWS, "share", "area", "0", ""]), st.text(max_size=30))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(keys, values), max_size=12))
def test_random_parameters_never_raise(vocab, pairs):
    from urllib.parse import urlencode

    state, notices = decode("?" + urlencode(pairs), vocab)
    assert set(state.people) <= vocab.people
    assert set(state.topics) <= set(vocab.topic_tokens)
    f = to_filters(state, vocab)
    assert f.start is None or date(2024, 1, 1) <= f.start <= date(2024, 4, 1)
    assert decode(encode(state), vocab) == (state, [])
