"""User ratings of answers (👍/👎), kept in a local JSON Lines file.

One rating is one line, appended with a single `write` under a file lock and
synced to disk, so concurrent sessions never interleave or truncate lines. The
evaluation suite reads the file back with `read_feedback`. A user who changes
their rating appends a new line with the same `answer_id`; readers keep the
latest line per answer when they need one rating per answer.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from filelock import FileLock

from assistant.models import Answer

log = logging.getLogger(__name__)

RATINGS = {0: "down", 1: "up"}  # values of st.feedback("thumbs")
LOCK_TIMEOUT = 10.0


def feedback_record(
    answer: Answer,
    rating: int,
    *,
    answer_id: str = "",
    documents: list[str] | None = None,
    k: int | None = None,
) -> dict[str, Any]:
    """The JSON object stored for one rating of one answer.

    `rating` is the value of `st.feedback("thumbs")`: 1 for 👍, 0 for 👎.
    """
    if rating not in RATINGS:
        raise ValueError(f"rating must be 0 (👎) or 1 (👍), got {rating!r}")
    return {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "answer_id": answer_id,
        "rating": RATINGS[rating],
        "score": rating,
        "question": answer.question,
        "resolved_question": answer.resolved_question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "mode": answer.mode,
        "confidence": answer.confidence,
        "index_version": answer.index_version,
        "documents": list(documents) if documents else None,
        "k": k,
        "citations": [
            {
                "number": c.number,
                "doc_id": c.doc_id,
                "title": c.title,
                "section": c.section,
                "page": c.page,
                "quote": c.quote,
                "chunk_id": c.chunk_id,
            }
            for c in answer.citations
        ],
        "see_also": [
            {"doc_id": p.doc_id, "section": p.section, "page": p.page, "chunk_id": p.chunk_id}
            for p in answer.see_also
        ],
    }


def append_feedback(path: Path, record: dict[str, Any]) -> None:
    """Append one record as one line, under a lock, synced to disk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _repair_last_line(fd, path)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


def _repair_last_line(fd: int, path: Path) -> None:
    """If a crash left a line without its newline, end it so the next record stays readable."""
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as handle:
        handle.seek(size - 1)
        if handle.read(1) != b"\n":
            os.write(fd, b"\n")


def read_feedback(path: Path) -> list[dict[str, Any]]:
    """Every stored rating, oldest first; unreadable lines are skipped with a warning."""
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                log.warning("%s:%d: unreadable feedback line skipped", path, number)
                continue
            if isinstance(record, dict):
                records.append(record)
    return records


def latest_ratings(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per answer, the most recent rating, in file order (records without id all kept)."""
    seen: set[str] = set()
    kept = []
    for record in reversed(records):
        answer_id = record.get("answer_id")
        if answer_id:
            if answer_id in seen:
                continue
            seen.add(answer_id)
        kept.append(record)
    return kept[::-1]
