"""Whether a document's own title is worth showing, or only names a file.

PDF metadata and web pages often carry the name of the file they were made
from (« doc.html », « Microsoft Word - rapport_v3.docx ») or a template's
placeholder (« Untitled », « Sans titre »); shown as a document's title or
section, it tells the user nothing. Loaders then look for the title in the
document itself.
"""

from __future__ import annotations

import re

# Titles that name a file or a template rather than the document.
_FILE_NAME = re.compile(
    r"\.(?:html?|pdf|docx?|dotx?|odt|rtf|txt|md|pptx?|odp|xlsx?|ods|indd|tex|ps|eps|qxd|pages)\s*$",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\s*-|untitled\b|sans\s+titre\b|document\s*\d*$|"
    r"titre\s*\d*$|title\s*\d*$|diapositive\s*\d*$|slide\s*\d*$|présentation\s*\d*$)",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"[\w.-]+")  # one token: « rapport_final_v3 », « 2024-03-rapport »
# A title needs at least this many letters.
MIN_LETTERS = 3


def is_meaningful_title(title: str | None, file_stem: str) -> bool:
    """A title worth showing: not empty, not a file name (« doc.html »,
    « Microsoft Word - x.docx »), not the file's own name, not one identifier."""
    text = re.sub(r"\s+", " ", title or "").strip()
    if len(re.findall(r"[^\W\d_]", text)) < MIN_LETTERS:
        return False
    if _FILE_NAME.search(text) or _TEMPLATE.search(text):
        return False
    if _simple(text) == _simple(file_stem):
        return False
    return not (_IDENTIFIER.fullmatch(text) and re.search(r"[_\d]", text))


def _simple(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()
