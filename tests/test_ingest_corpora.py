"""Real corpora: the bundled one (data/corpus) and the external White House one.

The external corpus lives beside the repository in ../shared/corpora/whitehouse-ai and is
never copied into it. Without it the test is skipped, except under CI (env CI set), where
its absence is a failure.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from pipelines.ingest import IngestResult, ingest_paths

from pipeline_fixtures import BUNDLED, WHITEHOUSE, require_external

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def front_matter(path: Path) -> tuple[dict, str]:
    """The test's own reading of a Markdown file: (front matter, body)."""
    raw = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(raw)
    assert match, path
    return yaml.safe_load(match.group(1)), raw[match.end():]


def summary(stdout: str) -> dict[str, int]:
    return {name.strip(): int(value.replace(",", ""))
            for name, value in re.findall(r"│\s*([a-z_ ]+?)\s*│\s*([\d,]+)\s*│", stdout)}


# --- the bundled corpus -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> IngestResult:
    return ingest_paths([BUNDLED])


def test_bundled_corpus_is_accepted_whole(bundled):
    files = sorted(p for p in BUNDLED.rglob("*") if p.is_file())
    assert len(files) == 297
    assert bundled.records_read == 297
    assert bundled.rejects.height == 0, bundled.rejects.select("origin", "reason_code", "reason").to_dicts()
    assert bundled.documents.height == 297
    assert sorted(bundled.documents["origin"]) == sorted(p.relative_to(BUNDLED).as_posix() for p in files)
    assert bundled.documents["date"].null_count() == 0
    assert bundled.documents["doc_id"].n_unique() == 297


def test_bundled_dates_match_folder_and_file_name(bundled):
    # data/corpus/<YYYY-MM>/<YYYY-MM-DD>-slug.md: the front-matter date agrees with both
    for origin, date in bundled.documents.select("origin", "date").iter_rows():
        folder, name = origin.split("/")
        assert date.isoformat()[:7] == folder, origin
        assert name.startswith(date.isoformat()), origin


def test_bundled_seed_article(bundled):
    rows = bundled.documents.filter(pl.col("doc_id") == "seed-2023-04-18-musk-buys-10000-gpus")
    assert rows.height == 1
    seed = rows.row(0, named=True)
    assert seed["date"] == dt.date(2023, 4, 18)
    assert seed["month"] == dt.date(2023, 4, 1)
    assert seed["author"] == "Yunfeng Zhang"
    assert seed["title"] == "After Calling for a Pause in GPT-4 Research, Musk Buys 10,000 GPUs to Join the AI War"
    assert seed["source"] == "news article"
    assert seed["origin"] == "2023-04/2023-04-18-musk-buys-10000-gpus.md"
    _, body = front_matter(BUNDLED / seed["origin"])
    assert seed["text"] == body
    assert seed["text"].startswith('"I\'d rather be optimistic and wrong than pessimistic and right."')


def test_cli_ingests_the_bundled_corpus(run_cli, tmp_path):
    out = tmp_path / "documents.parquet"
    result = run_cli("ingest", BUNDLED, "--documents", out)
    assert result.exit_code == 0, result.output
    assert summary(result.stdout) == {"read": 297, "accepted": 297, "rejected": 0, "duplicates": 0}
    assert pl.read_parquet(out).height == 297


# --- the external White House corpus ------------------------------------------------------------


@pytest.fixture(scope="module")
def whitehouse() -> IngestResult:
    return ingest_paths([require_external(WHITEHOUSE)])


def test_missing_external_corpus_skips_locally_but_fails_under_ci(tmp_path, monkeypatch):
    missing = tmp_path / "whitehouse-ai"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="external corpus not found"):
        require_external(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set but the external corpus is missing"):
        require_external(missing)
    assert require_external(tmp_path) == tmp_path


@pytest.mark.external
def test_whitehouse_every_document_accounted_for(whitehouse):
    markdown = sorted(p for p in WHITEHOUSE.rglob("*.md") if p.name != "README.md")
    assert len(markdown) == 259
    assert whitehouse.records_read == 259 + 2  # + README.md + LICENSE
    assert whitehouse.documents.height == 255
    assert whitehouse.duplicates == 4
    assert whitehouse.rejected == 2
    origins = set(whitehouse.documents["origin"]) | set(whitehouse.rejects["origin"])
    assert origins == {p.relative_to(WHITEHOUSE).as_posix() for p in markdown} | {"README.md", "LICENSE"}


@pytest.mark.external
def test_whitehouse_dates_and_titles_come_from_front_matter(whitehouse):
    for row in whitehouse.documents.iter_rows(named=True):
        meta, body = front_matter(WHITEHOUSE / row["origin"])
        assert row["date"] == dt.date.fromisoformat(str(meta["date"])), row["origin"]
        assert row["month"] == row["date"].replace(day=1)
        assert row["title"] == meta["title"].strip(), row["origin"]
        assert row["url"] == meta["source_url"], row["origin"]
        assert row["text"] == body, row["origin"]


@pytest.mark.external
def test_whitehouse_duplicates_are_byte_identical_republications(whitehouse):
    duplicates = whitehouse.rejects.filter(pl.col("reason_code") == "duplicate")
    assert duplicates.height == 4
    by_id = {row["doc_id"]: row for row in whitehouse.documents.iter_rows(named=True)}
    for origin, reason in duplicates.select("origin", "reason").iter_rows():
        match = re.fullmatch(r"duplicate of doc (\S+) \(same text\)", reason)
        assert match, reason
        kept = by_id.get(match.group(1))
        assert kept is not None, f"{origin}: names {match.group(1)}, which is not an accepted document"
        kept_meta, kept_body = front_matter(WHITEHOUSE / kept["origin"])
        dup_meta, dup_body = front_matter(WHITEHOUSE / origin)
        assert dup_body.encode("utf-8") == kept_body.encode("utf-8")
        assert dup_meta["source_url"] != kept_meta["source_url"]  # the same text under two URLs
        assert kept["origin"] < origin  # the first one read is kept


@pytest.mark.external
def test_whitehouse_readme_and_license_are_rejected(whitehouse):
    rejects = {origin: (code, reason) for origin, code, reason in
               whitehouse.rejects.select("origin", "reason_code", "reason").iter_rows()}
    assert rejects["README.md"] == ("missing_date", "no date field and no YYYY-MM-DD date in the file name")
    assert rejects["LICENSE"] == ("unsupported_format", "unsupported file type '(no extension)'")
    assert {code for code, _ in rejects.values()} == {"missing_date", "unsupported_format", "duplicate"}
