"""Cut a `CleanDocument` into `Chunk`s sized in embedding-model tokens.

* Sentence-aware: chunks are runs of whole sentences (`ingest.sentences`);
  only a sentence longer than the hard maximum is split, on word boundaries.
* Sized with the injected `count_tokens` (the embedding model's tokenizer in
  production): close to `target_tokens`, never above `max_tokens`.
* A heading starts a new chunk (so chunks stay inside one section) unless the
  chunk in progress is still below `min_tokens`; a heading alone is never a
  chunk, and tiny trailing pieces are merged into a neighbour.
* Consecutive chunks of a section share a small overlap of whole sentences
  (about `overlap_tokens`).
* Ids are stable: derived from the file's content hash, the chunk's offset
  and its text, so re-ingesting an unchanged file gives the same ids.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from typing import Callable

from ingest.config import ChunkingConfig
from ingest.models import Chunk, CleanDocument, SentenceSpan
from ingest.sentences import split_sentences
from ingest.structure import section_path

TokenCounter = Callable[[str], int]

# A single overlap sentence may exceed `overlap_tokens` by this factor.
_OVERLAP_SLACK = 1.5
# Chunks whose estimated size exceeds this share of the maximum are re-counted exactly.
_CHECK_ABOVE = 0.8


@dataclass(frozen=True)
class _Piece:
    """A sentence (or a slice of an over-long sentence) of the clean text."""

    start: int
    end: int
    tokens: int  # cost inside a chunk, without the tokenizer's fixed overhead
    heading: bool  # on a heading line
    section: int  # index of the enclosing heading, -1 before the first one
    opens: bool = False  # first piece of a heading line: a section starts here


def chunk_id(content_hash: str, start: int, text: str) -> str:
    """Stable 16-hex id of a chunk."""
    return hashlib.sha256(f"{content_hash}\x00{start}\x00{text}".encode("utf-8")).hexdigest()[:16]


def _word_slices(text: str, start: int, end: int, limit: int, overhead: int,
                 count_tokens: TokenCounter) -> list[tuple[int, int]]:
    """Split text[start:end] on word boundaries into slices of <= `limit` tokens."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    slices: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        j = i
        budget = 0
        while j < len(words):
            cost = max(1, count_tokens(text[words[j][0]:words[j][1]]) - overhead)
            if j > i and budget + cost > limit:
                break
            budget += cost
            j += 1
        # The per-word estimate can be off by a little: shrink until it fits.
        while j - 1 > i and count_tokens(text[words[i][0]:words[j - 1][1]]) > limit + overhead:
            j -= 1
        slices.append((words[i][0], words[j - 1][1]))
        i = j
    return slices


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _pieces(doc: CleanDocument, config: ChunkingConfig, count_tokens: TokenCounter,
            overhead: int) -> list[_Piece]:
    heading_starts = [h.start for h in doc.headings]
    heading_ends = [_line_end(doc.text, h.start) for h in doc.headings]
    limit = max(1, config.max_tokens - overhead)
    pieces: list[_Piece] = []
    for start, end in split_sentences(doc.text):
        section = bisect.bisect_right(heading_starts, start) - 1
        heading = section >= 0 and start < heading_ends[section]  # on the heading's line
        opens = section >= 0 and start == heading_starts[section]
        cost = max(1, count_tokens(doc.text[start:end]) - overhead)
        if cost <= limit:
            pieces.append(_Piece(start, end, cost, heading, section, opens))
            continue
        for s, e in _word_slices(doc.text, start, end, limit, overhead, count_tokens):
            cost = max(1, count_tokens(doc.text[s:e]) - overhead)
            pieces.append(_Piece(s, e, cost, heading, section, opens and s == start))
    return pieces


def _group(pieces: list[_Piece], config: ChunkingConfig, overhead: int) -> list[list[int]]:
    """Greedy grouping of piece indices into chunks (ranges may overlap)."""
    groups: list[list[int]] = []
    current: list[int] = []
    size = overhead

    for i, piece in enumerate(pieces):
        if current and piece.opens and size >= config.min_tokens and \
                not all(pieces[j].heading for j in current):
            groups.append(current)
            current, size = [], overhead
        elif current and size + piece.tokens > config.target_tokens and (
            size >= config.min_tokens or size + piece.tokens > config.max_tokens
        ):
            groups.append(current)
            current = _overlap(pieces, current, config, piece.tokens, overhead)
            size = overhead + sum(pieces[j].tokens for j in current)
        current.append(i)
        size += piece.tokens
    if current:
        groups.append(current)
    return groups


def _overlap(pieces: list[_Piece], group: list[int], config: ChunkingConfig,
             next_tokens: int, overhead: int) -> list[int]:
    """Whole sentences from the end of `group` to repeat at the start of the next chunk."""
    tail: list[int] = []
    total = 0
    for j in reversed(group[1:]):  # never the whole previous chunk
        piece = pieces[j]
        if piece.heading:
            break
        limit = config.overlap_tokens if tail else config.overlap_tokens * _OVERLAP_SLACK
        if total + piece.tokens > limit:
            break
        tail.insert(0, j)
        total += piece.tokens
    if overhead + total + next_tokens > config.max_tokens:
        return []
    return tail


def _merge_small(groups: list[list[int]], pieces: list[_Piece], config: ChunkingConfig,
                 overhead: int) -> list[list[int]]:
    """Merge heading-only and below-minimum chunks into a neighbour when they fit."""

    def span(group: list[int]) -> range:
        return range(group[0], group[-1] + 1)

    def size(indices: range) -> int:
        return overhead + sum(pieces[j].tokens for j in indices)

    def small(group: list[int]) -> bool:
        return all(pieces[j].heading for j in group) or size(span(group)) < config.min_tokens

    merged: list[list[int]] = []
    i = 0
    while i < len(groups):
        group = groups[i]
        if small(group):
            nxt = groups[i + 1] if i + 1 < len(groups) else None
            headings_only = all(pieces[j].heading for j in group)
            if nxt is not None and (headings_only or not merged) and \
                    size(range(group[0], nxt[-1] + 1)) <= config.max_tokens:
                groups[i + 1] = list(range(group[0], nxt[-1] + 1))
                i += 1
                continue
            if merged and size(range(merged[-1][0], group[-1] + 1)) <= config.max_tokens:
                merged[-1] = list(range(merged[-1][0], group[-1] + 1))
                i += 1
                continue
            if nxt is not None and size(range(group[0], nxt[-1] + 1)) <= config.max_tokens:
                groups[i + 1] = list(range(group[0], nxt[-1] + 1))
                i += 1
                continue
        merged.append(group)
        i += 1
    return merged


def _fit(groups: list[list[int]], pieces: list[_Piece], text: str, max_tokens: int,
         count_tokens: TokenCounter, overhead: int) -> list[list[int]]:
    """Check chunks near the maximum with the real tokenizer (the sum of sentence
    counts is only an estimate); split off trailing sentences if too long."""
    fitted: list[list[int]] = []
    queue = list(groups)
    while queue:
        group = queue.pop(0)
        start, end = pieces[group[0]].start, pieces[group[-1]].end
        estimate = overhead + sum(pieces[j].tokens for j in group)
        if (len(group) > 1 and estimate > _CHECK_ABOVE * max_tokens
                and count_tokens(text[start:end]) > max_tokens):
            cut = len(group) - 1
            while cut > 1 and count_tokens(
                    text[start:pieces[group[cut - 1]].end]) > max_tokens:
                cut -= 1
            queue.insert(0, group[cut:])
            group = group[:cut]
        fitted.append(group)
    return fitted


def _section_paths(doc: CleanDocument) -> list[list[str]]:
    """Section path of each heading's section, plus the path before any heading (last)."""
    paths = [section_path(doc.headings, h.start, doc.title) for h in doc.headings]
    paths.append([doc.title])
    return paths


def chunk_document(doc: CleanDocument, config: ChunkingConfig,
                   count_tokens: TokenCounter) -> list[Chunk]:
    """Sentence-aware chunks of `doc` (see the module docstring)."""
    if not doc.text.strip():
        return []
    overhead = max(0, count_tokens(""))
    pieces = _pieces(doc, config, count_tokens, overhead)
    if not pieces:
        return []
    groups = _group(pieces, config, overhead)
    groups = _merge_small(groups, pieces, config, overhead)
    groups = _fit(groups, pieces, doc.text, config.max_tokens, count_tokens, overhead)
    paths = _section_paths(doc)
    heading_starts = [h.start for h in doc.headings]
    heading_ends = [_line_end(doc.text, h.start) for h in doc.headings]

    chunks: list[Chunk] = []
    for group in groups:
        start, end = pieces[group[0]].start, pieces[group[-1]].end
        text = doc.text[start:end]
        # The section holding most of the chunk's tokens names it.
        weight: dict[int, int] = {}
        for j in group:
            weight[pieces[j].section] = weight.get(pieces[j].section, 0) + pieces[j].tokens
        section = max(weight, key=lambda s: (weight[s], -abs(s - pieces[group[0]].section)))
        sentences = [
            SentenceSpan(s, e, _on_heading_line(start + s, heading_starts, heading_ends))
            for s, e in split_sentences(text)
        ]
        page_map = chunk_page_map(doc, start, end)
        chunks.append(
            Chunk(
                id=chunk_id(doc.content_hash, start, text),
                doc_id=doc.doc_id,
                title=doc.title,
                section=list(paths[section]),
                page=doc.page_at(start),
                start=start,
                end=end,
                text=text,
                source_path=doc.source_path,
                sentences=sentences,
                page_map=page_map,
                page_labels=[(page, label) for _, page in page_map
                             if (label := doc.page_label(page)) is not None],
            )
        )
    return chunks


def _on_heading_line(offset: int, heading_starts: list[int], heading_ends: list[int]) -> bool:
    """True when a document offset lies on a heading's line."""
    section = bisect.bisect_right(heading_starts, offset) - 1
    return section >= 0 and offset < heading_ends[section]


def chunk_page_map(doc: CleanDocument, start: int, end: int) -> list[tuple[int, int]]:
    """`(offset in the chunk, page)` where each page of `doc.text[start:end]` begins."""
    first = doc.page_at(start)
    if first is None:
        return []
    page_map = [(0, first)]
    for page, page_start in enumerate(doc.page_starts, start=1):
        if start < page_start < end:
            if page_map[-1][0] == page_start - start:
                page_map[-1] = (page_start - start, page)  # an empty page: the next one starts here
            else:
                page_map.append((page_start - start, page))
    return page_map


def word_count_tokens(text: str) -> int:
    """A crude token counter (words), for tests where model fidelity does not matter."""
    return len(text.split())
