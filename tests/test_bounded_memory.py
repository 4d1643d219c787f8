"""The build holds a bounded amount at once (issue 19): records are turned into frames a chunk
at a time, and theme features are computed a chunk of documents at a time. Chunking must not
change any result."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from pipelines import ingest
from pipelines.embeddings import DiskVectors, EmbeddingCache, EmbeddingResult, embed_texts
from pipelines.ingest import ingest_paths
from pipelines.theme_stage import corpus_probabilities, document_chunks


def _write_jsonl(folder, rows) -> None:
    folder.mkdir()
    for number in range(0, len(rows), 4):  # several files, so chunks end between files
        lines = "\n".join(json.dumps(row) for row in rows[number:number + 4])
        (folder / f"part-{number:03d}.jsonl").write_text(lines + "\n", encoding="utf-8")


@pytest.fixture()
def corpus_with_duplicates(tmp_path):
    rows = [{"id": f"d{i}", "date": "2024-03-0" + str(1 + i % 9), "text": f"Text number {i % 11} about chips."}
            for i in range(30)]
    rows[20]["text"] = "  TEXT number 3   about CHIPS. "  # same text as d3 once whitespace and case fold
    rows[25].update(id="d2", text="A text no other record has.")  # a used id with a new text
    rows[27]["date"] = "not a date"
    _write_jsonl(tmp_path / "corpus", rows)
    return tmp_path / "corpus"


def test_reading_in_small_chunks_gives_the_same_documents_and_rejects(corpus_with_duplicates, monkeypatch):
    whole = ingest_paths([corpus_with_duplicates])
    monkeypatch.setattr(ingest, "RECORDS_PER_CHUNK", 3)
    chunked = ingest_paths([corpus_with_duplicates])
    assert chunked.records_read == whole.records_read == 30
    assert chunked.documents.equals(whole.documents)
    assert chunked.rejects.equals(whole.rejects)
    reasons = dict(chunked.reason_counts().iter_rows())
    # d11..d29 repeat the texts of d0..d10; d20 folds to d3's text; d25 reuses d2's id
    assert chunked.documents.height == 11
    assert reasons == {"duplicate": 17, "unparseable_date": 1, "duplicate_id": 1}
    assert chunked.documents.height + chunked.rejected + chunked.duplicates == 30


def test_document_chunks_keep_each_document_whole_and_cover_every_row():
    doc_ids = pl.Series(["a"] * 3 + ["b"] * 5 + ["c"] * 2 + ["a"] + ["d"] * 4)  # "a" is not contiguous
    chunks = document_chunks(doc_ids, size=4)
    assert sorted(np.concatenate(chunks).tolist()) == list(range(len(doc_ids)))
    for rows in chunks:
        for doc in set(doc_ids.gather(rows).to_list()):
            assert (doc_ids == doc).sum() == (doc_ids.gather(rows) == doc).sum()  # all of its passages
    assert len(chunks) > 1


def _document_scorer(classifier, inputs, themes, embedder, cap):  # noqa: ANN001 - the Scorer signature
    """Per passage: its vector's first value, its title's, and its document's passage count."""
    per_doc = inputs.document_passages.group_by("doc_id").len("n")
    counts = inputs.passages.join(per_doc, on="doc_id", how="left", maintain_order="left")["n"].to_numpy()
    return np.stack([inputs.vectors[:, 0], inputs.title_vectors[:, 0], counts], axis=1).astype(np.float32)


def test_theme_probabilities_in_chunks_equal_one_pass():
    rng = np.random.default_rng(0)
    doc_ids = pl.Series([f"doc{i // 3 + (i % 2) * 7}" for i in range(40)])
    passages = pl.DataFrame({"passage_id": [f"p{i}" for i in range(40)], "doc_id": doc_ids,
                             "text": [f"text {i}" for i in range(40)]})
    vectors = rng.random((40, 5), dtype=np.float32)
    titles = EmbeddingResult(rng.random((9, 5), dtype=np.float32), 9, 0, rows=rng.integers(0, 9, 40))
    themes = [object()] * 3
    whole = corpus_probabilities(None, passages, vectors, titles, themes, None, 3, _document_scorer, chunk=1000)
    chunked = corpus_probabilities(None, passages, vectors, titles, themes, None, 3, _document_scorer, chunk=5)
    assert np.array_equal(whole, chunked)
    assert np.array_equal(whole[:, 0], vectors[:, 0]) and np.array_equal(whole[:, 1], titles.vectors[:, 0])
    expected_counts = passages.join(passages.group_by("doc_id").len("n"), on="doc_id",
                                    maintain_order="left")["n"].to_numpy()
    assert np.array_equal(whole[:, 2], expected_counts)  # every chunk saw its documents whole


class _Embedder:
    identity, dimension = "bounded-memory-test", 3

    def encode(self, texts):
        return np.array([[len(t), t.count("a") + 1.0, 1.0] for t in texts], dtype=np.float32)


def test_spilled_vectors_are_the_same_rows_read_from_disk(tmp_path):
    texts = pl.Series(["alpha", "beta", "alpha", "gamma", "delta"])
    in_memory = embed_texts(texts, _Embedder(), None)
    spilled = embed_texts(texts, _Embedder(), EmbeddingCache(tmp_path / "cache", "m", 3),
                          spill=tmp_path / "vectors.npy", store_every=2)
    assert isinstance(spilled.distinct, DiskVectors) and (tmp_path / "vectors.npy").is_file()
    assert len(spilled) == 5 and spilled.distinct.shape == (4, 3)
    assert np.array_equal(spilled.vectors, in_memory.vectors)
    assert np.array_equal(spilled[np.array([4, 0, 2])], in_memory.vectors[[4, 0, 2]])
    assert np.array_equal(spilled[1:4], in_memory.vectors[1:4])
    again = embed_texts(texts, _Embedder(), EmbeddingCache(tmp_path / "cache", "m", 3), spill=tmp_path / "again.npy")
    assert (again.embedded, again.cached) == (0, 5) and np.array_equal(again.vectors, in_memory.vectors)


def test_statements_extracted_in_chunks_equal_one_pass(bundled_documents):
    from pipelines.passages import split_passages
    from pipelines.people import extract_mentions, load_registry
    from pipelines.statement_cache import extract_in_chunks
    from pipelines.statements import extract_statements

    registry = load_registry()
    passages = split_passages(bundled_documents.lazy()).collect()
    mentions = extract_mentions(bundled_documents, passages.lazy(), registry)
    whole = extract_statements(bundled_documents, passages, mentions, registry)
    chunked = extract_in_chunks(bundled_documents, passages, mentions, registry, size=40, workers=2)
    assert bundled_documents.height > 2 * 40  # three chunks or more, in two child processes
    assert whole.height > 20
    assert chunked.equals(whole)


def test_statements_read_the_documents_text_from_disk(bundled_documents, tmp_path):
    """The build keeps the documents' text only on disk once passages are split: statements read
    it back a chunk at a time, with the same table and the same cache key as from memory; text
    that is not that of the documents being built is refused."""
    from pipelines.artifacts import scan_table, write_table
    from pipelines.passages import split_passages
    from pipelines.people import extract_mentions, load_registry
    from pipelines.statement_cache import (StatementProcessError, extract_in_chunks, statements_cache_key)

    registry = load_registry()
    passages = split_passages(bundled_documents.lazy()).collect()
    mentions = extract_mentions(bundled_documents, passages.lazy(), registry)
    write_table(tmp_path, "documents", bundled_documents)
    texts, without_text = scan_table(tmp_path, "documents"), bundled_documents.drop("text")
    in_memory = extract_in_chunks(bundled_documents, passages, mentions, registry, size=40, workers=2)
    from_disk = extract_in_chunks(without_text, passages, mentions, registry, size=40, workers=2, texts=texts)
    assert in_memory.height > 20 and from_disk.equals(in_memory)
    one_chunk = extract_in_chunks(without_text, passages, mentions, registry, size=10_000, texts=texts)
    assert one_chunk.equals(in_memory)
    assert (statements_cache_key(without_text, passages, mentions, registry, texts=texts)
            == statements_cache_key(bundled_documents, passages, mentions, registry))
    reordered = without_text.reverse()
    with pytest.raises(StatementProcessError, match="not that of the documents being built"):
        extract_in_chunks(reordered, passages, mentions, registry, size=10_000, texts=texts)
