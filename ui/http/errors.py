"""Errors as the service answers them: a status, a stable machine code and a French message.

Every error body has OpenAI's shape, so the `openai` client shows the
message: `{"error": {"code": "...", "message": "...", "type": "..."}}`. No
traceback, exception class or file path ever reaches a client: the core's
messages that could hold a path (`IndexUnavailable` names the index folder)
are replaced by fixed French texts, and an unexpected exception becomes a
500 `internal_error` whose detail only goes to the log
(`ui.http.middleware.InternalErrorMiddleware`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from assistant.errors import (
    AssistantError,
    DocumentNotFound,
    IndexBusy,
    IndexUnavailable,
    LoadError,
    QuestionError,
    UploadConflict,
    UploadRejected,
)

# Seconds a client should wait before retrying after a 503.
RETRY_AFTER_SECONDS = 5


class ServiceError(Exception):
    """An error the service raises itself, already in its final form."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class ErrorMapping:
    """How one class of the core's errors is answered."""

    status: int
    code: str
    fixed_message: str | None = None  # used instead of the error's own text (it may hold a path)


# The most specific class first: the first `isinstance` match wins.
CORE_ERRORS: tuple[tuple[type[AssistantError], ErrorMapping], ...] = (
    (QuestionError, ErrorMapping(422, "invalid_question")),
    (DocumentNotFound, ErrorMapping(404, "document_not_found")),
    (UploadConflict, ErrorMapping(409, "document_exists")),
    (UploadRejected, ErrorMapping(422, "upload_rejected")),
    (LoadError, ErrorMapping(422, "document_unreadable")),
    (IndexBusy, ErrorMapping(503, "index_busy",
                             "L'index est en cours de construction par un autre processus : réessayez.")),
    (IndexUnavailable, ErrorMapping(503, "index_unavailable",
                                    "Aucun index utilisable n'est chargé (absent, endommagé ou construit "
                                    "avec un autre modèle) : reconstruisez-le avec `assistant ingest`.")),
)

HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    401: ("unauthorized", "Clé d'API manquante ou invalide."),
    403: ("forbidden", "Accès refusé."),
    404: ("not_found", "Cette adresse n'existe pas."),
    405: ("method_not_allowed", "Méthode HTTP non autorisée pour cette adresse."),
    406: ("not_acceptable", "Format de réponse non disponible."),
    413: ("payload_too_large", "Requête trop volumineuse."),
    415: ("unsupported_media_type", "Type de contenu non pris en charge."),
}

# A Unix or Windows absolute path, as it could appear in a message from below.
_PATH = re.compile(r"(?:(?<![\w.])/(?:[\w.@+-]+/)+[\w.@+-]*|[A-Za-z]:\\[^\s«»]+)")


def scrub(message: str) -> str:
    """A message with any file path replaced by « … » (defence in depth)."""
    return _PATH.sub("…", message)


def error_body(code: str, message: str, status: int) -> dict[str, object]:
    kind = "server_error" if status >= 500 else "invalid_request_error"
    return {"error": {"code": code, "message": message, "type": kind}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, scrub(message), status), status_code=status, headers=headers)


def map_core_error(error: AssistantError) -> tuple[int, str, str, dict[str, str]]:
    """(status, code, French message, headers) for one of the core's errors."""
    for cls, mapping in CORE_ERRORS:
        if isinstance(error, cls):
            message = mapping.fixed_message or str(error)
            if isinstance(error, LoadError):
                message = error.french
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if mapping.status == 503 else {}
            return mapping.status, mapping.code, message, headers
    return 400, "request_failed", str(error), {}


# ---------------------------------------------------------------- validation

_FRENCH_VALIDATION: dict[str, str] = {
    "missing": "champ obligatoire manquant",
    "json_invalid": "JSON mal formé",
    "model_attributes_type": "un objet JSON est attendu",
    "dict_type": "un objet JSON est attendu",
    "list_type": "une liste est attendue",
    "string_type": "une chaîne de caractères est attendue",
    "int_type": "un nombre entier est attendu",
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "bool_type": "un booléen est attendu",
    "bool_parsing": "un booléen est attendu",
    "float_type": "un nombre est attendu",
    "float_parsing": "un nombre est attendu",
    "greater_than_equal": "valeur trop petite",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "less_than": "valeur trop grande",
    "string_too_short": "texte trop court",
    "string_too_long": "texte trop long",
    "too_short": "liste trop courte",
    "too_long": "liste trop longue",
    "literal_error": "valeur non autorisée",
    "enum": "valeur non autorisée",
    "string_pattern_mismatch": "format non valide",
    "extra_forbidden": "champ inconnu",
    "value_error": "valeur non valide",
    "union_tag_invalid": "valeur non autorisée",
}


def french_validation_message(errors: list[dict[str, object]]) -> tuple[str, str]:
    """(code, French message) for FastAPI's validation errors; the client's input is never echoed."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return "invalid_json", "Le corps de la requête n'est pas du JSON valide."
    parts = []
    for item in errors[:5]:
        location = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path")]  # type: ignore[union-attr]
        where = ".".join(location) or "corps"
        what = _FRENCH_VALIDATION.get(str(item.get("type")), "valeur non valide")
        context = item.get("ctx") or {}
        if isinstance(context, dict) and item.get("type") == "value_error" and "error" in context:
            what = str(context["error"])  # our own validators' French text
        parts.append(f"« {where} » : {what}")
    more = f" (et {len(errors) - 5} autre(s))" if len(errors) > 5 else ""
    return "invalid_request", "Requête invalide : " + " ; ".join(parts) + more + "."


# ------------------------------------------------------------------ handlers

def allowed_methods(request: Request) -> str:
    """Every method some route accepts at this path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    """Every expected error path of the app answers with `error_body`."""

    @app.exception_handler(ServiceError)
    async def _service(request: Request, error: ServiceError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, error.headers)

    @app.exception_handler(AssistantError)
    async def _core(request: Request, error: AssistantError) -> JSONResponse:
        status, code, message, headers = map_core_error(error)
        return error_response(status, code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        code, message = french_validation_message(list(error.errors()))
        return error_response(422, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # the framework could not read the body (bytes, not JSON or form)
            return error_response(422, "invalid_body", "Le corps de la requête est illisible "
                                  "(JSON, encodage UTF-8 ou formulaire invalide).")
        code, message = HTTP_MESSAGES.get(error.status_code, ("http_error", "Requête refusée."))
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return error_response(error.status_code, code, message, headers)
    # Unexpected exceptions: `ui.http.middleware.InternalErrorMiddleware` (it runs inside the
    # request-id and metrics middleware, which Starlette's own last-resort handler does not).


def internal_error_body(reference: str) -> dict[str, object]:
    """The body of a 500: a reference to find the logged detail, nothing else."""
    return error_body("internal_error", f"Erreur interne du service (référence {reference}) : "
                      "elle a été consignée.", 500)
