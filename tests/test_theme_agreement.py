"""The blind relabelling of data/theme_labels/agreement/: it relabels passages the training
labels already hold (same passage, same text), builds never train on it, and its agreement
measures are the usual ones."""

from __future__ import annotations

import numpy as np

from benchmarks.themes_agreement import AGREEMENT, agreement_table, f1, kappa
from pipelines.theme_labels import LABEL_DIR, label_files, read_label_files
from pipelines.themes import DEFAULT_THEMES, load_themes


def test_every_relabelled_passage_is_a_labelled_one_with_the_same_text():
    original = read_label_files(label_files()).select("key", "sha1")
    second = read_label_files([AGREEMENT]).select("key", "sha1")
    assert second.height == 180
    joined = second.join(original, on="key", how="left", suffix="_original")
    assert joined["sha1_original"].null_count() == 0
    assert (joined["sha1"] == joined["sha1_original"]).all()


def test_builds_do_not_train_on_the_agreement_or_confirmation_folders():
    files = label_files()
    assert files and all(path.parent == LABEL_DIR for path in files)
    assert AGREEMENT not in files and AGREEMENT.is_file()


def test_agreement_measures():
    a = np.array([True, True, False, False, True, False])
    b = np.array([True, False, False, False, True, True])
    assert f1(a, a) == 1.0 and kappa(a, a) == 1.0
    assert f1(b, a) == 2 * 2 / (2 * 2 + 2)  # two shared positives, one missed, one extra
    assert abs(kappa(b, a) - (4 / 6 - 0.5) / 0.5) < 1e-12  # observed 4/6, chance 1/2
    assert f1(np.zeros(3, bool), np.zeros(3, bool)) is None
    themes = load_themes(DEFAULT_THEMES)[:2]
    y = np.stack([a, ~a], axis=1)
    table = agreement_table(y, y, [y, np.stack([b, ~a], axis=1)], themes)
    assert table["F1 second vs original"].to_list() == [1.0, 1.0]
    assert table["F1 model vs original"].to_list()[0] == (1.0 + 4 / 6) / 2
