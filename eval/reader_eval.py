"""Measure the sentence reader as a re-ranker of the current pipeline's candidate sentences on the gold set.

    python -m eval.reader_eval [--index DIR] [--artefacts DIR] [--write-groups FILE --groups-split dev]

For each answerable gold question, `Assistant.gather_evidence` gives the
scored candidate sentences (best first). A sentence is *on point* when it
holds a gold evidence quote, lies inside one (a sentence of a multi-sentence
quote), or holds the reference answer's key facts (see `on_point`).
sentence@1 of the current order (its first sentence) is compared with the
reader's top-1 among the first 8 and 12 candidates, per split (dev, test)
and for English questions apart; the oracle columns give the share of
questions with any on-point sentence among those candidates (the ceiling).
Also measured: the reader's load time (fresh interpreter) and its latency
on 8 and 12 candidates (median / p95 over 50 questions, each scored once).

`--write-groups` writes the labelled candidates of one split as reader
training groups (`index.reader.data.Group` JSON lines), for a second
training round on the gold dev split (never the test split).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.dataset import GoldQuestion, load_questions
from eval.matching import match_words, passage_holds_quote
from eval.metrics import key_fact_recall, key_facts
from index.reader.data import Group, write_groups

DEPTHS = (8, 12)
MIN_INSIDE_WORDS = 6  # a sentence this long found inside a quote is part of the evidence
KEY_FACT_SHARE = 0.75


def on_point(sentence: str, question: GoldQuestion) -> bool:
    """The sentence bears on the question.

    True when it holds an evidence quote (`passage_holds_quote`), or is a
    sentence of one (at least six words, found inside a quote), or — when the
    reference answer has number or name facts — holds at least 75 % of the
    reference's key facts (`key_fact_recall`).
    """
    for evidence in question.evidence:
        if passage_holds_quote(sentence, evidence.quote):
            return True
        if len(match_words(sentence)) >= MIN_INSIDE_WORDS and passage_holds_quote(evidence.quote, sentence):
            return True
    facts = key_facts(question.reference_answer)
    if facts.numbers or facts.names:
        recall = key_fact_recall(sentence, question.reference_answer)
        return recall is not None and recall >= KEY_FACT_SHARE
    return False


@dataclass
class Row:
    """One question's candidates, labels and reader scores."""

    question: GoldQuestion
    candidates: list[str]
    labels: list[bool]
    scores: dict[int, np.ndarray] | None = None  # depth -> scores of the first `depth` candidates


def gather(bot: Any, questions: Sequence[GoldQuestion], depth: int = max(DEPTHS)) -> list[Row]:
    """The first `depth` candidate sentences of the current pipeline for each question."""
    rows = []
    for q in questions:
        evidence = bot.gather_evidence(q.question, history=list(q.history))
        candidates = [s.text for s in evidence.sentences[:depth]]
        rows.append(Row(q, candidates, [on_point(c, q) for c in candidates]))
    return rows


def sentence_at_1(rows: Sequence[Row], depth: int | None) -> dict[str, float | int | None]:
    """Current order's, the reader's (among the first `depth`) and the oracle's sentence@1."""
    current, reader, oracle = [], [], []
    for row in rows:
        labels = row.labels[:depth] if depth else row.labels
        current.append(bool(labels and labels[0]))
        oracle.append(any(labels))
        if row.scores is not None and labels:
            scores = row.scores[depth or max(DEPTHS)]
            reader.append(bool(labels[int(np.argmax(scores))]))
    return {
        "n": len(rows),
        "current": _share(current),
        "reader": _share(reader) if reader else None,
        "oracle": _share(oracle),
    }


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def table(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Table lines per split × language × depth."""
    out = []
    for split in ("dev", "test"):
        for language in ("fr", "en", "all"):
            subset = [
                r for r in rows
                if r.question.split == split and (language == "all" or r.question.language == language)
            ]
            if not subset:
                continue
            for depth in DEPTHS:
                out.append({"split": split, "language": language, "depth": depth, **sentence_at_1(subset, depth)})
    return out


def print_table(lines: Sequence[dict[str, Any]], title: str) -> None:
    """The sentence@1 table in Markdown."""
    print(f"\n{title}\n")
    print("| split | questions | candidates | n | current order | reader top-1 | oracle (any on point) |")
    print("|---|---|---|---|---|---|---|")
    for line in lines:
        print(
            f"| {line['split']} | {line['language']} | top {line['depth']} | {line['n']} "
            f"| {line['current']} | {line['reader']} | {line['oracle']} |"
        )


def latency(reader: Any, rows: Sequence[Row], count: int = 50) -> dict[str, float]:
    """Median and p95 milliseconds to score the first 8 and 12 candidates, each question once per depth."""
    out: dict[str, float] = {}
    usable = [r for r in rows if len(r.candidates) >= max(DEPTHS)][:count]
    for depth in DEPTHS:
        times = []
        for row in usable:
            started = time.perf_counter()
            reader.score(row.question.question, row.candidates[:depth])
            times.append((time.perf_counter() - started) * 1000)
        out[f"p50_ms_{depth}"] = round(statistics.median(times), 1)
        out[f"p95_ms_{depth}"] = round(float(np.percentile(times, 95)), 1)
    out["questions"] = len(usable)
    return out


def load_seconds(artefacts: Path | None) -> dict[str, float | bool]:
    """Import + `load_reader` time in a fresh interpreter (ONNX already cached), and whether torch was imported."""
    code = (
        "import sys, time\n"
        "started = time.perf_counter()\n"
        "from index.reader.model import load_reader\n"
        "reader = load_reader(artefact_dir=sys.argv[1] or None)\n"
        "print(time.perf_counter() - started, 'torch' in sys.modules, reader is not None)\n"
    )
    argument = str(artefacts) if artefacts is not None else ""
    done = subprocess.run([sys.executable, "-c", code, argument], capture_output=True, text=True, check=True)
    seconds, torch_loaded, loaded = done.stdout.split()[-3:]
    return {"seconds": round(float(seconds), 2), "torch_imported": torch_loaded == "True", "loaded": loaded == "True"}


def to_groups(rows: Sequence[Row]) -> list[Group]:
    """Labelled candidates as reader training groups."""
    return [
        Group(
            qid=r.question.id,
            question=r.question.question,
            article=r.question.documents[0] if r.question.documents else "",
            sentences=list(r.candidates),
            labels=[int(x) for x in r.labels],
            kinds=["cand"] * len(r.candidates),
        )
        for r in rows
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: print the gold-set table, latency and load time (and optionally write training groups)."""
    from assistant.api import Assistant
    from index.reader.model import load_reader

    parser = argparse.ArgumentParser(prog="python -m eval.reader_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None, help="index à interroger (défaut : réglages)")
    parser.add_argument("--artefacts", type=Path, default=None, help="dossier de l'adaptateur du lecteur")
    parser.add_argument("--json", type=Path, default=None, help="écrire les chiffres dans ce fichier JSON")
    parser.add_argument("--write-groups", type=Path, default=None, help="écrire les candidats étiquetés (JSONL)")
    parser.add_argument("--groups-split", default="dev", choices=("dev",), help="split écrit (jamais test)")
    parser.add_argument("--no-reader", action="store_true", help="seulement l'ordre actuel")
    parser.add_argument("--update-card", action="store_true", help="ajouter les chiffres à la fiche du modèle")
    args = parser.parse_args(argv)

    bot = Assistant.load(index=args.index)
    questions = [q for q in load_questions("gold") if q.answerable]
    rows = gather(bot, questions)
    if args.write_groups is not None:
        write_groups(to_groups([r for r in rows if r.question.split == args.groups_split]), args.write_groups)
    result: dict[str, Any] = {}
    reader = None if args.no_reader else load_reader(bot.settings.cache_dir, args.artefacts)
    if reader is not None:
        for row in rows:  # one batch per depth, as the assistant would score them
            row.scores = {d: reader.score(row.question.question, row.candidates[:d]) for d in DEPTHS}
        result["latency"] = latency(reader, rows)
        result["load"] = load_seconds(args.artefacts)
    result["table"] = table(rows)
    print_table(result["table"], "sentence@1 on gold answerable questions (current pipeline's candidates)")
    for key in ("latency", "load"):
        if key in result:
            print(f"\n{key}: {json.dumps(result[key])}")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.update_card and reader is not None:
        from index.reader.model import ARTEFACT_DIR, read_card
        from index.reader.train import write_card

        artefacts = args.artefacts or ARTEFACT_DIR
        record = read_card(artefacts)
        if record is not None:
            record["gold_eval"] = result
            write_card(artefacts, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
