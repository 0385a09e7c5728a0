"""What one index version records about itself: the typed manifest.

Every backend writes one per version: the build id, the embedding model it
was built with, the chunker settings, the documents (with the hash of the
file each came from), the files it skipped and why, and — for the files
store — the checksum of every file of the version. `to_dict` / `from_dict`
give the JSON form stored as `manifest.json`; the JSON keys are the on-disk
format (`FORMAT_VERSION`), so renaming a field here is a format change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ingest.atomic import FileDigest
from ingest.config import ChunkingConfig
from ingest.errors import SkipReason
from ingest.models import Skipped

# 2: each chunk lists its sentences, and a version stores one vector per sentence.
FORMAT_VERSION = 2


class ManifestError(ValueError):
    """A manifest that does not have the expected shape."""


@dataclass(frozen=True)
class EmbeddingInfo:
    """The embedding model a version's vectors come from."""

    model_id: str
    dim: int
    max_tokens: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EmbeddingInfo":
        return cls(str(data["model_id"]), int(data["dim"]), int(data["max_tokens"]))


@dataclass(frozen=True)
class DocumentRecord:
    """One indexed document and the file it came from."""

    doc_id: str
    title: str
    source_path: str
    file: str  # the file's key: its absolute path when discovered
    format: str
    content_hash: str  # sha256 of the file's bytes
    chunk_count: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DocumentRecord":
        return cls(
            doc_id=str(data["doc_id"]),
            title=str(data["title"]),
            source_path=str(data["source_path"]),
            file=str(data["file"]),
            format=str(data["format"]),
            content_hash=str(data["content_hash"]),
            chunk_count=int(data["chunk_count"]),
        )


@dataclass(frozen=True)
class SkipRecord:
    """A file that was skipped, remembered with its hash so it is not retried until it changes."""

    file: str
    content_hash: str
    reason: str  # the English detail
    kind: SkipReason = SkipReason.UNREADABLE

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "content_hash": self.content_hash, "reason": self.reason,
                "kind": self.kind.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SkipRecord":
        kind = data.get("kind")
        return cls(
            file=str(data["file"]),
            content_hash=str(data["content_hash"]),
            reason=str(data["reason"]),
            kind=SkipReason(kind) if kind in SkipReason._value2member_map_ else SkipReason.UNREADABLE,
        )

    def as_skipped(self) -> Skipped:
        return Skipped(self.file, self.reason, self.kind)


@dataclass(frozen=True)
class Manifest:
    """A version's description (see the module docstring)."""

    build_id: str
    embedding: EmbeddingInfo
    chunking: ChunkingConfig
    chunk_count: int
    documents: tuple[DocumentRecord, ...]
    sentence_count: int = 0
    previous_build_id: str | None = None
    built_at: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    skipped: tuple[SkipRecord, ...] = ()
    files: dict[str, FileDigest] = field(default_factory=dict)  # files store: name → checksum
    analyzer_version: int = 0  # version of the French lexical analyser
    format_version: int = FORMAT_VERSION

    @property
    def model_id(self) -> str:
        return self.embedding.model_id

    def document_files(self) -> dict[str, str]:
        """doc id → the file it came from."""
        return {d.doc_id: d.file for d in self.documents}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "build_id": self.build_id,
            "previous_build_id": self.previous_build_id,
            "built_at": self.built_at,
            "embedding": self.embedding.to_dict(),
            "chunking": dataclasses.asdict(self.chunking),
            "lexical": {"analyzer_version": self.analyzer_version},
            "chunk_count": self.chunk_count,
            "sentence_count": self.sentence_count,
            "documents": [d.to_dict() for d in self.documents],
            "skipped": [s.to_dict() for s in self.skipped],
            "files": {name: digest.to_dict() for name, digest in self.files.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Manifest":
        """Read a manifest's JSON form; raises `ManifestError` when it is malformed."""
        try:
            return cls(
                format_version=int(data["format_version"]),
                build_id=str(data["build_id"]),
                previous_build_id=data.get("previous_build_id"),
                built_at=str(data.get("built_at", "")),
                embedding=EmbeddingInfo.from_dict(data["embedding"]),
                chunking=ChunkingConfig(**data["chunking"]),
                analyzer_version=int(data.get("lexical", {}).get("analyzer_version", 0)),
                chunk_count=int(data["chunk_count"]),
                sentence_count=int(data.get("sentence_count", 0)),
                documents=tuple(DocumentRecord.from_dict(d) for d in data["documents"]),
                skipped=tuple(SkipRecord.from_dict(s) for s in data.get("skipped", ())),
                files={name: FileDigest.from_dict(d) for name, d in data.get("files", {}).items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ManifestError(f"{type(error).__name__}: {error}") from None
