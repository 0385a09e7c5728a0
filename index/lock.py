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

from index.errors import IndexBusy

LOCK_FILE = "build.lock"


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
            f"Une autre construction de l'index {index_dir} est en cours "
            f"(verrou {lock_path} tenu ; attente de {timeout:g} s). "
            "Attendez qu'elle se termine, puis relancez la commande."
        ) from None
    try:
        yield
    finally:
        lock.release()
