"""`assistant bench load`: questions from many threads while another process re-indexes.

Every answer's citations must come from the one index version the answer
names; the table gives latencies idle and under load, errors and
inconsistencies.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import Settings
from eval.bench.common import percentile, print_table
from index.embedder import Embedder
from index.store import FileStore


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
            return f"{1000 * percentile(values, p):.0f}" if values else "n/a"

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
    store = FileStore(index_dir)
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
        command = [sys.executable, "-m", "ui.cli", "ingest", "--corpus", str(corpus_dir),
                   "--index", str(index_dir), "--quiet"]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            report.reindex_failed.append(f"run {run}: timed out")
            continue
        if finished.returncode == 0:
            report.reindex_ok += 1
            build = store.current_version()
            if build and build not in report.builds_published:
                report.builds_published.append(build)
        else:
            last = (finished.stderr.strip().splitlines() or ["?"])[-1]
            report.reindex_failed.append(f"run {run}: exit {finished.returncode}: {last}")
    done.set()


def run_load(
    settings: Settings,
    *,
    threads: int = 8,
    seconds: float = 120.0,
    reindex_runs: int | None = None,
    min_questions: int = 0,
    idle_questions: int = 40,
    embedder: Embedder | None = None,
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

    report = LoadReport(threads=threads)
    questions = load_questions("gold")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        corpus_dir, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        shutil.copytree(settings.corpus_dir, corpus_dir)
        if FileStore(settings.index_dir).current_version():
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


def main_load(settings: Settings, threads: int = 8, seconds: float = 120.0) -> int:
    """`assistant bench load`; exit status 1 on any error or inconsistent answer."""
    report = run_load(settings, threads=threads, seconds=seconds)
    print_table(f"Questions from {threads} threads while another process re-indexes",
                report.rows())
    for problem in (report.errors + report.inconsistent + report.reindex_failed)[:10]:
        print(f"  ! {problem}")
    return 1 if report.errors or report.inconsistent else 0
