"""The benchmark code cannot rot: build a tiny hand-made run, scale it up to ~2k passages
with benchmarks/synth.py and check that the Polars pipeline, pandas and BERTopic's
topics_over_time agree on it (no embedding model; a manual BERTopic on fixed labels)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest


pytest.importorskip("pandas")

PARAGRAPHS = [  # (text, topic_id, people named in it)
    ("Elon Musk signed the open letter calling for a pause on giant AI experiments.", 0, ["Elon Musk"]),
    ("Gary Marcus and Elon Musk argued that labs should halt training runs.", 0, ["Gary Marcus", "Elon Musk"]),
    ("Nvidia shipped more GPUs to new data centres as the compute race went on.", 1, []),
    ("Sam Altman told senators that licensing of frontier models could work.", 2, ["Sam Altman"]),
    ("The weather was mild on the day of the hearing.", -1, []),
    ("Margrethe Vestager said the AI Act would apply to general-purpose models.", 2, ["Margrethe Vestager"]),
]


def write_tiny_run(folder: Path) -> Path:
    """A 12-document run with the published schema (docs/ARTIFACTS.md) and a topic model."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from sklearn.feature_extraction.text import CountVectorizer

    documents, passages, mentions = [], [], []
    for d in range(12):
        doc_id, day = f"doc{d}", dt.date(2023, 1, 10) + dt.timedelta(days=40 * d)
        chosen = [PARAGRAPHS[(d + k) % len(PARAGRAPHS)] for k in range(1 + d % 3)]
        text = ""
        for ordinal, (para, topic, people) in enumerate(chosen):
            start = len(text)
            text += para + "\n\n"
            pid = f"{doc_id}:{ordinal}"
            passages.append({"passage_id": pid, "doc_id": doc_id, "ordinal": ordinal, "char_start": start,
                             "char_end": start + len(para), "text": para, "date": day,
                             "month": day.replace(day=1), "source": "wire", "topic_id": topic,
                             "topic_probability": 0.5, "theme": None, "people": sorted(set(people))})
            for person in people:
                at = para.find(person)
                mentions.append({"passage_id": pid, "doc_id": doc_id, "person": person, "surface": person,
                                 "char_start": start + at, "char_end": start + at + len(person)})
        documents.append({"doc_id": doc_id, "date": day, "month": day.replace(day=1), "title": f"Doc {d}",
                          "source": "wire", "author": None, "url": None, "text": text,
                          "origin": f"doc{d}.md", "metadata": None})
    run = folder / "runs" / "tiny"
    run.mkdir(parents=True)
    u32 = {"ordinal": pl.UInt32, "char_start": pl.UInt32, "char_end": pl.UInt32}
    frame = pl.DataFrame(passages, schema_overrides={**u32, "topic_id": pl.Int32, "topic_probability": pl.Float32,
                                                     "theme": pl.String, "people": pl.List(pl.String)})
    frame.write_parquet(run / "passages.parquet")
    pl.DataFrame(documents, schema_overrides={"author": pl.String, "url": pl.String, "metadata": pl.String}
                 ).write_parquet(run / "documents.parquet")
    pl.DataFrame(mentions, schema_overrides=u32).write_parquet(run / "mentions.parquet")
    topic_ids = sorted(set(frame["topic_id"]))
    pl.DataFrame({"topic_id": topic_ids, "label": [f"T{t}" for t in topic_ids], "theme": [None] * len(topic_ids),
                  "keywords": [["a"]] * len(topic_ids), "keyword_weights": [[1.0]] * len(topic_ids),
                  "size": [0] * len(topic_ids),
                  "representative_passage_ids": [frame.filter(pl.col("topic_id") == t)["passage_id"].head(2).to_list()
                                                 for t in topic_ids]},
                 schema_overrides={"topic_id": pl.Int32, "theme": pl.String, "size": pl.UInt32}
                 ).write_parquet(run / "topics.parquet")
    pl.DataFrame(schema={"origin": pl.String, "reason_code": pl.String, "reason": pl.String, "raw": pl.String}
                 ).write_parquet(run / "rejects.parquet")
    (run / "manifest.json").write_text(json.dumps({"run_id": "tiny", "corpus": ["tiny"], "files": {}}))

    class Vectors:  # BERTopic's manual mode needs embeddings only for topic embeddings
        identity, dimension = "smoke", 8

        def encode(self, texts):
            return np.random.default_rng(0).normal(size=(len(texts), 8)).astype(np.float32)

    from pipelines.topics import BertopicEmbedder

    texts = frame["text"].to_list()
    model = BERTopic(embedding_model=BertopicEmbedder(Vectors()), umap_model=BaseDimensionalityReduction(),
                     hdbscan_model=BaseCluster(), vectorizer_model=CountVectorizer())
    model.fit(texts, embeddings=Vectors().encode(texts), y=frame["topic_id"].to_numpy())
    model.save(str(run / "topic_model"), serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
    (run / "topic_model" / "themes.json").write_text(json.dumps({"themes": [], "config": {}}))
    return run


@pytest.fixture(scope="module")
def source_run(tmp_path_factory) -> Path:
    return write_tiny_run(tmp_path_factory.mktemp("tiny"))


def test_generator_and_the_three_aggregations_agree(source_run, tmp_path):
    from benchmarks.aggregation import run_once_and_check
    from benchmarks.synth import OUTLETS, generate

    run = generate(source_run, 2_000, tmp_path / "synthetic-2k", seed=1).run_dir
    passages = pl.read_parquet(run / "passages.parquet")
    documents = pl.read_parquet(run / "documents.parquet")
    mentions = pl.read_parquet(run / "mentions.parquet")
    manifest = json.loads((run / "manifest.json").read_text())

    assert manifest["synthetic"] is True and manifest["corpus"][0].startswith("SYNTHETIC")
    assert passages.height == 2_000 and passages["passage_id"].is_unique().all()
    assert documents["doc_id"].is_unique().all() and set(passages["doc_id"]) == set(documents["doc_id"])
    assert set(documents["source"]) <= set(OUTLETS) and documents["source"].n_unique() > 10
    assert dt.date(2023, 1, 1) <= documents["date"].min() and documents["date"].max() <= dt.date(2025, 12, 31)
    assert mentions.height > 0 and mentions.join(passages, on="passage_id", how="anti").height == 0
    statements = pl.read_parquet(run / "statements.parquet")  # synthetic: the Said-by filter's work
    assert statements.height > 0 and statements.join(passages, on="passage_id", how="anti").height == 0
    assert passages.filter(pl.col("speakers").list.len() > 0).height == statements["passage_id"].n_unique()
    assert set(statements["speaker"]) <= set(mentions["person"])
    joined = passages.join(documents.select("doc_id", doc_text="text"), on="doc_id")
    assert all(d[s:e] == t for d, s, e, t in joined.select("doc_text", "char_start", "char_end", "text").iter_rows())
    for table in ("trends", "month_totals", "months", "people", "topics", "rejects"):
        assert (run / f"{table}.parquet").is_file()
    assert generate(source_run, 2_000, tmp_path / "synthetic-2k", seed=1).seconds is None  # written once

    compared = run_once_and_check(run, with_bertopic=True)
    assert compared["bertopic_cells"] == compared["month_topic_cells"] > 0


def test_the_dashboard_loads_a_synthetic_run(source_run, tmp_path):
    from benchmarks.synth import generate

    run = generate(source_run, 300, tmp_path / "synthetic-300", seed=2).run_dir
    dashboard_app = pytest.importorskip("dashboard.app")
    app = dashboard_app.create_app(run)
    assert app.server.test_client().get("/_dash-dependencies").status_code == 200


@pytest.mark.browser
def test_first_chart_part_measures_a_cold_load(source_run, tmp_path):
    """Part 5 on a 300-passage synthetic run, one cold load: the browser's timings come back
    in order, the page's callbacks are logged by name, and the rows render into the document."""
    import os

    from benchmarks import first_chart, run as bench_run
    from benchmarks.common import Results
    from benchmarks.synth import generate

    if why := first_chart.browser_missing():
        if os.environ.get("CI"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    run = generate(source_run, 300, tmp_path / "synthetic-300", seed=3).run_dir
    result = first_chart.measure(run, loads=1, label="smoke", timeout=30)
    load = result.loads[0]
    assert 0 < load.ttfb <= load.dcl
    assert load.chart_dom is not None and load.dcl <= load.chart_dom <= load.chart
    assert load.grid_dom is not None and load.grid_dom <= load.grid
    names = {first_chart.request_name(f) for f in load.fetches}
    assert {"GET /_dash-layout", "filter/URL sync", "trend chart", "grid page (rows + total)"} <= names
    trend = next(f for f in load.fetches if first_chart.request_name(f) == "trend chart")
    assert trend["status"] == 200 and trend["serverMs"] > 0 and trend["start"] < load.chart_dom

    res = Results()
    first_chart.add_rows(res, result)
    assert res.rows[0].what.startswith("smoke (300 passages): first chart on screen") and res.rows[0].met is not None
    part = {"rows": [r.__dict__ for r in res.rows], "notes": res.notes, "tables": res.tables,
            "measured_at": "now", "machine": {}}
    text = bench_run.render({"first_chart": part})
    assert "## 5. First chart on screen" in text and "| 5 first chart | smoke (300 passages)" in text
