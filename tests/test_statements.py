"""The statement extractor (issue 15, who said what) on the hard cases: nested quotations, two
speakers in one paragraph, "he said" after two names, organisations, a person quoted about
another, role labels around 20 January 2025, `Q`, and bad input that must never raise."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.passages import split_passages
from pipelines.people import extract_mentions
from pipelines.roles import load_roles
from pipelines.statements import extract_statements, passage_speakers

from pipeline_fixtures import REPO_ROOT


def run(registry, text: str, day: dt.date = dt.date(2024, 5, 1), title: str = "") -> tuple[pl.DataFrame, str]:
    docs = pl.DataFrame({"doc_id": ["d"], "date": [day], "month": [day.replace(day=1)], "title": [title],
                         "source": [None], "text": [text]}, schema_overrides={"source": pl.String})
    passages = split_passages(docs.lazy()).collect()
    mentions = extract_mentions(docs, passages.lazy(), registry)
    return extract_statements(docs, passages, mentions, registry), text


def said(frame: pl.DataFrame, text: str) -> list[tuple[str | None, str, str]]:
    """(speaker, kind, words) of each statement."""
    return [(r["speaker"], r["kind"], text[r["char_start"]:r["char_end"]]) for r in frame.iter_rows(named=True)]


def who(registry, text: str, day: dt.date = dt.date(2024, 5, 1)) -> list[tuple[str | None, str, str]]:
    """(speaker, kind, words) of each statement of `text` as a one-passage document."""
    frame, text = run(registry, text, day)
    return said(frame, text)


def speakers(frame: pl.DataFrame) -> set[str]:
    return set(frame["speaker"].drop_nulls())


def test_nested_quotation_outer_speaker_only(registry):
    frame, text = run(registry, "\"When Ilya called me on Friday, he said, 'The board has decided you should go.' "
                                "I thought it was a joke,\" Altman told the podcast host.")
    outer = [s for s in said(frame, text) if s[1] == "quote" and s[2].startswith("When Ilya")]
    assert outer and outer[0][0] == "Sam Altman"
    assert not outer[0][2].endswith(",")  # the comma before the closing mark is not part of the words
    inner = [s for s in said(frame, text) if s[2] == "The board has decided you should go."]
    assert all(s[0] != "Sam Altman" for s in inner)


def test_two_speakers_in_one_paragraph(registry):
    frame, text = run(registry, "FTC chair Lina Khan, who testified before the House Judiciary Committee the same "
                                "day, has argued that existing consumer protection law fully applies to AI companies. "
                                "Sam Altman, OpenAI's chief executive, wrote on Twitter that he was disappointed the "
                                "request had started with a leak, but said the company would cooperate.")
    got = said(frame, text)
    assert ("Lina Khan", "reported", "existing consumer protection law fully applies to AI companies") in got
    assert [s[0] for s in got if s[2].startswith("the company would")] == ["Sam Altman"]
    assert speakers(frame) == {"Lina Khan", "Sam Altman"}


def test_he_said_after_two_names_is_the_previous_subject(registry):
    frame, _ = run(registry, "Hassabis disagreed sharply with LeCun during a panel in Paris on Tuesday. Asked "
                             "whether openly released models were dangerous, he said the answer depended on how "
                             "capable they became.")
    assert speakers(frame) == {"Demis Hassabis"}


def test_a_quotation_by_an_organisation_has_no_speaker(registry):
    frame, text = run(registry, "\u201cSafety is not a feature we bolt on at the end,\u201d Anthropic said in a blog "
                                "post on Thursday, a day after Dario Amodei testified before the committee.")
    quotes = [r for r in frame.iter_rows(named=True) if r["kind"] == "quote"]
    assert [(q["speaker"], q["speaker_text"]) for q in quotes] == [(None, "Anthropic")]
    assert speakers(frame) == set()
    frame, _ = run(registry, "\"We are reviewing the complaint,\" the company said in a statement.")
    assert frame["speaker"].to_list() == [None] and frame["speaker_text"].to_list() == ["the company"]


def test_a_person_quoted_about_another_person(registry):
    frame, _ = run(registry, "Hinton was blunt when asked about his former student. \u201cSutskever has a better "
                             "moral compass than most of the people running these companies,\u201d he said. "
                             "Sutskever did not respond to a request for comment.")
    assert speakers(frame) == {"Geoffrey Hinton"}


def test_signing_a_letter_is_not_a_statement(registry):
    frame, _ = run(registry, "On March 29, a public joint letter sparked an uproar, calling for a moratorium on "
                             "training AI more powerful than GPT-4, signed by Musk, Apple co-founder Steve Wozniak "
                             "and other big names in the tech world.")
    assert speakers(frame) == set()


def test_the_seed_article(registry):
    """Statements attributed to Musk are his; Wozniak's signature is a mention, not a statement."""
    from pipelines.ingest import ingest_paths

    docs = ingest_paths([REPO_ROOT / "data" / "corpus" / "2023-04" / "2023-04-18-musk-buys-10000-gpus.md"]).documents
    passages = split_passages(docs.lazy()).collect()
    mentions = extract_mentions(docs, passages.lazy(), registry)
    frame = extract_statements(docs, passages, mentions, registry)
    text = docs["text"][0]
    assert "Steve Wozniak" in set(mentions["person"]) and "Steve Wozniak" not in speakers(frame)
    musk = [text[s:e] for s, e in frame.filter(pl.col("speaker") == "Elon Musk").select("char_start", "char_end")
            .iter_rows()]
    assert any("regulation of the AI industry" in w for w in musk)
    assert any("limits in the technology" in w for w in musk)
    assert speakers(frame) == {"Elon Musk"}


TRANSCRIPT = ("THE PRESIDENT:  Thank you all.  AI is a big deal.\n\n"
              "It will change everything we do.\n\n"
              "Q    Mr. President, are you worried?\n\n"
              "THE VICE PRESIDENT:  We are clear-eyed about the risks.\n\n"
              "MODERATOR:  Next question.\n\n"
              "MR. NOBODYREGISTERED:  Thank you.\n")


@pytest.mark.parametrize("day, president, vice", [
    (dt.date(2025, 1, 20), "Joe Biden", "Kamala Harris"),
    (dt.date(2025, 1, 21), "Donald Trump", "JD Vance"),
    (dt.date(2023, 10, 30), "Joe Biden", "Kamala Harris"),
])
def test_role_labels_resolve_by_the_documents_date(registry, day, president, vice):
    frame, text = run(registry, TRANSCRIPT, day)
    turns = frame.filter(pl.col("kind") == "turn")
    assert turns["speaker"].to_list() == [president, None, vice, None, None]
    assert turns["cue"].to_list() == ["THE PRESIDENT", "Q", "THE VICE PRESIDENT", "MODERATOR", "MR. NOBODYREGISTERED"]
    first = turns.row(0, named=True)
    assert text[first["char_start"]:first["char_end"]] == "Thank you all.  AI is a big deal.\n\n" \
                                                          "It will change everything we do."  # carried on


def test_statements_sit_in_the_passage_they_start_in(registry):
    frame, text = run(registry, TRANSCRIPT, dt.date(2024, 1, 5))
    docs = pl.DataFrame({"doc_id": ["d"], "date": [dt.date(2024, 1, 5)], "month": [dt.date(2024, 1, 1)],
                         "title": [""], "source": [None], "text": [text]}, schema_overrides={"source": pl.String})
    passages = split_passages(docs.lazy()).collect()
    for row in frame.iter_rows(named=True):
        passage = passages.filter(pl.col("passage_id") == row["passage_id"]).row(0, named=True)
        assert passage["char_start"] <= row["char_start"] < passage["char_end"]
        assert row["statement_id"].startswith(row["passage_id"] + ":s")
    assert frame["statement_id"].is_unique().all()
    with_speakers = passage_speakers(passages, frame)
    first = with_speakers["speakers"].to_list()[0]
    assert "Joe Biden" in first and first == sorted(set(first))  # short turns share a passage


def test_roles_file_names_registry_people(registry):
    roles = load_roles(people={p.name for p in registry.people})
    assert roles.holder("THE PRESIDENT", dt.date(2025, 1, 20)) == "Joe Biden"
    assert roles.holder("the  president", dt.date(2025, 1, 21)) == "Donald Trump"
    assert roles.is_anonymous("Q") and roles.is_anonymous("Senior Administration Official")


@pytest.mark.parametrize("text", [
    "", "   \n\n  ", "\u201cAn unbalanced quotation that never closes, Musk said.",
    "\"Open \"and \"odd\" quotes\" everywhere\" \u201c \u201d \u201c Altman said:",
    "Q\n\nQ    \n\nTHE PRESIDENT:", "said said said told according to in his view",
    ("Altman said that regulation matters. " * 4000) + "\u201c" + ("word " * 20000),
])
def test_bad_input_never_raises(registry, text):
    frame, _ = run(registry, text)
    assert set(frame.columns) >= {"statement_id", "speaker", "kind", "char_start", "char_end"}
    assert all(0 <= s <= e <= len(text) for s, e in frame.select("char_start", "char_end").iter_rows())


def test_unresolved_turn_labels_are_people_candidates(run_cli, tmp_path):
    (tmp_path / "briefing.md").write_text("---\ndate: 2024-03-01\ntitle: Briefing\n---\n" + TRANSCRIPT
                                          + "\nMR. NOBODYREGISTERED:  Again.\n", encoding="utf-8")
    result = run_cli("people", "--candidates", tmp_path)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "Turn labels not resolved to a registry person (1)" in flat
    assert "MR. NOBODYREGISTERED │ 2" in flat and "MODERATOR" not in flat


@pytest.mark.parametrize("cue", ["observed that", "asserted that", "mentioned that",
                                 "underscores that"])
def test_more_reporting_verbs(registry, cue):
    frame, text = run(registry, f"Gina Raimondo {cue} export controls were working as intended.")
    assert "Gina Raimondo" in speakers(frame)


def test_emphasizing_participle(registry):
    frame, text = run(registry, "Gina Raimondo spoke on Monday, emphasizing that export controls must be tightened.")
    assert "Gina Raimondo" in speakers(frame)


def test_observed_without_content_is_no_statement(registry):
    frame, text = run(registry, "Gina Raimondo observed the test launch from the control room.")
    assert "Gina Raimondo" not in speakers(frame)


def test_pointed_out_that(registry):
    frame, text = run(registry, "Commerce Secretary Gina Raimondo pointed out that export controls were working, "
                                "and said more would come.")
    assert ("Gina Raimondo", "reported") in {(s, k) for s, k, _ in said(frame, text)}
    assert any(r["cue"] == "pointed out" for r in frame.iter_rows(named=True))


def test_pronoun_after_an_opening_phrase_is_the_subject(registry):
    frame, text = run(registry, "Representative Ted Lieu of California is one of the louder voices on AI. In an "
                                "op-ed published on Monday he wrote that he is excited by the technology.")
    assert ("Ted Lieu", "reported", "he is excited by the technology") in said(frame, text)


def test_cue_between_commas_attributes_both_clauses(registry):
    frame, text = run(registry, "Jensen Huang told analysts that demand was far ahead of supply. Customers were "
                                "lining up, he said, because every country now wanted its own AI infrastructure.")
    got = said(frame, text)
    assert ("Jensen Huang", "reported", "Customers were lining up") in got
    assert ("Jensen Huang", "reported", "because every country now wanted its own AI infrastructure") in got


def test_cue_between_commas_after_a_bare_subject_keeps_only_the_rest(registry):
    frame, text = run(registry, "Elon Musk said this week that he plans to build TruthGPT. Such an AI, he argued, "
                                "would be unlikely to wipe out humanity.")
    got = said(frame, text)
    assert not any(s[2].startswith("Such an AI") for s in got)
    assert ("Elon Musk", "reported", "would be unlikely to wipe out humanity") in got


def test_wrote_between_commas(registry):
    frame, text = run(registry, "President Trump wrote on social media that Nvidia could ship chips to China. He "
                                "said he had informed Chinese leader Xi Jinping, who had responded positively. The "
                                "same approach would apply to AMD, he wrote, while newer chips were excluded.",
                      day=dt.date(2025, 12, 9))
    got = said(frame, text)
    assert ("Donald Trump", "reported", "The same approach would apply to AMD") in got
    assert "Xi Jinping" not in speakers(frame)  # named as an object, never the antecedent of "he"


def test_participle_after_a_pronoun_subject(registry):
    frame, text = run(registry, "Musk praised the summit. He also raised the risk posed by humanoid robots, "
                                "suggesting that they should have a local off switch.")
    assert ("Elon Musk", "reported", "they should have a local off switch") in said(frame, text)


def test_subject_before_a_participial_aside(registry):
    frame, text = run(registry, "Geoffrey Hinton, speaking by phone from a hotel in California, said he was "
                                "stunned by the award.")
    assert ("Geoffrey Hinton", "reported", "he was stunned by the award") in said(frame, text)


def test_proposed_and_likewise_urged(registry):
    frame, text = run(registry, "Sam Altman proposed a new agency that would license the largest models.")
    assert "Sam Altman" in speakers(frame)
    frame, text = run(registry, "Andrew Ng has likewise urged lawmakers to regulate applications, not research.")
    assert "Andrew Ng" in speakers(frame)
    frame, _ = run(registry, "The proposed rules, which Sam Altman backed, would license the largest models.")
    assert speakers(frame) == set()


@pytest.mark.parametrize("text", [
    "Sam Altman was not at the hearing. Critics said the rules were far too weak for the industry.",
    "The letter, he said, was signed by Musk, Apple co-founder Steve Wozniak and other big names.",
    "Critics, he said, were wrong, according to a report that mentioned Sam Altman twice.",
])
def test_mentions_and_critics_stay_unattributed(registry, text):
    frame, _ = run(registry, text)
    assert speakers(frame) == set()


def test_a_description_refers_to_the_person_named_before(registry):
    frame, text = run(registry, "Bill Gates said this week that a pause in AI development would not solve the "
                                "problems. The Microsoft co-founder questioned who exactly would be asked to stop, "
                                "and said such a pause would be very hard to enforce.")
    got = said(frame, text)
    assert any(s[0] == "Bill Gates" and s[2].startswith("who exactly would be asked") for s in got)
    assert ("Bill Gates", "reported", "such a pause would be very hard to enforce") in got


def test_a_description_before_any_name_stays_unattributed(registry):
    frame, _ = run(registry, "The chip billionaire repeated his warnings, saying AI is more dangerous than "
                             "badly built cars. He recalled conversations with Google co-founder Larry Page.")
    assert speakers(frame) == set()  # never forward to Larry Page, named only after it
    # "the Tesla and Twitter chief" is a description in data/roles.toml (Musk), which resolves by the date
    # like a role phrase (the labelling README's hard call), also as the subject a participle continues
    frame, _ = run(registry, "The Tesla and Twitter chief repeated his warnings, saying AI is more dangerous than "
                             "badly built cars. He recalled conversations with Google co-founder Larry Page.")
    assert speakers(frame) == {"Elon Musk"}


def test_quotation_with_asserted_after_it(registry):
    frame, text = run(registry, "\u201cThe Republic of Korea will offer invaluable insights to the participating "
                                "nations,\u201d asserted First Lady Melania Trump.", day=dt.date(2025, 6, 1))
    assert ("Melania Trump", "quote") in {(s, k) for s, k, _ in said(frame, text)}


def test_added_between_commas_after_a_bare_subject(registry):
    frame, text = run(registry, "\"Open models are going to win,\" Mark Zuckerberg said. The company, he added, "
                                "would keep releasing its largest systems.")
    assert ("Mark Zuckerberg", "reported", "would keep releasing its largest systems") in said(frame, text)
    frame, _ = run(registry, "The company, critics added, would keep releasing its largest systems.")
    assert speakers(frame) == set()
