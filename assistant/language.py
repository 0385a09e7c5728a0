"""Cheap question analysis: language, wanted answer kind, key terms.

Used by retrieval (to weight BM25 for English questions), by the answerer (to
prefer sentences holding a number when a number is asked) and by the gate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_EN_WORDS = frozenset(
    "the what which who whom whose when where why how is are was were does do did "
    "of in on for to and with by from about many much much does has have according "
    "report reports say says said there their this that these those".split()
)
_FR_WORDS = frozenset(
    "le la les un une des du de quel quelle quels quelles qui que quoi quand où "
    "comment pourquoi combien est sont été selon pour dans sur avec par et au aux "
    "ce cette ces il elle ils elles on en y a ont rapport rapports".split()
)

_NUMBER_CUES = re.compile(
    r"\b(combien|quel(le)?s? (est|sont|était|étaient) (le|la|les) (montant|nombre|budget|"
    r"part|taux|pourcentage|chiffre|coût|somme|proportion|date|année)|"
    r"en quelle année|quand|how many|how much|what (percentage|share|amount|year)|"
    r"when|quel (budget|montant|nombre|pourcentage|taux)|quelle (part|somme|date|année|"
    r"proportion))\b",
    re.IGNORECASE,
)
_LIST_CUES = re.compile(
    r"\b(quels sont|quelles sont|lesquel|citez|énumérez|liste|which (are|were)|"
    r"what are|list|name the)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_ACRONYM = re.compile(r"\b[A-Z0-9]*[A-Z][A-Z0-9]+\b")


@dataclass(frozen=True)
class QuestionProfile:
    """What a question looks like, for the retrieval and answer stages."""

    language: str  # "fr" or "en" (or "other")
    wants_number: bool
    wants_list: bool
    numbers: tuple[str, ...]
    years: tuple[str, ...]
    acronyms: tuple[str, ...]
    names: tuple[str, ...] = ()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿœæ]+", text.lower())


def detect_language(text: str) -> str:
    """Return "en", "fr" or "other" from stop-word counts (questions are short)."""
    words = _words(text)
    if not words:
        return "other"
    en = sum(w in _EN_WORDS for w in words)
    fr = sum(w in _FR_WORDS for w in words)
    accents = sum(ch in "éèêàùçôîâûœ" for ch in text.lower())
    fr += accents // 2
    if en == 0 and fr == 0:
        ascii_share = sum(ch.isascii() for ch in text) / max(1, len(text))
        return "fr" if ascii_share > 0.9 else "other"
    return "en" if en > fr else "fr"


def profile_question(question: str) -> QuestionProfile:
    """Analyse a question once; every stage reads the same profile."""
    return QuestionProfile(
        language=detect_language(question),
        wants_number=bool(_NUMBER_CUES.search(question)),
        wants_list=bool(_LIST_CUES.search(question)),
        numbers=tuple(n.replace(".", ",") for n in NUMBER.findall(question)),
        years=tuple(YEAR.findall(question)),
        acronyms=tuple(a for a in _ACRONYM.findall(question) if len(a) >= 2),
        names=proper_names(question),
    )


_NAME = re.compile(r"\b[A-ZÀ-Ý][\w’'-]*[\w]")
_NOT_NAMES = frozenset(
    "quel quelle quels quelles qui que quoi quand comment combien pourquoi selon "
    "est sont le la les un une des du de en et ou au aux dans pour par sur avec "
    "what which who when where why how is are the a an in of for and according "
    "do does did has have et qu".split()
)


def proper_names(question: str) -> tuple[str, ...]:
    """Capitalised words and acronyms past the first word (likely names)."""
    words = _NAME.findall(question)
    first = question.strip().split(" ", 1)[0].strip("«»\"'")
    names = []
    for word in words:
        bare = word.split("'")[-1].split("’")[-1]
        if bare == first or fold(bare) in _NOT_NAMES or len(bare) < 2:
            continue
        names.append(bare)
    return tuple(dict.fromkeys(names))


def normalise_number(token: str) -> str:
    """`1.85` and `1,85` compare equal; thousands separators are dropped."""
    token = token.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    return token.replace(".", ",")


def numbers_in(text: str) -> set[str]:
    """Every number in a text, normalised (`9,7`, `2020`, `581`)."""
    text = re.sub(r"(?<=\d)[\s\u202f\xa0](?=\d{3}\b)", "", text)
    return {normalise_number(n) for n in NUMBER.findall(text)}


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes, for loose matching."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def is_printable_question(text: str) -> bool:
    """True when a question holds at least one letter or digit."""
    return any(ch.isalnum() for ch in text)
