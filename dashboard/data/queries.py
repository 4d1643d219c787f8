"""`DiscourseData`: one run, loaded and indexed once, with every query the views make.

Each method is one line over a query module (trends, people, topics, rises, network,
passages, grid, export, statements);
the hot chart queries are memoised per `Filters` value (filters are hashable). Safe to
query from waitress's threads: the index is read-only and its row caches are locked.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.data import compare, export, grid, network, people, rises, statements, trends
from dashboard.data import passages as passage_queries
from dashboard.data import topics as topic_queries
from dashboard.data.filters import Filters, Vocabulary
from dashboard.data.grid import GridQuestion, GridSort
from dashboard.data.index import RunIndex, build_index
from dashboard.data.passages import DocumentView, PassageList
from dashboard.data.run import CorpusSummary, load_run, summarize
from dashboard.data.topics import TopicDetails


class DiscourseData:
    """Read-only, thread-safe access to one run. Build with `DiscourseData.load(run_dir)`."""

    def __init__(self, index: RunIndex) -> None:
        self.index = index
        self.monthly_topic_counts = lru_cache(maxsize=256)(
            partial(trends.monthly_topic_counts, index))
        self.people_topic_matrix = lru_cache(maxsize=128)(
            partial(people.people_topic_matrix, index))
        self.rise_table = lru_cache(maxsize=128)(partial(rises.rise_table, index))
        self.rise_marks = lru_cache(maxsize=128)(partial(rises.rise_marks, index))
        self.network = lru_cache(maxsize=64)(partial(network.network, index))
        self.pair_passages = lru_cache(maxsize=64)(partial(network.pair_passages, index))
        self.compare = lru_cache(maxsize=64)(partial(compare.compare_sides, index))
        self.compare_words = lru_cache(maxsize=64)(partial(compare.compare_words, index))
        self.said_and_named = lru_cache(maxsize=128)(partial(statements.said_and_named, index))
        grid.sort_order(index, grid.GridSort())  # the grid's default order, before it asks

    @classmethod
    def load(cls, run_dir: Path, themes_path: Path | None = None,
             events_path: Path | None = None) -> "DiscourseData":
        """Read every table of `run_dir` (e.g. `OUT/current`), checked against the artifact
        contract, plus the theme descriptions and the event timeline; index them once."""
        return cls(build_index(load_run(run_dir, themes_path, events_path)))

    # ------------------------------------------------------------- the run itself
    @property
    def run_dir(self) -> Path:
        return self.index.loaded.run_dir

    @property
    def manifest(self) -> dict[str, Any]:
        return self.index.loaded.manifest

    def summary(self) -> CorpusSummary:
        i = self.index
        return summarize(self.manifest, self.run_dir, documents=i.docs.height,
                         passages=i.height, months=i.month_list, people=i.people.height)

    def vocabulary(self) -> Vocabulary:
        return self.index.vocabulary()

    @property
    def months(self) -> list[date]:
        return list(self.index.month_list)

    @property
    def sources(self) -> tuple[str, ...]:
        return self.index.sources

    def people_options(self) -> pl.DataFrame:
        """person, role, affiliation, mentions, passages, documents of the people mentioned
        at least once; most mentioned first."""
        return self.index.people

    # ----------------------------------------------------------- who said what
    def statements_status(self) -> str:
        """"missing" (run built before statements), "none" (none by a registered person)
        or "ready": whether the Said-by filter can be used."""
        return statements.status(self.index)

    def speaker_options(self) -> list[tuple[str, int]]:
        """(speaker, passages with a statement by them), most passages first."""
        return statements.speaker_options(self.index)

    # ------------------------------------------------------------------- trends
    def partial_months(self) -> pl.DataFrame:
        return trends.partial_months(self.index)

    def events(self, f: Filters | None = None) -> pl.DataFrame:
        return trends.events(self.index, f or Filters())

    # ------------------------------------------------------------------- topics
    def topic_list(self) -> pl.DataFrame:
        """topic_id, label, theme, is_theme, size, keywords...: themes first, outliers last."""
        return self.index.topics

    def topic_sizes(self, f: Filters) -> pl.DataFrame:
        """topic_list() with `size` = the topic's passages under the filters (a passage
        under each theme it carries; every topic, whatever the topic filter; no outliers)."""
        counts = self.monthly_topic_counts(replace(f, topics=()), None)
        sizes = counts.group_by("topic_id").agg(pl.col("passages").sum().alias("size"))
        return self.index.topics.drop("size").join(sizes, on="topic_id", how="inner",
                                                   maintain_order="left")

    def topic_token(self, topic_id: int) -> str:
        return self.index.topic_token(topic_id)

    def topic_label(self, topic_id: int) -> str:
        return self.index.label_of(topic_id)

    def theme_quality(self) -> dict[int, dict[str, Any]]:
        """topic id -> held-out precision, recall and labelled positives of its theme."""
        i = self.index
        return {t: i.theme_quality[th] for t, th in i.topic_theme.items()
                if th in i.theme_quality}

    def topic(self, topic_id: int) -> TopicDetails | None:
        return topic_queries.topic_details(self.index, topic_id)

    def default_rise_month(self) -> date | None:
        """The month "What rose" tests when none is chosen: the latest full month."""
        return rises.default_month(self.index)

    # ---------------------------------------------------------------- passages
    def passages(self, f: Filters, month: date | None = None, topic_id: int | None = None,
                 limit: int = 200, marks: bool = True) -> PassageList:
        return passage_queries.passages(self.index, f, month, topic_id, limit, marks)

    def grid_block(self, question: GridQuestion, sort: GridSort, start: int, end: int
                   ) -> PassageList:
        """Rows start..end of the grid's whole result under `sort` (AG Grid's blocks)."""
        return grid.grid_block(self.index, question, sort, start, end)

    def grid_total(self, question: GridQuestion) -> int:
        return grid.grid_total(self.index, question)

    def result_summary(self, question: GridQuestion) -> dict[str, list[tuple[str, int]]]:
        """The most named people and the main sources among the grid's passages."""
        return grid.result_summary(self.index, question)

    def doc_id_of(self, passage_id: str) -> str | None:
        return passage_queries.doc_id_of(self.index, passage_id)

    def document(self, doc_id: str, f: Filters | None = None) -> DocumentView | None:
        return passage_queries.document(self.index, doc_id, f)

    # ------------------------------------------------------------------ exports
    def trend_export(self, f: Filters, max_discovered: int | None = None) -> pl.DataFrame:
        """The trend chart's data as a CSV-ready frame."""
        return export.trend_rows(self.monthly_topic_counts(f, max_discovered))

    def passages_export(self, f: Filters, month: date | None = None,
                        topic_id: int | None = None, limit: int = export.EXPORT_LIMIT
                        ) -> pl.DataFrame:
        """The passage list (as in the grid, up to `limit` rows) as a CSV-ready frame. No
        highlight marks are computed: the CSV has no use for them."""
        return export.passage_rows(self.passages(f, month, topic_id, limit, marks=False).rows)
