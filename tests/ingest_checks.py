"""What the ingest tests share: a good document, a corpus folder beside it, the invariants
every ingest keeps, and the rejects by origin."""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest import IngestResult

GOOD_MD = "---\ndate: 2023-03-01\ntitle: A good document\n---\nThis document is fine.\n"


def check(result: IngestResult) -> IngestResult:
    """The invariants every run must keep, whatever the input."""
    assert result.records_read == result.documents.height + result.rejected + result.duplicates
    assert result.rejects["reason_code"].null_count() == 0
    assert all(code for code in result.rejects["reason_code"])
    assert all(reason and reason.strip() for reason in result.rejects["reason"])
    assert all(origin for origin in result.rejects["origin"])
    assert "reader_error" not in result.rejects["reason_code"].to_list(), result.rejects.to_dicts()
    assert result.documents["date"].null_count() == 0
    assert result.documents["doc_id"].n_unique() == result.documents.height
    return result


def corpus(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A folder with a good document and `files` (name: content)."""
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    (folder / "good.md").write_text(GOOD_MD, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def rejects_of(result: IngestResult) -> dict[str, tuple[str, str]]:
    """origin -> (reason_code, reason) of every reject."""
    return {origin: (code, reason) for origin, code, reason in
            result.rejects.select("origin", "reason_code", "reason").iter_rows()}
