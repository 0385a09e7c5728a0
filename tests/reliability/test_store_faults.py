"""Crashes, full disks, read-only directories and concurrent builds against `index/store.py`.

Every test starts from an index holding the OLD corpus (see `harness.py`),
changes the corpus to NEW and interrupts the build somewhere. Afterwards the
index must open (checksums verified), hold exactly OLD or exactly NEW (never
a mix), answer queries from that version only, and the next build must clean
up what the interrupted one left behind.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import faiss
import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from index.errors import IndexUnavailable
from index.store import FileStore
from tests.reliability.conftest import Built, run_child
from tests.reliability.faults import FaultyOpen, disk_full, faulty_faiss_write, read_only
from tests.reliability.harness import MARKER, leftovers, texts_by_doc, update, version_names, write_state

pytestmark = pytest.mark.slow  # builds indexes with the MiniLM test model in child processes


def open_index(index_dir: Path):
    return FileStore(index_dir).open()


def assert_single_version(index_dir: Path, state: str, state_texts, embedder) -> None:
    """The index opens and holds exactly the corpus `state`, queries included."""
    snapshot = open_index(index_dir)  # raises if any file disagrees with the manifest
    texts = {c.text for c in snapshot.chunks}
    assert texts == state_texts[state]
    for doc_id, doc_texts in texts_by_doc(snapshot.chunks).items():
        marked = any(MARKER in t for t in doc_texts)
        assert marked == (state == "new"), f"{doc_id} comes from the other corpus version"
    bot = Assistant.load(
        settings=Settings(index_dir=index_dir, corpus_dir=index_dir.parent / "corpus"),
        embedder=embedder,
        build_if_missing=False,
    )
    passages = bot.retrieve(f"Quel paragraphe contient le mot témoin {MARKER} ?", k=6)
    assert passages and all(p.text in state_texts[state] for p in passages)
    assert (MARKER in passages[0].text) == (state == "new")


# (kill point, corpus the index must hold after the kill, what the crash leaves behind)
KILL_POINTS = [
    pytest.param("load:2", "old", None, id="loading"),
    pytest.param("embed:2", "old", None, id="embedding"),
    pytest.param("write:chunks.jsonl:3", "old", "tmp", id="writing-chunks"),
    pytest.param("write:documents.jsonl:2", "old", "tmp", id="writing-documents"),
    pytest.param("faiss", "old", "tmp", id="writing-faiss"),
    pytest.param("write:data.csc.index.npy:2", "old", "tmp", id="writing-bm25-arrays"),
    pytest.param("write:vocab.index.json:1", "old", "tmp", id="writing-bm25-vocabulary"),
    pytest.param("write:params.index.json:2", "old", "tmp", id="writing-bm25-params"),
    pytest.param("write:lexical.json:1", "old", "tmp", id="writing-bm25-meta"),
    pytest.param("write:manifest.json:1", "old", "tmp", id="writing-manifest"),
    pytest.param("rename:before", "old", "tmp", id="before-rename"),
    pytest.param("rename:after", "old", "orphan", id="after-rename"),
    pytest.param("write:.CURRENT.*.tmp:1", "old", "pointer", id="writing-pointer"),
    pytest.param("replace:before", "old", "pointer", id="before-swap"),
    pytest.param("replace:after", "new", None, id="after-swap"),
    pytest.param("gc", "new", None, id="collecting-old-version"),
]


@pytest.mark.parametrize("point, expected, left", KILL_POINTS)
def test_sigkill_leaves_exactly_one_complete_version(
    built: Built, word_embedder, vectors_file, state_texts, point, expected, left
):
    write_state(built.corpus_dir, "new")
    done = run_child(built.index_dir, built.corpus_dir, vectors_file, "--kill", point,
                     "--batch-size", "1")
    assert done.returncode == -signal.SIGKILL, f"not killed at {point}: {done.stderr[-2000:]}"

    assert_single_version(built.index_dir, expected, state_texts, word_embedder)
    if expected == "old":
        assert open_index(built.index_dir).version == built.old_id
    complete = [n for n in version_names(built.index_dir) if not n.startswith(".tmp-")]
    if left == "tmp":
        assert any(n.startswith(".tmp-") for n in version_names(built.index_dir))
    elif left == "pointer":
        assert list(built.index_dir.glob(".CURRENT.*.tmp"))
    elif left == "orphan":  # renamed into place, never published
        assert len(set(complete) - {built.ancient_id, built.old_id}) == 1

    # The next build removes the leftovers and publishes NEW.
    report = update(built.index_dir, built.corpus_dir, word_embedder)
    assert leftovers(built.index_dir) == []
    assert_single_version(built.index_dir, "new", state_texts, word_embedder)
    if not report.up_to_date:
        assert version_names(built.index_dir) == sorted({report.build_id, built.old_id})


@pytest.mark.parametrize("point", ["embed:1", "write:chunks.jsonl:2", "replace:before"])
def test_sigkill_during_the_first_build_leaves_no_index_then_recovers(
    tmp_path, word_embedder, vectors_file, state_texts, point
):
    index_dir, corpus_dir = tmp_path / "index", write_state(tmp_path / "corpus", "old")
    done = run_child(index_dir, corpus_dir, vectors_file, "--kill", point, "--batch-size", "1")
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    with pytest.raises(IndexUnavailable, match="Aucun index"):
        open_index(index_dir)
    update(index_dir, corpus_dir, word_embedder)
    assert leftovers(index_dir) == []
    assert_single_version(index_dir, "old", state_texts, word_embedder)


# --------------------------------------------------------------------------- full disk


DISK_FULL_POINTS = [
    pytest.param(lambda: FaultyOpen("chunks.jsonl", 2, disk_full), id="chunks"),
    pytest.param(lambda: FaultyOpen("data.csc.index.npy", 2, disk_full), id="bm25"),
    pytest.param(lambda: FaultyOpen("manifest.json", 1, disk_full), id="manifest"),
    pytest.param(lambda: FaultyOpen(".CURRENT.*.tmp", 1, disk_full), id="pointer"),
    pytest.param("faiss", id="faiss"),
]


@pytest.mark.parametrize("fault", DISK_FULL_POINTS)
def test_disk_full_during_a_build_keeps_the_previous_index(
    built: Built, word_embedder, state_texts, monkeypatch, fault
):
    if fault == "faiss":
        monkeypatch.setattr(faiss, "write_index", faulty_faiss_write(disk_full))
    else:
        fault().patch(monkeypatch)
    write_state(built.corpus_dir, "new")
    with pytest.raises(OSError) as caught:
        update(built.index_dir, built.corpus_dir, word_embedder)
    assert caught.value.errno == errno.ENOSPC
    assert "No space left on device" in str(caught.value)
    assert_single_version(built.index_dir, "old", state_texts, word_embedder)
    assert not [n for n in version_names(built.index_dir) if n.startswith(".tmp-")]

    monkeypatch.undo()  # space freed: the next build succeeds and cleans up
    update(built.index_dir, built.corpus_dir, word_embedder)
    assert leftovers(built.index_dir) == []
    assert_single_version(built.index_dir, "new", state_texts, word_embedder)


def _mount_tmpfs(target: Path, size: str) -> str | None:
    """Mount a small tmpfs at `target`; None when mounted, else why it could not be."""
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:  # no `mount` command
        return f"`mount` could not run: {error}"
    if done.returncode != 0:
        return f"`mount -t tmpfs` refused: {(done.stderr or done.stdout).strip() or done.returncode}"
    return None


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def small_filesystem(tmp_path):
    """A real 2 MB tmpfs holding the index. Where the machine does not allow
    mounting, the test is SKIPPED with the reason (shown in the summary by
    `-ra`); its simulated twin below runs everywhere."""
    mount_point = tmp_path / "fs"
    refusal = _mount_tmpfs(mount_point, "2m")
    if refusal:
        pytest.skip(f"real tmpfs not available on this machine ({refusal}); the simulated variant still runs")
    yield mount_point
    _umount(mount_point)


def test_a_refused_mount_gives_the_reason_the_skip_will_show(tmp_path, monkeypatch):
    refused = subprocess.CompletedProcess([], 32, "", "mount: permission denied (are you root?)\n")
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: refused)
    reason = _mount_tmpfs(tmp_path / "fs", "2m")
    if os.geteuid() == 0:
        assert reason == "`mount -t tmpfs` refused: mount: permission denied (are you root?)"
    else:
        assert reason == "mounting a tmpfs needs root"


def _fill(filesystem: Path) -> Path:
    """Write zeros until the file system is full; the filler file."""
    filler = filesystem / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def assert_full_disk_keeps_the_previous_index(base: Path, tmp_path: Path, word_embedder, state_texts,
                                        monkeypatch, make_full) -> None:
    """Build OLD under `base`, make the disk full (`make_full()` returns what to
    delete to free it), build NEW: ENOSPC, OLD intact; freed: NEW builds cleanly."""
    index_dir, corpus_dir = base / "index", write_state(tmp_path / "corpus", "old")
    update(index_dir, corpus_dir, word_embedder)
    before = open_index(index_dir).version
    write_state(corpus_dir, "new")  # before the fault: the corpus lives on a sound disk
    filler = make_full()
    with pytest.raises(OSError) as caught:
        update(index_dir, corpus_dir, word_embedder)
    assert caught.value.errno == errno.ENOSPC
    assert open_index(index_dir).version == before
    assert_single_version(index_dir, "old", state_texts, word_embedder)

    monkeypatch.undo()
    if filler is not None:
        filler.unlink()
    update(index_dir, corpus_dir, word_embedder)
    assert leftovers(index_dir) == []
    assert_single_version(index_dir, "new", state_texts, word_embedder)


def test_a_really_full_file_system_keeps_the_previous_index(
    small_filesystem, tmp_path, word_embedder, state_texts, monkeypatch
):
    """On a real 2 MB tmpfs filled to the brim."""
    assert_full_disk_keeps_the_previous_index(small_filesystem, tmp_path, word_embedder, state_texts, monkeypatch,
                                        lambda: _fill(small_filesystem))


def test_every_write_failing_with_enospc_keeps_the_previous_index(
    tmp_path, word_embedder, state_texts, monkeypatch
):
    """Simulated: every file the build opens for writing fails with ENOSPC."""
    def make_full() -> None:
        FaultyOpen("*", 1, disk_full).patch(monkeypatch)

    assert_full_disk_keeps_the_previous_index(tmp_path / "plain", tmp_path, word_embedder, state_texts, monkeypatch,
                                        make_full)


def assert_read_only_gives_a_clear_error(index_dir: Path, corpus_dir: Path, word_embedder, state_texts,
                                   make_read_only, make_writable, expected: set[int]) -> None:
    """Build OLD, make the index read-only, build NEW: an OSError naming the
    path, OLD still answers; writable again: NEW builds cleanly."""
    update(index_dir, corpus_dir, word_embedder)
    write_state(corpus_dir, "new")  # before the fault: the corpus lives on a writable disk
    make_read_only()
    try:
        with pytest.raises(OSError) as caught:
            update(index_dir, corpus_dir, word_embedder)
        assert caught.value.errno in expected
        assert str(index_dir) in str(caught.value)  # says which path could not be written
        # Readers never write: the previous build still answers.
        assert_single_version(index_dir, "old", state_texts, word_embedder)
    finally:
        make_writable()
    update(index_dir, corpus_dir, word_embedder)
    assert leftovers(index_dir) == []
    assert_single_version(index_dir, "new", state_texts, word_embedder)


def test_a_read_only_file_system_gives_a_clear_error_and_stays_readable(
    small_filesystem, tmp_path, word_embedder, state_texts
):
    """For real: the tmpfs holding the index remounted read-only."""
    remount = lambda mode: subprocess.run(["mount", "-o", f"remount,{mode}", str(small_filesystem)],  # noqa: E731
                                          check=True)
    assert_read_only_gives_a_clear_error(small_filesystem / "index", write_state(tmp_path / "corpus", "old"),
                                   word_embedder, state_texts, lambda: remount("ro"), lambda: remount("rw"),
                                   {errno.EROFS})


def test_an_index_directory_without_write_permission_gives_a_clear_error(
    tmp_path, word_embedder, state_texts
):
    """For real, with `chmod`: only meaningful for a user without root's override."""
    if os.geteuid() == 0:
        pytest.skip("running as root, which ignores directory permissions; the tmpfs and simulated variants cover it")
    index_dir = tmp_path / "index"
    folders = (index_dir, index_dir / "versions")

    def chmod(mode: int) -> None:
        for folder in folders:
            folder.chmod(mode)

    assert_read_only_gives_a_clear_error(index_dir, write_state(tmp_path / "corpus", "old"), word_embedder,
                                   state_texts, lambda: chmod(0o555), lambda: chmod(0o755),
                                   {errno.EACCES, errno.EPERM})


def test_writes_failing_with_erofs_give_a_clear_error_and_stay_readable(
    tmp_path, word_embedder, state_texts, monkeypatch
):
    """Simulated: every file the build opens for writing fails with EROFS."""
    assert_read_only_gives_a_clear_error(tmp_path / "index", write_state(tmp_path / "corpus", "old"), word_embedder,
                                   state_texts, lambda: FaultyOpen("*", 1, read_only).patch(monkeypatch),
                                   monkeypatch.undo, {errno.EROFS})


# --------------------------------------------------------------------------- concurrency


def _lock_is_held(index_dir: Path) -> bool:
    """True when another process holds the build lock (probe, released at once)."""
    try:
        fd = os.open(index_dir / "build.lock", os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_two_ingest_processes_at_once_wait_or_refuse_without_damage(
    built: Built, word_embedder, vectors_file, state_texts
):
    write_state(built.corpus_dir, "new")
    release = built.index_dir.parent / "release"
    first = run_child(built.index_dir, built.corpus_dir, vectors_file, "--wait-for",
                      str(release), wait=False)
    deadline = time.monotonic() + 60
    while not _lock_is_held(built.index_dir):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first build never took the lock"
        time.sleep(0.05)

    impatient = run_child(built.index_dir, built.corpus_dir, vectors_file,
                          "--lock-timeout", "0.3")
    patient = run_child(built.index_dir, built.corpus_dir, vectors_file,
                        "--lock-timeout", "120", wait=False)
    time.sleep(3.0)  # let the patient builder start and block on the lock
    assert patient.poll() is None
    release.touch()
    first_out, first_err = first.communicate(timeout=120)
    patient_out, patient_err = patient.communicate(timeout=120)

    assert impatient.returncode == 3  # refused, with a message saying why and what to do
    assert "en cours" in impatient.stderr and "Attendez qu'elle se termine" in impatient.stderr
    assert first.returncode == 0, first_err
    assert patient.returncode == 0, patient_err
    assert '"up_to_date": true' in patient_out  # it waited, then found the work done
    assert leftovers(built.index_dir) == []
    assert_single_version(built.index_dir, "new", state_texts, word_embedder)


def test_the_lock_of_a_killed_builder_is_released_by_the_kernel(
    built: Built, word_embedder, vectors_file, state_texts
):
    write_state(built.corpus_dir, "new")
    never = built.index_dir.parent / "never-created"
    builder = run_child(built.index_dir, built.corpus_dir, vectors_file, "--wait-for",
                        str(never), wait=False)
    deadline = time.monotonic() + 60
    while not _lock_is_held(built.index_dir):
        assert builder.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    builder.send_signal(signal.SIGKILL)  # killed from outside while holding the lock
    builder.communicate(timeout=30)
    report = update(built.index_dir, built.corpus_dir, word_embedder, lock_timeout=5)
    assert not report.up_to_date
    assert_single_version(built.index_dir, "new", state_texts, word_embedder)

