"""Review corrections (pipelines/corrections.py): validated rows, whole-line appends, the
latest correction per passage, and how builds and label files use them."""

from __future__ import annotations

import json
import threading

import numpy as np
import polars as pl
import pytest

from pipelines import corrections as review
from pipelines.theme_labels import CORRECTION, read_label_files, text_sha1
from pipelines.theme_stage import corrected_in_corpus, corrected_with_near_duplicates

THEMES = ["pause_letter", "compute_race", "jobs_labour"]
PASSAGE = {"passage_id": "d1:0", "doc_id": "d1", "text": "Workers and AI."}


def correction(action: str, theme: str, current: list[str], passage=PASSAGE) -> dict:
    return review.make_correction(passage, current, action, theme, THEMES, "run-1")


def test_each_action_gives_the_full_set_of_themes_after_it():
    assert correction("add", "jobs_labour", ["compute_race"])["themes"] == [
        "compute_race", "jobs_labour"]
    assert correction("remove", "compute_race", ["compute_race", "jobs_labour"])["themes"] == [
        "jobs_labour"]
    row = correction("confirm", "compute_race", ["compute_race"])
    assert row["themes"] == ["compute_race"] and row["sha1"] == text_sha1(PASSAGE["text"])
    assert row["run_id"] == "run-1" and row["action"] == "confirm"


@pytest.mark.parametrize(("passage", "action", "theme", "current", "message"), [
    (None, "add", "jobs_labour", [], "unknown passage id"),
    (PASSAGE, "add", "not_a_theme", [], "unknown theme"),
    (PASSAGE, "add", ["jobs_labour"], [], "unknown theme"),
    (PASSAGE, "delete", "jobs_labour", [], "action must be one of"),
    (PASSAGE, None, "jobs_labour", [], "action must be one of"),
    (PASSAGE, "remove", "jobs_labour", ["compute_race"], "does not carry jobs_labour"),
    (PASSAGE, "confirm", "jobs_labour", [], "add it instead"),
])
def test_bad_corrections_are_refused_with_a_reason(passage, action, theme, current, message):
    with pytest.raises(review.CorrectionError, match=message):
        review.make_correction(passage, current, action, theme, THEMES, "run-1")


def test_concurrent_appends_write_whole_lines(tmp_path):
    path = tmp_path / "labels" / "corrections.jsonl"
    long_text = {**PASSAGE, "text": "x" * 20_000}  # far above the pipe / page sizes
    rows = [correction("add", THEMES[i % 3], [], long_text) for i in range(60)]
    threads = [threading.Thread(target=review.append_correction, args=(path, r)) for r in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    read = review.read_corrections(path)
    assert read.height == 60 and set(read["text"].str.len_chars()) == {20_000}


def test_the_latest_correction_of_a_passage_wins(tmp_path):
    path = tmp_path / "c.jsonl"
    review.append_correction(path, correction("add", "jobs_labour", []))
    review.append_correction(path, correction("remove", "jobs_labour", ["jobs_labour"]))
    other = {**PASSAGE, "passage_id": "d2:0", "doc_id": "d2"}
    review.append_correction(path, correction("add", "pause_letter", [], other))
    last = review.latest(review.read_corrections(path))
    assert dict(zip(last["passage_id"], last["themes"].to_list())) == {
        "d1:0": [], "d2:0": ["pause_letter"]}


def test_a_torn_last_line_is_ignored_but_a_bad_line_inside_is_named(tmp_path):
    path = tmp_path / "c.jsonl"
    review.append_correction(path, correction("add", "jobs_labour", []))
    with open(path, "ab") as handle:
        handle.write(b'{"passage_id": "d1:0", "the')  # a crash mid-write
    assert review.read_corrections(path).height == 1
    path.write_bytes(b'{"passage_id": 1}\n' + path.read_bytes())
    with pytest.raises(review.CorrectionError, match=r"c\.jsonl:1: not a correction"):
        review.read_corrections(path)
    assert review.read_corrections(tmp_path / "absent.jsonl").is_empty()


def test_builds_use_a_correction_only_while_the_passage_text_is_the_same(tmp_path):
    path = tmp_path / "c.jsonl"
    review.append_correction(path, correction("add", "jobs_labour", []))
    passages = pl.DataFrame({"passage_id": ["d1:0", "d2:0"], "doc_id": ["d1", "d2"],
                             "text": [PASSAGE["text"], "Other."]})
    assert corrected_in_corpus([path], passages)["themes"].to_list() == [["jobs_labour"]]
    changed = passages.with_columns(pl.lit("Edited since.").alias("text"))
    assert corrected_in_corpus([path], changed).is_empty()


def test_near_identical_passages_take_the_correction_and_it_wins_over_a_label():
    rng = np.random.default_rng(0)
    base = rng.normal(size=8)
    close = base + rng.normal(scale=0.05, size=8)
    far = rng.normal(size=8)
    vectors = np.stack([base, close, far, base])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    passages = pl.DataFrame({"passage_id": ["a", "b", "c", "d"]})
    corrected = pl.DataFrame({"passage_id": ["a"], "themes": [["jobs_labour"]]})
    labelled = pl.DataFrame({"passage_id": ["d", "c"], "themes": [["pause_letter"], ["copyright"]]})
    given = corrected_with_near_duplicates(labelled, corrected, passages, vectors)
    assert dict(zip(given["passage_id"], given["themes"].to_list())) == {
        "a": ["jobs_labour"], "b": ["jobs_labour"], "d": ["jobs_labour"], "c": ["copyright"]}


def label_row(key: str, themes: list[str], picked_for: str = "random") -> str:
    return json.dumps({"key": key, "source": "bundled", "origin": "o.md", "char_start": 0,
                       "char_end": 5, "sha1": "0" * 16, "themes": themes,
                       "picked_for": picked_for, "labeller": "x"})


def test_an_exported_correction_replaces_the_passage_labels_instead_of_adding(tmp_path):
    (tmp_path / "set-A.jsonl").write_text(label_row("k1", ["pause_letter", "compute_race"]) + "\n"
                                          + label_row("k2", ["copyright"]) + "\n")
    (tmp_path / "set-B.jsonl").write_text(label_row("k2", ["jobs_labour"]) + "\n")
    (tmp_path / "corrections.jsonl").write_text(
        label_row("k1", ["jobs_labour"], CORRECTION) + "\n"
        + label_row("k1", ["compute_race"], CORRECTION) + "\n")
    labels = read_label_files(sorted(tmp_path.glob("*.jsonl")))
    got = dict(zip(labels["key"], labels["themes"].to_list()))
    assert got == {"k1": ["compute_race"], "k2": ["copyright", "jobs_labour"]}


def test_label_rows_and_merge_into_a_label_file(tmp_path):
    path = tmp_path / "c.jsonl"
    review.append_correction(path, correction("add", "jobs_labour", []))
    gone = {**PASSAGE, "passage_id": "d9:0", "doc_id": "d9"}
    review.append_correction(path, correction("add", "jobs_labour", [], gone))
    passages = pl.DataFrame({"passage_id": ["d1:0"], "char_start": [10], "char_end": [25],
                             "text": [PASSAGE["text"]]})
    documents = pl.DataFrame({"doc_id": ["d1"], "origin": ["2024/a.md"]})
    rows = review.label_rows(review.read_corrections(path), passages, documents, "bundled")
    assert rows["key"].to_list() == ["bundled:2024/a.md@10-25"]  # d9 is not in the run
    target = tmp_path / "labels" / "corrections.jsonl"
    target.parent.mkdir()
    target.write_text(label_row("bundled:2024/a.md@10-25", ["copyright"], CORRECTION) + "\n"
                      + label_row("other", ["copyright"], CORRECTION) + "\n")
    assert review.merge_label_file(target, rows) == 2
    merged = read_label_files([target])
    assert dict(zip(merged["key"], merged["themes"].to_list())) == {
        "bundled:2024/a.md@10-25": ["jobs_labour"], "other": ["copyright"]}
