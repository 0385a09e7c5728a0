"""Turn a loaded `SourceDocument` into a `CleanDocument`: the text that is
embedded, searched, shown and quoted.

Two layers of rules:

* Inline rules (`clean_fragment`), applied to every paragraph and usable on
  any snippet, so that a quote taken from the raw file and cleaned the same
  way is found verbatim in the clean text: Unicode NFC, odd spaces to plain
  spaces, Markdown emphasis / escapes / links, `<sup>` footnote calls and
  Unicode superscript digits glued to words, URLs, HTML tags, whitespace
  collapsed. Curly quotes and apostrophes are kept.
* Line and block rules (`clean_document`): web-page navigation menus and
  footers, footnote and source lines (kept in `CleanDocument.footnotes`),
  reference lists, tables of contents, page numbers, running footers and
  repeated slides dropped; hard-wrapped lines rejoined into paragraphs;
  paragraphs split by page breaks, blank lines or footnotes rejoined (with
  end-of-line hyphenation undone); headings detected (`ingest.structure`).

The clean text puts every heading, paragraph, list item and table row on its
own line (blank lines between blocks), so line breaks are sentence
boundaries.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ingest import structure
from ingest.loaders import prettify_stem
from ingest.models import CleanDocument, Heading, SourceDocument

# ----------------------------------------------------------------- inline rules

# Character classes (regex ranges): removed characters, and spaces made plain.
_INVISIBLE_CHARS = "\u00ad\u200b-\u200d\u2060\ufeff"
_ODD_SPACE_CHARS = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\v\f"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_ODD_SPACES = re.compile(f"[{_ODD_SPACE_CHARS}\t]")
_ODD_SPACES_BUT_TAB = re.compile(f"[{_ODD_SPACE_CHARS}]")
_INVISIBLE_OR_ODD = re.compile(f"[{_INVISIBLE_CHARS}{_ODD_SPACE_CHARS}\t]")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(((?:[^()\s]|\([^()\s]*\))*)\)")
_AUTOLINK = re.compile(r"\s*<(?:https?://|www\.)[^>\s]*>")
_BARE_URL = re.compile(r"\s*\b(?:https?://|www\.)[^\s<>\"»]*[^\s<>\"».,;:!?)\]']")
_SUP_TAG = re.compile(r"\s*<sup>.*?</sup>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_SUPERSCRIPT_CALL = re.compile(r"\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:\s*[,;]\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*")
_CARET_SUP = re.compile(r"\^\{([^{}]*)\}")
_CARET_MARK = re.compile(r"\^[a-z](?![a-z])")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|<>~])")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![^\W_])_+|_+(?![^\W_])")
_BULLET_DOT = re.compile(r"\s*•\s*")
_SPACE_BEFORE_COMMA = re.compile(r"\s+(,|\.(?!\.))")
_WHITESPACE = re.compile(r"\s+")
_EMPTY_PARENS = re.compile(r"\s*\((?:\s*(?:sources?|voir|see|cf\.?)\s*:?)?\s*\)", re.IGNORECASE)
_SUPERSCRIPT_DIGIT = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_URL_ANYWHERE = re.compile(r"(?:https?://|www\.)[^\s<>\"»)\]]+")


def normalize_chars(text: str, *, keep_tabs: bool = False) -> str:
    """NFC, invisible characters removed, odd spaces (NBSP, thin...) made plain."""
    text = unicodedata.normalize("NFC", text)
    if not _INVISIBLE_OR_ODD.search(text):  # the common case: one scan instead of two
        return text
    text = _INVISIBLE.sub("", text)
    return (_ODD_SPACES_BUT_TAB if keep_tabs else _ODD_SPACES).sub(" ", text)


def clean_fragment(text: str) -> str:
    """Apply the inline cleaning rules to any snippet (a paragraph, a quote).

    Consistent with `clean_document`: a whitespace-collapsed sentence of the
    raw file, cleaned with this function, appears verbatim in the clean text.
    """
    return _clean_fragment(text)


@lru_cache(maxsize=65536)
def _clean_fragment(text: str) -> str:
    # Each rule runs only when the text holds a character every match of it needs
    # (a rule that cannot match leaves the text unchanged): most paragraphs have
    # no link, tag, URL or Markdown mark, and each skipped rule is a scan saved.
    text = normalize_chars(text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub("", text)
    if "://" in text or "www." in text:
        text = _BARE_URL.sub("", text)
    if ")" in text:
        text = _EMPTY_PARENS.sub("", text)
    if "<" in text:
        text = _SUP_TAG.sub("", text)
        text = _HTML_TAG.sub(" ", text)
    if _SUPERSCRIPT_DIGIT.search(text):
        text = _SUPERSCRIPT_CALL.sub("", text)
    if "^" in text:
        text = _CARET_SUP.sub(r"\1", text)
        text = _CARET_MARK.sub("", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    text = text.replace("*", "")
    if "_" in text:
        text = _UNDERSCORE_EMPHASIS.sub("", text)
    if "•" in text:
        text = _BULLET_DOT.sub(" • ", text)
    # Whitespace runs made one space and the ends stripped (`str.split` and `\s`
    # agree on what whitespace is); then no space before a comma or a full stop.
    text = " ".join(text.split())
    if " ," in text or " ." in text:
        text = _SPACE_BEFORE_COMMA.sub(r"\1", text)
    return text.strip()


# ------------------------------------------------------------ line-level rules

_BULLET_LINE = re.compile(r"^(?:[-*+•○●▪◦–]|\d{1,3}[.)]|[a-z][)])\s+\S")
_WEB_BULLET_LINE = re.compile(r"^(?:[-*+•○●▪◦o#@–]|\d{1,3}[.)])(?:\s+(.*))?$")
_FOOTNOTE_DEF = re.compile(r"^(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[\^?\d+\]:?)\s*\S")
_SOURCE_LINE = re.compile(r"^\**\s*sources?\s*\**\s*:", re.IGNORECASE)
_TOC_LINE = re.compile(r"(?:\t\s*p\.?\s*|\.{4,}\s*|…{2,}\s*)\d{1,4}\s*$", re.IGNORECASE)
_NUMBER_ONLY = re.compile(r"^(?:\d{1,3}|[-–—]\s*\d{1,3}\s*[-–—]|page\s+\d{1,4}(?:\s*/\s*\d+)?)$",
                          re.IGNORECASE)
_KEY_NOISE = re.compile(r"[\s#*_]+")
_ALNUM = re.compile(r"[^\W_]")
_GREP_SEPARATOR = re.compile(r"^--$")
_REFERENCES_HEADING = re.compile(
    r"^(?:bibliographie|références(?:bibliographiques)?|references|bibliography|notes)"
    r"(?:\(\d+/\d+\))?:?$"
)
_TERMINAL_PUNCT = re.compile(r"[.!?…:;»\"”)]$")

# Text of a web page's user interface: menus, buttons, search box, footer.
_WEB_UI = re.compile(
    r"\((?:BUTTON|menu)\)|^#alternate|aller au contenu|skip to (?:main )?content|"
    r"retour au niveau|fermer le menu|lancer la recherche|^recherche(?:r)?\b|"
    r"mentions légales|plan du site|données personnelles|\bcookies\b|accessibilité\s*:|"
    r"^partager$|^imprimer$|retour en haut|mis à jour le|^mots[- ]clés$|"
    r"liens et téléchargements|^logo\b|^©|_{5,}|^menu$|^share$|^print$|appuyer sur|"
    r"suivez-nous|newsletter|^lien vers",
    re.IGNORECASE,
)
_DOMAIN_LINE = re.compile(r"^[\w.-]+\.(?:fr|com|org|net|eu|gouv\.fr|io|info)$", re.IGNORECASE)

# Words after which a paragraph cannot end: a following capitalised block
# continues the same sentence ("le Règlement" / "Général sur la Protection").
_CONTINUATION_WORDS = frozenset(
    """le la les l un une des du de d en à au aux et ou pour par sur dans avec sans
    que qu qui dont ce cet cette ces son sa ses leur leurs notre nos votre vos mon ma
    mes comme entre vers chez selon the of and to in for with a an""".split()
)


@dataclass
class _Line:
    text: str  # characters normalized, right-stripped
    indent: int
    start: int  # offset in the raw text
    gap_before: int = 0  # blank lines before it
    hard_break: bool = False  # a grep-style `--` separator before it
    keep: bool = True
    is_row: bool = False  # tab-separated table row
    _key: str | None = None

    @property
    def key(self) -> str:
        """`_plain(text)`, computed once (footers and repeated slides both compare lines)."""
        if self._key is None:
            self._key = _plain(self.text)
        return self._key


@dataclass
class _Unit:
    """A paragraph, list item, table row or heading being assembled."""

    kind: str  # "para", "item", "row", "md"
    text: str
    start: int  # raw offset of its first line
    line_count: int = 1
    gap_before: int = 0
    removed_before: bool = False  # lines were dropped between it and the previous unit
    hard_break: bool = False
    block: int = 0
    indent: int = 0
    md_level: int | None = None
    heading: bool = False
    level: int = 0


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    offset = 0
    gap = 0
    hard = False
    for raw in text.splitlines(keepends=True):
        content = normalize_chars(
            raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), keep_tabs=True
        )
        stripped = content.strip()
        if not stripped:
            gap += 1
        elif _GREP_SEPARATOR.match(stripped):
            hard = True
            gap = max(gap, 2)
        else:
            expanded = content.replace("\t", "    ")
            indent = len(expanded) - len(expanded.lstrip(" "))
            is_row = "\t" in content.strip(" ") and bool(re.match(r"\s*[^\t\s]", content))
            lines.append(_Line(content.rstrip(), indent, offset, gap, hard, is_row=is_row))
            gap = 0
            hard = False
        offset += len(raw)
    return lines


_LEADING_MARK = re.compile(r"^\s*(?:#{1,6}|[-*+•○●▪◦✓o#@–])\s+")


def _plain(text: str) -> str:
    """Comparison key for a line: cleaned, bullet-less, lower-case."""
    return clean_fragment(_LEADING_MARK.sub("", text, count=1)).lower()


def _is_web_dump(lines: list[_Line]) -> bool:
    """Text dump of a web page (lynx-style) with its menus still in it."""
    markers = sum(1 for line in lines if re.search(r"\((?:BUTTON|menu)\)", line.text))
    return markers >= 3


def _is_nav_line(text: str) -> bool:
    stripped = text.strip()
    if _WEB_UI.search(stripped) or _DOMAIN_LINE.match(stripped):
        return True
    bullet = _WEB_BULLET_LINE.match(stripped)
    if bullet:
        item = (bullet.group(1) or "").strip()
        if not item:
            return True
        return not re.search(r"[.:;]$", item) and structure.word_count(item) <= 10
    return False


def _is_strong_content(lines: list[_Line]) -> bool:
    """A block of real prose: at least 12 words and a sentence end."""
    text = " ".join(line.text.strip() for line in lines)
    return structure.word_count(text) >= 12 and bool(re.search(r"[.!?;:]", text))


def _drop_web_navigation(lines: list[_Line]) -> None:
    """Remove the menus, breadcrumbs and footer of a web-page dump.

    Blocks (runs of non-blank lines) made mostly of UI text or short bullet
    links are navigation. The article is the span from its title (the last
    non-navigation block before the first block of prose) to the last block
    of prose; navigation-dominated text outside that span is dropped.
    """
    blocks: list[list[_Line]] = []
    for line in lines:
        if not blocks or line.gap_before > 0 or line.hard_break:
            blocks.append([])
        blocks[-1].append(line)
    nav = [sum(_is_nav_line(l.text) for l in b) / len(b) >= 0.5 for b in blocks]
    strong = [not nav[i] and _is_strong_content(b) for i, b in enumerate(blocks)]
    if not any(strong):
        return
    first = strong.index(True)
    last = len(strong) - 1 - strong[::-1].index(True)
    start = first
    for i in range(first - 1, -1, -1):
        if nav[i]:
            continue
        text = " ".join(l.text.strip() for l in blocks[i])
        if structure.is_title_like(text, max_words=structure.WEB_TITLE_MAX_WORDS):
            start = i
        break

    def nav_dominated(region: list[list[_Line]]) -> bool:
        total = sum(len(b) for b in region)
        navs = sum(_is_nav_line(l.text) for b in region for l in b)
        return total > 0 and navs / total >= 0.5

    drop_leading = nav_dominated(blocks[:start])
    drop_trailing = nav_dominated(blocks[last + 1:])
    for i, block in enumerate(blocks):
        outside = (i < start and drop_leading) or (i > last and drop_trailing)
        if nav[i] or outside:
            for line in block:
                line.keep = False


def _is_reference_entry(text: str) -> bool:
    """A line of a reference list: numbered or bulleted."""
    return bool(re.match(r"^\s*(?:[-*+•\[]|\d)", text))


def _drop_line_noise(lines: list[_Line], footnotes: list[str]) -> None:
    """Footnote definitions, URL-only and source lines (moved to `footnotes`),
    reference lists, tables of contents, page numbers."""
    in_references = False
    for line in lines:
        if not line.keep:
            continue
        stripped = line.text.strip()
        without_urls = clean_fragment(stripped)
        key = _KEY_NOISE.sub("", without_urls).lower()
        if _REFERENCES_HEADING.match(key):
            in_references = True
            line.keep = False
            continue
        if in_references:
            if not _is_reference_entry(stripped):
                in_references = False  # the list is over
            else:
                footnotes.append(_footnote_text(stripped))
                line.keep = False
                continue
        if _FOOTNOTE_DEF.match(stripped) or _SOURCE_LINE.match(stripped):
            footnotes.append(_footnote_text(stripped))
            line.keep = False
        elif (_has_url(stripped) and not _ALNUM.search(without_urls)) or _DOMAIN_LINE.match(stripped):
            footnotes.append(_footnote_text(stripped))
            line.keep = False
        elif _is_toc_line(stripped) or _NUMBER_ONLY.match(without_urls):
            line.keep = False
        elif not without_urls:
            line.keep = False


def _has_url(text: str) -> bool:
    return ("://" in text or "www." in text) and bool(_URL_ANYWHERE.search(text))


def _is_toc_line(text: str) -> bool:
    """A table-of-contents line: ends with a page number after dots or a tab."""
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    # A match ends with a digit and spaces: other lines are not searched.
    return text.rstrip()[-1:].isdigit() and bool(_TOC_LINE.search(text))


def _footnote_text(text: str) -> str:
    return _WHITESPACE.sub(" ", normalize_chars(text)).strip()


def _slides(lines: list[_Line]) -> list[list[_Line]]:
    """Kept lines grouped by page/slide breaks (two or more blank lines)."""
    slides: list[list[_Line]] = []
    for line in lines:
        if not slides or line.gap_before >= 2:
            slides.append([])
        slides[-1].append(line)
    return [[l for l in s if l.keep] for s in slides]


def _drop_running_footers(lines: list[_Line]) -> None:
    """Running footers: a line of 4+ words repeated 5+ times that (nearly)
    always closes a page or slide. Short labels (`Mission`) are not footers."""
    counts: Counter[str] = Counter()
    closing: Counter[str] = Counter()
    for slide in _slides(lines):
        for i, line in enumerate(slide):
            key = line.key
            counts[key] += 1
            if i == len(slide) - 1:
                closing[key] += 1
    footers = {
        key for key, n in counts.items()
        if n >= 5 and closing[key] >= 0.8 * n and structure.word_count(key) >= 4
    }
    for line in lines:
        if line.keep and not _BULLET_LINE.match(line.text.strip()) and line.key in footers:
            line.keep = False


def _drop_repeated_slides(lines: list[_Line]) -> None:
    """Slides whose every line already appeared earlier (repeated agendas...)."""
    seen: set[str] = set()
    for slide in _slides(lines):
        keys = [l.key for l in slide]
        keys = [k for k in keys if k]
        if len(keys) >= 2 and all(k in seen for k in keys):
            for line in slide:
                line.keep = False
        seen.update(keys)


# ------------------------------------------------------------------- units


def _starts_unit(line: _Line, web: bool) -> str | None:
    """The kind of unit a line opens on its own, or None for a continuation."""
    text = line.text
    if line.indent == 0 and structure.markdown_heading(text) and not web:
        return "md"
    stripped = text.strip()
    if line.is_row:
        return "row"
    if _BULLET_LINE.match(stripped) or (web and _WEB_BULLET_LINE.match(stripped)):
        return "item"
    return None


def _build_units(lines: list[_Line], web: bool, vocabulary: set[str]) -> list[_Unit]:
    """Group kept lines into units: wrapped lines are joined; bullets, table
    rows, Markdown headings and dropped lines start new units."""
    units: list[_Unit] = []
    block = -1
    removed = False
    seen_line = False
    for line in lines:
        if not line.keep:
            removed = True
            continue
        new_block = not seen_line or line.gap_before > 0 or line.hard_break
        if new_block:
            block += 1
        kind = _starts_unit(line, web)
        current = units[-1] if units and not new_block and not removed else None
        if (kind is None and current is not None and current.kind in ("para", "item")
                and not _splits_as_title(current, line, web)):
            current.text = _join_lines(current.text, line.text.strip(), vocabulary)
            current.line_count += 1
        else:
            unit = _Unit(
                kind=kind or "para",
                text=line.text.strip(),
                start=line.start,
                gap_before=line.gap_before,
                removed_before=removed,
                hard_break=line.hard_break,
                block=block,
                indent=line.indent,
            )
            if kind == "md":
                unit.md_level, unit.text = structure.markdown_heading(line.text) or (1, line.text)
            units.append(unit)
        seen_line = True
        removed = False
    return units


def _splits_as_title(current: _Unit, line: _Line, web: bool) -> bool:
    """In a block without blank lines (PDF text), a short title-like first line
    followed by a capitalised line is a heading, not the start of a paragraph."""
    if web or current.line_count != 1 or current.kind != "para":
        return False
    nxt = line.text.strip()
    if not nxt or not (nxt[0].isupper() or nxt[0].isdigit()):
        return False
    if not structure.is_title_like(clean_fragment(current.text)):
        return False
    return len(current.text) < 0.7 * max(len(current.text), len(nxt))


_HYPHENATED_END = re.compile(r"([^\W\d_]+)-$")
# Last characters that the inline rules always keep, so that a text ending with
# one of them cannot end with a hyphen once cleaned.
_KEPT_FINAL_PUNCT = frozenset(".,;:!?")


def _may_end_with_hyphen(text: str) -> bool:
    """False when `clean_fragment(text)` surely does not end with `-`, decided
    from the end of `text` alone (no cleaning of a whole paragraph per line).

    The last character survives cleaning when it is one of `.,;:!?` (no rule
    removes it at the end of a text) or a letter outside a URL and not after
    `^` (the only rules that remove a final letter: bare URLs and `^a` marks).
    Everything else (`-`, `)`, `>`, `*`, `_`, superscripts...) is undecided.
    """
    last = text[-1:]
    if not last:
        return False
    if last in _KEPT_FINAL_PUNCT:
        return False
    if last.isalpha():
        token = text.rsplit(None, 1)[-1]
        return "^" in token or "/" in token or "www." in token
    return True


def _join_lines(left: str, right: str, vocabulary: set[str]) -> str:
    """Join two pieces of one paragraph split by a line or page break.

    End-of-line hyphenation (`intelli-` / `gence`) is undone, unless the
    document spells the hyphenated form elsewhere and never the joined one
    (`porte-` / `parole`).
    """
    left, right = left.rstrip(), right.lstrip()
    if not right[:1].islower() or not _may_end_with_hyphen(left):
        return f"{left} {right}"
    cleaned = clean_fragment(left)
    hyphen = _HYPHENATED_END.search(cleaned) if cleaned.endswith("-") else None
    if not hyphen:
        return f"{left} {right}"
    tail = re.match(r"[^\W\d_]+", clean_fragment(right))
    head, tail_word = hyphen.group(1).lower(), (tail.group(0).lower() if tail else "")
    if f"{head}-{tail_word}" in vocabulary and f"{head}{tail_word}" not in vocabulary:
        return left + right
    return left[:-1] + right


# --------------------------------------------------------------- headings


def _mark_headings(units: list[_Unit], web: bool, title: str) -> None:
    candidates: list[structure.HeadingCandidate] = []
    marked: list[_Unit] = []
    title_key = _plain(title)
    for i, unit in enumerate(units):
        if not _is_heading(units, i, web):
            continue
        prev = units[i - 1] if i > 0 else None
        adjacent = bool(prev and prev.heading and not unit.removed_before)
        unit.heading = True
        candidates.append(
            structure.HeadingCandidate(
                text=clean_fragment(unit.text),
                md_level=unit.md_level,
                gap_before=unit.gap_before,
                adjacent=adjacent,
                web_column0=web,
                is_doc_title=_plain(unit.text) == title_key,
            )
        )
        marked.append(unit)
    if web and candidates and not any(c.is_doc_title for c in candidates):
        # The first column-0 line of a web-page dump is the page title.
        candidates[0] = replace(candidates[0], is_doc_title=True)
    for unit, level in zip(marked, structure.assign_levels(candidates)):
        unit.level = level


def _mark_layout_headings(units: list[_Unit], headings: tuple[Heading, ...]) -> None:
    """Headings a loader found from the layout (raw offsets and levels): the
    units starting there are those headings; no other unit is."""
    levels = {heading.start: heading.level for heading in headings}
    for unit in units:
        if unit.start in levels:
            unit.heading, unit.level = True, levels[unit.start]


def _title_like_unit(unit: _Unit, max_words: int = structure.TITLE_MAX_WORDS) -> bool:
    return (unit.kind == "para" and unit.line_count == 1
            and structure.is_title_like(clean_fragment(unit.text), max_words=max_words))


def _is_body(unit: _Unit | None) -> bool:
    """Text that can follow a heading: a paragraph, list item or table row."""
    if unit is None:
        return False
    if unit.kind in ("item", "row"):
        return True
    return unit.kind == "para" and not _title_like_unit(unit, structure.SLIDE_TITLE_MAX_WORDS)


def _is_heading(units: list[_Unit], i: int, web: bool) -> bool:
    unit = units[i]
    prev = units[i - 1] if i > 0 else None
    nxt = units[i + 1] if i + 1 < len(units) else None
    text = clean_fragment(unit.text)
    if not text:
        return False
    if unit.kind == "md":
        return bool(re.search(r"[^\W\d_]", text)) or structure.is_bare_part_marker(text)
    if unit.kind != "para" or nxt is None:
        return False
    if web:
        return unit.indent == 0 and structure.is_title_like(
            text, max_words=structure.WEB_TITLE_MAX_WORDS)
    slide_title = unit.gap_before >= 2
    max_words = structure.SLIDE_TITLE_MAX_WORDS if slide_title else structure.TITLE_MAX_WORDS
    if unit.line_count != 1 or not structure.is_title_like(text, max_words=max_words):
        return False
    words = re.findall(r"\w+", text.lower())
    if words and words[-1] in _CONTINUATION_WORDS:
        return False  # "... dans le secteur de la santé en" continues after a page break
    follower = clean_fragment(nxt.text)
    if not follower or follower[0].islower():
        return False  # a sentence broken by a page break
    if prev is not None and prev.kind == "item" and nxt.kind == "item" and not unit.removed_before:
        return False  # a line inside a list
    if _is_body(nxt):
        return True
    if slide_title and nxt.kind != "md" and nxt.gap_before < 2:
        return True  # a slide title followed by labels or a subtitle
    # A slide title directly followed by its subtitle, then text.
    after = units[i + 2] if i + 2 < len(units) else None
    return slide_title and _title_like_unit(nxt, max_words) and _is_body(after)


# ----------------------------------------------------------------- rejoin


def _rejoin(units: list[_Unit], vocabulary: set[str]) -> list[_Unit]:
    """Merge paragraphs split by page breaks, blank lines or footnotes."""
    out: list[_Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        if prev is not None and _continues(prev, unit):
            prev.text = _join_lines(prev.text, unit.text, vocabulary)
            prev.line_count += unit.line_count
            continue
        out.append(unit)
    return out


def _continues(prev: _Unit, unit: _Unit) -> bool:
    if prev.heading or unit.heading or unit.hard_break:
        return False
    if prev.kind not in ("para", "item") or unit.kind != "para":
        return False
    if prev.block == unit.block and not unit.removed_before:
        return False
    left = clean_fragment(prev.text)
    right = clean_fragment(unit.text)
    if not left or not right or _TERMINAL_PUNCT.search(left):
        return False
    if right[0].islower():
        return True
    if unit.gap_before >= 2 or prev.kind != "para":
        return False  # across a slide break or after a list item: lower case only
    last_word = re.findall(r"\w+", left.lower())
    if last_word and last_word[-1] in _CONTINUATION_WORDS:
        return right[0].isupper() or right[0].isdigit()
    return unit.removed_before and structure.word_count(left) >= 12 and right[0].isupper()


# ---------------------------------------------------------------- assembly


def _unit_text(unit: _Unit) -> str:
    if unit.kind == "item":
        body = re.sub(r"^(?:[-*+•○●▪◦–o#@])\s+", "", unit.text.strip())
        if body == unit.text.strip():  # numbered item: keep its number
            return clean_fragment(unit.text)
        body = clean_fragment(body)
        return f"- {body}" if body else ""
    return clean_fragment(unit.text)


def _assemble(units: list[_Unit]) -> tuple[str, list[tuple[int, int]], list[tuple[_Unit, int, str]]]:
    """Clean text of the units: blank lines between blocks, a single line break
    inside a list or table. Returns the text, `(raw start, clean start)` of
    every unit, and `(unit, clean start, text)` of every heading."""
    pieces: list[str] = []
    unit_offsets: list[tuple[int, int]] = []
    heading_units: list[tuple[_Unit, int, str]] = []
    offset = 0
    previous: _Unit | None = None
    for unit in units:
        text = _unit_text(unit)
        if not text:
            continue
        if previous is not None:
            same_list = (
                unit.block == previous.block
                and unit.kind in ("item", "row")
                and previous.kind in ("item", "row", "para")
                and not unit.heading and not previous.heading
            )
            separator = "\n" if same_list else "\n\n"
            pieces.append(separator)
            offset += len(separator)
        unit_offsets.append((unit.start, offset))
        if unit.heading:
            heading_units.append((unit, offset, text))
        pieces.append(text)
        offset += len(text)
        previous = unit
    return "".join(pieces), unit_offsets, heading_units


def clean_document(source: SourceDocument) -> CleanDocument:
    """Clean one loaded document (see the module docstring for the rules)."""
    lines = _split_lines(source.text)
    web = _is_web_dump(lines)
    if web:
        _drop_web_navigation(lines)
    footnotes: list[str] = []
    _drop_line_noise(lines, footnotes)
    _drop_running_footers(lines)
    _drop_repeated_slides(lines)
    vocabulary = set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", source.text.lower()))
    units = _build_units(lines, web, vocabulary)
    if source.headings is None:
        _mark_headings(units, web, source.title)
    else:
        _mark_layout_headings(units, source.headings)
    units = _rejoin(units, vocabulary)
    clean_text, unit_offsets, heading_units = _assemble(units)

    casing = structure.word_casing(_unit_text(u) for u in units if not u.heading)
    headings = tuple(
        Heading(level=unit.level, title=structure.display_title(text, casing), start=start)
        for unit, start, text in heading_units
    )
    title = source.title
    if title == prettify_stem(Path(source.source_path).stem) and headings:
        title = headings[0].title  # the file name was only a fallback
    return CleanDocument(
        doc_id=source.doc_id,
        title=title,
        source_path=source.source_path,
        format=source.format,
        text=clean_text,
        page_starts=_map_page_starts(source.page_starts, unit_offsets, len(clean_text)),
        headings=headings,
        footnotes=tuple(footnotes),
        content_hash=source.content_hash,
        chars_in=len(source.text),
    )


def _map_page_starts(raw_starts: tuple[int, ...], unit_offsets: list[tuple[int, int]],
                     length: int) -> tuple[int, ...]:
    """Page starts in the clean text: where the first unit of each page begins."""
    if not raw_starts:
        return ()
    raw = [r for r, _ in unit_offsets]
    mapped: list[int] = []
    for page_start in raw_starts:
        i = bisect.bisect_left(raw, page_start)
        mapped.append(unit_offsets[i][1] if i < len(unit_offsets) else length)
    mapped[0] = 0
    return tuple(mapped)
