"""One published version of a PostgreSQL index, read on demand: `PostgresSnapshot`.

Opening reads the version's row (manifest, checked like the files store's:
format, analyser and embedding model) and its term statistics (document
frequencies from the BM25 postings, and the vocabulary), nothing else.
Every later query names the version id, so a question reads one version from
start to end while others are published. Passages are fetched by row (and
cached, they never change), documents by id; dense search runs in the
database (HNSW, or exact below `hnsw_min_rows` and for small filters);
lexical search fetches the postings of the question's terms and scores BM25
in the application, exactly as the files store's bm25s index does — or, with
the `fts` leg, ranks with PostgreSQL's French full-text search.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from index.errors import REBUILD_HINT, IndexUnavailable
from index.lexical import ANALYZER_VERSION, query_terms, scores_from_postings, top_rows
from index.store.manifest import FORMAT_VERSION, Manifest, ManifestError
from index.store.postgres.connection import Database
from index.store.records import document_from_dict
from index.terms import TermStatistics
from ingest.models import Chunk, CleanDocument

STREAM_PAGE = 2_000  # rows per query when going through every passage


def chunk_from_row(text: str, fields: dict[str, Any]) -> Chunk:
    """A passage from its `chunks` row (`fields` holds everything but the text)."""
    return Chunk.from_dict({**fields, "text": text})


def chunk_fields(chunk: Chunk) -> dict[str, Any]:
    """What the `fields` column of a passage holds: `Chunk.to_dict()` without the text."""
    data = chunk.to_dict()
    del data["text"]
    return data


def as_array(value: Any) -> np.ndarray:
    """A `vector` column value (pgvector's `Vector`, or an array) as float32."""
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value, dtype=np.float32)


@dataclass
class VersionRow:
    """What `versions` says about one published version."""

    version_id: int
    build_id: str
    manifest: Manifest


def read_manifest(where: str, raw: Any) -> Manifest:
    """The typed manifest of a version row; `IndexUnavailable` when it cannot be used."""
    if not isinstance(raw, dict) or raw.get("format_version") != FORMAT_VERSION:
        version = raw.get("format_version") if isinstance(raw, dict) else None
        raise IndexUnavailable(
            f"L'index {where} est au format {version} ; ce programme lit le format "
            f"{FORMAT_VERSION}. {REBUILD_HINT}"
        )
    try:
        manifest = Manifest.from_dict(raw)
    except ManifestError as error:
        raise IndexUnavailable(f"L'index {where} est endommagé : manifeste illisible ({error}). {REBUILD_HINT}") from None
    if manifest.analyzer_version != ANALYZER_VERSION:
        raise IndexUnavailable(
            f"L'index {where} a été construit avec une autre version de l'analyseur lexical "
            f"français. {REBUILD_HINT}"
        )
    return manifest


class _LruCache:
    """A small thread-safe LRU map (row → chunk)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[int, Chunk] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[int]) -> dict[int, Chunk]:
        with self._lock:
            found = {}
            for key in keys:
                value = self._items.get(key)
                if value is not None:
                    self._items.move_to_end(key)
                    found[key] = value
            return found

    def put_many(self, items: dict[int, Chunk]) -> None:
        with self._lock:
            self._items.update(items)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class LazyChunks(Sequence[Chunk]):
    """The passages of a version as a sequence fetched on demand (see `IndexSnapshot`)."""

    def __init__(self, snapshot: PostgresSnapshot) -> None:
        self._snapshot = snapshot

    def __len__(self) -> int:
        return self._snapshot.chunk_count

    @overload
    def __getitem__(self, index: int) -> Chunk: ...

    @overload
    def __getitem__(self, index: slice) -> list[Chunk]: ...

    def __getitem__(self, index: int | slice) -> Chunk | list[Chunk]:
        if isinstance(index, slice):
            return self._snapshot.chunks_at(list(range(*index.indices(len(self)))))
        row = int(index)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(index)
        return self._snapshot.chunks_at([row])[0]

    def __iter__(self) -> Iterator[Chunk]:
        for start in range(0, len(self), STREAM_PAGE):
            yield from self._snapshot.fetch_range(start, min(start + STREAM_PAGE, len(self)))


class LazyDocuments(Mapping[str, CleanDocument]):
    """The clean documents of a version, each fetched (text included) when asked for."""

    def __init__(self, snapshot: PostgresSnapshot) -> None:
        self._snapshot = snapshot
        self._ids = [d.doc_id for d in snapshot.manifest.documents]
        self._known = set(self._ids)
        self._cache: dict[str, CleanDocument] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._known

    def __getitem__(self, doc_id: str) -> CleanDocument:
        if doc_id not in self._known:
            raise KeyError(doc_id)
        found = self._cache.get(doc_id)
        if found is None:
            found = self._cache[doc_id] = self._snapshot.fetch_document(doc_id)
        return found


@dataclass
class PostgresSnapshot:
    """One published version of a collection, read through the process's pool."""

    database: Database
    collection: str
    row: VersionRow
    statistics: TermStatistics
    lexical_leg: str = "bm25"
    _cache: _LruCache = field(init=False)

    def __post_init__(self) -> None:
        self._cache = _LruCache(self.database.options.chunk_cache_size)
        self._chunks = LazyChunks(self)
        self._documents = LazyDocuments(self)

    # ----------------------------------------------------------------- what it is

    @property
    def version(self) -> str:
        return self.row.build_id

    @property
    def version_id(self) -> int:
        return self.row.version_id

    @property
    def manifest(self) -> Manifest:
        return self.row.manifest

    @property
    def model_id(self) -> str:
        return self.manifest.model_id

    @property
    def chunk_count(self) -> int:
        return self.manifest.chunk_count

    @property
    def chunks(self) -> Sequence[Chunk]:
        return self._chunks

    @property
    def documents(self) -> Mapping[str, CleanDocument]:
        return self._documents

    def term_statistics(self) -> TermStatistics:
        return self.statistics

    # ----------------------------------------------------------------- passages and documents

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        wanted = [int(r) for r in rows]
        found = self._cache.get_many(wanted)
        missing = sorted(set(wanted) - set(found))
        if missing:
            with self.database.connection() as conn:
                fetched = {
                    row: chunk_from_row(text, fields)
                    for row, text, fields in conn.execute(
                        "SELECT row_no, text, fields FROM chunks "
                        "WHERE version_id = %s AND row_no = ANY(%s)",
                        (self.version_id, missing),
                    )
                }
            if len(fetched) != len(missing):
                absent = sorted(set(missing) - set(fetched))[:5]
                raise IndexError(f"rows {absent} are not in version {self.version}")
            self._cache.put_many(fetched)
            found.update(fetched)
        return [found[row] for row in wanted]

    def fetch_range(self, start: int, end: int) -> list[Chunk]:
        """Passages of rows start..end-1 in order (not cached: used to go through them all)."""
        with self.database.connection() as conn:
            return [
                chunk_from_row(text, fields)
                for text, fields in conn.execute(
                    "SELECT text, fields FROM chunks WHERE version_id = %s "
                    "AND row_no >= %s AND row_no < %s ORDER BY row_no",
                    (self.version_id, start, end),
                )
            ]

    def fetch_document(self, doc_id: str) -> CleanDocument:
        with self.database.connection() as conn:
            found = conn.execute(
                "SELECT text, fields FROM documents WHERE version_id = %s AND doc_id = %s",
                (self.version_id, doc_id),
            ).fetchone()
        if found is None:
            raise KeyError(doc_id)
        text, fields = found
        return document_from_dict({**fields, "text": text})

    def rows_of_documents(self, doc_ids: Collection[str]) -> np.ndarray:
        with self.database.connection() as conn:
            rows = conn.execute(
                "SELECT row_no FROM chunks WHERE version_id = %s AND doc_id = ANY(%s) ORDER BY row_no",
                (self.version_id, sorted(set(doc_ids))),
            ).fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.int64)

    def rows_of_chunks(self, chunk_ids: Collection[str]) -> dict[str, int]:
        with self.database.connection() as conn:
            return dict(
                conn.execute(
                    "SELECT chunk_id, row_no FROM chunks WHERE version_id = %s AND chunk_id = ANY(%s)",
                    (self.version_id, sorted(set(chunk_ids))),
                ).fetchall()
            )

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        wanted = [int(r) for r in rows]
        dim = self.manifest.embedding.dim
        if not wanted:
            return np.zeros((0, dim), dtype=np.float32)
        with self.database.connection() as conn:
            found = dict(
                conn.execute(
                    "SELECT row_no, embedding FROM chunks WHERE version_id = %s AND row_no = ANY(%s)",
                    (self.version_id, sorted(set(wanted))),
                ).fetchall()
            )
        return np.stack([as_array(found[row]) for row in wanted])

    def sentence_vectors(self, rows: Sequence[int]) -> list[np.ndarray]:
        wanted = [int(r) for r in rows]
        found: dict[int, list[np.ndarray]] = {row: [] for row in wanted}
        if wanted:
            with self.database.connection() as conn:
                for row, embedding in conn.execute(
                    "SELECT row_no, embedding FROM sentences WHERE version_id = %s "
                    "AND row_no = ANY(%s) ORDER BY row_no, ordinal",
                    (self.version_id, sorted(set(wanted))),
                ):
                    found[int(row)].append(as_array(embedding))
        dim = self.manifest.embedding.dim
        return [
            np.stack(found[row]) if found[row] else np.zeros((0, dim), dtype=np.float32)
            for row in wanted
        ]

    # ----------------------------------------------------------------- search

    def search_dense(
        self, vector: np.ndarray, k: int, allowed_rows: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best `k` (row, cosine), best first: HNSW (or exact on small versions); exact on small filters."""
        if k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if allowed_rows is None:
            statement = (
                "SELECT row_no, 1 - (embedding <=> %(q)s) FROM chunks WHERE version_id = %(v)s "
                "ORDER BY embedding <=> %(q)s LIMIT %(k)s"
            )
            params: dict[str, Any] = {"q": query, "v": self.version_id, "k": k}
        else:
            allowed = sorted({int(r) for r in np.asarray(allowed_rows).reshape(-1)})
            if not allowed:
                return []
            params = {"q": query, "v": self.version_id, "k": min(k, len(allowed)), "rows": allowed}
            if len(allowed) <= self.database.options.exact_filter_max_rows:
                # A materialised set of rows cannot use the HNSW index: exact distances.
                statement = (
                    "WITH picked AS MATERIALIZED (SELECT row_no, embedding FROM chunks "
                    "WHERE version_id = %(v)s AND row_no = ANY(%(rows)s)) "
                    "SELECT row_no, 1 - (embedding <=> %(q)s) FROM picked "
                    "ORDER BY embedding <=> %(q)s, row_no LIMIT %(k)s"
                )
            else:  # HNSW with pgvector's iterative scan until k allowed rows are found
                statement = (
                    "SELECT row_no, 1 - (embedding <=> %(q)s) FROM chunks WHERE version_id = %(v)s "
                    "AND row_no = ANY(%(rows)s) ORDER BY embedding <=> %(q)s LIMIT %(k)s"
                )
        with self.database.connection() as conn:
            return [(int(row), float(score)) for row, score in conn.execute(statement, params)]

    def search_lexical(
        self, query: str, k: int, allowed_rows: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best `k` (row, score) with a positive score: BM25 (default) or ts_rank_cd (`fts`)."""
        if k <= 0:
            return []
        if self.lexical_leg == "fts":
            return self._search_fts(query, k, allowed_rows)
        terms = query_terms(query)
        if not terms:
            return []
        with self.database.connection() as conn:
            postings = {
                term: (np.frombuffer(rows, dtype="<i4"), np.frombuffer(scores, dtype="<f4"))
                for term, rows, scores in conn.execute(
                    "SELECT term, rows, scores FROM lexical_terms WHERE version_id = %s AND term = ANY(%s)",
                    (self.version_id, sorted(set(terms))),
                )
            }
        scores = scores_from_postings(terms, postings, self.chunk_count)
        return top_rows(scores, k, allowed_rows)

    def _search_fts(self, query: str, k: int, allowed_rows: np.ndarray | None) -> list[tuple[int, float]]:
        """PostgreSQL French full-text search: any of the question's words, ranked by ts_rank_cd."""
        params: dict[str, Any] = {"text": query, "v": self.version_id, "k": k}
        condition = ""
        if allowed_rows is not None:
            params["rows"] = sorted({int(r) for r in np.asarray(allowed_rows).reshape(-1)})
            condition = "AND row_no = ANY(%(rows)s)"
        statement = (
            "WITH q AS (SELECT nullif(replace(plainto_tsquery('french', fold_accents(%(text)s))::text, "
            "' & ', ' | '), '')::tsquery AS query) "
            "SELECT row_no, ts_rank_cd(to_tsvector('french', fold_accents(text)), q.query) AS score "
            "FROM chunks, q WHERE version_id = %(v)s AND q.query IS NOT NULL "
            f"AND to_tsvector('french', fold_accents(text)) @@ q.query {condition} "
            "ORDER BY score DESC, row_no LIMIT %(k)s"
        )
        with self.database.connection() as conn:
            return [(int(row), float(score)) for row, score in conn.execute(statement, params) if score > 0]
