"""The artifact contract: docs/ARTIFACTS.md and pipelines/artifacts.py agree, the contract's
functions name the table and column at fault, and a real build writes what it promises."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from markdown_it import MarkdownIt

from pipelines.artifacts import (
    PUBLISHED, TABLES, ArtifactError, check_table, column_problems, conform, empty, read_table, write_table,
)

ARTIFACTS_MD = Path(__file__).resolve().parents[1] / "docs" / "ARTIFACTS.md"

# The type words of docs/ARTIFACTS.md; a trailing "?" means the column may be null.
DOCUMENTED_TYPES: dict[str, pl.DataType] = {
    "str": pl.String(), "date": pl.Date(), "u32": pl.UInt32(), "i32": pl.Int32(), "i64": pl.Int64(), "f32": pl.Float32(),
    "f64": pl.Float64(), "bool": pl.Boolean(), "list[str]": pl.List(pl.String), "list[u32]": pl.List(pl.UInt32),
    "list[f64]": pl.List(pl.Float64),
}
TABLE_HEADING = re.compile(r"^`(\w+)\.parquet`")
ONE_COLUMN = re.compile(r"^`(\w+)`$")


def documented_tables() -> dict[str, list[list[str]]]:
    """Each `## \\`NAME.parquet\\`` section of ARTIFACTS.md: its table's body rows, as cell texts."""
    tokens = MarkdownIt("commonmark").enable("table").parse(ARTIFACTS_MD.read_text(encoding="utf-8"))
    tables: dict[str, list[list[str]]] = {}
    section, in_body = None, False
    for at, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = TABLE_HEADING.match(tokens[at + 1].content) if token.tag == "h2" else None
            section = heading.group(1) if heading else None
        elif token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif in_body and section and token.type == "tr_open":
            tables.setdefault(section, []).append([])
        elif in_body and section and token.type == "inline":
            tables[section][-1].append(token.content.strip())
    return tables


DOCUMENTED = documented_tables()


def test_every_table_of_the_contract_is_documented_and_nothing_else():
    assert sorted(DOCUMENTED) == sorted(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_documented_columns_and_types_are_the_contract(name):
    rows = DOCUMENTED.get(name, [])
    documented = []
    for column, kind, *_ in rows:
        assert ONE_COLUMN.match(column), f"{name}: a row must name exactly one column, not {column!r}"
        assert kind.removesuffix("?") in DOCUMENTED_TYPES, f"{name}.{column}: unknown type {kind!r}"
        documented.append((ONE_COLUMN.match(column).group(1), DOCUMENTED_TYPES[kind.removesuffix("?")]))
    assert documented == list(TABLES[name].schema.items())


# --- the contract's functions ---------------------------------------------------------------------


def _passages() -> pl.DataFrame:
    return pl.DataFrame({
        "passage_id": ["a:0"], "doc_id": ["a"], "ordinal": [0], "char_start": [0], "char_end": [5],
        "text": ["hello"], "date": [dt.date(2024, 1, 2)], "month": [dt.date(2024, 1, 1)], "source": [None],
        "topic_id": [-1], "topic_probability": [0.5], "theme": [None], "people": [["Ada Lovelace"]],
    })


def test_check_table_names_the_table_and_the_missing_column():
    with pytest.raises(ArtifactError, match=r"passages\.parquet: column 'theme' is missing"):
        check_table("passages", empty("passages").drop("theme"))


def test_check_table_names_the_table_the_column_and_both_types():
    frame = empty("topics").with_columns(pl.col("size").cast(pl.Int64))
    with pytest.raises(ArtifactError, match=r"topics\.parquet: column 'size' is Int64, the contract says UInt32"):
        check_table("topics", frame)


def test_check_table_returns_a_matching_frame_unchanged_and_allows_extra_columns():
    frame = empty("people").with_columns(extra=pl.lit(1))
    assert check_table("people", frame) is frame


def test_conform_casts_to_the_contract_types_and_orders_the_columns():
    shuffled = _passages().select(reversed(_passages().columns)).with_columns(unused=pl.lit("x"))
    conformed = conform("passages", shuffled)
    assert conformed.schema == TABLES["passages"].schema
    assert conformed.row(0) == ("a:0", "a", 0, 0, 5, "hello", dt.date(2024, 1, 2), dt.date(2024, 1, 1), None, -1,
                                0.5, None, ["Ada Lovelace"], None, None)  # `page`, `speakers`: added, made null


def test_a_run_built_before_an_added_column_still_reads_and_verifies(tmp_path):
    assert TABLES["passages"].added == ("page", "speakers") and TABLES["documents"].added == ("page_starts",)
    conform("passages", _passages()).drop("page").write_parquet(tmp_path / "passages.parquet")
    old = read_table(tmp_path, "passages")
    assert old.schema == TABLES["passages"].schema and old["page"].to_list() == [None]
    assert column_problems("passages", pl.read_parquet_schema(tmp_path / "passages.parquet")) == []
    with_pages = conform("passages", _passages().with_columns(page=pl.lit(3)))
    assert with_pages["page"].to_list() == [3] and with_pages.schema["page"] == pl.UInt32


def test_conform_names_a_missing_column_and_refuses_a_value_that_does_not_fit():
    with pytest.raises(ArtifactError, match=r"passages\.parquet: missing column 'people'"):
        conform("passages", _passages().drop("people"))
    with pytest.raises(ArtifactError, match=r"passages\.parquet"):
        conform("passages", _passages().with_columns(ordinal=pl.lit(-1)))  # no u32 for -1


def test_an_unknown_table_is_an_artifact_error():
    with pytest.raises(ArtifactError, match="no table named 'passage'"):
        empty("passage")


def test_read_table_reads_what_write_table_wrote(tmp_path):
    assert write_table(tmp_path, "passages", _passages()) == 1
    assert read_table(tmp_path, "passages").schema == TABLES["passages"].schema


def test_read_table_names_a_missing_file_a_missing_column_and_a_wrong_type(tmp_path):
    with pytest.raises(ArtifactError, match=r"months\.parquet is missing"):
        read_table(tmp_path, "months")
    conform("passages", _passages()).drop("people").write_parquet(tmp_path / "passages.parquet")
    with pytest.raises(ArtifactError, match=r"passages\.parquet: column 'people' is missing"):
        read_table(tmp_path, "passages")
    conform("passages", _passages()).with_columns(pl.col("topic_id").cast(pl.Int64)).write_parquet(
        tmp_path / "passages.parquet")
    with pytest.raises(ArtifactError, match=r"passages\.parquet: column 'topic_id' is Int64"):
        read_table(tmp_path, "passages")
    (tmp_path / "passages.parquet").write_bytes(b"not parquet")
    with pytest.raises(ArtifactError, match=r"passages\.parquet cannot be read as Parquet"):
        read_table(tmp_path, "passages")


# --- a real build ------------------------------------------------------------------------------------


def test_a_build_writes_every_table_in_the_contracts_form(bundled_build):
    run = bundled_build.run_dir
    for name in PUBLISHED:
        table = read_table(run, name)  # checked against the contract
        assert table.columns == list(TABLES[name].schema), name
