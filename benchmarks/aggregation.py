"""Part 1: passages -> trends table, three ways, on the same synthetic run.

* polars   - the project's pipeline: `pipelines.aggregates.monthly_topic_counts` and
             `monthly_totals`, collected together as `pipelines.build` does.
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
    from pipelines import aggregates

    lazy_passages, lazy_mentions = passages.lazy(), mentions.lazy()
    trends, totals = pl.collect_all([
        aggregates.monthly_topic_counts(lazy_passages, lazy_mentions),
        aggregates.monthly_totals(lazy_passages, lazy_mentions),
    ])
    return trends, totals


def proposed_polars_trends(passages: pl.DataFrame, mentions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A proposed rewrite of `monthly_topic_counts` + `monthly_totals` (same tables, same order).

    Differences from pipelines/aggregates.py: (1) the passage x person frame comes from
    exploding the passages' `people` lists (which the build computes anyway, in
    `passages_with_people`) instead of joining mentions on the string passage_id, once per
    table; (2) distinct documents are counted on a dense integer id, not on the doc_id
    strings; (3) the frame is built once and shared by both group-bys.
    """
    from pipelines import aggregates

    lazy = passages.lazy()
    if "people" not in passages.columns:
        lazy = aggregates.passages_with_people(lazy, mentions.lazy())
    base = lazy.select("month", "topic_id", "source", "people",
                       doc=pl.col("doc_id").rank("dense").cast(pl.UInt32))
    everyone = base.drop("people").with_columns(person=pl.lit(None, dtype=pl.String))
    per_person = (base.explode("people").drop_nulls("people").rename({"people": "person"})
                  .select(everyone.collect_schema().names()))
    frame = pl.concat([everyone, per_person])
    counts = [pl.len().cast(pl.UInt32).alias("passages"), pl.col("doc").n_unique().cast(pl.UInt32).alias("documents")]
    trends, totals = pl.collect_all([
        frame.group_by(TRENDS_KEYS).agg(counts).sort(TRENDS_KEYS, nulls_last=False),
        frame.group_by(TOTALS_KEYS).agg(counts).sort(TOTALS_KEYS, nulls_last=False),
    ])
    return trends, totals


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
    lazy_passages, lazy_mentions = inputs.passages.lazy(), inputs.mentions.lazy()
    keys = lazy_passages.select("passage_id", "doc_id", "month", "topic_id", "source")
    functions = {
        "pipeline: monthly_topic_counts alone": lambda: aggregates.monthly_topic_counts(
            lazy_passages, lazy_mentions).collect(),
        "pipeline: monthly_totals alone": lambda: aggregates.monthly_totals(lazy_passages, lazy_mentions).collect(),
        "pipeline: _with_people alone (join of mentions on passage_id)": lambda: aggregates._with_people(
            keys, lazy_mentions).collect(),
        "pipeline: group_by of trends without the doc_id n_unique": lambda: aggregates._with_people(
            keys, lazy_mentions).group_by("month", "topic_id", "person", "source").agg(pl.len()).collect(),
        "proposal: passage x person frame by exploding `people`": lambda: pl.concat([
            lazy_passages.select("month", "topic_id", "source", person=pl.lit(None, dtype=pl.String)),
            lazy_passages.select("month", "topic_id", "source", person="people").explode("person")
            .drop_nulls("person")]).collect(),
        "proposal: dense integer doc ids (rank)": lambda: inputs.passages.select(
            pl.col("doc_id").rank("dense").cast(pl.UInt32)),
    }
    times, _ = side_by_side(functions, repeat, warmup=True)
    return times


def run_once_and_check(run_dir: Path, with_bertopic: bool = True) -> dict[str, int]:
    """One run of each implementation and the agreement check (used by the smoke test)."""
    inputs = load_inputs(run_dir, with_bertopic)
    ours = polars_trends(inputs.passages, inputs.mentions)
    for a, b in zip(ours, proposed_polars_trends(inputs.passages, inputs.mentions)):
        assert b.equals(a), "the proposed Polars rewrite differs from pipelines.aggregates"
    without_people = proposed_polars_trends(inputs.passages.drop("people"), inputs.mentions)
    for a, b in zip(ours, without_people):
        assert b.equals(a), "the proposed Polars rewrite (people from mentions) differs"
    return check_agreement(ours, pandas_trends(inputs.pandas_passages),
                           bertopic_topics_over_time(inputs) if with_bertopic else None)


def benchmark(run_dir: Path, repeat: int, with_bertopic: bool = True) -> dict:
    """Median seconds of each implementation over `repeat` interleaved runs, plus the check."""
    import warnings

    from benchmarks.common import side_by_side

    inputs = load_inputs(run_dir, with_bertopic)
    functions = {
        "polars": lambda: polars_trends(inputs.passages, inputs.mentions),
        "polars_proposed": lambda: proposed_polars_trends(inputs.passages, inputs.mentions),
        "pandas": lambda: pandas_trends(inputs.pandas_passages),
    }
    if with_bertopic:
        functions["bertopic"] = lambda: bertopic_topics_over_time(inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # BERTopic's first call is not warmed up separately: at 1M it takes half a minute
        # and has no first-call cost the later calls avoid (its imports are done at load).
        times, results = side_by_side(functions, repeat, warmup={"polars", "polars_proposed", "pandas"})
    compared = check_agreement(results["polars"], results["pandas"], results.get("bertopic"))
    for ours, theirs in zip(results["polars"], results["polars_proposed"]):
        assert theirs.equals(ours), "the proposed Polars rewrite differs from pipelines.aggregates"
    return {"times": times, "compared": compared, "passages": inputs.passages.height,
            "mentions": inputs.mentions.height, "trends_rows": results["polars"][0].height}


