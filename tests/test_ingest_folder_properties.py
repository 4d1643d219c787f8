"""Property: whatever a corpus folder holds, every entry is accounted for.

Hypothesis builds folders of ordinary good and bad files, empty containers, links to files
and folders, symbolic link loops, broken links, named pipes, sockets, unreadable files and
unreadable folders (simulated: the tests run as root, who reads anything), nested up to two
levels. For each: records read = accepted + rejected + duplicates; every entry of the folder
appears among the origins of the accepted documents and the rejects, and nothing else does;
an entry that stands for one record appears exactly once, with the reason expected.
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import ingest_paths

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# kind: (file name suffix, expected reason code of its one record; None = accepted; "" = several records)
KINDS = {
    "good": (".md", None),
    "undated": (".md", "missing_date"),
    "rows": (".csv", ""),
    "unclosed": (".csv", ""),
    "header_only": (".csv", "no_records"),
    "zero_bytes": (".csv", "empty_file"),
    "empty_lines": (".jsonl", "empty_file"),
    "empty_list": (".json", "no_records"),
    "impossible_time": (".md", "unparseable_date"),
    "pipe": (".csv", "not_a_regular_file"),
    "socket": (".jsonl", "not_a_regular_file"),
    "broken": (".md", "broken_link"),
    "loop": (".md", "symlink_loop"),
    "up": ("", "symlink_loop"),
    "file_link": (".md", None),
    "folder_link": ("", ""),
    "locked": ("", "unreadable_folder"),
    "secret": (".md", "unreadable_file"),
}
LOCKED, SECRET = "locked-", "secret-"

leaf_kinds = st.sampled_from(sorted(KINDS))
folders = st.recursive(st.lists(leaf_kinds, min_size=1, max_size=6),
                       lambda inner: st.lists(st.one_of(leaf_kinds, inner), min_size=1, max_size=5), max_leaves=14)


def document(key: str, date: str = "2023-05-01") -> str:
    return f"---\ndate: {date}\n---\nDocument {key} about the rules for AI.\n"


class Builder:
    """Writes a generated folder and records, per entry, the origins and reason expected."""

    def __init__(self, root: Path, outside: Path) -> None:
        self.root, self.outside, self.count = root, outside, 0
        self.expected: dict[str, str | None] = {}  # one-record entry -> its reason code (None: accepted)
        self.several: set[str] = set()  # entries with several records

    def folder(self, folder: Path, kinds: list) -> None:
        folder.mkdir(exist_ok=True)
        for kind in kinds:
            self.count += 1
            if isinstance(kind, list):
                self.folder(folder / f"sub{self.count}", kind)
            else:
                self.entry(folder, kind)

    def entry(self, folder: Path, kind: str) -> None:
        suffix, code = KINDS[kind]
        name = f"{SECRET if kind == 'secret' else LOCKED if kind == 'locked' else ''}e{self.count}{suffix}"
        path = folder / name
        key = path.relative_to(self.root).as_posix()
        self.make(kind, path, key)
        if kind == "folder_link":
            self.expected[f"{key}/inner.md"] = None
        elif code == "":
            self.several.add(key)
        else:
            self.expected[key] = code

    def make(self, kind: str, path: Path, key: str) -> None:  # noqa: C901 - one branch per kind
        if kind in ("good", "secret"):
            path.write_text(document(key))
        elif kind == "undated":
            path.write_text(f"No date in {key}.\n")
        elif kind == "impossible_time":
            path.write_text(document(key, "2023-03-31T25:61:00"))
        elif kind == "rows":
            path.write_text(f"date,text\n2023-01-01,first row of {key}\n2023-01-02,second row of {key}\n")
        elif kind == "unclosed":
            path.write_text(f'date,text\n2023-01-01,"never closed in {key}\n2023-01-02,after it in {key}\n')
        elif kind == "header_only":
            path.write_text("id,date,text\n")
        elif kind == "zero_bytes":
            path.write_bytes(b"")
        elif kind == "empty_lines":
            path.write_text("\n\n")
        elif kind == "empty_list":
            path.write_text("[]")
        elif kind == "pipe":
            os.mkfifo(path)
        elif kind == "socket":
            with socket.socket(socket.AF_UNIX) as server:
                server.bind(str(path))
        elif kind == "broken":
            path.symlink_to(f"missing-{path.name}")
        elif kind == "loop":
            path.symlink_to(path.name)
        elif kind == "up":
            path.symlink_to(".")  # the folder holding the link
        elif kind == "file_link":
            target = self.outside / path.name
            target.write_text(document(f"target of {key}"))
            path.symlink_to(target)
        elif kind == "folder_link":
            target = self.outside / path.name
            target.mkdir()
            (target / "inner.md").write_text(document(f"inner of {key}"))
            path.symlink_to(target, target_is_directory=True)
        elif kind == "locked":
            path.mkdir()
            (path / "hidden-by-lock.md").write_text(document(f"locked {key}"))


def simulate_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders named locked-* cannot be listed, files named secret-* cannot be read."""
    real_scandir, real_access = os.scandir, os.access

    def scandir(path=".") -> object:  # noqa: ANN001 - os.scandir's signature
        if Path(path).name.startswith(LOCKED):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    def access(path, mode, *args, **kwargs) -> bool:  # noqa: ANN001 - os.access's signature
        return not Path(path).name.startswith(SECRET) and real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "access", access)


@SETTINGS
@given(folders)
def test_every_folder_entry_is_accepted_or_rejected_exactly_once(kinds):
    with tempfile.TemporaryDirectory() as tmp:
        root, outside = Path(tmp) / "corpus", Path(tmp) / "outside"
        outside.mkdir()
        built = Builder(root, outside)
        built.folder(root, kinds)
        with pytest.MonkeyPatch.context() as monkeypatch:
            simulate_unreadable(monkeypatch)
            result = ingest_paths([root])
    assert result.records_read == result.documents.height + result.rejected + result.duplicates
    accepted = result.documents["origin"].to_list()
    origins = accepted + result.rejects["origin"].to_list()
    rejected = dict(zip(result.rejects["origin"], result.rejects["reason_code"], strict=True))
    assert len(set(origins)) == len(origins) == result.records_read  # each record once, in one table
    assert {origin.partition("#")[0] for origin in origins} == set(built.expected) | built.several
    for entry, code in built.expected.items():
        assert (entry in accepted) == (code is None), (entry, code, rejected.get(entry))
        assert code is None or rejected[entry] == code, (entry, code, rejected.get(entry))
