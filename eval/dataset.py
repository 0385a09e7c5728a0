"""Question sets of the evaluation suite (`eval/datasets/<name>.jsonl`)."""

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
)


@dataclass(frozen=True)
class Evidence:
    document: str
    quote: str


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

    @classmethod
    def from_dict(cls, data: dict) -> "GoldQuestion":
        return cls(
            id=data["id"],
            question=data["question"],
            reference_answer=data.get("reference_answer", ""),
            documents=tuple(data.get("documents", [])),
            evidence=tuple(Evidence(e["document"], e["quote"]) for e in data.get("evidence", [])),
            type=data["type"],
            answerable=bool(data["answerable"]),
            language=data.get("language", "fr"),
            history=tuple(data.get("history", [])),
            split=data.get("split", "test"),
            notes=data.get("notes", ""),
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
