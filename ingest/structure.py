"""Section structure: which lines are headings, at which level, and the
section path (titles from the top) that holds any offset of a document.

The cleaner (`ingest.clean`) walks the document and, for every heading it
finds, builds a `HeadingCandidate` describing how the heading looked in the
raw text (Markdown `#` level, blank lines before it, whether it directly
follows another heading, column 0 in an indented web-page dump...).
`assign_levels` turns those observations into levels; `section_path` reads
the resulting `Heading`s back for a chunk.

Rules, in order of precedence:
1. Part markers (`# 02`, `Partie 1 – ...`, `Chapitre 3`) are level 1; the heading
   right after a bare part marker is its title (level 2) and the Markdown
   levels that follow are shifted beneath it.
2. A numbered heading (`I.`, `II.`, `1.2`, `A.`) takes the level of the first
   heading numbered in the same style (siblings stay siblings).
3. Markdown headings: their `#` count, shifted as above.
4. Web-page dumps: column-0 lines are level 2, the page title level 1.
5. Other title-like lines: level 2 after a page/slide break, else level 3.
6. A heading directly following another one (no text in between) that would
   be at the same or a higher level is nested one level below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections import Counter
from typing import Iterable, Mapping, Sequence

from ingest.models import Heading

TITLE_MAX_WORDS = 15
SLIDE_TITLE_MAX_WORDS = 40
WEB_TITLE_MAX_WORDS = 25

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_ROMAN = re.compile(r"^(?=[IVXLC]+[.)\-–])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})[.)]?\s*[-–]?\s+\S")
_ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(?:[.)]|\s[-–])?\s+[^\W\d_]")
_LETTER = re.compile(r"^[A-H][.)]\s+[^\W\d_]")
_PART = re.compile(
    r"^(?:partie|chapitre|part|chapter|livre|book)\s+(?:\d+|[IVXLC]+|premi[eè]re|deuxi[eè]me|"
    r"seconde?|troisi[eè]me|quatri[eè]me|cinqui[eè]me|un|une|deux|trois|quatre|cinq|six|"
    r"one|two|three|four|five|first|second|third)\b",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^(?:\d{1,3}|(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\.?$")
_TERMINAL = re.compile(r"[.;,:]$")
_BULLET = re.compile(r"^[-*+•○●▪◦✓→]\s")


def markdown_heading(line: str) -> tuple[int, str] | None:
    """`(level, text)` for a Markdown heading line at column 0, else None."""
    match = _MD_HEADING.match(line)
    if not match or not match.group(2).strip():
        return None
    return len(match.group(1)), match.group(2).strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def is_title_like(text: str, *, max_words: int = TITLE_MAX_WORDS) -> bool:
    """A line that could be a heading: short, starts like a title, no final
    sentence punctuation (`.`, `;`, `,`, `:`), not a list bullet."""
    text = text.strip()
    if len(text) < 2 or not re.search(r"[^\W\d_]", text):
        return False
    if _BULLET.match(text) or _TERMINAL.search(text) or text.endswith("..."):
        return False
    first = text[0]
    if not (first.isupper() or first.isdigit() or first in "«\"“'(#"):
        return False
    return word_count(text) <= max_words


def numbering_style(text: str) -> str | None:
    """The numbering scheme of a numbered title (`roman`, `arabic-2` for `1.2`...)."""
    text = text.strip()
    if _ROMAN.match(text):
        return "roman"
    match = _ARABIC.match(text)
    if match:
        depth = match.group(1).count(".") + 1
        return f"arabic-{depth}"
    if _LETTER.match(text):
        return "letter"
    return None


def is_part_marker(text: str) -> bool:
    """`02`, `II`, `Partie 1 – ...`, `Chapitre 3`: the top of a document's hierarchy."""
    text = text.strip()
    return bool(_BARE_NUMBER.match(text) or _PART.match(text))


def is_bare_part_marker(text: str) -> bool:
    """A part marker without a title of its own (`# 02`): the next heading names it."""
    return bool(_BARE_NUMBER.match(text.strip()))


def is_upper_title(text: str) -> bool:
    """Mostly capital letters: `FREINS ET ACCÉLÉRATEURS DE L'IA`."""
    letters = "".join(filter(str.isalpha, text))
    return bool(letters) and sum(map(str.isupper, letters)) / len(letters) > 0.8


@dataclass(frozen=True)
class HeadingCandidate:
    """How a heading looked in the raw text; input of `assign_levels`."""

    text: str
    md_level: int | None = None
    gap_before: int = 1  # blank lines before it in the raw text
    adjacent: bool = False  # directly follows another heading, nothing in between
    web_column0: bool = False  # unindented line of an indented web-page dump
    is_doc_title: bool = False  # equals the document title


def assign_levels(candidates: Sequence[HeadingCandidate]) -> list[int]:
    """Levels (1 = top) for a document's headings, in document order."""
    levels: list[int] = []
    md_offset = 0
    numbering_levels: dict[str, int] = {}
    previous_level: int | None = None
    previous_was_bare_part = False
    last_md_level: int | None = None
    for cand in candidates:
        style = numbering_style(cand.text)
        sibling = False
        if is_part_marker(cand.text):
            level = 1
            md_offset = 0
        elif previous_was_bare_part and cand.adjacent:
            level = 2  # the title of the part marker just above
            if cand.md_level:
                md_offset = 3 - cand.md_level
        elif style and style in numbering_levels:
            level = numbering_levels[style]
            sibling = True
        elif cand.md_level:
            if cand.md_level == 1 and not cand.adjacent and not style and is_upper_title(cand.text):
                md_offset = 0  # a new top-level part such as "RÉFÉRENCES"
            level = cand.md_level + md_offset
        elif cand.web_column0:
            level = 1 if cand.is_doc_title else 2
        elif last_md_level is not None:
            level = last_md_level  # bold line in a Markdown document: a sibling
        else:
            level = 2 if cand.gap_before >= 2 else 3

        if (cand.adjacent and previous_level is not None and level <= previous_level
                and not sibling and not is_part_marker(cand.text)
                and not (previous_was_bare_part and level == 2)):
            nested = previous_level + 1
            if cand.md_level:
                md_offset = nested - cand.md_level
            level = nested

        level = max(1, level)
        if cand.md_level or (last_md_level is not None and is_part_marker(cand.text)):
            last_md_level = level
        if style and style not in numbering_levels:
            numbering_levels[style] = level
        levels.append(level)
        previous_level = level
        previous_was_bare_part = is_bare_part_marker(cand.text)
    return levels


def display_title(text: str, casing: Mapping[str, str] | None = None) -> str:
    """Heading text for section paths: ALL-CAPS titles in sentence case.

    `casing` maps lower-case words to the form the document uses in ordinary
    sentences (acronyms such as `IA`, proper nouns such as `France`).
    """
    text = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    if not is_upper_title(text) or word_count(text) < 2:
        return text
    casing = casing or {}

    def fix(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        return casing.get(word, word)

    lowered = re.sub(r"[^\W\d_]+", fix, text)
    for i, ch in enumerate(lowered):
        if ch.isalpha():
            return lowered[:i] + ch.upper() + lowered[i + 1:]
    return lowered


_WORD = re.compile(r"[^\W\d_]{2,}")


def word_casing(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms and proper nouns of ordinary (not all-caps) text: lower-case
    word -> the form it is always written in (`ia` -> `IA`, `france` -> `France`)."""
    words: Counter[str] = Counter()
    for text in texts:
        if not is_upper_title(text):
            words.update(_WORD.findall(text))
    forms: dict[str, dict[str, int]] = {}  # lower-case word -> its spellings, first seen first
    for word, count in words.items():
        forms.setdefault(word.lower(), {})[word] = count
    casing: dict[str, str] = {}
    for lower, counts in forms.items():
        if lower in counts:
            continue  # also written in lower case: an ordinary word
        form = max(counts, key=counts.__getitem__)  # the most frequent; the first seen on a tie
        if form.isupper() or form[:1].isupper():
            casing[lower] = form
    return casing


def section_path(headings: Sequence[Heading], offset: int, fallback: str) -> list[str]:
    """Titles of the headings enclosing `offset`, from the top; `[fallback]` if none."""
    stack: list[Heading] = []
    for heading in headings:
        if heading.start > offset:
            break
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
    path = [h.title for h in stack if h.title]
    return path or [fallback]
