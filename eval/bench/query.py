"""`assistant bench query`: a fresh process's start, and end-to-end question latency, each question asked once.

Honest by construction: the start is timed in a new interpreter (from
`import assistant` to the first answer, the index already built); every
question of the run is asked exactly once, so no answer comes from a cache a
previous call on the same question warmed; `retrieve` is timed on questions
that were never asked. Stage medians come from `Answer.timings`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from assistant.settings import Settings
from eval.bench.common import peak_rss_mb, percentile

# Run in a new interpreter: what a user waits for when starting the assistant.
_FIRST_ANSWER = """
import json, sys, time
started = time.perf_counter()
from assistant.api import Assistant
from assistant.settings import Settings
imported = time.perf_counter()
bot = Assistant.load(settings=Settings(**json.loads(sys.argv[1])), build_if_missing=False)
loaded = time.perf_counter()
bot.ask(sys.argv[2])
answered = time.perf_counter()
print(json.dumps({"import": imported - started, "load": loaded - imported,
                  "first_answer": answered - loaded, "total": answered - started,
                  "langchain": any(m.startswith("langchain") for m in sys.modules),
                  "torch": "torch" in sys.modules}))
"""


def fresh_process_start(settings: Settings, question: str) -> dict:
    """Import → load → first answer, timed in a new interpreter."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_ANSWER, settings.model_dump_json(), question],
        cwd=root, capture_output=True, text=True, timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"first-answer run failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_query(settings: Settings, n_questions: int = 60) -> list[tuple[str, str]]:
    """Start-up in a fresh process, then per-question latency over distinct gold questions."""
    from assistant.api import Assistant
    from eval.dataset import load_questions

    questions = [q for q in load_questions("gold", split="test") if not q.history]
    Assistant.load(settings=settings)  # builds the index if needed, outside the timed runs
    start = fresh_process_start(settings, questions[0].question)

    bot = Assistant.load(settings=settings, build_if_missing=False)
    asked = questions[1 : 1 + n_questions]
    latencies: list[float] = []
    stages: dict[str, list[float]] = {}
    for q in asked:
        started = time.perf_counter()
        answer = bot.ask(q.question)
        latencies.append(time.perf_counter() - started)
        for stage, seconds in answer.timings.items():
            stages.setdefault(stage, []).append(seconds)
    retrieve = []
    for q in questions[1 + n_questions : 1 + 2 * n_questions]:  # never asked before
        started = time.perf_counter()
        bot.retrieve(q.question, k=10)
        retrieve.append(time.perf_counter() - started)

    def ms(values: list[float], p: float) -> str:
        return f"{1000 * percentile(values, p):.1f}" if values else "n/a"

    rows = [
        ("fresh process: import (s)", f"{start['import']:.2f}"),
        ("fresh process: Assistant.load, index present (s)", f"{start['load']:.2f}"),
        ("fresh process: first answer (s)", f"{start['first_answer']:.2f}"),
        ("fresh process: import → first answer (s)", f"{start['total']:.2f}"),
        ("langchain / torch imported on the question path", f"{start['langchain']} / {start['torch']}"),
        ("distinct questions asked once", str(len(latencies))),
        ("ask p50 / p95 (ms)", f"{ms(latencies, 50)} / {ms(latencies, 95)}"),
        ("retrieve k=10 p50 / p95 (ms), unseen questions", f"{ms(retrieve, 50)} / {ms(retrieve, 95)}"),
    ]
    rows += [(f"  stage {stage} median (ms)", f"{1000 * statistics.median(values):.1f}")
             for stage, values in stages.items() if stage != "total"]
    rows.append(("peak RSS (MiB)", f"{peak_rss_mb():.0f}"))
    return rows
