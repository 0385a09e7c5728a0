"""Background indexing jobs: uploads, deletions and rebuilds, one at a time per process.

A write request validates what it can at once (a bad file gets its 4xx
before anything is stored), then queues a `Job` and answers 202 with its id;
one worker thread runs the jobs in order, so two uploads to the same process
never race. Questions keep being answered from the published index version
while a job runs: the facade's `LiveIndex` swaps the new version in once it
is published.

When another process (a second replica, `assistant ingest`) holds the
index's build lock, the core raises `IndexBusy` after its own wait; the job
then waits `busy_wait_seconds` and tries again, up to `busy_retries` times,
saying so in its progress message. Every step is idempotent: a file already
stored is not stored twice, a deleted file is not deleted twice.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.api import Assistant
from assistant.errors import AssistantError, DocumentNotFound, IndexBusy
from ui.http.config import HttpConfig
from ui.http.errors import RETRY_AFTER_SECONDS, ServiceError, map_core_error, scrub
from ui.http.metrics import ServiceMetrics

log = logging.getLogger(__name__)

JobKind = Literal["upload", "delete", "rebuild"]
JobStatus = Literal["queued", "running", "succeeded", "failed"]


@dataclass
class Job:
    """One indexing job as `GET /v1/jobs/{id}` reports it."""

    id: str
    kind: JobKind
    target: str  # the file name, the document id, or "index"
    status: JobStatus = "queued"
    message: str = "En attente."
    passages_embedded: int = 0
    attempts: int = 0
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    index_version: str | None = None  # the version published by the job
    doc_id: str | None = None
    error_code: str | None = None
    details: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "target": self.target, "status": self.status,
            "message": self.message,
            "progress": {"passages_embedded": self.passages_embedded, "attempts": self.attempts},
            "created_at": self.created_at, "started_at": self.started_at,
            "finished_at": self.finished_at, "index_version": self.index_version,
            "doc_id": self.doc_id, "error_code": self.error_code, "details": list(self.details),
        }


class JobOutcome(Exception):
    """A job's failure already phrased for users (code, French message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class JobRunner:
    """Runs indexing jobs one after the other on a single background thread."""

    def __init__(self, bot: Assistant, config: HttpConfig, metrics: ServiceMetrics) -> None:
        self.bot = bot
        self.config = config
        self.metrics = metrics
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-job")
        self._sequence = itertools.count(1)

    # ---------------------------------------------------------------- public
    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def pending(self) -> int:
        """Jobs queued or running."""
        with self._lock:
            return sum(job.status in ("queued", "running") for job in self._jobs.values())

    def submit_upload(self, name: str, data: bytes, content_type: str, overwrite: bool) -> Job:
        job = self._new("upload", name)
        return self._submit(job, lambda: self._upload(job, name, data, content_type, overwrite))

    def submit_delete(self, doc_id: str) -> Job:
        job = self._new("delete", doc_id)
        job.doc_id = doc_id
        return self._submit(job, lambda: self._delete(job, doc_id))

    def submit_rebuild(self, full: bool) -> Job:
        job = self._new("rebuild", "index")
        return self._submit(job, lambda: self._rebuild(job, full))

    def shutdown(self) -> None:
        """Let the running job finish; drop the queued ones."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    # --------------------------------------------------------------- running
    def _new(self, kind: JobKind, target: str) -> Job:
        if self.pending() >= self.config.max_pending_jobs:  # each queued upload holds its bytes
            raise ServiceError(429, "too_many_jobs",
                               f"Trop de tâches d'indexation en attente ({self.config.max_pending_jobs}) : "
                               "réessayez dans un moment.", {"Retry-After": str(RETRY_AFTER_SECONDS)})
        job_id = f"job-{next(self._sequence):04d}-{secrets.token_hex(4)}"
        job = Job(job_id, kind, target)
        with self._lock:
            self._jobs[job_id] = job
            finished = [j for j in self._jobs.values() if j.status in ("succeeded", "failed")]
            for old in finished[: max(0, len(self._jobs) - self.config.jobs_kept)]:
                del self._jobs[old.id]
        return job

    def _submit(self, job: Job, work: Callable[[], None]) -> Job:
        self._executor.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[], None]) -> None:
        job.status, job.started_at, job.message = "running", time.time(), "Indexation en cours."
        self.metrics.jobs_running.inc()
        try:
            work()
            job.status = "succeeded"
        except JobOutcome as outcome:
            job.status, job.error_code, job.message = "failed", outcome.code, scrub(outcome.message)
        except AssistantError as error:
            _, code, message, _ = map_core_error(error)
            job.status, job.error_code, job.message = "failed", code, scrub(message)
        except Exception:  # never let a job kill the worker thread; the detail goes to the log
            log.exception("indexing job %s failed", job.id)
            job.status, job.error_code = "failed", "internal_error"
            job.message = "Erreur interne pendant l'indexation : elle a été consignée."
        finally:
            job.finished_at = time.time()
            self.metrics.jobs_running.dec()
            self.metrics.jobs.labels(kind=job.kind, status=job.status).inc()

    def _progress(self, job: Job) -> Callable[[int], None]:
        def on_progress(done: int) -> None:
            job.passages_embedded = done
            job.message = f"Encodage des passages : {done} encodé(s)."

        return on_progress

    def _retrying(self, job: Job, step: Callable[[], Any]) -> Any:
        """Run `step`, trying again while another process holds the build lock."""
        for attempt in itertools.count(job.attempts + 1):
            job.attempts = attempt
            try:
                return step()
            except IndexBusy:
                if attempt > self.config.busy_retries:
                    raise
                job.message = (
                    f"Index occupé par un autre processus : nouvel essai dans "
                    f"{self.config.busy_wait_seconds:g} s (essai {attempt}/{self.config.busy_retries})."
                )
                time.sleep(self.config.busy_wait_seconds)
        raise AssertionError("unreachable")

    # ----------------------------------------------------------------- kinds
    def _upload(self, job: Job, name: str, data: bytes, content_type: str, overwrite: bool) -> None:
        job.attempts = 1
        outcome = self.bot.add_document(
            name, data, content_type=content_type, overwrite=overwrite, on_progress=self._progress(job),
        )
        job.doc_id = outcome.doc_id or None
        if not outcome.ok and outcome.doc_id and self._stored_but_not_indexed(outcome.name):
            # Kept in the corpus but the index update failed (another process was building):
            # index it now, waiting for the other build to end.
            report = self._retrying(job, lambda: self.bot.rebuild(on_progress=self._progress(job)))
            skipped = [s for s in report.skipped if Path(s.path).name == outcome.name]
            if skipped:
                raise JobOutcome("document_unreadable",
                                 f"« {outcome.name} » n'a pas pu être indexé : {skipped[0].french}.")
            job.details = [f"{report.chunk_count} passages dans l'index"]
        elif not outcome.ok:
            raise JobOutcome("upload_rejected", outcome.message)
        else:
            job.details = list(outcome.details)
        job.message = outcome.message if outcome.ok else f"« {outcome.name} » a été ajouté et indexé."
        job.index_version = self.bot.snapshot.version

    def _stored_but_not_indexed(self, name: str) -> bool:
        return any(path.name == name for path in self.bot.pending_files())

    def _delete(self, job: Job, doc_id: str) -> None:
        def step() -> Any:
            try:
                return self.bot.remove_document(doc_id)
            except DocumentNotFound:
                if job.attempts == 1:
                    raise
                # An earlier try deleted the file and another process's build, which saw it
                # gone, already dropped the document: bring this process's index up to date.
                return self.bot.rebuild()

        report = self._retrying(job, step)
        job.message = f"Document « {doc_id} » retiré de l'index."
        job.details = [f"{report.chunk_count} passages dans l'index"]
        job.index_version = self.bot.snapshot.version

    def _rebuild(self, job: Job, full: bool) -> None:
        report = self._retrying(
            job, lambda: self.bot.rebuild(full=full, on_progress=self._progress(job))
        )
        job.message = report.summary().splitlines()[0]
        job.details = [f"{len(report.added)} ajouté(s), {len(report.changed)} modifié(s), "
                       f"{len(report.removed)} retiré(s)"]
        job.index_version = self.bot.snapshot.version
