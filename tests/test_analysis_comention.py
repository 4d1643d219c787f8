"""Co-mentions: who appears with whom, scored by NPMI (Bouma 2009), and the graph layout."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from dashboard.analysis.comention import comention_edges, layout, node_table

SCHEMA = {"passage_id": pl.Int64, "people": pl.List(pl.String)}


def passages(*people: list[str] | None) -> pl.DataFrame:
    return pl.DataFrame({"passage_id": range(len(people)), "people": list(people)},
                        schema=SCHEMA)


def planted() -> pl.DataFrame:
    """400 passages: A and B named together 40 times and never apart (p = 0.1 each);
    C in 200 (p = 0.5), 20 of them with A and B, which is exactly chance; D with E and F."""
    rows: list[list[str] | None] = []
    rows += [["A", "B", "C"]] * 20 + [["B", "A"]] * 20
    rows += [["C"]] * 180
    rows += [["D", "E"]] * 6 + [["D", "F"]] * 2 + [["E"]] * 4
    rows += [["Solo"]] * 10 + [[]] * 30 + [None] * 128
    assert len(rows) == 400
    return passages(*rows)


def edge(edges: pl.DataFrame, source: str, target: str) -> dict:
    found = edges.filter((pl.col("source") == source) & (pl.col("target") == target))
    assert found.height == 1, (source, target)
    return found.row(0, named=True)


def test_npmi_is_one_for_inseparable_people_and_zero_at_chance():
    edges = comention_edges(planted(), min_count=1, top_k=None)
    assert edges.columns == ["source", "target", "count", "npmi"]
    ab = edge(edges, "A", "B")
    assert ab["count"] == 40 and ab["npmi"] == pytest.approx(1.0)
    ac = edge(edges, "A", "C")
    assert ac["count"] == 20 and abs(ac["npmi"]) < 1e-9
    assert abs(edge(edges, "B", "C")["npmi"]) < 1e-9
    de = edge(edges, "D", "E")  # by hand: p(D,E) = 6/400, p(D) = 8/400, p(E) = 10/400
    p_de, p_d, p_e = 6 / 400, 8 / 400, 10 / 400
    assert de["npmi"] == pytest.approx(math.log(p_de / (p_d * p_e)) / -math.log(p_de))
    assert edges["npmi"].to_list() == sorted(edges["npmi"].to_list(), reverse=True)


def test_min_count_drops_rare_pairs():
    edges = comention_edges(planted(), min_count=3, top_k=None)
    pairs = set(zip(edges["source"], edges["target"]))
    assert pairs == {("A", "B"), ("A", "C"), ("B", "C"), ("D", "E")}  # D-F is named twice
    assert comention_edges(planted(), min_count=41, top_k=None).height == 0


def test_top_k_keeps_an_edge_in_the_top_k_of_either_end():
    # Hub is named with each of X1..X4; every X has a single edge, which is therefore in
    # that X's top 1: all four edges stay, though Hub's own top 1 holds only one of them.
    rows = [["Hub", f"X{i}"] for i in range(1, 5) for _ in range(3)]
    rows += [[f"X{i}"] for i in range(1, 5) for _ in range(i)] + [[]] * 20
    star = comention_edges(passages(*rows), min_count=1, top_k=1)
    assert star.height == 4
    # A complete graph of 4 people with distinct strengths: top_k=1 keeps, per person, its
    # strongest tie; the union is smaller than the 6 edges.
    clique = [["P", "Q"]] * 8 + [["R", "S"]] * 7 + [["P", "R"]] * 3 + [["Q", "S"]] * 2 \
        + [["P", "S"]] * 1 + [["Q", "R"]] * 1 + [[]] * 30
    full = comention_edges(passages(*clique), min_count=1, top_k=None)
    top1 = comention_edges(passages(*clique), min_count=1, top_k=1)
    assert full.height == 6
    assert set(zip(top1["source"], top1["target"])) == {("P", "Q"), ("R", "S")}
    best = {}
    for row in full.iter_rows(named=True):
        for node in (row["source"], row["target"]):
            best[node] = max(best.get(node, -2.0), row["npmi"])
    for node, npmi in best.items():
        kept = top1.filter((pl.col("source") == node) | (pl.col("target") == node))
        assert kept["npmi"].max() == pytest.approx(npmi)


def test_edges_are_ordered_unique_and_never_self_edges():
    rows = [["Zed", "Amy", "Amy", "Moe"], ["Moe", "Zed"], ["Amy", "Zed", ""], [None, "Moe"],
            ["Amy", "Moe", "Zed"]]
    edges = comention_edges(passages(*rows), min_count=1, top_k=None)
    pairs = list(zip(edges["source"], edges["target"]))
    assert all(s < t for s, t in pairs)
    assert len(pairs) == len(set(pairs)) == 3
    assert edge(edges, "Amy", "Zed")["count"] == 3  # "Amy" twice in a passage counts once


def test_a_passage_naming_one_person_or_nobody_adds_no_edge():
    rows = [["A"], [], None, ["B"], ["A", "A"], [""]]
    assert comention_edges(passages(*rows), min_count=1, top_k=None).height == 0
    assert comention_edges(passages(), min_count=1).height == 0


def test_node_table_counts_passages_for_people_in_edges():
    data = planted()
    edges = comention_edges(data, min_count=3, top_k=None)
    nodes = node_table(data, edges)
    assert nodes.columns == ["person", "passages"]
    assert dict(nodes.iter_rows()) == {"C": 200, "A": 40, "B": 40, "E": 10, "D": 8}
    assert nodes["passages"].to_list() == sorted(nodes["passages"].to_list(), reverse=True)
    with_popular = node_table(data, edges, min_passages=10)
    assert dict(with_popular.iter_rows())["Solo"] == 10 and "F" not in with_popular["person"]


def test_layout_is_deterministic_scaled_and_empty_for_no_graph():
    data = planted()
    edges = comention_edges(data, min_count=1, top_k=None)
    nodes = node_table(data, edges)
    first, second = layout(nodes, edges), layout(nodes, edges)
    assert first == second
    assert set(first) == {"A", "B", "C", "D", "E", "F"}
    coords = np.array(list(first.values()))
    assert np.abs(coords).max() == pytest.approx(1.0) and np.abs(coords).max() <= 1.0 + 1e-9
    assert layout(nodes.head(0), edges.head(0)) == {}


def test_scale_200k_passages_count_a_planted_pair():
    rng = np.random.default_rng(3)
    n = 200_000
    sizes = rng.integers(0, 11, n)
    pool = np.array([f"Person {i:03d}" for i in range(800)])
    names = rng.choice(pool, size=int(sizes.sum()))
    row = np.repeat(np.arange(n), sizes)
    data = (pl.DataFrame({"passage_id": row, "person": names})
            .group_by("passage_id").agg(pl.col("person").alias("people")))
    planted_rows = pl.DataFrame({"passage_id": np.arange(n, n + 1500),
                                 "people": [["Planted One", "Planted Two", "Person 001"]] * 1500},
                                schema=data.schema)
    data = pl.concat([data, planted_rows])
    edges = comention_edges(data, min_count=3, top_k=5)
    pair = edge(edges, "Planted One", "Planted Two")
    assert pair["count"] == 1500 and pair["npmi"] == pytest.approx(1.0)
    assert (edges["source"] < edges["target"]).all()
