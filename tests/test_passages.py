"""Passages follow paragraph boundaries, merge short ones, split long ones, with exact offsets."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.passages import _TOKEN, PassageConfig, _TokenCounter, paragraph_spans, passage_spans, split_passages

SEED_ID = "seed-2023-04-18-musk-buys-10000-gpus"


def _documents(texts: dict[str, str]) -> pl.LazyFrame:
    import datetime as dt

    return pl.DataFrame({
        "doc_id": list(texts), "text": list(texts.values()),
        "date": [dt.date(2024, 5, 3)] * len(texts), "month": [dt.date(2024, 5, 1)] * len(texts),
        "source": ["test"] * len(texts),
    }).lazy()


def test_paragraphs_are_split_on_blank_lines_and_trimmed():
    text = "  First paragraph line one\nline two.\n\n\n   Second one.  \n \t\nThird."
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == ["First paragraph line one\nline two.", "Second one.", "Third."]


def test_short_heading_merges_into_the_following_paragraph():
    body = "A regular paragraph that is long enough to stand on its own as a passage of the text."
    text = f"Heading without a full stop\n\n{body}\n\nAnother paragraph, also long enough to be its own passage here."
    spans = passage_spans(text, PassageConfig(min_chars=40))
    assert text[spans[0][0]:spans[0][1]] == f"Heading without a full stop\n\n{body}"
    assert len(spans) == 2


def test_short_sentence_merges_into_the_previous_paragraph():
    first = "This opening paragraph is comfortably longer than the minimum passage length we use."
    text = f"{first}\n\nShort aside.\n\nA closing paragraph that is also comfortably longer than the minimum."
    spans = passage_spans(text, PassageConfig(min_chars=40))
    assert text[spans[0][0]:spans[0][1]] == f"{first}\n\nShort aside."


def test_long_paragraph_is_split_at_sentence_boundaries_within_the_token_limit():
    sentences = [f"Sentence number {i} talks about GPUs, data centres and the compute race." for i in range(60)]
    text = " ".join(sentences)
    config = PassageConfig(max_tokens=60)
    spans = passage_spans(text, config)
    assert len(spans) > 5
    for start, end in spans:
        piece = text[start:end]
        assert piece.endswith("race.")  # cut only after a full sentence
        assert piece.startswith("Sentence number")
        assert len(piece.split()) <= config.max_tokens


def test_a_passage_never_spans_two_documents_and_ids_are_stable():
    docs = _documents({"a": "Alpha paragraph, long enough to stand alone as one passage of text in the corpus.",
                       "b": "Beta paragraph one is long enough to stand alone as a passage of text in the corpus.\n\n"
                            "Beta paragraph two is also long enough to stand alone as a passage of text here."})
    passages = split_passages(docs).collect()
    assert passages["passage_id"].to_list() == ["a:0", "b:0", "b:1"]
    assert passages.filter(pl.col("doc_id") == "a")["text"].to_list() == [
        "Alpha paragraph, long enough to stand alone as one passage of text in the corpus."]
    assert passages.columns == ["passage_id", "doc_id", "ordinal", "char_start", "char_end", "text",
                                "date", "month", "source", "page"]
    assert passages["page"].null_count() == passages.height  # documents without pages


def test_seed_article_follows_its_paragraphs(bundled_documents):
    seed = bundled_documents.filter(pl.col("doc_id") == SEED_ID)
    passages = split_passages(seed.lazy()).collect()
    texts = passages["text"].to_list()
    assert 12 <= len(texts) <= 18
    assert any(t.startswith("On March 29, a public joint letter") for t in texts)
    assert any(t.startswith("Cars, airplanes and medicine") for t in texts)
    assert all("\n\n" not in t or len(t) < 400 for t in texts)


def test_bundled_passages_fit_the_embedding_models_256_word_pieces(bundled_documents):
    from tokenizers import Tokenizer

    from pipelines.embeddings import default_model_dir

    tokenizer = Tokenizer.from_file(str(default_model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    passages = split_passages(bundled_documents.lazy()).collect()
    lengths = [len(e.ids) for e in tokenizer.encode_batch(passages["text"].to_list())]
    assert max(lengths) <= 256, max(lengths)


def test_offsets_are_exact_on_the_bundled_corpus(bundled_documents):
    passages = split_passages(bundled_documents.lazy()).collect()
    joined = passages.join(bundled_documents.select("doc_id", document=pl.col("text")), on="doc_id")
    sliced = joined.select(pl.col("document").str.slice(pl.col("char_start"), pl.col("char_end") - pl.col("char_start")))
    assert (sliced.to_series() == joined["text"]).all()
    assert set(passages["doc_id"]) == set(bundled_documents["doc_id"])


_paragraph_text = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300),
    min_size=0, max_size=8,
).map(lambda parts: "\n\n".join(parts))


@settings(max_examples=150, deadline=None)
@given(text=_paragraph_text, min_chars=st.integers(1, 120), max_tokens=st.integers(5, 80))
def test_offsets_are_exact_and_cover_all_text_for_any_input(text, min_chars, max_tokens):
    spans = passage_spans(text, PassageConfig(min_chars=min_chars, max_tokens=max_tokens))
    covered = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip() or not text[start:end].strip()
        covered.update(range(start, end))
        previous_end = end
    # every non-whitespace character belongs to exactly one passage
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


_sentence_text = st.lists(
    st.sampled_from(["AI", "Act", "rules", "2023", "x", ".", "!", "?", ",", '"', "”", ")", "(", "“", "—",
                     " ", " ", " ", "\n", "\n\n", "\t"]),
    max_size=400,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(_paragraph_text, _sentence_text), max_tokens=st.integers(1, 40))
def test_counted_tokens_of_every_span_are_the_regex_tokens_inside_it(text, max_tokens):
    """Passages are sized by counting the document's tokens once (`_TokenCounter`); that is
    only right because every span starts and ends at a token's edge. Counted against a regex
    pass over each span itself, as the splitter did before."""
    count = _TokenCounter(text)
    spans = [*paragraph_spans(text), *passage_spans(text, PassageConfig(min_chars=30, max_tokens=max_tokens))]
    for start, end in spans:
        assert count(start, end) == sum(1 for _ in _TOKEN.finditer(text, start, end)), (start, end)


@pytest.mark.external
def test_whitehouse_documents_all_yield_passages(whitehouse_documents):
    passages = split_passages(whitehouse_documents.lazy()).collect()
    assert set(passages["doc_id"]) == set(whitehouse_documents["doc_id"])
    assert passages.height > 10 * whitehouse_documents.height
