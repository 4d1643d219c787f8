"""Who appears with whom: people named in the same passage, scored by normalised
pointwise mutual information (Bouma 2009, "Normalized (Pointwise) Mutual Information
in Collocation Extraction", Proceedings of GSCL).

Each row of the input is one passage; over the N rows given (passages naming nobody
included), with p(x) the share of passages naming x and p(a, b) the share naming both:

    pmi(a, b)  = log(p(a, b) / (p(a) p(b)))
    npmi(a, b) = pmi(a, b) / -log p(a, b)

npmi is 1 when a and b are only ever named together, 0 when they meet as often as
chance predicts, and below 0 when they avoid each other. A pair named together in every
passage has -log p(a, b) = 0; its npmi is the limit, 1. A person named twice in a passage
counts once; passages, not mentions, are counted.

Pairs are counted with flat Polars column operations, never a loop over passages: the
mentions become one (passage row, person code) table sorted by row then code, where
codes follow alphabetical order; the pairs at offset d are the rows d apart within one
passage (d = 1, 2, ... until no passage has that many people), so the work grows with
the number of pairs, and every pair has source < target.
"""

from __future__ import annotations

import networkx as nx
import polars as pl

EDGE_SCHEMA = {"source": pl.String, "target": pl.String, "count": pl.UInt32,
               "npmi": pl.Float64}
NODE_SCHEMA = {"person": pl.String, "passages": pl.UInt32}
SHIFT = 2**32  # pair keys: a * SHIFT + b


def _mentions(passage_people: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """(row, code) sorted, one row per person named in a passage; and the names by code.

    row numbers the passages; code numbers the people in alphabetical order (the codes
    of an Enum over the sorted names). Blank names are dropped, repeats counted once.
    """
    flat = (passage_people.select(pl.col("people").alias("person")).with_row_index("row")
            .explode("person")
            .filter(pl.col("person").is_not_null() & (pl.col("person") != "")))
    names = flat["person"].unique().sort()
    first = pl.int_range(pl.len()) == 0
    codes = (flat.select("row", code=pl.col("person").cast(pl.Enum(names)).to_physical()
                         .cast(pl.UInt32))
             .sort("row", "code")
             .filter(first | (pl.col("row") != pl.col("row").shift(1))
                     | (pl.col("code") != pl.col("code").shift(1))))
    return codes, names


def _person_counts(codes: pl.DataFrame, names: pl.Series) -> pl.DataFrame:
    """code, person, passages: how many passages name each person."""
    counts = codes.group_by("code").agg(pl.len().cast(pl.UInt32).alias("passages"))
    people = pl.DataFrame({"person": names}).with_row_index("code")
    return people.join(counts, on="code").select("code", "person", "passages")


def _pair_counts(codes: pl.DataFrame) -> pl.DataFrame:
    """a, b (person codes, a < b), count: the passages naming both.

    In the sorted (row, code) table, the pairs at offset d are the rows d apart within
    one passage; keys a * 2^32 + b are then counted by sorting.
    """
    keys = []
    for offset in range(1, codes.height):
        pairs = codes.select(
            key=pl.col("code").cast(pl.UInt64) * SHIFT + pl.col("code").shift(-offset),
            same=pl.col("row") == pl.col("row").shift(-offset)).filter("same")
        if pairs.height == 0:
            break
        keys.append(pairs["key"])
    runs = pl.concat(keys).sort().rle() if keys else pl.Series("key", [], pl.UInt64).rle()
    return runs.struct.unnest().select(
        a=(pl.col("value") // SHIFT).cast(pl.UInt32),
        b=(pl.col("value") % SHIFT).cast(pl.UInt32), count=pl.col("len").cast(pl.UInt32))


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
    n = passage_people.height
    codes, names = _mentions(passage_people)
    named = _person_counts(codes, names)
    pairs = _pair_counts(codes).filter(pl.col("count") >= max(min_count, 1))
    count = pl.col("count").cast(pl.Float64)
    log_p_ab = (count / n).log()
    pmi = (count * n / (pl.col("passages_a").cast(pl.Float64) * pl.col("passages_b"))).log()
    edges = (pairs
             .join(named.rename(lambda c: f"{c}_a"), left_on="a", right_on="code_a")
             .join(named.rename(lambda c: f"{c}_b"), left_on="b", right_on="code_b")
             .select(source="person_a", target="person_b", count="count",
                     npmi=pl.when(log_p_ab < 0).then(pmi / -log_p_ab).otherwise(1.0))
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
    people = _person_counts(*_mentions(passage_people)).drop("code")
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
