"""The support judge against hand-labelled pairs it had no part in building.

`eval/datasets/judge_gold_pairs.jsonl`: passages copied from the corpus,
claims and labels written by hand. The lexical thresholds are tuned on the
dev split; the held-out test split must keep the judge above floors on the
Wilson lower bounds of its precision, recall and specificity.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace

import pytest

from assistant.settings import BUNDLED_CORPUS
from eval.build_judge_pairs import HANDWRITTEN
from eval.judge import THRESHOLDS
from eval.validate_judge import GOLD_PAIRS, load_pairs, split_pairs, tune_lexical, validate_judge

PAIRS = load_pairs(GOLD_PAIRS)
HARD_KINDS = {"paraphrase", "changed_number", "swapped_entity", "negation", "reversed_relation"}
# Floors on the test split's Wilson 95 % lower bounds, set on 2026-12-01 one pair under
# the measured figures (precision 31/52, recall 31/39, specificity 33/54): a regression
# guard, not a target. The lexical judge cannot tell a reversed relation or swapped
# roles from a paraphrase, hence the low precision.
TEST_PRECISION_FLOOR = 0.44
TEST_RECALL_FLOOR = 0.61
TEST_SPECIFICITY_FLOOR = 0.45


def plain(text: str) -> str:
    """Corpus text as the pairs quote it: footnote calls and Markdown emphasis dropped, spaces collapsed.
    (Written here on purpose: nothing of eval.matching, the judge's own normaliser.)"""
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = re.sub(r"\s?[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", text)
    return " ".join(text.replace("*", "").split())


def test_the_set_is_large_balanced_and_holds_the_hard_kinds():
    assert len(PAIRS) >= 150
    assert len({p["id"] for p in PAIRS}) == len(PAIRS)
    assert len({(p["passage_id"], p["claim"]) for p in PAIRS}) == len(PAIRS)
    for split in ("dev", "test"):
        labels = Counter(p["supported"] for p in split_pairs(PAIRS, split))
        assert labels[True] >= 30 and labels[False] >= 30, (split, labels)
        kinds = Counter(p["kind"] for p in split_pairs(PAIRS, split))
        assert all(kinds[kind] >= 5 for kind in HARD_KINDS), (split, kinds)


def test_passages_are_split_whole_between_dev_and_test():
    split_of: dict[str, set[str]] = {}
    for pair in PAIRS:
        split_of.setdefault(pair["passage_id"], set()).add(pair["split"])
    assert all(len(splits) == 1 for splits in split_of.values())


def test_every_passage_is_text_of_its_corpus_document():
    documents = {path.stem: plain(path.read_text(encoding="utf-8")) for path in BUNDLED_CORPUS.glob("*.txt")}
    for pair in PAIRS:
        assert pair["passage"] in documents[pair["doc_id"]], pair["id"]


def test_no_passage_is_one_the_generated_pairs_were_built_on():
    anchors = [json.loads(line)["sentence"] for line in HANDWRITTEN.read_text(encoding="utf-8").splitlines()]
    for pair in PAIRS:
        assert not [a for a in anchors if plain(a)[:60] in pair["passage"]], pair["id"]


def test_the_committed_thresholds_are_the_best_on_dev():
    tuned = tune_lexical(split_pairs(PAIRS, "dev"))
    assert (tuned.min_coverage, tuned.max_uncovered_run) == (THRESHOLDS.min_coverage, THRESHOLDS.max_uncovered_run)


def test_tuning_moves_the_thresholds_when_the_dev_pairs_call_for_it():
    """The tuner is not a constant: on dev pairs where only verbatim copies are
    supported, it allows no uncovered word at all."""
    strict = [p if p["kind"] == "verbatim" or not p["supported"] else {**p, "supported": False}
              for p in split_pairs(PAIRS, "dev")]
    assert tune_lexical(strict).max_uncovered_run == 0 < THRESHOLDS.max_uncovered_run


def test_the_judge_holds_its_floors_on_the_held_out_test_pairs():
    result = validate_judge(split_pairs(PAIRS, "test"))
    low = result.lower_bounds()
    assert low["precision"] >= TEST_PRECISION_FLOOR, result.table("test")
    assert low["recall"] >= TEST_RECALL_FLOOR, result.table("test")
    assert low["specificity"] >= TEST_SPECIFICITY_FLOOR, result.table("test")
    assert result.per_kind["verbatim"] == 1.0


def test_a_judge_that_accepts_everything_fails_the_floors():
    lenient = replace(THRESHOLDS, min_coverage=0.0, max_uncovered_run=99)
    result = validate_judge(split_pairs(PAIRS, "test"), thresholds=lenient)
    assert result.lower_bounds()["specificity"] < TEST_SPECIFICITY_FLOOR


@pytest.mark.slow
def test_the_e5_similarity_does_not_lower_the_test_floors(e5_sim):
    result = validate_judge(split_pairs(PAIRS, "test"), similarity=e5_sim)
    low = result.lower_bounds()
    assert low["precision"] >= TEST_PRECISION_FLOOR and low["specificity"] >= TEST_SPECIFICITY_FLOOR, \
        result.table("test, e5")
