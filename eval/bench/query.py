"""`assistant bench query`: start-up and per-question latency over gold questions."""

from __future__ import annotations

import statistics
import time

from assistant.settings import Settings
from eval.bench.common import peak_rss_mb


def bench_query(settings: Settings, n_questions: int = 40) -> list[tuple[str, str]]:
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
