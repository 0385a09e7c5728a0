"""ASGI middleware: request ids, unexpected errors, body size limits, request counts and latencies.

Both are plain ASGI (no per-request task or body copy): the limit refuses a
body whose declared length is too large before reading a byte, and stops
reading one that grows past the limit without declaring it (chunked
transfer); the metrics label requests by route template (`/v1/jobs/{job_id}`),
never by raw path, so a scan of random URLs cannot blow up the series count.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.http.errors import error_body, internal_error_body
from ui.http.metrics import ServiceMetrics

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")  # a proxy's id is kept only if it is this tame
UNMATCHED_ROUTE = "unmatched"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _too_large_message(limit: int) -> bytes:
    if limit >= 1024 * 1024:
        shown = f"{limit / 1024 / 1024:.1f} Mo"
    else:
        shown = f"{limit / 1024:.0f} Ko"
    body = error_body("payload_too_large", f"Requête trop volumineuse : au plus {shown} pour cette adresse.", 413)
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class BodyLimitMiddleware:
    """413 for a body larger than `limit_for(path)` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # the server itself refuses a malformed length
            if too_large:
                await self._refuse(send, limit)
                return

        received = 0
        started = refused = False

        async def limited_receive() -> Message:
            # Past the limit: answer 413 now and tell the app the client left (it stops reading).
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started and not refused:
                        refused = True
                        await self._refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is already sent: whatever the app answers is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refused:
                raise

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = _too_large_message(limit)
        await send({
            "type": "http.response.start", "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": body})


class MetricsMiddleware:
    """Counts every HTTP request by method, route template and status, and times it."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or UNMATCHED_ROUTE
            method = scope.get("method", "")
            method = method if method in KNOWN_METHODS else "other"
            self.metrics.requests.labels(method=method, route=label, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=label).observe(time.perf_counter() - started)


class RequestIdMiddleware:
    """Gives each request an id (the proxy's `X-Request-ID` if tame, else a new one), in
    `scope["state"]["request_id"]` for the logs and in the response's `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER, b"")
        request_id = given if _SAFE_REQUEST_ID.match(given) else secrets.token_hex(8).encode()
        scope.setdefault("state", {})["request_id"] = request_id.decode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


class InternalErrorMiddleware:
    """An unexpected exception becomes a 500 `internal_error` naming the request id; the
    traceback goes to the log only. (Past the first byte of a response, the connection is cut.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            reference = scope.get("state", {}).get("request_id", "?")
            log.exception("unexpected error on %s %s (request %s)", scope.get("method"), scope.get("path"), reference)
            if started:
                raise
            body = json.dumps(internal_error_body(reference), ensure_ascii=False).encode("utf-8")
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
