"""The one CSV writer of the product. Every CSV it writes (the dashboard's downloads,
`discourse ingest --rejects`) goes through `csv_text`, so a cell a spreadsheet would run as
a formula (`=HYPERLINK(...`, `@SUM(...`) is written with an apostrophe in front."""

from __future__ import annotations

from pathlib import Path

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"  # what Excel, LibreOffice and Sheets read as a formula


def csv_text(frame: pl.DataFrame) -> str:
    """CSV of a frame, with text cells starting with = + - @ tab or CR prefixed by `'`."""
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text_cols).write_csv()


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """`csv_text(frame)` written to `path` as UTF-8."""
    Path(path).write_text(csv_text(frame), encoding="utf-8", newline="")
