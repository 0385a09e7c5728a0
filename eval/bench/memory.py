"""`assistant bench memory`: peak memory of ingesting a large corpus, and of embedding."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.settings import Settings
from eval.bench.common import peak_rss_mb, print_table


def make_large_corpus(source_dir: Path, target_dir: Path, target_mb: float) -> tuple[int, int]:
    """Copies of the text documents of `source_dir`, each slightly varied, until
    `target_mb` MB; returns (files, bytes). Every copy differs from the others
    (one paragraph in ten gets a numbered sentence), as edited versions would."""
    from ingest.pipeline import discover_files

    originals = [p for p in discover_files(source_dir) if p.suffix in (".txt", ".md")]
    target_dir.mkdir(parents=True, exist_ok=True)
    files = total = copy = 0
    while total < target_mb * 1024 * 1024:
        for path in originals:
            paragraphs = path.read_text(encoding="utf-8").split("\n\n")
            varied = [
                f"{p.rstrip()} Variante numéro {copy} de ce paragraphe."
                if i % 10 == copy % 10 and p.rstrip().endswith(".") else p
                for i, p in enumerate(paragraphs)
            ]
            out = target_dir / f"{path.stem}-copie-{copy:03d}{path.suffix}"
            out.write_text("\n\n".join(varied), encoding="utf-8")
            total += out.stat().st_size
            files += 1
        copy += 1
    return files, total


def _memory_child(kind: str, corpus_dir: str, settings_json: str, batches: int = 8,
                  batch_size: int = 32) -> None:
    """Run in a fresh interpreter by `bench_memory` with the parent's settings; prints one JSON line.

    `ingest`: the whole ingestion stage over `corpus_dir` (no embedding).
    `embed`: the configured embedder on `batches` batches of the corpus's chunks.
    """
    from ingest.config import IngestLimits
    from ingest.pipeline import Ingester, ingest_corpus, load_and_clean

    settings = Settings(**json.loads(settings_json))
    limits = IngestLimits(max_file_mb=1000)
    result: dict[str, float] = {"rss_start_mb": peak_rss_mb()}
    if kind == "ingest":
        from index.embedder import load_token_counter

        count = load_token_counter(settings.embedding_model, settings.cache_dir)
        started = time.perf_counter()
        ingested = ingest_corpus(Path(corpus_dir), Ingester(limits, settings.chunking, count))
        result.update(
            seconds=time.perf_counter() - started,
            documents=len(ingested.documents),
            chunks=len(ingested.chunks),
            skipped=len(ingested.skipped),
        )
    else:
        from index.embedder import load_embedder

        embedder = load_embedder(settings.embedding_model, settings.embedding_backend,
                                 settings.cache_dir)
        result["rss_model_mb"] = peak_rss_mb()
        ingester = Ingester(limits, settings.chunking, embedder.count_tokens)
        texts: list[str] = []
        for path in sorted(Path(corpus_dir).iterdir()):
            texts += [c.text for c in ingester.chunk(load_and_clean(path, limits))]
            if len(texts) >= batches * batch_size:
                break
        texts = texts[: batches * batch_size]
        result["rss_before_embedding_mb"] = peak_rss_mb()
        started = time.perf_counter()
        for start in range(0, len(texts), batch_size):
            embedder.embed_passages(texts[start : start + batch_size], batch_size=batch_size)
        result.update(seconds=time.perf_counter() - started, chunks=len(texts))
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def _run_memory_child(kind: str, corpus_dir: Path, settings: Settings, batches: int) -> dict:
    code = (
        "from eval.bench.memory import _memory_child; "
        f"_memory_child({kind!r}, {str(corpus_dir)!r}, {settings.model_dump_json()!r}, {batches})"
    )
    root = Path(__file__).resolve().parents[2]
    finished = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                              text=True, timeout=3600)
    if finished.returncode != 0:
        raise RuntimeError(f"memory bench ({kind}) failed: {finished.stderr[-1500:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def bench_memory(settings: Settings, target_mb: float = 50.0, embed_batches: int = 8) -> list[tuple[str, str]]:
    """Peak memory and time of (1) ingesting ~`target_mb` MB of text (load, clean,
    chunk with the real tokenizer, near-duplicate linking; no embedding) and (2)
    embedding `embed_batches` batches of 32 of its chunks with the configured model.
    Each is measured in a fresh process (peak RSS = VmHWM). Prints a table."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        started = time.perf_counter()
        files, size = make_large_corpus(settings.corpus_dir, corpus_dir, target_mb)
        generated = time.perf_counter() - started
        ingest = _run_memory_child("ingest", corpus_dir, settings, embed_batches)
        embed = _run_memory_child("embed", corpus_dir, settings, embed_batches)
    mb = size / 1024 / 1024
    rows = [
        ("generated corpus", f"{files} files, {mb:.1f} MB ({generated:.1f} s)"),
        ("ingest: load+clean+chunk+dedup (s)", f"{ingest['seconds']:.1f}"),
        ("ingest throughput (MB/s)", f"{mb / ingest['seconds']:.2f}"),
        ("ingest: documents / chunks / skipped",
         f"{ingest['documents']:.0f} / {ingest['chunks']:.0f} / {ingest['skipped']:.0f}"),
        ("ingest peak RSS (MiB)", f"{ingest['peak_rss_mb']:.0f}"),
        ("ingest peak RSS per MB of text (MiB)",
         f"{(ingest['peak_rss_mb'] - ingest['rss_start_mb']) / mb:.1f}"),
        ("embedding: chunks (batches of 32)", f"{embed['chunks']:.0f}"),
        ("embedding time (s) / chunks per s",
         f"{embed['seconds']:.1f} / {embed['chunks'] / embed['seconds']:.1f}"),
        ("RSS after model load (MiB)", f"{embed['rss_model_mb']:.0f}"),
        ("embedding peak RSS (MiB)", f"{embed['peak_rss_mb']:.0f}"),
    ]
    print_table(f"Memory: ingest {mb:.0f} MB of text, embed {embed_batches} batches", rows)
    return rows


def main_memory(settings: Settings, target_mb: float = 50.0) -> int:
    """`assistant bench memory`."""
    bench_memory(settings, target_mb=target_mb)
    return 0
