"""The data-access layer: every query the dashboard makes, answered from one published run.

`DiscourseData.load(run_dir)` reads the Parquet tables of `DIR/current/` once (see
docs/ARTIFACTS.md) and builds a few indexes. Each query then takes a `Filters` value:

* one or no person and no text search  -> answered from the aggregates (`trends`,
  `month_totals`), which are small;
* several people and/or a text search  -> answered from indexed passage look-ups:
  passages are kept sorted by (month, topic), with the row range of every month and of
  every (month, topic) known; the rows naming each person are pre-grouped; a text search
  looks each word up in the run's word index (`search_index.parquet`, see `WordIndex`)
  and intersects the hits with the candidate rows (month range, people, sources, topics),
  memoised per question. Runs without the index (built before it existed) fall back to a
  vectorised regex over the candidate rows' texts.

Several people = passages naming ANY of them, each passage counted once.
Share of the month = topic passages / all passages of that month (every topic, outliers
included) under the same person and source filters; the text search narrows the
numerator only.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from pipelines.search_index import query_words

OUTLIER_TOPIC = -1
UNKNOWN_SOURCE = "(no source)"
MAX_SEARCH_WORDS = 8
WORD_RE = re.compile(r"\w+")

TABLES = ("documents", "passages", "mentions", "topics", "trends", "month_totals", "months",
          "people")
OPTIONAL_TABLES = ("search_index",)


EXPORT_LIMIT = 50_000  # rows in the passages CSV
SEARCH_CACHE_SIZE = 16  # memoised search row sets: at most 8 MB each at 1M passages (int64)
PERSON_CACHE_SIZE = 32  # memoised people -> rows (a single person: a view, no copy)


def _remember(cache: dict, key: Any, value: Any, cap: int) -> None:
    """Put `value` in an insertion-ordered dict used as a small LRU of `cap` entries."""
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > cap:
        cache.pop(next(iter(cache)))


def _recall(cache: dict, key: Any) -> Any:
    """The cached value of `key` (marked most recently used), or None."""
    value = cache.pop(key, None)
    if value is not None:
        cache[key] = value
    return value


class RunNotFoundError(FileNotFoundError):
    """The run folder or one of its tables is missing."""


@dataclass(frozen=True)
class Filters:
    """What the user has narrowed the corpus to. Empty tuple / None = no restriction.

    `topics` empty means "every topic except the outliers" for charts and tables.
    """

    people: tuple[str, ...] = ()
    start: date | None = None  # first day of the first month shown
    end: date | None = None  # first day of the last month shown
    sources: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()
    search: str = ""

    def __post_init__(self) -> None:  # canonical form, so equal filters hash equally
        object.__setattr__(self, "people", tuple(sorted(set(self.people))))
        object.__setattr__(self, "sources", tuple(sorted(set(self.sources))))
        object.__setattr__(self, "topics", tuple(sorted(set(int(t) for t in self.topics))))
        object.__setattr__(self, "search", " ".join(self.search.split()))

    @property
    def search_words(self) -> tuple[str, ...]:
        return tuple(WORD_RE.findall(self.search.lower()))[:MAX_SEARCH_WORDS]

    @property
    def uses_aggregates(self) -> bool:
        """True when `trends` / `month_totals` can answer exactly."""
        return len(self.people) <= 1 and not self.search_words


@dataclass(frozen=True)
class CorpusSummary:
    documents: int
    passages: int
    months: int
    people: int
    first_month: date | None
    last_month: date | None
    run_id: str
    corpus: str
    built_at: str | None
    illustrative: bool


@dataclass(frozen=True)
class TopicDetails:
    topic_id: int
    label: str
    theme: str | None
    description: str | None
    keywords: list[str]
    keyword_weights: list[float]
    size: int
    representative: list[dict[str, Any]]  # passage_id, doc_id, date, title, text


PASSAGE_COLUMNS = ["passage_id", "doc_id", "date", "month", "title", "url", "source",
                   "topic_id", "topic", "theme", "people", "text"]


@dataclass(frozen=True)
class PassageList:
    rows: pl.DataFrame  # PASSAGE_COLUMNS, newest first
    total: int  # matching passages before the limit
    marks: list[list[list[Any]]]  # per row: [start, end, kind, person] (see _marks)

    @property
    def truncated(self) -> bool:
        return self.total > self.rows.height


@dataclass(frozen=True)
class DocumentView:
    doc_id: str
    title: str
    date: date
    source: str | None
    author: str | None
    url: str | None
    # in reading order: {"kind": "passage"|"gap", "text", "passage_id", "topic_id",
    # "topic", "theme", "marks": [[start, end, kind, person], ...]}
    segments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Vocabulary:
    """The values a URL or a filter control may take."""

    people: frozenset[str]
    sources: tuple[str, ...]
    months: tuple[date, ...]
    topic_tokens: dict[str, tuple[int, ...]]  # theme key or str(topic_id) -> topic ids
    topic_canonical: dict[str, str]  # any accepted token -> the one controls use


def _month_of(d: date) -> date:
    return d.replace(day=1)


def _find_corpus(manifest: dict[str, Any]) -> str:
    """The corpus path, wherever the manifest keeps it."""
    config = manifest.get("config") if isinstance(manifest.get("config"), dict) else {}
    for holder in (config, manifest):
        for key in ("corpus", "corpus_path", "corpus_dir", "input"):
            value = holder.get(key)
            if isinstance(value, dict):
                value = value.get("path") or value.get("dir")
            if isinstance(value, (list, tuple)) and value and all(
                    isinstance(v, (str, Path)) for v in value):
                return ", ".join(str(v) for v in value)
            if isinstance(value, (str, Path)) and str(value):
                return str(value)
    return "unknown corpus"


def _is_illustrative(manifest: dict[str, Any], corpus: str) -> bool:
    config = manifest.get("config") if isinstance(manifest.get("config"), dict) else {}
    if "illustrative" in manifest:
        return manifest["illustrative"] is True
    if config.get("illustrative") is True:
        return True
    return any(part.strip().rstrip("/\\").replace("\\", "/").endswith("data/corpus")
               for part in corpus.split(","))


def load_theme_descriptions(path: Path | None) -> dict[str, dict[str, str]]:
    """theme key -> {label, description} from data/themes.toml (empty when absent/broken)."""
    if path is None or not Path(path).is_file():
        return {}
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    out: dict[str, dict[str, str]] = {}
    for item in doc.get("theme", []) if isinstance(doc.get("theme"), list) else []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            out[item["key"]] = {
                "label": str(item.get("label") or item["key"]),
                "description": str(item.get("description") or ""),
            }
    return out


def load_events(path: Path | None) -> pl.DataFrame:
    """date, label, description, theme from data/events.csv; bad rows are dropped."""
    schema = {"date": pl.Date, "label": pl.String, "description": pl.String,
              "theme": pl.String}
    empty = pl.DataFrame(schema=schema)
    if path is None or not Path(path).is_file():
        return empty
    try:
        raw = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True)
    except (OSError, pl.exceptions.PolarsError):
        return empty
    for col in schema:
        if col not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    return (raw.select(
        pl.col("date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        pl.col("label").str.strip_chars(), pl.col("description").str.strip_chars(),
        pl.col("theme").str.strip_chars().replace("", None))
        .drop_nulls(["date", "label"]).sort("date"))


def _newest(keys: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The `limit` rows of `keys` with the latest `date` (ties: lowest `_row` first), in
    that order: the same rows and order as a full sort by (date desc, _row) + head, but
    only the kept rows are sorted (top_k is a partial selection)."""
    if limit <= 0:
        return keys.clear()
    if keys.height <= limit or keys["date"].null_count():  # small, or nulls (sorted first)
        return keys.sort(["date", "_row"], descending=[True, False]).head(limit)
    return (keys.top_k(limit, by=["date", "_row"], reverse=[False, True])
            .sort(["date", "_row"], descending=[True, False]))


class WordIndex:
    """The run's word postings (pipelines/search_index.py) mapped to dashboard rows.

    Words are sorted, so the words starting with a prefix form one block, and their
    postings one contiguous slice of `rows`: a prefix look-up is two bisections and a
    scatter into a boolean mask, whatever the corpus size."""

    def __init__(self, postings: pl.DataFrame, row_of_position: np.ndarray) -> None:
        self.words: list[str] = postings["word"].to_list()
        lengths = postings["positions"].list.len().to_numpy()
        self.offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        positions = postings["positions"].explode().to_numpy()
        self.rows = row_of_position[positions]  # int32: 4 bytes a posting
        self.size = len(row_of_position)

    def prefix_mask(self, prefix: str) -> np.ndarray:
        """Boolean mask over all rows: the passage has a word starting with `prefix`."""
        first = bisect.bisect_left(self.words, prefix)
        last = bisect.bisect_left(self.words, prefix + "\U0010ffff", lo=first)
        mask = np.zeros(self.size, dtype=bool)
        mask[self.rows[self.offsets[first]:self.offsets[last]]] = True
        return mask


class DiscourseData:
    """Read-only, thread-safe access to one run. Build with `DiscourseData.load(run_dir)`."""

    def __init__(self, tables: dict[str, pl.DataFrame], manifest: dict[str, Any],
                 run_dir: Path, themes: dict[str, dict[str, str]] | None = None,
                 events: pl.DataFrame | None = None) -> None:
        self.run_dir = run_dir
        self._events = events if events is not None else load_events(None)
        self.manifest = manifest
        self._themes = themes or {}
        self._lock = threading.Lock()
        # small memos of row sets (insertion-ordered dicts used as LRUs, see _remember)
        self._person_rows_cache: dict[tuple[str, ...], np.ndarray] = {}
        self._search_cache: dict[tuple[Any, ...], np.ndarray] = {}
        self._search_cache_hits = 0

        fill_source = pl.col("source").fill_null(UNKNOWN_SOURCE)
        docs = tables["documents"].with_columns(fill_source).sort("doc_id")
        self._docs = docs
        self._doc_keys = docs["doc_id"].set_sorted()

        # passages sorted by (month, topic); `_row` is the position in that order
        p = (tables["passages"].with_columns(fill_source, pl.col("topic_id").cast(pl.Int32))
             .with_row_index("_position")
             .sort(["month", "topic_id", "date", "passage_id"])
             .with_row_index("_row"))
        self._word_index = None
        if "search_index" in tables:
            row_of_position = np.empty(p.height, dtype=np.int32)
            row_of_position[p["_position"].to_numpy()] = p["_row"].to_numpy()
            self._word_index = WordIndex(tables["search_index"], row_of_position)
        p = p.drop("_position")
        self._p = p
        self._keys = p.select("_row", "month", "topic_id", "source", "date", "doc_id")
        self._month_slices: dict[date, tuple[int, int]] = {}
        self._group_slices: dict[tuple[date, int], tuple[int, int]] = {}
        for m, t, lo, hi in p.group_by(["month", "topic_id"]).agg(
                pl.col("_row").min().alias("lo"), (pl.col("_row").max() + 1).alias("hi")
        ).iter_rows():
            self._group_slices[(m, t)] = (lo, hi)
            old = self._month_slices.get(m)
            self._month_slices[m] = (lo, hi) if old is None else (min(old[0], lo),
                                                                   max(old[1], hi))
        # rows naming each person, pre-grouped
        by_person = (p.select("_row", pl.col("people").alias("person")).explode("person")
                     .drop_nulls("person").unique().sort(["person", "_row"]))
        self._person_row_arr = by_person["_row"].to_numpy().astype(np.int64)
        counts = by_person.group_by("person", maintain_order=True).len()
        ends = np.cumsum(counts["len"].to_numpy())
        self._person_slices = {
            person: (int(e - n), int(e))
            for person, n, e in zip(counts["person"].to_list(), counts["len"].to_list(), ends)
        }
        # passage_id -> row, doc_id -> rows
        order = p.select("passage_id", "_row").sort("passage_id")
        self._pid_keys = order["passage_id"].set_sorted()
        self._pid_rows = order["_row"].to_numpy()
        dorder = p.select("doc_id", "ordinal", "_row").sort(["doc_id", "ordinal"])
        self._pdoc_keys = dorder["doc_id"].set_sorted()
        self._pdoc_rows = dorder["_row"].to_numpy()
        m = tables["mentions"].sort(["passage_id", "char_start"])
        self._mentions = m
        self._mention_keys = m["passage_id"].set_sorted()

        # topics: themes first (themes.toml order, then alphabetical), then by size
        topics = tables["topics"].with_columns(pl.col("topic_id").cast(pl.Int32))
        known = set(topics["topic_id"].to_list())
        missing = sorted(set(p["topic_id"].unique().to_list()) - known)
        if missing:
            topics = pl.concat([topics, pl.DataFrame({
                "topic_id": missing,
                "label": ["Outliers" if t == OUTLIER_TOPIC else f"Topic {t}" for t in missing],
            }, schema_overrides={"topic_id": pl.Int32})], how="diagonal_relaxed")
        theme_rank = {k: i for i, k in enumerate(self._themes)}
        topics = topics.with_columns(
            pl.col("label").fill_null(pl.format("Topic {}", pl.col("topic_id"))),
            pl.col("size").fill_null(0).cast(pl.Int64),
            pl.col("theme").is_not_null().alias("is_theme"),
            pl.col("theme").replace_strict(theme_rank, default=len(theme_rank),
                                           return_dtype=pl.Int64).alias("_theme_rank"),
        ).sort(["is_theme", "_theme_rank", "theme", "size", "topic_id"],
               descending=[True, False, False, True, False], nulls_last=True)
        outliers = topics.filter(pl.col("topic_id") == OUTLIER_TOPIC)
        self._topics = pl.concat([topics.filter(pl.col("topic_id") != OUTLIER_TOPIC),
                                  outliers]).drop("_theme_rank")
        self._topic_label = dict(zip(self._topics["topic_id"].to_list(),
                                     self._topics["label"].to_list()))
        self._topic_theme = dict(zip(self._topics["topic_id"].to_list(),
                                     self._topics["theme"].to_list()))

        self._trends = tables["trends"].with_columns(
            fill_source, pl.col("topic_id").cast(pl.Int32), pl.col("passages").cast(pl.Int64))
        self._month_totals = tables["month_totals"].with_columns(
            fill_source, pl.col("passages").cast(pl.Int64))
        self._months = tables["months"].sort("month")
        self._month_list: list[date] = self._months["month"].to_list()
        self._partial = dict(zip(self._month_list, self._months["partial"].to_list()))
        self._people = (tables["people"].filter(pl.col("mentions") > 0)
                        .sort(["mentions", "person"], descending=[True, False]))
        self._sources = tuple(sorted(set(docs["source"].to_list())))

        # memoised queries (filters are hashable)
        self.monthly_topic_counts = lru_cache(maxsize=256)(self._monthly_topic_counts)
        self.people_topic_matrix = lru_cache(maxsize=128)(self._people_topic_matrix)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, run_dir: Path, themes_path: Path | None = None,
             events_path: Path | None = None) -> "DiscourseData":
        """Read every table of `run_dir` (e.g. `OUT/current`) with Polars, plus the theme
        descriptions (data/themes.toml) and the event timeline (data/events.csv)."""
        run_dir = Path(run_dir)
        missing = [t for t in TABLES if not (run_dir / f"{t}.parquet").is_file()]
        if not run_dir.is_dir() or missing:
            raise RunNotFoundError(
                f"{run_dir} is not a complete run (missing: {', '.join(missing) or 'folder'})")
        tables = {t: pl.read_parquet(run_dir / f"{t}.parquet") for t in TABLES}
        tables.update({t: pl.read_parquet(run_dir / f"{t}.parquet") for t in OPTIONAL_TABLES
                       if (run_dir / f"{t}.parquet").is_file()})
        manifest: dict[str, Any] = {}
        if (run_dir / "manifest.json").is_file():
            try:
                loaded = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
                manifest = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                manifest = {}
        return cls(tables, manifest, run_dir.resolve(), load_theme_descriptions(themes_path),
                   load_events(events_path))

    # ---------------------------------------------------------------- vocabulary
    def summary(self) -> CorpusSummary:
        corpus = _find_corpus(self.manifest)
        return CorpusSummary(
            documents=self._docs.height,
            passages=self._p.height,
            months=len(self._month_list),
            people=self._people.height,
            first_month=self._month_list[0] if self._month_list else None,
            last_month=self._month_list[-1] if self._month_list else None,
            run_id=str(self.manifest.get("run_id") or self.run_dir.name),
            corpus=corpus,
            built_at=self.manifest.get("finished_at") or self.manifest.get("started_at"),
            illustrative=_is_illustrative(self.manifest, corpus),
        )

    def vocabulary(self) -> Vocabulary:
        tokens: dict[str, tuple[int, ...]] = {}
        canonical: dict[str, str] = {}
        for tid, theme in self._topic_theme.items():
            tokens[str(tid)] = (tid,)
            canonical[str(tid)] = theme or str(tid)
            if theme:
                tokens[theme] = tokens.get(theme, ()) + (tid,)
                canonical[theme] = theme
        return Vocabulary(frozenset(self._people["person"].to_list()), self._sources,
                          tuple(self._month_list), tokens, canonical)

    @property
    def months(self) -> list[date]:
        return list(self._month_list)

    @property
    def sources(self) -> tuple[str, ...]:
        return self._sources

    def partial_months(self) -> pl.DataFrame:
        """month, first_date, last_date of the months the corpus covers only partly."""
        return self._months.filter(pl.col("partial")).select("month", "first_date", "last_date")

    def events(self, f: Filters | None = None) -> pl.DataFrame:
        """date, label, description, theme of the events inside the month range."""
        f = f or Filters()
        months = self._months_in_range(f)
        if not months:
            return self._events.clear()
        last = months[-1]
        after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        return self._events.filter((pl.col("date") >= months[0]) & (pl.col("date") < after))

    def people_options(self) -> pl.DataFrame:
        """person, role, affiliation, mentions, passages, documents of the people mentioned
        at least once; most mentioned first."""
        return self._people

    def topic_list(self) -> pl.DataFrame:
        """topic_id, label, theme, is_theme, size, keywords...: themes first, outliers last."""
        return self._topics

    def topic_token(self, topic_id: int) -> str:
        """The URL / filter-control value of a topic: its theme key, else its id."""
        return self._topic_theme.get(topic_id) or str(topic_id)

    def topic_label(self, topic_id: int) -> str:
        return self._topic_label.get(topic_id, f"Topic {topic_id}")

    def topic(self, topic_id: int) -> TopicDetails | None:
        """Label, keywords, size, theme description and representative passages of a topic."""
        row = self._topics.filter(pl.col("topic_id") == topic_id)
        if row.is_empty():
            return None
        r = row.row(0, named=True)
        reps = [str(x) for x in (r.get("representative_passage_ids") or [])]
        rep_rows = self._rows_by_passage_id(reps)
        rep = (self._with_titles(self._p[rep_rows]).select(
            "passage_id", "doc_id", "date", "title", "text").to_dicts() if len(rep_rows) else [])
        theme = r.get("theme")
        return TopicDetails(
            topic_id=int(r["topic_id"]), label=str(r["label"]), theme=theme,
            description=self._themes.get(theme, {}).get("description") if theme else None,
            keywords=list(r.get("keywords") or []),
            keyword_weights=[float(w) for w in (r.get("keyword_weights") or [])],
            size=int(r.get("size") or 0), representative=rep,
        )

    # ------------------------------------------------------------ index helpers
    def _month_bounds(self, f: Filters) -> tuple[date | None, date | None]:
        start = _month_of(f.start) if f.start else None
        end = _month_of(f.end) if f.end else None
        return start, end

    def _months_in_range(self, f: Filters) -> list[date]:
        start, end = self._month_bounds(f)
        return [m for m in self._month_list
                if (start is None or m >= start) and (end is None or m <= end)]

    def _range_slice(self, f: Filters) -> tuple[int, int]:
        """Row range of the passages inside the month range (rows are month-sorted)."""
        slices = [self._month_slices[m] for m in self._months_in_range(f)
                  if m in self._month_slices]
        if not slices:
            return (0, 0)
        return (min(s[0] for s in slices), max(s[1] for s in slices))

    def _person_rows(self, people: tuple[str, ...]) -> np.ndarray:
        """Sorted rows naming ANY of `people` (a passage naming two of them appears once).

        Memoised per people tuple (`Filters` keeps it sorted); several people are merged
        with a boolean mask over all rows, which is much cheaper than np.unique."""
        people = tuple(people)
        with self._lock:
            hit = _recall(self._person_rows_cache, people)
        if hit is not None:
            return hit
        parts = [self._person_row_arr[slice(*self._person_slices[p])]
                 for p in people if p in self._person_slices]
        if not parts:
            rows = np.empty(0, dtype=np.int64)
        elif len(parts) == 1:
            rows = parts[0]
        else:
            mask = np.zeros(self._p.height, dtype=bool)
            for part in parts:
                mask[part] = True
            rows = np.flatnonzero(mask).astype(np.int64)
        rows.flags.writeable = False
        with self._lock:
            _remember(self._person_rows_cache, people, rows, PERSON_CACHE_SIZE)
        return rows

    def search_rows(self, words: tuple[str, ...], candidates: np.ndarray | None = None,
                    lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Sorted rows (within [lo, hi), and among `candidates` when given) whose text has,
        for every word, a word starting with it (case-insensitive).

        Each word is looked up in the word index; a word the index tokenises differently
        (or a run without an index) is matched with a vectorised regex over the rows left."""
        hi = max(self._p.height if hi is None else hi, lo)
        rows = None  # None: every row of [lo, hi), not materialised until narrowed
        if candidates is not None:
            rows = np.asarray(candidates, dtype=np.int64)
            rows = rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]
        for w in words:
            tokens = query_words(w) if self._word_index is not None else []
            for token in tokens:  # each token starts a word of every match: narrows, never drops
                mask = self._word_index.prefix_mask(token)
                rows = np.flatnonzero(mask[lo:hi]) + lo if rows is None else rows[mask[rows]]
            if tokens != [w]:
                texts = (self._p["text"].slice(lo, hi - lo) if rows is None
                         else self._p["text"].gather(rows))
                hit = texts.str.contains(r"(?i)\b" + re.escape(w)).fill_null(False).to_numpy()
                rows = np.flatnonzero(hit) + lo if rows is None else rows[hit]
            if rows is not None and rows.size == 0:
                break
        if rows is None:  # no words
            rows = np.arange(lo, hi, dtype=np.int64)
        return rows.astype(np.int64, copy=False)

    def _search_hits(self, f: Filters, lo: int, hi: int) -> np.ndarray:
        """Rows within [lo, hi) that pass the people, source, topic and search filters
        (the search matched on the narrowed candidates only), memoised per question:
        the grid, the charts and the heatmap ask the same one for each interaction."""
        key = (f.search_words, lo, hi, f.people, f.sources, f.topics)
        with self._lock:
            hit = _recall(self._search_cache, key)
        if hit is not None:
            self._search_cache_hits += 1
            return hit
        candidates = self._person_rows(f.people) if f.people else None
        if f.sources or f.topics:
            keys = (self._keys.slice(lo, hi - lo) if candidates is None else
                    self._keys[candidates[np.searchsorted(candidates, lo):
                                          np.searchsorted(candidates, hi)]])
            expr = self._source_filter(f)
            if f.topics:
                expr &= pl.col("topic_id").is_in(list(f.topics))
            candidates = keys.filter(expr)["_row"].to_numpy().astype(np.int64)
        rows = self.search_rows(f.search_words, candidates, lo, hi)
        rows.flags.writeable = False
        with self._lock:
            _remember(self._search_cache, key, rows, SEARCH_CACHE_SIZE)
        return rows

    def _candidate_rows(self, f: Filters, lo: int, hi: int) -> np.ndarray | None:
        """Rows within [lo, hi) allowed by the people and search filters; None = all.

        With a search, the rows are also narrowed by the source and topic filters (every
        caller applies those anyway)."""
        if f.search_words:
            return self._search_hits(f, lo, hi)
        if not f.people:
            return None
        rows = self._person_rows(f.people)
        return rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]

    def _keys_for(self, f: Filters, lo: int, hi: int) -> pl.DataFrame:
        """Key columns (no text) of the rows in [lo, hi) that pass people + search filters."""
        rows = self._candidate_rows(f, lo, hi)
        return self._keys.slice(lo, hi - lo) if rows is None else self._keys[rows]

    def _chart_topics(self, f: Filters, max_discovered: int | None = None) -> list[int]:
        if f.topics:
            return [t for t in self._topic_label if t in set(f.topics)]
        out, discovered = [], 0
        for tid, theme in self._topic_theme.items():  # ordered: themes, then by size
            if tid == OUTLIER_TOPIC:
                continue
            if theme is None:
                if max_discovered is not None and discovered >= max_discovered:
                    continue
                discovered += 1
            out.append(tid)
        return out

    def _source_filter(self, f: Filters) -> pl.Expr:
        return pl.col("source").is_in(list(f.sources)) if f.sources else pl.lit(True)

    def _month_filter(self, f: Filters) -> pl.Expr:
        start, end = self._month_bounds(f)
        expr = pl.lit(True)
        if start:
            expr &= pl.col("month") >= start
        if end:
            expr &= pl.col("month") <= end
        return expr

    def _person_filter(self, f: Filters) -> pl.Expr:
        return (pl.col("person") == f.people[0]) if f.people else pl.col("person").is_null()

    # -------------------------------------------------------------------- trends
    def _month_denominators(self, f: Filters) -> pl.DataFrame:
        """month, month_passages: all passages of the month under person + source filters."""
        if len(f.people) <= 1:
            return (self._month_totals.filter(self._person_filter(f), self._source_filter(f),
                                              self._month_filter(f))
                    .group_by("month").agg(pl.col("passages").sum().alias("month_passages")))
        lo, hi = self._range_slice(f)
        rows = self._person_rows(f.people)
        rows = rows[np.searchsorted(rows, lo):np.searchsorted(rows, hi)]
        return (self._keys[rows].filter(self._source_filter(f))
                .group_by("month").agg(pl.len().cast(pl.Int64).alias("month_passages")))

    def _monthly_topic_counts(self, f: Filters, max_discovered: int | None = None
                              ) -> pl.DataFrame:
        """One row per (month in range, charted topic), zeros included:
        month, topic_id, label, theme, is_theme, passages, month_passages, share, partial.

        `share` is null when the month has no passages at all under the filters.
        Without a topic filter the charted topics are the named themes plus the
        `max_discovered` largest discovered topics (all of them when None); never outliers.
        """
        topics = self._chart_topics(f, max_discovered)
        months = self._months_in_range(f)
        if f.uses_aggregates:
            counts = (self._trends.filter(self._person_filter(f), self._source_filter(f),
                                          self._month_filter(f),
                                          pl.col("topic_id").is_in(topics))
                      .group_by("month", "topic_id").agg(pl.col("passages").sum()))
        else:
            lo, hi = self._range_slice(f)
            counts = (self._keys_for(f, lo, hi)
                      .filter(self._source_filter(f), pl.col("topic_id").is_in(topics))
                      .group_by("month", "topic_id")
                      .agg(pl.len().cast(pl.Int64).alias("passages")))
        grid = pl.DataFrame({"month": months}, schema={"month": pl.Date}).join(
            pl.DataFrame({"topic_id": topics}, schema={"topic_id": pl.Int32}), how="cross")
        meta = self._topics.select("topic_id", "label", "theme", "is_theme")
        out = (grid.join(counts, on=["month", "topic_id"], how="left")
               .join(self._month_denominators(f), on="month", how="left")
               .join(meta, on="topic_id", how="left")
               .join(self._months.select("month", "partial"), on="month", how="left")
               .with_columns(pl.col("passages").fill_null(0),
                             pl.col("month_passages").fill_null(0),
                             pl.col("partial").fill_null(False)))
        out = out.with_columns(
            pl.when(pl.col("month_passages") > 0)
            .then(pl.col("passages") / pl.col("month_passages"))
            .otherwise(None).alias("share"))
        order = {t: i for i, t in enumerate(topics)}
        return (out.with_columns(pl.col("topic_id").replace_strict(order, return_dtype=pl.Int64)
                                 .alias("_o"))
                .sort(["_o", "month"]).drop("_o")
                .select("month", "topic_id", "label", "theme", "is_theme", "passages",
                        "month_passages", "share", "partial"))

    # --------------------------------------------------------------- people x topics
    def _people_topic_matrix(self, f: Filters, max_people: int = 25,
                             max_discovered: int | None = None) -> pl.DataFrame:
        """Long frame person, topic_id, label, theme, passages (non-zero cells only) for the
        `max_people` people with the most passages under the filters (chosen people only
        when the people filter is set). Topics as in `monthly_topic_counts`."""
        topics = self._chart_topics(f, max_discovered)
        if not f.search_words:
            cells = (self._trends.filter(pl.col("person").is_not_null(), self._source_filter(f),
                                         self._month_filter(f),
                                         pl.col("topic_id").is_in(topics))
                     .group_by("person", "topic_id").agg(pl.col("passages").sum()))
        else:
            lo, hi = self._range_slice(f)
            rows = self._candidate_rows(f, lo, hi)
            rows = np.arange(lo, hi) if rows is None else rows
            cells = (self._p[rows].select("source", "topic_id", pl.col("people").alias("person"))
                     .filter(self._source_filter(f), pl.col("topic_id").is_in(topics))
                     .explode("person").drop_nulls("person")
                     .group_by("person", "topic_id")
                     .agg(pl.len().cast(pl.Int64).alias("passages")))
        if f.people:
            cells = cells.filter(pl.col("person").is_in(list(f.people)))
        top = (cells.group_by("person").agg(pl.col("passages").sum().alias("_t"))
               .sort(["_t", "person"], descending=[True, False]).head(max_people))
        return (cells.join(top, on="person").filter(pl.col("passages") > 0)
                .join(self._topics.select("topic_id", "label", "theme"), on="topic_id")
                .sort(["_t", "person", "topic_id"], descending=[True, False, False])
                .select("person", "topic_id", "label", "theme", "passages"))

    # ------------------------------------------------------------------ passages
    def _rows_by_passage_id(self, passage_ids: list[str]) -> np.ndarray:
        if not passage_ids:
            return np.empty(0, dtype=np.int64)
        ids = pl.Series(passage_ids, dtype=pl.String)
        pos = self._pid_keys.search_sorted(ids, side="left").to_numpy()
        pos = np.minimum(pos, max(len(self._pid_keys) - 1, 0))
        if len(self._pid_keys) == 0:
            return np.empty(0, dtype=np.int64)
        found = self._pid_keys.gather(pos).to_numpy() == ids.to_numpy()
        return self._pid_rows[pos[found]].astype(np.int64)

    def _with_titles(self, rows: pl.DataFrame) -> pl.DataFrame:
        """`rows` with their document's title and url (documents are sorted by doc_id, so
        a binary search per row replaces a join against every document)."""
        pos = self._doc_keys.search_sorted(rows["doc_id"], side="left").to_numpy()
        pos = np.minimum(pos, max(self._docs.height - 1, 0))
        docs = self._docs.select("doc_id", "title", "url")[pos]
        found = docs["doc_id"] == rows["doc_id"]
        return rows.with_columns(docs.select(pl.when(found).then(pl.col("title", "url"))))

    def _marks(self, rows: pl.DataFrame, f: Filters) -> list[list[list[Any]]]:
        """Per row: non-overlapping [start, end, kind, person] marks relative to its text.

        kind "match" = a chosen person, "person" = another mentioned person,
        "search" = a word matching the text search.
        """
        if rows.is_empty():
            return []
        pids = rows["passage_id"]
        lo = self._mention_keys.search_sorted(pids, side="left").to_list()
        hi = self._mention_keys.search_sorted(pids, side="right").to_list()
        chosen = set(f.people)
        pattern = (re.compile("|".join(r"(?<!\w)" + re.escape(w) + r"\w*"
                                       for w in f.search_words), re.IGNORECASE)
                   if f.search_words else None)
        # every mention of the shown rows in one gather (rows' mentions are contiguous)
        spans = [np.arange(a, b) for a, b in zip(lo, hi)]
        picked = self._mentions[np.concatenate(spans) if spans else np.empty(0, np.int64)]
        people_of = picked["person"].to_list()
        starts_of, ends_of = picked["char_start"].to_list(), picked["char_end"].to_list()
        out, k = [], 0
        for text, start, a, b in zip(rows["text"].to_list(), rows["char_start"].to_list(),
                                     lo, hi):
            marks: list[list[Any]] = []
            for person, s, e in zip(people_of[k:k + b - a], starts_of[k:k + b - a],
                                    ends_of[k:k + b - a]):
                marks.append([int(s) - int(start), int(e) - int(start),
                              "match" if person in chosen else "person", person])
            k += b - a
            if pattern is not None:
                marks.extend([m.start(), m.end(), "search", None]
                             for m in pattern.finditer(text))
            clean, last_end = [], 0
            for m in sorted(marks, key=lambda m: (m[0], -m[1])):
                if m[0] >= last_end and 0 <= m[0] < m[1] <= len(text):
                    clean.append(m)
                    last_end = m[1]
            out.append(clean)
        return out

    def passages(self, f: Filters, month: date | None = None, topic_id: int | None = None,
                 limit: int = 200, marks: bool = True) -> PassageList:
        """Passages under the filters, newest first (or those of one month and/or topic,
        e.g. a clicked trend point), with highlight marks per row (see `_marks`) unless
        `marks` is False (then `PassageList.marks` is empty)."""
        if month is not None:
            month = _month_of(month)
            start, end = self._month_bounds(f)
            if (start and month < start) or (end and month > end):
                return PassageList(self._empty_passages(), 0, [])
            if topic_id is not None:
                lo, hi = self._group_slices.get((month, int(topic_id)), (0, 0))
            else:
                lo, hi = self._month_slices.get(month, (0, 0))
        else:
            lo, hi = self._range_slice(f)
        topic_expr = (pl.col("topic_id") == int(topic_id)) if topic_id is not None else (
            pl.col("topic_id").is_in(list(f.topics)) if f.topics else pl.lit(True))
        if topic_id is not None and f.topics and int(topic_id) not in f.topics:
            topic_expr = pl.lit(False)
        keys = self._keys_for(f, lo, hi).filter(self._source_filter(f), topic_expr)
        total = keys.height
        picked = _newest(keys, limit)
        rows = self._with_titles(self._p[picked["_row"].to_numpy()])
        rows = rows.with_columns(
            pl.col("topic_id").replace_strict(self._topic_label, default=None,
                                              return_dtype=pl.String).alias("topic"),
        )
        return PassageList(rows.select(PASSAGE_COLUMNS), total,
                           self._marks(rows, f) if marks else [])

    def _empty_passages(self) -> pl.DataFrame:
        return self._with_titles(self._p.clear()).with_columns(
            pl.lit(None, dtype=pl.String).alias("topic")).select(PASSAGE_COLUMNS)

    def doc_id_of(self, passage_id: str) -> str | None:
        rows = self._rows_by_passage_id([passage_id])
        return str(self._p["doc_id"][int(rows[0])]) if len(rows) else None

    def document(self, doc_id: str, f: Filters | None = None) -> DocumentView | None:
        """The whole document: its passages (with topic and mention / search marks) and
        any text between them, in reading order."""
        f = f or Filters()
        lo = self._doc_keys.search_sorted(doc_id, side="left")
        if lo >= self._docs.height or self._doc_keys[lo] != doc_id:
            return None
        doc = self._docs.row(lo, named=True)
        a = self._pdoc_keys.search_sorted(doc_id, side="left")
        b = self._pdoc_keys.search_sorted(doc_id, side="right")
        rows = self._p[self._pdoc_rows[a:b]].sort("char_start")
        marks = self._marks(rows, f)
        text: str = doc["text"] or ""
        segments: list[dict[str, Any]] = []
        pos = 0
        for r, mk in zip(rows.iter_rows(named=True), marks):
            if r["char_start"] > pos and text[pos:r["char_start"]].strip():
                segments.append({"kind": "gap", "text": text[pos:r["char_start"]].strip(),
                                 "marks": []})
            segments.append({"kind": "passage", "text": r["text"],
                             "passage_id": r["passage_id"], "topic_id": r["topic_id"],
                             "topic": self.topic_label(r["topic_id"]), "theme": r["theme"],
                             "people": list(r["people"] or []), "marks": mk})
            pos = max(pos, int(r["char_end"]))
        if text[pos:].strip():
            segments.append({"kind": "gap", "text": text[pos:].strip(), "marks": []})
        return DocumentView(doc_id=doc_id, title=doc["title"], date=doc["date"],
                            source=doc["source"], author=doc.get("author"),
                            url=doc.get("url"), segments=segments)

    # -------------------------------------------------------------------- export
    def trend_export(self, f: Filters, max_discovered: int | None = None) -> pl.DataFrame:
        """The trend chart's data as a CSV-ready frame."""
        return self.monthly_topic_counts(f, max_discovered).select(
            pl.col("month").dt.strftime("%Y-%m"), "topic_id", pl.col("label").alias("topic"),
            "theme", "passages", "month_passages", pl.col("share").round(6), "partial")

    def passages_export(self, f: Filters, month: date | None = None,
                        topic_id: int | None = None, limit: int = EXPORT_LIMIT
                        ) -> pl.DataFrame:
        """The passage list (as in the grid, up to `limit` rows) as a CSV-ready frame.
        No highlight marks are computed: the CSV has no use for them."""
        rows = self.passages(f, month, topic_id, limit=limit, marks=False).rows
        return rows.select(
            "passage_id", "doc_id", "date", "title", "source", "topic_id", "topic", "theme",
            pl.col("people").list.join("; "), "text", "url")


def csv_text(frame: pl.DataFrame) -> str:
    """CSV of a frame, with text cells that a spreadsheet would run as a formula
    (starting with = + - @ tab CR) prefixed by an apostrophe."""
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text_cols).write_csv()
