"""Question sets of the evaluation suite (`eval/datasets/<name>.jsonl`).

One JSON object per line with the keys `id`, `question`, `reference_answer`,
`short_answer`, `documents`, `evidence`, `parts`, `type`, `answerable`,
`language`, `history`, `split` and `notes` (`tests/eval/test_gold_set.py`
checks the exact key set of the gold set). Older files without
`short_answer` or `parts` still load (both default to empty).

* `short_answer`: for a question that asks for a figure, amount, share, date,
  duration, name or place, the span(s) that answer it, each copied verbatim
  from one of the question's evidence quotes (« 9,7 M€ », « mars 2018 »,
  « Yann Le Cun »; one span per asked value, several for a list of names).
  A number keeps its unit or counted noun when it is needed to read it
  (« 36 requêtes », « 8 modules », « 78% »). Spans carry no Markdown or
  footnote markup, so they read the same in the raw file and in the cleaned
  text the assistant quotes. Empty for every other question.
* `parts`: for a `compound` question (« Combien … et quel … ? »,
  « d'une part … d'autre part … », two question marks…), one entry per part,
  each a standalone question with its own `answerable`, `reference_answer`,
  `evidence` and `short_answer`; an unanswerable part has no evidence and an
  empty reference. The compound question is answerable when at least one
  part is; its evidence is the union of its parts' evidence, its
  `short_answer` the concatenation of its parts', and its reference answer
  covers the answerable parts and names the others (« Les rapports ne
  précisent pas … »). Empty for every other question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
QUESTION_TYPES = (
    "factual",
    "definition",
    "list",
    "multi_passage",
    "paraphrase",
    "english",
    "follow_up",
    "unanswerable",
    "compound",
)


@dataclass(frozen=True)
class Evidence:
    document: str
    quote: str


@dataclass(frozen=True)
class QuestionPart:
    """One part of a compound question, as a standalone question."""

    question: str
    answerable: bool
    reference_answer: str = ""
    evidence: tuple[Evidence, ...] = ()
    short_answer: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> "QuestionPart":
        return cls(
            question=data["question"],
            answerable=bool(data["answerable"]),
            reference_answer=data.get("reference_answer", ""),
            evidence=_evidence(data.get("evidence", [])),
            short_answer=tuple(data.get("short_answer", [])),
        )


def _evidence(items: list[dict]) -> tuple[Evidence, ...]:
    return tuple(Evidence(e["document"], e["quote"]) for e in items)


@dataclass(frozen=True)
class GoldQuestion:
    """One gold question: what is asked, what answers it, where that is."""

    id: str
    question: str
    reference_answer: str
    documents: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    type: str
    answerable: bool
    language: str = "fr"
    history: tuple[dict, ...] = field(default_factory=tuple)
    split: str = "test"
    notes: str = ""
    short_answer: tuple[str, ...] = ()
    parts: tuple[QuestionPart, ...] = ()

    @property
    def is_compound(self) -> bool:
        return bool(self.parts)

    @property
    def asks_short_fact(self) -> bool:
        """The question asks for a figure, date, name, place… (`short_answer` is set)."""
        return bool(self.short_answer)

    @classmethod
    def from_dict(cls, data: dict) -> "GoldQuestion":
        return cls(
            id=data["id"],
            question=data["question"],
            reference_answer=data.get("reference_answer", ""),
            documents=tuple(data.get("documents", [])),
            evidence=_evidence(data.get("evidence", [])),
            type=data["type"],
            answerable=bool(data["answerable"]),
            language=data.get("language", "fr"),
            history=tuple(data.get("history", [])),
            split=data.get("split", "test"),
            notes=data.get("notes", ""),
            short_answer=tuple(data.get("short_answer", [])),
            parts=tuple(QuestionPart.from_dict(p) for p in data.get("parts", [])),
        )


def dataset_path(name: str) -> Path:
    path = Path(name)
    if path.suffix == ".jsonl" and path.exists():
        return path
    return DATASETS_DIR / f"{name}.jsonl"


def load_questions(name: str = "gold", split: str = "all") -> list[GoldQuestion]:
    """The questions of a set, optionally only its `dev` or `test` split."""
    path = dataset_path(name)
    if not path.exists():
        available = sorted(p.stem for p in DATASETS_DIR.glob("*.jsonl"))
        raise FileNotFoundError(f"No question set {name!r} ({path}); available: {available}")
    questions = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                questions.append(GoldQuestion.from_dict(json.loads(line)))
    if split != "all":
        questions = [q for q in questions if q.split == split]
    return questions
