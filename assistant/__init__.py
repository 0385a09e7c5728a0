"""The assistant stage: retrieval, cited answers, abstention, and its interfaces.

`from assistant import Assistant` is cheap: heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.api import Assistant, QuestionError
    from assistant.models import Answer, Citation, ScoredPassage

__all__ = ["Assistant", "Answer", "Citation", "QuestionError", "ScoredPassage"]


def __getattr__(name: str) -> Any:
    if name in ("Assistant", "QuestionError"):
        from assistant import api

        return getattr(api, name)
    if name in ("Answer", "Citation", "ScoredPassage"):
        from assistant import models

        return getattr(models, name)
    raise AttributeError(name)
