"""Where the files store keeps things, and the `CURRENT` pointer that publishes a version.

Layout::

    <index_dir>/
        CURRENT                  "<build-id> <sha256 of its manifest.json>"
        build.lock               held by the one running build (index/lock.py)
        versions/
            <build-id>/          one complete, immutable version
                manifest.json    `Manifest.to_dict()`, with sha256 + size of every other file
                chunks.jsonl     one `Chunk.to_dict()` per line; line i = row i
                documents.jsonl  one clean document per line (text included)
                dense.faiss      FAISS IndexIDMap2(IndexFlatIP), ids = rows
                sentences.npy    one vector per sentence, chunk by chunk (float32)
                bm25/            bm25s arrays (.npy) + JSON vocabulary/parameters
            .tmp-<build-id>-<pid>/   a build in progress (or left by a crash)
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from ingest.atomic import atomic_write_text

CURRENT_FILE = "CURRENT"
VERSIONS_DIR = "versions"
TMP_PREFIX = ".tmp-"
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DOCUMENTS = "documents.jsonl"
DENSE = "dense.faiss"
SENTENCES = "sentences.npy"
LEXICAL_DIR = "bm25"
# The atomic helper writes `CURRENT` through `.CURRENT.<random>.tmp` in the same folder.
POINTER_TEMP_GLOB = f".{CURRENT_FILE}.*.tmp"

_BUILD_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")


def new_build_id() -> str:
    """A fresh, sortable version id: UTC time and 8 random hex digits."""
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"


def read_pointer(index_dir: Path) -> tuple[str, str] | None:
    """(build id, manifest sha256) from `CURRENT`, or None when absent or unreadable."""
    try:
        fields = (index_dir / CURRENT_FILE).read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    if len(fields) != 2 or not _BUILD_ID.match(fields[0]):
        return None
    return fields[0], fields[1]


def write_pointer(index_dir: Path, build_id: str, manifest_sha: str) -> None:
    """Point `CURRENT` at a version, atomically: readers see the old or the new pointer."""
    atomic_write_text(index_dir / CURRENT_FILE, f"{build_id} {manifest_sha}\n")
