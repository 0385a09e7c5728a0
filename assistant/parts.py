"""Compound questions split into the questions they ask, so each part is answered (or declined) on its own.

« Combien de dossiers le DMP a-t-il atteints, et quand a-t-il été lancé ? »
asks two things; judged as one, a missing facet declines both. The rules
split at what marks a second question, never inside a list of things asked
about (« Quels sont les freins, les leviers et les risques ? » is one part):

- two question marks (« … ? Et quelle part pour la France ? »);
- « d'une part … ; d'autre part … »;
- a coordination (« et », « ainsi que », « and ») or a comma followed by a
  question word, possibly after a preposition (« et quand … », « , et dans
  quel but », « and how many … »), including a bare one in an enumeration of
  question words (« Qui a lancé X, quand, et dans quel but ? »).

A part that leans on the first one (« quand a-t-il été lancé ? », a bare
« quand ? ») is completed with it for the search, the way follow-up
questions are (`assistant.conversation`), and keeps its own words as the
focus of sentence scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.conversation import follow_up_focus, resolve

# Question words that open a new question (French and English); prepositions may precede them.
_FRENCH_QUESTION_WORDS = (
    r"qui|que|qu['’]|quoi|quand|où|comment|pourquoi|combien|quel|quelle|quels|quelles|"
    r"lequel|laquelle|lesquels|lesquelles|est-ce"
)
_ENGLISH_QUESTION_WORDS = r"who|whom|whose|what|when|where|why|how|which"
_PREPOSITIONS = (
    r"à|a|au|aux|de|du|des|d['’]|dans|en|sur|avec|pour|par|depuis|jusqu['’]à|vers|chez|"
    r"in|on|at|for|with|from|by|to|since|until"
)
_QUESTION_START = (
    rf"(?:(?:{_PREPOSITIONS})\s+)?(?:{_FRENCH_QUESTION_WORDS}|{_ENGLISH_QUESTION_WORDS})\b"
)
# After a comma alone, « qui », « que », « dont » open a relative clause, not a question.
_RELATIVE = r"(?!(?:qui|que|qu['’]|quoi|dont|which|who|whom|whose)\b)"
# « , et quand », « et dans quel but », « ainsi que combien », « , and how many », « , quand, »
_COORDINATION = re.compile(
    rf"(?:\s*,\s*(?:et|ainsi que|and|or)\s+|\s+(?:et|ainsi que|and)\s+|\s*,\s*{_RELATIVE})"
    rf"(?={_QUESTION_START})",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(rf"(?<![\w'’-])(?:{_FRENCH_QUESTION_WORDS}|{_ENGLISH_QUESTION_WORDS})\b", re.IGNORECASE)
# « a-t-il », « sont-elles »: a French question without a question word.
_INVERTED_SUBJECT = re.compile(r"\w-(?:t-)?(?:il|elle|on|ils|elles)\b", re.IGNORECASE)
_ON_ONE_HAND = re.compile(r"^\s*d['’]une part\s*,?\s*", re.IGNORECASE)
_ON_THE_OTHER_HAND = re.compile(r"\s*[;,]?\s*(?:et\s+)?d['’]autre part\s*,?\s*", re.IGNORECASE)
# A part must still ask something: at least this many letters besides its question word.
MIN_PART_LETTERS = 3


@dataclass(frozen=True)
class QuestionPart:
    """One question of a compound question, with what to search and what it itself asks."""

    text: str  # the part as the user wrote it, completed into a sentence (« Quand … ? »)
    searched: str  # what retrieval searches: the part, completed with the first one when it leans on it
    focus: str | None  # the part's own words when `searched` completes them, else None


def split_question(question: str) -> list[str]:
    """The questions a compound question asks, in order (one item for a simple question)."""
    text = " ".join(question.split())
    if not text:
        return []
    pieces = _split_on_question_marks(text)
    pieces = [part for piece in pieces for part in _split_on_hands(piece)]
    pieces = [part for piece in pieces for part in _split_on_coordination(piece)]
    pieces = _merge_framing(pieces)
    parts = [_as_question(p) for p in pieces if _asks_something(p)]
    return parts if len(parts) > 1 else [text]


def question_parts(question: str) -> list[QuestionPart]:
    """`split_question`, each later part completed with the first one when it leans on it."""
    texts = split_question(question)
    if len(texts) == 1:
        return [QuestionPart(texts[0], texts[0], None)]
    first = texts[0]
    parts = [QuestionPart(first, first, None)]
    for text in texts[1:]:
        history = [{"question": first}]
        parts.append(QuestionPart(text, resolve(text, history), follow_up_focus(text, history)))
    return parts


def _split_on_question_marks(text: str) -> list[str]:
    pieces = [p.strip() for p in re.split(r"(?<=\?)\s+", text) if p.strip()]
    return pieces


def _split_on_hands(text: str) -> list[str]:
    """« D'une part, A ; d'autre part, B ? » → « A ? », « B ? »."""
    if not _ON_ONE_HAND.search(text) or not _ON_THE_OTHER_HAND.search(text):
        return [text]
    body = _ON_ONE_HAND.sub("", text, count=1)
    pieces = _ON_THE_OTHER_HAND.split(body, maxsplit=1)
    if len(pieces) != 2:
        return [text]
    first, second = pieces
    return [first, second] if first.strip() and second.strip() else [text]


def _split_on_coordination(text: str) -> list[str]:
    """Split before each coordinated question word (never inside quotes or parentheses)."""
    cuts = [m for m in _COORDINATION.finditer(text) if m.start() > 0 and not _inside_brackets(text, m.start())]
    if not cuts:
        return [text]
    pieces, start = [], 0
    for match in cuts:
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def _merge_framing(pieces: list[str]) -> list[str]:
    """Join a piece that asks nothing to the next one: « Selon l'OCDE, à combien … ? »."""
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        piece = f"{carry}, {piece}" if carry else piece
        if _QUESTION_WORD.search(piece) or _INVERTED_SUBJECT.search(piece):
            merged.append(piece)
            carry = ""
        else:
            carry = piece
    if carry:
        if merged:
            merged[-1] = f"{merged[-1]}, {carry}"
        else:
            merged.append(carry)
    return merged


def _inside_brackets(text: str, position: int) -> bool:
    before = text[:position]
    return before.count("«") > before.count("»") or before.count("(") > before.count(")")


def _asks_something(piece: str) -> bool:
    letters = re.sub(rf"^\s*{_QUESTION_START}", "", piece.strip(), flags=re.IGNORECASE)
    return len(re.findall(r"[^\W\d_]", letters)) >= MIN_PART_LETTERS or bool(
        re.fullmatch(rf"\s*{_QUESTION_START}\s*\??\s*", piece, flags=re.IGNORECASE)
    )


def _as_question(piece: str) -> str:
    """A piece as a question of its own: capitalised, ending with a question mark."""
    piece = piece.strip(" ,;")
    if not piece.endswith("?"):
        piece = piece.rstrip(".") + " ?"
    return piece[:1].upper() + piece[1:]
