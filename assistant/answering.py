"""One question answered: its parts searched and gated one by one, the answered ones quoted concisely.

`Responder.answer` cleans the question, completes a follow-up with the
conversation, splits a compound question into its parts
(`assistant.parts`), gathers evidence for each part and lets the gate decide
each one. Answered parts get their concise answer units
(`assistant.select`), parts the reports do not answer are named; only when
no part is answered does the whole answer abstain. The short answer is the
exact figure, date or name of a part's best cited sentence
(`assistant.short`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from assistant.answer import ABSTENTION_TEXT, CitedAnswerBuilder, unanswered_part_text
from assistant.conversation import follow_up_focus, resolve
from assistant.coverage import content_terms, unmentioned_words
from assistant.engine import Engine
from assistant.evidence import Evidence, clean_question, evidence_for
from assistant.gate import AbstentionGate, GateDecision
from assistant.language import holds_answer_kind
from assistant.models import Answer, AnswerPart, ScoredPassage, ShortAnswer
from assistant.parts import QuestionPart, question_parts
from assistant.select import AnswerUnit, SentenceSelector
from assistant.short import short_answer
from index.lexical import analyze
from ingest.text import fold

# Most passages listed for a compound question (the evaluation reads them).
MAX_LISTED_PASSAGES = 20
# A sentence quoted for one part answers another when it holds the kind of fact that
# part asks for and at least this share of the part's own content words.
COVERING_SHARE = 0.6


@dataclass
class PartResult:
    """One part's evidence, the gate's decision and, when answered, its units."""

    part: QuestionPart
    evidence: Evidence
    decision: GateDecision
    units: list[AnswerUnit]

    @property
    def answered(self) -> bool:
        return self.decision.answerable and bool(self.units)


class Responder:
    """Builds the `Answer` of one question from one engine (one index version)."""

    def __init__(self, gate: AbstentionGate, selector: SentenceSelector, *, k: int,
                 rerank_depth: int, max_question_chars: int, mode: str) -> None:
        self.gate = gate
        self.selector = selector
        self.k = k
        self.rerank_depth = rerank_depth
        self.max_question_chars = max_question_chars
        self.mode = mode

    def answer(
        self,
        engine: Engine,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> tuple[Answer, list[ScoredPassage], list[PartResult]]:
        """The answer, the passages it was drawn from (best first) and each part's result."""
        started = time.perf_counter()
        text, notes = clean_question(question, self.max_question_chars)
        resolved = resolve(text, history)
        parts = question_parts(text)  # the user's own words: a completed follow-up is not two questions
        first = QuestionPart(parts[0].text, resolve(parts[0].text, history),
                             follow_up_focus(parts[0].text, history))
        if len(parts) == 1:
            parts = [QuestionPart(resolved, resolved, first.focus)]
        else:
            parts = [first, *(QuestionPart(p.text, p.searched.replace(parts[0].text, first.searched), p.focus)
                              for p in parts[1:])]
        results = [self._part(engine, part, documents, k or self.k) for part in parts]

        answer = Answer(question=question, text=ABSTENTION_TEXT, abstained=True, mode=self.mode,
                        notes=list(notes), resolved_question=resolved, index_version=engine.version)
        answered = [r for r in results if r.answered]
        answer.confidence = self._confidence(min((r.decision.probability for r in answered),
                                                 default=max(r.decision.probability for r in results)))
        passages = _merged_passages(results, k or self.k)
        if not answered:
            for result in results:
                answer.notes += [n for n in result.decision.reasons if n not in answer.notes]
            answer.see_also = passages[:3]
            answer.parts = [AnswerPart(r.part.text, False, unanswered_part_text(r.part.text),
                                       confidence=self._confidence(r.decision.probability)) for r in results]
        else:
            self._compose(answer, engine, results)
        answer.timings = {**results[0].evidence.timings, "total": time.perf_counter() - started}
        return answer, passages, results

    def _confidence(self, probability: float) -> float:
        """The « confiance » shown for a gate probability (see `AbstentionGate.confidence`)."""
        return round(self.gate.confidence(probability), 4)

    def _part(self, engine: Engine, part: QuestionPart, documents: Collection[str] | None,
              k: int) -> PartResult:
        evidence = evidence_for(engine, self.gate, part, documents=documents, k=k,
                                rerank_depth=self.rerank_depth)
        decision = self.gate.decide(evidence.features)
        units: list[AnswerUnit] = []
        if decision.answerable and evidence.sentences:
            stats = engine.scorer.stats
            asked = part.focus or evidence.searched
            units = self.selector.choose(
                evidence.sentences, evidence.passages, evidence.profile, asked,
                content_terms(evidence.searched), stats.analyze,
            )
            kind = evidence.profile.answer_kind
            if kind and not any(holds_answer_kind(kind, u.sentence.text, evidence.searched) for u in units):
                # « Qui… ? » answered without a name, « Combien… ? » without a figure: not an answer.
                units = []
                decision.reasons.append("aucun chiffre, date ou nom du type demandé dans le meilleur passage")
        return PartResult(part, evidence, decision, units)

    def _compose(self, answer: Answer, engine: Engine, results: list[PartResult]) -> None:
        builder = CitedAnswerBuilder()
        pieces: list[str] = []
        written_by: dict[int, AnswerPart] = {}
        repeated: set[int] = set()  # parts whose sentences an earlier part already quoted
        quoted: dict[tuple[str, int], AnswerPart] = {}  # (chunk id, sentence start) → part quoting it
        taken: set[str] = set()  # short answers already given to earlier parts
        for result in results:  # parts answered by their own evidence first, to number citations
            if not result.answered:
                continue
            keys = [(_passage_of(result, u).chunk_id, u.sentence.start) for u in result.units]
            quoted_units = [(u, _passage_of(result, u)) for u in result.units]
            if all(key in quoted for key in keys):  # the same sentences answer an earlier part
                short = self._short(result, quoted_units, builder, taken)
                earlier = quoted[keys[0]]
                written_by[id(result)] = AnswerPart(result.part.text, True, earlier.text, earlier.citations,
                                                    self._confidence(result.decision.probability), short)
                repeated.add(id(result))
                continue
            written = builder.add_part(result.evidence.passages,
                                       [u for u, key in zip(result.units, keys) if key not in quoted])
            short = self._short(result, quoted_units, builder, taken)  # numbered after add_part
            written_part = AnswerPart(result.part.text, True, written.text, written.numbers,
                                      self._confidence(result.decision.probability), short)
            written_by[id(result)] = written_part
            quoted.update((key, written_part) for key in keys if key not in quoted)
        for result in results:
            part = result.part
            if id(result) in written_by:
                answer.parts.append(written_by[id(result)])
                if id(result) not in repeated:
                    pieces.append(written_by[id(result)].text)
                    self._note_unmentioned(answer, engine, result)
                continue
            cover = self._covering(result, [r for r in results if id(r) in written_by])
            if cover is not None:  # a sentence quoted for another part answers this one too
                other, unit = cover
                covered = written_by[id(other)]
                short = self._short(result, [(unit, _passage_of(other, unit))], builder, taken)
                answer.parts.append(AnswerPart(part.text, True, covered.text, covered.citations,
                                               covered.confidence, short))
                continue
            text = unanswered_part_text(part.text)
            pieces.append(text)
            answer.parts.append(AnswerPart(part.text, False, text,
                                           confidence=self._confidence(result.decision.probability)))
        answer.short = next((p.short for p in answer.parts if p.short), None)
        answer.text = " ".join(pieces)
        answer.citations = builder.citations()
        answer.abstained = False

    @staticmethod
    def _covering(result: PartResult, answered: list[PartResult]) -> tuple[PartResult, AnswerUnit] | None:
        """An answered part and its unit whose sentence also answers `result`'s part: it holds
        the kind of fact the part asks for and most content words of the part's own question."""
        kind = result.evidence.profile.answer_kind
        own = content_terms(result.part.focus or result.part.text)
        for other in answered:
            if other is result:
                continue
            for unit in other.units:
                text = unit.sentence.text
                if kind is not None and not holds_answer_kind(kind, text, result.part.text):
                    continue
                if own and len(own & set(analyze(text))) < COVERING_SHARE * len(own):
                    continue
                return other, unit
        return None

    def _note_unmentioned(self, answer: Answer, engine: Engine, result: PartResult) -> None:
        """The « les passages cités ne mentionnent pas … » note for one answered part."""
        if result.evidence.profile.language == "en":
            return
        passages = result.evidence.passages
        cited = [passages[u.sentence.passage_index].text for u in result.units]
        words = unmentioned_words(engine.scorer.stats, result.evidence.searched, cited)
        answer.notes += [n for n in _unmentioned_note(words) if n not in answer.notes]

    @staticmethod
    def _short(result: PartResult, quoted: list[tuple[AnswerUnit, ScoredPassage]],
               builder: CitedAnswerBuilder, taken: set[str]) -> ShortAnswer | None:
        """The exact span answering the part in one of its cited sentences (each unit with
        the passage it is quoted from, best first), if the part asks for one: the first
        sentence holding a fact of the asked kind and unit (« 16 heures » for « combien
        d'heures »), else the first holding one of the asked kind. Spans in `taken` answer
        earlier parts."""
        kind = result.evidence.profile.answer_kind
        if kind is None:
            return None
        asked = result.part.focus or result.part.text
        terms = [fold(w) for w in re.findall(r"\w+", asked)]  # the part's own words
        for fitting_only in (True, False):
            for unit, passage in quoted:
                span = short_answer(kind, unit.sentence.text, asked, terms, exclude=taken,
                                    fitting_only=fitting_only)
                if span is not None:
                    taken.add(span.text)
                    return ShortAnswer(span.text, builder.number_of(passage))
        return None


def _passage_of(result: PartResult, unit: AnswerUnit) -> ScoredPassage:
    return result.evidence.passages[unit.sentence.passage_index]


def _merged_passages(results: list[PartResult], k: int) -> list[ScoredPassage]:
    """Each part's passages interleaved by rank, without repeats (one part: its own list)."""
    if len(results) == 1:
        return results[0].evidence.passages[:k]
    merged: list[ScoredPassage] = []
    seen: set[str] = set()
    depth = max(len(r.evidence.passages) for r in results)
    for rank in range(depth):
        for result in results:
            if rank < len(result.evidence.passages):
                passage = result.evidence.passages[rank]
                if passage.chunk_id not in seen:
                    seen.add(passage.chunk_id)
                    merged.append(passage)
    return merged[:MAX_LISTED_PASSAGES]


def _unmentioned_note(words: list[str]) -> list[str]:
    """A French note naming the question's words the cited passages never use."""
    if not words:
        return []
    quoted = ", ".join(f"« {w} »" for w in words)
    return [f"Les passages cités ne mentionnent pas {quoted} : vérifiez qu'ils répondent bien à la question."]
