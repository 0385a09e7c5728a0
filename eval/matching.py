"""Text normalisation and matching shared by the evaluation suite.

Two jobs live here:

* deciding whether a retrieved passage *holds* a gold evidence quote
  (`passage_holds_quote`), which defines "relevant" for retrieval and
  citation metrics;
* the lexical analysis the support judge and the key-fact metric build on:
  accent folding, word tokens with elisions split, French stems without stop
  words, numbers, names/acronyms, and sentence splitting.

Everything is deterministic and model-free.

The judge keeps its own accent folding, number canonicalisation and sentence
splitter on purpose rather than sharing `ingest/text.py` and
`ingest/sentences.py` with the system it judges: a bug in the system's
normalisation must not be hidden by the same bug in its judge. The one thing
shared is the ingester's inline cleaning (`clean_fragment`), because a gold
quote is written from the raw file and must be compared with the cleaned
passage text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import Stemmer

# The ingester's inline cleaning, applied to quotes so they match the cleaned passages.
from ingest.clean import clean_fragment

# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u0060\u00b4\u2032"})
_QUOTES = str.maketrans({c: '"' for c in "\u00ab\u00bb\u201c\u201d\u201e"})
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
_WHITESPACE = re.compile(r"\s+")


def fold_accents(text: str) -> str:
    """Strip diacritics (`é` → `e`) and expand `œ`/`æ`; case is kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def unify_punctuation(text: str) -> str:
    """Map typographic apostrophes, quotes and dashes to their ASCII forms."""
    return text.translate(_APOSTROPHES).translate(_QUOTES).translate(_DASHES)


def normalise(text: str) -> str:
    """Cleaned, casefolded, accent-folded text with unified punctuation."""
    text = unify_punctuation(clean_fragment(text))
    return _WHITESPACE.sub(" ", fold_accents(text).casefold()).strip()


_WORD = re.compile(r"\w+")


def match_words(text: str) -> list[str]:
    """Normalised word sequence used for quote matching (punctuation dropped)."""
    return list(_match_words(text))


@lru_cache(maxsize=8192)
def _match_words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalise(text)))


# --------------------------------------------------------------------------
# Quote matching
# --------------------------------------------------------------------------

NGRAM = 5
"""Word n-gram size of the fuzzy quote rules."""
MIN_NGRAM_SHARE = 0.8
"""Share of the quote's n-grams a passage must hold (scattered is fine)."""
MIN_RUN_SHARE = 0.5
"""Share of the quote's words a passage must hold as one contiguous piece..."""
MIN_RUN_WORDS = 10
"""...and never fewer words than this."""


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _contains_sequence(haystack: list[str], needle: list[str]) -> bool:
    joined = " " + " ".join(haystack) + " "
    return " " + " ".join(needle) + " " in joined


def passage_holds_quote(passage_text: str, quote: str) -> bool:
    """True when a passage holds an evidence quote.

    Both texts are normalised (ingester cleaning, casefold, accents folded,
    apostrophes/quotes/dashes unified, punctuation dropped, whitespace
    collapsed) into word sequences. The passage holds the quote when:

    1. the quote's word sequence occurs in the passage's (exact containment); or
    2. the quote has at least `NGRAM` words and either
       a. at least 80 % of its word 5-grams occur in the passage — tolerates
          small cleaning differences such as a dropped footnote call or URL; or
       b. the passage holds one contiguous piece of the quote covering at least
          half its words and at least 10 words — the *straddling* rule:
          chunks are cut at sentence boundaries, so a multi-sentence quote may
          be split across two neighbouring chunks, and the chunk holding the
          larger piece (at least half, by pigeonhole) still counts.

    A passage that merely shares a few words or a short stock phrase with the
    quote matches none of these rules.
    """
    quote_words = match_words(quote)
    if not quote_words:
        return False
    passage_words = match_words(passage_text)
    if _contains_sequence(passage_words, quote_words):
        return True
    if len(quote_words) < NGRAM:
        return False
    passage_grams = set(_ngrams(passage_words, NGRAM))
    present = [gram in passage_grams for gram in _ngrams(quote_words, NGRAM)]
    if sum(present) >= MIN_NGRAM_SHARE * len(present):
        return True
    run = _longest_run(present)
    contiguous_words = run + NGRAM - 1 if run else 0
    return contiguous_words >= max(MIN_RUN_WORDS, MIN_RUN_SHARE * len(quote_words))


def _longest_run(flags: list[bool]) -> int:
    best = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        best = max(best, current)
    return best


def quotes_held(passage_text: str, quotes: Sequence[str]) -> set[int]:
    """Indices of the quotes a passage holds."""
    return {i for i, quote in enumerate(quotes) if passage_holds_quote(passage_text, quote)}


# --------------------------------------------------------------------------
# Lexical analysis for the judge and key-fact metrics
# --------------------------------------------------------------------------

STOP_WORDS = frozenset(
    """
    a au aux avec ce ceci cela ces cet cette ceux chez comme dans de des du elle elles
    en entre et eux il ils je la le les leur leurs lui ma mais me meme mes moi mon
    nos notre nous on ou par pour qu que qui sa se ses si son sur ta te tes toi ton
    tu un une vos votre vous y d l j m n s t c jusqu lorsqu puisqu quoi dont
    est sont etait etaient ete etre sera seront serait seraient soit sont fut
    a ai as avons avez ont avait avaient aura auront aurait auraient eu avoir
    ainsi alors aussi autre autres car cas celle celles celui ci donc deja encore
    ici lors meme memes peu puis quel quelle quelles quels sans sous tel telle
    tels telles tout toute toutes tous tres trop vers voire afin apres avant
    chaque certains certaines plusieurs notamment egalement cependant toutefois
    par exemple dont ne pas plus non ni jamais aucun aucune rien
    the of and to in for on with by is are be as at from that this an or
    """.split()
)
"""Function words ignored by content coverage (accent-folded, lowercase).

Negation words are listed too: they are handled by the negation rule, not by
coverage.
"""

_ELISION = re.compile(
    r"\b(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'(?=\w)", re.IGNORECASE
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)

_stemmer = Stemmer.Stemmer("french")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """French Snowball stem of a lowercase word, accent-folded afterwards."""
    return fold_accents(_stemmer.stemWord(word.casefold()))


def split_elisions(text: str) -> str:
    """`l'IA` → `l' IA`, `qu'il` → `qu' il` (apostrophes unified first)."""
    return _ELISION.sub(lambda m: m.group(1) + "' ", unify_punctuation(text))


@dataclass(frozen=True)
class Token:
    """One word or number of a text, with the forms the judge compares."""

    surface: str  # as written (after cleaning), e.g. `Europe`, `1,85`
    fold: str  # casefolded, accent-folded, e.g. `europe`
    stem: str  # folded French stem, e.g. `europ`
    start: int  # character offset in the analysed text

    @property
    def is_number(self) -> bool:
        return self.surface[0].isdigit()

    @property
    def is_stop(self) -> bool:
        return self.fold in STOP_WORDS

    @property
    def is_content(self) -> bool:
        return not self.is_number and not self.is_stop and len(self.fold) > 1


def tokenize(text: str) -> list[Token]:
    """Word and number tokens of a cleaned text (elisions and hyphenated words split)."""
    return list(_tokenize(text))


@lru_cache(maxsize=8192)
def _tokenize(text: str) -> tuple[Token, ...]:
    text = split_elisions(clean_fragment(text))
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        surface = match.group()
        fold = fold_accents(surface).casefold()
        word_stem = stem(surface) if surface[0].isalpha() else fold
        tokens.append(Token(surface, fold, word_stem, match.start()))
    return tuple(tokens)


def content_stems(text: str) -> list[str]:
    """Stems of the content words of a text, in order (duplicates kept)."""
    return [token.stem for token in tokenize(text) if token.is_content]


MIN_PREFIX = 5
"""Shortest stem that may match a longer one as a prefix (`numer` ~ `numeris`)."""


def stem_in(word_stem: str, pool: set[str]) -> bool:
    """Exact stem match, or one stem a prefix of the other (shorter ≥ MIN_PREFIX).

    The prefix rule bridges derivations Snowball keeps apart
    (`numérique` → `numer`, `numérisation` → `numeris`).
    """
    if word_stem in pool:
        return True
    if len(word_stem) < MIN_PREFIX:
        return False
    return any(
        len(other) >= MIN_PREFIX and (other.startswith(word_stem) or word_stem.startswith(other))
        for other in pool
    )


def name_in(name: str, folds: set[str]) -> bool:
    """A folded name is present as a word, or as the root of a derived word.

    Derived means sharing all but the last letter of the shorter word, with at
    least 4 letters in common: `chine` ~ `chinois`, `europe` ~ `europeenne`,
    `canada` ~ `canadien`, but not `inde` ~ `indonesie`.
    """
    if name in folds:
        return True
    if len(name) < 4:
        return False
    for word in folds:
        common = 0
        for a, b in zip(name, word):
            if a != b:
                break
            common += 1
        if common >= max(4, min(len(name), len(word)) - 1):
            return True
    return False


# Numbers ------------------------------------------------------------------

_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?![\d]|[.,]\d)")

NUMBER_WORDS = {
    "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6", "sept": "7",
    "huit": "8", "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "treize": "13",
    "quatorze": "14", "quinze": "15", "seize": "16", "vingt": "20", "trente": "30",
    "quarante": "40", "cinquante": "50", "soixante": "60", "cent": "100", "mille": "1000",
}
"""Spelled-out numbers read as digits (`un`/`une` are left out: they are articles)."""


def canonical_number(raw: str) -> str:
    """One spelling per number: `1,85`/`1.85` → `1.85`, `2 700` → `2700`, `10,0` → `10`."""
    digits = re.sub(r"[ \u00a0\u202f]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", digits):  # 1.000.000
        digits = digits.replace(".", "")
    digits = digits.replace(",", ".")
    if digits.count(".") > 1:  # dotted identifiers such as 1.2.3: keep as is
        return digits
    integer, _, fraction = digits.partition(".")
    integer, fraction = integer.lstrip("0") or "0", fraction.rstrip("0")
    return f"{integer}.{fraction}" if fraction else integer


def extract_numbers(text: str) -> list[str]:
    """Canonical numbers of a text: digits (decimals, thousands) and number words."""
    text = clean_fragment(text)
    text = _THOUSANDS.sub(lambda m: re.sub(r"\s", "", m.group(1)), text)
    numbers = [canonical_number(m.group()) for m in re.finditer(r"\d+(?:[.,]\d+)*", text)]
    for token in tokenize(text):
        if token.fold in NUMBER_WORDS:
            numbers.append(NUMBER_WORDS[token.fold])
    return numbers


# Names --------------------------------------------------------------------

_SENTENCE_START = re.compile(r"(^|[.!?…:;]\s+|[\"«(]\s*|^\s*[-•*]\s*)$")


def _is_acronym(surface: str) -> bool:
    letters = [c for c in surface if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2


def extract_names(text: str) -> list[str]:
    """Folded names of a text: acronyms and capitalised words.

    A capitalised word at the start of a sentence is only a name when it is an
    acronym, has an inner capital (`PariSanté`), or is followed by another
    capitalised word (`France Biotech`): otherwise it is just the first word.
    """
    text = split_elisions(clean_fragment(text))
    tokens = [t for t in tokenize(text) if not t.is_number]
    names: list[str] = []
    for i, token in enumerate(tokens):
        surface = token.surface
        if not surface[0].isupper() or token.fold in STOP_WORDS:
            continue
        if _is_acronym(surface) or any(c.isupper() for c in surface[1:]):
            names.append(token.fold)
            continue
        at_start = bool(_SENTENCE_START.search(text[: token.start]))
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        followed_by_name = (
            nxt is not None
            and nxt.surface[0].isupper()
            and text[token.start + len(surface) : nxt.start].strip() in ("", "-")
        )
        if not at_start or followed_by_name or text[token.start - 1 : token.start] == "-":
            names.append(token.fold)
    return names


# Sentences ----------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "m mm mme dr pr p pp cf etc ex art vol fig no n°".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"»)\]]*\s+(?=[\"«(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")


def judge_sentences(text: str) -> list[str]:
    """Split text into sentences at end punctuation and line breaks.

    Line breaks end sentences (list items, headings); a period after a known
    abbreviation or a single capital initial does not.
    """
    sentences: list[str] = []
    for block in re.split(r"\n\s*", text):
        block = block.strip()
        if not block:
            continue
        start = 0
        for match in _BOUNDARY.finditer(block):
            before = block[start : match.start()].rstrip("\"»)] ")
            last_word = re.findall(r"[\wÀ-ÿ°]+\.?$", before)
            word = last_word[0].rstrip(".").casefold() if last_word else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            sentences.append(block[start : match.start()].strip())
            start = match.end()
        tail = block[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
