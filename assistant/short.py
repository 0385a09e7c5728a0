"""The short answer: the exact span of the cited sentence that answers a figure, date or name question.

« Quel était le budget du Health Data Hub en 2020 ? » → « 9,7 M€ », taken
verbatim from the sentence cited [1]. Candidates of the asked kind are found
in the sentence — amounts and counts with their unit or counted noun
(« 9,7 M€ », « 8 millions de dossiers », « 56 % »), dates (« 4 décembre
2020 », « mars 2018 », « 2021 »), names (« John Giannandrea », « Microsoft et
AstraZeneca ») — and the one standing nearest to the question's own words in
the sentence wins. Nothing is ever produced that is not verbatim in the
sentence; when no candidate of the asked kind is there, there is no short answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from assistant.language import is_name
from ingest.text import YEAR, fold

_MONTH = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|"
    r"d[ée]cembre|january|february|march|april|may|june|july|august|september|october|"
    r"november|december"
)
_QUALIFIER = (
    r"(?:(?:plus|près|moins|autour) d['’e]\s*|environ\s+|jusqu['’]à\s+|quelque\s+|dès\s+|"
    r"about\s+|nearly\s+|over\s+|more than\s+|up to\s+|almost\s+|\+\s?)?"
)
_DIGITS = r"\d{1,3}(?:[\s\u202f\xa0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_NUMBER_WORDS = (
    r"une?\s+(?:trentaine|quinzaine|vingtaine|dizaine|centaine|cinquantaine|quarantaine|douzaine)|"
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
    r"vingt|trente|quarante|cinquante|soixante|cent|mille|two|three|four|five|six|seven|eight|"
    r"nine|ten|twelve|fifteen|twenty|thirty|fifty|hundred"
)
_NUMBER = rf"(?:{_DIGITS}|(?<![\w])(?:{_NUMBER_WORDS})\b)"
_SCALE = r"(?:\s?(?:millions?|milliards?|mille|billions?|thousand|Mds?|Mrds?|k|K|M|G)(?![\w]))?"
_UNIT = (
    r"(?:\s?(?:%|€|\$|£|¥)|\s?(?:euros?|dollars?(?:\s+(?:canadiens|américains|US))?|livres)\b"
    r"|\s?(?:M|Md|Mds|k)[€$£]|\s?pétaflops\b|\s?(?:mètres carrés|m²|heures|ans|mois|jours|minutes))?"
)
_UNIT_REQUIRED = _UNIT[:-1]  # the same units, not optional: a unit or a counted noun, not both
# A counted noun after the number (« 489 cours », « 8 millions de dossiers », « 20 personnes »).
_COUNTED = (
    r"(?:\s(?:de\s|d['’])?(?!(?:et|ou|en|de|du|des|à|au|aux|pour|par|sur|dans|avec|qui|que|"
    r"and|or|in|of|to|for|on|at|the|a|an|sont|ont|est|a|été|is|are|was|were)\b)[^\W\d_][\w'’-]{2,})?"
)
_QUANTITY = re.compile(
    rf"{_QUALIFIER}(?<![\w,.]){_NUMBER}{_SCALE}(?:{_UNIT_REQUIRED}|{_COUNTED})",
    re.IGNORECASE,
)
_RANGE = re.compile(
    rf"\+?(?<![\w,.])(?:{_DIGITS})\s?%?\s?(?:à|-|–)\s?\+?(?:{_DIGITS})\s?(?:%|€|M€|ans?)",
    re.IGNORECASE,
)
_DATE = re.compile(
    rf"(?:(?:début|fin|mi|courant|été|automne|hiver|printemps)[\s-]+)?"
    rf"(?:(?:1er|\d{{1,2}})\s+)?(?:{_MONTH})(?:\s+(?:19|20)\d{{2}})?|"
    rf"(?:(?:début|fin|mi|courant|été|automne|hiver|printemps)[\s-]+)?(?<!\d)(?:19|20)\d{{2}}(?!\d)",
    re.IGNORECASE,
)
_NAME_RUN = re.compile(r"[A-ZÀ-ÝŒ][\w’'-]*(?:\s+(?:de\s+|du\s+|d['’]|des\s+|le\s+|la\s+|van\s+|von\s+)?[A-ZÀ-ÝŒ0-9][\w’'-]*)*")
# A question asking for several names (« Quels instituts… », « Which companies… »).
_PLURAL = re.compile(
    r"\b(quels|quelles|lesquels|lesquelles)\b|^\s*qui\s+\S+(ent|ont)\b|\bwhich \w+s\b|"
    r"\b(who are|what are)\b",
    re.IGNORECASE,
)
# Names joined by « et » / « and » are one answer (« Microsoft et AstraZeneca »).
_JOIN = re.compile(r"^\s*(?:et|and|&)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """A candidate short answer: its offsets in the sentence and its text."""

    start: int
    end: int
    text: str


def short_answer(kind: str | None, sentence: str, question: str, question_terms: Collection[str],
                 exclude: Collection[str] = ()) -> Span | None:
    """The verbatim span of `sentence` answering a question of `kind` ("quantity", "date",
    "name", "place"), or None. `question_terms` are the question's folded words, used to
    prefer the candidate nearest to what the question is about; spans in `exclude` already
    answer another part of the question."""
    if kind == "quantity":
        candidates = _quantities(sentence)
    elif kind == "date":
        candidates = _matches(_DATE, sentence)
    elif kind in ("name", "place"):
        candidates = _names(sentence, question)
    else:
        return None
    asked = fold(question)
    candidates = [c for c in candidates if fold(c.text) not in asked and c.text not in exclude]
    if not candidates:
        return None
    if kind in ("name", "place") and _PLURAL.search(question) and len(candidates) > 1:
        # « Qui co-organisent… ? », « Quels instituts… ? »: every name of the sentence, in order.
        first, last = candidates[0], candidates[-1]
        return Span(first.start, last.end, ", ".join(c.text for c in candidates))
    anchors = _anchor_positions(sentence, question_terms)
    wanted = _wanted_unit(question) if kind == "quantity" else None
    return min(
        candidates,
        key=lambda span: (
            _unit_mismatch(span.text, wanted, question_terms),
            -len(span.text.split()) if kind in ("name", "place") else 0,
            _distance(span, anchors),
            span.start,
        ),
    )


# What kind of figure a quantity question expects, from its words.
_MONEY_CUES = re.compile(
    r"\b(montant|budget|investi\w*|coût\w*|co[uû]te\w*|prix|chiffre d['’]affaires|déficit|"
    r"financement|économies|how much|revenue|funding|invest\w*|cost|price|paid|pay)\b",
    re.IGNORECASE,
)
_SHARE_CUES = re.compile(
    r"\b(part|pourcentage|taux|proportion|share|percentage|rate|fiabilité|précision)\b", re.IGNORECASE
)
_TIME_CUES = re.compile(r"\b(combien de temps|durée|how long)\b", re.IGNORECASE)
_MONEY = re.compile(r"€|\$|£|¥|euros?|dollars?|livres", re.IGNORECASE)
_TIME = re.compile(r"\b(ans?|années?|mois|semaines?|jours?|heures?|minutes?|years?|months?|days?)\b", re.IGNORECASE)


def _wanted_unit(question: str) -> str | None:
    if _MONEY_CUES.search(question):
        return "money"
    if _SHARE_CUES.search(question):
        return "share"
    if _TIME_CUES.search(question):
        return "time"
    return "count"


def _unit_mismatch(text: str, wanted: str | None, question_terms: Collection[str]) -> int:
    """0 when a quantity has the kind of unit the question asks for (money, %, time, a
    counted noun of the question), 1 otherwise; always 0 for names and dates."""
    if wanted is None:
        return 0
    if wanted == "money":
        return 0 if _MONEY.search(text) else 1
    if wanted == "share":
        return 0 if "%" in text or re.search(r"\bpour ?cent|percent", text, re.IGNORECASE) else 1
    if wanted == "time":
        return 0 if _TIME.search(text) else 1
    counted = {fold(w)[:5] for w in re.findall(r"[^\W\d_]{3,}", text)}
    return 0 if counted & {t[:5] for t in question_terms if len(t) >= 3} else 1


def _matches(pattern: re.Pattern[str], sentence: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group().strip()) for m in pattern.finditer(sentence) if m.group().strip()]


def _quantities(sentence: str) -> list[Span]:
    spans = _matches(_RANGE, sentence)
    taken = [(s.start, s.end) for s in spans]
    for match in _QUANTITY.finditer(sentence):
        text = match.group().strip()
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        if _is_year(text) or any(a <= start < b for a, b in taken):
            continue  # a year (« 2022 », « Ma Santé 2022 donne… ») is a date, not a quantity
        spans.append(Span(start, start + len(text), text))
    return spans


def _is_year(text: str) -> bool:
    """A year standing alone or followed by a word that is not a unit."""
    first = text.split()[0] if text.split() else ""
    return bool(YEAR.fullmatch(first)) and not re.search(r"%|€|\$|£|millions?|milliards?", text)


def _names(sentence: str, question: str) -> list[Span]:
    asked = {fold(w) for w in re.findall(r"\w+", question)}
    runs = []
    for match in _NAME_RUN.finditer(sentence):
        words = match.group().split()
        if match.start() == 0 and len(words) == 1 and not match.group().isupper():
            continue  # the capital of the sentence's first word
        span = _without_asked_words(sentence, match.start(), match.end(), asked)
        if span is None:
            continue  # the question's own name is not its answer
        if not any(is_name(w, "") for w in span.text.split()):
            continue
        runs.append(span)
    # « Microsoft et AstraZeneca »: adjacent names joined by a conjunction.
    joined: list[Span] = []
    for span in runs:
        if joined and _JOIN.match(sentence[joined[-1].end : span.start]):
            last = joined[-1]
            joined[-1] = Span(last.start, span.end, sentence[last.start : span.end])
        else:
            joined.append(span)
    return joined


def _without_asked_words(sentence: str, start: int, end: int, asked: set[str]) -> Span | None:
    """A name run with the question's own words trimmed from its ends (« Paris AI Factory for
    Health » asked about « AI Factory for Health » → « Paris »); None when nothing is left."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", sentence[start:end])]
    while words and fold(sentence[words[0][0] : words[0][1]]).strip("'’") in asked | _LINKS:
        words.pop(0)
    while words and fold(sentence[words[-1][0] : words[-1][1]]).strip("'’") in asked | _LINKS:
        words.pop()
    if not words:
        return None
    return Span(words[0][0], words[-1][1], sentence[words[0][0] : words[-1][1]])


_LINKS = {"de", "du", "des", "d", "le", "la", "van", "von", "for", "of"}


def _anchor_positions(sentence: str, question_terms: Collection[str]) -> list[int]:
    folded_terms = {t for t in question_terms if len(t) >= 3}
    return [m.start() for m in re.finditer(r"\w+", sentence) if fold(m.group())[:5] in {t[:5] for t in folded_terms}]


def _distance(span: Span, anchors: list[int]) -> int:
    if not anchors:
        return 0
    return min(abs(a - span.start) if a < span.start else abs(a - span.end) for a in anchors)
