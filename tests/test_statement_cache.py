"""The statements cache: an unchanged input reads the table back; any change to what
extraction depends on (text, registry, roles, extractor code) extracts again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines import statement_cache
from pipelines.passages import split_passages
from pipelines.people import extract_mentions
from pipelines.statement_cache import (extract_or_reuse_statements, extractor_sources,
                                       statements_cache_key)

TEXT = ('"Compute is the new oil," Elon Musk said on Tuesday.\n\n'
        "Sam Altman told senators that licensing was needed.")


def inputs(registry, text: str = TEXT):
    day = dt.date(2024, 5, 1)
    docs = pl.DataFrame({"doc_id": ["d"], "date": [day], "month": [day.replace(day=1)], "title": ["t"],
                         "source": [None], "text": [text]}, schema_overrides={"source": pl.String})
    passages = split_passages(docs.lazy()).collect()
    return docs, passages, extract_mentions(docs, passages.lazy(), registry)


def test_an_unchanged_input_is_read_back(registry, tmp_path, monkeypatch):
    docs, passages, mentions = inputs(registry)
    first, reused = extract_or_reuse_statements(tmp_path, docs, passages, mentions, registry)
    assert not reused and set(first["speaker"].drop_nulls()) == {"Elon Musk", "Sam Altman"}
    monkeypatch.setattr(statement_cache, "extract_statements",
                        lambda *a, **k: pytest.fail("extracted again although nothing changed"))
    second, reused = extract_or_reuse_statements(tmp_path, docs, passages, mentions, registry)
    assert reused and second.equals(first)


def test_changed_text_extracts_again(registry, tmp_path):
    extract_or_reuse_statements(tmp_path, *inputs(registry), registry)
    changed = TEXT.replace("Sam Altman told senators", "Sam Altman said")
    frame, reused = extract_or_reuse_statements(tmp_path, *inputs(registry, changed), registry)
    assert not reused and frame["cue"].to_list()[-1] == "said"


def test_the_key_follows_registry_roles_and_code(registry, tmp_path, monkeypatch):
    docs, passages, mentions = inputs(registry)
    key = statements_cache_key(docs, passages, mentions, registry)
    assert statements_cache_key(docs, passages, mentions, registry) == key  # deterministic
    fewer = dataclasses.replace(registry, people=registry.people[1:])
    assert statements_cache_key(docs, passages, mentions, fewer) != key
    roles = tmp_path / "roles.toml"
    roles.write_text("# no roles\n")
    assert statements_cache_key(docs, passages, mentions, registry, roles) != key
    code = tmp_path / "code"
    code.mkdir()
    for source in extractor_sources():
        (code / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(statement_cache, "PIPELINES_DIR", code)
    assert statements_cache_key(docs, passages, mentions, registry) == key  # same code, same key
    (code / "quotes.py").write_text((code / "quotes.py").read_text() + "\n# changed\n")
    assert statements_cache_key(docs, passages, mentions, registry) != key


def test_the_extractor_sources_are_its_modules_and_their_imports():
    names = {p.name for p in extractor_sources()}
    assert {"statements.py", "quotes.py", "reported_speech.py", "speaker_turns.py", "roles.py",
            "people.py"} <= names
    assert "build.py" not in names and "statement_cache.py" not in names


def test_a_corrupt_cache_entry_is_extracted_again(registry, tmp_path):
    docs, passages, mentions = inputs(registry)
    first, _ = extract_or_reuse_statements(tmp_path, docs, passages, mentions, registry)
    entry = next(Path(tmp_path).glob("*.parquet"))
    entry.write_bytes(b"not parquet")
    again, reused = extract_or_reuse_statements(tmp_path, docs, passages, mentions, registry)
    assert not reused and again.equals(first)
    assert pl.read_parquet(entry).equals(first)  # rewritten
