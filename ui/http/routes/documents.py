"""Documents and jobs: list, upload and delete documents, rebuild the index, follow the jobs.

A write is checked at once (a refused file or an unknown id is a 4xx and
nothing changes), then indexed by a background job (`ui.http.jobs`): the
answer is 202 with the job and a `Location` to follow (`GET /v1/jobs/{id}`).
Jobs live in the process that ran them: behind a load balancer, follow a job
on the replica that accepted it (or wait for `/v1/documents` to list the
document, which every replica does once the new version is published).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from assistant.api import Assistant
from assistant.errors import UploadConflict
from ui.http.auth import require_reader, require_writer
from ui.http.errors import ServiceError
from ui.http.jobs import Job
from ui.http.routes.common import bot_of, service_of
from ui.http.schemas import (
    DOC_ID_PATTERN,
    DocumentList,
    IndexOut,
    JobAccepted,
    JobList,
    JobOut,
    RebuildRequest,
    error_responses,
)

router = APIRouter(tags=["documents"])
JOB_ID_PATTERN = r"^job-[0-9]{4,}-[0-9a-f]{8}$"


def document_rows(bot: Assistant) -> list[dict[str, Any]]:
    """The indexed documents without any server path (the file's name only)."""
    return [
        {"doc_id": r.doc_id, "title": r.title, "format": r.format, "file_name": PurePath(r.file).name,
         "chunk_count": r.chunk_count, "content_hash": r.content_hash}
        for r in bot.documents()
    ]


def accepted(response: Response, job: Job) -> dict[str, Any]:
    location = f"/v1/jobs/{job.id}"
    response.headers["Location"] = location
    return {"job": job.to_dict(), "location": location}


@router.get("/v1/documents", response_model=DocumentList, summary="Documents de l'index",
            dependencies=[Depends(require_reader)], responses=error_responses(401, 503))
def list_documents(bot: Annotated[Assistant, Depends(bot_of)]) -> dict[str, Any]:
    version = bot.snapshot.version
    return {"index_version": version, "documents": document_rows(bot)}


@router.post(
    "/v1/documents", status_code=202, response_model=JobAccepted, summary="Ajouter un document",
    dependencies=[Depends(require_writer)], responses=error_responses(401, 403, 409, 413, 422, 429, 503),
)
async def upload_document(
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="Un fichier .pdf, .txt, .md ou .html.")],
    overwrite: Annotated[bool, Form(description="Remplacer un document du même nom.")] = False,
) -> dict[str, Any]:
    """Check the file now (name, size, type, magic bytes), then store and index it in a job."""
    service = service_of(request)
    bot = service.ready_bot()
    data = await file.read()
    if len(data) > service.config.max_upload_bytes:
        limit = service.config.max_upload_bytes / 1024 / 1024
        raise ServiceError(413, "payload_too_large", f"Fichier trop volumineux : {limit:g} Mo au plus.")
    name = file.filename or ""
    content_type = file.content_type or ""
    safe = await run_in_threadpool(bot.check_upload, name, data, content_type=content_type)
    if not overwrite and any(PurePath(r.file).name == safe for r in bot.documents()):
        raise UploadConflict(safe)
    job = service.ready_jobs().submit_upload(name, data, content_type, overwrite)
    return accepted(response, job)


@router.delete(
    "/v1/documents/{doc_id}", status_code=202, response_model=JobAccepted, summary="Retirer un document",
    dependencies=[Depends(require_writer)], responses=error_responses(401, 403, 404, 422, 429, 503),
)
def delete_document(
    request: Request,
    response: Response,
    doc_id: Annotated[str, Path(pattern=DOC_ID_PATTERN, description="L'identifiant du document.")],
    bot: Annotated[Assistant, Depends(bot_of)],
) -> dict[str, Any]:
    """Check the id now (404 if unknown), then delete the file and update the index in a job."""
    bot.check_documents([doc_id])
    return accepted(response, service_of(request).ready_jobs().submit_delete(doc_id))


@router.post(
    "/v1/index/rebuild", status_code=202, response_model=JobAccepted, summary="Mettre à jour l'index",
    dependencies=[Depends(require_writer)], responses=error_responses(401, 403, 422, 429, 503),
)
def rebuild_index(request: Request, response: Response, body: RebuildRequest | None = None) -> dict[str, Any]:
    """Bring the index in line with the corpus folder (incremental unless `full`), in a job."""
    jobs = service_of(request).ready_jobs()
    return accepted(response, jobs.submit_rebuild(full=bool(body and body.full)))


@router.get("/v1/index", response_model=IndexOut, summary="La version de l'index en service",
            dependencies=[Depends(require_reader)], responses=error_responses(401, 503))
def index_status(bot: Annotated[Assistant, Depends(bot_of)]) -> dict[str, Any]:
    snapshot = bot.snapshot
    return {"index_version": snapshot.version, "documents": len(snapshot.manifest.documents),
            "passages": len(snapshot.chunks), "model": snapshot.model_id}


@router.get("/v1/jobs", response_model=JobList, summary="Tâches d'indexation récentes",
            dependencies=[Depends(require_reader)], responses=error_responses(401, 503))
def list_jobs(request: Request) -> dict[str, Any]:
    return {"jobs": [job.to_dict() for job in service_of(request).ready_jobs().recent()]}


@router.get("/v1/jobs/{job_id}", response_model=JobOut, summary="Suivre une tâche d'indexation",
            dependencies=[Depends(require_reader)], responses=error_responses(401, 404, 422, 503))
def get_job(request: Request, job_id: Annotated[str, Path(pattern=JOB_ID_PATTERN)]) -> dict[str, Any]:
    job = service_of(request).ready_jobs().get(job_id)
    if job is None:
        raise ServiceError(404, "job_not_found",
                           f"Tâche inconnue : « {job_id} » (les tâches sont propres à chaque processus).")
    return job.to_dict()
