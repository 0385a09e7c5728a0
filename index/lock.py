"""One builder at a time per index directory.

Builds take an exclusive `filelock` on `<index_dir>/build.lock` (an OS-level
`flock`, released by the kernel if the process dies, so a crashed build never
leaves a stale lock). A second build waits up to `timeout` seconds, then gives
up with `IndexBusy`. Readers never take this lock: they only read `CURRENT`
and immutable version directories.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = "build.lock"


class IndexBusy(RuntimeError):
    """Another process (or thread) is already building this index."""


@contextmanager
def build_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the build lock of `index_dir`; raise `IndexBusy` after `timeout` s."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir / LOCK_FILE
    lock = FileLock(lock_path, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusy(
            f"Another build of the index in {index_dir} is already running "
            f"(lock {lock_path} held; waited {timeout:g} s). "
            "Wait for it to finish, then run the command again."
        ) from None
    try:
        yield
    finally:
        lock.release()
