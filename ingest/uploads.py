"""Adding a user's file to a corpus folder: validation, safe naming, atomic storage.

The order matters: a file is validated in memory (extension, size, content
type, magic bytes), then written under a hidden staging folder of the corpus
(the ingester ignores hidden paths), checked with the ingester's own loader,
and only then moved to its final name with an atomic `os.replace`. A file the
loader rejects is never left in the corpus. Every rejection is an
`UploadRejected` whose message is French and meant for the user.

Indexing the stored file is the assistant's job (`Assistant.add_document`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.atomic import fsync_dir
from ingest.config import IngestLimits
from ingest.errors import AssistantError, LoadError
from ingest.loaders import decode_bytes
from ingest.models import CleanDocument
from ingest.pipeline import Ingester

# Extension -> kind of content the file must hold.
ALLOWED_EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "text",
    ".htm": "text",
}
# Content types a browser may send for each kind ("" and octet-stream: unknown).
_UNKNOWN_TYPES = {"", "application/octet-stream"}
_PDF_TYPES = {"application/pdf", "application/x-pdf"}
_TEXT_TYPES_EXTRA = {"application/xhtml+xml", "application/x-markdown", "application/markdown"}

MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 200  # well under the 255-byte limit of common file systems
# Names the ingester deliberately ignores (corpus metadata: SOURCES.md, README*),
# so an upload under such a name could never be searched.
RESERVED_STEM = "sources"
RESERVED_PREFIX = "readme"
STAGING_PREFIX = ".upload-"
_UNSAFE_CHARS = re.compile(r'[<>:"|?*\\/]')


class UploadRejected(AssistantError, ValueError):
    """A file that cannot be added to the corpus; the message is French."""


class UploadConflict(UploadRejected):
    """A document with this name already exists; replacing it needs confirmation."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"Un document nommé « {name} » existe déjà dans le corpus. "
            "Cochez « Remplacer le document existant » pour le remplacer."
        )


@dataclass
class StoredFile:
    """A file kept in the corpus after validation."""

    name: str
    path: Path
    doc_id: str
    title: str
    replaced: bool = False
    unchanged: bool = False  # the same bytes were already there: nothing written
    backup: Path | None = None  # the replaced file's previous version, until the index accepts the new one

    def restore(self) -> None:
        """Undo the upload: put the previous version back, or remove the new file."""
        if self.backup is not None and self.backup.is_file():
            os.replace(self.backup, self.path)
        elif not self.unchanged:
            self.path.unlink(missing_ok=True)
        self.discard_backup()

    def discard_backup(self) -> None:
        """Forget the previous version once the new one is indexed."""
        if self.backup is not None:
            shutil.rmtree(self.backup.parent, ignore_errors=True)
            self.backup = None


# --------------------------------------------------------------------------- names


def safe_filename(name: str) -> str:
    """A file name that is safe to create inside the corpus folder.

    Keeps only the last path component (no directories, `..`, absolute
    paths or drive letters), drops NUL and control characters, replaces
    characters that are special on common file systems, removes leading dots
    (no hidden files), collapses runs of dots and limits the length to
    `MAX_NAME_CHARS` characters while keeping the extension (lower-cased).
    Raises `UploadRejected` when no usable name remains or the extension is
    not supported.
    """
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.split(r"[\\/]", text)[-1]  # last component, whatever the separator
    text = _UNSAFE_CHARS.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\.{2,}", ".", text).lstrip(". ").rstrip(". ")
    stem, dot, extension = text.rpartition(".")
    if not dot or not stem.strip(" ._-"):
        raise UploadRejected(
            f"Nom de fichier inutilisable : « {_shown(name)} ». "
            "Donnez au fichier un nom avec une extension .pdf, .txt, .md ou .html."
        )
    extension = "." + extension.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise UploadRejected(
            f"Type de fichier non accepté ({_shown(extension)}) : "
            "seuls les fichiers PDF, TXT, Markdown et HTML peuvent être ajoutés."
        )
    stem = stem.strip()
    if stem.lower() == RESERVED_STEM or stem.lower().startswith(RESERVED_PREFIX):
        raise UploadRejected(
            f"Le nom « {stem}{extension} » est réservé aux notes du corpus : "
            "renommez le fichier avant de l'ajouter."
        )
    while stem and (
        len(stem) + len(extension) > MAX_NAME_CHARS
        or len((stem + extension).encode("utf-8")) > MAX_NAME_BYTES
    ):
        stem = stem[:-1]
    return stem.rstrip(" .") + extension


def _shown(name: str, limit: int = 80) -> str:
    """A user-supplied name made printable and short, for messages."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else "�" for ch in str(name))
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


# ------------------------------------------------------------------------ content


def validate_upload(name: str, data: bytes, max_file_mb: float, content_type: str = "") -> str:
    """Check a file in memory; return its safe name or raise `UploadRejected`.

    Checks: a supported extension, a non-empty size under `max_file_mb`, a
    content type (when the browser sent one) compatible with the extension,
    and content matching the extension: `%PDF-` magic bytes for a PDF,
    decodable text without NUL bytes (unless a Unicode byte-order mark says it
    is UTF-16/32) for TXT, Markdown and HTML.
    """
    safe = safe_filename(name)
    kind = ALLOWED_EXTENSIONS[Path(safe).suffix]
    if not data or not data.strip():
        raise UploadRejected(f"« {safe} » est vide.")
    limit = max_file_mb * 1024 * 1024
    if len(data) > limit:
        raise UploadRejected(
            f"« {safe} » est trop volumineux ({len(data) / 1024 / 1024:.1f} Mo ; "
            f"limite {max_file_mb:g} Mo)."
        )
    _check_content_type(safe, kind, (content_type or "").split(";")[0].strip().lower())
    if kind == "pdf":
        if not data.lstrip()[:5].startswith(b"%PDF-"):
            raise UploadRejected(f"« {safe} » n'est pas un vrai fichier PDF (en-tête %PDF- absent).")
    else:
        if data.lstrip()[:5].startswith(b"%PDF-"):
            raise UploadRejected(
                f"« {safe} » contient un PDF : renommez-le avec l'extension .pdf."
            )
        _check_text(safe, data)
    return safe


def _check_content_type(name: str, kind: str, content_type: str) -> None:
    if content_type in _UNKNOWN_TYPES:
        return
    if kind == "pdf":
        ok = content_type in _PDF_TYPES
    else:
        ok = content_type.startswith("text/") or content_type in _TEXT_TYPES_EXTRA
    if not ok:
        raise UploadRejected(
            f"Le type de contenu de « {name} » ({_shown(content_type)}) "
            "ne correspond pas à son extension."
        )


def _check_text(name: str, data: bytes) -> None:
    """Text files must decode; NUL bytes are only allowed under a UTF-16/32 byte-order mark."""
    has_wide_bom = data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    if b"\x00" in data and not has_wide_bom:
        raise UploadRejected(f"« {name} » contient des octets nuls : ce n'est pas un fichier texte.")
    try:
        decode_bytes(data, name)
    except LoadError:
        raise UploadRejected(f"« {name} » n'est pas un fichier texte lisible.") from None


# ------------------------------------------------------------------ loader check

def check_with_loader(path: Path, limits: IngestLimits) -> CleanDocument:
    """Load and clean `path` exactly as the ingester will; return the clean document.

    Raises `UploadRejected` with a French reason when the ingester would skip it.
    """
    try:
        return Ingester(limits).load(path)
    except LoadError as error:
        raise UploadRejected(f"« {path.name} » refusé : {error.kind.french}.") from None
    except OSError as error:
        raise UploadRejected(f"« {path.name} » illisible : {error.strerror or error}.") from None


# ------------------------------------------------------------------------ storage


def store_upload(
    name: str,
    data: bytes,
    corpus_dir: Path,
    limits: IngestLimits = IngestLimits(),
    *,
    content_type: str = "",
    overwrite: bool = False,
    known_documents: dict[str, str] | None = None,
) -> StoredFile:
    """Validate `data` and save it into `corpus_dir` under a safe name, atomically.

    `known_documents` maps the doc ids of the current index to their files, to
    refuse a file whose document id would clash with another file's. An
    existing file of the same name is only replaced when `overwrite` is true
    (`UploadConflict` otherwise); identical bytes are left as they are.
    """
    safe = validate_upload(name, data, limits.max_file_mb, content_type)
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    target = corpus_dir / safe
    replaced = target.exists()
    if replaced:
        if not target.is_file() or target.is_symlink():
            raise UploadRejected(f"« {safe} » existe déjà dans le corpus et n'est pas un fichier ordinaire.")
        if target.read_bytes() == data:
            doc = check_with_loader(target, limits)
            return StoredFile(safe, target, doc.doc_id, doc.title, unchanged=True)
        if not overwrite:
            raise UploadConflict(safe)

    staging = corpus_dir / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        staged = staging / safe
        with staged.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        doc = check_with_loader(staged, limits)
        _check_doc_id(doc.doc_id, target, known_documents or {})
        backup = _keep_previous(target, corpus_dir) if replaced else None
        os.replace(staged, target)  # same folder tree, same file system: atomic
        fsync_dir(corpus_dir, strict=False)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return StoredFile(safe, target, doc.doc_id, doc.title, replaced=replaced, backup=backup)


def _keep_previous(target: Path, corpus_dir: Path) -> Path:
    """A copy of the file about to be replaced, in a hidden folder of the corpus."""
    folder = corpus_dir / f"{STAGING_PREFIX}previous-{secrets.token_hex(6)}"
    folder.mkdir()
    backup = folder / target.name
    try:
        os.link(target, backup)  # no copy needed: the replace gives `target` a new inode
    except OSError:
        shutil.copy2(target, backup)
    return backup


def _check_doc_id(doc_id: str, target: Path, known: dict[str, str]) -> None:
    """Refuse a new file whose document id already belongs to another file."""
    other = known.get(doc_id)
    if other and Path(other).resolve() != target.resolve():
        raise UploadRejected(
            f"Le corpus contient déjà un document d'identifiant « {doc_id} » "
            f"(fichier « {Path(other).name} ») : renommez le fichier avant de l'ajouter."
        )
