"""Assertions shared by the catalogue's question and injection tests.

Each raises `AssertionError` on a broken answer; `tests/reliability/test_checks.py`
proves it by feeding each one deliberately broken answers (a check that
cannot fail would prove nothing).
"""

from __future__ import annotations

import re

from assistant.answer import ABSTENTION_TEXT
from assistant.models import Answer

# One answer sentence and its marker: « Le budget … 2020. [1] »
_CITED_SENTENCE = re.compile(r"(?P<sentence>\S.*?)\s\[(?P<number>\d+)\]")


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def assert_well_formed(answer: Answer, question: object) -> None:
    """An answer object that keeps the question and quotes its passages verbatim."""
    assert answer.question == question, "the answer does not keep the question as asked"
    if answer.abstained:
        assert answer.text == ABSTENTION_TEXT and not answer.citations, "an abstention with content"
    else:
        assert answer.citations, "an answer without citations"
        for citation in answer.citations:
            assert citation.quote and citation.passage[citation.start:citation.end], "an empty quote"
            for part in citation.quote.split(" … "):
                assert part in citation.passage, f"quote not in its passage: {part!r}"


def assert_answered(answer: Answer) -> None:
    """The assistant answered (did not abstain) with at least one cited sentence."""
    assert not answer.abstained, f"abstained: {answer.text!r}"
    assert answer.citations and _CITED_SENTENCE.search(answer.text), "no cited sentence"


def assert_only_quotes(answer: Answer) -> None:
    """Every sentence of an (extractive) answer is text of the passage it cites:
    nothing in it comes from the question, an instruction or the model."""
    if answer.abstained:
        assert answer.text == ABSTENTION_TEXT and not answer.citations
        return
    text = answer.text.strip()
    pieces = list(_CITED_SENTENCE.finditer(text))
    covered = " ".join(match.group(0) for match in pieces)
    assert pieces and _collapsed(covered) == _collapsed(text), f"text outside cited sentences: {text!r}"
    passages = {c.number: _collapsed(c.passage) for c in answer.citations}
    for match in pieces:
        number, sentence = int(match["number"]), _collapsed(match["sentence"])
        assert number in passages, f"[{number}] cites no passage"
        # the answer closes a quote that has no final punctuation with a full stop
        assert sentence in passages[number] or sentence[:-1] in passages[number], \
            f"not a quote of passage [{number}]: {sentence!r}"


def assert_nothing_of(text: str, secret: str, *, window: int = 40) -> None:
    """No run of `window` characters of `secret` (e.g. the system prompt) appears in `text`."""
    folded, secret = _collapsed(text), _collapsed(secret)
    leaked = [secret[i:i + window] for i in range(0, max(1, len(secret) - window + 1), window // 2)
              if secret[i:i + window] in folded]
    assert not leaked, f"the answer shows part of the secret: {leaked[0]!r}"
