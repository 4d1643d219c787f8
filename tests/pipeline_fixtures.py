"""Session fixtures for pipeline tests: corpora read once, one bundled build shared by many tests."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED = REPO_ROOT / "data" / "corpus"
WHITEHOUSE = REPO_ROOT.parent / "shared" / "corpora" / "whitehouse-ai"


def require_external(path: Path) -> Path:
    """`path` if it is there; else skip, or fail under CI where the corpus must be present."""
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the external corpus is missing: {path}")
        pytest.skip(f"external corpus not found at {path} (it lives in ../shared/corpora)")
    return path


def require_whitehouse() -> Path:
    """The external White House corpus (see `require_external`)."""
    return require_external(WHITEHOUSE)


@pytest.fixture(scope="session")
def registry():
    """data/people.toml, loaded once (a Registry is frozen)."""
    from pipelines.people import load_registry

    return load_registry()


@pytest.fixture(scope="session")
def bundled_documents() -> pl.DataFrame:
    from pipelines.ingest import ingest_paths

    return ingest_paths([BUNDLED]).documents


@pytest.fixture(scope="session")
def whitehouse_documents() -> pl.DataFrame:
    from pipelines.ingest import ingest_paths

    return ingest_paths([require_whitehouse()]).documents


@pytest.fixture(scope="session")
def embedder():
    from pipelines.embedders import load_embedder
    from pipelines.embeddings import EmbeddingConfig

    return load_embedder(EmbeddingConfig())


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory):
    """One full build of the bundled corpus (about a minute), shared by the build and topic tests."""
    from pipelines.build import BuildConfig, build

    out = tmp_path_factory.mktemp("bundled-build")
    return build(BuildConfig(corpus=[BUNDLED], out=out))


def read_run(run_dir: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(run_dir / f"{name}.parquet")
