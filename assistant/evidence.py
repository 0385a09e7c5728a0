"""What retrieval finds for one question, before the gate decides: passages, sentences, features.

`search` runs hybrid retrieval, scores the sentences of the top passages and
reranks the passages by their best sentence. `gather_evidence` adds the
abstention gate's features (coverage checks, constraint ablation, sentence
specificity); the facade (`assistant.api`) turns evidence into an answer.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from assistant.conversation import follow_up_focus, resolve
from assistant.coverage import constraint_ablation, coverage_signals
from assistant.engine import Engine
from assistant.errors import QuestionError
from assistant.gate import AbstentionGate, GateFeatures, compute_features
from assistant.language import QuestionProfile, answer_kind, is_printable_question, wants_list
from assistant.parts import QuestionPart
from assistant.models import ScoredPassage
from assistant.rerank import ScoredSentence, rerank_passages
from assistant.retrieve import RetrievalResult
from index.lexical import analyze

# Characters a question must not carry into searches and answers: controls,
# zero-width and bidirectional formatting characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Evidence:
    """What retrieval found for one question, before the gate decides."""

    resolved: str
    searched: str  # `resolved` without a phrase naming an indexed document
    notes: list[str]
    version: str
    k: int
    profile: QuestionProfile
    passages: list[ScoredPassage]
    sentences: list[ScoredSentence]
    features: GateFeatures
    timings: dict[str, float]


def clean_question(question: str, max_chars: int) -> tuple[str, list[str]]:
    """Normalise a question; raise `QuestionError` when nothing can be asked."""
    if not isinstance(question, str):
        raise QuestionError("La question doit être un texte.")
    notes = []
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", question))
    text = " ".join(text.split())
    if not text:
        raise QuestionError("La question est vide : écrivez une question sur les rapports.")
    if not is_printable_question(text):
        raise QuestionError("La question ne contient ni mot ni chiffre : reformulez-la.")
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0]
        notes.append(
            f"Question tronquée à {len(text)} caractères (sur {len(question)}) pour la recherche."
        )
    return text, notes


def search(
    engine: Engine,
    question: str,
    depth: int,
    rerank_depth: int,
    documents: Collection[str] | None = None,
    focus: str | None = None,
    kind_text: str | None = None,
) -> tuple[list[ScoredPassage], list[ScoredSentence], RetrievalResult]:
    """Top-`depth` passages reranked by the best of their sentences (the first `rerank_depth` scored).

    `kind_text`, when given, is what the kind of answer asked is read from.
    """
    result = engine.retriever.retrieve(question, k=depth, documents=documents)
    if kind_text:
        result.profile = replace(result.profile, answer_kind=answer_kind(kind_text),
                                 wants_list=wants_list(kind_text))
    started = time.perf_counter()
    sentences = engine.scorer.score(
        result.searched, result.query_vector, result.profile, result.passages[:rerank_depth], focus
    )
    if engine.reader is not None:
        sentences = engine.reader.run(result.searched, sentences)
    passages, sentences = rerank_passages(result.passages, sentences)
    result.timings["rerank"] = time.perf_counter() - started
    return passages, sentences, result


def gather_evidence(
    engine: Engine,
    gate: AbstentionGate,
    question: str,
    *,
    history: Sequence[object] | None,
    documents: Collection[str] | None,
    k: int,
    rerank_depth: int,
    max_question_chars: int,
) -> Evidence:
    """Clean and resolve a question, then retrieve, rerank and compute the gate's features."""
    text, notes = clean_question(question, max_question_chars)
    part = QuestionPart(text, resolve(text, history), follow_up_focus(text, history))
    return evidence_for(engine, gate, part, documents=documents, k=k, rerank_depth=rerank_depth,
                        notes=notes)


def evidence_for(
    engine: Engine,
    gate: AbstentionGate,
    part: QuestionPart,
    *,
    documents: Collection[str] | None,
    k: int,
    rerank_depth: int,
    notes: Sequence[str] = (),
) -> Evidence:
    """Retrieve, rerank and compute the gate's features for one (cleaned, resolved) question part.

    The kind of answer asked (a figure, a date, a name…) is read from the
    part's own words (`part.focus`) when it was completed with another part.
    """
    resolved = part.searched
    passages, sentences, result = search(
        engine, resolved, max(k, rerank_depth), rerank_depth, documents, focus=part.focus,
        kind_text=part.focus,
    )
    stats = engine.scorer.stats
    # Lexical signals read the searched question: a phrase naming the
    # document (« selon la DGE ») is not something the answer must say.
    searched = result.searched
    query_terms = set(analyze(searched))
    best = sentences[0] if sentences else None
    coverage = coverage_signals(stats, searched, result.profile, passages, sentences)
    started = time.perf_counter()
    ablation, specificity = 0.0, math.nan
    if best is not None:
        best_vector = best.vector
        ablation = constraint_ablation(
            stats,
            searched,
            best.text,
            best_vector,
            result.query_vector,
            engine.embedder.embed_queries,
        )
        centroid = gate.question_centroid(engine.embedder.model_id)
        if centroid is not None and centroid.shape == best_vector.shape:
            specificity = best.cosine - float(centroid @ best_vector)
    result.timings["ablation"] = time.perf_counter() - started
    features = compute_features(
        dense_scores=result.dense_scores,
        best_sentence_cosine=best.cosine if best else 0.0,
        best_sentence_overlap=best.overlap if best else 0.0,
        passage_overlap=max(
            (stats.weighted_overlap(query_terms, stats.terms_of(p.text)) for p in passages[:3]),
            default=0.0,
        ),
        missing_numbers=coverage.missing_numbers,
        unknown_names=len(coverage.unknown_names),
        rare_term_missing=coverage.rare_term_missing,
        answer_kind_missing=coverage.answer_kind_missing,
        constraint_ablation=ablation,
        sentence_specificity=specificity,
        english=result.profile.language == "en",
    )
    return Evidence(
        resolved=resolved,
        searched=searched,
        notes=list(notes),
        version=engine.version,
        k=k,
        profile=result.profile,
        passages=passages,
        sentences=sentences,
        features=features,
        timings=result.timings,
    )
