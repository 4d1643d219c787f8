"""How reproducible the theme labels are, and how far the classifiers are from a second labeller.

data/theme_labels/agreement/set-AG.jsonl relabels 180 already-labelled passages blind (its
README says how they were drawn and labelled). Per theme, on those passages:
- the second labeller against the original labels: F1 (original as reference) and Cohen's kappa;
- the classifiers' held-out decisions (the nested grouped cross-validation of
  `discourse themes --evaluate`, averaged over fold seeds) against the original labels, and
  against the second labeller.
Builds never train on the agreement folder (`label_files` reads only data/theme_labels/*.jsonl).

    OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.themes_agreement [--seeds 42 1 2 3 4 5 6]
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl

from pipelines.config import DATA_DIR
from pipelines.embedders import load_embedder
from pipelines.embeddings import EmbeddingConfig
from pipelines.theme_classifier import ClassifierConfig, evaluate, label_matrix
from pipelines.theme_labels import LABEL_DIR, label_files, read_label_files
from pipelines.theme_training import label_embedding_cache, load_training_set
from pipelines.themes import Theme, load_themes

AGREEMENT = LABEL_DIR / "agreement" / "set-AG.jsonl"


def f1(decided: np.ndarray, reference: np.ndarray) -> float | None:
    tp = int((decided & reference).sum())
    wrong = int((decided != reference).sum())
    return 2 * tp / (2 * tp + wrong) if tp + wrong else None


def kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    observed = float((a == b).mean())
    expected = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
    return (observed - expected) / (1 - expected) if expected < 1 else None


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def agreement_table(original: np.ndarray, second: np.ndarray, models: list[np.ndarray],
                    themes: list[Theme]) -> pl.DataFrame:
    """Per theme: positives of each labeller, F1 and kappa between them, model F1 against each."""
    return pl.DataFrame([{
        "theme": t.key, "original +": int(original[:, j].sum()), "second +": int(second[:, j].sum()),
        "F1 second vs original": f1(second[:, j], original[:, j]),
        "kappa": kappa(second[:, j], original[:, j]),
        "F1 model vs original": _mean([f1(m[:, j], original[:, j]) for m in models]),
        "F1 model vs second": _mean([f1(m[:, j], second[:, j]) for m in models]),
    } for j, t in enumerate(themes)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2, 3, 4, 5, 6])
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "static"])
    args = parser.parse_args()
    themes = load_themes(DATA_DIR / "themes.toml")
    embedder = load_embedder(EmbeddingConfig(embedder=args.embedder))
    config = ClassifierConfig()
    data = load_training_set(label_files(), themes, embedder, label_embedding_cache(embedder), config)
    second = read_label_files([AGREEMENT])
    rows = data.passages.with_row_index("row").join(second.select("key", "themes"), on="key", suffix="_second")
    print(f"{rows.height} of {second.height} relabelled passages found among {len(data.y):,} labelled ones; "
          f"model: held-out decisions, mean over fold seeds {args.seeds} ({args.embedder})")
    index = rows["row"].to_numpy()
    models = [evaluate(data.x, data.texts, data.y, data.groups, themes, ClassifierConfig(random_state=s))[index]
              for s in args.seeds]
    second_y = label_matrix(rows["themes_second"], themes)
    table = agreement_table(data.y[index], second_y, models, themes)
    with pl.Config(tbl_rows=100, float_precision=2, tbl_hide_dataframe_shape=True, tbl_width_chars=160,
                   fmt_str_lengths=40):
        print(table)
    identical = float((second_y == data.y[index]).all(axis=1).mean())
    print(f"passages given the identical set of themes by both labellers: {identical:.2f}")


if __name__ == "__main__":
    main()
