"""Issue 15 acceptance on the held-out sets of record, each written by an annotator who saw no
extractor code or output and never shown to whoever tunes the extractor:
data/statement_labels/heldout_3.jsonl (5 December 2026), heldout_4.jsonl (written the same
day, after the second round of tuning began; first scored after it ended) and heldout_5.jsonl
(written during the third round; first scored after it ended). Aggregates only:
nothing here prints an example. Needs ../shared/corpora/whitehouse-ai."""

from __future__ import annotations

import pytest

from pipeline_fixtures import require_whitehouse

pytestmark = pytest.mark.external

# name, passages, floors under the figures measured on 2026-12-05 after the fourth tuning round
# (docs/STATEMENTS.md)
SETS = {
    "heldout_3": (101, 0.88, 0.76),  # measured 0.900 / 0.785
    "heldout_4": (90, 0.96, 0.74),  # measured 0.978 / 0.758
    "heldout_5": (104, 0.95, 0.70),  # measured 0.966 / 0.727
}


@pytest.fixture(scope="module", params=sorted(SETS))
def held_out(request):
    from pipelines.statement_quality import DATA_DIR, evaluate

    tally, missing = evaluate(None, whitehouse=require_whitehouse(),
                              labels=DATA_DIR / "statement_labels" / f"{request.param}.jsonl")
    assert missing == 0
    return request.param, tally


@pytest.mark.xfail(strict=True, reason="issue 15 acceptance NOT met: recall 0.785 on heldout_3 (precision "
                   "0.900), 0.758 on heldout_4, 0.727 on heldout_5 (docs/STATEMENTS.md); strict, so this "
                   "fails once the extractor meets it")
def test_held_out_sets_of_record_meet_the_acceptance(held_out):
    name, tally = held_out
    assert tally.precision >= 0.95, tally.line(name)
    assert tally.recall >= 0.80, tally.line(name)


def test_held_out_sets_do_not_fall_below_their_measured_figures(held_out):
    name, tally = held_out
    _, precision, recall = SETS[name]
    assert tally.precision >= precision, tally.line(name)
    assert tally.recall >= recall, tally.line(name)


def test_the_sets_are_the_ones_described_in_the_readme(held_out):
    name, tally = held_out
    assert tally.line("x").startswith(f"x: {SETS[name][0]} passages")
