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

Pairs are found once per run with flat Polars column operations, never a loop over
passages (`mention_arrays`: every pair has source < target), and counted for any subset
of passages with two `np.bincount`s (`counts_within`), so the work grows with the
mentions and pairs, not with the passages' text.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import polars as pl

EDGE_SCHEMA = {"source": pl.String, "target": pl.String, "count": pl.UInt32,
               "npmi": pl.Float64}
NODE_SCHEMA = {"person": pl.String, "passages": pl.UInt32}
SHIFT = 2**32  # pair keys: a * SHIFT + b


@dataclass(frozen=True)
class MentionArrays:
    """Who is named in which passage, as flat arrays to count any subset of passages with.

    `rows`/`codes`: one entry per (passage row, person) named, sorted by row then code;
    codes number `names` (alphabetical). `pair_rows`/`pair_ids`: one entry per pair of
    people named in the same passage; a pair id numbers (`pair_a`, `pair_b`), codes with
    a < b. Counting the passages of a subset is then two `np.bincount`s over a mask.
    """

    names: list[str]
    rows: np.ndarray
    codes: np.ndarray
    pair_rows: np.ndarray
    pair_ids: np.ndarray
    pair_a: np.ndarray
    pair_b: np.ndarray
    passages: int  # rows numbered: 0 .. passages - 1


def mention_arrays(people: pl.Series) -> MentionArrays:
    """The MentionArrays of a List[str] column of people, one element per passage row.

    Blank names are dropped and a person named twice in a passage counts once. Pairs are
    built with flat column operations: in the sorted (row, code) table the pairs at
    offset d are the rows d apart within one passage (d = 1, 2, ... until no passage has
    that many people), so the work grows with the number of pairs."""
    flat = (pl.DataFrame({"person": people}).with_row_index("row").explode("person")
            .filter(pl.col("person").is_not_null() & (pl.col("person") != "")))
    names = flat["person"].unique().sort()
    codes = (flat.select("row", code=pl.col("person").cast(pl.Enum(names)).to_physical()
                         .cast(pl.UInt32)).unique().sort("row", "code"))
    pairs = []
    for offset in range(1, codes.height):
        found = codes.select(
            "row", key=pl.col("code").cast(pl.UInt64) * SHIFT + pl.col("code").shift(-offset),
            same=pl.col("row") == pl.col("row").shift(-offset)).filter("same")
        if found.height == 0:
            break
        pairs.append(found.select("row", "key"))
    pairs_frame = (pl.concat(pairs) if pairs else
                   pl.DataFrame(schema={"row": pl.UInt32, "key": pl.UInt64}))
    keys = pairs_frame["key"].unique().sort()
    ids = np.searchsorted(keys.to_numpy(), pairs_frame["key"].to_numpy())
    keys_np = keys.to_numpy()
    return MentionArrays(
        names=names.to_list(), rows=codes["row"].to_numpy().astype(np.int64),
        codes=codes["code"].to_numpy().astype(np.int64),
        pair_rows=pairs_frame["row"].to_numpy().astype(np.int64), pair_ids=ids.astype(np.int64),
        pair_a=(keys_np // SHIFT).astype(np.int64), pair_b=(keys_np % SHIFT).astype(np.int64),
        passages=len(people))


def counts_within(arrays: MentionArrays, mask: np.ndarray | None = None, pairs: bool = True
                  ) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(people, pairs, n) for the passage rows where `mask` is True (None: every row).

    people: person, passages (naming them; people named nowhere left out); pairs: source,
    target (source < target), count (passages naming both; zero counts left out); n: the
    passages in the subset, those naming nobody included. pairs=False skips the pairs
    (an empty table)."""
    if mask is None:
        person_codes, pair_ids, n = arrays.codes, arrays.pair_ids, arrays.passages
        pair_ids = pair_ids if pairs else pair_ids[:0]
    else:
        person_codes = arrays.codes[mask[arrays.rows]]
        pair_ids = arrays.pair_ids[mask[arrays.pair_rows]] if pairs else arrays.pair_ids[:0]
        n = int(mask.sum())
    per_person = np.bincount(person_codes, minlength=len(arrays.names))
    per_pair = np.bincount(pair_ids, minlength=len(arrays.pair_a))
    named = np.flatnonzero(per_person)
    met = np.flatnonzero(per_pair)
    names = np.asarray(arrays.names, dtype=object)
    people = pl.DataFrame({"person": pl.Series(names[named].tolist(), dtype=pl.String),
                           "passages": per_person[named]}, schema=NODE_SCHEMA)
    pair_table = pl.DataFrame({
        "source": pl.Series(names[arrays.pair_a[met]].tolist(), dtype=pl.String),
        "target": pl.Series(names[arrays.pair_b[met]].tolist(), dtype=pl.String),
        "count": per_pair[met]}, schema={"source": pl.String, "target": pl.String,
                                          "count": pl.UInt32})
    return people, pair_table, n


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


def edges_from_counts(people: pl.DataFrame, pairs: pl.DataFrame, n: int, min_count: int = 3,
                      top_k: int | None = 5) -> pl.DataFrame:
    """counts_within's (people, pairs, n) -> the edges of comention_edges."""
    pairs = pairs.filter(pl.col("count") >= max(min_count, 1))
    count = pl.col("count").cast(pl.Float64)
    log_p_ab = (count / max(n, 1)).log()
    pmi = (count * n / (pl.col("passages_a").cast(pl.Float64) * pl.col("passages_b"))).log()
    edges = (pairs
             .join(people.rename({"passages": "passages_a"}), left_on="source", right_on="person")
             .join(people.rename({"passages": "passages_b"}), left_on="target", right_on="person")
             .select("source", "target", "count",
                     npmi=pl.when(log_p_ab < 0).then(pmi / -log_p_ab).otherwise(1.0))
             .sort(["source", "target"]).with_row_index("edge"))
    if top_k is not None:
        edges = _top_k_per_node(edges, max(top_k, 0))
    return (edges.sort(["npmi", "count", "source", "target"],
                       descending=[True, True, False, False])
            .select(list(EDGE_SCHEMA)).cast(EDGE_SCHEMA))


def comention_edges(passage_people: pl.DataFrame, min_count: int = 3,
                    top_k: int | None = 5) -> pl.DataFrame:
    """People named together -> source, target (source < target), count, npmi.

    `passage_people` has passage_id and people (List[str]). count is the number of
    passages naming both; pairs with count < min_count are dropped; then each person
    keeps its top_k edges by npmi, and an edge stays if it is in the top_k of either
    endpoint (so a person's degree can exceed top_k; None keeps all). Sorted by npmi,
    then count, descending.
    """
    return edges_from_counts(*counts_within(mention_arrays(passage_people["people"])),
                             min_count, top_k)


def nodes_from_counts(people: pl.DataFrame, edges: pl.DataFrame,
                      min_passages: int | None = None) -> pl.DataFrame:
    """person, passages: the people in `edges` (and, with `min_passages`, everyone named
    in at least that many passages), most named first."""
    in_edges = pl.concat([edges["source"], edges["target"]]).cast(pl.String)
    keep = pl.col("person").is_in(in_edges.unique().implode())
    if min_passages is not None:
        keep = keep | (pl.col("passages") >= min_passages)
    return (people.filter(keep)
            .sort(["passages", "person"], descending=[True, False])
            .select(list(NODE_SCHEMA)).cast(NODE_SCHEMA))


def node_table(passage_people: pl.DataFrame, edges: pl.DataFrame,
               min_passages: int | None = None) -> pl.DataFrame:
    """person, passages (how many passages name them), most named first.

    Lists the people in `edges`; with `min_passages`, also everyone named in at least
    that many passages, so that well-known people with no strong tie still show.
    """
    people, _, _ = counts_within(mention_arrays(passage_people["people"]))
    return nodes_from_counts(people, edges, min_passages)


def layout(nodes: pl.DataFrame, edges: pl.DataFrame,
           seed: int = 7) -> dict[str, tuple[float, float]]:
    """person -> (x, y) in [-1, 1]: a seeded spring layout, the same on every run.

    Nodes are the `person` column of `nodes` plus the ends of `edges`. Edge weights are
    (1 + npmi) / 2, which maps npmi's [-1, 1] onto [0, 1] so that stronger ties pull
    harder and no weight is negative. Each connected group is laid out on its own, in a
    disc whose radius grows with the square root of its size, and the discs are packed in
    rows, largest first (one spring layout of the whole graph would push small groups to
    the edges and crowd each group's names). Nodes and edges are added in sorted order,
    since the layout depends on insertion order. An empty graph gives {}.
    """
    graph = nx.Graph()
    names = set(nodes["person"].to_list()) if "person" in nodes.columns else set()
    names |= set(edges["source"].to_list()) | set(edges["target"].to_list())
    graph.add_nodes_from(sorted(names))
    for row in edges.sort(["source", "target"]).iter_rows(named=True):
        graph.add_edge(row["source"], row["target"], weight=(1.0 + row["npmi"]) / 2.0)
    if graph.number_of_nodes() == 0:
        return {}
    groups = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    radii = [np.sqrt(len(group)) for group in groups]
    width = max(2 * radii[0], np.sqrt(sum((2 * r) ** 2 for r in radii)) * 1.2)
    placed: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for group, radius in zip(groups, radii):
        if x > 0 and x + 2 * radius > width:
            x, y, row_height = 0.0, y - row_height, 0.0
        centre = (x + radius, y - radius)
        placed.update(_group_layout(graph.subgraph(group), radius * 0.65, centre, seed))
        x, row_height = x + 2 * radius, max(row_height, 2 * radius)
    coords = np.array(list(placed.values()))
    middle = (coords.max(axis=0) + coords.min(axis=0)) / 2
    span = max(float(np.abs(coords - middle).max()), 1e-9)
    return {name: (float((px - middle[0]) / span), float((py - middle[1]) / span))
            for name, (px, py) in placed.items()}


def _group_layout(group: nx.Graph, radius: float, centre: tuple[float, float],
                  seed: int) -> dict[str, tuple[float, float]]:
    """A spring layout of one connected group, scaled to `radius` around `centre`."""
    if group.number_of_nodes() == 1:
        return {next(iter(group.nodes)): centre}
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(group.nodes))
    ordered.add_edges_from(sorted(group.edges(data=True)))
    positions = nx.spring_layout(ordered, weight="weight", seed=seed, scale=radius, center=centre)
    return {name: (float(px), float(py)) for name, (px, py) in positions.items()}
