"""Small Polars helpers shared by stages."""

from __future__ import annotations

import polars as pl


def attach_list_column(passages: pl.DataFrame, per_passage: pl.DataFrame, name: str) -> pl.DataFrame:
    """`passages` with `per_passage[name]` (a list column keyed by passage_id; an empty list where
    absent) in place of any column of that name. Only the key is joined, the column is then
    added: a join of the whole frame would copy every passage's text."""
    column = (passages.select("passage_id")
              .join(per_passage.select("passage_id", name), on="passage_id", how="left", maintain_order="left")
              [name])
    dtype = per_passage.schema[name]
    return passages.with_columns(column.fill_null(pl.lit([], dtype=dtype)).alias(name))
