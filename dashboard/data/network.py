"""The "Who appears with whom" query: the co-mention network of the passages that pass the
filters (dashboard/analysis/comention.py): people as nodes sized by passages, an edge where
two people are named in the same passages at least MIN_PAIR times, weighted by NPMI, each
person keeping its TOP_K strongest edges; positions from a seeded spring layout.

Counts come from the index's mention arrays (two bincounts over the filtered rows), so
the cost grows with the mentions, not with the passages' text."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard.analysis.comention import counts_within, edges_from_counts, layout, nodes_from_counts
from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.rows import filtered_rows, narrow_rows, person_rows, row_mask

MIN_PAIR = 3  # passages naming both, for an edge
TOP_K = 5  # strongest edges kept per person
MAX_NODES = 60  # the most named people of the network are drawn


@dataclass(frozen=True)
class Network:
    nodes: pl.DataFrame  # person, passages, x, y
    edges: pl.DataFrame  # source, target, count, npmi
    passages: int  # passages under the filters (the NPMI's N)


def network(index: RunIndex, f: Filters) -> Network:
    """The co-mention network under the filters (see the module docstring)."""
    people, pairs, n = counts_within(index.named, row_mask(index, filtered_rows(index, f)))
    edges = edges_from_counts(people, pairs, n, MIN_PAIR, TOP_K)
    nodes = nodes_from_counts(people, edges).head(MAX_NODES)
    kept = nodes["person"].implode()
    edges = edges.filter(pl.col("source").is_in(kept) & pl.col("target").is_in(kept))
    where = layout(nodes, edges)
    nodes = nodes.with_columns(
        pl.col("person").replace_strict({k: v[0] for k, v in where.items()}, default=0.0,
                                        return_dtype=pl.Float64).alias("x"),
        pl.col("person").replace_strict({k: v[1] for k, v in where.items()}, default=0.0,
                                        return_dtype=pl.Float64).alias("y"))
    return Network(nodes, edges, n)


PAIR_LIMIT = 25  # passages naming both, listed under the network


def pair_passages(index: RunIndex, f: Filters, a: str, b: str) -> tuple[int, pl.DataFrame]:
    """(how many passages under the filters name both a and b, the newest PAIR_LIMIT of
    them: passage_id, date, source, title, text)."""
    named_a = person_rows(index, (a,))
    rows = narrow_rows(index, f, named_a[row_mask(index, person_rows(index, (b,)))[named_a]])
    newest = index.p[rows].sort(["date", "passage_id"], descending=[True, False]).head(PAIR_LIMIT)
    titles = newest.select("doc_id").join(index.docs.select("doc_id", "title"), on="doc_id",
                                          how="left", maintain_order="left")["title"]
    return len(rows), newest.select("passage_id", "date", "source", "text").with_columns(
        titles.alias("title"))
