"""Link near-duplicate passages across documents.

A chunk is a copy when at least `threshold` of its word shingles (runs of `k`
words, case- and accent-folded) also occur in one other, larger document.
Containment against the whole other document, rather than chunk-to-chunk
similarity, copes with chunk boundaries that differ between the two files.
The canonical passage is the chunk of the larger document sharing the most
shingles with the copy: the copy gets `duplicate_of=<canonical id>` and the
canonical chunk lists the copy in `duplicates`.

Cost is O(total shingles): one inverted index shingle -> documents / chunks,
no pairwise text comparison.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Iterable

from ingest.models import Chunk
from ingest.text import fold

SHINGLE_WORDS = 5
CONTAINMENT_THRESHOLD = 0.8
MIN_SHINGLES = 8


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """The set of k-word shingles of a text (lower-cased, accents folded)."""
    words = re.findall(r"\w+", fold(text))
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def _document_sizes(chunks: Iterable[Chunk]) -> dict[str, int]:
    """Approximate clean length of each document: the furthest chunk end."""
    sizes: dict[str, int] = {}
    for chunk in chunks:
        sizes[chunk.doc_id] = max(sizes.get(chunk.doc_id, 0), chunk.end)
    return sizes


def link_duplicates(chunks: list[Chunk], *, k: int = SHINGLE_WORDS,
                    threshold: float = CONTAINMENT_THRESHOLD,
                    min_shingles: int = MIN_SHINGLES) -> list[Chunk]:
    """Return copies of `chunks` with near-duplicates linked (input untouched)."""
    linked = [replace(c, duplicate_of=None, duplicates=[]) for c in chunks]
    sizes = _document_sizes(linked)
    # Larger documents first, so canonical chunks are settled before their copies.
    rank = {doc: i for i, doc in enumerate(sorted(sizes, key=lambda d: (-sizes[d], d)))}

    chunk_shingles = [shingles(c.text, k) for c in linked]
    docs_of: dict[str, set[str]] = defaultdict(set)
    chunks_of: dict[str, list[int]] = defaultdict(list)
    for i, (chunk, grams) in enumerate(zip(linked, chunk_shingles)):
        for gram in grams:
            docs_of[gram].add(chunk.doc_id)
            chunks_of[gram].append(i)

    by_id = {c.id: c for c in linked}
    order = sorted(range(len(linked)), key=lambda i: (rank[linked[i].doc_id], linked[i].start))
    for i in order:
        chunk, grams = linked[i], chunk_shingles[i]
        if len(grams) < min_shingles:
            continue
        in_doc: Counter[str] = Counter()
        for gram in grams:
            for doc in docs_of[gram]:
                if rank[doc] < rank[chunk.doc_id]:
                    in_doc[doc] += 1
        if not in_doc:
            continue
        other, hits = max(in_doc.items(), key=lambda item: (item[1], -rank[item[0]]))
        if hits / len(grams) < threshold:
            continue
        shared: Counter[int] = Counter()
        for gram in grams:
            for j in chunks_of[gram]:
                if linked[j].doc_id == other:
                    shared[j] += 1
        # Most shared shingles; on a tie, the chunk that is most fully about them.
        best = max(shared, key=lambda j: (shared[j], shared[j] / len(chunk_shingles[j]),
                                          -linked[j].start))
        canonical = linked[best]
        while canonical.duplicate_of and canonical.duplicate_of in by_id:
            canonical = by_id[canonical.duplicate_of]
        chunk.duplicate_of = canonical.id
        canonical.duplicates.append(chunk.id)
    return linked
