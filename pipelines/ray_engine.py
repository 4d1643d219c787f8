"""The Ray engine (`discourse build --engine ray`): the per-passage stages on Ray Data.

The build's driver (pipelines/build.py) stays in charge: it ingests, trains the theme
classifiers, fits BERTopic on a sample (pipelines/topic_sampling.py) and publishes. What
grows with the corpus runs here, as Ray Data pipelines over shards of whole documents (so a
document's passages, turns and document-level features never straddle two workers):

1. passages, people mentions and statements, per shard of `shard_documents` documents
   (the same functions as the local engine); each shard comes back as Parquet bytes;
2. embeddings of the texts the cache lacks, on a pool of `workers` actors that each load
   and verify the model once; each actor writes its batches into the shared embedding
   cache, so a killed worker's batch is simply run again (Ray restarts the actor);
3. theme probabilities of the fitted classifiers, per shard;
4. trends and month totals per shard, summed on the driver (a document lies in one shard,
   so distinct-document counts add up).

Ray is an optional install (`pip install -e ".[ray]"`); docs/SCALING.md says how to point
the build at a cluster.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from pipelines import aggregates
from pipelines.embeddings import (
    Embedder, EmbeddingCache, EmbeddingConfig, EmbeddingResult, ProgressCallback, text_hashes,
)
from pipelines.engine import LOCAL, RayOptions
from pipelines.passages import PassageConfig
from pipelines.people import Registry
from pipelines.statements import STATEMENT_ORDER, extract_statements
from pipelines.theme_classifier import FeatureInputs, ThemeClassifier, theme_features
from pipelines.themes import SimilarityCalibration, Theme, similarity_calibration, theme_exemplars
from pipelines.topics import SavedTopicModel, assign_new_passages

TREND_KEYS = {"trends": ["month", "topic_id", "person", "source"], "month_totals": ["month", "person", "source"]}


class RayEngineError(RuntimeError):
    """Ray is missing or its cluster cannot be reached; the message says what to do."""


@contextlib.contextmanager
def ray_session(options: RayOptions) -> Iterator[None]:
    """Connect to `options.address`, or start a local Ray with `workers` CPUs; shut down what
    was started here."""
    try:
        import ray
    except ImportError:
        raise RayEngineError('the Ray engine needs Ray: pip install -e ".[ray]"') from None
    started = not ray.is_initialized()
    if started and options.address:
        _check_reachable(options.address)  # ray.init retries an unreachable address for minutes
    if started:
        settings = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
        try:
            if options.address:
                ray.init(address=options.address, **settings)
            else:
                ray.init(num_cpus=options.workers, **settings)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise RayEngineError(f"cannot start or reach Ray at {options.address or 'a local cluster'}: {exc}") \
                from None
    context = ray.data.DataContext.get_current()
    for name in ("ray", "ray.data"):  # after ray.data's import, which sets up its loggers
        logging.getLogger(name).setLevel(logging.ERROR)  # Ray Data's execution notes are not the user's news
    context.execution_options.preserve_order = True  # shards come back in the order they went
    context.enable_progress_bars = False
    try:
        yield
    except ray.exceptions.RayError as exc:  # a task or actor failed for good: say which, no traceback
        raise RayEngineError(f"a Ray worker failed: {_first_line(exc)}") from None
    finally:
        if started:
            ray.shutdown()


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else type(error).__name__)


def _check_reachable(address: str) -> None:
    """A RayEngineError at once when the cluster's host:port does not answer."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=5):
            return
    except ValueError:
        raise RayEngineError(f"--ray-address must be HOST:PORT (or auto), got {address!r}") from None
    except OSError as exc:
        raise RayEngineError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from None


# --- shards as Arrow blocks and Parquet bytes ---------------------------------------------------------


def document_shards(frame: pl.DataFrame, doc_ids: pl.Series, size: int) -> list[pl.DataFrame]:
    """`frame` cut into consecutive slices of at most `size` documents each (rows of one
    document stay together; `doc_ids` are the rows' documents, in runs)."""
    run = doc_ids.rle_id()
    shard = (run // size).alias("_shard")
    return [part.drop("_shard") for part in frame.with_columns(shard).partition_by("_shard", maintain_order=True)]


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="lz4")
    return buffer.getvalue()


def _read_parquet_bytes(blobs: list[bytes]) -> list[pl.DataFrame]:
    return [pl.read_parquet(io.BytesIO(blob)) for blob in blobs]


def _dataset(shards: list[pl.DataFrame]):  # noqa: ANN202 - a ray.data.Dataset
    """One Ray Data block per shard."""
    import ray

    return ray.data.from_arrow([shard.to_arrow() for shard in shards])


def _collect(dataset) -> pl.DataFrame:  # noqa: ANN001 - a ray.data.Dataset
    import ray

    tables = [table for table in ray.get(dataset.to_arrow_refs()) if table.num_rows]
    return pl.from_arrow(pa.concat_tables(tables)) if tables else pl.DataFrame()


def _named_outputs(dataset, names: tuple[str, ...]) -> dict[str, pl.DataFrame]:  # noqa: ANN001
    """Tables a per-shard function returned as rows (shard, table, parquet), concatenated per
    name in shard order."""
    rows = _collect(dataset)
    if rows.is_empty():
        return {name: pl.DataFrame() for name in names}
    rows = rows.sort("shard", "table", maintain_order=True)
    return {name: pl.concat(_read_parquet_bytes(rows.filter(pl.col("table") == name)["parquet"].to_list()),
                            how="vertical_relaxed") for name in names}


def _outputs_row(shard: int, tables: dict[str, pl.DataFrame]) -> pa.Table:
    return pa.table({"shard": [shard] * len(tables), "table": list(tables),
                     "parquet": [_parquet_bytes(frame) for frame in tables.values()]})


# --- 1. passages, mentions, statements ---------------------------------------------------------


def _shard_number(batch: pa.Table) -> tuple[int, pl.DataFrame]:
    frame = pl.from_arrow(batch)
    return int(frame["_shard"][0]), frame.drop("_shard")


def _per_document(batch: pa.Table, passage_config: PassageConfig, registry: Registry) -> pa.Table:
    shard, documents = _shard_number(batch)
    passages, mentions, _ = LOCAL.split_and_match(documents, passage_config, registry)
    statements = extract_statements(documents, passages, mentions, registry)
    return _outputs_row(shard, {"passages": passages, "mentions": mentions, "statements": statements})


# --- 2. embeddings ----------------------------------------------------------------------------------


class EmbedBatches:
    """A Ray actor: loads (and verifies) the embedder once, then embeds batches of texts."""

    def __init__(self, embedding: EmbeddingConfig):
        from pipelines.embedders import load_embedder

        self.embedder = load_embedder(embedding)

    def __call__(self, batch: pa.Table) -> pa.Table:
        vectors = self.embedder.encode(batch.column("text").to_pylist()).astype(np.float32)
        return pa.table({"text_hash": batch.column("text_hash"), "vector": [v.tobytes() for v in vectors]})


@dataclass
class KnownTexts:
    """An embedder that only knows texts embedded beforehand on the driver (the themes'
    descriptions), so a worker never loads a model to compute features."""

    identity: str
    dimension: int
    vectors: dict[str, np.ndarray]
    similarity_calibration: SimilarityCalibration

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)


def known_exemplars(themes: list[Theme], embedder: Embedder) -> KnownTexts:
    texts = theme_exemplars(themes)["text"].unique(maintain_order=True).to_list()
    vectors = embedder.encode(texts) if texts else np.zeros((0, embedder.dimension), np.float32)
    return KnownTexts(embedder.identity, embedder.dimension, dict(zip(texts, vectors)),
                      similarity_calibration(embedder))


def with_vectors(passages: pl.DataFrame, vectors: np.ndarray, titles: np.ndarray) -> pl.DataFrame:
    """passage_id, doc_id, text and each passage's vector and title vector as bytes."""
    return passages.select("passage_id", "doc_id", "text").with_columns(
        vector=pl.Series([v.tobytes() for v in vectors], dtype=pl.Binary),
        title_vector=pl.Series([v.tobytes() for v in titles], dtype=pl.Binary))


def _vectors_of(frame: pl.DataFrame, dim: int) -> tuple[np.ndarray, np.ndarray]:
    return tuple(np.frombuffer(b"".join(frame[column].to_list()), dtype=np.float32).reshape(-1, dim)
                 for column in ("vector", "title_vector"))


def _probabilities(batch: pa.Table, classifier: ThemeClassifier, themes: list[Theme], embedder: KnownTexts,
                   cap: int) -> pa.Table:
    frame = pl.from_arrow(batch)
    vectors, titles = _vectors_of(frame, embedder.dimension)
    inputs = FeatureInputs(frame.select("passage_id", "doc_id", "text"), vectors, titles,
                           frame.select("doc_id", "text"))
    probs = classifier.probabilities(theme_features(inputs, themes, embedder, cap), inputs.passages["text"])
    return pa.table({"passage_id": frame["passage_id"].to_list(), "probs": [row.tobytes() for row in probs]})


@dataclass
class TopicCentroids:
    """What `assign_new_passages` reads of a fitted BERTopic model: its topic embeddings."""

    topic_embeddings_: np.ndarray
    _outliers: int


def _assign(batch: pa.Table, saved: SavedTopicModel, topics: pl.DataFrame, embedder: KnownTexts) -> pa.Table:
    frame = pl.from_arrow(batch)
    vectors, titles = _vectors_of(frame, embedder.dimension)
    primary = None if frame["theme_index"].null_count() else frame["theme_index"].to_numpy()
    writable = TopicCentroids(np.array(saved.model.topic_embeddings_), saved.model._outliers)  # Ray's are read-only
    return assign_new_passages(SavedTopicModel(writable, saved.themes, saved.config), topics, frame, vectors, titles,
                               embedder, primary).to_arrow()


def _trend_shard(batch: pa.Table) -> pa.Table:
    shard, frame = _shard_number(batch)
    memberships = frame.select("passage_id", topic_id=pl.col("_topics")).explode("topic_id")
    trends, totals = aggregates.membership_trend_tables(frame.drop("_topics"), memberships)
    return _outputs_row(shard, {"trends": trends, "month_totals": totals})


STORE_EVERY = 50_000  # vectors per embedding-cache shard the driver writes


def _store_as_they_come(results: Iterator[pa.Table], cache: EmbeddingCache, dimension: int, total: int,
                        progress: ProgressCallback | None) -> None:
    pending: list[pa.Table] = []
    done = stored = 0
    for result in results:
        pending.append(result)
        done += result.num_rows
        if done - stored >= STORE_EVERY:
            _store(pending, cache, dimension)
            pending, stored = [], done
        if progress:
            progress(done, total)
    _store(pending, cache, dimension)


def _store(results: list[pa.Table], cache: EmbeddingCache, dimension: int) -> None:
    if results:
        table = pa.concat_tables(results)
        vectors = np.frombuffer(b"".join(table.column("vector").to_pylist()), np.float32).reshape(-1, dimension)
        cache.store(table.column("text_hash").to_pylist(), vectors)


def _from_cache(hashes: pl.Series, known: pl.DataFrame, dimension: int, had: set[str]) -> EmbeddingResult:
    """The vectors of `hashes` from `known` (the cache's rows for them); `had`: the hashes the
    cache held before this build embedded anything."""
    if not len(hashes):
        return EmbeddingResult(np.zeros((0, dimension), np.float32), 0, 0)
    vectors = hashes.to_frame("text_hash").join(known, on="text_hash", how="left", maintain_order="left")["vector"]
    before = hashes.is_in(list(had))
    return EmbeddingResult(distinct=np.ascontiguousarray(vectors.to_numpy(), dtype=np.float32),
                           embedded=hashes.filter(~before).n_unique(), cached=int(before.sum()))


class RayEngine:
    """The per-passage work on Ray Data (see the module docstring). Use inside `ray_session`."""

    name = "ray"

    def __init__(self, options: RayOptions, embedding: EmbeddingConfig):
        self.options = options
        self.embedding = embedding

    def _numbered(self, frame: pl.DataFrame, doc_ids: pl.Series) -> list[pl.DataFrame]:
        shards = document_shards(frame, doc_ids, self.options.shard_documents)
        return [shard.with_columns(_shard=pl.lit(i, dtype=pl.Int64)) for i, shard in enumerate(shards)]

    def split_and_match(self, documents: pl.DataFrame, passage_config: PassageConfig, registry: Registry
                        ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        dataset = _dataset(self._numbered(documents, documents["doc_id"])).map_batches(
            _per_document, batch_format="pyarrow", batch_size=None,
            fn_kwargs={"passage_config": passage_config, "registry": registry})
        tables = _named_outputs(dataset, ("passages", "mentions", "statements"))
        mentions = tables["mentions"].sort("doc_id", "char_start", "char_end", "person")
        statements = tables["statements"].sort(STATEMENT_ORDER, nulls_last=True)
        return tables["passages"], mentions, statements

    def embed(self, texts: list[pl.Series], embedder: Embedder, cache: EmbeddingCache,
              progress: ProgressCallback | None = None, spill_dir: Path | None = None) -> list[EmbeddingResult]:
        """Like `embed_texts` for each series: the cache's vectors, and the rest embedded in one
        pass of the actor pool (each actor loads the model once for all of them). The driver
        holds the vectors in memory (`spill_dir` is not used). Only the
        driver reads and writes the cache (it need not be on storage the workers see); it
        stores what comes back every STORE_EVERY vectors, so a killed build keeps most of its work."""
        import ray

        hashes = [text_hashes(series) for series in texts]
        every = pl.DataFrame({"text_hash": pl.concat(hashes), "text": pl.concat(texts)})
        have = set(cache.lookup(every["text_hash"])["text_hash"].to_list())
        missing = every.filter(~pl.col("text_hash").is_in(have)).unique("text_hash", maintain_order=True)
        if missing.height:
            batch = self.options.embed_batch
            blocks = [missing.slice(start, batch).to_arrow() for start in range(0, missing.height, batch)]
            dataset = ray.data.from_arrow(blocks).map_batches(
                # Ray Data restarts a dead actor and runs its batch again (max_restarts and
                # max_task_retries default to -1 for actor pools); tests/test_ray_engine.py kills one.
                EmbedBatches, batch_format="pyarrow", batch_size=None,
                compute=ray.data.ActorPoolStrategy(size=self.options.workers),
                fn_constructor_kwargs={"embedding": self.embedding})
            _store_as_they_come(dataset.iter_batches(batch_format="pyarrow", batch_size=None), cache,
                                embedder.dimension, missing.height, progress)
        known = cache.lookup(every["text_hash"])  # one read of the cache for every series
        return [_from_cache(series_hashes, known, embedder.dimension, have) for series_hashes in hashes]

    def theme_probabilities(self, classifier: ThemeClassifier, inputs: FeatureInputs, themes: list[Theme],
                            embedder: Embedder, cap: int) -> np.ndarray:
        frame = with_vectors(inputs.passages, inputs.vectors, inputs.title_vectors)
        dataset = _dataset(document_shards(frame, frame["doc_id"], self.options.shard_documents)).map_batches(
            _probabilities, batch_format="pyarrow", batch_size=None,
            fn_kwargs={"classifier": classifier, "themes": themes, "embedder": known_exemplars(themes, embedder),
                       "cap": cap})
        result = _collect(dataset)
        if result.is_empty():
            return np.zeros((0, len(themes)), dtype=np.float32)
        if result["passage_id"].to_list() != inputs.passages["passage_id"].to_list():
            raise RayEngineError("theme probabilities came back out of order")
        return np.frombuffer(b"".join(result["probs"].to_list()), dtype=np.float32).reshape(-1, len(themes)).copy()

    def assign_topics(self, saved: SavedTopicModel, topics: pl.DataFrame, passages: pl.DataFrame,
                      vectors: np.ndarray, titles: np.ndarray, embedder: Embedder,
                      theme_index: np.ndarray | None) -> pl.DataFrame:
        """`assign_new_passages` per shard, with the model's topic embeddings only."""
        frame = with_vectors(passages, vectors, titles).with_columns(
            theme_index=pl.Series(theme_index, dtype=pl.Int32) if theme_index is not None
            else pl.lit(None, dtype=pl.Int32))
        light = SavedTopicModel(TopicCentroids(np.asarray(saved.model.topic_embeddings_, dtype=np.float32),
                                               saved.model._outliers), saved.themes, saved.config)
        dataset = _dataset(document_shards(frame, frame["doc_id"], self.options.shard_documents)).map_batches(
            _assign, batch_format="pyarrow", batch_size=None,
            fn_kwargs={"saved": light, "topics": topics, "embedder": known_exemplars(saved.themes, embedder)})
        return _collect(dataset)

    def trend_tables(self, with_people: pl.DataFrame, memberships: pl.DataFrame
                     ) -> tuple[pl.DataFrame, pl.DataFrame]:
        topics = memberships.group_by("passage_id", maintain_order=True).agg(_topics=pl.col("topic_id"))
        frame = with_people.join(topics, on="passage_id", how="left", maintain_order="left")
        dataset = _dataset(self._numbered(frame, frame["doc_id"])).map_batches(
            _trend_shard, batch_format="pyarrow", batch_size=None)
        parts = _named_outputs(dataset, ("trends", "month_totals"))
        return merge_trend_counts(parts["trends"], "trends"), merge_trend_counts(parts["month_totals"], "month_totals")


def merge_trend_counts(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Per-shard counts summed (shards hold whole documents), sorted as `trend_tables` sorts."""
    keys = TREND_KEYS[name]
    if frame.is_empty():
        return frame
    return (frame.group_by(keys).agg(pl.col("passages").sum().cast(pl.UInt32),
                                      pl.col("documents").sum().cast(pl.UInt32))
            .sort(keys, nulls_last=False))


def make_engine(kind: str, options: RayOptions, embedding: EmbeddingConfig) -> tuple[object, Callable]:
    """(engine, session context) for a build."""
    if kind == "ray":
        return RayEngine(options, embedding), lambda: ray_session(options)
    from pipelines.engine import LOCAL

    return LOCAL, contextlib.nullcontext
