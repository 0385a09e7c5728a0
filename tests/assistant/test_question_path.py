"""torch is needed only to convert the model once: answering a question never imports it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """
import json, sys
from assistant.api import Assistant
bot = Assistant.load(build_if_missing=False)
answer = bot.ask("Quel budget pour le Health Data Hub en 2020 ?")
heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
print(json.dumps({"abstained": answer.abstained, "text": answer.text, "imported": heavy}))
"""


@pytest.mark.slow
def test_answering_with_the_default_backend_never_imports_torch(settings, bundled_index):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {"ASSISTANT_INDEX_DIR": str(bundled_index), "ASSISTANT_CACHE_DIR": str(settings.cache_dir),
            "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-c", PROGRAM], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=600, check=True)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert not result["abstained"] and "9,7" in result["text"]
    assert result["imported"] == []
