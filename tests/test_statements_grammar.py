"""Fourth tuning round (2026-12-05): general mechanisms of English reporting clauses, each with
sentences written from the grammar (not from a labelled example) and a negative case."""

from __future__ import annotations

import datetime as dt

import pytest

from test_statements import who


@pytest.mark.parametrize("text", [
    "Cruz went on to say that the bill would help startups.",
    "Cruz took to social media to argue that the bill would help startups.",
    "Cruz used the hearing to warn that the bill would help startups.",
    "Cruz continued to insist the bill would help startups.",
])
def test_a_catenative_verb_before_an_infinitive_cue_keeps_its_subject(registry, text):
    assert ("Ted Cruz", "reported", "the bill would help startups") in who(registry, text)


@pytest.mark.parametrize("text", [
    "Cruz is expected to argue that the bill would help startups.",
    "Cruz wants to warn that the bill would help startups.",
    "Cruz declined to say whether the bill would help startups.",
])
def test_an_infinitive_cue_that_was_not_performed_names_no_speaker(registry, text):
    assert all(s[0] is None for s in who(registry, text))


@pytest.mark.parametrize("verb", ["responded by saying", "concluded by noting", "began by arguing"])
def test_a_by_participle_takes_the_subject(registry, verb):
    text = f"Cruz {verb} that the bill would help startups."
    assert ("Ted Cruz", "reported", "the bill would help startups") in who(registry, text)


def test_present_tense_base_forms_are_cues(registry):
    got = who(registry, "In their essay, Helen Toner and Tasha McCauley argue that boards cannot govern labs.")
    assert {s[0] for s in got if s[2] == "boards cannot govern labs"} == {"Helen Toner", "Tasha McCauley"}


@pytest.mark.parametrize("text", [
    "Cruz was blunt: “This bill will stifle innovation.”",
    "The hearing ran late. Cruz put it bluntly: “This bill will stifle innovation.”",
    "Cruz also addressed the critics, “This bill will stifle innovation.”",
])
def test_a_quotation_after_its_subjects_own_clause(registry, text):
    assert ("Ted Cruz", "quote", "This bill will stifle innovation.") in who(registry, text)


@pytest.mark.parametrize("text", [
    "Trump signed the order: “Removing Barriers to American Leadership in Artificial Intelligence.”",
    "Trump signed an order, “Removing Barriers to American Leadership.”",
    "Musk’s company had one message: “Comply or pay us now.”",
    "Cruz and Schumer were clear: “This bill will stifle innovation.”",
])
def test_a_title_or_a_possessive_subject_after_a_clause_names_no_speaker(registry, text):
    assert all(s[0] is None for s in who(registry, text))


def test_a_hedged_base_form_is_no_report(registry):
    text = "THE PRESIDENT:  We have, I would argue, the closest partnership in the world.  And I would just argue " \
           "that the work of two years has paid off."
    got = [s for s in who(registry, text, dt.date(2023, 6, 8)) if s[1] == "reported"]
    assert got == []


def test_in_her_view_opening_a_sentence_needs_no_comma(registry):
    text = "Kamala Harris spoke about the risks. In her view the harms deserve the same urgency as bioweapons."
    assert ("Kamala Harris", "reported", "the harms deserve the same urgency as bioweapons") in who(registry, text)


def test_a_manner_adverb_inside_called_for(registry):
    text = "Gary Marcus has also called publicly for a global agency for AI."
    assert ("Gary Marcus", "reported", "a global agency for AI") in who(registry, text)


def test_affirmed_takes_a_claim_as_its_object(registry):
    text = "President Biden and Prime Minister Kishida met today. The leaders reaffirmed their commitment to a " \
           "free and open Indo-Pacific."
    got = {s[0] for s in who(registry, text) if s[2].startswith("their commitment")}
    assert got == {"Joe Biden", "Fumio Kishida"}
    assert who(registry, "Biden never affirmed the plan in public.") == []


@pytest.mark.parametrize("text", [
    "As Biden put it, America must lead the world in AI.",
    "America must lead the world in AI, as Biden put it.",
    "In Biden’s words, America must lead the world in AI.",
    "Biden was quoted as saying that America must lead the world in AI.",
    "Biden has made it clear that America must lead the world in AI.",
    "The President made the case that America must lead the world in AI.",
])
def test_reporting_frames_without_a_reporting_verb(registry, text):
    assert ("Joe Biden", "reported", "America must lead the world in AI") in who(registry, text, dt.date(2023, 5, 1))


@pytest.mark.parametrize("text", [
    "Biden never made clear that America must lead the world in AI.",
    "Critics made the point that America must lead the world in AI.",
    "In Biden’s administration, America must lead the world in AI.",
])
def test_reporting_frames_negated_or_without_a_person(registry, text):
    assert all(s[0] is None for s in who(registry, text, dt.date(2023, 5, 1)))


@pytest.mark.parametrize("tail", ["said Cruz, who chairs the commerce committee.", "said Cruz, the ranking member."])
def test_an_inverted_speaker_followed_by_an_apposition(registry, tail):
    got = who(registry, "The bill would stifle innovation, " + tail)
    assert ("Ted Cruz", "reported", "The bill would stifle innovation") in got


def test_joint_speakers_after_the_reported_clause(registry):
    got = who(registry, "The bill would stifle innovation, Cruz and Schumer said.")
    assert {s[0] for s in got if s[2] == "The bill would stifle innovation"} == {"Ted Cruz", "Chuck Schumer"}


def test_q_with_a_colon_is_a_questioners_turn(registry):
    text = "PRESIDENT BIDEN:  Thank you.\n\nQ:  A question for you.\n\nPRIME MINISTER SUNAK:  Well, thanks."
    got = who(registry, text, dt.date(2023, 6, 8))
    assert (None, "turn", "A question for you.") in got
    assert ("Joe Biden", "turn", "Thank you.") in got


def test_a_paragraph_whose_only_cue_is_a_phrase_is_read(registry):
    got = who(registry, "Sullivan spoke on Tuesday. President Biden pointed out that the position is there should be "
                        "no escalation.", dt.date(2024, 11, 17))
    assert ("Joe Biden", "reported", "the position is there should be no escalation") in got


def test_a_pronoun_opening_a_turns_next_paragraph_continues_its_person(registry):
    text = ("MR. SULLIVAN:  President Biden pointed out that the position is there should be no escalation.\n\n"
            "And he also pointed out that the PRC does have influence and capacity.\n\n"
            "Q    And what did he say?\n\nMR. SULLIVAN:  He said nothing.")
    got = who(registry, text, dt.date(2024, 11, 17))
    assert ("Joe Biden", "reported", "the PRC does have influence and capacity") in got


def test_a_pronoun_after_a_paragraph_naming_two_people_stays_unresolved(registry):
    text = ("MR. SULLIVAN:  President Biden said that talks had gone well, and President Xi said that they had "
            "gone badly.\n\n"
            "And he also pointed out that the PRC does have influence and capacity.")
    got = who(registry, text, dt.date(2024, 11, 17))
    assert [s[0] for s in got if s[2].startswith("the PRC")] == [None]


def test_a_counted_group_of_leaders_named_before(registry):
    text = ("Today’s Summit is the fourth meeting between President Biden, Prime Minister Kishida, and President Yoon. "
            "Today, the three Leaders reaffirmed the critical importance of regular consultations. The Leaders "
            "jointly opened a new era and reaffirmed that cooperation between the three countries advances security.")
    got = who(registry, text, dt.date(2023, 8, 18))
    trio = {"Joe Biden", "Fumio Kishida", "Yoon Suk Yeol"}
    assert {s[0] for s in got if s[2].startswith("the critical importance")} == trio
    assert {s[0] for s in got if s[2].startswith("cooperation between")} == trio
    got = who(registry, "President Biden met Prime Minister Kishida. The three leaders reaffirmed that the alliance "
                        "is strong.", dt.date(2023, 8, 18))
    assert all(s[0] is None for s in got)  # three leaders, two named


def test_he_added_after_a_coordinated_speaker_is_that_speaker(registry):
    text = ("Dario Amodei signed the open letter on Monday, but its organiser, Tomás Ferreira, said the Anthropic chief "
            "had not been consulted. He added that the letter “asks nothing of governments that they have not "
            "already promised.”")
    assert all(s[0] is None for s in who(registry, text, dt.date(2025, 6, 10)))
    text = "Sam Altman spoke at a forum called Winning the Race. He said the United States would win the race."
    assert ("Sam Altman", "reported", "the United States would win the race") in who(registry, text)


def test_a_quotation_closed_by_a_full_stop_does_not_take_the_next_sentences_clause(registry):
    text = ("The Nvidia chief executive called the deal “a template for the Midwest.” Brad Smith said of Sam Altman, "
            "who did not attend, that “nobody has pushed us harder on capacity.”")
    got = who(registry, text, dt.date(2024, 5, 15))
    assert [s[0] for s in got if s[1] == "quote" and s[2].startswith("a template")] != ["Brad Smith"]
    assert ("Brad Smith", "quote", "nobody has pushed us harder on capacity.") in got


@pytest.mark.parametrize("text", [
    "Raimondo is telling companies that the rules will take effect next year.",
    "Raimondo has been warning that the rules will take effect next year.",
    "Raimondo noted, however, that the rules will take effect next year.",
    "Gina Raimondo — the commerce secretary — said the rules will take effect next year.",
    "Raimondo reminded companies that the rules will take effect next year.",
    "Raimondo later clarified that the rules will take effect next year.",
])
def test_progressive_aside_and_dash_forms_of_a_reporting_clause(registry, text):
    assert ("Gina Raimondo", "reported", "the rules will take effect next year") in who(registry, text)


def test_a_repeated_call_or_warning_is_its_owners(registry):
    got = who(registry, "Biden reiterated his call for Congress to pass privacy legislation.", dt.date(2023, 5, 1))
    assert ("Joe Biden", "reported", "Congress to pass privacy legislation") in got
    got = who(registry, "Biden renewed his warning that AI could be misused by bad actors.", dt.date(2023, 5, 1))
    assert ("Joe Biden", "reported", "AI could be misused by bad actors") in got


def test_expressed_concern_is_a_stated_position_but_passive_informed_by_is_not(registry):
    got = who(registry, "Raimondo expressed concern that the rules would take effect too late.")
    assert ("Gina Raimondo", "reported", "concern that the rules would take effect too late") in got
    assert who(registry, "Raimondo was mindful and informed by the fact that the rules would take effect.") == []
    assert all(s[0] is None for s in who(registry, "Raimondo is not telling companies that the rules will change."))


@pytest.mark.parametrize("text, person", [
    ("Gina Raimondo opened the forum. The secretary said Congress must act this year.", "Gina Raimondo"),
    ("Senator Chuck Schumer opened the forum. The majority leader said Congress must act this year.", "Chuck Schumer"),
])
def test_a_title_description_is_the_person_named_before_whose_role_fits(registry, text, person):
    assert (person, "reported", "Congress must act this year") in who(registry, text)


@pytest.mark.parametrize("text", [
    "The secretary said Congress must act this year.",  # nobody named before
    "Gina Raimondo and Antony Blinken met. The secretary said Congress must act this year.",  # two secretaries
    "Chuck Schumer spoke for the Democrats. The party said Congress must act this year.",  # an organisation
])
def test_a_title_description_without_one_fitting_person_stays_unresolved(registry, text):
    assert all(s[0] is None for s in who(registry, text))


@pytest.mark.parametrize("text", [
    "“Congress must act this year.” — Sam Altman, CEO of OpenAI",
    "Altman’s message: “Congress must act this year.”",
    "Altman’s reply was short: “Congress must act this year.”",
])
def test_a_quotation_signed_with_a_dash_or_introduced_by_its_speakers_words(registry, text):
    assert ("Sam Altman", "quote", "Congress must act this year.") in who(registry, text)


@pytest.mark.parametrize("text", [
    "“Congress must act this year” — a claim Sam Altman often makes.",
    "Altman’s company had one message: “Congress must act this year.”",
])
def test_a_dash_clause_or_a_possessed_organisation_is_no_speaker(registry, text):
    assert all(s[0] is None for s in who(registry, text) if s[1] == "quote")


def test_echoing_a_named_persons_call_and_joining_in_calling(registry):
    got = who(registry, "Hinton echoed Bengio’s call for a pause on giant AI experiments.")
    assert ("Geoffrey Hinton", "reported", "a pause on giant AI experiments") in got
    got = who(registry, "Hinton joined Bengio in calling for a pause on giant AI experiments.")
    assert ("Geoffrey Hinton", "reported", "a pause on giant AI experiments") in got
    got = who(registry, "Hinton backed Bengio’s call for a pause on giant AI experiments.")
    assert all(s[0] != "Geoffrey Hinton" for s in got)  # endorsing is a mention


def test_an_age_and_a_relative_clause_after_the_subject(registry):
    got = who(registry, "Musk, 52, who owns X, wrote that Congress must act this year.")
    assert ("Elon Musk", "reported", "Congress must act this year") in got


def test_has_been_clear_that_in_a_briefing_turn(registry):
    text = ("MS. JEAN-PIERRE:  The President has been very clear that we need Congress to act.\n\n"
            "Q    Thank you, Karine.\n\nMS. JEAN-PIERRE:  It is clear that Congress has not acted yet.")
    got = who(registry, text, dt.date(2024, 3, 1))
    assert ("Joe Biden", "reported", "we need Congress to act") in got
    assert [s for s in got if s[2].startswith("Congress has not")] == []


def test_joint_role_subjects_of_a_frame(registry):
    got = who(registry, "The President and Vice President were clear that companies must make their products safe.",
              dt.date(2023, 5, 4))
    assert {s[0] for s in got if s[2] == "companies must make their products safe"} == {"Joe Biden", "Kamala Harris"}
    got = who(registry, "The firm and its lawyers were clear that the suit would go ahead.")
    assert all(s[0] is None for s in got)
