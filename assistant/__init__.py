"""The assistant core: retrieval, cited answers, abstention, and its facade `Assistant`.

`from assistant import Assistant` is cheap: heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.errors import (
        AssistantError,
        DocumentNotFound,
        IndexBusy,
        IndexUnavailable,
        LoadError,
        QuestionError,
        UploadRejected,
    )
    from assistant.models import Answer, Citation, ScoredPassage
    from assistant.settings import Settings
    from index.store import DocumentRecord, IndexSnapshot, Manifest, UpdateReport

_HOMES = {
    "Assistant": "assistant.api",
    "Answer": "assistant.models",
    "Citation": "assistant.models",
    "ScoredPassage": "assistant.models",
    "Settings": "assistant.settings",
    "AssistantError": "assistant.errors",
    "DocumentNotFound": "assistant.errors",
    "IndexBusy": "assistant.errors",
    "IndexUnavailable": "assistant.errors",
    "LoadError": "assistant.errors",
    "QuestionError": "assistant.errors",
    "UploadRejected": "assistant.errors",
    # What the index reports, for the shells' type hints and displays.
    "DocumentRecord": "index.store",
    "IndexSnapshot": "index.store",
    "Manifest": "index.store",
    "UpdateReport": "index.store",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(name)
