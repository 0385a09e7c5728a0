"""Write a version of the files store and publish it atomically; clean up after crashes.

A build writes its version under a temporary name (`versions/.tmp-<id>-<pid>`),
fsyncs every file, renames the directory to `versions/<id>` (atomic) and only
then points `CURRENT` at it (atomic replace). Readers only follow `CURRENT`,
so they see the old version or the new one, never a mix. A crash at any
point leaves `CURRENT` naming the previous, complete version; what it leaves
behind (a `.tmp-*` directory, a pointer temp file, a renamed but unpublished
version) is removed by the next build, which holds the build lock so it
cannot delete another builder's work. After each publish, versions other than
the current and the previous one are deleted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.dense import DenseIndex
from index.lexical import LexicalIndex
from index.store.files.layout import (
    CHUNKS,
    DENSE,
    DOCUMENTS,
    LEXICAL_DIR,
    MANIFEST,
    POINTER_TEMP_GLOB,
    SENTENCES,
    TMP_PREFIX,
    VERSIONS_DIR,
    write_pointer,
)
from index.store.records import document_to_dict
from index.store.manifest import Manifest
from index.store.planning import DocumentEntry
from ingest.atomic import fsync_and_digest, fsync_dir, write_durable, write_jsonl
from ingest.models import Chunk


def write_version(
    tmp_dir: Path,
    manifest: Manifest,
    entries: Sequence[DocumentEntry],
    chunks: Sequence[Chunk],
    dense: DenseIndex,
    lexical: LexicalIndex,
    sentence_vectors: np.ndarray,
) -> str:
    """Write a complete version into `tmp_dir`; return the sha256 of its manifest.

    The manifest written records the checksum of every file written.
    """
    tmp_dir.mkdir(parents=True)
    files = {
        CHUNKS: write_jsonl(tmp_dir / CHUNKS, (c.to_dict() for c in chunks)),
        DOCUMENTS: write_jsonl(
            tmp_dir / DOCUMENTS,
            ({**document_to_dict(e.document), "file_hash": e.file_hash} for e in entries),
        ),
    }
    dense.save(tmp_dir / DENSE)
    files[DENSE] = fsync_and_digest(tmp_dir / DENSE)
    np.save(tmp_dir / SENTENCES, np.ascontiguousarray(sentence_vectors, dtype=np.float32), allow_pickle=False)
    files[SENTENCES] = fsync_and_digest(tmp_dir / SENTENCES)
    for path in lexical.save(tmp_dir / LEXICAL_DIR):
        files[path.relative_to(tmp_dir).as_posix()] = fsync_and_digest(path)
    fsync_dir(tmp_dir / LEXICAL_DIR)
    manifest = dataclasses.replace(manifest, files=files)
    data = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    write_durable(tmp_dir / MANIFEST, data)
    fsync_dir(tmp_dir)
    return hashlib.sha256(data).hexdigest()


def publish(index_dir: Path, tmp_dir: Path, build_id: str, manifest_sha: str) -> None:
    """Move a written version into place, then point `CURRENT` at it."""
    versions = index_dir / VERSIONS_DIR
    os.rename(tmp_dir, versions / build_id)
    fsync_dir(versions)
    write_pointer(index_dir, build_id, manifest_sha)


def remove_leftovers(index_dir: Path) -> list[str]:
    """Delete what crashed builds left (the caller holds the build lock)."""
    removed = []
    for path in index_dir.glob(POINTER_TEMP_GLOB):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    versions = index_dir / VERSIONS_DIR
    if versions.is_dir():
        for path in versions.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def collect_garbage(index_dir: Path, keep: set[str]) -> None:
    """Delete versions other than `keep` (the current and the previous one)."""
    for path in (index_dir / VERSIONS_DIR).iterdir():
        if path.name not in keep and not path.name.startswith(TMP_PREFIX):
            shutil.rmtree(path, ignore_errors=True)

