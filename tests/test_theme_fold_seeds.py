"""`discourse themes --evaluate --seed N`: the seed picks the grouped fold split and nothing
else. The same seed gives the same folds and the same figures; another seed groups the
documents into other folds, still never splitting a document. A small synthetic set (no
embedding model), so this runs in a second or two."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.theme_classifier import ClassifierConfig, _folds
from pipelines.theme_training import TrainingSet, held_out_quality
from pipelines.themes import Theme

THEMES = [Theme(key=k, label=k, description=k) for k in ("alpha", "beta", "gamma")]


@pytest.fixture(scope="module")
def data() -> TrainingSet:
    """48 documents of 1-4 passages, three themes that the features half reveal."""
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 5, size=48)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    y = rng.random((len(groups), len(THEMES))) < 0.3
    x = rng.normal(size=(len(groups), 6)) + np.hstack([y, np.zeros_like(y)]) * 1.5
    passages = pl.DataFrame({"doc_id": [f"d{g}" for g in groups],
                             "source": ["whitehouse" if g % 3 == 0 else "bundled" for g in groups]})
    texts = np.array([f"passage {i} of document {g}" for i, g in enumerate(groups)], dtype=object)
    return TrainingSet(passages, x.astype(np.float32), texts, y, groups, {})


def _partition(folds: list, groups: np.ndarray) -> set[frozenset]:
    """The documents of each test fold, asserting every passage is tested exactly once
    and no document has passages in two folds."""
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(len(groups)))
    parts = [frozenset(groups[test].tolist()) for _, test in folds]
    for (train, test), docs in zip(folds, parts):
        assert docs.isdisjoint(groups[train].tolist())  # a document never straddles folds
    assert sum(len(p) for p in parts) == len(set(groups.tolist()))
    return set(parts)


def test_the_same_seed_gives_the_same_grouped_folds_another_seed_other_ones(data):
    same = [_partition(_folds(data.groups, data.y, 5, 42), data.groups) for _ in range(2)]
    assert same[0] == same[1]
    others = {seed: _partition(_folds(data.groups, data.y, 5, seed), data.groups)
              for seed in (1, 2, 3)}
    assert all(part != same[0] for part in others.values())
    assert len({frozenset(p) for p in others.values()}) == 3


def test_the_seed_reaches_the_held_out_figures(data):
    def figures(seed: int) -> pl.DataFrame:
        return held_out_quality(data, THEMES, ClassifierConfig(random_state=seed))

    first = figures(42)
    assert set(first["subset"]) == {"all", "bundled", "whitehouse"}
    assert first.equals(figures(42))  # same seed, same figures to the last digit
    assert not first.equals(figures(1))  # another split, other held-out decisions


def test_the_seed_option_sets_only_the_fold_seed(monkeypatch):
    from typer.testing import CliRunner

    import discourse.themes_cmd as themes_cmd
    from discourse.cli import app

    seen = []
    monkeypatch.setattr(themes_cmd, "evaluate_themes", lambda *args: seen.append(args[-1]))
    for extra in (["--seed", "7"], []):
        result = CliRunner().invoke(app, ["themes", "--evaluate", *extra])
        assert result.exit_code == 0, result.output
    assert [c.random_state for c in seen] == [7, 42]
    assert seen[0].model_dump(exclude={"random_state"}) == ClassifierConfig().model_dump(
        exclude={"random_state"})
