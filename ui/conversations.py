"""The chat page's kept conversations: a SQLite file (stdlib `sqlite3`) in the user's data directory.

Two tables: `conversations` (id, title, created, updated) and `turns` (one
question and its whole answer, `Answer.to_dict()` as JSON, with the
document filter and `k` it was asked with). A reopened conversation is
rebuilt with `answer_from_dict`, so its answers show their citations as when
they were given, and it can go on (its turns are the follow-up history).
Every call opens its own short connection: Streamlit runs each session's
script in its own thread, and SQLite connections must not cross threads.
`to_markdown` and `to_json` export one conversation with its citations.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.models import Answer, answer_from_dict

TITLE_CHARS = 80  # a conversation is titled with the start of its first question
BUSY_TIMEOUT = 10.0  # seconds a write waits for another session's write
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    answer_id TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    documents TEXT,
    k INTEGER,
    asked TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
);
"""


@dataclass(frozen=True)
class ConversationSummary:
    """One kept conversation, as listed in the sidebar."""

    id: str
    title: str
    created: str
    updated: str
    turns: int


@dataclass
class Turn:
    """One question and its answer in a kept conversation."""

    answer_id: str
    question: str
    answer: Answer
    documents: list[str] | None
    k: int | None
    asked: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def conversation_title(question: str) -> str:
    """The start of the first question, on one line."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


class ConversationStore:
    """Conversations kept in one SQLite file (created with its folder on first write)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)) as connection:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.executescript(SCHEMA)
            with connection:  # one transaction: committed, or rolled back on error
                yield connection

    def create(self, first_question: str) -> str:
        """A new, empty conversation titled after its first question; its id."""
        conversation_id = uuid.uuid4().hex[:16]
        now = _now()
        with self._connect() as db:
            db.execute(
                "INSERT INTO conversations (id, title, created, updated) VALUES (?, ?, ?, ?)",
                (conversation_id, conversation_title(first_question), now, now),
            )
        return conversation_id

    def add_turn(
        self,
        conversation_id: str,
        question: str,
        answer: Answer,
        *,
        answer_id: str,
        documents: list[str] | None = None,
        k: int | None = None,
    ) -> None:
        """Append one question and its answer to a conversation."""
        now = _now()
        with self._connect() as db:
            (position,) = db.execute(
                "SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
            db.execute(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id, position, answer_id, question,
                    json.dumps(answer.to_dict(), ensure_ascii=False),
                    json.dumps(documents) if documents else None, k, now,
                ),
            )
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))

    def conversations(self) -> list[ConversationSummary]:
        """Every kept conversation, the most recently updated first."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.created, c.updated, COUNT(t.position) FROM conversations c "
                "LEFT JOIN turns t ON t.conversation_id = c.id GROUP BY c.id "
                "ORDER BY c.updated DESC, c.created DESC"
            ).fetchall()
        return [ConversationSummary(*row) for row in rows]

    def title(self, conversation_id: str) -> str:
        with self._connect() as db:
            row = db.execute("SELECT title FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return row[0] if row else ""

    def turns(self, conversation_id: str) -> list[Turn]:
        """The turns of a conversation, in order (empty for an unknown id)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT answer_id, question, answer, documents, k, asked FROM turns "
                "WHERE conversation_id = ? ORDER BY position", (conversation_id,),
            ).fetchall()
        return [
            Turn(answer_id, question, answer_from_dict(json.loads(answer)),
                 json.loads(documents) if documents else None, k, asked)
            for answer_id, question, answer, documents, k, asked in rows
        ]

    def delete(self, conversation_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def clear(self) -> int:
        """Delete every conversation; how many there were."""
        if not self.path.exists():
            return 0
        with self._connect() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM conversations").fetchone()
            db.execute("DELETE FROM turns")
            db.execute("DELETE FROM conversations")
        return int(count)


# ------------------------------------------------------------------ exports


def to_markdown(title: str, turns: list[Turn]) -> str:
    """The conversation as Markdown: each question, its answer, then its numbered sources."""
    lines = [f"# {title}", ""]
    for turn in turns:
        answer = turn.answer
        lines += [f"## {turn.question}", "", answer.text, ""]
        lines += [f"> Note : {note}" for note in answer.notes]
        if answer.notes:
            lines.append("")
        if answer.citations:
            lines += ["Sources :", ""]
            for c in answer.citations:
                where = f"{c.title} — {c.section}" + (f" — p. {c.page}" if c.page else "")
                lines.append(f"{c.number}. {where} : « {c.quote} »")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_json(title: str, turns: list[Turn]) -> str:
    """The conversation as JSON: title and turns, each with its whole answer and citations."""
    data: dict[str, Any] = {
        "title": title,
        "turns": [
            {
                "question": t.question, "asked": t.asked, "documents": t.documents, "k": t.k,
                "answer": t.answer.to_dict(),
            }
            for t in turns
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
