"""The Python API end to end on the bundled corpus, with the real French model."""

from __future__ import annotations

import re

import pytest

from assistant.errors import QuestionError
from assistant.answer import ABSTENTION_TEXT

pytestmark = pytest.mark.slow  # every test answers with the real French model over the bundled index

MARKER = re.compile(r"\[(\d+)\]")


def _sentences_with_markers(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\])\s+", text) if s]


def test_an_answer_quotes_the_passage_that_holds_the_number(bot):
    answer = bot.ask("Quel budget pour le Health Data Hub en 2020 ?")
    assert not answer.abstained
    assert "9,7 M€" in answer.text
    cited = answer.citations[int(MARKER.search(answer.text).group(1)) - 1]
    assert "9,7 M€" in cited.passage
    assert cited.doc_id == "aec-partners-2020-ia-industries-de-sante"
    assert cited.section  # every citation has a section path


def test_every_sentence_carries_a_valid_citation_and_offsets_match(bot):
    answer = bot.ask("Combien d'emplois liés à la programmation de solutions d'IA en santé d'ici 2025 ?")
    assert not answer.abstained
    for sentence in _sentences_with_markers(answer.text):
        numbers = [int(n) for n in MARKER.findall(sentence)]
        assert numbers and all(1 <= n <= len(answer.citations) for n in numbers)
    for c in answer.citations:
        for start, end in c.highlights:
            assert c.passage[start:end].strip() in c.quote
        assert c.passage[c.start:c.end].strip().startswith(c.quote.split(" … ")[0][:30])


def test_answer_sentences_are_verbatim_quotes_of_their_passage(bot):
    answer = bot.ask("Quand PariSanté Campus a-t-il été lancé ?")
    assert not answer.abstained
    for sentence in _sentences_with_markers(answer.text):
        n = int(MARKER.search(sentence).group(1))
        body = MARKER.sub("", sentence).strip().rstrip(".")
        assert body[:60] in " ".join(answer.citations[n - 1].passage.split())
    assert "4 décembre 2020" in answer.text


def test_unanswerable_questions_are_declined_with_see_also(bot):
    answer = bot.ask("Quel temps fera-t-il demain à Paris ?")
    assert answer.abstained
    assert answer.text == ABSTENTION_TEXT
    assert answer.citations == []
    assert answer.see_also


def test_a_question_on_a_year_the_reports_do_not_cover_is_declined(bot):
    assert bot.ask("Quel budget pour le Health Data Hub en 2023 ?").abstained


def test_a_homonym_of_a_report_word_does_not_make_an_answer(bot):
    # The reports speak of a « rendez-vous capital », never of Australia.
    assert bot.ask("Quelle est la capitale de l'Australie ?").abstained


def test_a_figure_asked_for_is_not_answered_by_a_sentence_without_any(bot):
    answer = bot.ask("Quel est le salaire moyen d'un data scientist dans les industries de santé en France ?")
    assert answer.abstained
    assert any("type demandé" in note for note in answer.notes)


def test_an_answer_names_the_question_words_its_quotes_never_use(bot):
    # The reports give the FDA count for radiology only.
    answer = bot.ask("Combien d'algorithmes d'IA en cardiologie la FDA avait-elle approuvés à la fin de 2023 ?")
    assert answer.abstained or any("« cardiologie »" in note for note in answer.notes)
    complete = bot.ask("Combien d'algorithmes d'IA en radiologie la FDA avait-elle approuvés à la fin de 2023 ?")
    assert not complete.abstained and "531" in complete.text
    assert not any("ne mentionnent pas" in note for note in complete.notes)


def test_english_names_spelt_otherwise_in_the_reports_do_not_veto_the_answer(bot):
    # The reports write « Yann Le Cun » and « OMS ».
    answer = bot.ask("According to Yann LeCun, how many neurons does a cat's brain have?")
    assert not answer.abstained and "760 millions" in answer.text
    covid = bot.ask("Which start-up detected the first signs of the COVID-19 epidemic before the WHO's official announcements?")
    assert not covid.abstained and "BlueDot" in covid.text


def test_a_question_naming_its_report_gets_the_content_not_the_report_talking_about_itself(bot):
    # Searched as written, « Healthcare Data Institute » pulled up « Le Healthcare
    # Data Institute recommande… » instead of the definition.
    question = "Qu'est-ce que l'apprentissage fédéré, tel que décrit par le Healthcare Data Institute ?"
    top = bot.retrieve(question, k=2)
    assert all(p.doc_id == "healthcare-data-institute-donnees-ia-sante" for p in top)
    answer = bot.ask(question)
    assert not answer.abstained
    assert "entrepôt" in answer.text.split("[1]")[0]


def test_follow_up_questions_use_the_conversation(bot):
    first = bot.ask("Quand PariSanté Campus a-t-il été lancé ?")
    follow = bot.ask("Qui l'a lancé ?", history=[{"question": first.question, "answer": first.text}])
    assert "PariSanté" in follow.resolved_question
    assert not follow.abstained
    assert "Président de la République" in follow.text


def test_a_follow_up_is_answered_with_what_it_asks_not_the_previous_answer(bot):
    history = [{"question": "Quand la France a-t-elle lancé sa Stratégie nationale pour "
                "l'intelligence artificielle ?", "answer": "En 2018 [1]."}]
    follow = bot.ask("Et sur quoi porte la seconde phase ?", history=history)
    assert not follow.abstained
    assert "seconde phase (2021-2025)" in follow.text
    assert "diffusion" in follow.text


def test_a_year_follow_up_replaces_the_year(bot):
    history = [{"question": "Quel budget pour le Health Data Hub en 2020 ?", "answer": "9,7 M€ [1]."}]
    follow = bot.ask("Et en 2023 ?", history=history)
    assert follow.resolved_question == "Quel budget pour le Health Data Hub en 2023 ?"
    assert follow.abstained


def test_english_questions_find_the_french_passages(bot):
    answer = bot.ask("Which three cities host the 3IA institutes focused on health?")
    assert not answer.abstained
    assert any("3IA" in c.passage for c in answer.citations)
    passages = bot.retrieve("What budget did the Health Data Hub have in 2020?", k=5)
    assert any("9,7 M€" in p.text for p in passages)


def test_the_document_filter_restricts_passages(bot):
    doc = "kratz-hayot-ia-et-data-en-sante"
    passages = bot.retrieve("intelligence artificielle et données de santé", k=8, documents=[doc])
    assert passages and all(p.doc_id == doc for p in passages)


def test_near_duplicate_passages_come_back_once_with_both_sources(bot):
    passages = bot.retrieve("Trois instituts 3IA Nice Paris Grenoble applications en santé", k=5)
    top = passages[0]
    assert {s.doc_id for s in top.sources} == {
        "dge-ia-au-service-de-la-sante-page", "dge-ia-au-service-de-la-sante-extraits"}
    texts = [" ".join(p.text.split())[:80] for p in passages]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("question", ["", "   \n\t ", "🙂🙂🙂", "\x00\x01\x02"])
def test_empty_or_wordless_questions_get_a_clear_message(bot, question):
    with pytest.raises(QuestionError) as error:
        bot.ask(question)
    assert "question" in str(error.value).lower()


def test_a_10000_character_question_is_truncated_and_said_so(bot):
    answer = bot.ask("Quel budget pour le Health Data Hub ? " + "données " * 1300)
    assert any("tronquée" in note for note in answer.notes)


@pytest.mark.parametrize("question", ["ما هي ميزانية Health Data Hub؟ 🙂", "Health Data Hub 预算是多少？", "‮Quel budget‬ ?"])
def test_any_unicode_question_gets_an_answer_object(bot, question):
    answer = bot.ask(question)
    assert isinstance(answer.text, str) and answer.text


def test_stream_yields_the_answer_text_and_keeps_the_answer(bot):
    stream = bot.stream("Quel budget pour le Health Data Hub en 2020 ?")
    pieces = list(stream)
    assert len(pieces) >= 1
    assert "".join(pieces) == stream.answer.text


def test_the_langchain_retriever_returns_documents_with_metadata(bot):
    docs = bot.as_retriever(k=3).invoke("Quel budget pour le Health Data Hub en 2020 ?")
    assert len(docs) == 3
    assert any("9,7 M€" in d.page_content for d in docs)
    assert {"doc_id", "title", "section", "page", "chunk_id"} <= set(docs[0].metadata)


def test_the_readme_question_gets_its_short_answer_in_one_or_two_cited_sentences(bot):
    answer = bot.ask("Quel était le budget du Health Data Hub en 2020 ?")
    assert not answer.abstained
    assert answer.short is not None and answer.short.text == "9,7 M€"
    assert answer.short.text in answer.citations[answer.short.citation - 1].quote  # verbatim, cited
    assert 1 <= len(_sentences_with_markers(answer.text)) <= 2
    assert "enjeux" not in answer.text  # no list announced elsewhere in the passage


def test_a_compound_question_answers_the_part_the_reports_cover_and_names_the_other(bot):
    answer = bot.ask("Quand IBM a-t-il inauguré son centre de recherche en IA de Saclay, "
                     "et qui dirige ce centre ?")
    assert not answer.abstained
    assert [p.answered for p in answer.parts] == [True, False]
    assert "avril 2019" in answer.parts[0].text
    assert answer.parts[1].text.startswith("Les rapports ne précisent pas")
    assert "Qui dirige ce centre ?" in answer.text
