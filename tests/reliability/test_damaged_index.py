"""A damaged index is detected when it is loaded, never used to answer.

Each test damages a copy of the session's real index (the bundled corpus with
the French model) and checks that the assistant refuses it with a message
saying how to rebuild, in the Python API and in the `assistant ask` command.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.errors import IndexUnavailable
from index.store import FileStore
from tests.reliability.harness import ROOT, write_state

pytestmark = pytest.mark.slow  # builds and damages indexes with the real French model


def current_build_id(index_dir: Path) -> str | None:
    return FileStore(index_dir).current_version()


QUESTION = "Quel budget pour le Health Data Hub en 2020 ?"


def copy_index(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("build.lock"))
    return target


def version_dir(index_dir: Path) -> Path:
    return index_dir / "versions" / str(current_build_id(index_dir))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def change_a_number(path: Path) -> None:
    """The dangerous damage: same size, still valid JSON, a wrong figure in a passage."""
    data = path.read_bytes()
    assert b"2020" in data
    path.write_bytes(data.replace(b"2020", b"2021", 1))


def edit_manifest(path: Path) -> None:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["chunk_count"] += 1
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


DAMAGES: dict[str, Callable[[Path], None]] = {
    "faiss-truncated": lambda i: truncate(version_dir(i) / "dense.faiss"),
    "faiss-byte-flipped": lambda i: flip_byte(version_dir(i) / "dense.faiss"),
    "chunk-number-changed": lambda i: change_a_number(version_dir(i) / "chunks.jsonl"),
    "chunks-truncated": lambda i: truncate(version_dir(i) / "chunks.jsonl"),
    "documents-missing": lambda i: (version_dir(i) / "documents.jsonl").unlink(),
    "bm25-array-corrupted": lambda i: flip_byte(version_dir(i) / "bm25" / "data.csc.index.npy"),
    "manifest-edited": lambda i: edit_manifest(version_dir(i) / "manifest.json"),
    "manifest-truncated": lambda i: truncate(version_dir(i) / "manifest.json"),
    "current-garbage": lambda i: (i / "CURRENT").write_bytes(b"\x00garbage\xff\n"),
    "current-empty": lambda i: (i / "CURRENT").write_text(""),
    "current-unknown-build": lambda i: (i / "CURRENT").write_text(
        "20990101-000000-deadbeef " + "0" * 64 + "\n"
    ),
    "version-deleted": lambda i: shutil.rmtree(version_dir(i)),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_index_is_refused_at_load_with_how_to_rebuild(
    bundled_index, settings, default_embedder, tmp_path, damage
):
    index_dir = copy_index(bundled_index, tmp_path / "index")
    DAMAGES[damage](index_dir)
    with pytest.raises(IndexUnavailable) as caught:
        Assistant.load(
            settings=settings.model_copy(update={"index_dir": index_dir}),
            embedder=default_embedder,
            build_if_missing=False,
        )
    message = str(caught.value)
    assert "rebuild" in message.lower() and "assistant ingest" in message
    assert "Traceback" not in message and "\n" not in message


def _publish_damaged_copy(index_dir: Path) -> str:
    """Publish a new build that is a copy of the current one with a figure changed."""
    old = version_dir(index_dir)
    new_id = "20990101-000000-0badc0de"
    new = index_dir / "versions" / new_id
    shutil.copytree(old, new)
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    manifest["build_id"] = new_id
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    (new / "manifest.json").write_bytes(data)
    change_a_number(new / "chunks.jsonl")
    (index_dir / "CURRENT").write_text(f"{new_id} {hashlib.sha256(data).hexdigest()}\n")
    return new_id


def test_a_running_assistant_never_answers_from_a_damaged_new_build(
    bundled_index, settings, default_embedder, tmp_path
):
    index_dir = copy_index(bundled_index, tmp_path / "index")
    good_id = current_build_id(index_dir)
    bot = Assistant.load(settings=settings.model_copy(update={"index_dir": index_dir}),
                         embedder=default_embedder, build_if_missing=False)
    before = bot.ask(QUESTION)
    assert before.index_version == good_id and not before.abstained

    bad_id = _publish_damaged_copy(index_dir)
    # Either the question is refused with the rebuild hint, or it is answered from
    # the previous, verified build; never from the damaged one.
    try:
        during = bot.ask(QUESTION)
    except IndexUnavailable as error:
        assert "rebuild" in str(error).lower()
    else:
        assert during.index_version == good_id != bad_id
        assert during.text == before.text

    # Once the pointer is repaired, the same assistant answers again without a restart.
    (index_dir / "CURRENT").write_text(f"{good_id} {_manifest_sha(index_dir, good_id)}\n")
    assert bot.ask(QUESTION).text == before.text


def _manifest_sha(index_dir: Path, build_id: str) -> str:
    data = (index_dir / "versions" / build_id / "manifest.json").read_bytes()
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("damage", ["faiss-truncated", "current-garbage"])
def test_assistant_ask_on_a_damaged_index_prints_one_clear_line(
    bundled_index, tmp_path, damage
):
    index_dir = copy_index(bundled_index, tmp_path / "index")
    DAMAGES[damage](index_dir)
    # A tiny corpus: should the command try to rebuild instead of reporting, it
    # would do so in seconds (and the test would fail on the exit code).
    corpus = write_state(tmp_path / "corpus", "ancient")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir),
           "ASSISTANT_CORPUS_DIR": str(corpus)}
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ask", QUESTION],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0, f"answered from a damaged index:\n{done.stdout[-800:]}"
    assert "Traceback" not in done.stderr
    assert "rebuild" in done.stderr.lower()
    assert "Sources" not in done.stdout  # no answer printed
