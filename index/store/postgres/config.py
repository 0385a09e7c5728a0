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
    # HNSW graph: links per node and candidate list while building (pgvector's defaults)
    hnsw_m: int = 16
    hnsw_ef_construction: int = 64
    # HNSW candidate list at query time, measured with `assistant bench store`:
    # recall@10 against exact search 0.988 at 25k passages (100 gave 0.977), but
    # only 0.889 at 200k on the synthetic corpus (0.913 at 250): the 0.98 target
    # at 200k needs a denser graph (m, ef_construction), not yet measured
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
