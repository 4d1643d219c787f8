"""The "Who appears with whom" query: the co-mention network of the passages that pass the
filters (dashboard/analysis/comention.py): people as nodes sized by passages, an edge where
two people are named in the same passages at least MIN_PAIR times, weighted by NPMI, each
person keeping its TOP_K strongest edges; positions from a seeded spring layout."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard.analysis.comention import comention_edges, layout, node_table
from dashboard.data.filters import Filters
from dashboard.data.index import RunIndex
from dashboard.data.rows import in_rows, keys_for, source_filter, topic_rows

MIN_PAIR = 3  # passages naming both, for an edge
TOP_K = 5  # strongest edges kept per person
MAX_NODES = 60  # the most named people of the network are drawn


@dataclass(frozen=True)
class Network:
    nodes: pl.DataFrame  # person, passages, x, y
    edges: pl.DataFrame  # source, target, count, npmi
    passages: int  # passages under the filters (the NPMI's N)


def filtered_people(index: RunIndex, f: Filters) -> pl.DataFrame:
    """passage_id, people of every passage passing the filters."""
    lo, hi = index.range_slice(f)
    keys = keys_for(index, f, lo, hi).filter(source_filter(f))
    if f.topics:
        keys = keys.filter(in_rows(index, keys, topic_rows(index, f.topics)))
    return index.p[keys["_row"].to_numpy()].select("passage_id", "people")


def network(index: RunIndex, f: Filters) -> Network:
    """The co-mention network under the filters (see the module docstring)."""
    rows = filtered_people(index, f)
    edges = comention_edges(rows, MIN_PAIR, TOP_K)
    nodes = node_table(rows, edges).head(MAX_NODES)
    kept = nodes["person"].implode()
    edges = edges.filter(pl.col("source").is_in(kept) & pl.col("target").is_in(kept))
    where = layout(nodes, edges)
    nodes = nodes.with_columns(
        pl.col("person").replace_strict({k: v[0] for k, v in where.items()}, default=0.0,
                                        return_dtype=pl.Float64).alias("x"),
        pl.col("person").replace_strict({k: v[1] for k, v in where.items()}, default=0.0,
                                        return_dtype=pl.Float64).alias("y"))
    return Network(nodes, edges, rows.height)
