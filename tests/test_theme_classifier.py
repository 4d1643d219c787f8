"""Theme classifiers learned from labelled passages: labels resolved to passages (and
refused when their text changed), held-out decisions on the seed article, the themes of
a real build counted in trends and in the dashboard, and `discourse themes --evaluate`."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import polars as pl
import pytest

from pipeline_fixtures import REPO_ROOT, WHITEHOUSE

LABELS = REPO_ROOT / "data" / "theme_labels"
SEED = "2023-04/2023-04-18-musk-buys-10000-gpus.md"


def _label(origin: str, start: int, end: int, text: str, themes: list[str]) -> dict:
    return {"key": f"tiny:{origin}@{start}-{end}", "source": "tiny", "origin": origin,
            "char_start": start, "char_end": end,
            "sha1": hashlib.sha1(text.encode()).hexdigest()[:16], "themes": themes,
            "picked_for": "random", "labeller": "test"}


def test_labels_resolve_to_passages_and_a_changed_text_is_not_used(tmp_path):
    from pipelines.theme_labels import read_label_files, resolve_labels

    corpus = tmp_path / "tiny"
    (corpus / "a").mkdir(parents=True)
    first = ("Nvidia shipped more GPUs to data centres than ever before this quarter, and "
             "every large lab is still short of compute for its next training run.")
    second = ("The Senate held a hearing on licensing frontier models with Sam Altman, who "
              "asked lawmakers for an agency that would license the largest systems.")
    doc = f"---\ndate: 2024-01-02\ntitle: T\n---\n{first}\n\n{second}\n"
    (corpus / "a" / "one.md").write_text(doc)
    body = doc.split("---\n", 2)[2]
    rows = [_label("a/one.md", body.index(first), body.index(first) + len(first), first,
                   ["compute_race"]),
            _label("a/one.md", body.index(second), body.index(second) + len(second),
                   second.replace("Senate", "House"), ["congress_hearings"]),
            _label("a/gone.md", 0, 10, "x", [])]
    rows.append(dict(rows[0], themes=["us_federal_policy"], labeller="second"))
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    labels = read_label_files([path])
    assert labels.height == 3  # the row labelled twice is one passage ...
    both = labels.filter(pl.col("origin") == "a/one.md").sort("char_start")["themes"].to_list()[0]
    assert both == ["compute_race", "us_federal_policy"]  # ... with the union of its themes
    resolved = resolve_labels(labels, {"tiny": corpus})
    assert resolved.passages["text"].to_list() == [first]
    assert resolved.skipped == {"tiny: passage changed or not found": 2}
    assert resolve_labels(labels, {"elsewhere": corpus}).skipped == {"corpus tiny not found": 3}


@pytest.fixture(scope="module")
def training():
    from pipelines.embedders import load_embedder
    from pipelines.embeddings import EmbeddingConfig
    from pipelines.theme_classifier import ClassifierConfig
    from pipelines.theme_labels import label_files
    from pipelines.theme_training import label_embedding_cache, load_training_set
    from pipelines.themes import load_themes

    themes, embedder = load_themes(), load_embedder(EmbeddingConfig())
    config = ClassifierConfig()
    return themes, config, load_training_set(label_files(LABELS), themes, embedder,
                                             label_embedding_cache(embedder), config)


@pytest.mark.slow
def test_the_seed_article_held_out(training):
    """Trained without the seed article's labels, the classifiers find its pause-letter,
    GPU-purchase and cars/airplanes/medicine paragraphs."""
    from pipelines.theme_classifier import fit_classifier

    themes, config, data = training
    seed = data.passages["origin"].str.ends_with(SEED).to_numpy()
    assert seed.sum() >= 5
    model = fit_classifier(data.x[~seed], data.texts[~seed], data.y[~seed], data.groups[~seed], themes, config)
    decided = model.assigned(model.probabilities(data.x[seed], data.texts[seed]))
    keys = [t.key for t in themes]
    got = {key.rsplit("@", 1)[1]: {k for k, on in zip(keys, row) if on}
           for key, row in zip(data.passages.filter(pl.Series(seed))["key"], decided)}
    assert "pause_letter" in got["1162-1419"]  # the letter itself
    assert "compute_race" in got["333-508"]  # 10,000 GPUs for Twitter
    assert "regulation_analogies" in got["2350-2608"]  # cars, airplanes and medicine
    assert "regulation_analogies" in got["2610-2925"]


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="held out, the two-theme paragraph gets only "
                   "regulation_analogies, not existential_risk (docs/THEMES.md)")
def test_the_seed_articles_two_theme_paragraph_carries_both_held_out(training):
    from pipelines.theme_classifier import fit_classifier

    themes, config, data = training
    seed = data.passages["origin"].str.ends_with(SEED).to_numpy()
    model = fit_classifier(data.x[~seed], data.texts[~seed], data.y[~seed], data.groups[~seed], themes, config)
    rows = data.passages.filter(pl.Series(seed))["key"].str.ends_with("@2610-2925").to_numpy()
    decided = model.assigned(model.probabilities(data.x[seed][rows], data.texts[seed][rows]))[0]
    keys = [t.key for t in themes]
    assert {"existential_risk", "regulation_analogies"} <= {k for k, on in zip(keys, decided) if on}


@pytest.mark.slow
def test_in_a_build_the_seed_articles_paragraphs_carry_their_themes(bundled_build):
    """The build's passage_themes: the seed article's labelled paragraphs carry their labels
    (origin `label`), the two-theme paragraph both (held out, see the xfail above)."""
    run = bundled_build.run_dir
    seed = pl.read_parquet(run / "passages.parquet").filter(
        pl.col("doc_id").str.contains("musk-buys-10000-gpus")).select("passage_id", "char_start")
    rows = pl.read_parquet(run / "passage_themes.parquet").join(seed, on="passage_id")
    carried = {start: set(group["theme"]) for (start,), group in rows.group_by("char_start")}
    assert "pause_letter" in carried[1162] and "compute_race" in carried[333]
    assert "regulation_analogies" in carried[2350]
    assert carried[2610] == {"existential_risk", "regulation_analogies"}
    assert set(rows.filter(pl.col("char_start") == 2610)["origin"]) == {"label"}


@pytest.mark.slow
def test_a_build_counts_every_theme_a_passage_carries(bundled_build):
    """Trends count a passage under each of its themes; the dashboard's two paths (the
    aggregates, and counting rows for several people) agree with passage_themes."""
    from dashboard.data import DiscourseData, Filters

    run = bundled_build.run_dir
    table = pl.read_parquet(run / "passage_themes.parquet")
    passages = pl.read_parquet(run / "passages.parquet")
    topics = pl.read_parquet(run / "topics.parquet")
    assert table["theme"].n_unique() >= 12 and table.group_by("passage_id").len()["len"].max() >= 2
    assert set(table["theme"]) <= set(topics["theme"].drop_nulls())  # every carried theme charted
    topic_of = dict(topics.drop_nulls("theme").select("theme", "topic_id").iter_rows())
    carried = table.join(passages.select("passage_id", "month", "people"), on="passage_id")
    data = DiscourseData.load(run)
    people = tuple(data.people_options()["person"].head(3).to_list())
    for f, rows in [(Filters(), carried),
                    (Filters(people=people), carried.filter(
                        pl.col("people").list.eval(pl.element().is_in(list(people))).list.any()))]:
        counts = data.monthly_topic_counts(f)
        for theme in ("compute_race", "pause_letter", "us_federal_policy"):
            expected = rows.filter(pl.col("theme") == theme).group_by("month").len()
            got = counts.filter((pl.col("topic_id") == topic_of[theme]) & (pl.col("passages") > 0))
            assert dict(got.select("month", "passages").iter_rows()) == \
                dict(expected.iter_rows()), (theme, f)
    quality = pl.read_parquet(run / "theme_quality.parquet")
    assert set(quality["subset"]) >= {"all", "bundled"}
    record = bundled_build.manifest["themes"]
    assert record["labelled_passages"] + sum(record["labels_not_used"].values()) == record["label_rows"]
    # every label is used when the White House corpus is beside the repository, and every
    # bundled one without it
    from pipelines.theme_labels import label_files, read_label_files

    labels = read_label_files(label_files(LABELS))
    bundled = labels.filter(pl.col("source") == "bundled").height
    assert record["labelled_passages"] == (labels.height if WHITEHOUSE.is_dir() else bundled)
    assert labels.height >= 1700 and bundled >= 780


@pytest.mark.slow
def test_evaluate_prints_held_out_figures_per_theme(tmp_path):
    from typer.testing import CliRunner

    from discourse.cli import app

    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "set-R.jsonl").write_text((LABELS / "set-R.jsonl").read_text())  # 270 rows
    csv = tmp_path / "figures.csv"
    result = CliRunner().invoke(app, ["themes", "--evaluate", "--labels", str(labels),
                                      "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert "cross-validation grouped by" in result.output and "compute_race" in result.output
    figures = pl.read_csv(csv)
    assert set(figures["subset"]) >= {"all", "bundled"}
    assert figures.filter(pl.col("subset") == "all").height == 16
    known = figures.drop_nulls("f1")["f1"].to_numpy()
    assert np.all((known >= 0) & (known <= 1))
