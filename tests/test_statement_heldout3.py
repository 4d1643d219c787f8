"""Issue 15 acceptance on data/statement_labels/heldout_3.jsonl, the held-out set of record
(written by an annotator who saw no extractor code or output; never shown to the tuner).
Aggregates only: nothing here prints an example. Needs ../shared/corpora/whitehouse-ai."""

from __future__ import annotations

import pytest

from pipeline_fixtures import require_whitehouse

pytestmark = pytest.mark.external


@pytest.fixture(scope="module")
def third_held_out():
    from pipelines.statement_quality import DATA_DIR, evaluate

    tally, missing = evaluate(None, whitehouse=require_whitehouse(),
                              labels=DATA_DIR / "statement_labels" / "heldout_3.jsonl")
    assert missing == 0
    return tally


@pytest.mark.xfail(strict=True, reason="issue 15 acceptance NOT met on heldout_3.jsonl: speaker precision "
                   "0.870, recall 0.645 (docs/STATEMENTS.md); strict, so this fails once the extractor "
                   "meets it and the mark must go")
def test_held_out_set_of_record_meets_the_acceptance(third_held_out):
    assert third_held_out.precision >= 0.95, third_held_out.line("heldout_3")
    assert third_held_out.recall >= 0.80, third_held_out.line("heldout_3")


def test_held_out_set_of_record_does_not_fall_below_its_measured_figures(third_held_out):
    """A floor under the first figures on this set (0.870 / 0.645), not the acceptance."""
    assert third_held_out.precision >= 0.85, third_held_out.line("heldout_3")
    assert third_held_out.recall >= 0.62, third_held_out.line("heldout_3")


def test_the_set_is_the_one_described_in_the_readme(third_held_out):
    assert third_held_out.line("h3").startswith("h3: 101 passages")
