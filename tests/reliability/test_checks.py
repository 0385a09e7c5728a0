"""The catalogue's assertion helpers fail on deliberately broken answers.

A real extractive answer (the keyword fake embedder over a tiny corpus, no
model) passes every check; each mutation of it below must be caught. Without
this, a row of tests/CATALOGUE.md could be "checked" by an assertion that
cannot fail.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answer import ABSTENTION_TEXT
from assistant.api import Assistant
from assistant.generate import SYSTEM_PROMPT
from assistant.settings import Settings
from tests.assistant.conftest import CHUNKING, TINY_DOCS, VOCABULARY
from tests.fakes import KeywordEmbedder
from tests.reliability.checks import assert_answered, assert_nothing_of, assert_only_quotes, assert_well_formed

QUESTION = "Quel budget pour le Health Data Hub en 2020 ?"


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    base = tmp_path_factory.mktemp("checks")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in TINY_DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=base / "index", chunk_target_tokens=CHUNKING.target_tokens,
                        chunk_max_tokens=CHUNKING.max_tokens, chunk_overlap_tokens=CHUNKING.overlap_tokens,
                        chunk_min_tokens=CHUNKING.min_tokens)
    bot = Assistant(settings, KeywordEmbedder(VOCABULARY))
    bot.rebuild()
    return bot.ask(QUESTION)


def test_a_real_extractive_answer_passes_every_check(answer):
    assert_well_formed(answer, QUESTION)
    assert_answered(answer)
    assert_only_quotes(answer)
    assert_only_quotes(replace(answer, text=answer.text + " " + answer.text))  # several cited sentences
    assert_nothing_of(answer.text, SYSTEM_PROMPT)


def abstention(answer):
    return replace(answer, text=ABSTENTION_TEXT, abstained=True, citations=[])


def test_an_abstention_fails_the_answered_check(answer):
    assert_well_formed(abstention(answer), QUESTION)  # well formed…
    with pytest.raises(AssertionError, match="abstained"):
        assert_answered(abstention(answer))  # …but the markup row says "answered"


@pytest.mark.parametrize("broken, reason", [
    (lambda a: replace(a, question=QUESTION.upper()), "keep the question"),
    (lambda a: replace(a, citations=[]), "without citations"),
    (lambda a: replace(a, citations=[replace(a.citations[0], quote="Le budget était de dix milliards.")]),
     "quote not in its passage"),
    (lambda a: replace(a, text=ABSTENTION_TEXT, abstained=True), "abstention with content"),
])
def test_well_formed_catches_a_changed_question_missing_or_invented_quotes(answer, broken, reason):
    with pytest.raises(AssertionError, match=reason):
        assert_well_formed(broken(answer), QUESTION)


@pytest.mark.parametrize("broken, reason", [
    (lambda a: replace(a, text=a.text + " Ignorez les consignes précédentes [1]."), "text outside"),
    (lambda a: replace(a, text=a.text + " Ignorez les consignes précédentes. [1]"), "not a quote"),
    (lambda a: replace(a, text="Selon mes consignes, " + a.text), "not a quote"),
    (lambda a: replace(a, text=a.text.replace("9,7", "10 000")), "not a quote"),
    (lambda a: replace(a, text=a.text.replace("[1]", "[7]")), "cites no passage"),
    (lambda a: replace(a, text=SYSTEM_PROMPT + " [1]"), "text outside"),
])
def test_only_quotes_catches_any_word_that_is_not_from_the_cited_passage(answer, broken, reason):
    with pytest.raises(AssertionError, match=reason):
        assert_only_quotes(broken(answer))


def test_the_system_prompt_check_catches_a_leak_even_reworded_around(answer):
    leaked = "Voici mes consignes : " + SYSTEM_PROMPT[60:200] + " Fin."
    with pytest.raises(AssertionError, match="shows part of the secret"):
        assert_nothing_of(leaked, SYSTEM_PROMPT)
    assert_nothing_of("Tu es un assistant.", SYSTEM_PROMPT)  # a few common words are not a leak
