"""Text search: the run's word index (pipelines/search_index.py) mapped to dashboard rows,
and the rows whose text has, for every search word, a word starting with it."""

from __future__ import annotations

import bisect
import re

import numpy as np
import polars as pl

from pipelines.search_index import query_words


class WordIndex:
    """The run's word postings mapped to dashboard rows.

    Words are sorted, so the words starting with a prefix form one block, and their
    postings one contiguous slice of `rows`: a prefix look-up is two bisections and a
    scatter into a boolean mask, whatever the corpus size."""

    def __init__(self, postings: pl.DataFrame, row_of_position: np.ndarray) -> None:
        self.words: list[str] = postings["word"].to_list()
        lengths = postings["positions"].list.len().to_numpy()
        self.offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        positions = postings["positions"].explode().to_numpy()
        self.rows = row_of_position[positions]  # int32: 4 bytes a posting
        self.size = len(row_of_position)

    def prefix_mask(self, prefix: str) -> np.ndarray:
        """Boolean mask over all rows: the passage has a word starting with `prefix`."""
        first = bisect.bisect_left(self.words, prefix)
        last = bisect.bisect_left(self.words, prefix + "\U0010ffff", lo=first)
        mask = np.zeros(self.size, dtype=bool)
        mask[self.rows[self.offsets[first]:self.offsets[last]]] = True
        return mask


def search_rows(texts: pl.Series, word_index: WordIndex | None, words: tuple[str, ...],
                candidates: np.ndarray | None = None, lo: int = 0,
                hi: int | None = None) -> np.ndarray:
    """Sorted rows (within [lo, hi), and among `candidates` when given) whose text has,
    for every word, a word starting with it (case-insensitive).

    `texts` are the passage texts in row order. Each word is looked up in the word index;
    a word the index tokenises differently (or a run without an index) is matched with a
    vectorised regex over the rows left."""
    hi = max(len(texts) if hi is None else hi, lo)
    rows = None  # None: every row of [lo, hi), not materialised until narrowed
    if candidates is not None:
        rows = np.asarray(candidates, dtype=np.int64)
        rows = rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]
    for w in words:
        tokens = query_words(w) if word_index is not None else []
        for token in tokens:  # each token starts a word of every match: narrows, never drops
            mask = word_index.prefix_mask(token)
            rows = np.flatnonzero(mask[lo:hi]) + lo if rows is None else rows[mask[rows]]
        if tokens != [w]:
            part = texts.slice(lo, hi - lo) if rows is None else texts.gather(rows)
            hit = part.str.contains(r"(?i)\b" + re.escape(w)).fill_null(False).to_numpy()
            rows = np.flatnonzero(hit) + lo if rows is None else rows[hit]
        if rows is not None and rows.size == 0:
            break
    if rows is None:  # no words
        rows = np.arange(lo, hi, dtype=np.int64)
    return rows.astype(np.int64, copy=False)
