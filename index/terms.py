"""Term statistics of one index version: document frequencies and the words it contains.

The assistant's sentence scorer and coverage checks need, for the analysed
terms of a question, how many passages hold each (IDF), and whether a name's
words occur anywhere in the index. `count_terms` computes both in one pass
over passage texts and labels (document ids, titles, section paths); a store
either keeps the result with its version (the PostgreSQL backend) or computes
it from the passages it holds in memory (the files backend), so opening an
index never has to analyse every passage on the answer path's behalf.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ingest.models import Chunk
from ingest.text import fold

_TEXT_WORD = re.compile(r"\w+")
_LABEL_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class TermStatistics:
    """How many passages hold each analysed term, and every accent-folded word of the index."""

    n_docs: int
    df: Mapping[str, int]
    vocabulary: frozenset[str] = field(default_factory=frozenset)


def text_words(text: str) -> set[str]:
    """Accent-folded words of a passage text (what `vocabulary` is made of)."""
    return set(_TEXT_WORD.findall(fold(text)))


def label_words(label: str) -> set[str]:
    """Accent-folded words of a label (document id, title, section path)."""
    return set(_LABEL_WORD.findall(fold(label)))


def chunk_label(chunk: Chunk) -> str:
    """The label words a passage brings to the vocabulary besides its text."""
    return f"{chunk.doc_id} {chunk.title} {chunk.section_path}"


def count_terms(
    texts: Iterable[str], analyze: Callable[[str], list[str]], labels: Iterable[str] = ()
) -> TermStatistics:
    """Document frequencies of `analyze`d terms over `texts`; vocabulary of texts and labels."""
    df: Counter[str] = Counter()
    vocabulary: set[str] = set()
    n_docs = 0
    for text in texts:
        n_docs += 1
        df.update(set(analyze(text)))
        vocabulary |= text_words(text)
    for label in labels:
        vocabulary |= label_words(label)
    return TermStatistics(max(1, n_docs), df, frozenset(vocabulary))


def chunk_statistics(chunks: Iterable[Chunk], analyze: Callable[[str], list[str]]) -> TermStatistics:
    """`count_terms` over passages, their labels included (each distinct label once)."""
    labels: set[str] = set()
    texts = []
    for chunk in chunks:
        texts.append(chunk.text)
        labels.add(chunk_label(chunk))
    return count_terms(texts, analyze, sorted(labels))


def chunk_vocabulary(chunks: Iterable[Chunk]) -> set[str]:
    """The `vocabulary` part of `chunk_statistics` alone (no analysis: a builder that has
    document frequencies from its BM25 postings needs only this)."""
    vocabulary: set[str] = set()
    labels: set[str] = set()
    for chunk in chunks:
        vocabulary |= text_words(chunk.text)
        labels.add(chunk_label(chunk))
    for label in labels:
        vocabulary |= label_words(label)
    return vocabulary
