"""Atomic, durable writes: the target holds the old or the new content, never a mix."""

from __future__ import annotations

import json

import pytest

from ingest.atomic import atomic_file, atomic_write_text, file_sha256, read_jsonl, write_jsonl


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "data" / "notes.txt"
    atomic_write_text(path, "ancien contenu\n")
    atomic_write_text(path, "nouveau contenu\n")
    assert path.read_text(encoding="utf-8") == "nouveau contenu\n"
    assert [p.name for p in path.parent.iterdir()] == ["notes.txt"]


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "chunks.jsonl"
    atomic_write_text(path, "ligne 1\nligne 2\n")
    with pytest.raises(RuntimeError, match="disque plein"):
        with atomic_file(path) as handle:
            handle.write(b"ligne 1 modifi")
            raise RuntimeError("disque plein")
    assert path.read_text(encoding="utf-8") == "ligne 1\nligne 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["chunks.jsonl"]


def test_jsonl_round_trip_and_digest(tmp_path):
    rows = [{"id": "a", "texte": "données de santé"}, {"id": "b", "nombre": 9.7}]
    path = tmp_path / "rows.jsonl"
    digest = write_jsonl(path, rows)
    assert list(read_jsonl(path)) == rows
    assert digest.sha256 == file_sha256(path) and digest.size == path.stat().st_size
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(first) == rows[0] and "données" in first  # UTF-8, not \\u escapes
