"""Who may call what: bearer API keys for every endpoint but health, and guarded writes.

With keys configured (`ASSISTANT_API_KEYS`), every endpoint except
`/healthz`, `/readyz` and `/metrics` needs `Authorization: Bearer <key>`.
Without keys, reads are open and writes (upload, delete, rebuild) are only
accepted when the server listens on loopback: an open server on a network
address cannot be emptied by whoever reaches it. Keys are compared in
constant time and never logged or echoed.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ui.http.config import HttpConfig
from ui.http.errors import ServiceError

bearer = HTTPBearer(auto_error=False, description="Une clé de `ASSISTANT_API_KEYS`.")

def unauthorized() -> ServiceError:
    return ServiceError(
        401, "invalid_api_key",
        "Clé d'API manquante ou invalide : envoyez l'en-tête « Authorization: Bearer <clé> ».",
        {"WWW-Authenticate": "Bearer"},
    )


def writes_disabled() -> ServiceError:
    return ServiceError(
        403, "writes_disabled",
        "Les modifications du corpus sont refusées : le service écoute sur le réseau sans clé d'API. "
        "Définissez ASSISTANT_API_KEYS, ou écoutez sur 127.0.0.1.",
    )


def key_matches(config: HttpConfig, credentials: HTTPAuthorizationCredentials | None) -> bool:
    """Whether the request carries one of the configured keys (constant-time comparison)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        return False
    given = credentials.credentials.encode("utf-8")
    matched = False
    for key in config.api_keys:  # compare with every key: the time does not tell which matched
        matched |= secrets.compare_digest(given, key.encode("utf-8"))
    return matched


def _served_on_loopback(config: HttpConfig, request: Request) -> bool:
    """The configured address is loopback, and so is the one this request came in on (if known)."""
    if not config.loopback_only:
        return False
    server = request.scope.get("server")
    if server:
        try:
            return ipaddress.ip_address(str(server[0]).strip("[]")).is_loopback
        except ValueError:  # an in-process test client names no address
            return True
    return True


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def require_reader(request: Request, credentials: Credentials) -> None:
    """Dependency of read endpoints: a valid key when keys are configured."""
    config: HttpConfig = request.app.state.service.config
    if config.api_keys and not key_matches(config, credentials):
        raise unauthorized()


async def require_writer(request: Request, credentials: Credentials) -> None:
    """Dependency of write endpoints: a valid key, or no keys and a loopback-only server."""
    config: HttpConfig = request.app.state.service.config
    if config.api_keys:
        if not key_matches(config, credentials):
            raise unauthorized()
    elif not _served_on_loopback(config, request):
        raise writes_disabled()
