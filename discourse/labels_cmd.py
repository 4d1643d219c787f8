"""`discourse labels export`: copy the review corrections of a build's output folder
(`OUT/labels/corrections.jsonl`, written by `discourse serve --review`) into a labelled
file under data/theme_labels/, where every later build and `discourse themes --evaluate`
use them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines import corrections as review
from pipelines.artifacts import ArtifactError, current_run, read_manifest, read_table
from pipelines.theme_labels import DEFAULT_CORPORA, LABEL_DIR

labels_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         help="Labelled passages: export review corrections.")
console = Console(stderr=True)


def corpus_source(corpus: list[str]) -> str | None:
    """The name (data/theme_labels/README.md `source`) of the corpus a run was built from."""
    known = {Path(p).resolve(): name for name, p in DEFAULT_CORPORA.items()}
    names = {known.get(Path(p).resolve()) for p in corpus}
    return names.pop() if len(names) == 1 else None


@labels_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="The build's output folder (holds labels/corrections.jsonl).")],
    to: Annotated[Path, typer.Option(help="Label file to merge the corrections into.")] = LABEL_DIR / "corrections.jsonl",
    source: Annotated[str | None, typer.Option(help="Corpus name for the rows (default: bundled or whitehouse, "
                                                    "from the run's corpus folder).")] = None,
) -> None:
    """Merge OUT's review corrections into the labelled passages (a correction replaces the
    passage's other labels)."""
    path = review.corrections_path(out)
    run = current_run(out)
    if run is None or not (run / "manifest.json").is_file():
        raise SystemExit(f"{out} has no published run; run `discourse build` first")
    try:
        corrections = review.read_corrections(path)
        manifest = read_manifest(run)
        passages, documents = read_table(run, "passages"), read_table(run, "documents")
    except (review.CorrectionError, ArtifactError) as exc:
        raise SystemExit(f"Cannot export: {exc}") from None
    if corrections.is_empty():
        raise SystemExit(f"No corrections to export ({path} is missing or empty)")
    name = source or corpus_source([str(p) for p in manifest.config.get("corpus", [])])
    if name is None:
        raise SystemExit("The run's corpus is not the bundled or the White House corpus: "
                         "name it with --source NAME (and give its folder to the build's "
                         "theme_labels.corpora)")
    rows = review.label_rows(corrections, passages, documents, name)
    total = review.merge_label_file(to, rows)
    missing = review.latest(corrections).height - rows.height
    console.print(f"{rows.height:,} corrected passages exported to {to} ({total:,} rows in it)"
                  + (f"; {missing:,} not in the published run or changed since, left out"
                     if missing else ""))
