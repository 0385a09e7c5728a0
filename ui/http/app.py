"""The FastAPI application: `create_app(settings)` wires the service, its middleware and routers.

One `Assistant` per app, created at start-up from the settings (in the
background: `/readyz` says when it is ready). `create_app_from_environment`
is the factory `uvicorn --factory` (and `assistant serve --workers N`) calls
in each worker process: it builds the `Settings` from the environment.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.settings import Settings
from ui.http.config import HttpConfig
from ui.http.errors import install_error_handlers
from ui.http.middleware import (
    BodyLimitMiddleware,
    InternalErrorMiddleware,
    MetricsMiddleware,
    RequestIdMiddleware,
)
from ui.http.routes import documents, health, questions, retrieve
from ui.http.service import AssistantFactory, Service, default_factory

UPLOAD_PATH = "/v1/documents"
DESCRIPTION = """\
Questions-réponses citées sur les rapports du corpus : chaque phrase de la réponse
est citée `[n]` (document, section, page, citation exacte), ou l'assistant répond
qu'il ne sait pas. `/v1/chat/completions` est compatible avec les clients OpenAI.

Authentification : `Authorization: Bearer <clé>` quand `ASSISTANT_API_KEYS` est défini.
Erreurs : `{"error": {"code": "...", "message": "...", "type": "..."}}`, messages en français.
"""


def create_app(
    settings: Settings,
    *,
    assistant_factory: AssistantFactory = default_factory,
    config: HttpConfig | None = None,
) -> FastAPI:
    """The service for `settings`; `assistant_factory` builds its `Assistant` (tests pass a fake embedder)."""
    service = Service(settings, config or HttpConfig.from_settings(settings), assistant_factory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(
        title="Assistant santé", version="1", description=DESCRIPTION, lifespan=lifespan,
    )
    app.state.service = service
    install_error_handlers(app)
    for module in (questions, retrieve, documents, health):
        app.include_router(module.router)

    cfg = service.config
    if cfg.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(cfg.cors_origins), allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    def body_limit(path: str) -> int:
        return cfg.max_upload_body_bytes if path == UPLOAD_PATH else cfg.max_json_bytes

    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit)
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)  # counts refusals too
    app.add_middleware(RequestIdMiddleware)  # outermost: every response carries its id
    return app


def create_app_from_environment() -> FastAPI:
    """The app of one uvicorn worker: settings from `ASSISTANT_*` variables and `assistant.toml`.

    A worker is a fresh interpreter: its warnings (a version that failed to load, an unexpected
    error with its request id) get the command line's log format (a no-op if logging is set up)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return create_app(Settings())
