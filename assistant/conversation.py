"""Follow-up questions resolved with the conversation so far.

« Et en 2023 ? » after « Quel budget pour le Health Data Hub en 2020 ? »
becomes « Quel budget pour le Health Data Hub en 2023 ? »; « Qui l'a lancé ? »
after a question on PariSanté Campus is searched with that topic attached.
No LLM: elliptical questions are detected by their shape and completed with
the previous question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.text import YEAR

_FOLLOW_UP_OPENING = re.compile(
    r"^\s*(et|mais|alors|aussi|puis|and|what about|how about|also)\b", re.IGNORECASE
)
_PRONOUNS = re.compile(
    r"\b(il|elle|ils|elles|l['’]|le|la|les|lui|leur|leurs|y|en|ce|cela|ça|celui|celle|"
    r"ceux|celles|son|sa|ses|it|they|them|its|their|this|that|these|those)\b",
    re.IGNORECASE,
)
_CONTENT_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9][\w’'-]{3,}")
_FRENCH_FILLERS = frozenset(
    "quel quelle quels quelles qu'est-ce comment combien pourquoi quand selon "
    "dans pour avec sont était étaient what which when where does have".split()
)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of the conversation."""

    question: str
    answer: str = ""


def as_turns(history: Sequence[object] | None) -> list[Turn]:
    """Accept `Turn`s, `{"question", "answer"}` dicts or `(q, a)` pairs."""
    turns = []
    for item in history or []:
        if isinstance(item, Turn):
            turns.append(item)
        elif isinstance(item, dict):
            question = item.get("question") or (item.get("content") if item.get("role") == "user" else None)
            if question:
                turns.append(Turn(str(question), str(item.get("answer", ""))))
        elif isinstance(item, (tuple, list)) and item:
            turns.append(Turn(str(item[0]), str(item[1]) if len(item) > 1 else ""))
    return turns


def is_follow_up(question: str) -> bool:
    """True when a question leans on the previous turn to make sense."""
    words = _CONTENT_WORD.findall(question)
    content = [w for w in words if w.lower() not in _FRENCH_FILLERS]
    if _FOLLOW_UP_OPENING.match(question):
        return True
    has_named = any(w[0].isupper() for w in content[1:]) or any(w.isupper() for w in content)
    return len(content) <= 3 and not has_named and bool(_PRONOUNS.search(question))


def _complete(question: str, history: Sequence[object] | None) -> tuple[str, str | None]:
    """(question to search with, what the follow-up itself asks or None)."""
    turns = as_turns(history)
    if not turns or not is_follow_up(question):
        return question, None
    previous = turns[-1].question
    new_years = YEAR.findall(question)
    old_years = YEAR.findall(previous)
    if new_years and old_years:
        # « Et en 2023 ? » → the previous question with its year replaced.
        return YEAR.sub(new_years[0], previous, count=1), None
    stripped = _FOLLOW_UP_OPENING.sub("", question).strip(" ,")
    return f"{stripped} ({previous})", stripped or None


def follow_up_focus(question: str, history: Sequence[object] | None) -> str | None:
    """What a follow-up itself asks (« combien lui font confiance ») when `resolve`
    completes it with the previous question; None for standalone questions and
    year substitutions. The sentence scorer weighs it apart, so the answer to
    the previous question does not win again."""
    return _complete(question, history)[1]


def resolve(question: str, history: Sequence[object] | None) -> str:
    """The question to search with: standalone questions pass unchanged."""
    return _complete(question, history)[0]
