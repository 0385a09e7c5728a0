"""Health: `GET /healthz` (the process answers), `GET /readyz` (index loaded and verified), `GET /metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from ui.http.auth import require_reader
from ui.http.routes.common import service_of
from ui.http.schemas import Health, Readiness, error_responses

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Le processus répond")
def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Readiness, summary="L'index est chargé et vérifié",
            responses=error_responses(503))
def readyz(request: Request) -> Readiness:
    """200 once the index is open and its checksums verified; 503 with the reason before."""
    bot = service_of(request).ready_bot()
    snapshot = bot.snapshot
    return Readiness(index_version=snapshot.version, documents=len(snapshot.manifest.documents))


@router.get(
    "/metrics", summary="Métriques Prometheus", dependencies=[Depends(require_reader)],
    response_class=Response, responses={200: {"content": {"text/plain": {}}}, **error_responses(401)},
)
def metrics(request: Request) -> Response:
    service = service_of(request)
    if service.bot is not None:
        service.metrics.show_version(service.bot.snapshot.version)
    return Response(service.metrics.expose(), media_type=service.metrics.content_type)
