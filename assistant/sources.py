"""Questions that name the document they ask about (« selon la DGE »).

« Qu'est-ce que l'apprentissage fédéré, tel que décrit par le Healthcare Data
Institute ? » asks about federated learning *in one report*. Searched as
written, the words « Healthcare Data Institute » pull up the report's
sentences about itself (« Le Healthcare Data Institute recommande… ») instead
of the definition. So when the words after « selon », « d'après », « tel que
décrit par », « according to » or « le rapport du » name an indexed document
(they all occur in its id or its title), they are taken out of the searched
question and that document's passages are preferred instead. A source the
index does not hold (« selon le baromètre PulseLife », a survey a report
cites) stays in the question: it is content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.text import fold

_MENTION = re.compile(
    r",?\s*\b(?:selon|d['’]après|tel(?:le)?s? que (?:décrite?s?|présentée?s?|définie?s?) par|"
    r"according to|as described by)\s+"
    r"(?P<source>(?:(?:le|la|les|l['’]|the)\s*)?(?:(?:rapport|page|étude|report|study|article)s?\s+"
    r"(?:du|de la|de l['’]|des|d['’]|of the|of|by)\s*)?[^,?;!]+?)(?=\s*[,?;!]|\s*$)",
    re.IGNORECASE,
)
_OWNER = re.compile(
    r"\b(?P<lead>(?:le|la|the)\s+(?:rapport|page|étude|report|study))\s+"
    r"(?P<source>(?:du|de la|de l['’]|d['’]|of the|of)\s*[^,?;!]+?)(?=\s+[a-zà-ÿ]+(?:-t)?-(?:il|elle)\b|\s*[,?;!]|\s*$)",
    re.IGNORECASE,
)
_FILLER = frozenset(
    "le la les l du de des d the of by rapport rapports page etude report study article "
    "et and".split()
)


@dataclass(frozen=True)
class SourceMention:
    """The question without its source phrase, and the documents it names."""

    question: str
    documents: tuple[str, ...]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in _FILLER}


def document_words(doc_id: str, title: str) -> set[str]:
    """Words that may name a document: its id's parts and its title's words."""
    return _words(doc_id.replace("-", " ")) | _words(title)


def named_documents(source: str, documents: Mapping[str, set[str]]) -> tuple[str, ...]:
    """The documents a source phrase names; () when it names none, or all of them.

    « AEC Partners et du Healthcare Data Institute » names two documents: each
    part separated by « et » / « and » must name at least one, with a word that
    names at most half of the documents (« l'IA », « la santé » single nothing
    out).
    """
    named: set[str] = set()
    for part in re.split(r"\s+(?:et|and)\s+", source):
        words = _words(part)
        matches = {doc for doc, names in documents.items() if words and words <= names}
        if not matches or not any(_distinctive(word, documents) for word in words):
            return ()
        named |= matches
    return tuple(sorted(named))


def _distinctive(word: str, documents: Mapping[str, set[str]]) -> bool:
    """A word that names at most half of the documents (« DGE », not « santé »)."""
    return sum(word in names for names in documents.values()) <= max(1, len(documents) // 2)


def find_source_mention(question: str, documents: Mapping[str, set[str]]) -> SourceMention:
    """Strip a phrase naming indexed documents from the question (see module doc)."""
    for pattern, keep_lead in ((_MENTION, False), (_OWNER, True)):
        match = pattern.search(question)
        if not match:
            continue
        named = named_documents(match.group("source"), documents)
        if not named:
            continue
        replacement = f" {match.group('lead')}" if keep_lead else ""
        core = question[: match.start()] + replacement + question[match.end() :]
        core = re.sub(r"\s+([?,;!])", r" \1", re.sub(r"\s{2,}", " ", core)).strip(" ,;")
        if not re.search(r"[^\W\d_]{2}", core):
            break  # nothing left to search (« Selon la DGE ? »): keep the question
        return SourceMention(core[:1].upper() + core[1:], named)
    return SourceMention(question, ())
