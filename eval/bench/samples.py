"""Real French texts from a corpus (the bundled one by default), for fidelity checks and benchmarks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.settings import BUNDLED_CORPUS

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


def corpus_paragraphs(corpus_dir: Path | None = None) -> list[str]:
    """Every paragraph of every `.txt` file in `corpus_dir` (split on blank lines)."""
    corpus_dir = corpus_dir or BUNDLED_CORPUS
    paragraphs: list[str] = []
    for path in sorted(Path(corpus_dir).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paragraphs.extend(p.strip() for p in _BLANK_LINE.split(text) if p.strip())
    return paragraphs


def spread(items: Sequence[str], count: int) -> list[str]:
    """Up to `count` items taken evenly across `items` (deterministic)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def merged_passages(
    paragraphs: Sequence[str],
    count_tokens: Callable[[str], int],
    min_tokens: int = 150,
    max_tokens: int = 250,
) -> list[str]:
    """Consecutive paragraphs joined into passages of `min_tokens`..`max_tokens` tokens.

    Paragraphs longer than `max_tokens` on their own are skipped, and a run
    that cannot reach `min_tokens` before the limit is dropped.
    """
    passages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if count_tokens(candidate) <= max_tokens:
            current = candidate
            continue
        if current and count_tokens(current) >= min_tokens:
            passages.append(current)
        current = paragraph if count_tokens(paragraph) <= max_tokens else ""
    if current and count_tokens(current) >= min_tokens:
        passages.append(current)
    return passages
