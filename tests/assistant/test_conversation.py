"""Follow-up questions: what gets searched and what the follow-up itself asks."""

from assistant.conversation import follow_up_focus, resolve

FIRST = "Quand la France a-t-elle lancé sa Stratégie nationale pour l'intelligence artificielle ?"


def test_an_elliptical_follow_up_is_searched_with_the_previous_question_and_keeps_its_focus():
    history = [{"question": FIRST, "answer": "En 2018 [1]."}]
    assert resolve("Et sur quoi porte la seconde phase ?", history) == (
        f"sur quoi porte la seconde phase ? ({FIRST})"
    )
    assert follow_up_focus("Et sur quoi porte la seconde phase ?", history) == "sur quoi porte la seconde phase ?"


def test_a_year_substitution_and_a_standalone_question_have_no_separate_focus():
    history = [{"question": "Quel budget pour le Health Data Hub en 2020 ?", "answer": ""}]
    assert follow_up_focus("Et en 2023 ?", history) is None
    assert follow_up_focus("Quel est le rôle de la CNIL dans l'accès aux données de santé ?", history) is None
    assert follow_up_focus("Et sur quoi porte la seconde phase ?", []) is None
