"""Concise selection: what a runner-up must add, when an antecedent or announced items come along."""

from __future__ import annotations

from assistant.language import profile_question
from assistant.models import ScoredPassage
from assistant.rerank import ScoredSentence
from assistant.select import SelectionConfig, SentenceSelector
from index.lexical import analyze
from ingest.sentences import split_sentences

LIST_PASSAGE = (
    "Le Health Data Hub a publié ses quatre enjeux stratégiques :\n"
    "1. Décloisonner le patrimoine de données.\n"
    "2. Renforcer l'usage des données.\n"
    "3. Positionner la France comme leader.\n"
    "4. Garantir la participation de la société civile.\n"
    "Le premier enjeu comporte quatre actions :\n"
    "- Cartographier les bases."
)
BUDGET_PASSAGE = (
    "Le déploiement doit être mis en oeuvre. Il sera également important de dédier un budget "
    "(9,7 M€ pour le Health Data Hub en 2020) et des ressources suffisantes."
)
PRONOUN_PASSAGE = (
    "PariSanté Campus réunit des chercheurs et des entreprises du numérique en santé. "
    "Il a été inauguré le 4 décembre 2020 par le Président de la République."
)


def passage(text: str, index: int = 0) -> ScoredPassage:
    return ScoredPassage(f"c{index}", "doc", "Titre", "Section", None, text, 1.0, 0, len(text))


def sentence(text: str, fragment: str, score: float = 1.0, index: int = 0, heading: bool = False) -> ScoredSentence:
    start = text.index(fragment)
    span = next((s, e) for s, e in split_sentences(text) if s <= start < e)
    return ScoredSentence(index, span[0], span[1], text[span[0]:span[1]], score, 0.9, 0.5, False,
                          heading=heading)


def choose(question: str, sentences, passages, config=SelectionConfig()):
    from assistant.coverage import content_terms

    return SentenceSelector(config).choose(sentences, passages, profile_question(question), question,
                                           content_terms(question), analyze)


def quoted(units, passages) -> list[str]:
    return [passages[u.sentence.passage_index].text[s:e] for u in units for s, e in u.spans]


def test_a_list_question_gets_the_items_an_announcement_brings():
    passages = [passage(LIST_PASSAGE)]
    units = choose("Quels sont les enjeux stratégiques du Health Data Hub ?",
                   [sentence(LIST_PASSAGE, "Le Health Data Hub a publié")], passages)
    text = " ".join(quoted(units, passages))
    for item in ("Décloisonner", "Renforcer", "Positionner", "Garantir"):
        assert item in text
    assert "premier enjeu" not in text and "Cartographier" not in text  # the next announcement stops it


def test_a_question_that_is_not_a_list_does_not_get_the_items():
    passages = [passage(LIST_PASSAGE)]
    units = choose("Combien d'enjeux stratégiques le Health Data Hub a-t-il publiés ?",
                   [sentence(LIST_PASSAGE, "Le Health Data Hub a publié")], passages)
    assert quoted(units, passages) == ["Le Health Data Hub a publié ses quatre enjeux stratégiques :"]


def test_announced_items_are_capped():
    items = "\n".join(f"- Élément numéro {i} de la liste." for i in range(12))
    text = f"Les éléments suivants sont retenus :\n{items}"
    passages = [passage(text)]
    units = choose("Quels sont les éléments retenus ?", [sentence(text, "Les éléments suivants")], passages,
                   SelectionConfig(max_items=4))
    assert " ".join(quoted(units, passages)).count("Élément numéro") == 4


def test_a_pronoun_sentence_that_names_what_is_asked_stands_alone():
    passages = [passage(BUDGET_PASSAGE)]
    units = choose("Quel était le budget du Health Data Hub en 2020 ?",
                   [sentence(BUDGET_PASSAGE, "Il sera")], passages)
    assert quoted(units, passages) == [BUDGET_PASSAGE[BUDGET_PASSAGE.index("Il sera"):]]


def test_a_pronoun_sentence_brings_the_sentence_naming_its_subject():
    passages = [passage(PRONOUN_PASSAGE)]
    units = choose("Quand PariSanté Campus a-t-il été inauguré ?",
                   [sentence(PRONOUN_PASSAGE, "Il a été inauguré")], passages)
    assert quoted(units, passages) == [PRONOUN_PASSAGE]


def test_a_runner_up_joins_only_if_it_adds_something():
    text = ("Le budget du Health Data Hub était de 9,7 M€ en 2020. "
            "Le Health Data Hub disposait d'un budget important en 2020. "
            "Ses équipes comptaient 40 salariés pour ses missions de recherche.")
    passages = [passage(text)]
    sentences = [sentence(text, "Le budget du", 1.0), sentence(text, "Le Health Data Hub disposait", 0.95),
                 sentence(text, "Ses équipes", 0.94)]
    units = choose("Quel était le budget du Health Data Hub en 2020 ?", sentences, passages)
    assert [u.sentence.text[:12] for u in units] == ["Le budget du"]  # covered: stop
    units = choose("Quel était le budget du Health Data Hub et combien de salariés comptaient ses équipes ?",
                   sentences, passages)
    assert [u.sentence.text[:12] for u in units] == ["Le budget du", "Ses équipes "]


def test_a_runner_up_far_below_the_best_is_dropped():
    text = "Le budget était de 9,7 M€ en 2020. Les salariés étaient 40 dans les équipes."
    passages = [passage(text)]
    sentences = [sentence(text, "Le budget", 1.0), sentence(text, "Les salariés", 0.5)]
    units = choose("Quel était le budget et combien de salariés y avait-il ?", sentences, passages)
    assert len(units) == 1


def test_a_heading_is_never_the_answer_unless_it_holds_what_is_asked():
    text = "Focus sur le Health Data Hub\nLe Health Data Hub facilite l'accès aux données de santé."
    passages = [passage(text)]
    heading = sentence(text, "Focus sur", 1.0, heading=True)
    prose = sentence(text, "Le Health Data Hub facilite", 0.9)
    units = choose("Que fait le Health Data Hub ?", [heading, prose], passages)
    assert [u.sentence.text for u in units] == [prose.text]
    titled = "Le HDH en 2020 : 9,7 M€ de budget\nUne phrase sans chiffre sur la plateforme."
    passages = [passage(titled)]
    units = choose("Quel était le budget du HDH en 2020 ?",
                   [sentence(titled, "Le HDH", 1.0, heading=True)], passages)
    assert units and "9,7 M€" in units[0].sentence.text


PLACE_PASSAGE = (
    "Dans le domaine de la médecine reproductive, EMBRYOLY, développé par ImVitro, apporte une solution. "
    "Cette technologie est utilisée dans des centres comme l'Hôpital Saint Joseph Marseille."
)


def test_a_runner_up_holding_the_asked_fact_the_best_lacks_joins_from_a_lower_score():
    passages = [passage(PLACE_PASSAGE)]
    sentences = [sentence(PLACE_PASSAGE, "Dans le domaine", 0.55), sentence(PLACE_PASSAGE, "Cette technologie", 0.45)]
    units = choose("Dans quel hôpital marseillais EMBRYOLY d'ImVitro est-il utilisé ?", sentences, passages)
    assert [u.sentence.text[:17] for u in units] == ["Dans le domaine d", "Cette technologie"]
    # far below the best, or without the asked fact, it does not
    low = [sentences[0], sentence(PLACE_PASSAGE, "Cette technologie", 0.35)]
    assert len(choose("Dans quel hôpital marseillais EMBRYOLY d'ImVitro est-il utilisé ?", low, passages)) == 1


def test_a_runner_up_whose_figure_counts_something_else_does_not_join_from_a_lower_score():
    text = "Le centre de Saclay ouvrira bientôt ses portes. Il accueillera 120 employés du groupe."
    passages = [passage(text)]
    sentences = [sentence(text, "Le centre", 1.0), sentence(text, "Il accueillera", 0.8)]
    assert len(choose("Combien de chercheurs le centre de Saclay réunira-t-il ?", sentences, passages)) == 1
    assert len(choose("Combien d'employés le centre de Saclay réunira-t-il ?", sentences, passages)) == 2
