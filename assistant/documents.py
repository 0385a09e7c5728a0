"""The corpus's documents as users manage them: list, add (upload), remove — each indexed at once.

The file checks (safe names, magic bytes, loader check before keeping) are
`ingest.uploads`; this module ties them to the index: a stored file is
indexed incrementally, and a file the index refuses (for instance it repeats
another document word for word) is taken out again, so the corpus holds only
searchable documents. Messages are French.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusReadOnly, DocumentNotFound
from assistant.paths import inside_package
from index.store import DocumentRecord, UpdateReport
from ingest.config import IngestLimits
from ingest.atomic import file_sha256
from ingest.pipeline import Ingester
from ingest.uploads import ALLOWED_EXTENSIONS, UploadRejected, safe_filename, store_upload

__all__ = ["ALLOWED_EXTENSIONS", "UploadOutcome", "add_document", "check_writable", "find_document",
           "pending_files", "remove_document", "safe_filename"]

Rebuild = Callable[..., UpdateReport]  # an incremental index update (`on_progress=` accepted)


@dataclass
class UploadOutcome:
    """What adding one file did, for a page or an API to report."""

    ok: bool
    message: str
    name: str = ""
    doc_id: str = ""
    details: list[str] = field(default_factory=list)


def add_document(
    corpus_dir: Path,
    limits: IngestLimits,
    known: dict[str, str],
    rebuild: Rebuild,
    name: str,
    data: bytes,
    *,
    content_type: str = "",
    overwrite: bool = False,
    on_progress: Callable[..., None] | None = None,
) -> UploadOutcome:
    """Store an uploaded file in `corpus_dir` and index it incrementally.

    `known` maps the doc ids of the current index to their files (an upload
    may not take another file's id).
    """
    try:
        check_writable(corpus_dir)
    except CorpusReadOnly as error:
        return UploadOutcome(False, str(error))
    try:
        stored = store_upload(
            name, data, corpus_dir, limits,
            content_type=content_type, overwrite=overwrite, known_documents=known,
        )
    except UploadRejected as error:
        return UploadOutcome(False, str(error))

    try:
        report = rebuild(on_progress=on_progress)
    except Exception as error:  # index busy, disk full…: the file stays for the next update
        stored.discard_backup()
        return UploadOutcome(
            False,
            f"« {stored.name} » a été enregistré mais l'indexation a échoué "
            f"({type(error).__name__} : {error}). Relancez « Mettre à jour l'index ».",
            stored.name, stored.doc_id,
        )
    skipped = next((s for s in report.skipped if Path(s.path).resolve() == stored.path.resolve()), None)
    if skipped is not None:
        if not stored.unchanged:
            stored.restore()
            rebuild()
        return UploadOutcome(
            False, f"« {stored.name} » n'a pas pu être indexé : {skipped.french}.",
            stored.name, stored.doc_id,
        )
    stored.discard_backup()
    details = [f"{report.chunk_count} passages dans l'index"]
    if report.chunks_embedded:
        details.append(f"{report.chunks_embedded} passages encodés")
    if stored.unchanged:
        message = f"« {stored.name} » est déjà dans le corpus, à l'identique."
    elif stored.replaced:
        message = f"« {stored.name} » a été remplacé et réindexé : « {stored.title} »."
    else:
        message = f"« {stored.name} » a été ajouté au corpus et indexé : « {stored.title} »."
    return UploadOutcome(True, message, stored.name, stored.doc_id, details)


def find_document(records: list[DocumentRecord], doc_id: str) -> DocumentRecord:
    """The record of `doc_id`; `DocumentNotFound` naming the known ids otherwise."""
    for record in records:
        if record.doc_id == doc_id:
            return record
    known = ", ".join(sorted(r.doc_id for r in records)) or "aucun"
    raise DocumentNotFound(f"Document inconnu : « {doc_id} ». Documents de l'index : {known}.")


def remove_document(corpus_dir: Path, record: DocumentRecord, rebuild: Rebuild) -> UpdateReport:
    """Delete a document's file from the corpus folder, then update the index."""
    check_writable(corpus_dir)
    path = Path(record.file)
    corpus = Path(corpus_dir).resolve()
    if corpus not in path.resolve().parents:
        raise DocumentNotFound(
            f"Le fichier du document « {record.doc_id} » n'est pas dans le corpus {corpus}."
        )
    path.unlink(missing_ok=True)
    return rebuild()


def check_writable(corpus_dir: Path) -> None:
    """`CorpusReadOnly` when `corpus_dir` lies inside the installed package (see `assistant.paths`)."""
    if inside_package(corpus_dir):
        raise CorpusReadOnly(
            f"Le corpus fourni avec le paquet ({corpus_dir}) n'est pas modifiable : indiquez "
            "votre propre dossier de documents (--corpus DOSSIER, ou ASSISTANT_CORPUS_DIR, "
            "ou corpus_dir dans assistant.toml)."
        )


def pending_files(corpus_dir: Path, ingester: Ingester, records: list[DocumentRecord]) -> list[Path]:
    """Files of the corpus that are new or changed since the index was built (by sha256)."""
    known = {r.content_hash for r in records}
    pending = []
    try:
        files = ingester.discover(Path(corpus_dir))
    except OSError:
        return []
    for path in files:
        try:
            if file_sha256(path) not in known:
                pending.append(path)
        except OSError:
            continue
    return pending
