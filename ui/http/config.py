"""The HTTP service's own small config, built once from the `Settings`.

Every limit of the service is a named field here with its reason; the values
that operators set (address, keys, CORS origins) come from the settings
(`ASSISTANT_HTTP_HOST`, `ASSISTANT_API_KEYS`, `ASSISTANT_CORS_ORIGINS`), the
others are defaults a test may override.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from assistant.settings import Settings

MIB = 1024 * 1024


def split_list(text: str) -> tuple[str, ...]:
    """`"a, b,,c"` -> `("a", "b", "c")`."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name or "0.0.0.0"-like wildcard is not loopback-only
        return False


@dataclass(frozen=True)
class HttpConfig:
    """What the service needs to know beyond the core's settings."""

    host: str = "127.0.0.1"
    # Bearer tokens; empty: reads are open, writes only when `host` is loopback.
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    # Browser origins allowed to call the API; empty: no CORS headers at all.
    cors_origins: tuple[str, ...] = ()
    # Largest JSON body: a 2,000-character question with a long history fits in far less.
    max_json_bytes: int = 1 * MIB
    # Largest uploaded file (the ingestion limit `max_file_mb`); the body may exceed it by the
    # multipart envelope (`multipart_overhead_bytes`) and no more.
    max_upload_bytes: int = 60 * MIB
    multipart_overhead_bytes: int = 64 * 1024
    # Longest question: the CLI's `max_question_chars` (longer ones are refused, not truncated).
    max_question_chars: int = 2000
    # Most turns of history a chat request may carry (older ones are ignored by the core anyway).
    max_history_turns: int = 50
    # Most passages a client may ask for in one request.
    max_k: int = 50
    # When another process holds the index build lock: how many times a job tries again, and
    # how long it waits between tries (seconds).
    busy_retries: int = 30
    busy_wait_seconds: float = 2.0
    # Jobs queued or running at once; more are refused (429): a queued upload holds its bytes.
    max_pending_jobs: int = 16
    # Finished jobs kept for `GET /v1/jobs/{id}` (oldest forgotten first).
    jobs_kept: int = 200
    # Questions answered at once by one process; more wait their turn. Answering is CPU-bound:
    # with one slot per core, 16 concurrent clients got 1.8–2× the answers/s of unlimited
    # threads, at half the p95 (`assistant bench serve`, README).
    max_concurrent_answers: int = field(default_factory=lambda: os.cpu_count() or 2)
    # How often `/readyz` may try again to open an index that failed to load (seconds).
    load_retry_seconds: float = 2.0

    @property
    def loopback_only(self) -> bool:
        return is_loopback(self.host)

    @property
    def max_upload_body_bytes(self) -> int:
        return self.max_upload_bytes + self.multipart_overhead_bytes

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> "HttpConfig":
        """The service config for `settings` (keyword arguments override any field)."""
        values: dict[str, object] = {
            "host": settings.http_host,
            "api_keys": split_list(settings.api_keys.get_secret_value()),
            "cors_origins": split_list(settings.cors_origins),
            "max_upload_bytes": int(settings.max_file_mb * MIB),
            "max_question_chars": settings.max_question_chars,
        }
        if settings.http_concurrent_answers > 0:
            values["max_concurrent_answers"] = settings.http_concurrent_answers
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
