"""Errors of the index stage: no usable index (its database unreachable too), or another build holds it."""

from __future__ import annotations

from ingest.errors import AssistantError

REBUILD_HINT = "Reconstruisez-le avec `assistant ingest --rebuild`."


class IndexUnavailable(AssistantError):
    """No usable index: missing, damaged, or built for another model or format."""


class IndexBusy(AssistantError):
    """Another process (or thread) is already building this index."""


class DatabaseUnavailable(IndexUnavailable):
    """The index's database cannot be reached or used (down, refused, no pgvector, timed out)."""
