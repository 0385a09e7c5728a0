"""The Python API: `Assistant.load()`, `.ask()`, `.retrieve()`, `.stream()`.

An `Assistant` holds one immutable `_Engine` (index snapshot + retriever +
sentence scorer) and swaps it when the index on disk gets a new build id, so a
question is always answered from a single index version, even while another
process re-indexes the corpus.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from assistant.answer import ABSTENTION_TEXT, compose_answer, select_sentences
from assistant.conversation import follow_up_focus, resolve
from assistant.coverage import constraint_ablation, coverage_signals, unmentioned_words
from assistant.gate import AbstentionGate, GateFeatures, compute_features
from assistant.generate import GenerativeAnswerer, renumber
from assistant.language import QuestionProfile, is_printable_question
from assistant.models import Answer, ScoredPassage
from assistant.rerank import ScoredSentence, SentenceScorer, TermStats, rerank_passages
from assistant.retrieve import HybridRetriever
from assistant.settings import Settings
from index.embedder import Embedder, load_embedder
from index.lexical import analyze
from index.store import IndexSnapshot, current_build_id, has_index, open_index, update_index

log = logging.getLogger(__name__)

RERANK_DEPTH = 6  # passages whose sentences are scored (each costs ~7 short embeddings)
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


class QuestionError(ValueError):
    """A question that cannot be asked (empty, no words…); the message is French."""


@dataclass(frozen=True)
class _Engine:
    """Everything needed to answer from one index version."""

    snapshot: IndexSnapshot
    retriever: HybridRetriever
    scorer: SentenceScorer

    @property
    def version(self) -> str:
        return self.snapshot.version


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


class Assistant:
    """Answers questions over an indexed corpus with cited sentences, or abstains."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        *,
        llm: BaseChatModel | None = None,
        mode: str | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.mode = mode or settings.mode
        if self.mode == "generative" and llm is None:
            raise ValueError(
                "Le mode génératif demande un modèle de chat LangChain : "
                "Assistant.load(mode='generative', llm=...)."
            )
        self.generator = GenerativeAnswerer(llm) if llm is not None else None
        self.gate = AbstentionGate()
        self._engine: _Engine | None = None
        self._lock = threading.Lock()
        self._reloading = threading.Lock()
        self._failed_version: str | None = None

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(
        cls,
        corpus: str | Path | None = None,
        index: str | Path | None = None,
        mode: str | None = None,
        llm: BaseChatModel | None = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        build_if_missing: bool = True,
        show_progress: bool = False,
    ) -> "Assistant":
        """Open the index, building it from the corpus if there is none yet.

        A damaged index, or one built with another model, raises
        `IndexUnavailable` with the command that rebuilds it.
        """
        overrides = {}
        if corpus is not None:
            overrides["corpus_dir"] = Path(corpus)
        if index is not None:
            overrides["index_dir"] = Path(index)
        settings = (settings or Settings()).model_copy(update=overrides)
        embedder = embedder or load_embedder(
            settings.embedding_model, settings.embedding_backend, settings.cache_dir
        )
        bot = cls(settings, embedder, llm=llm, mode=mode)
        if build_if_missing and not has_index(settings.index_dir):
            log.warning("no index in %s: building it from %s", settings.index_dir, settings.corpus_dir)
            bot.rebuild(show_progress=show_progress)
        else:
            # A damaged index, or one built with another model, is never answered
            # from nor silently replaced: IndexUnavailable says how to rebuild.
            bot._engine = bot._open()
        return bot

    def _open(self) -> _Engine:
        snapshot = open_index(self.settings.index_dir, expected_model_id=self.embedder.model_id)
        retriever = HybridRetriever(
            snapshot, self.embedder, candidates=self.settings.candidates, rrf_k=self.settings.rrf_k
        )
        labels = {f"{c.doc_id} {c.title} {c.section_path}" for c in snapshot.chunks}
        stats = TermStats([chunk.text for chunk in snapshot.chunks], analyze, sorted(labels))
        return _Engine(snapshot, retriever, SentenceScorer(self.embedder, stats))

    def rebuild(self, *, full: bool = False, show_progress: bool = False, on_progress=None):
        """Update the index from the corpus (incrementally unless `full`)."""
        report = update_index(
            self.settings.index_dir,
            self.settings.corpus_dir,
            self.embedder,
            self.settings.chunking,
            rebuild=full,
            on_progress=on_progress,
            show_progress=show_progress,
            max_file_mb=self.settings.max_file_mb,
            max_pdf_pages=self.settings.max_pdf_pages,
            max_seconds_per_document=self.settings.max_seconds_per_document,
        )
        with self._lock:
            self._engine = self._open()
        return report

    def _current(self) -> _Engine:
        """The engine for the newest index on disk.

        When a new build appears, one background thread loads it while every
        question keeps being answered from the engine it already has, so a
        re-index never stalls the threads asking questions.
        """
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._open()
                return self._engine
        latest = current_build_id(self.settings.index_dir)
        if latest is not None and latest not in (engine.version, self._failed_version):
            if self._reloading.acquire(blocking=False):
                threading.Thread(target=self._reload, args=(latest,), daemon=True).start()
        return engine

    def _reload(self, version: str) -> None:
        """Load a new index version in the background and swap it in."""
        try:
            engine = self._open()
            with self._lock:
                self._engine = engine
        except Exception as error:  # a damaged new build: keep answering from the old one
            log.warning("new index version %s not loaded, keeping %s: %s",
                        version, self._engine.version if self._engine else None, error)
            self._failed_version = version
        finally:
            self._reloading.release()

    # ---------------------------------------------------------------- questions
    @property
    def snapshot(self) -> IndexSnapshot:
        return self._current().snapshot

    def retrieve(
        self, question: str, k: int = 10, documents: Collection[str] | None = None
    ) -> list[ScoredPassage]:
        """Top-`k` passages after hybrid fusion and the sentence-level rerank."""
        text, _ = clean_question(question, self.settings.max_question_chars)
        passages, *_ = self._search(self._current(), text, max(k, RERANK_DEPTH), documents)
        return passages[:k]

    def ask(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> Answer:
        """Answer a question with cited sentences, or abstain."""
        answer, _ = self.ask_with_passages(question, history, documents, k)
        return answer

    def ask_with_passages(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> tuple[Answer, list[ScoredPassage]]:
        """`ask`, also returning the ranked passages (used by the evaluation)."""
        started = time.perf_counter()
        evidence = self.gather_evidence(question, history, documents, k)
        decision = self.gate.decide(evidence.features)
        answer = Answer(
            question=question,
            text=ABSTENTION_TEXT,
            abstained=True,
            mode=self.mode,
            confidence=round(decision.probability, 4),
            notes=list(evidence.notes),
            resolved_question=evidence.resolved,
            index_version=evidence.version,
        )
        passages, sentences = evidence.passages, evidence.sentences
        if not decision.answerable or not sentences:
            answer.notes += decision.reasons
            answer.see_also = passages[:3]
        else:
            chosen = select_sentences(sentences, evidence.profile, self.settings.max_answer_sentences)
            draft = compose_answer(passages, chosen)
            answer.text, answer.citations, answer.abstained = draft.text, draft.citations, False
            if evidence.profile.language != "en":
                cited = [c.passage for c in answer.citations]
                stats = self._current().scorer.stats
                answer.notes += _unmentioned_note(unmentioned_words(stats, evidence.searched, cited))
            if self.mode == "generative" and self.generator is not None:
                self._try_generative(answer, evidence.resolved, passages[: evidence.k])
        answer.timings = {**evidence.timings, "total": time.perf_counter() - started}
        return answer, passages[: evidence.k]

    def gather_evidence(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> "Evidence":
        """Retrieve, rerank and compute the gate's features for a question."""
        text, notes = clean_question(question, self.settings.max_question_chars)
        resolved = resolve(text, history)
        engine = self._current()
        k = k or self.settings.top_k
        passages, sentences, result = self._search(
            engine, resolved, max(k, RERANK_DEPTH), documents, focus=follow_up_focus(text, history)
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
            best_vector = engine.scorer.vector(best.text)
            ablation = constraint_ablation(
                stats,
                searched,
                best.text,
                best_vector,
                result.query_vector,
                engine.scorer.embedder.embed_queries,
            )
            centroid = self.gate.question_centroid(self.embedder.model_id)
            if centroid is not None and centroid.shape == best_vector.shape:
                specificity = best.cosine - float(centroid @ best_vector)
        result.timings["ablation"] = time.perf_counter() - started
        features = compute_features(
            dense_scores=result.dense_scores,
            best_sentence_cosine=best.cosine if best else 0.0,
            best_sentence_overlap=best.overlap if best else 0.0,
            passage_overlap=max(
                (stats.weighted_overlap(query_terms, set(analyze(p.text))) for p in passages[:3]),
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
            notes=notes,
            version=engine.version,
            k=k,
            profile=result.profile,
            passages=passages,
            sentences=sentences,
            features=features,
            timings=result.timings,
        )

    def _try_generative(self, answer: Answer, question: str, passages: list[ScoredPassage]) -> None:
        """Replace the extractive text by the model's if it passes the guards."""
        assert self.generator is not None
        try:
            generated, guard = self.generator.generate(question, passages)
        except Exception as error:  # the model server may be down: keep the extractive answer
            log.warning("generative mode failed, extractive answer kept: %s", error)
            answer.notes.append(f"Modèle génératif indisponible ({type(error).__name__}) : réponse extractive.")
            answer.mode = "extractive"
            return
        if not guard.ok:
            log.warning("generated answer rejected by the guards: %s", "; ".join(guard.problems))
            answer.notes.append("Réponse générée rejetée par les garde-fous : réponse extractive.")
            answer.notes += guard.problems
            answer.mode = "extractive"
            return
        answer.text, answer.citations = renumber(generated, passages)

    def as_retriever(self, k: int = 5, documents: list[str] | None = None):
        """A LangChain retriever over this assistant's hybrid retrieval."""
        from assistant.retriever import AssistantRetriever

        return AssistantRetriever(assistant=self, k=k, documents=documents)

    def stream(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> "StreamingAnswer":
        """Iterate over text pieces of the answer; `.answer` holds the result after."""
        return StreamingAnswer(self, question, history, documents, k)

    def _search(self, engine: _Engine, question: str, depth: int, documents, focus: str | None = None):
        result = engine.retriever.retrieve(question, k=depth, documents=documents)
        started = time.perf_counter()
        sentences = engine.scorer.score(
            result.searched, result.query_vector, result.profile, result.passages[:RERANK_DEPTH], focus
        )
        passages, sentences = rerank_passages(result.passages, sentences)
        result.timings["rerank"] = time.perf_counter() - started
        return passages, sentences, result


def _unmentioned_note(words: list[str]) -> list[str]:
    """A French note naming the question's words the cited passages never use."""
    if not words:
        return []
    quoted = ", ".join(f"« {w} »" for w in words)
    return [f"Les passages cités ne mentionnent pas {quoted} : vérifiez qu'ils répondent bien à la question."]


class StreamingAnswer:
    """Iterable of answer text pieces; `answer` is set once iteration ends.

    The guards of the generative mode need the whole generated text, so the
    answer is checked first and then streamed sentence by sentence.
    """

    def __init__(self, bot: Assistant, question, history, documents, k) -> None:
        self._bot = bot
        self._args = (question, history, documents, k)
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = self._bot.ask(*self._args)
        pieces = re.split(r"(?<=\])\s+", self.answer.text)
        for index, piece in enumerate(pieces):
            yield piece if index == len(pieces) - 1 else piece + " "
