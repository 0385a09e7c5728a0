"""Cited extractive text: answer units of one or several question parts turned into prose with [n] markers.

Every sentence of the answer is a sentence of a retrieved passage followed
by its `[n]` marker; a passage quoted by several parts keeps one number.
Numbers follow first use, so the passage of the best sentence is [1]. A part
the reports do not answer is named in one plain sentence, without a marker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.models import Citation, ScoredPassage
from assistant.select import AnswerUnit
from ingest.sentences import split_sentences

ABSTENTION_TEXT = (
    "Les rapports ne répondent pas à cette question : je n'y trouve aucun passage "
    "qui permette d'y répondre avec certitude."
)
_BULLETS = "-–•*✓"


def unanswered_part_text(part: str) -> str:
    """The sentence naming a part of the question the reports do not answer."""
    return f"Les rapports ne précisent pas : « {part.strip()} »"


@dataclass
class PartText:
    """What the answer says for one part: its sentences and the citation numbers they use."""

    text: str
    numbers: list[int] = field(default_factory=list)


class CitedAnswerBuilder:
    """Collects quoted spans part by part and numbers the passages they come from."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}  # chunk id → citation number
        self._passages: dict[int, ScoredPassage] = {}
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def number_of(self, passage: ScoredPassage) -> int:
        """The citation number of a passage (given at first use)."""
        number = self._numbers.setdefault(passage.chunk_id, len(self._numbers) + 1)
        self._passages[number] = passage
        return number

    def add_part(self, passages: Sequence[ScoredPassage], units: Sequence[AnswerUnit]) -> PartText:
        """The cited sentences of one answered part, in the order of its units' passages."""
        order: list[int] = []
        spans_by_passage: dict[int, list[tuple[int, int]]] = {}
        for unit in units:
            index = unit.sentence.passage_index
            if index not in order:
                order.append(index)
            spans_by_passage.setdefault(index, []).extend(unit.spans)
        pieces: list[str] = []
        numbers: list[int] = []
        for index in order:
            passage = passages[index]
            number = self.number_of(passage)
            numbers.append(number)
            spans = [_trim(passage.text, s, e) for s, e in _merge_spans(spans_by_passage[index])]
            self._spans.setdefault(number, []).extend(spans)
            for start, end in spans:
                # Every sentence carries its own marker, antecedents and items included.
                for s_start, s_end in split_sentences(passage.text[start:end]):
                    sentence = passage.text[start + s_start : start + s_end]
                    if _has_words(sentence):
                        pieces.append(f"{_as_sentence(sentence)} [{number}]")
        return PartText(" ".join(pieces), numbers)

    def citations(self) -> list[Citation]:
        """One citation per quoted passage, in number order."""
        return [
            Citation.quoting(number, self._passages[number], _merge_spans(self._spans[number]))
            for number in sorted(self._spans)
        ]


def compose_answer(passages: Sequence[ScoredPassage], units: Sequence[AnswerUnit]) -> tuple[str, list[Citation]]:
    """The cited text and citations of a one-part answer."""
    builder = CitedAnswerBuilder()
    part = builder.add_part(passages, units)
    return part.text, builder.citations()


def _has_words(text: str) -> bool:
    """False for list numbers and bullets alone (« 1. », « - »)."""
    return bool(re.search(r"[^\W\d_]{2}", text))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding white space and a leading list bullet."""
    while start < end and (text[start].isspace() or text[start] in _BULLETS):
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
    text = re.sub(rf"^[{re.escape(_BULLETS)}]\s*", "", text.strip())
    text = re.sub(r"\s+", " ", text)
    if text and text[-1] not in ".!?…:;»)":
        text += "."
    return text
