"""Text normalisation shared by every stage: folding, numbers, punctuation tables.

One place for the small rules that decide when two spellings are "the same":

* `fold`: case- and accent-insensitive form of a text (« SANTÉ » → « sante »,
  « cœur » → « coeur », typographic apostrophes → `'`);
* `canonical_number` / `numbers_in`: one spelling per number (« 1.85 » and
  « 1,85 » → « 1,85 »; « 5 000 » → « 5000 »), the French decimal comma;
* the punctuation tables (`APOSTROPHES`, `DASHES`, `SUPERSCRIPT_DIGITS`) that
  the cleaner and the lexical analyser translate with.

The ingester, the index's French analyser and the assistant all import these;
the evaluation's judge keeps its own rules on purpose (see `eval/matching.py`).
"""

from __future__ import annotations

import re
import unicodedata

# Every typographic apostrophe becomes the ASCII one.
APOSTROPHE_CHARS = "’‘ʼ′`´‛ʹ＇"
APOSTROPHES = str.maketrans({c: "'" for c in APOSTROPHE_CHARS})
# Hyphens and dashes become "-" (compounds such as « 2019–2021 » stay one term).
DASH_CHARS = "‐‑‒–—−"
DASHES = str.maketrans({c: "-" for c in DASH_CHARS})
# Superscript digits are footnote calls (« Biotech¹ »), never part of a word.
SUPERSCRIPT_DIGIT_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_DIGITS = str.maketrans({c: " " for c in SUPERSCRIPT_DIGIT_CHARS})

# A number as written in French or English prose: « 9,7 », « 1.85 », « 2020 ».
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# A year of the last two centuries.
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# Thousands separated by a (narrow) space: « 5 000 », « 1 000 000 ».
_GROUPED_THOUSANDS = re.compile(r"(?<=\d)[\s\u202f\xa0](?=\d{3}\b)")


def _fold_char(char: str) -> str:
    """`fold` of one character: apostrophes unified, case folded, NFKD, combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", char.translate(APOSTROPHES).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("œ", "oe").replace("æ", "ae")


class _FoldTable(dict):
    """`str.translate` table of `fold`, filled with `_fold_char` the first time a character is met.

    Folding a text character by character gives the same result as folding it
    whole: case folding and NFKD decomposition work per character, and the
    canonical reordering NFKD adds only moves combining marks, which are all
    dropped. One `translate` pass is many times faster than the per-character
    Python loop it replaces (that loop was the slowest step of opening an index).
    """

    def __missing__(self, code: int) -> str:
        value = _fold_char(chr(code))
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Case- and accent-free form for loose matching: « Œuvre’s SANTÉ » → « oeuvre's sante »."""
    if text.isascii():
        return text.casefold()
    return text.translate(_FOLD_TABLE)


def canonical_number(token: str) -> str:
    """One spelling per number: `1.85` and `1,85` → `1,85`; group spaces dropped."""
    token = token.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    return token.replace(".", ",")


def numbers_in(text: str) -> set[str]:
    """Every number of a text in canonical form (`9,7`, `2020`, `5000`)."""
    text = _GROUPED_THOUSANDS.sub("", text)
    return {canonical_number(n) for n in NUMBER.findall(text)}


def without_grouped_thousands(text: str) -> str:
    """« 5 000 € » → « 5000 € »: digit groups joined so numbers read as one."""
    return _GROUPED_THOUSANDS.sub("", text)
