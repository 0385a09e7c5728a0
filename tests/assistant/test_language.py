"""Question analysis: names, numbers and the kind of answer a question asks for."""

import pytest

from assistant.language import (
    answer_kind,
    holds_date,
    holds_new_name,
    holds_quantity,
    proper_names,
    question_numbers,
)


def test_consecutive_capitalised_words_form_one_name():
    assert proper_names("According to Yann LeCun, how many neurons does a cat's brain have?") == (
        "Yann LeCun",
    )
    assert proper_names("Qui dirige le Health Data Hub ?") == ("Health Data Hub",)


def test_months_demonyms_possessives_and_generic_acronyms_are_not_names():
    names = proper_names("In how many French centres is Therapixel's Mammoscreen used since January 2020?")
    assert names == ("Therapixel Mammoscreen",)
    assert proper_names("Quel rôle joue l'IA selon la HAS ?") == ("HAS",)
    # a Roman ordinal is no name the index could lack (« depuis la fin du XXe siècle »)
    assert proper_names("Pourquoi l'IA suscite-t-elle l'engouement depuis la fin du XXe siècle ?") == ()
    assert proper_names("Que disait Louis XIV de la médecine ?") == ("Louis XIV",)


def test_elided_articles_are_stripped_from_names():
    assert proper_names("Quelle est la capitale de l'Australie ?") == ("Australie",)


def test_digits_inside_identifiers_are_not_question_numbers():
    assert question_numbers("Quelle start-up a détecté le COVID-19 avant l'OMS ?") == ()
    assert question_numbers("Combien d'instituts 3IA ?") == ()
    assert question_numbers("What did the NHS do in the 1990s?") == ()


def test_standalone_numbers_are_normalised():
    assert question_numbers("Budget 2020 : 1.85 milliard, 5 000 postes, 2019-2021 ?") == (
        "2020", "1,85", "5000", "2019", "2021",
    )


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Combien de startups d'IA en santé en France ?", "quantity"),
        ("Quel est le montant du financement ?", "quantity"),
        ("Quelle part des effectifs est constituée de programmeurs ?", "quantity"),
        ("How many patients were included?", "quantity"),
        ("Quand le Health Data Hub a-t-il été créé ?", "date"),
        ("En quelle année la FDA a-t-elle autorisé ce dispositif ?", "date"),
        ("Qui a fondé Mila ?", "name"),
        ("Quelle entreprise a développé Prédic ?", "name"),
        ("Which company's device was evaluated?", "name"),
        ("Quels sont les enjeux de l'IA en santé ?", None),
        ("Les acteurs qui développent l'IA sont-ils nombreux ?", None),
    ],
)
def test_answer_kind(question, kind):
    assert answer_kind(question) == kind


def test_a_bare_year_is_not_a_quantity_but_a_figure_or_a_number_word_is():
    assert not holds_quantity("En 2020, le Health Data Hub a publié ses enjeux.")
    assert holds_quantity("En 2020, 53 % des soignants utilisaient l'IA.")
    assert holds_quantity("Près de la moitié des entreprises.")
    assert holds_quantity("La puissance installée a triplé depuis 2021.")  # a multiple is a quantity
    assert holds_quantity("Les effectifs ont doublé.") and not holds_quantity("Un doublon du rapport.")
    assert holds_quantity("Le budget atteint 9,7 M€.")
    # number words beyond dix, approximations and English words are figures too
    assert holds_quantity("Quatorze entretiens avec des médecins ont été menés.")
    assert holds_quantity("Un centre d'une quinzaine de chercheurs sur le plateau de Saclay.")
    assert holds_quantity("The lab employs twelve engineers.")


def test_dates_are_years_or_month_names():
    assert holds_date("Lancé le 4 décembre 2020.")
    assert holds_date("Il a été inauguré en février dernier.")
    assert not holds_date("Le campus réunit des acteurs publics et privés.")


def test_a_new_name_must_be_absent_from_the_question():
    question = "Quelle entreprise a développé l'outil « Prédic » utilisé en Angleterre ?"
    assert not holds_new_name("Les outils d'IA comme « Prédic » en Angleterre aident les patients.", question)
    assert holds_new_name("L'outil « Prédic » a été conçu par Winton en Angleterre.", question)
