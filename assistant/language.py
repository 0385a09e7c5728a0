"""Cheap question analysis: language, wanted answer kind, key terms.

Used by retrieval (to weight BM25 for English questions), by the answerer (to
prefer sentences holding a number when a number is asked) and by the gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import NUMBER, YEAR, canonical_number, fold, without_grouped_thousands

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

_QUANTITY_CUES = re.compile(
    r"\b(combien|montants?|budgets?|pourcentages?|taux|prix|coûts?|salaires?|sommes?|"
    r"proportions?|nombre|chiffres?|effectifs?|quelle part|parts? de marché|investissements?|"
    r"puissance|fiabilité|superficie|précision|quel gain|frais|déficit|chiffre d['’]affaires|"
    r"quel rang|à quel rang|how (many|much|long)|what share|percentage|share|amount|cost|price|"
    r"budget|salary|number of|revenue|funding)\b",
    re.IGNORECASE,
)
_DATE_CUES = re.compile(
    r"\b(quand|en quelle année|quelle année|à quelle date|quelle date|depuis quand|when|what year|"
    r"which year|what date)\b",
    re.IGNORECASE,
)
# « Qui… ? », « Quelle entreprise… ? »: the answer names someone or something.
_NAME_CUES = re.compile(
    r"^\s*(qui|par qui|à qui|who|whom)\b|\b(quel(le)?s? (entreprises?|start-?ups?|sociétés?|"
    r"organisations?|institutions?|universités?|agences?|organismes?|laboratoires?|fournisseurs?|"
    r"groupes?|industriels?|acteurs?|instituts?|outils?|applications?|services?|éditeurs?|"
    r"projets?|programmes?|solutions?|plateformes?|logiciels?|chatbots?|masters?|rapports?|"
    r"termes?|noms?)|which (compan(y|ies)|start-?ups?|organi[sz]ations?|firms?|institutes?|"
    r"universit(y|ies)|tools?|terms?|authorities|programmes?|programs?|services?|masters?))\b",
    re.IGNORECASE,
)
# « Où… ? », « Dans quelle ville… ? »: the answer names a place.
_PLACE_CUES = re.compile(
    r"^\s*(où|where)\b|\b(dans quel(le)?s? (pays|villes?|régions?|hôpitaux|hôpital|quartiers?|"
    r"départements?|chu)|quel(le)?s? (pays|villes?|régions?|hôpital|chu)|in which (city|cities|"
    r"country|countries|hospital|parts?|regions?|town)|which (city|cities|country|countries|"
    r"hospital|town))\b",
    re.IGNORECASE,
)
_QUANTITY_WORDS = re.compile(
    r"%|\b(moitié|tiers|quarts?|doubl[ée]e?s?|tripl[ée]e?s?|quadrupl[ée]e?s?|deux|trois|quatre|cinq|six|sept|huit|neuf|"
    r"dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|cents|"
    r"mille|millions?|milliards?|dizaines?|douzaines?|quinzaines?|vingtaines?|trentaines?|"
    r"quarantaines?|cinquantaines?|soixantaines?|centaines?|milliers?|"
    r"two|three|four|five|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|half|third)\b",
    re.IGNORECASE,
)
_MONTHS = re.compile(
    r"\b(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|"
    r"d[ée]cembre|january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\b",
    re.IGNORECASE,
)
_LIST_CUES = re.compile(
    r"\b(quels sont|quelles sont|lesquel|citez|énumérez|liste|which (are|were)|"
    r"what are|list|name the)\b",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"\b[A-Z0-9]*[A-Z][A-Z0-9]+\b")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Ý][\w-]+")


@dataclass(frozen=True)
class QuestionProfile:
    """What a question looks like, for the retrieval and answer stages."""

    language: str  # "fr" or "en" (or "other")
    answer_kind: str | None  # "quantity", "date", "place", "name" or None
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
        answer_kind=answer_kind(question),
        wants_list=wants_list(question),
        numbers=question_numbers(question),
        years=tuple(YEAR.findall(question)),
        acronyms=tuple(a for a in _ACRONYM.findall(question) if len(a) >= 2),
        names=proper_names(question),
    )


_NAME = re.compile(r"\b[A-ZÀ-Ý][\w’'-]*[\w]")
_NOT_NAMES = frozenset(
    "quel quelle quels quelles qui que quoi quand comment combien pourquoi selon "
    "est sont le la les un une des du de en et ou au aux dans pour par sur avec "
    "what which who when where why how is are the a an in of for and according "
    "do does did has have et qu "
    # Months and days are capitalised in English, never names of things.
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
    "january february march april may june july august september october november december "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "monday tuesday wednesday thursday friday saturday sunday "
    # Capitalised English adjectives and titles: not names of things.
    "dr mr mrs ms prof president minister government ministry "
    "ministre premier premiere directeur directrice chef cheffe professeur docteur "
    "french german british english european american canadian chinese italian spanish "
    "swiss dutch belgian japanese indian australian israeli finnish swedish danish "
    "norwegian irish african asian western eastern northern southern".split()
)


# Acronyms too common to name anything in particular.
_GENERIC_ACRONYMS = frozenset({"IA", "AI", "UE", "EU"})


_ROMAN_ORDINAL = re.compile(r"[IVXLC]+(?:e|er|ère|ème|eme)")


def is_name(word: str, first_word: str) -> bool:
    """Could this capitalised word name a person, an organisation or a product?"""
    if word == first_word or len(word) < 2 or word in _GENERIC_ACRONYMS:
        return False
    if _ROMAN_ORDINAL.fullmatch(word):
        return False  # « XXe siècle », « XIXème »: an ordinal, not a name
    # « HAS » (the French health authority) is a name even though « has » is not.
    return word.isupper() or fold(word) not in _NOT_NAMES


def proper_names(question: str) -> tuple[str, ...]:
    """Names in a question: runs of capitalised words past the first word.

    « Yann LeCun » is one name (known when either word is: the reports write
    « Yann Le Cun »); months and question words are not names.
    """
    first = question.strip().split(" ", 1)[0].strip("«»\"'")
    names: list[str] = []
    previous_end = -2
    for match in _NAME.finditer(question):
        word = re.sub(r"['’]s$", "", match.group())  # « Therapixel's »
        bare = word.split("'")[-1].split("’")[-1]  # « l'Australie »
        if not is_name(bare, first):
            previous_end = -2
            continue
        if names and question[previous_end : match.start()] == " ":
            names[-1] = f"{names[-1]} {bare}"
        else:
            names.append(bare)
        previous_end = match.end()
    return tuple(dict.fromkeys(names))


def question_numbers(question: str) -> tuple[str, ...]:
    """Standalone numbers of a question, normalised; digits inside identifiers
    (« COVID-19 », « 3IA », « 1990s ») are part of a name, not a number."""
    text = without_grouped_thousands(question)
    numbers = []
    for token in re.findall(r"[\w.,-]+", text):
        token = token.strip(".,-")
        if re.fullmatch(r"\d+(?:[.,]\d+)?(?:-\d+(?:[.,]\d+)?)*", token):
            numbers += [canonical_number(n) for n in NUMBER.findall(token)]
    return tuple(dict.fromkeys(numbers))


def wants_list(question: str) -> bool:
    """Does the question ask for several things (« Quels sont… », « Citez… »)?"""
    return bool(_LIST_CUES.search(question))


def answer_kind(question: str) -> str | None:
    """What the answer must hold: "quantity", "date", "place", "name" or None (anything)."""
    if _QUANTITY_CUES.search(question):
        return "quantity"
    if _DATE_CUES.search(question):
        return "date"
    if _PLACE_CUES.search(question):
        return "place"
    if _NAME_CUES.search(question):
        return "name"
    return None


def holds_answer_kind(kind: str | None, sentence: str, question: str) -> bool:
    """Does the sentence hold what a question of this `answer_kind` asks for?

    A quantity, a date, or a name the question does not already hold; any
    sentence will do for a question of no particular kind (None).
    """
    if kind == "quantity":
        return holds_quantity(sentence)
    if kind == "date":
        return holds_date(sentence)
    if kind in ("name", "place"):
        return holds_new_name(sentence, question)
    return True


def holds_new_name(sentence: str, question: str) -> bool:
    """A capitalised word or acronym (past the sentence start) the question does not hold."""
    asked = {fold(w) for w in re.findall(r"\w+", question)}
    return any(
        fold(word) not in asked and is_name(word, "")
        for word in _CAPITALISED.findall(sentence.strip())
    )


def holds_quantity(sentence: str) -> bool:
    """A number that is not a bare year, or a number word (« la moitié », « trois »)."""
    without_years = YEAR.sub(" ", sentence)
    return bool(NUMBER.search(without_years) or _QUANTITY_WORDS.search(sentence))


def holds_date(sentence: str) -> bool:
    """A year or a month name (French or English)."""
    return bool(YEAR.search(sentence) or _MONTHS.search(sentence))


def is_printable_question(text: str) -> bool:
    """True when a question holds at least one letter or digit."""
    return any(ch.isalnum() for ch in text)
