"""Acceptance of the statement extractor (issue 15) against data/statement_labels/.

The held-out figures come from folds 0 and 1 of the fixed split (pipelines/statement_quality.py
says how the split and the scoring work); nothing here prints a held-out example. The White
House corpus lives beside the repository in ../shared/corpora/whitehouse-ai; without it these
tests skip (and fail under CI, where it must be present)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline_fixtures import require_whitehouse

pytestmark = pytest.mark.external


@pytest.fixture(scope="module")
def held_out():
    from pipelines.statement_quality import HELD_OUT_FOLDS, evaluate

    tally, missing = evaluate(HELD_OUT_FOLDS, whitehouse=require_whitehouse())
    assert missing == 0
    return tally


# Folds 0-1 are retired as held out (development data, errors read, since 2026-12-05). They were a strict
# xfail until stmt-s30 made them pass (0.972 / 0.807 on 2026-12-05; 0.949 / 0.627 when still held out), so
# the mark goes, as heldout_2's did: meeting the acceptance on tuned-on data says nothing about held-out
# quality; the sets of record are heldout_3.jsonl and heldout_4.jsonl (tests/test_statement_held_out.py).
def test_held_out_speaker_precision_and_recall(held_out):
    assert held_out.precision >= 0.95, held_out.line("held out")
    assert held_out.recall >= 0.80, held_out.line("held out")


def test_held_out_figures_do_not_fall_below_the_measured_ones(held_out):
    """A floor under today's figures on folds 0 and 1 (0.972 / 0.807 on 2026-12-05 after stmt-s30,
    0.971 / 0.735 after stmt-tune, 0.971 / 0.723 before; they were 0.949 / 0.627 when still held out),
    not the acceptance."""
    assert held_out.precision >= 0.95, held_out.line("held out")
    assert held_out.recall >= 0.78, held_out.line("held out")


def test_errors_are_never_listed_for_held_out_folds():
    from pipelines.statement_quality import HELD_OUT_FOLDS, evaluate

    with pytest.raises(ValueError):
        evaluate(HELD_OUT_FOLDS, keep_errors=True)


def test_press_briefing_turns_resolve_to_people(whitehouse_documents):
    """Share of press-briefing turns resolved to a registry person, questioners (`Q`) and
    anonymous labels left out of the denominator."""
    from pipelines.passages import split_passages
    from pipelines.people import extract_mentions, load_registry
    from pipelines.statements import document_turn_labels, unresolved_labels

    registry = load_registry()
    briefings = whitehouse_documents.filter(pl.col("origin").str.starts_with("press-briefings/"))
    passages = split_passages(briefings.lazy()).collect()
    turns = document_turn_labels(briefings, extract_mentions(briefings, passages.lazy(), registry), registry)
    named = turns.filter(pl.col("status") != "anonymous")
    share = float((named["status"] == "person").mean())
    unresolved = ", ".join(f"{label} ({n})" for label, n, _ in unresolved_labels(turns).iter_rows())
    assert named.height > 1000
    assert share >= 0.90, f"{share:.1%} of {named.height} turns resolved; unresolved: {unresolved}"
    assert turns.filter(pl.col("label") == "Q")["speaker"].null_count() == turns.filter(pl.col("label") == "Q").height


def test_errors_are_refused_for_other_labels_files(tmp_path):
    from pipelines.statement_quality import evaluate
    other = tmp_path / "other.jsonl"
    other.write_text("")
    with pytest.raises(ValueError):
        evaluate(None, keep_errors=True, labels=other)


def test_all_folds_errors_need_the_retired_split():
    from pipelines.statement_quality import evaluate
    with pytest.raises(ValueError):
        evaluate(None, keep_errors=True)


@pytest.fixture(scope="module")
def second_held_out():
    from pipelines.statement_quality import DATA_DIR, evaluate

    tally, missing = evaluate(None, whitehouse=require_whitehouse(),
                              labels=DATA_DIR / "statement_labels" / "heldout_2.jsonl")
    assert missing == 0
    return tally


# heldout_2.jsonl is development data since 2026-12-05 (tuned on, errors read): meeting the acceptance
# here (0.992 / 0.810 on 2026-12-05, stmt-tune) says nothing about held-out quality; the set of record
# are heldout_3.jsonl and heldout_4.jsonl (tests/test_statement_held_out.py).
def test_second_held_out_set_meets_the_acceptance(second_held_out):
    assert second_held_out.precision >= 0.95, second_held_out.line("heldout_2")
    assert second_held_out.recall >= 0.80, second_held_out.line("heldout_2")


def test_second_held_out_set_does_not_fall_below_its_measured_figures(second_held_out):
    """A floor under today's figures (0.993 / 0.914 after stmt-s30; 0.992 / 0.810 on 2026-12-05 after the
    stmt-tune changes; 0.992 / 0.761 before them, after heldout_2 was opened for tuning; 0.981 / 0.669 of
    record), not the acceptance."""
    assert second_held_out.precision >= 0.95, second_held_out.line("heldout_2")
    assert second_held_out.recall >= 0.88, second_held_out.line("heldout_2")


def test_second_held_out_set_on_the_white_house_text_alone():
    """The held-out figures on the real White House passages of heldout_2.jsonl (1.000 / 0.742 of
    record): precision meets the issue's 0.95 there too; a floor under the recall."""
    from pipelines.statement_quality import DATA_DIR, evaluate

    tally, missing = evaluate(None, whitehouse=require_whitehouse(), origin="whitehouse",
                              labels=DATA_DIR / "statement_labels" / "heldout_2.jsonl")
    assert missing == 0 and tally.line("wh").startswith("wh: 37 passages")
    assert tally.precision >= 0.95, tally.line("heldout_2, White House")
    assert tally.recall >= 0.82, tally.line("heldout_2, White House")  # 0.864 on 2026-12-05 (0.758 before stmt-tune)


def test_dev_4_does_not_fall_below_its_measured_figures():
    """dev_4.jsonl (development labels, 47 passages): 0.974 / 0.551 at its first scoring, before any change
    made after it was copied in (the one unseen figure), 1.000 / 0.942 after stmt-s30 tuned on it. A floor,
    not the acceptance; it says nothing about held-out quality."""
    from pipelines.statement_quality import DEV_4, evaluate

    tally, missing = evaluate(None, whitehouse=require_whitehouse(), labels=DEV_4)
    assert missing == 0
    assert tally.precision >= 0.95, tally.line("dev_4")
    assert tally.recall >= 0.90, tally.line("dev_4")


def test_dev_5_does_not_fall_below_its_measured_figures():
    """dev_5.jsonl (development labels, 80 passages, written during the fourth round): first scorings
    unseen 1.000 / 0.708 (dev_5a) and 0.889 / 0.676 (dev_5b, after dev_5a was tuned on); 1.000 / 0.862
    (50/58) after stmt-s31 tuned on both. A floor, not the acceptance."""
    from pipelines.statement_quality import DEV_5, errors_shown, evaluate

    assert errors_shown(DEV_5)
    tally, missing = evaluate(None, whitehouse=require_whitehouse(), labels=DEV_5)
    assert missing == 0 and tally.line("dev_5").startswith("dev_5: 80 passages")
    assert tally.precision >= 0.95, tally.line("dev_5")
    assert tally.recall >= 0.82, tally.line("dev_5")
