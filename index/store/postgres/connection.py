"""Connections to the index's database: one pool per process and URL, and clear French errors.

`database(url, options)` gives the process's `Database` for a URL: a psycopg
3 connection pool (`psycopg_pool`), created on first use after the schema is
migrated. Pooled connections are in autocommit mode, with the pgvector types
registered, a statement timeout, the HNSW search settings, and no
server-side prepared statements (so every query is planned with its version
id and prunes to that version's partition). Each is checked before it is
handed out, so connections broken by a server restart are replaced and the
next question is answered without restarting anything.

Every database failure leaves this package as `DatabaseUnavailable` (a kind
of `IndexUnavailable`) with a French message: unreachable server, refused
login, missing pgvector, a statement over its timeout, a connection cut.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from pgvector.psycopg import register_vector
from psycopg_pool import ConnectionPool, PoolTimeout

from index.errors import DatabaseUnavailable
from index.store.postgres.config import PostgresOptions
from index.store.postgres.schema import (
    ITERATIVE_SCAN_PGVECTOR,
    ensure_pgvector,
    migrate,
)

APPLICATION_NAME = "assistant-sante"
_databases: dict[tuple[str, PostgresOptions], Database] = {}
_databases_lock = threading.Lock()


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(URL illisible)"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def unreachable(where: str, error: BaseException) -> DatabaseUnavailable:
    """The French error for a database that cannot be reached or used."""
    if isinstance(error, psycopg.errors.QueryCanceled):
        return DatabaseUnavailable(
            f"La base de données PostgreSQL {where} n'a pas répondu à temps "
            f"(délai de requête dépassé : {first_line(error)}). Réessayez ; si cela persiste, "
            "le serveur est surchargé."
        )
    detail = first_line(error) or type(error).__name__
    return DatabaseUnavailable(
        f"La base de données PostgreSQL {where} est injoignable ou a coupé la connexion "
        f"({detail}). Vérifiez que le serveur tourne et la valeur d'ASSISTANT_DATABASE_URL ; "
        "la question suivante réessaiera."
    )


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Turn psycopg and pool failures into `DatabaseUnavailable` (French)."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as error:
        raise unreachable(where, error) from error


class Database:
    """One database URL as this process uses it: a lazily created, migrated connection pool."""

    def __init__(self, url: str, options: PostgresOptions = PostgresOptions()) -> None:
        if not url:
            raise DatabaseUnavailable(
                "Le stockage PostgreSQL est choisi mais aucune base n'est indiquée : "
                "définissez ASSISTANT_DATABASE_URL (postgresql://utilisateur:mot-de-passe@hôte/base)."
            )
        self.url = url
        self.where = redact(url)
        self.options = options
        self.pgvector: tuple[int, ...] = ()
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- direct connections

    def connect(self, *, statement_timeout_ms: int | None = None) -> psycopg.Connection:
        """A new autocommit connection outside the pool (builders, migrations), vector types registered."""
        timeout = self.options.statement_timeout_ms if statement_timeout_ms is None else statement_timeout_ms
        with translated(self.where):
            conn = psycopg.connect(
                self.url,
                autocommit=True,
                prepare_threshold=None,
                connect_timeout=max(1, round(self.options.connect_timeout)),
                application_name=APPLICATION_NAME,
            )
            try:
                if not self.pgvector:
                    self.pgvector = ensure_pgvector(conn, self.where)
                register_vector(conn)
                conn.execute(f"SET statement_timeout = {int(timeout)}")
            except BaseException:
                conn.close()
                raise
        return conn

    # ----------------------------------------------------------------- the pool

    def pool(self) -> ConnectionPool:
        """The process's pool for this URL (migrates the schema the first time)."""
        pool = self._pool
        if pool is not None:
            return pool
        with self._lock:
            if self._pool is None:
                with self.connect(statement_timeout_ms=0) as conn, translated(self.where):
                    migrate(conn, self.where)
                self._pool = ConnectionPool(
                    self.url,
                    min_size=self.options.pool_min,
                    max_size=self.options.pool_max,
                    kwargs={
                        "autocommit": True,
                        "prepare_threshold": None,
                        "connect_timeout": max(1, round(self.options.connect_timeout)),
                        "application_name": APPLICATION_NAME,
                    },
                    configure=self._configure,
                    check=ConnectionPool.check_connection,
                    timeout=self.options.connect_timeout,
                    name=f"assistant {self.where}",
                    open=True,
                )
            return self._pool

    def _configure(self, conn: psycopg.Connection) -> None:
        """Settings of every pooled connection (see the module docstring)."""
        register_vector(conn)
        settings = [
            f"SET statement_timeout = {int(self.options.statement_timeout_ms)}",
            f"SET hnsw.ef_search = {int(self.options.hnsw_ef_search)}",
        ]
        if self.pgvector >= ITERATIVE_SCAN_PGVECTOR:
            settings.append("SET hnsw.iterative_scan = strict_order")
        for statement in settings:
            conn.execute(statement)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection; failures become `DatabaseUnavailable`."""
        with translated(self.where):
            try:
                with self.pool().connection() as conn:
                    yield conn
            except PoolTimeout as error:
                raise self._diagnose(error) from error

    def _diagnose(self, error: PoolTimeout) -> DatabaseUnavailable:
        """Why no pooled connection came: try one directly to get the server's own reason."""
        try:
            self.connect().close()
        except DatabaseUnavailable as direct:
            return direct
        return unreachable(self.where, error)

    def close(self) -> None:
        """Close the pool (tests; processes simply exit)."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def database(url: str, options: PostgresOptions = PostgresOptions()) -> Database:
    """The process's `Database` for a URL and options (one pool each, shared by every store)."""
    key = (url, options)
    with _databases_lock:
        found = _databases.get(key)
        if found is None:
            found = _databases[key] = Database(url, options)
        return found
