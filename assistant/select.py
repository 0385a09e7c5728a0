"""Concise answers: which sentences to quote, and what each one needs around it.

The best sentence always answers. A runner-up joins only if it adds
something the answer does not have yet — a content word of the question not
yet covered, the kind of fact asked for (a figure, a date, a name) when the
answer still lacks it, or another item when the question asks for a list —
and only if its score stays close to the best one's (a runner-up holding the
asked kind of fact that the answer lacks may stand further below, provided a
figure counts what the question counts). Selection stops once every content
word is covered and the asked kind is there.

Each chosen sentence is an answer *unit*: a sentence that opens with a
pronoun (« Il », « Cette plateforme ») brings the sentence before it only
when that sentence holds a word of the question the pronoun's sentence
lacks (« Il sera important de dédier un budget (9,7 M€ pour le Health Data
Hub en 2020) » needs nothing); a sentence ending with a colon brings the
items it announces only when the question asks for a list, or when the items
hold the asked kind of fact and the sentence does not. A heading line is
never an answer sentence unless it holds the asked kind of fact; for a list
or overview question whose best evidence is a heading or an announcement,
the answer is the items that follow it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from assistant.language import QuestionProfile, holds_answer_kind
from assistant.models import ScoredPassage
from assistant.rerank import ScoredSentence
from assistant.short import short_answer
from ingest.sentences import split_sentences
from ingest.text import fold

# Openings that refer back (a pronoun or a demonstrative): the sentence before may be needed.
_REFERRING_OPENING = re.compile(
    r"^(il|elle|ils|elles|ce|cet|cette|ces|cela|ceci|ça|celui|celle|ceux|celles|"
    r"leur|leurs|son|sa|ses|lui|y|c['’]est|ceux-ci|celles-ci|celui-ci|celle-ci|"
    r"it|its|they|their|this|these|those)\b",
    re.IGNORECASE,
)
_BULLET = "-–•*✓"


@dataclass
class AnswerUnit:
    """A chosen sentence and the spans of its passage it is quoted with."""

    sentence: ScoredSentence
    spans: list[tuple[int, int]] = field(default_factory=list)  # offsets in the passage


@dataclass(frozen=True)
class SelectionConfig:
    """How concise an answer is (each value a named, commented knob)."""

    max_sentences: int = 4  # cited sentences at most, items of a list excluded
    single_fact_sentences: int = 3  # at most this many for a question that is not a list
    runner_up_ratio: float = 0.88  # a runner-up scores at least this share of the best sentence
    list_ratio: float = 0.8  # the same for list questions, which draw on more sentences
    # A runner-up holding the asked kind of fact (a figure, a date, a name) that the answer
    # still lacks may score this lower share of the best sentence.
    kind_ratio: float = 0.75
    max_items: int = 6  # items brought by an announcement or a heading
    max_item_chars: int = 700  # and no further than this many characters after it


def referring(sentence: str) -> bool:
    """True when a sentence opens with a pronoun or a demonstrative."""
    return bool(_REFERRING_OPENING.match(sentence.strip().lstrip(_BULLET).strip()))


def _near_duplicate(a: str, b: str) -> bool:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) > 0.8


class SentenceSelector:
    """Chooses the answer units of one question (see the module docstring)."""

    def __init__(self, config: SelectionConfig = SelectionConfig()) -> None:
        self.config = config

    def choose(
        self,
        sentences: Sequence[ScoredSentence],
        passages: Sequence[ScoredPassage],
        profile: QuestionProfile,
        question: str,
        content_terms: Collection[str],
        analyze: Callable[[str], Collection[str]],
    ) -> list[AnswerUnit]:
        """The answer units, best first; `content_terms` are the question's analysed content terms."""
        usable = [s for s in sentences if not s.heading or self._holds_kind(s.text, profile, question)]
        if not usable:
            return []
        best = usable[0]
        lead = self._lead(sentences, best, profile)
        if lead is not None:  # a list question answered by a heading's or an announcement's items
            unit = AnswerUnit(lead, [(lead.start, lead.end)])
            unit.spans = [self._items_after(passages[lead.passage_index], lead.end)]
            if unit.spans[0][1] > unit.spans[0][0]:
                return [unit]
        wants_list = profile.wants_list
        ratio = self.config.list_ratio if wants_list else self.config.runner_up_ratio
        limit = self.config.max_sentences if wants_list else self.config.single_fact_sentences
        terms = set(content_terms)
        chosen = [best]
        covered = set(analyze(best.text)) & terms
        kind_held = self._holds_kind(best.text, profile, question)
        for sentence in usable[1:]:
            if len(chosen) >= limit or sentence.score < best.score * min(ratio, self.config.kind_ratio):
                break
            if not wants_list and covered >= terms and kind_held:
                break  # everything asked is there
            if any(_near_duplicate(sentence.text, c.text) for c in chosen):
                continue
            brings_kind = not kind_held and self._holds_kind(sentence.text, profile, question)
            if sentence.score < best.score * ratio and not (brings_kind and _fits(sentence.text, profile, question)):
                continue  # below the runner-up bar, and not the asked fact the answer lacks
            new_terms = (set(analyze(sentence.text)) & terms) - covered
            if not (new_terms or brings_kind or wants_list):
                continue
            chosen.append(sentence)
            covered |= new_terms
            kind_held = kind_held or brings_kind
        return [self._unit(s, passages[s.passage_index], profile, question, terms, analyze) for s in chosen]

    # ----------------------------------------------------------------- units

    def _unit(self, sentence: ScoredSentence, passage: ScoredPassage, profile: QuestionProfile,
              question: str, terms: set[str], analyze: Callable[[str], Collection[str]]) -> AnswerUnit:
        start, end = sentence.start, sentence.end
        if referring(sentence.text):
            previous = _previous_sentence(passage.text, start)
            if previous is not None:
                own = set(analyze(sentence.text)) & terms
                before = set(analyze(passage.text[previous[0] : previous[1]])) & terms
                if before - own:  # the sentence before names what the question is about
                    start = previous[0]
        if passage.text[sentence.start : sentence.end].rstrip().endswith(":"):
            items = self._items_after(passage, sentence.end)
            items_text = passage.text[items[0] : items[1]]
            needed = profile.wants_list or (
                not self._holds_kind(sentence.text, profile, question)
                and self._holds_kind(items_text, profile, question)
            )
            if needed and items[1] > items[0]:
                end = items[1]
        return AnswerUnit(sentence, [(start, end)])

    def _items_after(self, passage: ScoredPassage, end: int) -> tuple[int, int]:
        """The span of the items that follow offset `end` (up to the next announcement or heading)."""
        new_end, items = end, 0
        for item_start, item_end in split_sentences(passage.text[end:]):
            item = passage.text[end + item_start : end + item_end]
            if (items == self.config.max_items or item_end > self.config.max_item_chars
                    or item.rstrip().endswith(":")):
                break  # enough, too long, or the next announcement
            new_end = end + item_end
            items += _has_words(item)
        first = end
        while first < new_end and passage.text[first].isspace():
            first += 1
        return first, new_end

    def _lead(self, sentences: Sequence[ScoredSentence], best: ScoredSentence,
              profile: QuestionProfile) -> ScoredSentence | None:
        """For a list question, the heading or announcement that leads the best evidence."""
        if not profile.wants_list or not sentences:
            return None
        top = sentences[0]
        if top.heading or top.text.rstrip().endswith(":"):
            return top
        return None

    @staticmethod
    def _holds_kind(text: str, profile: QuestionProfile, question: str) -> bool:
        return profile.answer_kind is not None and holds_answer_kind(profile.answer_kind, text, question)


def _fits(text: str, profile: QuestionProfile, question: str) -> bool:
    """True unless a quantity is asked and the sentence's figures count something else than
    what the question counts (« 2 janvier », « Quatorze entretiens » for « combien de radiologues »)."""
    if profile.answer_kind != "quantity":
        return True
    terms = [fold(w) for w in re.findall(r"\w+", question)]
    return short_answer("quantity", text, question, terms, fitting_only=True) is not None


def _previous_sentence(text: str, start: int) -> tuple[int, int] | None:
    previous = [span for span in split_sentences(text[:start]) if span[1] <= start]
    return previous[-1] if previous else None


def _has_words(text: str) -> bool:
    """False for list numbers and bullets alone (« 1. », « - »)."""
    return bool(re.search(r"[^\W\d_]{2}", text))
