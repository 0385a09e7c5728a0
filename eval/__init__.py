"""The evaluation suite: gold questions, judge-free metrics, reports.

`from eval import evaluate` runs it from Python (heavy modules load on use).
"""

from __future__ import annotations

from typing import Any

__all__ = ["evaluate"]


def __getattr__(name: str) -> Any:
    if name == "evaluate":
        from eval.run import evaluate

        return evaluate
    raise AttributeError(name)
