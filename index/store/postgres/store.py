"""The PostgreSQL store: an index kept in a database that many replicas share.

One collection per corpus; readers follow the collection's
`current_version` and read that version through the process's connection
pool (`reader.py`); builders hold the collection's advisory lock, assemble
the new version with `index.store.planning` (file hashes against the
previous manifest, reused vectors), write it and publish it by updating one
row (`writer.py`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from index.errors import REBUILD_HINT, IndexBusy, IndexUnavailable
from index.lexical import ANALYZER_VERSION, LexicalIndex
from index.store.files.layout import new_build_id
from index.store.manifest import EmbeddingInfo, Manifest
from index.store.planning import (
    BuildInput,
    DocumentEntry,
    embed_passages,
    gather,
    hash_files,
    plan_update,
    rebuild_reason,
    report_up_to_date,
)
from index.store.postgres.config import EMBEDDING_DIM, PostgresOptions
from index.store.postgres.connection import Database, database, translated
from index.store.postgres.reader import PostgresSnapshot, VersionRow, read_manifest
from index.store.postgres.writer import (
    collect_garbage,
    publish,
    register_version,
    remove_abandoned,
    write_version,
)
from index.store.protocol import CorpusIngester, ProgressCallback
from index.store.report import StageTimer, UpdateReport
from index.terms import TermStatistics, chunk_vocabulary
from ingest.config import ChunkingConfig
from ingest.models import Chunk, CleanDocument

if TYPE_CHECKING:  # the embedder module loads heavy libraries; only its protocol is needed
    from index.embedder import Embedder

BUILD_LOCK_CLASS = 727_002  # advisory lock (class, collection id): one builder per collection
LOCK_POLL_SECONDS = 0.1


class PostgresStore:
    """An index in a PostgreSQL database with pgvector, one collection per corpus."""

    def __init__(
        self,
        database_url: str,
        collection: str = "default",
        *,
        lock_timeout: float = 10.0,
        batch_size: int = 32,
        options: PostgresOptions = PostgresOptions(),
    ) -> None:
        """Nothing is opened here: the first call connects (and creates or migrates the schema).

        `lock_timeout`: seconds a second builder waits before `IndexBusy`;
        `batch_size`: passages per embedding call."""
        self.db: Database = database(database_url, options)
        self.collection = collection
        self.lock_timeout = lock_timeout
        self.batch_size = batch_size
        self.options = options

    def describe(self) -> str:
        return f"{self.db.where} (collection « {self.collection} »)"

    # ------------------------------------------------------------------ reading

    def _current(self) -> tuple[int, str] | None:
        with self.db.connection() as conn:
            row = conn.execute(
                "SELECT v.id, v.build_id FROM collections c JOIN versions v ON v.id = c.current_version "
                "WHERE c.name = %s",
                (self.collection,),
            ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def exists(self) -> bool:
        return self._current() is not None

    def current_version(self) -> str | None:
        current = self._current()
        return current[1] if current else None

    def open(self, *, expected_model_id: str | None = None) -> PostgresSnapshot:
        with self.db.connection() as conn:
            found = conn.execute(
                "SELECT v.id, v.build_id, v.manifest, v.chunk_count FROM collections c "
                "JOIN versions v ON v.id = c.current_version WHERE c.name = %s",
                (self.collection,),
            ).fetchone()
            if found is None:
                raise IndexUnavailable(
                    f"Aucun index dans {self.describe()}. Construisez-le avec `assistant ingest`."
                )
            version_id, build_id, raw_manifest, chunk_count = found
            manifest = read_manifest(self.describe(), raw_manifest)
            if expected_model_id is not None and manifest.model_id != expected_model_id:
                raise IndexUnavailable(
                    f"L'index {self.describe()} a été construit avec le modèle d'encodage "
                    f"{manifest.model_id!r}, mais le modèle configuré est {expected_model_id!r}. "
                    f"{REBUILD_HINT}"
                )
            if manifest.chunk_count != chunk_count or manifest.build_id != build_id:
                raise IndexUnavailable(
                    f"L'index {self.describe()} est endommagé : sa version {build_id} ne s'accorde "
                    f"pas avec son manifeste. {REBUILD_HINT}"
                )
            statistics = self._statistics(conn, int(version_id), int(chunk_count))
        return PostgresSnapshot(
            self.db, self.collection, VersionRow(int(version_id), str(build_id), manifest),
            statistics, lexical_leg=self.options.lexical,
        )

    @staticmethod
    def _statistics(conn: psycopg.Connection, version_id: int, chunk_count: int) -> TermStatistics:
        """Document frequencies and vocabulary of a version (two reads, no analysis)."""
        df = dict(conn.execute("SELECT term, df FROM lexical_terms WHERE version_id = %s", (version_id,)))
        words = frozenset(
            row[0] for row in conn.execute("SELECT word FROM vocabulary WHERE version_id = %s", (version_id,))
        )
        return TermStatistics(max(1, chunk_count), df, words)

    # ------------------------------------------------------------------ building

    def _collection_id(self) -> int:
        with self.db.connection() as conn:
            conn.execute(
                "INSERT INTO collections (name) VALUES (%s) ON CONFLICT (name) DO NOTHING",
                (self.collection,),
            )
            row = conn.execute("SELECT id FROM collections WHERE name = %s", (self.collection,)).fetchone()
        assert row is not None
        return int(row[0])

    @contextmanager
    def _build_lock(self) -> Iterator[tuple[psycopg.Connection, int]]:
        """Hold the collection's build lock on a dedicated connection; `IndexBusy` after `lock_timeout`."""
        collection_id = self._collection_id()
        conn = self.db.connect(statement_timeout_ms=self.options.build_statement_timeout_ms)
        try:
            deadline = time.monotonic() + self.lock_timeout
            with translated(self.db.where):
                while not conn.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", (BUILD_LOCK_CLASS, collection_id)
                ).fetchone()[0]:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(
                            f"Une autre construction de l'index {self.describe()} est en cours "
                            f"(verrou de la base tenu ; attente de {self.lock_timeout:g} s). "
                            "Attendez qu'elle se termine, puis relancez la commande."
                        )
                    time.sleep(LOCK_POLL_SECONDS)
            yield conn, collection_id
        finally:
            conn.close()  # the server releases a session's advisory locks with it

    def update(
        self,
        corpus_dir: Path,
        ingester: CorpusIngester,
        embedder: Embedder,
        *,
        rebuild: bool = False,
        on_progress: ProgressCallback | None = None,
        show_progress: bool = False,
    ) -> UpdateReport:
        corpus_dir = Path(corpus_dir).resolve()
        timer = StageTimer()
        with self._build_lock() as (conn, collection_id):
            with translated(self.db.where):
                remove_abandoned(conn, collection_id)
            report = UpdateReport(build_id="")
            with timer.stage("load"):
                hashes = hash_files(ingester.discover(corpus_dir), report)
                previous, reason = self._previous(embedder, ingester.chunking, rebuild)
            plan = plan_update(previous.manifest if previous else None, hashes, reason is None)
            report.full_rebuild = not plan.reusable
            report.rebuild_reason = reason
            if previous is not None and plan.nothing_to_do():
                report_up_to_date(plan, previous, report)
                report.seconds = timer.seconds
                report.amounts = timer.amounts
                return report
            build = gather(plan, previous, ingester, timer, report)
            reusable_previous = previous if previous is not None and plan.reusable else None
            report.build_id, report.chunks_embedded = self._write(
                conn, collection_id, build, reusable_previous, embedder, ingester.chunking, timer,
                previous=previous, on_progress=on_progress, show_progress=show_progress,
            )
            report.chunks_reused = len(build.reuse)
            report.chunk_count = len(build.chunks)
            report.seconds = timer.seconds
            report.amounts = timer.amounts
            return report

    def build(
        self,
        documents: Sequence[CleanDocument],
        chunks: Sequence[Chunk],
        embedder: Embedder,
        chunking: ChunkingConfig,
        *,
        on_progress: ProgressCallback | None = None,
        show_progress: bool = False,
    ) -> str:
        """Chunks are stored as given (duplicate links included), grouped in the order
        of `documents`; document content hashes stand in for file hashes."""
        by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        unknown = set(by_doc) - {d.doc_id for d in documents}
        if unknown:
            raise ValueError(f"chunks refer to unknown documents: {sorted(unknown)}")
        build = BuildInput(
            entries=[
                DocumentEntry(d, d.source_path, d.content_hash, len(by_doc.get(d.doc_id, [])))
                for d in documents
            ],
            chunks=[c for d in documents for c in by_doc.get(d.doc_id, [])],
            reuse={},
        )
        with self._build_lock() as (conn, collection_id):
            with translated(self.db.where):
                remove_abandoned(conn, collection_id)
            previous = self._open_or_none()
            build_id, _ = self._write(
                conn, collection_id, build, None, embedder, chunking, StageTimer(),
                previous=previous, on_progress=on_progress, show_progress=show_progress,
            )
        return build_id

    def _open_or_none(self) -> PostgresSnapshot | None:
        if self.current_version() is None:
            return None
        try:
            return self.open()
        except IndexUnavailable:
            return None

    def _previous(
        self, embedder: Embedder, chunking: ChunkingConfig, rebuild: bool
    ) -> tuple[PostgresSnapshot | None, str | None]:
        """The current version if usable, and why its work cannot be reused (None when it can)."""
        if self.current_version() is None:
            return None, "pas encore d'index"
        try:
            previous = self.open()
        except IndexUnavailable as error:
            return None, f"index précédent inutilisable : {error}"
        if rebuild:
            return previous, "reconstruction demandée"
        return previous, rebuild_reason(previous.manifest, embedder, chunking)

    def _write(
        self,
        conn: psycopg.Connection,
        collection_id: int,
        build: BuildInput,
        reusable: PostgresSnapshot | None,
        embedder: Embedder,
        chunking: ChunkingConfig,
        timer: StageTimer,
        *,
        previous: PostgresSnapshot | None,
        on_progress: ProgressCallback | None,
        show_progress: bool,
    ) -> tuple[str, int]:
        """Embed, index, write and publish a version; return (its build id, passages embedded)."""
        if not build.chunks:
            raise ValueError(
                "Aucun passage à indexer : tous les documents ont été ignorés ou sont vides."
            )
        ids = [c.id for c in build.chunks]
        if len(set(ids)) != len(ids):
            raise ValueError("chunk ids are not unique")
        if int(embedder.dim) != EMBEDDING_DIM:
            raise ValueError(
                f"La base PostgreSQL stocke des vecteurs de {EMBEDDING_DIM} dimensions ; le modèle "
                f"{embedder.model_id} en produit {embedder.dim}. Utilisez un modèle de "
                f"{EMBEDDING_DIM} dimensions ou le stockage en fichiers."
            )
        embedded = embed_passages(
            build.chunks, build.reuse, reusable, embedder, batch_size=self.batch_size,
            on_progress=on_progress, show_progress=show_progress, timer=timer,
        )
        with timer.stage("lexical"):
            lexical = LexicalIndex.build(c.text for c in build.chunks)
            vocabulary = chunk_vocabulary(build.chunks)
        build_id = new_build_id()
        manifest = Manifest(
            build_id=build_id,
            previous_build_id=previous.version if previous else None,
            embedding=EmbeddingInfo(embedder.model_id, int(embedder.dim), int(embedder.max_tokens)),
            chunking=chunking,
            analyzer_version=ANALYZER_VERSION,
            chunk_count=len(build.chunks),
            sentence_count=len(embedded.sentences),
            documents=tuple(e.record() for e in build.entries),
            skipped=tuple(build.skipped),
        )
        with timer.stage("write"), translated(self.db.where):
            version_id = register_version(conn, collection_id, build_id)
            write_version(
                conn, version_id, manifest, build.entries, build.chunks,
                embedded.passages, embedded.sentences, lexical, vocabulary, self.options,
            )
            publish(conn, collection_id, version_id)
            keep = {version_id} | ({previous.version_id} if previous else set())
            collect_garbage(conn, collection_id, keep, self.options.retired_grace_seconds)
        return build_id, embedded.embedded
