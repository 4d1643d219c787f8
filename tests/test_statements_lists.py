"""Speaker phrases beyond one noun phrase (pipelines/speaker_lists.py and the cues around them):
coordinated and appositive lists of people, example lists that leave the group speaking, relative
clauses, verb series, opening phrases, participles after a document, quotation continuations and
group pronouns. Each mechanism has a small sentence of its own and a negative case."""

from __future__ import annotations

import datetime as dt

from test_statements import run, said, speakers, who


def test_a_list_of_people_speaks_jointly(registry):
    got = who(registry, "Yoshua Bengio, Geoffrey Hinton and Stuart Russell argued that frontier labs should publish "
                        "their safety tests.")
    words = "frontier labs should publish their safety tests"
    assert {s[0] for s in got if s[2] == words} == {"Yoshua Bengio", "Geoffrey Hinton", "Stuart Russell"}


def test_a_negated_list_says_nothing(registry):
    frame, _ = run(registry, "Yoshua Bengio, Geoffrey Hinton and Stuart Russell did not argue that labs should "
                             "stop their work.")
    assert speakers(frame) == set()


def test_names_in_apposition_speak(registry):
    got = who(registry, "Two former OpenAI employees, William Saunders and Daniel Kokotajlo, wrote that the company "
                        "had broken its promises.")
    assert {s[0] for s in got if s[2] == "the company had broken its promises"} == {"William Saunders",
                                                                                  "Daniel Kokotajlo"}


def test_an_example_list_leaves_the_group_speaking(registry):
    frame, text = run(registry, "Several senators, including Josh Hawley and Richard Blumenthal, had asked the "
                                "company to pause the release.")
    assert speakers(frame) == set()  # the senators asked; the named ones are examples (mentions)
    assert [r["speaker_text"] for r in frame.iter_rows(named=True)] == ["Several senators"]


def test_who_after_a_name_is_that_person(registry):
    got = who(registry, "The hearing was chaired by Gina Raimondo, who warned that export controls must keep pace "
                        "with chip design.")
    assert ("Gina Raimondo", "reported", "export controls must keep pace with chip design") in got


def test_who_after_an_apposition_is_the_named_person(registry):
    got = who(registry, "Missing from the list was Yann LeCun, Meta's chief AI scientist, who has dismissed talk of "
                        "extinction as science fiction.")
    assert [s[0] for s in got] == ["Yann LeCun"]


def test_a_verb_series_keeps_its_subject(registry):
    got = who(registry, "At the forum, Elon Musk praised the organisers, said regulation was inevitable and left "
                        "early.")
    assert [s[0] for s in got if s[2].startswith("regulation was inevitable")] == ["Elon Musk"]


def test_a_clause_then_another_subject_is_not_a_series(registry):
    frame, _ = run(registry, "Elon Musk toured the factory on Monday, engineers said.")
    assert "Elon Musk" not in speakers(frame)


def test_a_time_phrase_is_not_part_of_the_subject(registry):
    got = who(registry, "On 3 May Senator Ted Cruz argued that the bill would stifle startups.")
    assert ("Ted Cruz", "reported", "the bill would stifle startups") in got


def test_an_opening_phrase_without_a_comma(registry):
    got = who(registry, "In his closing remarks Rishi Sunak said the institute would publish its evaluations.")
    assert [s[0] for s in got] == ["Rishi Sunak"]
    frame, _ = run(registry, "After meeting Sam Altman the minister said the talks had been useful.")
    assert "Sam Altman" not in speakers(frame)


def test_a_participle_after_the_subjects_own_document(registry):
    got = who(registry, "Bill Gates published a letter saying that AI would transform health care.")
    assert ("Bill Gates", "reported", "AI would transform health care") in got


def test_a_participle_after_someone_elses_document_is_not_theirs(registry):
    frame, _ = run(registry, "Elon Musk signed the open letter calling for a six-month pause on giant experiments.")
    assert speakers(frame) == set()
    frame, _ = run(registry, "Elon Musk filed a lawsuit on Thursday arguing that OpenAI had abandoned its mission.")
    assert speakers(frame) == set()  # the lawsuit argues (a filing speaks for itself)


def test_a_participle_after_a_time_phrase_continues_joint_subjects(registry):
    got = who(registry, "Senators Richard Blumenthal and Josh Hawley wrote to the company on Tuesday asking how it "
                        "had tested the model.")
    assert {s[0] for s in got if s[2].startswith("how it had tested")} == {"Richard Blumenthal", "Josh Hawley"}


def test_a_participle_after_a_new_named_subject_is_not_the_earlier_speaker(registry):
    got = who(registry, "When Marc Andreessen accused him of lobbying, Vinod Khosla answered by comparing AI to the "
                        "Manhattan Project and asking whether anyone would open-source a bomb.")
    assert "Marc Andreessen" not in [s[0] for s in got if s[2].startswith("whether anyone")]
    assert [s[0] for s in got if s[2].startswith("him of lobbying") or s[2].startswith("of lobbying")] \
        == ["Marc Andreessen"]


def test_a_quoted_sentence_after_an_attributed_one_continues_it(registry):
    got = who(registry, "\"We will not slow down,\" Sam Altman said. \"The stakes are too high.\"")
    assert ("Sam Altman", "quote", "The stakes are too high.") in got
    got = who(registry, "\"We will not slow down,\" Sam Altman said. Critics called the \"safety\" label a slogan.")
    assert all(s[0] != "Sam Altman" for s in got if s[2] == "safety")  # a new sentence, not a quotation


def test_an_inverted_speaker_with_abbreviations_and_of(registry):
    got = who(registry, "\"Energy is the bottleneck for AI,\" said U.S. Secretary of Energy Chris Wright.",
              dt.date(2025, 6, 1))
    assert [s[0] for s in got if s[1] == "quote"] == ["Chris Wright"]


def test_they_after_joint_speakers(registry):
    got = who(registry, "Yoshua Bengio and Geoffrey Hinton argued that labs must be audited. Because the systems "
                        "improve so fast, they wrote, audits cannot wait for a disaster.")
    assert {s[0] for s in got if s[2].startswith("audits cannot wait")} == {"Yoshua Bengio", "Geoffrey Hinton"}
    assert {s[0] for s in got if s[2].startswith("Because the systems")} == {"Yoshua Bengio", "Geoffrey Hinton"}
    frame, text = run(registry, "Yoshua Bengio and Geoffrey Hinton argued that labs must be audited.\n\n"
                                "They wrote that audits cannot wait for a disaster.")
    assert [s[0] for s in said(frame, text) if s[2].startswith("audits")] == [None]  # a new paragraph


def test_accused_of_and_passive(registry):
    got = who(registry, "Max Tegmark accused the company of brushing off the risks.")
    assert [s[0] for s in got] == ["Max Tegmark"]
    frame, _ = run(registry, "Max Tegmark was accused of exaggerating the risks.")
    assert speakers(frame) == set()


def test_called_x_the_y_needs_no_preposition_between(registry):
    got = who(registry, "Elon Musk called AI the most disruptive force in history.")
    assert [s[0] for s in got] == ["Elon Musk"]
    frame, _ = run(registry, "Joe Biden called reporters to the Oval Office the next day.", dt.date(2023, 5, 1))
    assert speakers(frame) == set()


def test_new_reporting_verbs(registry):
    got = who(registry, "Gavin Newsom tweeted that the bill would be signed within weeks, and Elon Musk answered "
                        "that parody is legal in America.")
    assert {s[0] for s in got} >= {"Gavin Newsom", "Elon Musk"}
    got = who(registry, "Gina Raimondo encouraged the companies to share their test results with the institute.")
    assert [s[0] for s in got] == ["Gina Raimondo"]


def test_a_quotation_with_an_apposition_before_its_cue(registry):
    got = who(registry, "“We need rules,” Sam Altman, OpenAI’s chief executive, said on Tuesday.")
    assert [s[0] for s in got if s[1] == "quote"] == ["Sam Altman"]
    got = who(registry, "Sam Altman, OpenAI’s chief executive, said: “We need rules.”")
    assert [s[0] for s in got if s[1] == "quote"] == ["Sam Altman"]
    got = who(registry, "Altman’s longtime rival, Elon Musk, said: “We need rules.”")
    assert [s[0] for s in got if s[1] == "quote"] == ["Elon Musk"]
    frame, _ = run(registry, "The letter, signed by Elon Musk, said: “We need rules.”")
    assert speakers(frame) == set()  # the letter speaks; its signatory is a mention


def test_a_non_breaking_space_after_a_cue(registry):
    got = who(registry, "Both leaders, President Biden and President Xi Jinping, met in Woodside, where both leaders "
                        "noted\xa0the need to address the risks of advanced AI systems.", dt.date(2023, 11, 16))
    assert {s[0] for s in got if s[2].startswith("the need")} == {"Joe Biden", "Xi Jinping"}


def test_a_line_break_after_a_cue_keeps_the_verb(registry):
    got = who(registry, "President Xi presented\nhimself as a defender of multilateralism.")
    assert [s[0] for s in got] == ["Xi Jinping"]


def test_called_on_and_called_for_across_a_line_break(registry):
    got = who(registry, "Joe Biden called on Congress to act on the bill this year.", dt.date(2024, 1, 10))
    assert [s[0] for s in got] == ["Joe Biden"]
    got = who(registry, "Joe Biden called\nfor an end to destabilizing military activity.", dt.date(2024, 1, 10))
    assert [(s[0], s[2]) for s in got] == [("Joe Biden", "an end to destabilizing military activity")]
    frame, _ = run(registry, "Joe Biden was called on to act.", dt.date(2024, 1, 10))
    assert speakers(frame) == set()


def test_a_participle_after_a_role_description_subject(registry):
    got = who(registry, "The Tesla and Twitter chief repeated his warnings, saying AI is more dangerous than badly "
                        "built cars.", dt.date(2023, 4, 19))
    assert [s[0] for s in got] == ["Elon Musk"]
    frame, _ = run(registry, "The President’s spokesman repeated the warnings, saying AI is more dangerous than "
                             "anything else.", dt.date(2023, 4, 19))
    assert speakers(frame) == set()  # the spokesman speaks, not the President


def test_told_someone_a_bare_clause(registry):
    got = who(registry, "Geoffrey Hinton told the BBC he regretted some of his work.")
    assert ("Geoffrey Hinton", "reported", "he regretted some of his work") in got
    got = who(registry, "Gina Raimondo told reporters on Tuesday the controls would be updated every year.")
    assert ("Gina Raimondo", "reported", "the controls would be updated every year") in got
    frame, _ = run(registry, "Sam Altman told reporters about the plan he had drafted with Microsoft.")
    assert speakers(frame) == set()  # a topic, and the pronoun is inside it


def test_a_role_subject_does_not_take_another_groups_participle(registry):
    frame, _ = run(registry, "The President faces political pressure at home, with the Republicans, for example, "
                             "calling for direct strikes.", dt.date(2024, 1, 30))
    assert speakers(frame) == set()
