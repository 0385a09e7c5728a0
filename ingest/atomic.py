"""Durable, atomic file writes: the one helper every stage writes files with.

A reader must see either the old content of a path or the new one, never a
half-written file, even if the process is killed or the machine loses power
in the middle. The recipe: write a temporary file in the same folder, flush
and `fsync` it, `os.replace` it over the target (atomic on POSIX), then
`fsync` the folder so the rename itself is on disk. The same module streams
JSON Lines with their checksum (the index records a sha256 per file).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

_BLOCK = 1 << 20  # read files in 1 MiB blocks when hashing


@dataclass(frozen=True)
class FileDigest:
    """A file's sha256 and size, as recorded in an index manifest."""

    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FileDigest":
        return cls(sha256=str(data["sha256"]), size=int(data["size"]))


def fsync_dir(folder: Path, *, strict: bool = True) -> None:
    """Make a folder's entries (renames, new files) durable.

    With `strict=False` a file system that cannot sync folders is tolerated
    (the write already happened; only its durability is best effort).
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(fd)
    except OSError:
        if strict:
            raise
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary handle whose content replaces `path` atomically when the block ends.

    On an exception the temporary file is removed and `path` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")  # hidden, same folder
    try:
        with open(tmp, "xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent, strict=False)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, atomically and durably."""
    with atomic_file(path) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with UTF-8 `text`, atomically and durably."""
    atomic_write_bytes(path, text.encode("utf-8"))


def write_durable(path: Path, data: bytes) -> FileDigest:
    """Write a new file and fsync it (no rename: for files inside a staging folder)."""
    with Path(path).open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return FileDigest(hashlib.sha256(data).hexdigest(), len(data))


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> FileDigest:
    """Stream rows to a new JSON Lines file, fsync it, and return its digest.

    Meant for files inside a staging folder that is published as a whole
    (the index's version directories); use `atomic_file` to replace a file.
    """
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("wb") as handle:
        for row in rows:
            data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
            handle.write(data)
            digest.update(data)
            size += len(data)
        handle.flush()
        os.fsync(handle.fileno())
    return FileDigest(digest.hexdigest(), size)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, blank lines skipped."""
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def fsync_and_digest(path: Path) -> FileDigest:
    """fsync a file another library wrote, and return its digest."""
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
        os.fsync(handle.fileno())
    return FileDigest(digest.hexdigest(), size)
