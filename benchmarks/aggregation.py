"""Part 1: passages -> trends table, three ways, on the same synthetic run.

* polars   - the project's pipeline: `pipelines.aggregates.trend_tables`, as
             `pipelines.build` calls it (integer-coded keys packed into one UInt64 per
             passage x person row, counts read off the sorted keys).
* pandas   - the same two tables written idiomatically in pandas: explode the passages'
             `people` lists into a passage x person frame, append every passage once with
             person = null, then `groupby(...).agg(size, nunique)`.
* bertopic - `BERTopic.topics_over_time` of the run's saved topic model on the same
             passages, topic assignments and monthly timestamps (nr_bins=None, so each month is
             a bin). It also computes per-month c-TF-IDF keywords, which is what it is for;
             its Frequency column is the passages per (topic, month).

Inputs are loaded and converted to each library's in-memory form before timing. All
three must agree on passages per month x topic for all people; polars and pandas must
also agree on the whole trends and month_totals tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

TRENDS_KEYS = ["month", "topic_id", "person", "source"]
TOTALS_KEYS = ["month", "person", "source"]


class _NoEmbedder:
    """BERTopic's topics_over_time never embeds; loading the saved model needs an embedder."""

    identity = "benchmarks:none"
    dimension = 384

    def encode(self, texts):  # noqa: ANN001, ANN201
        raise RuntimeError("the aggregation benchmark never embeds")


@dataclass
class AggregationInputs:
    passages: pl.DataFrame
    mentions: pl.DataFrame
    pandas_passages: object = None  # pandas.DataFrame
    docs: list[str] = field(default_factory=list)
    timestamps: list[dt.datetime] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)
    model: object = None  # fitted BERTopic


def load_inputs(run_dir: Path, with_bertopic: bool = True) -> AggregationInputs:
    passages = pl.read_parquet(run_dir / "passages.parquet",
                               columns=["passage_id", "doc_id", "text", "month", "topic_id", "source", "people"])
    mentions = pl.read_parquet(run_dir / "mentions.parquet")
    inputs = AggregationInputs(passages=passages, mentions=mentions)
    inputs.pandas_passages = passages.drop("text").to_pandas()
    if with_bertopic:
        from pipelines.topics import load_topic_model

        inputs.model = load_topic_model(run_dir / "topic_model", _NoEmbedder()).model
        inputs.docs = passages["text"].to_list()
        # Months as datetimes: BERTopic 0.17.4 passes `infer_datetime_format` to
        # pd.to_datetime for string timestamps, which pandas 3 no longer accepts, so
        # `datetime_format="%Y-%m"` cannot be used; pre-parsed months give the same bins.
        inputs.timestamps = passages["month"].cast(pl.Datetime("us")).to_list()
        inputs.topics = passages["topic_id"].to_list()
    return inputs


# --- the three implementations -------------------------------------------------------------------


def polars_trends(passages: pl.DataFrame, mentions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The project's pipeline: `pipelines.aggregates.trend_tables` on passages with their
    `people` lists (computed from the mentions when absent, as the build does)."""
    from pipelines import aggregates

    if "people" not in passages.columns:
        passages = aggregates.passages_with_people(passages.lazy(), mentions.lazy()).collect()
    return aggregates.trend_tables(passages)


def pandas_trends(passages):  # noqa: ANN001, ANN201 - pandas.DataFrame in, two out
    """trends and month_totals in idiomatic pandas (same grain and meaning as the Polars tables)."""
    import pandas as pd

    base = passages[["doc_id", "month", "topic_id", "source", "people"]]
    per_person = (base.explode("people").dropna(subset=["people"])
                  .rename(columns={"people": "person"}))
    everyone = base.drop(columns="people").assign(person=None)
    frame = pd.concat([everyone, per_person], ignore_index=True)
    trends = (frame.groupby(TRENDS_KEYS, dropna=False, sort=True)
              .agg(passages=("doc_id", "size"), documents=("doc_id", "nunique")).reset_index())
    totals = (frame.groupby(TOTALS_KEYS, dropna=False, sort=True)
              .agg(passages=("doc_id", "size"), documents=("doc_id", "nunique")).reset_index())
    return trends, totals


def bertopic_topics_over_time(inputs: AggregationInputs):  # noqa: ANN201 - pandas.DataFrame
    return inputs.model.topics_over_time(inputs.docs, inputs.timestamps, topics=inputs.topics,
                                         nr_bins=None)


# --- agreement -------------------------------------------------------------------------------------


def _all_people_counts_polars(trends: pl.DataFrame) -> pl.DataFrame:
    return (trends.filter(pl.col("person").is_null()).group_by("month", "topic_id")
            .agg(pl.col("passages").sum().cast(pl.Int64)).sort("month", "topic_id"))


def _from_pandas(frame, keys: list[str]) -> pl.DataFrame:  # noqa: ANN001
    out = pl.from_pandas(frame)
    casts = {"month": pl.Date, "passages": pl.UInt32, "documents": pl.UInt32, "person": pl.String,
             "source": pl.String, "topic_id": pl.Int32}
    out = out.with_columns(pl.col(c).cast(t) for c, t in casts.items() if c in out.columns)
    return out.sort(keys, nulls_last=False)


def check_agreement(polars_result, pandas_result, bertopic_result=None) -> dict[str, int]:  # noqa: ANN001
    """Raise AssertionError unless the implementations agree; return what was compared."""
    trends, totals = polars_result
    pd_trends = _from_pandas(pandas_result[0], TRENDS_KEYS)
    pd_totals = _from_pandas(pandas_result[1], TOTALS_KEYS)
    ours_trends = trends.sort(TRENDS_KEYS, nulls_last=False)
    ours_totals = totals.sort(TOTALS_KEYS, nulls_last=False)
    assert pd_trends.select(ours_trends.columns).equals(ours_trends), "pandas trends differ from polars"
    assert pd_totals.select(ours_totals.columns).equals(ours_totals), "pandas month_totals differ from polars"
    ours = _all_people_counts_polars(trends)
    pd_counts = _all_people_counts_polars(pd_trends)
    assert pd_counts.equals(ours), "pandas all-people month x topic counts differ"
    compared = {"trends_rows": trends.height, "month_totals_rows": totals.height, "month_topic_cells": ours.height}
    if bertopic_result is not None:
        theirs = (pl.from_pandas(bertopic_result[["Topic", "Timestamp", "Frequency"]])
                  .select(month=pl.col("Timestamp").cast(pl.Date), topic_id=pl.col("Topic").cast(pl.Int32),
                          passages=pl.col("Frequency").cast(pl.Int64))
                  .sort("month", "topic_id"))
        assert theirs.equals(ours), "BERTopic topics_over_time Frequency differs from polars"
        compared["bertopic_cells"] = theirs.height
    return compared


def breakdown(run_dir: Path, repeat: int) -> dict[str, list[float]]:
    """Where the pipeline's time goes: its pieces timed alone, interleaved, same inputs."""
    from benchmarks.common import side_by_side
    from pipelines import aggregates

    inputs = load_inputs(run_dir, with_bertopic=False)
    passages = inputs.passages
    interned = aggregates.interned_keys(passages)
    codes = aggregates.KeyCodes.of(interned)
    trend_keys, total_keys = aggregates._packed_keys(interned, codes)
    doc_bits = codes.widths["doc"]
    functions = {
        "pipeline: strings interned (source, people as Categoricals; documents by rle_id)": lambda: (
            aggregates.interned_keys(passages)),
        "pipeline: key codes (sorted categories, bounds)": lambda: aggregates.KeyCodes.of(interned),
        "pipeline: packed passage x person keys": lambda: aggregates._packed_keys(interned, codes),
        "pipeline: trends counts off the sorted keys (numpy sort)": lambda: aggregates._counts_of_sorted_keys(
            trend_keys.copy(), doc_bits),
        "pipeline: month totals counts off the sorted keys (numpy sort)": lambda: aggregates._counts_of_sorted_keys(
            total_keys.copy(), doc_bits),
        "pipeline: both counts side by side (two threads)": lambda: aggregates._counts_side_by_side(
            trend_keys.copy(), total_keys.copy(), doc_bits),
        "alternative: Polars sort of the packed trend keys": lambda: pl.Series(trend_keys).sort(),
        "alternative: numpy sort of the packed trend keys": lambda: np.sort(trend_keys),
        "former design: group_by on the key columns (hashed_trend_tables)": lambda: aggregates.hashed_trend_tables(
            passages),
        "pipeline: people lists from mentions (join on passage_id)": lambda: aggregates.passages_with_people(
            passages.drop("people").lazy(), inputs.mentions.lazy()).collect(),
    }
    times, _ = side_by_side(functions, repeat, warmup=True)
    return times


def run_once_and_check(run_dir: Path, with_bertopic: bool = True) -> dict[str, int]:
    """One run of each implementation and the agreement check (used by the smoke test)."""
    inputs = load_inputs(run_dir, with_bertopic)
    ours = polars_trends(inputs.passages, inputs.mentions)
    for a, b in zip(ours, polars_trends(inputs.passages.drop("people"), inputs.mentions)):
        assert b.equals(a), "people lists from mentions give other tables than the stored lists"
    return check_agreement(ours, pandas_trends(inputs.pandas_passages),
                           bertopic_topics_over_time(inputs) if with_bertopic else None)


def benchmark(run_dir: Path, repeat: int, with_bertopic: bool = True) -> dict:
    """Median seconds of each implementation over `repeat` interleaved runs, plus the check."""
    import warnings

    from benchmarks.common import side_by_side

    inputs = load_inputs(run_dir, with_bertopic)
    functions = {
        "polars": lambda: polars_trends(inputs.passages, inputs.mentions),
        "pandas": lambda: pandas_trends(inputs.pandas_passages),
    }
    if with_bertopic:
        functions["bertopic"] = lambda: bertopic_topics_over_time(inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # BERTopic's first call is not warmed up separately: at 1M it takes half a minute
        # and has no first-call cost the later calls avoid (its imports are done at load).
        times, results = side_by_side(functions, repeat, warmup={"polars", "pandas"})
    compared = check_agreement(results["polars"], results["pandas"], results.get("bertopic"))
    return {"times": times, "compared": compared, "passages": inputs.passages.height,
            "mentions": inputs.mentions.height, "trends_rows": results["polars"][0].height}


