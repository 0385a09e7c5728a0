"""The index store: what the assistant reads indexes through, and its backends.

`open_store(config)` gives the `IndexStore` the config names: a directory
(`FileStore`, the default) or a PostgreSQL collection (`PostgresStore`, its
modules imported only when chosen). See `protocol.py` for the interface, `manifest.py`
for what a version records, `planning.py` for incremental builds.
"""

from __future__ import annotations

from index.config import EmbeddingConfig, StoreConfig
from index.errors import IndexBusy, IndexUnavailable
from index.store.files import FileSnapshot, FileStore
from index.store.manifest import FORMAT_VERSION, DocumentRecord, Manifest
from index.store.protocol import IndexSnapshot, IndexStore, ProgressCallback
from index.store.report import UpdateReport

__all__ = [
    "FORMAT_VERSION",
    "DocumentRecord",
    "FileSnapshot",
    "FileStore",
    "IndexBusy",
    "IndexSnapshot",
    "IndexStore",
    "IndexUnavailable",
    "Manifest",
    "ProgressCallback",
    "UpdateReport",
    "open_store",
]


def open_store(config: StoreConfig, embedding: EmbeddingConfig = EmbeddingConfig()) -> IndexStore:
    """The store holding the index `config` points to: a directory, or a database collection."""
    if config.backend == "postgres":
        from index.store.postgres import PostgresOptions, PostgresStore

        return PostgresStore(
            config.database_url, config.collection, lock_timeout=config.lock_timeout,
            batch_size=embedding.batch_size, options=PostgresOptions(lexical=config.lexical),
        )
    if config.backend != "files":
        raise ValueError(f"unknown store backend {config.backend!r}: files or postgres")
    return FileStore(config.index_dir, lock_timeout=config.lock_timeout, batch_size=embedding.batch_size)
