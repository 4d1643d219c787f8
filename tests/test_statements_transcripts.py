"""Speaker attribution in White House transcripts and readouts (issue 15): pronouns inside a turn,
vocatives, role titles as antecedents, expected speech, joint "leaders", solo-speech labels and a
quotation between two reporting clauses. Each test is a rule found while reading the extractor's
output on White House documents outside the label sets."""

from __future__ import annotations

import datetime as dt

from test_statements import run, said


def _by_words(frame, text, start: str) -> list[str | None]:
    return [s[0] for s in said(frame, text) if s[1] != "turn" and s[2].startswith(start)]


def test_a_pronoun_in_a_turn_is_never_its_own_speaker(registry):
    text = ("Q    How did the meeting go?\n\nTHE PRESIDENT:  It was great.  I said, “Who are they?”  "
            "He said, “Well, they love our country.”\n\nQ    Thank you.\n")
    frame, text = run(registry, text, dt.date(2025, 2, 19))
    assert _by_words(frame, text, "Who are they") == ["Donald Trump"]
    assert _by_words(frame, text, "Well, they love") == [None]


def test_a_role_title_before_a_pronoun_is_its_antecedent(registry):
    text = ("MS. JEAN-PIERRE:  Go ahead.\n\nQ    So, following up on some of the President’s remarks regarding "
            "Turkey, he said that there would be another call with Erdoğan within the next week.\n")
    frame, text = run(registry, text, dt.date(2023, 5, 31))
    assert _by_words(frame, text, "there would be another call") == ["Joe Biden"]


def test_a_pronoun_after_the_president_and_another_name_stays_unresolved(registry):
    text = ("MR. SULLIVAN:  Go ahead.\n\nQ    Jake, when is the President going to be meeting with President Xi?  "
            "He said earlier that they would be meeting soon enough.\n")
    frame, text = run(registry, text, dt.date(2023, 5, 17))
    assert _by_words(frame, text, "they would be meeting") == [None]


def test_a_vocative_name_is_not_the_subject(registry):
    text = ("MS. JEAN-PIERRE:  Go ahead, Nancy.\n\nQ    Thank you.  John, the White House condemned Elon Musk "
            "last week after he once again said that the company would keep every account online.\n\n"
            "MR. KIRBY:  Well, look.\n")
    frame, text = run(registry, text, dt.date(2023, 11, 20))
    assert _by_words(frame, text, "the company would keep") == ["Elon Musk"]


def test_expected_or_supposed_speech_is_no_statement(registry):
    text = ("MR. SULLIVAN:  As he has in all meetings with Xi, I expect that he will call for the release of the "
            "citizens who are wrongfully detained in China.\n\nQ    Thanks.\n")
    frame, text = run(registry, text, dt.date(2024, 11, 13))
    assert _by_words(frame, text, "the release of") == []
    frame, text = run(registry, "Biden said on Monday that he would call for a pause in the fighting.")
    assert _by_words(frame, text, "he would call") == ["Joe Biden"]


def test_the_leaders_are_the_two_people_the_paragraph_names(registry):
    frame, text = run(registry, "President Biden met Prime Minister Modi at the White House on Thursday.  The "
                                "leaders pledged to hasten bilateral collaboration on critical minerals supply chains.",
                      dt.date(2023, 6, 22))
    assert sorted(_by_words(frame, text, "to hasten")) == ["Joe Biden", "Narendra Modi"]
    frame, text = run(registry, "The two leaders committed to hasten bilateral collaboration on critical minerals "
                                "supply chains.", dt.date(2023, 6, 22))
    assert _by_words(frame, text, "to hasten") == [None]


def test_a_solo_speech_label_is_a_turn(registry):
    text = "Waldorf Astoria\n\nTHE VICE PRESIDENT:  Good morning, everybody.  It is great to be here today.\n"
    frame, text = run(registry, text, dt.date(2025, 3, 18))
    assert [s[0] for s in said(frame, text) if s[1] == "turn"] == ["JD Vance"]
    frame, text = run(registry, "NOTE:  This page was updated to correct a date in the second paragraph.\n")
    assert [s for s in said(frame, text) if s[1] == "turn"] == []


def test_a_quotation_ending_a_sentence_takes_the_cue_before_it(registry):
    text = ("THE VICE PRESIDENT:  One of the CEOs was there.  He said, “Well, I’m actually not worried about the "
            "loss of purpose.”  And I said, “That is exactly the problem.”\n\nQ    Thanks.\n")
    frame, text = run(registry, text, dt.date(2025, 3, 18))
    assert _by_words(frame, text, "Well, I’m actually") == [None]
    assert _by_words(frame, text, "That is exactly") == ["JD Vance"]


def test_the_first_person_of_a_signed_statement_is_its_author(registry):
    body = ("As I said in London last year, AI must be in the public interest and it must protect everyone "
            "from potential harm.")
    frame, text = run(registry, body, dt.date(2024, 3, 21),
                      title="Statement from Vice President Harris on the UN General Assembly Resolution on AI")
    assert _by_words(frame, text, "AI must be") == ["Kamala Harris"]
    frame, text = run(registry, body, dt.date(2024, 3, 21), title="Fact Sheet: The UN Resolution on AI")
    assert _by_words(frame, text, "AI must be") in ([], [None])
    frame, text = run(registry, body, dt.date(2024, 3, 21),
                      title="Remarks by President Biden and Prime Minister Rishi Sunak in Joint Press Conference")
    assert _by_words(frame, text, "AI must be") in ([], [None])


def test_contracted_first_person_is_the_speaker(registry):
    text = "THE PRESIDENT:  And as I’ve said before, each and every one of them is a tragedy for us.\n\nQ    Thanks.\n"
    frame, text = run(registry, text, dt.date(2023, 10, 31))
    assert _by_words(frame, text, "each and every") == ["Joe Biden"]


def test_you_in_a_named_hosts_turn_names_no_one(registry):
    text = ("MR. HOCHSTEIN:  Thank you, Mr. President.  Mr. President, you heard today that shovels are in the "
            "ground.  You promised that the greenfield project would start by the beginning of 2026.\n\n"
            "Q    Thanks.\n")
    frame, text = run(registry, text, dt.date(2024, 12, 4))
    assert _by_words(frame, text, "the greenfield project") == [None]


def test_you_in_a_question_is_only_a_name_addressed(registry):
    text = ("MS. JEAN-PIERRE:  Go ahead.\n\nQ    Thanks, Karine.  You mentioned that the President will travel "
            "to Ohio next week to see the recovery.\n\nMS. JEAN-PIERRE:  Yes.\n")
    title = "Press Briefing by Press Secretary Karine Jean-Pierre"
    frame, text = run(registry, text, dt.date(2023, 5, 3), title=title)
    assert _by_words(frame, text, "the President will travel") == ["Karine Jean-Pierre"]
    text = ("MS. JEAN-PIERRE:  Go ahead.\n\nQ    The President met President Xi.  You mentioned that the "
            "President will travel to Ohio next week to see the recovery.\n\nMS. JEAN-PIERRE:  Yes.\n")
    frame, text = run(registry, text, dt.date(2023, 5, 3), title=title)
    assert _by_words(frame, text, "the President will travel") == [None]


def test_a_round_up_label_names_a_person_only_by_the_whole_name(registry):
    text = "[**Rep. Young Kim**](https://x.com/RepYoungKim/status/1)**:** “Good news! The act is now the law of the land.”"
    frame, text = run(registry, text, dt.date(2025, 5, 19))
    assert _by_words(frame, text, "Good news") == [None]
    text = "[**Sen. Todd Young**](https://x.com/SenToddYoung/status/1)**:** “Glad to see the act signed into law today.”"
    frame, text = run(registry, text, dt.date(2025, 5, 19))
    assert _by_words(frame, text, "Glad to see") == ["Todd Young"]


def test_said_it_has_no_content(registry):
    frame, text = run(registry, "And Biden said it, and Zelenskyy said it, and I think that was one of the reasons "
                                "for the war.", dt.date(2025, 2, 13))
    assert [s for s in said(frame, text) if s[1] == "reported"] == []
    frame, text = run(registry, "Biden said it was a bad night for everyone involved.", dt.date(2024, 7, 9))
    assert _by_words(frame, text, "it was a bad night") == ["Joe Biden"]


def test_readout_verbs_welcomed_and_affirmed_the_need(registry):
    frame, text = run(registry, "President Biden and Prime Minister Modi welcomed the launch of a joint research "
                                "program on quantum computing.", dt.date(2023, 6, 22))
    assert sorted(_by_words(frame, text, "the launch")) == ["Joe Biden", "Narendra Modi"]
    frame, text = run(registry, "This followed the summit between President Biden and President Xi Jinping, where "
                                "both leaders affirmed the need to convene government experts on AI risk.",
                      dt.date(2024, 5, 14))
    assert sorted(_by_words(frame, text, "the need to convene")) == ["Joe Biden", "Xi Jinping"]
    frame, text = run(registry, "President Biden welcomed Prime Minister Modi to the White House on Thursday.",
                      dt.date(2023, 6, 22))
    assert [s for s in said(frame, text) if s[1] == "reported"] == []


def test_a_subject_before_a_line_break_still_names_its_person(registry):
    frame, text = run(registry, "The officials reviewed the regulatory actions.  President Biden\nwelcomed the "
                                "scheduling of 55 dangerous synthetic drugs and precursor chemicals.",
                      dt.date(2024, 11, 16))
    assert _by_words(frame, text, "the scheduling") == ["Joe Biden"]


def test_a_sentence_ends_before_a_non_breaking_space(registry):
    frame, text = run(registry, "Tarun Chhabra led the delegation to Geneva on May 14 to discuss AI risk.\xa0 This "
                                "meeting followed the summit between President Biden and President Xi Jinping, "
                                "where both leaders affirmed the need to convene experts on AI risk.",
                      dt.date(2024, 5, 15))
    assert sorted(_by_words(frame, text, "the need to convene")) == ["Joe Biden", "Xi Jinping"]
