"""Write a version into the database, publish it by updating one row, drop old versions.

A build registers its version (`versions`, state `building`) and then, in one
transaction, creates the version's own tables beside the per-version parents
(`chunks_v<id>`…, with a `CHECK (version_id = id)`), fills them with binary
`COPY`, builds their indexes (primary keys, look-ups, HNSW) and attaches them
as partitions. Nothing of it is visible to readers, who only read the version
a collection's `current_version` names. Publishing is one short transaction:
the version becomes `published`, the one before `retired`, and the
collection's row points at it. A build cut at any point (process killed,
connection lost) rolls its transaction back; at most its `building` row
remains, removed by the next build (which holds the build lock).

Old versions are dropped by `collect_garbage`: a retired version once it has
been retired `retired_grace_seconds` (replicas still answering from it
finish), never the previous one. Partitions are detached `CONCURRENTLY`, so
readers of the parent tables are never blocked, then dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from index.lexical import LexicalIndex
from index.store.manifest import Manifest
from index.store.planning import DocumentEntry
from index.store.postgres.config import PostgresOptions
from index.store.postgres.reader import chunk_fields
from index.store.postgres.schema import VERSION_TABLES, partition_name
from index.store.records import document_to_dict
from ingest.models import Chunk

# Indexes of each version's tables (the HNSW and full-text ones are added apart).
_INDEXES: dict[str, tuple[str, ...]] = {
    "documents": ("ALTER TABLE {t} ADD PRIMARY KEY (doc_id)",),
    "chunks": (
        "ALTER TABLE {t} ADD PRIMARY KEY (row_no)",
        "CREATE UNIQUE INDEX ON {t} (chunk_id)",
        "CREATE INDEX ON {t} (doc_id)",
    ),
    "sentences": ("ALTER TABLE {t} ADD PRIMARY KEY (row_no, ordinal)",),
    "lexical_terms": ("ALTER TABLE {t} ADD PRIMARY KEY (term)",),
    "vocabulary": ("ALTER TABLE {t} ADD PRIMARY KEY (word)",),
}


def register_version(conn: psycopg.Connection, collection_id: int, build_id: str) -> int:
    """A new `building` version row (committed, so an abandoned build can be found); its id."""
    row = conn.execute(
        "INSERT INTO versions (collection_id, build_id, state) VALUES (%s, %s, 'building') RETURNING id",
        (collection_id, build_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def write_version(
    conn: psycopg.Connection,
    version_id: int,
    manifest: Manifest,
    entries: Sequence[DocumentEntry],
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    lexical: LexicalIndex,
    vocabulary: set[str],
    options: PostgresOptions,
) -> None:
    """Fill and index the version's partitions and attach them, in one transaction.

    `sentence_vectors` holds the chunks' sentences' vectors, chunk by chunk in row order."""
    if len(vectors) != len(chunks):
        raise ValueError(f"{len(vectors)} vectors for {len(chunks)} passages")
    if len(sentence_vectors) != sum(len(c.sentences) for c in chunks):
        raise ValueError(f"{len(sentence_vectors)} sentence vectors for the passages' sentences")
    tables = {name: partition_name(name, version_id) for name in VERSION_TABLES}
    try:
        _write_tables(conn, version_id, manifest, entries, chunks, vectors, sentence_vectors,
                      lexical, vocabulary, options, tables)
    except psycopg.errors.DataException as error:  # e.g. a vector of another width than vector(384)
        raise ValueError(
            f"La base a refusé une ligne de la nouvelle version ({str(error).strip().splitlines()[0]}) ; "
            "la version précédente reste servie."
        ) from error


def _write_tables(
    conn: psycopg.Connection,
    version_id: int,
    manifest: Manifest,
    entries: Sequence[DocumentEntry],
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    lexical: LexicalIndex,
    vocabulary: set[str],
    options: PostgresOptions,
    tables: dict[str, sql.Identifier],
) -> None:
    with conn.transaction():
        conn.execute(f"SET LOCAL maintenance_work_mem = '{options.build_maintenance_work_mem}'")
        for name, table in tables.items():
            conn.execute(
                sql.SQL("CREATE TABLE {t} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").format(
                    t=table, parent=sql.Identifier(name)
                )
            )
            conn.execute(
                sql.SQL("ALTER TABLE {t} ADD CHECK (version_id = {v})").format(
                    t=table, v=sql.Literal(version_id)
                )
            )
        copy_documents(conn, tables["documents"], version_id, entries)
        copy_chunks(conn, tables["chunks"], version_id, chunks, vectors)
        copy_sentences(conn, tables["sentences"], version_id, chunks, sentence_vectors)
        copy_lexical(conn, tables["lexical_terms"], version_id, lexical)
        copy_vocabulary(conn, tables["vocabulary"], version_id, vocabulary)
        for name, table in tables.items():
            for statement in _INDEXES[name]:
                conn.execute(sql.SQL(statement).format(t=table))
        chunk_table = tables["chunks"]
        if len(chunks) >= options.hnsw_min_rows:
            conn.execute(
                sql.SQL(
                    "CREATE INDEX ON {t} USING hnsw (embedding vector_cosine_ops) "
                    "WITH (m = {m}, ef_construction = {ef})"
                ).format(t=chunk_table, m=sql.Literal(options.hnsw_m), ef=sql.Literal(options.hnsw_ef_construction))
            )
        if options.lexical == "fts":
            conn.execute(
                sql.SQL(
                    "CREATE INDEX ON {t} USING gin (to_tsvector('french'::regconfig, fold_accents(text)))"
                ).format(t=chunk_table)
            )
        conn.execute(sql.SQL("ANALYZE {t}").format(t=chunk_table))
        for name, table in tables.items():
            conn.execute(
                sql.SQL("ALTER TABLE {parent} ATTACH PARTITION {t} FOR VALUES IN ({v})").format(
                    parent=sql.Identifier(name), t=table, v=sql.Literal(version_id)
                )
            )
        conn.execute(
            "UPDATE versions SET manifest = %s, chunk_count = %s WHERE id = %s",
            (Jsonb(manifest.to_dict()), len(chunks), version_id),
        )


def copy_documents(
    conn: psycopg.Connection, table: sql.Identifier, version_id: int, entries: Sequence[DocumentEntry]
) -> None:
    statement = sql.SQL(
        "COPY {t} (version_id, doc_id, file, file_hash, title, text, fields) FROM STDIN (FORMAT BINARY)"
    ).format(t=table)
    with conn.cursor().copy(statement) as copy:
        copy.set_types(["int8", "text", "text", "text", "text", "text", "jsonb"])
        for entry in entries:
            fields = document_to_dict(entry.document)
            text = fields.pop("text")
            copy.write_row(
                (version_id, entry.document.doc_id, entry.file, entry.file_hash,
                 entry.document.title, text, Jsonb(fields))
            )


def copy_chunks(
    conn: psycopg.Connection,
    table: sql.Identifier,
    version_id: int,
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
) -> None:
    statement = sql.SQL(
        "COPY {t} (version_id, row_no, chunk_id, doc_id, duplicate_of, text, fields, embedding) "
        "FROM STDIN (FORMAT BINARY)"
    ).format(t=table)
    with conn.cursor().copy(statement) as copy:
        copy.set_types(["int8", "int4", "text", "text", "text", "text", "jsonb", "vector"])
        for row, (chunk, vector) in enumerate(zip(chunks, vectors)):
            copy.write_row(
                (version_id, row, chunk.id, chunk.doc_id, chunk.duplicate_of, chunk.text,
                 Jsonb(chunk_fields(chunk)), vector)
            )


def copy_sentences(
    conn: psycopg.Connection,
    table: sql.Identifier,
    version_id: int,
    chunks: Sequence[Chunk],
    sentence_vectors: np.ndarray,
) -> None:
    statement = sql.SQL(
        "COPY {t} (version_id, row_no, ordinal, start_offset, end_offset, embedding) "
        "FROM STDIN (FORMAT BINARY)"
    ).format(t=table)
    at = 0
    with conn.cursor().copy(statement) as copy:
        copy.set_types(["int8", "int4", "int4", "int4", "int4", "vector"])
        for row, chunk in enumerate(chunks):
            for ordinal, span in enumerate(chunk.sentences):
                copy.write_row((version_id, row, ordinal, span.start, span.end, sentence_vectors[at]))
                at += 1


def copy_lexical(
    conn: psycopg.Connection, table: sql.Identifier, version_id: int, lexical: LexicalIndex
) -> None:
    statement = sql.SQL(
        "COPY {t} (version_id, term, df, rows, scores) FROM STDIN (FORMAT BINARY)"
    ).format(t=table)
    with conn.cursor().copy(statement) as copy:
        copy.set_types(["int8", "text", "int4", "bytea", "bytea"])
        for term, rows, scores in lexical.postings():
            copy.write_row(
                (version_id, term, len(rows), rows.astype("<i4").tobytes(), scores.astype("<f4").tobytes())
            )


def copy_vocabulary(
    conn: psycopg.Connection, table: sql.Identifier, version_id: int, vocabulary: set[str]
) -> None:
    statement = sql.SQL("COPY {t} (version_id, word) FROM STDIN (FORMAT BINARY)").format(t=table)
    with conn.cursor().copy(statement) as copy:
        copy.set_types(["int8", "text"])
        for word in sorted(vocabulary):
            copy.write_row((version_id, word))


def publish(conn: psycopg.Connection, collection_id: int, version_id: int) -> None:
    """Make a written version the collection's current one (one short transaction)."""
    with conn.transaction():
        conn.execute(
            "UPDATE versions SET state = 'retired', retired_at = now() "
            "WHERE collection_id = %s AND state = 'published' AND id <> %s",
            (collection_id, version_id),
        )
        conn.execute(
            "UPDATE versions SET state = 'published', published_at = now() WHERE id = %s",
            (version_id,),
        )
        conn.execute(
            "UPDATE collections SET current_version = %s WHERE id = %s", (version_id, collection_id)
        )


def drop_version(conn: psycopg.Connection, version_id: int) -> None:
    """Detach (concurrently) and drop a version's partitions, then its row. `conn` in autocommit."""
    attached = {
        name: pending
        for name, pending in conn.execute(
            "SELECT c.relname, i.inhdetachpending FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = ANY(%s)",
            ([f"{name}_v{int(version_id)}" for name in VERSION_TABLES],),
        )
    }
    for name in VERSION_TABLES:
        table = partition_name(name, version_id)
        partition = f"{name}_v{int(version_id)}"
        if partition in attached:
            mode = "FINALIZE" if attached[partition] else "CONCURRENTLY"
            conn.execute(
                sql.SQL("ALTER TABLE {parent} DETACH PARTITION {t} " + mode).format(
                    parent=sql.Identifier(name), t=table
                )
            )
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {t}").format(t=table))
    conn.execute("DELETE FROM versions WHERE id = %s", (version_id,))


def remove_abandoned(conn: psycopg.Connection, collection_id: int) -> list[int]:
    """Drop versions left `building` by a build that died (the caller holds the build lock)."""
    abandoned = [
        int(row[0])
        for row in conn.execute(
            "SELECT id FROM versions WHERE collection_id = %s AND state = 'building'", (collection_id,)
        )
    ]
    for version_id in abandoned:
        drop_version(conn, version_id)
    return abandoned


def collect_garbage(
    conn: psycopg.Connection, collection_id: int, keep: set[int], grace_seconds: float
) -> list[int]:
    """Drop retired versions older than the grace period, except `keep` (current and previous)."""
    old = [
        int(row[0])
        for row in conn.execute(
            "SELECT id FROM versions WHERE collection_id = %s AND state = 'retired' "
            "AND retired_at < now() - make_interval(secs => %s) ORDER BY id",
            (collection_id, grace_seconds),
        )
        if int(row[0]) not in keep
    ]
    for version_id in old:
        drop_version(conn, version_id)
    return old

