"""The PostgreSQL backend's tunables (each default written once, with why)."""

from __future__ import annotations

from dataclasses import dataclass

from index.config import LexicalLeg

# The schema stores passage (and sentence) vectors as `vector(384)`: the width of
# the project's e5-small embedder. Another width needs another schema.
EMBEDDING_DIM = 384


@dataclass(frozen=True)
class PostgresOptions:
    """How the backend uses its database: pool, timeouts, vector index, clean-up."""

    # connections kept open by one process's pool (questions run in parallel up to max)
    pool_min: int = 1
    pool_max: int = 8
    # seconds to wait for a connection (pool or new) before saying the database is unreachable
    connect_timeout: float = 5.0
    # a question's statement never runs longer than this (ms); 0 disables
    statement_timeout_ms: int = 5_000
    # a build's statements (COPY, HNSW index creation) may run this long (ms); 0 = no limit
    build_statement_timeout_ms: int = 0
    # memory a build's index creation may use (the HNSW graph should fit, or it builds slowly)
    build_maintenance_work_mem: str = "1GB"
    # below this many passages a version gets no HNSW index: exact search (a sequential
    # scan) stays under a few ms and is exact; at or above, HNSW (see README's figures)
    hnsw_min_rows: int = 20_000
    # HNSW graph: links per node and candidate list while building. pgvector's defaults
    # (16, 64) gave recall@10 0.889 at 200k synthetic passages (ef_search 160); twice the
    # links and candidates gave 0.957 (`assistant bench store`, README): a longer build
    # (476 s for the whole 200k version, idle machine) for a graph that finds its neighbours
    hnsw_m: int = 32
    hnsw_ef_construction: int = 128
    # HNSW candidate list at query time, measured with `assistant bench store` at 200k:
    # 19.6 ms top-10 p50 at 160 (0.966 recall at 250 for 31 ms)
    hnsw_ef_search: int = 160
    # a filtered dense search (some documents only) over at most this many rows is exact
    # (reads those rows); a larger filter uses HNSW with pgvector's iterative scan
    exact_filter_max_rows: int = 50_000
    # passages looked up by row are cached per version (they never change)
    chunk_cache_size: int = 8_192
    # a superseded version is dropped once it has been retired this long (s), so
    # replicas still answering from it finish; the previous version is always kept
    retired_grace_seconds: float = 600.0
    # lexical leg: the project's BM25 over stored postings, or PostgreSQL full-text search
    lexical: LexicalLeg = "bm25"
