"""Web pages to text: the main content, then headings, lists and tables as lines.

1. The walker reads the page (decoded with its declared charset, scripts and
   templates removed) into blocks: headings as `#` lines (their offsets
   become the document's headings), list items as `- ` lines, table rows as
   « cell | cell » lines, every other block as a paragraph; a block whose
   class or id names page chrome (share, ad, cookie…) and an « updated on »
   date line are dropped.
2. trafilatura says which blocks are the main content (comments left out,
   tables kept): a block is kept when most of its runs of three words are in
   trafilatura's text, or, between two blocks kept that way, when almost all
   its words are (a list item whose inline code trafilatura moved); a block
   of one or two words goes with its neighbours (a list item with its list). Menus, cookie banners, share bars, related articles and
   footers stay out. trafilatura's own text is not used: on nested inline
   markup (DocBook's « apt(8) », « <kbd> » keys) it splits paragraphs and
   moves or drops words, and a quote must be the page's text.
3. A heading stays when the block it titles stays (trafilatura drops headings
   of small pages), and so does the page's h1 just before the content.

When trafilatura finds no structured content (a page of a few lines, which it
returns as one run of text), the walker keeps the whole page, without its
navigation, page header and footer.
"""

from __future__ import annotations

import re
from collections import Counter
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
# A block is main content when this share of its runs of SHINGLE words are in trafilatura's
# text (a word moved by trafilatura breaks a few runs; boilerplate shares almost none).
KEPT_SHARE = 0.6
SHINGLE = 3
# Between two kept blocks, a block is kept when this share of its words are in trafilatura's text.
WORDS_SHARE = 0.8
# The page's h1 is looked for this many blocks before its content.
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
    if main is None:
        _drop_chrome(page)
        root = page.find("article") or page.find("main") or page.body or page
        blocks = _blocks(root)
    else:
        content = BeautifulSoup(main, "html.parser")
        blocks = _main_blocks(_blocks(page.body or page), _blocks(content.body or content), page)
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


# ------------------------------------------------------------ main blocks


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def _main_blocks(blocks: list["_Block"], chosen: list["_Block"], page: "object") -> list["_Block"]:
    """The page's own blocks whose words trafilatura's `chosen` blocks hold, with their headings."""
    chosen_tokens = _tokens(" ".join(block.text for block in chosen))
    held, words = _shingles(chosen_tokens), Counter(chosen_tokens)
    kept: list[bool | None] = [None] * len(blocks)  # None: a heading or a block too short to judge
    for i, block in enumerate(blocks):
        runs = _shingles(_tokens(block.text))
        if block.kind != "heading" and runs:
            kept[i] = len(runs & held) >= KEPT_SHARE * len(runs)
    judged = [i for i, k in enumerate(kept) if k is not None]
    between = [i for before, i, after in zip(judged, judged[1:], judged[2:])
               if not kept[i] and kept[before] and kept[after]]
    for i in between:  # between kept blocks, the words decide
        bag = Counter(_tokens(blocks[i].text))
        kept[i] = sum((bag & words).values()) >= WORDS_SHARE * sum(bag.values())
    for i, block in enumerate(blocks):
        if kept[i] is not None:
            continue
        if block.kind == "heading":  # a heading stays with the block it titles
            following = next((k for k in judged if k > i), None)
            kept[i] = following is not None and bool(kept[following])
        else:  # one or two words: inside kept content, or an item of a kept list
            before = next((k for k in reversed(judged) if k < i), None)
            after = next((k for k in judged if k > i), None)
            sides = [k for k in (before, after) if k is not None]
            kept[i] = (len(sides) == 2 and all(kept[k] for k in sides)) or (
                block.kind == "item" and any(kept[k] and blocks[k].kind == "item" for k in sides))
    first = next((i for i, k in enumerate(kept) if k and blocks[i].kind != "heading"), None)
    if first is not None:
        title = _page_title(page, blocks, range(max(0, first - TITLE_LOOKBACK), first))
        if title is not None:
            kept[title] = True
    return [block for block, keep in zip(blocks, kept) if keep]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _page_title(page: "object", blocks: list["_Block"], before: range) -> int | None:
    """The page's h1 among the blocks just before its content (a byline or a share
    bar may sit between), when it is the page's only h1 or in its <title>."""
    h1s = [i for i in before if blocks[i].kind == "heading" and blocks[i].level == 1]
    if not h1s:
        return None
    index = h1s[-1]
    title = page.find("title")
    in_title = title is not None and _flat(blocks[index].text) in _flat(title.get_text(" "))
    return index if in_title or len(page.find_all("h1")) == 1 else None


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
        if caption is not None and inline_text(caption):
            blocks.append(_Block("para", inline_text(caption)))
        for row in node.find_all("tr"):
            if row.find_parent("table") is not node:
                continue
            cells = [inline_text(c) for c in row.find_all(["td", "th"], recursive=False)]
            filled = [cell for cell in cells if cell]
            if len(filled) == 1:  # a title row, a note beside an icon: one cell of text
                blocks.append(_Block("para", filled[0]))
            elif filled:
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
                heading = inline_text(child)
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


def inline_text(tag: "object") -> str:
    """An element's text as read: inline pieces joined as they are (« apt(8) »),
    a space where a block inside it starts or a line breaks."""
    from bs4 import NavigableString

    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, NavigableString):
            parts.append(str(node))
        elif node.name in _BLOCK_TAGS:
            parts.append(" ")
    return _norm_cell("".join(parts))


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
