"""The short answer: the exact span of the cited sentence that answers a figure, date or name question.

« Quel était le budget du Health Data Hub en 2020 ? » → « 9,7 M€ », taken
verbatim from the sentence cited [1]. Candidates of the asked kind are found
in the sentence — amounts and counts with their unit or counted noun
(« 9,7 M€ », « 8 millions de dossiers », « 56 % »), dates (« 4 décembre
2020 », « mars 2018 », « 2021 »), names (« John Giannandrea », « Microsoft et
AstraZeneca ») — and the one standing nearest to the question's own words in
the sentence wins. A question counting several things (« Combien de startups
et de multinationales… ») gets one figure for each, and names coordinated by
« et » (« A, B, C et D ») are one answer. Nothing is ever produced that is not
verbatim in the sentence (several pieces, when not adjacent, are each verbatim
and joined by commas); when no candidate of the asked kind is there, there is no
short answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from assistant.language import is_name, proper_names
from ingest.text import YEAR, fold, numbers_in

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
# « un million de patients », « a billion »: the article counts when a scale follows.
_ONE_SCALE = r"(?:une?|a|one)(?=\s+(?:millions?|milliards?|million|billion)\b)"
_NUMBER = rf"(?:{_DIGITS}|(?<![\w])(?:{_NUMBER_WORDS}|{_ONE_SCALE})\b)"
_SCALE = r"(?:\s?(?:millions?|milliards?|mille|billions?|thousand|Mds?|Mrds?|k|K|M|G)(?![\w]))?"
_UNIT = (
    r"(?:\s?(?:%|€|\$|£|¥)|\s?(?:euros?|dollars?(?:\s+(?:canadiens|américains|US))?|livres)\b"
    r"|\s?(?:M|Md|Mds|k)[€$£]|\s?pétaflops\b|\s?(?:mètres carrés|m²|heures|ans|mois|jours|minutes))?"
)
_UNIT_REQUIRED = _UNIT[:-1]  # the same units, not optional: a unit or a counted noun, not both
# A counted noun after the number (« 489 cours », « 8 millions de dossiers », « 20 personnes »).
_COUNTED = (
    r"(?:\s(?:de\s|d['’])?(?!(?:et|ou|en|de|du|des|à|au|aux|pour|par|sur|dans|avec|qui|que|"
    r"and|or|in|of|to|for|on|at|the|a|an|sont|ont|est|a|été|is|are|was|were)\b)"
    r"(?![^\W\d_]+(?:ent|ont)\b)[^\W\d_][\w'’-]{2,})?"  # « 18 proposent »: a verb, not a noun
)
# The period an amount is spread over belongs to it (« 2 Md€ sur 5 ans »).
_PERIOD = (
    r"(?:\s(?:sur|over)\s(?:\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|two|three|four|"
    r"five|ten)\s(?:ans|années|mois|years|months)\b)?"
)
_QUANTITY = re.compile(
    rf"{_QUALIFIER}(?<![\w,.]){_NUMBER}{_SCALE}(?:{_UNIT_REQUIRED}|{_COUNTED}){_PERIOD}",
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
# A name: capitalised words (« Recast.ai », « Président de la République », « Master in
# Health and Data Intelligence »), linked by the particles names carry.
_NAME_WORD = r"(?:[A-ZÀ-ÝŒ]|(?<![\w])\d+[A-Z])[\w’'-]*(?:\.[a-z]{2,4}\b)?"  # « 3IA », « Recast.ai »
_NAME_LINK = (
    r"(?:de\s+la\s+|de\s+l['’]|de\s+|du\s+|d['’]|des\s+|le\s+|la\s+|van\s+|von\s+|"
    r"of\s+(?:the\s+)?|for\s+|in\s+|and\s+|at\s+)"
)
_NAME_RUN = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_LINK}?(?:{_NAME_WORD}|[0-9][\w’'-]*))*")
# A question asking for several names (« Quels instituts… », « Which companies… »).
_PLURAL = re.compile(
    r"\b(quels|quelles|lesquels|lesquelles)\b|^\s*qui\s+\S+(ent|ont)\b|\bwhich \w+s\b|"
    r"\b(who are|what are)\b",
    re.IGNORECASE,
)
# Names joined by « et » / « and » are one answer (« Microsoft et AstraZeneca »).
_JOIN = re.compile(r"^\s*,?\s*(?:et|and|&)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """A candidate short answer: its offsets in the sentence and its text."""

    start: int
    end: int
    text: str


def short_answer(kind: str | None, sentence: str, question: str, question_terms: Collection[str],
                 exclude: Collection[str] = (), *, fitting_only: bool = False) -> Span | None:
    """The verbatim span of `sentence` answering a question of `kind` ("quantity", "date",
    "name", "place"), or None. `question_terms` are the question's folded words, used to
    prefer the candidate nearest to what the question is about; spans in `exclude` already
    answer another part of the question. With `fitting_only`, a quantity whose unit is not
    the one asked for (a count of « employés » for « combien de chercheurs ») is no answer."""
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
    if kind == "quantity":
        # « Parmi les 47 multinationales…, combien… ? »: the question's own figure is not its answer.
        given = numbers_in(question)
        candidates = [c for c in candidates if not numbers_in(c.text) & given]
    if not candidates:
        return None
    if kind in ("name", "place") and _PLURAL.search(question) and len(candidates) > 1:
        # « Qui co-organisent… ? », « Quels instituts… ? »: every name of the sentence, in order.
        return _joined(sentence, candidates)
    anchors = _anchor_positions(sentence, question_terms)
    wanted = _wanted_unit(question) if kind == "quantity" else None
    if wanted == "count":
        counted = _counted_answers(candidates, question_terms, anchors)
        if len(counted) > 1:  # « Combien de startups et de multinationales… ? »: one figure each
            return _joined(sentence, counted)
    best = min(
        candidates,
        key=lambda span: (
            _unit_mismatch(span.text, wanted, question_terms),
            -len(span.text.split()) if kind in ("name", "place") else 0,
            _distance(span, anchors),
            span.start,
        ),
    )
    if fitting_only and _unit_mismatch(best.text, wanted, question_terms):
        return None
    if wanted in ("money", "share") and _RESPECTIVE.search(f"{question} {sentence}"):
        # « des investissements respectifs de 57M€ et 157M€ »: both figures are the answer.
        return _with_coordinated(sentence, best, candidates)
    return best


# The sentence or the question pairs figures with several things (« respectifs », « both »).
_RESPECTIVE = re.compile(
    r"\b(respecti(?:f|fs|ve|ves|vement)|respectively|both|each|chacun|chacune|les deux|two)\b",
    re.IGNORECASE,
)


def _counted_answers(candidates: list[Span], question_terms: Collection[str],
                     anchors: list[int]) -> list[Span]:
    """For each counted noun of the question that some candidate counts (« startups »,
    « multinationales »), the candidate nearest to the question's words; in sentence order."""
    best: dict[str, Span] = {}
    terms = {t[:5] for t in question_terms if len(t) >= 3}
    for span in candidates:
        for word in re.findall(r"[^\W\d_]{3,}", span.text):
            stem = fold(word)[:5]
            if stem in terms and (stem not in best or _distance(span, anchors) < _distance(best[stem], anchors)):
                best[stem] = span
    return sorted(set(best.values()), key=lambda span: span.start)


def _joined(sentence: str, spans: list[Span]) -> Span:
    """Several spans as one answer: the verbatim stretch when only commas and « et » / « and »
    separate them (« près de 100 startups et 18 multinationales »), else each span, comma-joined."""
    first, last = spans[0], spans[-1]
    gaps = [sentence[a.end : b.start] for a, b in zip(spans, spans[1:])]
    if all(_SEPARATOR.fullmatch(gap) for gap in gaps):
        return Span(first.start, last.end, sentence[first.start : last.end])
    return Span(first.start, last.end, ", ".join(span.text for span in spans))


_SEPARATOR = re.compile(r"\s*(?:,|;|et|and|&|, et|, and)\s*", re.IGNORECASE)


def _with_coordinated(sentence: str, best: Span, candidates: list[Span]) -> Span:
    """`best` with the figures coordinated with it (« 57M€ et 157M€ »)."""
    ordered = sorted(candidates, key=lambda span: span.start)
    index = ordered.index(best)
    first = last = index
    while first > 0 and _SEPARATOR.fullmatch(sentence[ordered[first - 1].end : ordered[first].start]):
        first -= 1
    while last + 1 < len(ordered) and _SEPARATOR.fullmatch(sentence[ordered[last].end : ordered[last + 1].start]):
        last += 1
    return best if first == last else _joined(sentence, ordered[first : last + 1])


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
        if _NAMED_NUMBER.search(sentence[:start]) and re.fullmatch(_DIGITS, text):
            continue  # « l'Université Paris 1 », « Windows 10 »: a bare number ending a name
        spans.append(Span(start, start + len(text), text))
    return spans


# A capitalised word right before a number: the number is part of a name.
_NAMED_NUMBER = re.compile(r"(?<![.!?]\s)\b[A-ZÀ-ÝŒ][\w’'-]*\s$")


def _is_year(text: str) -> bool:
    """A year standing alone or followed by a word that is not a unit."""
    first = text.split()[0] if text.split() else ""
    return bool(YEAR.fullmatch(first)) and not re.search(r"%|€|\$|£|millions?|milliards?", text)


def _names(sentence: str, question: str) -> list[Span]:
    question_names = _question_names(question)
    runs = []
    for match in _NAME_RUN.finditer(sentence):
        words = match.group().split()
        if match.start() == 0 and len(words) == 1 and not match.group().isupper() \
                and not re.match(r"[LD]['’]\w", match.group()):
            continue  # the capital of the sentence's first word (« L'Allemagne » names a country)
        if re.match(r"[€$£¥]", sentence[match.end() : match.end() + 1]):
            continue  # « Md€ », « M$ »: a unit, not a name
        span = _without_asked_words(sentence, match.start(), match.end(), question_names)
        if span is None:
            continue  # the question's own name is not its answer
        if not sentence[: span.start].strip(" «\"'"):
            span = _without_opener(sentence, span)  # « En France » → « France »
            if span is None:
                continue
        if not any(is_name(w, "") and re.search(r"[^\W\d_]", w) for w in span.text.split()):
            continue  # no word that names something (« 2014 » alone is no name)
        runs.append(span)
    # « Microsoft et AstraZeneca », « A, B, C et D »: names coordinated by a conjunction are
    # one answer; a run of comma-separated names only when a conjunction closes it.
    joined: list[list[Span]] = []
    for span in runs:
        gap = sentence[joined[-1][-1].end : span.start] if joined else ""
        if joined and (_JOIN.match(gap) or gap.strip() == ","):
            joined[-1].append(span)
        else:
            joined.append([span])
    names: list[Span] = []
    for group in joined:
        closed = len(group) > 1 and _JOIN.match(sentence[group[-2].end : group[-1].start])
        if closed:
            names.append(Span(group[0].start, group[-1].end, sentence[group[0].start : group[-1].end]))
            continue
        names += group
    return names


def _without_opener(sentence: str, span: Span) -> Span | None:
    """A name run opening the sentence without its capitalised opening word when that word
    names nothing (« En France », « Selon Owkin ») or its elided article (« L'Allemagne »)."""
    start = span.start
    elided = re.match(r"[LD]['’](?=\w)", sentence[start : span.end])
    if elided:
        start += elided.end()
        if not sentence[start].isupper():
            return None  # « L'impact »: a common noun after the article
    else:
        first = re.match(r"\S+\s*", sentence[start : span.end])
        if first and not is_name(first.group().strip(), ""):
            start += first.end()
    if start >= span.end:
        return None
    return Span(start, span.end, sentence[start : span.end])


def _without_asked_words(sentence: str, start: int, end: int, question_names: list[list[str]]) -> Span | None:
    """A name run with the question's own names of several words trimmed from its ends
    (« Paris AI Factory for Health » asked about « AI Factory for Health » → « Paris »); a
    single asked word stays (« Amazon Transcribe Medical » for « Which Amazon tool… »).
    None when nothing is left."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", sentence[start:end])]
    folded = [fold(sentence[a:b]).strip("'’") for a, b in words]
    trimmed = True
    while trimmed and words:
        trimmed = False
        for name in question_names:
            size = len(name)
            if folded[:size] == name:
                words, folded, trimmed = words[size:], folded[size:], True
            elif folded[-size:] == name:
                words, folded, trimmed = words[:-size], folded[:-size], True
        while words and folded[0] in _LINKS:
            words, folded, trimmed = words[1:], folded[1:], True
        while words and folded[-1] in _LINKS:
            words, folded, trimmed = words[:-1], folded[:-1], True
    if not words:
        return None
    return Span(words[0][0], words[-1][1], sentence[words[0][0] : words[-1][1]])


def _question_names(question: str) -> list[list[str]]:
    """The question's names of two words or more, folded word by word, longest first."""
    names = [fold(name).split() for name in proper_names(question)]
    names += [fold(m.group()).split() for m in _NAME_RUN.finditer(question)]
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


_LINKS = {"de", "du", "des", "d", "le", "la", "l", "van", "von", "for", "of", "the", "in", "and", "at"}


def _anchor_positions(sentence: str, question_terms: Collection[str]) -> list[int]:
    folded_terms = {t for t in question_terms if len(t) >= 3}
    return [m.start() for m in re.finditer(r"\w+", sentence) if fold(m.group())[:5] in {t[:5] for t in folded_terms}]


def _distance(span: Span, anchors: list[int]) -> int:
    """Characters between the span and the nearest question word outside it (« France »
    does not stand near « française » by being it)."""
    outside = [a for a in anchors if not span.start <= a < span.end]
    if not outside:
        return 0
    return min(abs(a - span.start) if a < span.start else abs(a - span.end) for a in outside)
