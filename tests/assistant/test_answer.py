"""Extractive answer composition: markers, antecedents, announced list items."""

from __future__ import annotations

from assistant.answer import MAX_ANNOUNCED_ITEMS, compose_answer
from assistant.models import ScoredPassage
from assistant.rerank import ScoredSentence

LIST_PASSAGE = (
    "Le Health Data Hub a publié ses quatre enjeux stratégiques :\n"
    "1. Décloisonner le patrimoine de données.\n"
    "2. Renforcer l'usage des données.\n"
    "3. Positionner la France comme leader.\n"
    "4. Garantir la participation de la société civile.\n"
    "Le premier enjeu comporte quatre actions :\n"
    "- Cartographier les bases."
)


def _passage(text: str) -> ScoredPassage:
    return ScoredPassage("c1", "doc", "Titre", "Section", None, text, 1.0, 0, len(text))


def _first_sentence(text: str) -> ScoredSentence:
    end = text.index("\n")
    return ScoredSentence(0, 0, end, text[:end], 1.0, 0.9, 0.5, False)


def test_a_sentence_ending_with_a_colon_brings_the_items_it_announces():
    draft = compose_answer([_passage(LIST_PASSAGE)], [_first_sentence(LIST_PASSAGE)])
    for item in ("Décloisonner", "Renforcer", "Positionner", "Garantir"):
        assert item in draft.text
    # Every item is its own cited sentence; list numbers alone are not sentences.
    assert draft.text.count("[1]") == 5
    assert "1. [1]" not in draft.text
    # The next announcement and its items are not brought along.
    assert "premier enjeu" not in draft.text and "Cartographier" not in draft.text
    quote = draft.citations[0].quote
    assert "Garantir la participation" in quote


def test_announced_items_are_capped():
    items = "\n".join(f"- Élément numéro {i} de la liste." for i in range(12))
    text = f"Les éléments suivants sont retenus :\n{items}"
    draft = compose_answer([_passage(text)], [_first_sentence(text)])
    assert draft.text.count("Élément numéro") == MAX_ANNOUNCED_ITEMS


def test_a_sentence_without_a_colon_stands_alone():
    text = "Le budget atteint 9,7 M€ en 2020.\nUne autre phrase suit ici."
    draft = compose_answer([_passage(text)], [_first_sentence(text)])
    assert draft.text == "Le budget atteint 9,7 M€ en 2020. [1]"
