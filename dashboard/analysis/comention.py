"""Who appears with whom: people named in the same passage, scored by normalised
pointwise mutual information (Bouma 2009, "Normalized (Pointwise) Mutual Information
in Collocation Extraction", Proceedings of GSCL).

Over the N passages given (those naming nobody included), with p(x) the share of
passages naming x and p(a, b) the share naming both:

    pmi(a, b)  = log(p(a, b) / (p(a) p(b)))
    npmi(a, b) = pmi(a, b) / -log p(a, b)

npmi is 1 when a and b are only ever named together, 0 when they meet as often as
chance predicts, and below 0 when they avoid each other. A pair named together in every
passage has -log p(a, b) = 0; its npmi is the limit, 1. A person named twice in a passage
counts once; passages, not mentions, are counted.

Pairs are built with Polars list operations, not a loop over passages: each passage's
people become sorted integer codes (alphabetical order), and the pairs at offset d in
that list (d = 1 .. longest list - 1) are taken by slicing and exploding, so the work
is proportional to the number of pairs and every pair has source < target.
"""

from __future__ import annotations

import math

import networkx as nx
import polars as pl

EDGE_SCHEMA = {"source": pl.String, "target": pl.String, "count": pl.UInt32,
               "npmi": pl.Float64}
NODE_SCHEMA = {"person": pl.String, "passages": pl.UInt32}


def _mentions(passage_people: pl.DataFrame) -> pl.DataFrame:
    """passage_id, person: one row per person named in a passage (no repeats, no blanks)."""
    return (passage_people.select("passage_id", pl.col("people").alias("person"))
            .explode("person")
            .filter(pl.col("person").is_not_null() & (pl.col("person") != ""))
            .unique())


def _person_counts(mentions: pl.DataFrame) -> pl.DataFrame:
    """person, passages, code: code numbers people in alphabetical order."""
    return (mentions.group_by("person").agg(pl.len().cast(pl.UInt32).alias("passages"))
            .sort("person").with_row_index("code"))


def _pair_counts(mentions: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """a, b (person codes, a < b), count: the passages naming both."""
    lists = (mentions.join(people.select("person", "code"), on="person")
             .group_by("passage_id").agg(pl.col("code").sort())
             .filter(pl.col("code").list.len() >= 2))
    longest = lists["code"].list.len().max() or 0
    counts = []
    for offset in range(1, longest):
        longer = lists.filter(pl.col("code").list.len() > offset)
        pairs = longer.select(
            a=pl.col("code").list.head(pl.col("code").list.len() - offset),
            b=pl.col("code").list.slice(offset)).explode(["a", "b"])
        counts.append(pairs.group_by("a", "b").agg(pl.len().alias("count")))
    if not counts:
        return pl.DataFrame(schema={"a": pl.UInt32, "b": pl.UInt32, "count": pl.UInt32})
    return (pl.concat(counts).group_by("a", "b")
            .agg(pl.col("count").sum().cast(pl.UInt32)))


def _top_k_per_node(edges: pl.DataFrame, top_k: int) -> pl.DataFrame:
    """Keep an edge when it is among the top_k by npmi of either endpoint.

    Ties are broken by count (higher first), then by the other endpoint's name.
    """
    ends = pl.concat([
        edges.select("edge", "npmi", "count", node="source", other="target"),
        edges.select("edge", "npmi", "count", node="target", other="source")])
    kept = (ends.sort(["node", "npmi", "count", "other"],
                      descending=[False, True, True, False])
            .filter(pl.int_range(pl.len()).over("node") < top_k)
            .select("edge").unique())
    return edges.join(kept, on="edge", how="semi")


def comention_edges(passage_people: pl.DataFrame, min_count: int = 3,
                    top_k: int | None = 5) -> pl.DataFrame:
    """People named together -> source, target (source < target), count, npmi.

    `passage_people` has passage_id and people (List[str]). count is the number of
    passages naming both; pairs with count < min_count are dropped; then each person
    keeps its top_k edges by npmi, and an edge stays if it is in the top_k of either
    endpoint (so a person's degree can exceed top_k; None keeps all). Sorted by npmi,
    then count, descending.
    """
    n = passage_people["passage_id"].n_unique()
    mentions = _mentions(passage_people)
    people = _person_counts(mentions)
    pairs = _pair_counts(mentions, people).filter(pl.col("count") >= max(min_count, 1))
    named = people.select("code", "person", "passages")
    log_n = math.log(n) if n else 0.0
    p_ab = pl.col("count").log() - log_n
    pmi = p_ab - (pl.col("passages_a").log() - log_n) - (pl.col("passages_b").log() - log_n)
    edges = (pairs
             .join(named.rename(lambda c: f"{c}_a"), left_on="a", right_on="code_a")
             .join(named.rename(lambda c: f"{c}_b"), left_on="b", right_on="code_b")
             .select(source="person_a", target="person_b", count="count",
                     npmi=pl.when(p_ab < 0).then(pmi / -p_ab).otherwise(1.0))
             .sort(["source", "target"]).with_row_index("edge"))
    if top_k is not None:
        edges = _top_k_per_node(edges, max(top_k, 0))
    return (edges.sort(["npmi", "count", "source", "target"],
                       descending=[True, True, False, False])
            .select(list(EDGE_SCHEMA)).cast(EDGE_SCHEMA))


def node_table(passage_people: pl.DataFrame, edges: pl.DataFrame,
               min_passages: int | None = None) -> pl.DataFrame:
    """person, passages (how many passages name them), most named first.

    Lists the people in `edges`; with `min_passages`, also everyone named in at least
    that many passages, so that well-known people with no strong tie still show.
    """
    people = _person_counts(_mentions(passage_people)).drop("code")
    in_edges = pl.concat([edges["source"], edges["target"]]).cast(pl.String)
    keep = pl.col("person").is_in(in_edges.unique().implode())
    if min_passages is not None:
        keep = keep | (pl.col("passages") >= min_passages)
    return (people.filter(keep)
            .sort(["passages", "person"], descending=[True, False])
            .select(list(NODE_SCHEMA)).cast(NODE_SCHEMA))


def layout(nodes: pl.DataFrame, edges: pl.DataFrame,
           seed: int = 7) -> dict[str, tuple[float, float]]:
    """person -> (x, y) in [-1, 1]: a seeded spring layout, the same on every run.

    Nodes are the `person` column of `nodes` plus the ends of `edges`. Edge weights are
    (1 + npmi) / 2, which maps npmi's [-1, 1] onto [0, 1] so that stronger ties pull
    harder and no weight is negative. Nodes and edges are added in sorted order, since
    the layout depends on insertion order. An empty graph gives {}.
    """
    graph = nx.Graph()
    names = set(nodes["person"].to_list()) if "person" in nodes.columns else set()
    names |= set(edges["source"].to_list()) | set(edges["target"].to_list())
    graph.add_nodes_from(sorted(names))
    for row in edges.sort(["source", "target"]).iter_rows(named=True):
        graph.add_edge(row["source"], row["target"], weight=(1.0 + row["npmi"]) / 2.0)
    if graph.number_of_nodes() == 0:
        return {}
    positions = nx.spring_layout(graph, weight="weight", seed=seed, scale=1.0,
                                 center=(0.0, 0.0))
    return {name: (float(x), float(y)) for name, (x, y) in positions.items()}
