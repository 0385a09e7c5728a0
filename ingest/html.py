"""Web pages to text: the main content, then headings, lists and tables as lines.

1. trafilatura takes the page's main content (comments left out, tables and
   formatting kept) from the page as decoded with its declared charset: menus,
   cookie banners, share bars, related articles and footers stay out.
2. Headings trafilatura drops (it does on small pages) are put back: the
   page's own `h1`–`h6` that sit just before or between the blocks it kept.
3. The walker writes headings as `#` lines (their offsets become the
   document's headings), list items as `- ` lines, table rows as
   « cell | cell » lines and every other block as a paragraph; a block whose
   class or id names page chrome (share, ad, cookie…) and an « updated on »
   date line are dropped.

When trafilatura finds no structured content (a page of a few lines, which it
returns as one run of text), the walker reads the whole page, without its
scripts, navigation, page header and footer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import Heading
from ingest.titles import is_meaningful_title

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "aside",
    "form", "button", "iframe", "svg", "canvas", "select", "input",
)
# Page-level header/footer are site chrome; inside an <article> they belong to it.
_PAGE_CHROME = ("header", "footer")
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "tr", "table", "ul", "ol",
    "blockquote", "pre", "dd", "dt", "dl", "figure", "figcaption", "br", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption", "address",
}
_HEADING = re.compile(r"h[1-6]")
# Words of a class or id that name page chrome rather than content.
CHROME_WORDS = frozenset(
    """share sharing partage partager social sociaux pub publicite advert advertisement ads ad
    sponsor sponsored cookie cookies consent rgpd newsletter breadcrumb ariane related
    lire-aussi promo banner bandeau""".split()
)
# « Mise à jour le 3 février 2025 », « Publié le … 2024 »: a page's date line.
_DATE_LINE = re.compile(
    r"^(?:date de )?(?:dernière )?(?:mise?s? à jour|publié|modifié|mis en ligne|updated|published)\b"
    r".{0,120}?\b(?:1[89]|20)\d{2}\b", re.IGNORECASE)
DATE_LINE_MAX_WORDS = 20
CELL_SEPARATOR = " | "
# Text blocks of the page (for putting back dropped headings), matched on this many characters.
MATCH_CHARS = 80
# The page's h1 is looked for this many text blocks before its content.
TITLE_LOOKBACK = 4


@dataclass(frozen=True)
class WebPage:
    """A page's text (headings as `#` lines), its title and its headings (offsets in `text`)."""

    text: str
    title: str | None
    headings: tuple[Heading, ...]


def page_text(markup: str, file_stem: str = "") -> WebPage:
    """The main content of a decoded HTML page (see the module docstring)."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(markup, "html.parser")
    _drop_unseen(page)  # scripts, templates, comments never reach the extractor
    main = _main_content(str(page))
    if main is not None:
        content = BeautifulSoup(main, "html.parser")
        _restore_headings(page, content)
        root = content.body or content
    else:
        _drop_chrome(page)
        root = page.find("article") or page.find("main") or page.body or page
    blocks = _blocks(root)
    text, headings = _assemble(blocks)
    return WebPage(text, _title(page, headings, file_stem), headings)


def walk(markup: str) -> tuple[str, tuple[Heading, ...]]:
    """The walker alone over some HTML (no main-content extraction): text and headings."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    return _assemble(_blocks(soup.body or soup))


def _main_content(markup: str) -> str | None:
    """trafilatura's HTML of the main content, or None when it found no structure."""
    import trafilatura

    html = trafilatura.extract(markup, output_format="html", include_comments=False,
                               include_tables=True, include_formatting=True)
    if not html:
        return None
    from bs4 import BeautifulSoup

    body = BeautifulSoup(html, "html.parser").body
    children = body.find_all(True, recursive=False) if body else []
    if len(children) == 1 and children[0].name == "p" and "\n" in children[0].get_text().strip():
        return None  # its fallback for short pages: every text of the page in one paragraph
    return html


# ---------------------------------------------------------------- chrome


def _drop_unseen(soup: "object") -> None:
    """What a reader never sees as text: scripts, styles, templates, forms, navigation, comments."""
    from bs4 import Comment

    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()


def _drop_chrome(soup: "object") -> None:
    """The page header and footer and the navigation landmarks out of a page."""
    for tag in soup.find_all(_PAGE_CHROME):
        if tag.find_parent(["article", "main"]) is None:
            tag.decompose()
    for tag in soup.find_all(attrs={"role": ["navigation", "banner", "contentinfo", "search"]}):
        tag.decompose()


def is_chrome(tag: "object") -> bool:
    """Whether an element's class or id names page chrome (a share bar, an ad…)."""
    names = " ".join([*(tag.get("class") or []), tag.get("id") or ""]).lower()
    words = set(re.split(r"[^a-z0-9]+", names)) | set(re.split(r"[\s_]+|--", names))
    return bool(words & CHROME_WORDS)


# ------------------------------------------------------- dropped headings


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:MATCH_CHARS]


_TEXT_TAGS = ("p", "li", "td", "th", "caption", "blockquote", "pre", "dd", "dt")


def _text_elements(soup: "object") -> list["object"]:
    """Headings and text blocks of a soup (a `div` with text of its own too), in document order."""
    from bs4 import NavigableString

    def holds_text(tag: "object") -> bool:
        if _HEADING.fullmatch(tag.name) or tag.name in _TEXT_TAGS:
            return True
        return tag.name == "div" and any(
            isinstance(c, NavigableString) and c.strip() for c in tag.children)

    return [tag for tag in soup.find_all(True) if holds_text(tag) and _norm(tag.get_text(" "))]


def _restore_headings(page: "object", content: "object") -> None:
    """Put back into `content` the page's headings that sit just before or between kept blocks."""
    original = _text_elements(page)
    kept = _text_elements(content)
    kept_headings = {_norm(t.get_text(" ")) for t in kept if _HEADING.fullmatch(t.name)}
    cursor = 0
    previous: int | None = None
    for block in kept:
        if _HEADING.fullmatch(block.name):
            continue
        wanted = _norm(block.get_text(" "))
        position = next((i for i in range(cursor, len(original))
                         if _norm(original[i].get_text(" ")) == wanted), None)
        if position is None:
            continue
        if previous is None:  # the headings right before the first kept block
            start = position
            while start > 0 and _HEADING.fullmatch(original[start - 1].name):
                start -= 1
            missing = [h for h in original[start:position] if _norm(h.get_text(" ")) not in kept_headings]
            title = _page_title(page, original[max(0, position - TITLE_LOOKBACK):start])
            if title is not None and _norm(title.get_text(" ")) not in kept_headings:
                missing.insert(0, title)
        else:
            missing = [h for h in original[previous + 1:position]
                       if _HEADING.fullmatch(h.name) and _norm(h.get_text(" ")) not in kept_headings]
        anchor = block.find_parent(["ul", "ol", "table"]) or block
        for heading in missing:
            copy = content.new_tag(heading.name)
            copy.string = _norm(heading.get_text(" "))
            anchor.insert_before(copy)
            kept_headings.add(_norm(heading.get_text(" ")))
        cursor = position + 1
        previous = position


def _page_title(page: "object", before: list["object"]) -> "object | None":
    """The page's h1 among the elements just before its content (a byline or a
    share bar may sit between), when it is the page's only h1 or in its <title>."""
    h1s = [tag for tag in before if tag.name == "h1"]
    if not h1s:
        return None
    h1 = h1s[-1]
    title = page.find("title")
    in_title = title is not None and _norm(h1.get_text(" ")).casefold() in \
        _norm(title.get_text(" ")).casefold()
    return h1 if in_title or len(page.find_all("h1")) == 1 else None


# ----------------------------------------------------------------- walker


@dataclass
class _Block:
    kind: str  # heading, para, item, row
    text: str
    level: int = 0


def _blocks(root: "object") -> list[_Block]:
    from bs4 import NavigableString, Tag

    for sup in root.find_all("sup"):  # footnote calls: "aident<sup>1</sup>"
        if re.fullmatch(r"\s*\[?[\d,;\s]+\]?\s*", sup.get_text()):
            sup.decompose()
    blocks: list[_Block] = []
    current: list[str] = []
    prefix = [""]

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(current)).strip()
        current.clear()
        if not text:
            return
        if prefix[0] == "- ":
            blocks.append(_Block("item", "- " + text))
        elif not (_DATE_LINE.match(text) and len(text.split()) <= DATE_LINE_MAX_WORDS):
            blocks.append(_Block("para", text))

    def table(node: Tag) -> None:
        caption = node.find("caption")
        if caption is not None:
            blocks.append(_Block("para", _norm_cell(caption.get_text(" "))))
        for row in node.find_all("tr"):
            if row.find_parent("table") is not node:
                continue
            cells = [_norm_cell(c.get_text(" ")) for c in row.find_all(["td", "th"], recursive=False)]
            if not any(cells):
                continue
            if len(cells) > 1 and not any(cells[1:]):  # a title row: one cell of text
                blocks.append(_Block("para", cells[0]))
            else:
                blocks.append(_Block("row", CELL_SEPARATOR.join(cells)))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                current.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _DROP_TAGS or is_chrome(child):
                continue
            name = child.name.lower()
            if _HEADING.fullmatch(name):
                flush()
                heading = _norm_cell(child.get_text(" "))
                if heading:
                    blocks.append(_Block("heading", heading, int(name[1])))
                continue
            if name == "table":
                flush()
                table(child)
                continue
            if name in _BLOCK_TAGS:
                flush()
                outer = prefix[0]
                prefix[0] = "- " if name == "li" else outer
                walk(child)
                flush()
                prefix[0] = outer
                continue
            walk(child)

    walk(root)
    flush()
    return blocks


def _norm_cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _assemble(blocks: list[_Block]) -> tuple[str, tuple[Heading, ...]]:
    parts: list[str] = []
    headings: list[Heading] = []
    offset = 0
    previous: _Block | None = None
    for block in blocks:
        if previous is not None:
            separator = "\n" if block.kind == previous.kind == "item" else "\n\n"
            parts.append(separator)
            offset += len(separator)
        line = block.text
        if block.kind == "heading":
            headings.append(Heading(block.level, block.text, offset))
            line = "#" * block.level + " " + block.text
        parts.append(line)
        offset += len(line)
        previous = block
    return "".join(parts), tuple(headings)


def _title(page: "object", headings: tuple[Heading, ...], file_stem: str) -> str | None:
    """The title the page shows (the first h1 of its content), else its <title>
    when meaningful, else its first heading. The <title> often adds the site's
    name (« Le Courrier du Val - La piscine… »)."""
    for heading in headings:
        if heading.level == 1 and is_meaningful_title(heading.title, file_stem):
            return heading.title
    tag = page.find("title")
    title = _norm_cell(tag.get_text(" ")) if tag else ""
    if is_meaningful_title(title, file_stem):
        return title
    return headings[0].title if headings else None
