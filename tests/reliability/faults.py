"""Fault injection without hooks in production code: wrap what the code calls.

A fault is installed by replacing a library or OS function with a wrapper that
behaves normally until the chosen call, then either SIGKILLs the process (in
a child process: a crash at that exact point) or raises an `OSError` (disk
full, read-only file system) like the real system call would.

* `FaultyOpen` wraps `open` (the builtin, also used by `Path.open`,
  `Path.write_text`, `numpy.save`, bm25s and json.dump) and fails the n-th
  `write()` to a file whose name matches a pattern, after writing half of
  that call's data, so the file is really left half-written.
* `faulty_faiss_write` wraps `faiss.write_index` (C++ I/O that `open` does not
  see): the file is written, truncated to half, then the fault fires.
* `fail_on_call` wraps any function and fires on its n-th matching call.
"""

from __future__ import annotations

import builtins
import errno
import fnmatch
import io
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

Fault = Callable[[str], None]  # receives the path (or call) it fires on


def kill_now(_where: str = "") -> None:
    """SIGKILL this process: no cleanup, no `finally`, no flush of Python buffers."""
    os.kill(os.getpid(), signal.SIGKILL)


def raise_errno(code: int) -> Fault:
    """A fault raising `OSError(code)` as the failing system call would."""

    def fire(where: str) -> None:
        raise OSError(code, os.strerror(code), where)

    return fire


disk_full = raise_errno(errno.ENOSPC)
read_only = raise_errno(errno.EROFS)


class _FaultyFile:
    """A file object that forwards everything and counts `write()` calls."""

    def __init__(self, handle: Any, path: str, owner: "FaultyOpen") -> None:
        self._handle = handle
        self._path = path
        self._owner = owner

    def write(self, data: Any) -> int:
        self._owner.writes += 1
        if self._owner.writes == self._owner.nth:
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            self._owner.fired = True
            self._owner.fault(self._path)
        return self._handle.write(data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __enter__(self) -> "_FaultyFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __iter__(self):
        return iter(self._handle)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


class FaultyOpen:
    """Replacement for `open` failing the `nth` write to files named like `pattern`.

    `pattern` is an `fnmatch` pattern on the file name (e.g. `chunks.jsonl`,
    `.CURRENT.*.tmp`, `*`). Files opened for reading are never touched.
    """

    def __init__(self, pattern: str, nth: int, fault: Fault) -> None:
        self.pattern = pattern
        self.nth = nth
        self.fault = fault
        self.writes = 0
        self.fired = False
        self._real_open = builtins.open

    def __call__(self, file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = self._real_open(file, mode, *args, **kwargs)
        writing = any(flag in mode for flag in "wax+")
        if writing and isinstance(file, (str, os.PathLike)):
            if fnmatch.fnmatch(Path(os.fspath(file)).name, self.pattern):
                return _FaultyFile(handle, os.fspath(file), self)
        return handle

    def install(self) -> None:
        """Replace `open` for the rest of this process (child processes only)."""
        builtins.open = self
        io.open = self

    def patch(self, monkeypatch: Any) -> "FaultyOpen":
        """Replace `open` until the end of the current test (pytest `monkeypatch`)."""
        monkeypatch.setattr(builtins, "open", self)
        monkeypatch.setattr(io, "open", self)
        return self


def faulty_faiss_write(fault: Fault) -> Callable[..., None]:
    """A `faiss.write_index` that writes, truncates the file to half, then fires."""
    import faiss

    real = faiss.write_index

    def write_index(index: Any, path: str) -> None:
        real(index, path)
        size = os.path.getsize(path)
        with builtins.open(path, "r+b") as handle:
            handle.truncate(size // 2)
        fault(str(path))

    return write_index


def fail_on_call(
    function: Callable[..., Any],
    nth: int,
    fault: Fault,
    *,
    after: bool = False,
    when: Callable[..., bool] | None = None,
) -> Callable[..., Any]:
    """Wrap `function`: on its `nth` call for which `when(*args)` holds, fire `fault`.

    `after=True` lets that call complete first (a crash just after it).
    """
    calls = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if when is None or when(*args, **kwargs):
            calls += 1
            if calls == nth:
                if not after:
                    fault(getattr(function, "__name__", "call"))
                result = function(*args, **kwargs)
                fault(getattr(function, "__name__", "call"))
                return result
        return function(*args, **kwargs)

    return wrapper
