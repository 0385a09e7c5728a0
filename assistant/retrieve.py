"""Hybrid retrieval: dense (e5) and French BM25 candidates fused by RRF.

Near-duplicate chunks (the same passage in two documents) collapse into one
result listing every source. English questions lean on the dense side: BM25
over French text is mostly noise for them, so its weight is reduced. A
question that names an indexed document (« selon la DGE ») is searched
without that phrase, and the named document's passages get a third ranking
in the fusion (see sources.py).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from assistant.config import RetrievalConfig
from assistant.language import QuestionProfile, profile_question
from assistant.models import ScoredPassage, Source
from assistant.sources import document_words, find_source_mention
from index.embedder import Embedder
from index.store import IndexSnapshot
from ingest.models import Chunk


@dataclass
class RetrievalResult:
    """Fused passages plus the raw signals the gate needs."""

    question: str
    searched: str  # the question without a phrase naming an indexed document
    profile: QuestionProfile
    passages: list[ScoredPassage]
    query_vector: np.ndarray
    dense_scores: list[float] = field(default_factory=list)  # cosines, best first
    lexical_scores: list[float] = field(default_factory=list)  # BM25, best first
    timings: dict[str, float] = field(default_factory=dict)


def reciprocal_rank_fusion(
    rankings: list[tuple[list[int], float]], k: int = 60
) -> dict[int, float]:
    """Fuse ranked lists of ids: score = Σ weight / (k + rank), rank from 1."""
    fused: dict[int, float] = {}
    for ranked_ids, weight in rankings:
        for rank, item in enumerate(ranked_ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


class HybridRetriever:
    """Retrieve passages from one index snapshot with one embedder."""

    def __init__(
        self,
        snapshot: IndexSnapshot,
        embedder: Embedder,
        config: RetrievalConfig = RetrievalConfig(),
    ) -> None:
        self.snapshot = snapshot
        self.embedder = embedder
        self.config = config
        records = snapshot.manifest.documents
        self._document_words = {d.doc_id: document_words(d.doc_id, d.title) for d in records}
        self._indexed = sorted(d.doc_id for d in records if d.chunk_count)

    @property
    def documents(self) -> list[str]:
        return list(self._indexed)

    def allowed_rows(self, documents: Collection[str] | None) -> np.ndarray | None:
        """Rows of the chunks of the given documents (None: all documents)."""
        if not documents:
            return None
        return np.asarray(self.snapshot.rows_of_documents(documents), dtype=np.int64)

    def retrieve(
        self,
        question: str,
        k: int = 8,
        documents: Collection[str] | None = None,
    ) -> RetrievalResult:
        """Top-`k` passages for a question, optionally within some documents."""
        profile = profile_question(question)
        mention = find_source_mention(question, self._document_words)
        searched = mention.question
        allowed = self.allowed_rows(documents)
        timings: dict[str, float] = {}

        started = time.perf_counter()
        query_vector = self.embedder.embed_queries([searched])[0]
        timings["embed"] = time.perf_counter() - started

        started = time.perf_counter()
        candidates = self.config.candidates
        dense_hits = self.snapshot.search_dense(query_vector, candidates, allowed)
        lexical_hits = self.snapshot.search_lexical(searched, candidates, allowed)
        rankings = [
            ([row for row, _ in dense_hits], 1.0),
            ([row for row, _ in lexical_hits], self.config.lexical_weight(profile.language)),
        ]
        preferred = self._preferred_rows(mention.documents, allowed)
        if preferred is not None:
            named_hits = self.snapshot.search_dense(query_vector, candidates, preferred)
            rankings.append(([row for row, _ in named_hits], 1.0))
        timings["search"] = time.perf_counter() - started

        fused = reciprocal_rank_fusion(rankings, k=self.config.rrf_k)
        dense_rank = {row: rank for rank, (row, _) in enumerate(dense_hits, start=1)}
        lexical_rank = {row: rank for rank, (row, _) in enumerate(lexical_hits, start=1)}
        allowed_set = None if allowed is None else set(allowed.tolist())
        passages = self._collapse(fused, dense_rank, lexical_rank, allowed_set)
        return RetrievalResult(
            question=question,
            searched=searched,
            profile=profile,
            passages=passages[:k],
            query_vector=query_vector,
            dense_scores=[float(score) for _, score in dense_hits],
            lexical_scores=[float(score) for _, score in lexical_hits],
            timings=timings,
        )

    def _preferred_rows(
        self, named: tuple[str, ...], allowed: np.ndarray | None
    ) -> np.ndarray | None:
        """Rows of the documents a question names, within the filter (None: no preference)."""
        rows = self.allowed_rows(named)
        if rows is None:
            return None
        if allowed is not None:
            rows = np.intersect1d(rows, allowed)
        return rows if len(rows) else None

    def _fetch_groups(self, rows: list[int]) -> tuple[dict[int, Chunk], dict[str, int]]:
        """The chunks of `rows` and of their near-duplicate canonicals and copies, by row, and
        the rows of those by chunk id (a few batched look-ups, not one per chunk)."""
        chunks = dict(zip(rows, self.snapshot.chunks_at(rows)))
        row_by_id = {c.id: row for row, c in chunks.items()}
        for _round in range(2):  # the canonicals of `rows`, then the canonicals' other copies
            linked = {c.duplicate_of for c in chunks.values() if c.duplicate_of}
            linked.update(d for c in chunks.values() for d in c.duplicates)
            linked -= set(row_by_id)
            if not linked:
                break
            row_by_id.update(self.snapshot.rows_of_chunks(linked))
            missing = sorted(set(row_by_id.values()) - set(chunks))
            chunks.update(zip(missing, self.snapshot.chunks_at(missing)))
        return chunks, row_by_id

    @staticmethod
    def _canonical_row(
        row: int, chunks: dict[int, Chunk], row_by_id: dict[str, int], allowed: set[int] | None
    ) -> int:
        """The row standing for a chunk's near-duplicate group."""
        chunk = chunks[row]
        if chunk.duplicate_of and chunk.duplicate_of in row_by_id:
            canonical = row_by_id[chunk.duplicate_of]
            if allowed is None or canonical in allowed:
                return canonical
        return row

    def _collapse(
        self,
        fused: dict[int, float],
        dense_rank: dict[int, int],
        lexical_rank: dict[int, int],
        allowed: set[int] | None,
    ) -> list[ScoredPassage]:
        """Merge duplicate chunks into one passage that lists all sources."""
        chunks, row_by_id = self._fetch_groups(list(fused))
        groups: dict[int, list[int]] = {}
        for row in sorted(fused, key=fused.__getitem__, reverse=True):
            groups.setdefault(self._canonical_row(row, chunks, row_by_id, allowed), []).append(row)
        passages = []
        for canonical, members in groups.items():
            chunk = chunks[canonical]
            copies = {canonical, *members}
            for dup_id in chunk.duplicates:
                if dup_id in row_by_id:
                    copies.add(row_by_id[dup_id])
            passage = to_passage(chunk, max(fused[m] for m in members))
            passage.dense_rank = min((dense_rank[m] for m in members if m in dense_rank), default=None)
            passage.lexical_rank = min(
                (lexical_rank[m] for m in members if m in lexical_rank), default=None
            )
            passage.sources = [to_source(chunks[r]) for r in sorted(copies)]
            passage.sources.sort(key=lambda s: s.chunk_id != chunk.id)
            passages.append(passage)
        passages.sort(key=lambda p: p.score, reverse=True)
        return passages


def to_source(chunk: Chunk) -> Source:
    return Source(
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section_path,
        page=chunk.page,
        chunk_id=chunk.id,
    )


def to_passage(chunk: Chunk, score: float) -> ScoredPassage:
    return ScoredPassage(
        chunk_id=chunk.id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section_path,
        page=chunk.page,
        text=chunk.text,
        score=float(score),
        start=chunk.start,
        end=chunk.end,
        page_map=list(chunk.page_map),
        page_labels=list(chunk.page_labels),
    )
