"""Evaluation metrics: pure functions over plain data, and their aggregation.

Per question, the evaluation computes retrieval, citation, faithfulness,
key-fact, abstention and latency figures; `aggregate` then averages them per
question type with a 95 % interval (`eval.intervals`: Wilson for 0/1
outcomes, BCa bootstrap for means).

Conventions
-----------
* A retrieved or cited passage *holds* an evidence quote per
  `eval.matching.passage_holds_quote`.
* Retrieval relevance is **novel-quote relevance** (`relevance_labels`): the
  passage at rank i is relevant when it holds at least one evidence quote that
  no higher-ranked passage holds. Chunk overlap and the near-duplicate DGE
  files make several passages hold the same quote; counting each copy would
  reward retrieving duplicates and make the ideal ranking depend on the whole
  index. With novel-quote relevance the number of relevant items is the number
  of distinct evidence quotes, known from the gold set alone. hit@k and MRR
  are unaffected (the first passage holding any quote is always novel).
* nDCG@10 uses binary gains, DCG = Σ rel_i / log2(i + 1) over ranks 1..10,
  and the ideal DCG of min(n_relevant, 10) relevant items at the top.
* A metric that is undefined for a question (no evidence quotes, no
  citations, no sentences) is `None`; `aggregate` skips `None` values.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from eval.intervals import BOOTSTRAP_SEED, interval
from eval.matching import (
    content_stems,
    extract_names,
    extract_numbers,
    name_in,
    passage_holds_quote,
    quotes_held,
    stem_in,
    tokenize,
)
from index.reader.metrics import expected_calibration_error, reliability_bins

K_VALUES = (1, 3, 5, 10)


# --------------------------------------------------------------------------
# Retrieval
# --------------------------------------------------------------------------


def relevance_labels(retrieved_texts: Sequence[str], quotes: Sequence[str]) -> list[bool]:
    """Novel-quote relevance of a ranked list of passages (see module docstring)."""
    covered: set[int] = set()
    labels: list[bool] = []
    for text in retrieved_texts:
        held = quotes_held(text, quotes)
        labels.append(bool(held - covered))
        covered |= held
    return labels


def retrieval_metrics(relevance: Sequence[bool], n_relevant: int) -> dict[str, float]:
    """hit@1/3/5/10, mrr@10 and ndcg@10 of one ranked list.

    `relevance[i]` tells whether the passage at rank i+1 is relevant (use
    `relevance_labels`); `n_relevant` is how many relevant items exist (the
    number of distinct evidence quotes). Raises `ValueError` when
    `n_relevant < 1` (retrieval is undefined for unanswerable questions) or
    when the top 10 hold more relevant items than `n_relevant`.
    """
    if n_relevant < 1:
        raise ValueError("retrieval metrics need at least one relevant item")
    top = [bool(flag) for flag in relevance[:10]]
    if sum(top) > n_relevant:
        raise ValueError(
            f"{sum(top)} relevant items in the top 10 but n_relevant={n_relevant}: "
            "label passages with relevance_labels() (novel-quote relevance)"
        )
    metrics = {f"hit@{k}": float(any(top[:k])) for k in K_VALUES}
    first = next((rank for rank, flag in enumerate(top, start=1) if flag), None)
    metrics["mrr@10"] = 1.0 / first if first else 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, flag in enumerate(top, start=1) if flag)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_relevant, 10) + 1))
    metrics["ndcg@10"] = dcg / ideal
    return metrics


# --------------------------------------------------------------------------
# Citations and faithfulness
# --------------------------------------------------------------------------


def citation_metrics(
    cited_passages: Sequence[str],
    quotes: Sequence[str],
    supported: Sequence[bool] | None = None,
) -> dict[str, float | None]:
    """Citation precision and recall for one answer.

    precision: share of cited passages that hold an evidence quote, or whose
    citing sentence the judge deems supported by them (`supported[i]`, e.g.
    from `eval.judge.citation_support`); None without citations.
    recall: share of the question's evidence quotes held by at least one cited
    passage (each quote counts, so multi-passage questions need every piece);
    None when the question has no evidence quotes.
    """
    if supported is not None and len(supported) != len(cited_passages):
        raise ValueError("supported must have one flag per cited passage")
    held = [quotes_held(passage, quotes) for passage in cited_passages]
    precision: float | None = None
    if cited_passages:
        good = [
            bool(held[i]) or bool(supported is not None and supported[i])
            for i in range(len(cited_passages))
        ]
        precision = sum(good) / len(good)
    recall: float | None = None
    if quotes:
        covered = set().union(*held) if held else set()
        recall = len(covered) / len(quotes)
    return {"citation_precision": precision, "citation_recall": recall}


def faithfulness(supported: Sequence[bool]) -> float | None:
    """Share of answer sentences the judge deems supported by the passage they cite.

    Takes `[j.supported for j in eval.judge.judge_answer(answer)]`; None for an
    answer with no sentence to judge (an abstention).
    """
    flags = list(supported)
    return sum(map(bool, flags)) / len(flags) if flags else None


# --------------------------------------------------------------------------
# Key facts
# --------------------------------------------------------------------------

_MARKER = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class KeyFacts:
    """What a reference answer asserts: numbers, names and content stems."""

    numbers: tuple[str, ...]
    names: tuple[str, ...]
    words: tuple[str, ...]


def key_facts(reference: str) -> KeyFacts:
    """Numbers (canonical), names/acronyms (folded) and content stems of a reference answer.

    Content stems that merely repeat a name (`France` → `franc`) are left to
    the name so a fact is not counted twice.
    """
    reference = _MARKER.sub(" ", reference)
    names = tuple(dict.fromkeys(n for n in extract_names(reference) if len(n) > 1))
    name_stems = {t.stem for t in tokenize(" ".join(names))}
    words = tuple(dict.fromkeys(s for s in content_stems(reference) if s not in name_stems))
    return KeyFacts(tuple(dict.fromkeys(extract_numbers(reference))), names, words)


def key_fact_recall(answer_text: str, reference: str) -> float | None:
    """Share of the reference answer's key facts found in the answer text.

    Weighting: every number and every name is one fact that must appear
    (names may appear inflected: `Chine` ~ `chinois`); the content words
    together count as one more fact, worth the share of reference content
    stems present in the answer. So with 2 numbers, 1 name and content words
    60 % covered, an answer holding both numbers but not the name scores
    (2 + 0 + 0.6) / 4 = 0.65. `[n]` markers are ignored. None when the
    reference has no facts at all.
    """
    facts = key_facts(reference)
    answer_text = _MARKER.sub(" ", answer_text)
    tokens = tokenize(answer_text)
    answer_numbers = set(extract_numbers(answer_text))
    answer_folds = {t.fold for t in tokens}
    answer_stems = {t.stem for t in tokens if t.is_content}

    found = sum(number in answer_numbers for number in facts.numbers)
    found += sum(name_in(name, answer_folds) for name in facts.names)
    total = len(facts.numbers) + len(facts.names)
    if facts.words:
        found += sum(stem_in(word, answer_stems) for word in facts.words) / len(facts.words)
        total += 1
    return found / total if total else None


# --------------------------------------------------------------------------
# Answer shape: concise, on point, the short fact, every part
# --------------------------------------------------------------------------

# An answer sentence shorter than this many words is only judged by the key facts it holds.
MIN_QUOTED_WORDS = 5


def sentence_bears_on_question(sentence: str, quotes: Sequence[str], reference: str) -> bool:
    """Does an answer sentence hold gold evidence or a key fact of the reference answer?

    It does when it holds an evidence quote, when a quote holds it (a
    sentence of at least `MIN_QUOTED_WORDS` words), or when it states one of
    the reference's numbers or names.
    """
    sentence = _MARKER.sub(" ", sentence)
    for quote in quotes:
        if passage_holds_quote(sentence, quote):
            return True
        if len(sentence.split()) >= MIN_QUOTED_WORDS and passage_holds_quote(quote, sentence):
            return True
    facts = key_facts(reference)
    numbers = set(extract_numbers(sentence))
    folds = {t.fold for t in tokenize(sentence)}
    return any(n in numbers for n in facts.numbers) or any(name_in(n, folds) for n in facts.names)


def sentence_precision(sentences: Sequence[str], quotes: Sequence[str], reference: str) -> float | None:
    """Share of an answer's sentences that bear on the question (see `sentence_bears_on_question`)."""
    if not sentences or not (quotes or reference):
        return None
    return sum(sentence_bears_on_question(s, quotes, reference) for s in sentences) / len(sentences)


def length_ratio(answer_text: str, reference: str) -> float | None:
    """Words of the answer (markers left out) per word of the reference answer."""
    reference_words = len(reference.split())
    if not reference_words:
        return None
    return len(_MARKER.sub(" ", answer_text).split()) / reference_words


def short_answer_match(short: str | None, gold: Sequence[str]) -> float | None:
    """Share of the gold short spans the short answer states exactly.

    A gold span with figures is stated when the short answer holds the same
    figures (canonical numbers: « 9,7 M€ » states « 9,7 M€ », « 260 000 » states
    « 260 000 personnes »); one without figures (a name, a place) when its
    words are all in the short answer (accents and case folded). None when
    the question asks for no short fact.
    """
    if not gold:
        return None
    if not short:
        return 0.0
    short_numbers = set(extract_numbers(short))
    short_words = {t.fold for t in tokenize(short)}
    stated = 0
    for span in gold:
        numbers = extract_numbers(span)
        if numbers:
            stated += set(numbers) <= short_numbers
        else:
            words = {t.fold for t in tokenize(span)}
            stated += bool(words) and words <= short_words
    return stated / len(gold)


def part_coverage(gold_answerable: Sequence[bool], answered: Sequence[bool]) -> float | None:
    """Share of a compound question's parts handled right: answered when the
    reports answer them, declined when they do not.

    `answered` lists the assistant's parts in order; when it found fewer parts
    than the gold, its last part stands for the remaining ones (a question
    answered whole answers or declines all of them at once).
    """
    if len(gold_answerable) < 2:
        return None
    if not answered:
        return 0.0
    right = 0
    for i, expected in enumerate(gold_answerable):
        got = answered[min(i, len(answered) - 1)]
        right += got == expected
    return right / len(gold_answerable)


# --------------------------------------------------------------------------
# Abstention and latency
# --------------------------------------------------------------------------


def abstention_metrics(
    abstained: Sequence[bool], answerable: Sequence[bool]
) -> dict[str, float | None]:
    """Abstention precision/recall w.r.t. unanswerable questions, and false abstentions.

    precision: share of abstentions that were on unanswerable questions;
    recall: share of unanswerable questions the assistant abstained on;
    false_abstention_rate: share of answerable questions it abstained on.
    Each is None when its denominator is zero.
    """
    if len(abstained) != len(answerable):
        raise ValueError("abstained and answerable must have the same length")
    pairs = [(bool(a), bool(b)) for a, b in zip(abstained, answerable)]
    right = sum(a and not b for a, b in pairs)
    n_abstained = sum(a for a, _ in pairs)
    n_unanswerable = sum(not b for _, b in pairs)
    n_answerable = len(pairs) - n_unanswerable
    wrong = sum(a and b for a, b in pairs)
    return {
        "abstention_precision": right / n_abstained if n_abstained else None,
        "abstention_recall": right / n_unanswerable if n_unanswerable else None,
        "false_abstention_rate": wrong / n_answerable if n_answerable else None,
    }


CALIBRATION_BINS = 10  # equal-width probability bins of the reliability diagram


def confidence_calibration(
    confidences: Sequence[float | None], answerable: Sequence[bool], bins: int = CALIBRATION_BINS
) -> dict[str, Any] | None:
    """How well the answers' « confiance » (the gate's probability that the reports
    answer the question) matches how often they do.

    Over the questions that carry a confidence (a neutral gate gives none):
    `bins` (the reliability diagram: each bin's mean confidence against the share
    of its questions that are answerable), `ece` (expected calibration error),
    `brier` (mean squared error of the probability) and `n`. None when no
    question carries one.
    """
    if len(confidences) != len(answerable):
        raise ValueError("confidences and answerable must have the same length")
    pairs = [(float(c), float(bool(a))) for c, a in zip(confidences, answerable) if _is_number(c)]
    if not pairs:
        return None
    probs, labels = np.array([p for p, _ in pairs]), np.array([y for _, y in pairs])
    return {
        "n": len(pairs),
        "ece": expected_calibration_error(probs, labels, bins),
        "brier": float(np.mean((probs - labels) ** 2)),
        "bins": [asdict(b) for b in reliability_bins(probs, labels, bins)],
    }


def latency_percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of per-question latencies (linear interpolation between ranks)."""
    data = np.asarray(list(seconds), dtype=float)
    if data.size == 0:
        raise ValueError("latency_percentiles needs at least one value")
    p50, p95 = np.percentile(data, [50, 95])
    return {"p50": float(p50), "p95": float(p95)}


# --------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not (isinstance(value, float) and math.isnan(value))
    )


def aggregate(
    per_question_rows: Iterable[Mapping[str, Any]],
    by: str = "type",
    *,
    metrics: Sequence[str] | None = None,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per-group means with 95 % intervals (`eval.intervals.interval`), plus an `all` group.

    Each row is one question's figures, e.g. `{"id": "q1", "type": "factual",
    "hit@5": 1.0, "faithfulness": 0.75, ...}`. Every numeric column (or those
    in `metrics`) is averaged per value of `row[by]`, skipping `None`/NaN, into
    `{"mean", "low", "high", "n", "method"}`. Booleans count as 0/1.
    """
    rows = list(per_question_rows)
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[str(row.get(by))].append(row)
        groups["all"].append(row)
    columns = list(metrics) if metrics is not None else sorted(
        {key for row in rows for key, value in row.items() if key != by and _is_number(value)}
    )
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for group in sorted(groups):
        summary: dict[str, dict[str, Any]] = {}
        for column in columns:
            values = [float(row[column]) for row in groups[group] if _is_number(row.get(column))]
            if not values:
                continue
            summary[column] = interval(values, seed=seed).as_dict()
        result[group] = summary
    return result
