"""File helpers shared by the stages: content hashes, the data files' TOML, cache folders put in place."""

from __future__ import annotations

import hashlib
import os
import shutil
import tomllib
import uuid
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_toml(path: Path, what: str, error: type[Exception]) -> dict:
    """A data file's TOML; a missing or malformed file raises `error` naming `what` and the path."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path} is not valid TOML: {exc}") from None


def staging_folder(entry: Path) -> Path:
    """A new hidden folder beside `entry` to write it in before `publish_folder` renames it."""
    tmp = entry.with_name(f".{entry.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir(parents=True)
    return tmp


def publish_folder(tmp: Path, entry: Path, complete: str, replace_incomplete: bool = True) -> None:
    """Rename the finished folder `tmp` to the content-addressed `entry`.

    Two builds may finish the same entry at once: the one that comes second finds a complete
    entry (one holding the file `complete`) in place, keeps it and drops its own copy, so
    neither fails and no reader sees the entry vanish. A leftover without that file is moved
    aside and replaced (or, with `replace_incomplete=False`, the OSError is raised).
    """
    entry.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        try:
            os.replace(tmp, entry)
            return
        except OSError:
            if (entry / complete).is_file():
                shutil.rmtree(tmp, ignore_errors=True)
                return
            if not replace_incomplete:
                raise
            stale = entry.with_name(f".{entry.name}.{uuid.uuid4().hex[:8]}.stale")
            try:
                os.replace(entry, stale)
            except FileNotFoundError:  # another build moved it first: try the rename again
                continue
            shutil.rmtree(stale, ignore_errors=True)
    os.replace(tmp, entry)
