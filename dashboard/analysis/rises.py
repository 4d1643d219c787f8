"""What rose (and fell) this month, beyond chance.

Each topic's passages in `month` (`count`, out of `exposure`: all passages of that month) are
compared with its passages over the `baseline_months` calendar months before it
(`baseline_count` out of `baseline_exposure`). Only months present in `totals` count, for the
topic counts as for the exposure: a month missing from `totals` contributes nothing, and a gap
shrinks the baseline rather than reaching further back.

Test: two Poisson rates, as `statsmodels.stats.rates.test_poisson_2indep(count, exposure,
baseline_count, baseline_exposure, method="cond-midp")`, two-sided, computed for all topics
at once (`midp_two_sided`; tests/test_analysis_rises.py checks it equals statsmodels'). Given the topic's combined
count, this month's share is binomial under equal rates (the exact conditional test); the mid-p
variant counts half the probability of the observed split. The plain "exact-cond" p-value is
conservative for the sparse topics (the whole probability of the observed split sits in the
tail), so it misses real changes there; mid-p keeps the size near the nominal level instead,
not guaranteed below it (tests/test_analysis_rises.py measures the false-alarm share under no
change: about 4% of months flag any of 16 topics at alpha 0.05).
Multiple topics: Benjamini-Hochberg over all tested topics,
`statsmodels.stats.multitest.multipletests(p, method="fdr_bh")`; `significant` is q <= alpha.

A topic is tested when both exposures are positive and count + baseline_count >= min_count;
the others are returned with tested=False and null p/q (the view can say why). The rate
ratio and its 95% interval (the Wilson score interval of the conditional binomial share) first add one pseudo-passage split
between the two counts in proportion to their exposures (0.5 to each when the exposures are
equal; added as under equal rates, so 0 against 0 gives a ratio of exactly 1): zero counts
give finite numbers, shrunk a little towards 1. They are null only when an exposure is 0, as
are the rates. `direction` is "rise" or "fall" for significant topics (by the raw rates) and
"flat" otherwise: it is the verdict, so filtering on it alone shows only changes beyond chance.
"""

from __future__ import annotations

from datetime import date
from statistics import NormalDist

import numpy as np
import polars as pl
from scipy.stats import binom
from statsmodels.stats.multitest import multipletests

Z95 = NormalDist().inv_cdf(0.975)
CHANGE_SCHEMA = {"month": pl.Date, "topic_id": pl.Int32, "direction": pl.String}
FLOAT_COLUMNS = ["rate", "baseline_rate", "rate_ratio", "ci_low", "ci_high", "p_value", "q_value"]


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def baseline_window(months: list[date], month: date, n: int) -> list[date]:
    """Those of `months` that fall in the `n` calendar months before `month`, oldest first."""
    end = _month_index(month)
    return sorted({m for m in months if end - n <= _month_index(m) < end})


def latest_full_month(totals: pl.DataFrame, today: date | None = None) -> date | None:
    """The latest month of `totals` with passages that is before the calendar month of `today`
    (default: the clock's today), since the current month is still filling; None if none."""
    current = (today or date.today()).replace(day=1)
    months = totals.filter((pl.col("month") < current) & (pl.col("passages") > 0))["month"]
    return months.max() if len(months) else None


def _topic_counts(counts: pl.DataFrame, month: date, window: list[date]) -> pl.DataFrame:
    """topic_id, count (in `month`), baseline_count (over `window`), sorted by topic_id."""
    passages = pl.col("passages").fill_null(0).cast(pl.Int64)
    return (counts.group_by("topic_id")
            .agg(passages.filter(pl.col("month") == month).sum().alias("count"),
                 passages.filter(pl.col("month").is_in(window)).sum().alias("baseline_count"))
            .sort("topic_id"))


def _exposures(totals: pl.DataFrame) -> dict[date, int]:
    """month -> all passages of the month (the exposure)."""
    return dict(totals.group_by("month").agg(pl.col("passages").fill_null(0).sum()).iter_rows())


def _tested(count, baseline, exposure, baseline_exposure, min_count: int):  # noqa: ANN001, ANN202
    """Which topics are tested: both exposures positive and enough passages in the window
    (numpy arrays or scalars, broadcast)."""
    return (exposure > 0) & (baseline_exposure > 0) & (count + baseline >= max(min_count, 1))


def _binary_search(pmf_at, target: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """scipy.stats._binomtest._binary_search_for_binom_tst over arrays: per element, the i
    in [lo, hi] with a(i) <= target < a(i + 1), where `pmf_at(x, where)` gives a (ascending
    over the range) at x for the elements selected by the boolean mask `where`."""
    lo, hi = lo.astype(float), hi.astype(float)
    found = np.full(len(lo), np.nan)
    while True:
        active = np.isnan(found) & (lo < hi)
        if not active.any():
            break
        idx = np.flatnonzero(active)
        mid = lo[idx] + (hi[idx] - lo[idx]) // 2
        value = pmf_at(mid, active)
        below, above = value < target[idx], value > target[idx]
        lo[idx[below]] = mid[below] + 1
        hi[idx[above]] = mid[above] - 1
        hit = ~below & ~above
        found[idx[hit]] = mid[hit]
    rest = np.isnan(found)
    if rest.any():
        at_lo = pmf_at(lo[rest], rest)
        found[rest] = np.where(at_lo <= target[rest], lo[rest], lo[rest] - 1)
    return found


def midp_two_sided(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The two-sided mid-p binomial test, vectorised: scipy's binomtest p-value (minimum
    likelihood: the outcomes no likelier than k) minus half the probability of k, as
    statsmodels' test_poisson_2indep(method="cond-midp") computes it one topic at a time."""
    k, n, p = (np.asarray(v, dtype=float) for v in (k, n, p))
    point = binom.pmf(k, n, p)
    target = point * (1 + 1e-7)  # scipy's relative tolerance
    mean = p * n
    pval = np.ones(len(k))
    low, high = k < mean, k > mean
    if low.any():
        ix = _binary_search(lambda x, w: -binom.pmf(x, n[low][w], p[low][w]), -target[low],
                            np.ceil(mean[low]), n[low])
        y = n[low] - ix + (target[low] == binom.pmf(ix, n[low], p[low]))
        pval[low] = binom.cdf(k[low], n[low], p[low]) + binom.sf(n[low] - y, n[low], p[low])
    if high.any():
        ix = _binary_search(lambda x, w: binom.pmf(x, n[high][w], p[high][w]), target[high],
                            np.zeros(int(high.sum())), np.floor(mean[high]))
        pval[high] = (binom.cdf(ix, n[high], p[high])
                      + binom.sf(k[high] - 1, n[high], p[high]))
    return np.clip(np.minimum(pval, 1.0) - 0.5 * point, 0.0, 1.0)


def _p_values(count: np.ndarray, exposure: int, baseline: np.ndarray, baseline_exposure: int,
              tested: np.ndarray) -> np.ndarray:
    """Two-sided mid-p conditional test of equal rates per tested topic; NaN for the others.
    Given the two counts' sum, this month's count is binomial with p = its exposure share."""
    p = np.full(len(count), np.nan)
    if tested.any():
        share = exposure / (exposure + baseline_exposure)
        p[tested] = midp_two_sided(count[tested], count[tested] + baseline[tested],
                                   np.full(int(tested.sum()), share))
    return p


def _q_values(p: np.ndarray, tested: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values over the tested topics; NaN for the others."""
    q = np.full(len(p), np.nan)
    if tested.any():
        q[tested] = multipletests(p[tested], method="fdr_bh")[1]
    return q


def _ratio_interval(count: np.ndarray, exposure: int, baseline: np.ndarray,
                    baseline_exposure: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rate ratio and its 95% interval after adding one pseudo-passage split between the two
    counts in proportion to their exposures; NaN if an exposure is 0. The interval is the
    conditional one that goes with the test: given the two counts' sum n, this month's
    share of it is binomial, its Wilson score interval [p_lo, p_hi] maps to the ratio as
    p / (1 - p) * baseline_exposure / exposure (closed form, vectorised, always finite)."""
    if exposure <= 0 or baseline_exposure <= 0:
        nan = np.full(len(count), np.nan)
        return nan, nan.copy(), nan.copy()
    share = exposure / (exposure + baseline_exposure)
    a, b = count + share, baseline + (1 - share)
    n, z2 = a + b, Z95 ** 2
    p = a / n
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    odds = lambda q: q / (1 - q) * baseline_exposure / exposure  # noqa: E731
    return odds(p), odds(np.maximum(centre - half, 0.0)), odds(np.minimum(centre + half, 1 - 1e-12))


def _direction(count: np.ndarray, exposure: int, baseline: np.ndarray, baseline_exposure: int,
               significant: np.ndarray) -> list[str]:
    """"rise"/"fall" by the raw rates (cross-multiplied, exact) where significant, else "flat"."""
    change = np.sign(count * baseline_exposure - baseline * exposure)
    return ["flat" if not s else ("rise" if c > 0 else "fall" if c < 0 else "flat")
            for c, s in zip(change, significant)]


def rises(counts: pl.DataFrame, totals: pl.DataFrame, month: date, baseline_months: int = 6,
          min_count: int = 3, alpha: float = 0.05) -> pl.DataFrame:
    """One row per topic of `counts`: this month's rate against its trailing baseline, the
    mid-p conditional test, BH q-value and verdict (see the module docstring).

    counts: month (first of month), topic_id, passages; absent rows are 0.
    totals: month, passages (all passages of the month; the exposure).
    Sorted by significant (first), p_value (untested last), topic_id.
    """
    month = month.replace(day=1)
    exposure_of = _exposures(totals)
    window = baseline_window(list(exposure_of), month, baseline_months)
    exposure, baseline_exposure = int(exposure_of.get(month, 0)), int(sum(exposure_of[m] for m in window))
    table = _topic_counts(counts, month, window)
    count, baseline = table["count"].to_numpy(), table["baseline_count"].to_numpy()
    tested = _tested(count, baseline, exposure, baseline_exposure, min_count)
    p = _p_values(count, exposure, baseline, baseline_exposure, tested)
    q = _q_values(p, tested)
    significant = tested & (np.nan_to_num(q, nan=1.0) <= alpha)
    ratio, low, high = _ratio_interval(count, exposure, baseline, baseline_exposure)
    out = table.with_columns(
        pl.lit(exposure, pl.Int64).alias("exposure"),
        pl.lit(baseline_exposure, pl.Int64).alias("baseline_exposure"),
        (pl.col("count") / exposure if exposure else pl.lit(None, pl.Float64)).alias("rate"),
        (pl.col("baseline_count") / baseline_exposure if baseline_exposure
         else pl.lit(None, pl.Float64)).alias("baseline_rate"),
        pl.Series("rate_ratio", ratio), pl.Series("ci_low", low), pl.Series("ci_high", high),
        pl.Series("p_value", p), pl.Series("q_value", q),
        pl.Series("tested", tested, pl.Boolean), pl.Series("significant", significant, pl.Boolean),
        pl.Series("direction", _direction(count, exposure, baseline, baseline_exposure, significant),
                  pl.String))
    out = out.with_columns(pl.col(FLOAT_COLUMNS).cast(pl.Float64).fill_nan(None))
    return out.select("topic_id", "count", "exposure", "baseline_count", "baseline_exposure",
                      *FLOAT_COLUMNS, "tested", "significant", "direction").sort(
        ["significant", "p_value", "topic_id"], descending=[True, False, False], nulls_last=True)


def significant_changes(counts: pl.DataFrame, totals: pl.DataFrame, baseline_months: int = 6,
                        min_count: int = 3, alpha: float = 0.05) -> pl.DataFrame:
    """CHANGE_SCHEMA (month, topic_id, direction "rise" | "fall"): every change beyond chance in every
    month of `totals`, i.e. what `rises` finds month by month (same windows, test, BH
    correction within each month and verdict), computed for all months at once."""
    exposure_of = _exposures(totals)
    months = sorted(exposure_of)
    topics = sorted(counts["topic_id"].unique().to_list())
    empty = pl.DataFrame(schema=CHANGE_SCHEMA)
    if not months or not topics:
        return empty
    at_month, at_topic = {m: i for i, m in enumerate(months)}, {t: j for j, t in enumerate(topics)}
    grid = np.zeros((len(months), len(topics)), dtype=np.int64)
    for month, topic, passages in counts.select("month", "topic_id", "passages").iter_rows():
        if month in at_month and passages:
            grid[at_month[month], at_topic[topic]] += int(passages)
    exposure = np.array([int(exposure_of[m]) for m in months], dtype=np.int64)
    baseline = np.zeros_like(grid)
    baseline_exposure = np.zeros_like(exposure)
    for i, month in enumerate(months):
        window = [at_month[m] for m in baseline_window(months, month, baseline_months)]
        baseline[i] = grid[window].sum(axis=0)
        baseline_exposure[i] = exposure[window].sum()
    tested = _tested(grid, baseline, exposure[:, None], baseline_exposure[:, None], min_count)
    p = np.full(grid.shape, np.nan)
    if tested.any():
        share = np.broadcast_to((exposure / np.maximum(exposure + baseline_exposure, 1))[:, None], grid.shape)
        p[tested] = midp_two_sided(grid[tested], grid[tested] + baseline[tested], share[tested])
    significant = np.zeros(grid.shape, dtype=bool)
    for i in np.flatnonzero(tested.any(axis=1)):
        significant[i] = tested[i] & (np.nan_to_num(_q_values(p[i], tested[i]), nan=1.0) <= alpha)
    change = np.sign(grid * baseline_exposure[:, None] - baseline * exposure[:, None])
    rows, cols = np.nonzero(significant & (change != 0))
    if not len(rows):
        return empty
    return pl.DataFrame({"month": [months[i] for i in rows], "topic_id": [topics[j] for j in cols],
                         "direction": ["rise" if change[i, j] > 0 else "fall" for i, j in zip(rows, cols)]},
                        schema=empty.schema)
