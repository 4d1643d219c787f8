"""What rose this month: the false-alarm share under no change stays near the nominal level,
real doublings and halvings are found, zero and sparse counts give finite numbers, exposure
is counted by hand, and the same input gives the same output."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint
from scipy import stats
from statsmodels.stats import rates  # not `import test_poisson_2indep`: pytest would collect it

from dashboard.analysis.rises import baseline_window, latest_full_month, midp_two_sided, rises, significant_changes

COLUMNS = ["topic_id", "count", "exposure", "baseline_count", "baseline_exposure", "rate",
           "baseline_rate", "rate_ratio", "ci_low", "ci_high", "p_value", "q_value", "tested",
           "significant", "direction"]
FLOATS = ["rate", "baseline_rate", "rate_ratio", "ci_low", "ci_high", "p_value", "q_value"]
# 16 topics' shares of a month's passages, from a big theme to near-empty ones (the rest of
# the passages are other topics and outliers).
SHARES = np.array([0.12, 0.09, 0.07, 0.06, 0.05, 0.04, 0.035, 0.03, 0.025, 0.02, 0.015, 0.01,
                   0.008, 0.005, 0.003, 0.002])
MONTHS = [date(2024, m, 1) for m in range(1, 8)]  # six baseline months, then the target
TARGET = MONTHS[-1]


def simulate(rng: np.random.Generator, target_shares: np.ndarray, low: int, high: int
             ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Counts (zero rows left out, as built) and totals: each month's passages drawn from
    low..high, split among the topics by a multinomial draw; the target month uses
    `target_shares`, the baseline months SHARES."""
    totals = rng.integers(low, high + 1, size=len(MONTHS))
    rows = []
    for month, total in zip(MONTHS, totals):
        shares = target_shares if month == TARGET else SHARES
        drawn = rng.multinomial(total, [*shares, 1 - shares.sum()])[:-1]
        rows += [(month, topic, int(n)) for topic, n in enumerate(drawn) if n]
    counts = pl.DataFrame(rows, schema={"month": pl.Date, "topic_id": pl.Int32, "passages": pl.Int64},
                          orient="row")
    return counts, pl.DataFrame({"month": MONTHS, "passages": totals})


def found_share(seed: int, runs: int, topic: int, share: float, low: int = 350, high: int = 450) -> float:
    """Share of runs where `topic`, moved to `share` in the target month, comes out significant
    in the right direction."""
    rng = np.random.default_rng(seed)
    shares = SHARES.copy()
    shares[topic] = share
    want = "rise" if share > SHARES[topic] else "fall"
    found = 0
    for _ in range(runs):
        row = rises(*simulate(rng, shares, low, high), TARGET).filter(pl.col("topic_id") == topic)
        found += bool(row["significant"][0]) and row["direction"][0] == want
    return found / runs


def assert_finite(out: pl.DataFrame) -> None:
    for column in FLOATS:
        values = out[column].drop_nulls()
        assert not values.is_nan().any() and not values.is_infinite().any(), column


def test_no_change_rarely_flags_anything():
    # Measured: 19 of these 400 months (4.75%) flag any topic; 3.8% and 4.15% in two other
    # runs of 2,000 months. BH under the complete null controls the family-wise error at
    # alpha = 0.05, and the mid-p test keeps close to it.
    rng = np.random.default_rng(20240701)
    flagged = sum(rises(*simulate(rng, SHARES, 300, 600), TARGET)["significant"].any() for _ in range(400))
    assert flagged / 400 <= 0.08


def test_a_doubling_is_found():
    # A theme at 9% of ~400 passages a month doubling to 18%: measured 0.97 (194 of 200).
    assert found_share(1, 200, topic=1, share=0.18) >= 0.9
    # A 5% theme doubling to 10% at ~400 passages: 0.86 (172 of 200) with this seed, but
    # 0.74 over 3,000 runs: with 16 topics under BH it needs p below about 0.05/16, which a
    # count of ~40 against ~23 expected misses a quarter of the time. At ~600 passages a
    # month the same doubling is found 93% of the time.
    assert found_share(2, 200, topic=4, share=0.10) >= 0.65


def test_a_halving_is_found_as_a_fall():
    # A 12% theme halving to 6% at ~400 passages: measured 0.73 (146 of 200). A 5% theme
    # halving to 2.5% (10 passages against 20 expected) is found only 20% of the time.
    assert found_share(3, 200, topic=0, share=0.06) >= 0.6


def hand_example() -> tuple[pl.DataFrame, pl.DataFrame]:
    """July 2024 against January-June; February is missing from totals and April is empty."""
    totals = pl.DataFrame({"month": [date(2023, 12, 1), date(2024, 1, 1), date(2024, 3, 1), date(2024, 4, 1),
                                     date(2024, 5, 1), date(2024, 6, 1), TARGET, date(2024, 8, 1)],
                           "passages": [1000, 100, 200, 0, 150, 50, 400, 999]})
    rows = [(date(2023, 12, 1), 7, 50), (date(2024, 1, 1), 7, 3), (date(2024, 2, 1), 7, 9),
            (date(2024, 3, 1), 7, 5), (date(2024, 6, 1), 7, 2), (TARGET, 7, 30), (date(2024, 8, 1), 7, 40),
            (TARGET, 8, 1), (date(2024, 5, 1), 8, 1), (TARGET, 9, 4), (date(2024, 3, 1), 9, 20)]
    counts = pl.DataFrame(rows, schema={"month": pl.Date, "topic_id": pl.Int64, "passages": pl.Int64},
                          orient="row")
    return counts, totals


def test_exposure_and_counts_by_hand():
    out = rises(*hand_example(), TARGET)
    assert out.columns == COLUMNS
    seven = out.row(by_predicate=pl.col("topic_id") == 7, named=True)
    # Baseline: January (100), March (200), April (0), May (150), June (50); February is not
    # in totals, so its 9 passages count for nothing; December and August are outside.
    assert (seven["count"], seven["exposure"]) == (30, 400)
    assert (seven["baseline_count"], seven["baseline_exposure"]) == (10, 500)
    assert seven["rate"] == pytest.approx(30 / 400) and seven["baseline_rate"] == pytest.approx(10 / 500)
    share = 400 / 900  # the pseudo-passage, split by exposure
    assert seven["rate_ratio"] == pytest.approx(((30 + share) / 400) / ((10 + 1 - share) / 500))
    # the interval: Wilson's score interval of this month's share of the 41 (corrected)
    # passages, mapped to the ratio; statsmodels' proportion_confint computes the same
    low, high = proportion_confint(30 + share, 41, alpha=0.05, method="wilson")
    to_ratio = lambda p: p / (1 - p) * 500 / 400  # noqa: E731
    assert seven["ci_low"] == pytest.approx(to_ratio(low), rel=1e-5)
    assert seven["ci_high"] == pytest.approx(to_ratio(high), rel=1e-5)
    direct = rates.test_poisson_2indep(30, 400, 10, 500, method="cond-midp").pvalue
    by_hand = stats.binomtest(30, 40, 400 / 900).pvalue - 0.5 * stats.binom.pmf(30, 40, 400 / 900)
    assert seven["p_value"] == pytest.approx(direct) and seven["p_value"] == pytest.approx(by_hand)
    assert (seven["significant"], seven["direction"]) == (True, "rise")
    nine = out.row(by_predicate=pl.col("topic_id") == 9, named=True)
    assert nine["p_value"] == pytest.approx(
        rates.test_poisson_2indep(4, 400, 20, 500, method="cond-midp").pvalue)
    # BH over the two tested topics only (topic 8 has 2 passages in all, under min_count).
    p_low, p_high = sorted([seven["p_value"], nine["p_value"]])
    assert sorted([seven["q_value"], nine["q_value"]]) == pytest.approx([min(2 * p_low, p_high), p_high])
    assert out["topic_id"].to_list() == ([7, 9, 8] if seven["p_value"] < nine["p_value"] else [9, 7, 8])


def test_the_vectorised_test_equals_statsmodels_one_topic_at_a_time():
    """midp_two_sided over many topics at once gives statsmodels' p-values: counts from 0 to
    thousands, zero baselines, equal and very unequal exposures, both tails."""
    rng = np.random.default_rng(11)
    cases = [(0, 400, 7, 500), (7, 400, 0, 500), (30, 400, 10, 500),
             (4, 400, 20, 500), (5, 100, 30, 600), (1, 10, 1, 10), (3000, 90000, 15000, 540000)]
    cases += [(int(rng.integers(0, 60)), int(e), int(rng.integers(0, 300)), int(b))
              for e, b in zip(rng.integers(50, 5000, 200), rng.integers(300, 30000, 200))]
    count, exposure, baseline, baseline_exposure = (np.array(c) for c in zip(*cases))
    ours = midp_two_sided(count, count + baseline, exposure / (exposure + baseline_exposure))
    theirs = [min(max(float(rates.test_poisson_2indep(*case, method="cond-midp").pvalue), 0.0), 1.0)
              for case in cases]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_min_count_leaves_topics_untested_with_null_p():
    out = rises(*hand_example(), TARGET)
    eight = out.row(by_predicate=pl.col("topic_id") == 8, named=True)
    assert (eight["tested"], eight["significant"], eight["direction"]) == (False, False, "flat")
    assert eight["p_value"] is None and eight["q_value"] is None
    assert out["topic_id"][-1] == 8  # untested last
    assert rises(*hand_example(), TARGET, min_count=2).row(
        by_predicate=pl.col("topic_id") == 8, named=True)["tested"]


def sparse_case() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Topic 1: 0 against 0; topic 2: 5 against 0; topic 3: 0 against 20."""
    rows = [(TARGET, 1, 0), (TARGET, 2, 5)] + [(m, 3, n) for m, n in zip(MONTHS[:-1], [3, 4, 2, 5, 3, 3])]
    counts = pl.DataFrame(rows, schema={"month": pl.Date, "topic_id": pl.Int32, "passages": pl.Int64},
                          orient="row")
    return counts, pl.DataFrame({"month": MONTHS, "passages": [300] * 7})


@pytest.mark.parametrize("min_count", [0, 3])
def test_zero_and_sparse_counts_stay_finite(min_count):
    out = rises(*sparse_case(), TARGET, min_count=min_count)
    assert_finite(out)
    measures = ["rate", "baseline_rate", "rate_ratio", "ci_low", "ci_high"]
    assert out.select(pl.col(measures).null_count()).sum_horizontal()[0] == 0
    by_topic = {row["topic_id"]: row for row in out.iter_rows(named=True)}
    # 0 against 0: never tested, whatever min_count; its ratio is exactly 1.
    assert not by_topic[1]["tested"] and by_topic[1]["rate_ratio"] == pytest.approx(1.0)
    assert by_topic[2]["tested"] and by_topic[2]["p_value"] < 0.01 and by_topic[2]["direction"] == "rise"
    assert by_topic[2]["ci_low"] > 1 and math.isfinite(by_topic[2]["ci_high"])
    assert by_topic[3]["tested"] and by_topic[3]["rate"] == 0 and 0 < by_topic[3]["rate_ratio"] < 1


@pytest.mark.parametrize("target_total", [0, None])
def test_an_empty_or_missing_month_tests_nothing(target_total):
    counts, totals = sparse_case()
    totals = totals.filter(pl.col("month") != TARGET)
    if target_total is not None:
        totals = pl.concat([totals, pl.DataFrame({"month": [TARGET], "passages": [target_total]})])
    out = rises(counts, totals, TARGET)
    assert_finite(out)
    assert not out["tested"].any() and out["exposure"].to_list() == [0, 0, 0]
    nulls = out.select(pl.col(["rate", "rate_ratio", "ci_low", "p_value", "q_value"]).is_null().all())
    assert nulls.row(0) == (True,) * 5


def test_no_baseline_tests_nothing():
    counts, totals = sparse_case()
    out = rises(counts, totals.filter(pl.col("month") == TARGET), TARGET)
    assert_finite(out)
    assert not out["tested"].any() and out["baseline_exposure"].to_list() == [0, 0, 0]
    assert out["baseline_rate"].is_null().all() and out["rate"].is_not_null().all()


def test_empty_counts_give_an_empty_table():
    counts, totals = hand_example()
    out = rises(counts.clear(), totals, TARGET)
    assert out.is_empty() and out.columns == COLUMNS


def test_the_same_input_gives_the_same_output_in_any_row_order():
    counts, totals = simulate(np.random.default_rng(5), SHARES, 300, 600)
    first = rises(counts, totals, TARGET)
    assert first.equals(rises(counts, totals, TARGET))
    assert first.equals(rises(counts.sample(fraction=1, shuffle=True, seed=1),
                              totals.sample(fraction=1, shuffle=True, seed=2), date(2024, 7, 15)))
    significant = first["significant"].to_list()
    assert significant == sorted(significant, reverse=True)


def test_baseline_window_is_calendar_months_present():
    months = [date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1), date(2024, 2, 1), date(2024, 3, 1),
              date(2024, 4, 1), date(2023, 12, 1)]
    assert baseline_window(months, date(2024, 3, 1), 3) == [date(2023, 12, 1), date(2024, 2, 1)]
    assert baseline_window(months, date(2024, 3, 1), 0) == []
    assert baseline_window(months, date(2023, 10, 1), 6) == []


def test_latest_full_month_skips_the_current_one():
    totals = pl.DataFrame({"month": MONTHS, "passages": [10, 10, 10, 10, 10, 0, 10]})
    assert latest_full_month(totals, date(2024, 8, 3)) == TARGET
    assert latest_full_month(totals, date(2024, 7, 31)) == date(2024, 5, 1)  # June has no passages
    assert latest_full_month(totals, date(2024, 1, 20)) is None
    assert latest_full_month(totals.clear()) is None


def test_significant_changes_of_every_month_are_those_rises_finds_month_by_month():
    """The chart's marks (all months at once) agree with the view (one month at a time):
    a 12-month series with a doubling in month 8 and a halving in month 11."""
    rng = np.random.default_rng(5)
    months = [date(2024, m, 1) for m in range(1, 13)]
    rows, totals = [], []
    for i, month in enumerate(months):
        shares = SHARES.copy()
        shares[2] *= 2 if i == 7 else 1
        shares[0] *= 0.5 if i == 10 else 1
        total = int(rng.integers(300, 500))
        drawn = rng.multinomial(total, [*shares, 1 - shares.sum()])[:-1]
        rows += [(month, t, int(c)) for t, c in enumerate(drawn) if c]
        totals.append((month, total))
    counts = pl.DataFrame(rows, schema={"month": pl.Date, "topic_id": pl.Int64, "passages": pl.Int64},
                          orient="row")
    totals = pl.DataFrame(totals, schema={"month": pl.Date, "passages": pl.Int64}, orient="row")
    marks = significant_changes(counts, totals)
    by_month = pl.concat([
        rises(counts, totals, m).filter(pl.col("significant")).select(
            pl.lit(m).alias("month"), "topic_id", "direction") for m in months])
    assert by_month.height >= 2  # the planted changes are found
    assert sorted(marks.iter_rows()) == sorted(by_month.iter_rows())
    assert (months[7], 2, "rise") in set(marks.iter_rows())
