"""The PostgreSQL + pgvector backend of the index store: see `store.PostgresStore`."""

from index.store.postgres.config import EMBEDDING_DIM, PostgresOptions
from index.store.postgres.reader import PostgresSnapshot
from index.store.postgres.store import PostgresStore

__all__ = ["EMBEDDING_DIM", "PostgresOptions", "PostgresSnapshot", "PostgresStore"]
