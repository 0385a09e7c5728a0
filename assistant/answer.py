"""Extractive answers: one to four sentences quoted from the passages, cited.

Every sentence of the answer is a sentence of a retrieved passage followed by
its `[n]` marker. A sentence that opens with a pronoun or a connective
(« Il », « Cependant »…) brings the sentence it depends on; a sentence that
ends with a colon brings the items it announces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.language import QuestionProfile
from assistant.models import Citation, ScoredPassage
from assistant.rerank import ScoredSentence
from ingest.sentences import split_sentences

ABSTENTION_TEXT = (
    "Les rapports ne répondent pas à cette question : je n'y trouve aucun passage "
    "qui permette d'y répondre avec certitude."
)

_DEPENDENT_OPENING = re.compile(
    r"^(il|elle|ils|elles|ce|cet|cette|ces|cela|ceci|ça|celui|celle|ceux|celles|"
    r"leur|leurs|son|sa|ses|lui|y|en effet|cependant|toutefois|néanmoins|pourtant|"
    r"mais|ainsi|aussi|or|donc|enfin|de plus|en outre|par ailleurs|d['’]autre part|"
    r"par conséquent|de même|à cet égard|dans ce cadre|dans ce contexte|pour cela|"
    r"c['’]est|ceux-ci|celles-ci|celui-ci|celle-ci)\b",
    re.IGNORECASE,
)


@dataclass
class AnswerDraft:
    """The chosen sentences grouped by the passage they quote."""

    text: str
    citations: list[Citation]


def depends_on_previous(sentence: str) -> bool:
    """True when a sentence cannot stand alone (opens with a pronoun/connective)."""
    return bool(_DEPENDENT_OPENING.match(sentence.strip()))


def _near_duplicate(a: str, b: str) -> bool:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) > 0.8


def select_sentences(
    sentences: Sequence[ScoredSentence],
    profile: QuestionProfile,
    max_sentences: int = 4,
) -> list[ScoredSentence]:
    """Pick the answer's sentences: the best, plus close runners-up."""
    if not sentences:
        return []
    best = sentences[0].score
    ratio = 0.8 if profile.wants_list else 0.88
    limit = max_sentences if profile.wants_list else min(max_sentences, 3)
    chosen: list[ScoredSentence] = []
    for sentence in sentences:
        if len(chosen) >= limit or sentence.score < best * ratio:
            break
        if any(_near_duplicate(sentence.text, c.text) for c in chosen):
            continue
        chosen.append(sentence)
    return chosen


def _with_antecedent(passage: ScoredPassage, start: int, end: int) -> tuple[int, int]:
    """Extend a sentence span backwards to the sentence it depends on."""
    if not depends_on_previous(passage.text[start:end]):
        return start, end
    previous = [span for span in split_sentences(passage.text[:start]) if span[1] <= start]
    if previous:
        return previous[-1][0], end
    return start, end


# A sentence ending with a colon announces what follows (« ses quatre enjeux
# stratégiques : »): the answer brings the items after it, within these limits.
MAX_ANNOUNCED_ITEMS = 6
MAX_ANNOUNCED_CHARS = 700


def _with_announced_items(passage: ScoredPassage, start: int, end: int) -> tuple[int, int]:
    """Extend a sentence that ends with « : » over the items that follow it."""
    if not passage.text[start:end].rstrip().endswith(":"):
        return start, end
    new_end, items = end, 0
    for item_start, item_end in split_sentences(passage.text[end:]):
        item = passage.text[end + item_start : end + item_end]
        if items == MAX_ANNOUNCED_ITEMS or item_end > MAX_ANNOUNCED_CHARS or item.rstrip().endswith(":"):
            break  # enough, too long, or the next announcement
        new_end = end + item_end
        items += _has_words(item)
    return start, new_end


def _has_words(text: str) -> bool:
    """False for list numbers and bullets alone (« 1. », « - »)."""
    return bool(re.search(r"[^\W\d_]{2}", text))


def compose_answer(
    passages: Sequence[ScoredPassage], chosen: Sequence[ScoredSentence]
) -> AnswerDraft:
    """Turn chosen sentences into cited prose; one citation per passage."""
    spans_by_passage: dict[int, list[tuple[int, int]]] = {}
    for sentence in chosen:
        passage = passages[sentence.passage_index]
        span = _with_antecedent(passage, sentence.start, sentence.end)
        span = _with_announced_items(passage, *span)
        spans_by_passage.setdefault(sentence.passage_index, []).append(span)

    # Citation numbers follow relevance: the passage of the best sentence is [1].
    order: list[int] = []
    for sentence in chosen:
        if sentence.passage_index not in order:
            order.append(sentence.passage_index)

    pieces: list[str] = []
    citations: list[Citation] = []
    for number, passage_index in enumerate(order, start=1):
        passage = passages[passage_index]
        spans = [_trim(passage.text, s, e) for s, e in _merge_spans(spans_by_passage[passage_index])]
        for start, end in spans:
            # Every sentence carries its own marker, antecedents included.
            for s_start, s_end in split_sentences(passage.text[start:end]):
                sentence = passage.text[start + s_start : start + s_end]
                if _has_words(sentence):
                    pieces.append(f"{_as_sentence(sentence)} [{number}]")
        citations.append(Citation.quoting(number, passage, spans))
    return AnswerDraft(text=" ".join(pieces), citations=citations)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding white space and a leading list bullet."""
    while start < end and (text[start].isspace() or text[start] in "-–•*✓"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _as_sentence(text: str) -> str:
    """A quote as an answer sentence: bullets stripped, closing punctuation."""
    text = re.sub(r"^[\-–•*✓]\s*", "", text.strip())
    text = re.sub(r"\s+", " ", text)
    if text and text[-1] not in ".!?…:;»)":
        text += "."
    return text
