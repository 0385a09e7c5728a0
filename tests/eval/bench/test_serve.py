"""`assistant bench serve`'s store set-up: every process started on the same store, and the
consistency check's chunk ids of each index version, on files and on a real PostgreSQL."""

from __future__ import annotations

import contextlib
from pathlib import Path

from assistant.settings import Settings
from eval.bench.serve import bench_store_for
from index.store import FileStore
from index.store.postgres import PostgresStore
from tests.fakes import KeywordEmbedder
from tests.index.conftest import ParagraphIngester

# 383 words + the constant axis: the 384 dimensions the PostgreSQL schema stores
EMBEDDER = KeywordEmbedder(["santé", "données", "hôpital", "patients"] + [f"mot{i}" for i in range(379)])


def small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(
        "Les données de santé des patients sont dispersées entre les hôpitaux de la région.\n\n"
        "Chaque hôpital garde ses données dans un entrepôt qui lui est propre et fermé.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "Les patients demandent que leurs données de santé servent à la recherche publique.\n", encoding="utf-8")
    return folder


def test_on_files_every_process_reads_the_copied_folder_and_versions_list_their_chunks(tmp_path):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "original")
    with contextlib.ExitStack() as stack:
        store = bench_store_for(settings, tmp_path / "bench", stack)
    assert store.backend == "files" and store.env == {"ASSISTANT_STORE_BACKEND": "files"}
    files = FileStore(store.index_dir)
    files.update(small_corpus(tmp_path / "corpus"), ParagraphIngester(), EMBEDDER)
    snapshot = files.open()
    assert store.version_chunks().ids(snapshot.version) == {c.id for c in snapshot.chunks}
    assert store.version_chunks().ids("no-such-version") is None


def test_on_postgres_the_replicas_share_one_fresh_collection_and_versions_list_their_chunks(
    database_url, tmp_path
):
    settings = Settings(corpus_dir=tmp_path / "corpus", store_backend="postgres", database_url=database_url)
    with contextlib.ExitStack() as stack:
        store = bench_store_for(settings, tmp_path / "bench", stack)
        other = bench_store_for(settings, tmp_path / "bench", stack)
    assert store.backend == "postgres" and store.collection != other.collection  # a fresh one per run
    assert store.env == {"ASSISTANT_STORE_BACKEND": "postgres", "ASSISTANT_DATABASE_URL": database_url,
                         "ASSISTANT_COLLECTION": store.collection}
    assert not (tmp_path / "bench" / "postgres").exists()  # the given database, no local server

    postgres = PostgresStore(database_url, store.collection)
    corpus = small_corpus(tmp_path / "corpus")
    postgres.update(corpus, ParagraphIngester(), EMBEDDER)
    first = postgres.open()
    (corpus / "c.txt").write_text("Un nouvel hôpital publie les données de santé de ses patients en ligne.\n",
                                  encoding="utf-8")
    postgres.update(corpus, ParagraphIngester(), EMBEDDER)
    second = postgres.open()
    chunks = store.version_chunks()
    assert chunks.ids(first.version) == {c.id for c in first.chunks}
    assert chunks.ids(second.version) == {c.id for c in second.chunks} > chunks.ids(first.version)
    assert chunks.ids("no-such-version") is None
