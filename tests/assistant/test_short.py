"""Short answers: the verbatim span of the asked kind, nearest to what the question is about."""

from __future__ import annotations

import re

import pytest

from assistant.short import short_answer
from ingest.text import fold


def short(kind: str | None, sentence: str, question: str) -> str | None:
    span = short_answer(kind, sentence, question, [fold(w) for w in re.findall(r"\w+", question)])
    if span is not None:
        assert sentence[span.start:span.end] == span.text or ", " in span.text  # verbatim
    return span.text if span else None


@pytest.mark.parametrize(
    ("kind", "sentence", "question", "expected"),
    [
        ("quantity",
         "Il sera également important de dédier un budget (9,7 M€ pour le Health Data Hub en 2020) et des ressources.",
         "Quel était le budget du Health Data Hub en 2020 ?", "9,7 M€"),
        ("quantity", "Le DMP a déjà atteint 8 millions de dossiers depuis son lancement en 2018.",
         "Combien de dossiers le DMP a-t-il atteints ?", "8 millions de dossiers"),
        ("quantity", "Parmi eux, 56 % sont des femmes et 260 000 personnes micro-travaillent.",
         "Quelle part des micro-travailleurs sont des femmes ?", "56 %"),
        ("quantity", "Ma Santé 2022 donne un objectif de 70% de chirurgie ambulatoire.",
         "Quel taux de chirurgie ambulatoire Ma Santé 2022 vise-t-il ?", "70%"),
        ("date", "Le campus a été inauguré le 4 décembre 2020 par le Président.",
         "Quand le campus a-t-il été inauguré ?", "4 décembre 2020"),
        ("date", "Le plan « Made in China 2025 » a été publié en juillet 2017.",
         "Quand le plan « Made in China 2025 » a-t-il été publié ?", "juillet 2017"),
        ("name", "En septembre 2019, Microsoft et AstraZeneca lançaient à Paris AI Factory for Health.",
         "Qui a lancé AI Factory for Health ?", "Microsoft et AstraZeneca"),
        ("place", "En avril 2019, Philips a ouvert à Suresnes un centre d'IA dédié à l'imagerie.",
         "Dans quelle ville Philips a-t-il ouvert son centre d'IA ?", "Suresnes"),
    ],
)
def test_the_span_of_the_asked_kind_is_found(kind, sentence, question, expected):
    assert short(kind, sentence, question) == expected


def test_no_short_answer_without_a_fact_of_the_asked_kind_or_a_kind():
    assert short("quantity", "La plateforme facilite l'accès aux données.", "Quel budget ?") is None
    assert short(None, "Le budget était de 9,7 M€.", "Que fait la plateforme ?") is None


def test_a_question_asking_for_several_names_gets_them_all():
    sentence = "Le cycle est co-organisé par le Health Data Hub, Prairie, MIAI Grenoble et 3IA Côte d'Azur."
    got = short("name", sentence, "Quels organismes co-organisent le cycle d'écoles ?")
    for name in ("Health Data Hub", "Prairie", "MIAI Grenoble"):
        assert name in got
