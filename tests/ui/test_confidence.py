"""How the answer's confidence is worded (`ui/confidence.py`), in the CLI and the chat page."""

from __future__ import annotations

import pytest

from assistant.models import Answer
from ui.confidence import confidence_label


@pytest.mark.parametrize("abstained, confidence, expected", [
    (False, 0.874, "Confiance : 87 %"),
    (False, 1.0, "Confiance : 100 %"),
    (True, 0.12, "Probabilité que les rapports répondent : 12 %"),
    (False, None, None),  # no calibrated gate judged it: no confidence to give
])
def test_the_answer_shows_the_gates_probability_as_confiance(abstained, confidence, expected):
    answer = Answer(question="q", text="t", abstained=abstained, confidence=confidence)
    assert confidence_label(answer) == expected
