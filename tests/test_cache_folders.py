"""Cache entries are content-addressed folders written aside and renamed into place
(pipelines/files.py): two builds finishing the same entry at once must both succeed, and a
reader must never find an entry half removed."""

from __future__ import annotations

import threading

import numpy as np
import polars as pl
import pytest

from pipelines.files import publish_folder, staging_folder
from pipelines.theme_stage import ThemeStageResult, load_stage, save_stage


def _staged(entry, content: str):
    tmp = staging_folder(entry)
    (tmp / "data.txt").write_text(content)
    (tmp / "done").write_text("")
    return tmp


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_second_writer_keeps_the_complete_entry_in_place_and_drops_its_copy(tmp_path):
    entry = tmp_path / "abc"
    publish_folder(_staged(entry, "first"), entry, complete="done")
    publish_folder(_staged(entry, "second"), entry, complete="done")
    assert (entry / "data.txt").read_text() == "first"
    assert _leftovers(tmp_path) == []


def test_an_incomplete_leftover_is_replaced_unless_the_caller_says_not_to(tmp_path):
    entry = tmp_path / "abc"
    (entry / "junk").mkdir(parents=True)  # not empty, and without the completion file
    publish_folder(_staged(entry, "fresh"), entry, complete="done")
    assert (entry / "data.txt").read_text() == "fresh" and not (entry / "junk").exists()
    assert _leftovers(tmp_path) == []

    guarded = tmp_path / "model"
    (guarded / "other").mkdir(parents=True)
    tmp = _staged(guarded, "model")
    with pytest.raises(OSError):
        publish_folder(tmp, guarded, complete="done", replace_incomplete=False)
    assert tmp.is_dir() and (guarded / "other").is_dir()


def test_writers_racing_for_one_entry_all_succeed_and_leave_one_complete_entry(tmp_path):
    """Eight threads stage the same entry and rename it at the same moment, 30 times over.
    (The former code removed the entry, then renamed: a writer could remove another's finished
    entry under a reader, or fail with 'Directory not empty'.)"""
    for round_ in range(30):
        entry = tmp_path / f"entry{round_}"
        staged = [_staged(entry, f"writer {i}") for i in range(8)]
        start, errors = threading.Barrier(len(staged)), []

        def publish(tmp):
            start.wait()
            try:
                publish_folder(tmp, entry, complete="done")
            except OSError as exc:  # pragma: no cover - the failure this test exists to catch
                errors.append(exc)

        threads = [threading.Thread(target=publish, args=(tmp,)) for tmp in staged]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert (entry / "done").is_file() and (entry / "data.txt").read_text().startswith("writer ")
    assert _leftovers(tmp_path) == []


def test_the_theme_stage_cache_keeps_the_first_result_when_two_builds_save_it(tmp_path):
    entry = tmp_path / "themes" / "key"
    table = pl.DataFrame({"passage_id": ["p1"], "theme": ["copyright"], "score": [0.9], "origin": ["model"]})
    quality = pl.DataFrame({"theme": ["copyright"], "f1": [0.8]})
    save_stage(entry, ThemeStageResult(table, np.array([3]), quality, {"build": 1}))
    save_stage(entry, ThemeStageResult(table, np.array([5]), quality, {"build": 2}))
    cached = load_stage(entry)
    assert cached is not None and cached.record["build"] == 1 and cached.primary.tolist() == [3]
    assert cached.table.equals(table)
    assert _leftovers(entry.parent) == []
