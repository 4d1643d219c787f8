"""benchmarks/synth_corpus.py: the synthetic corpus it writes is read by the project's own
ingest as distinct documents (nothing rejected, nothing a duplicate) and holds the requested
number of passages; it is reused while the spec is unchanged."""

from __future__ import annotations

import datetime as dt
import json

import pytest


from benchmarks.synth_corpus import MARKER, CorpusSpec, generate_corpus
from pipelines.ingest import ingest_paths
from pipelines.passages import split_passages

REQUESTED = 2_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generate_corpus(CorpusSpec(REQUESTED, seed=3, shard_documents=250), tmp_path_factory.mktemp("syn") / "c")


@pytest.fixture(scope="module")
def ingested(corpus):
    return ingest_paths([corpus.corpus])


def test_ingest_accepts_every_copy(corpus, ingested):
    assert ingested.records_read == corpus.documents
    assert ingested.rejected == 0, ingested.reason_counts()
    assert ingested.duplicates == 0, ingested.reason_counts()
    assert ingested.documents.height == corpus.documents
    assert len(corpus.files) == -(-corpus.documents // 250) > 1  # sharded as asked


def test_passage_count_close_to_request(corpus, ingested):
    passages = split_passages(ingested.documents.lazy()).collect()
    assert abs(passages.height - REQUESTED) <= 0.05 * REQUESTED
    assert passages.height == corpus.passages  # what the marker and the log say
    assert passages["text"].n_unique() == passages.height  # distinct passages: no embedding dedupe


def test_copies_are_synthetic_and_spread(corpus, ingested):
    docs = ingested.documents
    assert docs["doc_id"].str.starts_with("syncorp-").all()
    assert docs["source"].str.starts_with("Synthetic ").all()
    assert docs["source"].n_unique() >= 10
    assert docs["date"].min() >= dt.date(2023, 1, 1) and docs["date"].max() <= dt.date(2025, 12, 31)
    years = docs["date"].dt.year().unique().sort().to_list()
    assert years == [2023, 2024, 2025]
    assert docs["metadata"].str.contains("synthetic_copy_of").all()
    marker = json.loads((corpus.out / MARKER).read_text())
    assert marker["synthetic"] is True and "SYNTHETIC" in marker["note"]
    assert marker["documents"] == corpus.documents


def test_reused_while_unchanged(tmp_path):
    spec = CorpusSpec(500, seed=3)
    first = generate_corpus(spec, tmp_path / "c")
    again = generate_corpus(spec, tmp_path / "c")
    assert first.seconds is not None and again.seconds is None and again.passages == first.passages
    (first.corpus / first.files[0]).unlink()  # a missing file is regenerated
    assert generate_corpus(spec, tmp_path / "c").seconds is not None
    other = generate_corpus(CorpusSpec(500, seed=4), tmp_path / "c")
    assert other.seconds is not None  # a different seed is a different corpus
