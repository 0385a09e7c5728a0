"""What one index update did, and how long each stage took."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.models import Skipped

# load: finding, hashing and reading the files (and opening the previous version);
# clean: the cleaner on the loaded text; chunk: chunking and duplicate links;
# embed / sentences: passage / sentence vectors; lexical: the word index; write: publishing.
STAGES = ("load", "clean", "chunk", "embed", "sentences", "lexical", "write")


class StageTimer:
    """Accumulates seconds per stage (`with timer.stage("embed"): ...`) and, for the stages
    whose callers say so, what they processed (`with timer.stage("clean", n_bytes): ...`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.amounts: dict[str, int] = {}

    @contextlib.contextmanager
    def stage(self, name: str, amount: int = 0) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
            if amount:
                self.amounts[name] = self.amounts.get(name, 0) + amount


@dataclass
class UpdateReport:
    """What one update of an index did (documents are named by their ids)."""

    build_id: str
    up_to_date: bool = False
    full_rebuild: bool = False
    rebuild_reason: str | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunk_count: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # What a stage processed, for the stages that count it: `clean` → UTF-8 bytes of loaded text.
    amounts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """A few French lines for the command line."""
        if self.up_to_date:
            head = f"index à jour (version {self.build_id}, {self.chunk_count} passages)"
        else:
            kind = "reconstruction complète" if self.full_rebuild else "mise à jour incrémentale"
            head = f"index mis à jour : {kind}, version {self.build_id}, {self.chunk_count} passages"
            if self.rebuild_reason:
                head += f" ({self.rebuild_reason})"
        lines = [head]
        if not self.up_to_date:
            lines.append(
                f"documents : {len(self.added)} ajouté(s), {len(self.changed)} modifié(s), "
                f"{len(self.removed)} retiré(s), {len(self.unchanged)} inchangé(s) ; "
                f"passages : {self.chunks_embedded} encodés, {self.chunks_reused} réutilisés"
            )
        lines += [f"ignoré {Path(s.path).name} : {s.french} ({s.reason})" for s in self.skipped]
        timing = ", ".join(f"{stage} {sec:.2f} s" for stage, sec in self.seconds.items())
        lines.append(f"temps : {timing}")
        return "\n".join(lines)
