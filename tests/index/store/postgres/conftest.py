"""The PostgreSQL store tests: a fresh collection per test in the session's database.

The session's server (`postgres`, `database_url`) is started by the root
`tests/conftest.py`, so the benchmarks' tests share it.
"""

from __future__ import annotations

import uuid

import pytest

from index.store.postgres import PostgresOptions, PostgresStore


@pytest.fixture
def collection() -> str:
    """A fresh collection name."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_store(database_url: str, collection: str):
    """`make_store(**kwargs)`: a `PostgresStore` on this test's collection."""

    def make(*, options: PostgresOptions | None = None, **kwargs) -> PostgresStore:
        return PostgresStore(database_url, collection, options=options or PostgresOptions(), **kwargs)

    return make
