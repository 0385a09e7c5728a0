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
        # one figure for each thing counted in the question, verbatim when only « et » separates them
        ("quantity", "Début 2020, on dénombrait près de 100 startups et 18 multinationales en France.",
         "Combien de startups et de multinationales développaient des solutions d'IA ?",
         "près de 100 startups et 18 multinationales"),
        ("quantity", "La grille comporte 36 requêtes regroupées en 8 modules : (1) Finalité.",
         "Combien de requêtes et de modules comporte la grille ?", "36 requêtes, 8 modules"),
        # « un million » is a figure; the period an amount covers belongs to it
        ("quantity", "Il aura coûté jusqu'à 500 millions d'euros et concernait moins d'un million de patients.",
         "Combien de patients concernait-il ?", "moins d'un million de patients"),
        ("quantity", "SAP annonce vouloir investir 2 Md€ sur 5 ans en France.",
         "Combien SAP veut-il investir en France ?", "2 Md€ sur 5 ans"),
        # the question's own figure is not its answer
        ("quantity", "Parmi les 47 multinationales identifiées, 18 proposent des applications en santé.",
         "Parmi les 47 multinationales identifiées, combien proposent des applications en santé ?", "18"),
        # figures given « respectivement » are answered together
        ("quantity", "Le Japon a ouvert deux centres, avec des investissements respectifs de 57M€ et 157M€.",
         "Combien le Japon a-t-il investi dans ses centres ?", "57M€ et 157M€"),
        # names carry their particles, dots and English links; a list closed by « et » is one answer
        ("name", "PariSanté Campus, lancé par le Président de la République, est un projet ambitieux.",
         "Qui a lancé PariSanté Campus ?", "Président de la République"),
        ("name", "En 2018, SAP acquiert la startup française Recast.ai et veut investir 2 Md€ en France.",
         "Quelle startup française SAP a-t-il rachetée ?", "Recast.ai"),
        ("name", "Un master lancé en 2019 par l'EMLyon : Master in Health and Data Intelligence.",
         "Quel master l'EMLyon a-t-il lancé en 2019 ?", "Master in Health and Data Intelligence"),
        ("name", "Le rapport rédigé par Stéphanie Allassionnière, Jérôme Marchand-Arvier, Anne-Sophie Jannot "
                 "et Aymeril Hoang en a été une base.", "Qui a rédigé le rapport ?",
         "Stéphanie Allassionnière, Jérôme Marchand-Arvier, Anne-Sophie Jannot et Aymeril Hoang"),
        # a single word of the question stays in the name that holds it
        ("name", "Amazon Transcribe Medical : outil de retranscription automatique des paroles.",
         "Quel outil Amazon retranscrit les paroles ?", "Amazon Transcribe Medical"),
        # an opening word that names nothing, an elided article, a year or a unit are not names
        ("place", "L'Allemagne possède un centre de recherche de référence, le DFKI.",
         "Quel pays possède le DFKI ?", "Allemagne"),
        ("name", "En 2014, Dassault Systèmes acquière Accelrys pour environ 550 M€.",
         "Quelle société Dassault Systèmes a-t-il acquise en 2014 ?", "Accelrys"),
        ("name", "L'impact de chaque enjeu a été évalué par Christine Garnier.",
         "Qui a évalué l'impact de chaque enjeu ?", "Christine Garnier"),
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

def test_a_number_ending_a_name_is_not_a_figure():
    sentence = "Cette formation peut être validée par l'Université Paris 1 – Panthéon Sorbonne."
    assert short("quantity", sentence, "Combien d'heures de formation compte le DU ?") is None


def test_a_figure_of_another_unit_is_no_fitting_answer():
    sentence = "Google a ouvert à Paris un centre où 120 employés doivent s'installer."
    terms = [fold(w) for w in re.findall(r"\w+", "Combien de chercheurs y travaillent ?")]
    question = "Combien de chercheurs y travaillent ?"
    assert short_answer("quantity", sentence, question, terms).text == "120 employés"
    assert short_answer("quantity", sentence, question, terms, fitting_only=True) is None
