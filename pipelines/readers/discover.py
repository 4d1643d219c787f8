"""Finding the input files under the user's paths, and accounting for every other entry.

Folders are walked with `os.scandir`, following links to folders. Every entry that is not a
readable regular file becomes a `Skipped` with a reason code (`unreadable_folder`,
`symlink_loop`, `broken_link`, `not_a_regular_file`, `unreadable_file`), so that ingestion
can list it as a reject. Entries are only `stat`ed here, never opened: a named pipe cannot
block. Hidden entries (a name starting with ".") are skipped, as documented.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pipelines.readers.records import SUPPORTED_SUFFIXES, InputError, InputFile, safe_text


@dataclass(frozen=True)
class Skipped:
    """A folder entry that is not read, and why (`code` is a rejects reason code)."""

    item: InputFile
    code: str
    reason: str


Entry = InputFile | Skipped
_Folder = tuple[Path, frozenset[tuple[int, int]]]  # a folder to list, and the folders above it


def scan_inputs(paths: list[Path]) -> list[Entry]:
    """Every entry under `paths`: the files to read and the entries skipped, in a deterministic
    order (by path within each given path). Raises `InputError` for a path that does not exist,
    cannot be looked at, or is a file of unknown format given directly."""
    found: list[Entry] = []
    for path in paths:
        found.extend(_scan_path(path))
    return found


def discover_inputs(paths: list[Path]) -> list[InputFile]:
    """The readable regular files under `paths` (see `scan_inputs`), safe to open and hash."""
    return [entry for entry in scan_inputs(paths) if isinstance(entry, InputFile)]


def _scan_path(path: Path) -> list[Entry]:
    shown = safe_text(str(path))
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise InputError(f"{shown}: no such file or folder"
                             + (" (a broken link)" if path.is_symlink() else "")) from None
        if exc.errno == errno.ELOOP:
            raise InputError(f"{shown}: a symbolic link loop") from None
        raise InputError(f"{shown}: cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        return _walk(path, info)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{shown}: unknown format {path.suffix or '(no extension)'!r}; supported: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    return [_file_entry(InputFile(path, path.parent), info)]


def _walk(root: Path, info: os.stat_result) -> list[Entry]:
    """Every non-hidden entry under the folder `root`, sorted by path."""
    found: list[Entry] = []
    pending: list[_Folder] = [(root, frozenset({(info.st_dev, info.st_ino)}))]
    while pending:
        folder, above = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            found.append(Skipped(InputFile(folder, root), "unreadable_folder",
                                 f"folder could not be listed: {_why(exc)}; nothing in it was read"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            kind = _classify(Path(entry.path), root, above)
            if isinstance(kind, tuple):
                pending.append(kind)
            else:
                found.append(kind)
    return sorted(found, key=lambda entry: _item(entry).path.relative_to(root).parts)


def _classify(path: Path, root: Path, above: frozenset[tuple[int, int]]) -> Entry | _Folder:
    """What the folder entry `path` is: a file to read, a skipped entry or a folder to walk."""
    item = InputFile(path, root)
    try:
        info = os.stat(path)  # follows links; never opens the entry
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Skipped(item, "symlink_loop", "symbolic link loop: the link leads back to itself")
        if path.is_symlink() and exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return Skipped(item, "broken_link", f"broken link: its target {_target(path)!r} does not exist")
        return Skipped(item, "unreadable_file", f"could not be looked at: {_why(exc)}")
    if stat.S_ISDIR(info.st_mode):
        key = (info.st_dev, info.st_ino)
        if key in above:
            return Skipped(item, "symlink_loop",
                           f"link to a folder that contains it ({_target(path)!r}): following it would loop")
        return path, above | {key}
    return _file_entry(item, info)


def _file_entry(item: InputFile, info: os.stat_result) -> Entry:
    if not stat.S_ISREG(info.st_mode):
        return Skipped(item, "not_a_regular_file", f"not a regular file but {_kind(info.st_mode)}: not read")
    if not os.access(item.path, os.R_OK):
        return Skipped(item, "unreadable_file", "could not be read: permission denied")
    return item


def _item(entry: Entry) -> InputFile:
    return entry.item if isinstance(entry, Skipped) else entry


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _target(path: Path) -> str:
    try:
        return safe_text(os.readlink(path))
    except OSError:
        return "?"


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "a special file")
