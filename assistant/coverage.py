"""Does the evidence cover what the question asks about? Lexical checks for the gate.

An unanswerable question about the reports' own topics usually shares most of
its words with some passage and differs by one constraint: another year, a
country or company the passage never names, a « salaire » where the passage
speaks of « data scientists », a « montant » where the passage gives no
figure. These checks look for such a constraint left uncovered:

- `content_terms`: the question's analysed terms minus question words
  (« combien », « quel »), words about the reports themselves (« rapport »,
  « selon ») and inverted verb forms (« prévoit-il »);
- `uncovered_terms`: content terms the corpus knows but a text lacks;
- `answer_kind_missing`: the question asks for a quantity (« combien »,
  « quel montant »), a date (« quand ») or a name (« Qui… ? », « Quelle
  entreprise… ? ») and the answer sentence holds none;
- numbers and years of the question missing from the best sentence (half
  weight) or also from the passages of the three best sentences (full
  weight: « entre 2020 et 2024 » may need two passages);
- the question's rarest indexed term missing from the answer passage
  (« capitale de l'Australie » answered from a « rendez-vous capital »);
- `constraint_ablation`: how much the answer sentence's cosine to the
  question RISES when a question term the sentence lacks is dropped from the
  question. A sentence that matches the question better without
  « cardiologie » is about something else (radiology); a sentence that says
  the same thing in other words loses similarity instead.

`coverage_signals` computes the lexical signals; `constraint_ablation` needs
the embedder and is computed beside it.

English questions over French reports share almost no terms with them, so
these counts mean nothing for them; the gate neutralises them (see gate.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.language import QuestionProfile, holds_answer_kind
from assistant.models import ScoredPassage
from assistant.rerank import ScoredSentence, TermStats, numbers_missing
from index.lexical import analyze

# Terms worth an ablation query (IDF; rarer than ~5 % of the chunks), at most
# this many per question (each costs one query embedding).
ABLATION_TERM_IDF = 3.0
MAX_ABLATED_TERMS = 3

# Words that say what is asked or where, never what about.
_FRAMING_WORDS = (
    "combien quel quelle quels quelles quand comment pourquoi lequel laquelle lesquels "
    "pourcentage proportion nombre chiffre montant "
    "lesquelles où quoi selon d'après rapport rapports étude études auteur auteurs "
    "document documents texte article page cite citer évoque évoquer mentionne "
    "mentionner indique indiquer précise préciser explique expliquer décrit décrire "
    "what which who whom when where why how many much according report reports study "
    "say says said mention mentions mentioned describe describes"
)
FRAMING_TERMS = frozenset(analyze(_FRAMING_WORDS))
# « prévoit-il », « détenait-elle », « appelle-t-on »: the verb alone is kept too.
_INVERTED_VERB = re.compile(r"-(?:t-)?(?:il|elle|on|ils|elles)$")

def content_terms(question: str) -> set[str]:
    """The analysed terms that say what the question is about."""
    return {
        term
        for term in analyze(question)
        if term not in FRAMING_TERMS and not _INVERTED_VERB.search(term)
    }


def uncovered_terms(stats: TermStats, terms: Iterable[str], evidence_text: str) -> list[str]:
    """Terms the corpus knows that the evidence text does not hold."""
    held = set(analyze(evidence_text))
    return sorted(t for t in terms if stats.df.get(t) and t not in held)


def answer_kind_missing(profile: QuestionProfile, question: str, sentence: str) -> bool:
    """The question asks for a quantity, a date or a name and the sentence holds none."""
    return not holds_answer_kind(profile.answer_kind, sentence, question)


@dataclass(frozen=True)
class CoverageSignals:
    """How well the answer sentence and its passage cover the question."""

    missing_numbers: float  # 0, 0.5 (only in the top passages) or 1 (nowhere in them)
    rare_term_missing: bool
    answer_kind_missing: bool
    unknown_names: tuple[str, ...]


def passage_text(passage: ScoredPassage) -> str:
    """What a passage says, including its title and section (« selon la DGE »)."""
    return f"{passage.title}\n{passage.section}\n{passage.text}"


def coverage_signals(
    stats: TermStats,
    question: str,
    profile: QuestionProfile,
    passages: Sequence[ScoredPassage],
    sentences: Sequence[ScoredSentence],
) -> CoverageSignals:
    """Coverage of `question` by its best sentences (best first) and their passages."""
    names = tuple(stats.unknown(profile.names))
    if not sentences:
        return CoverageSignals(float(bool(profile.numbers)), False, False, names)
    best = sentences[0]
    evidence = passage_text(passages[best.passage_index])
    if not numbers_missing(profile, [best.text]):
        missing_numbers = 0.0
    else:
        top = {s.passage_index for s in sentences[:3]}
        missing_numbers = 1.0 if numbers_missing(profile, [passages[i].text for i in top]) else 0.5
    rarest = stats.rarest(set(analyze(question)))
    return CoverageSignals(
        missing_numbers=missing_numbers,
        rare_term_missing=rarest is not None and rarest not in stats.terms_of(evidence),
        answer_kind_missing=answer_kind_missing(profile, question, best.text),
        unknown_names=names,
    )


def without_term(question: str, term: str) -> str:
    """The question with every word that analyses to `term` removed."""
    words = re.findall(r"\S+", question)
    return " ".join(w for w in words if term not in analyze(w))


def constraint_ablation(
    stats: TermStats,
    question: str,
    sentence: str,
    sentence_vector: np.ndarray,
    query_vector: np.ndarray,
    embed_queries: Callable[[list[str]], np.ndarray],
) -> float:
    """Largest cosine gain of the sentence when one question term it lacks is dropped.

    Only rare content terms are tried (the `MAX_ABLATED_TERMS` of highest IDF).
    0 when every such term is in the sentence.
    """
    lacking = uncovered_terms(stats, content_terms(question), sentence)
    lacking = sorted(
        (t for t in lacking if stats.idf(t) >= ABLATION_TERM_IDF), key=stats.idf, reverse=True
    )[:MAX_ABLATED_TERMS]
    variants = [v for v in (without_term(question, t) for t in lacking) if v.strip()]
    if not variants:
        return 0.0
    gains = embed_queries(variants) @ sentence_vector - float(query_vector @ sentence_vector)
    return max(0.0, float(np.max(gains)))


def unmentioned_words(stats: TermStats, question: str, texts: Sequence[str]) -> list[str]:
    """Distinctive words of the question that none of the texts contains.

    Shown under an answer so the reader sees at once when the cited passages
    speak of « radiologie » while the question asked about « cardiologie ».
    Only rare words (IDF ≥ `ABLATION_TERM_IDF`) count: « santé » or « IA »
    missing from a quote says nothing.
    """
    held = frozenset().union(*(stats.terms_of(text) for text in texts))
    lacking = {
        t for t in content_terms(question) if t not in held and stats.idf(t) >= ABLATION_TERM_IDF
    }
    words = []
    for word in re.findall(r"[^\W\d_][\w'’-]*", question):
        if lacking & set(analyze(word)) and word not in words:
            words.append(word.split("'")[-1].split("’")[-1])
    return words
