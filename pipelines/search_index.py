"""Search index stage: passages -> word postings, so the dashboard's search never scans text.

A word is a maximal run of `\\w` characters, lowercased (Polars' Unicode-aware regex and
lowercasing). The table has one row per distinct word, sorted by word, with the sorted
positions (row numbers in passages.parquet) of the passages containing it. Sorting by word
puts every word that starts with a given prefix in one contiguous block, which is how the
dashboard answers "a word starting with ..." (see `dashboard/data.py::WordIndex`).

Built in chunks of passages so that memory stays bounded at a million passages.
"""

from __future__ import annotations

import polars as pl

from pipelines import artifacts

WORD_PATTERN = r"\w+"
CHUNK_ROWS = 100_000


def words_of(text: pl.Expr) -> pl.Expr:
    """The lowercased words of a text column, as a list (the tokenisation the index uses)."""
    return text.str.to_lowercase().str.extract_all(WORD_PATTERN)


def query_words(query: str) -> list[str]:
    """The words of one search term, tokenised exactly as the passages were."""
    found = pl.select(words_of(pl.lit(query, dtype=pl.String))).item()
    return list(found) if found is not None else []


def _chunk_postings(texts: pl.LazyFrame, offset: int) -> pl.LazyFrame:
    return (texts.with_row_index("position", offset=offset)
            .select("position", word=words_of(pl.col("text")).list.unique())
            .explode("word").drop_nulls("word")
            .group_by("word").agg(pl.col("position")))


def word_postings(passages: pl.DataFrame, chunk_rows: int = CHUNK_ROWS) -> pl.DataFrame:
    """word (String, sorted, unique) -> positions (List[UInt32], ascending) of the passages
    whose text contains that word."""
    texts = passages.select("text")
    chunks = [_chunk_postings(texts.slice(start, chunk_rows).lazy(), start).collect()
              for start in range(0, texts.height, chunk_rows)]
    if not chunks:
        return artifacts.empty("search_index")
    # group_by keeps each group's rows in input order, and chunks come in position order,
    # so the merged lists stay ascending.
    return (pl.concat(chunks).lazy()
            .group_by("word").agg(pl.col("position").explode().alias("positions"))
            .sort("word")
            .collect())
