"""The measurements behind the README's HTTP-service choices, beyond `assistant bench serve`.

    python tests/ui/http/measure_serve.py overhead   # HTTP vs in process, 40 gold questions alternately
    python tests/ui/http/measure_serve.py slots      # unlimited answer threads vs one per core, 16 clients
    python tests/ui/http/measure_serve.py two-single # two processes with one answer slot each vs one process

Each starts real `assistant serve` processes over the index of the settings
(`ASSISTANT_INDEX_DIR`; it is only read) and interleaves the
contenders, so that other jobs on the machine weigh on both alike.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from assistant.settings import Settings  # noqa: E402
from eval.bench.serve import (  # noqa: E402
    ServerProcess,
    compare_one_and_two,
    question_bodies,
    run_clients,
    warm_up,
)


def overhead(settings: Settings) -> None:
    import httpx

    from assistant.api import Assistant

    server = ServerProcess(settings.corpus_dir, settings.index_dir, Path(tempfile.mkdtemp()))
    try:
        server.wait_ready()
        bot = Assistant.load(settings=settings, build_if_missing=False)
        bodies = question_bodies()[:40]
        direct, through = [], []
        with httpx.Client(timeout=120) as http:
            for body in bodies[:8]:
                bot.ask(body["question"])
                http.post(f"{server.url}/v1/ask", json=body)
            for body in bodies:
                started = time.perf_counter()
                bot.ask(body["question"], history=body["history"])
                direct.append(time.perf_counter() - started)
                started = time.perf_counter()
                http.post(f"{server.url}/v1/ask", json=body)
                through.append(time.perf_counter() - started)
    finally:
        server.stop()
    print(f"in process median {1000 * statistics.median(direct):.0f} ms, through HTTP "
          f"{1000 * statistics.median(through):.0f} ms; per question: HTTP - direct median "
          f"{1000 * statistics.median([h - d for h, d in zip(through, direct)]):.1f} ms, ratio "
          f"{statistics.median([h / d for h, d in zip(through, direct)]):.2f}")


def slots(settings: Settings, rounds: int = 2, seconds: float = 30.0) -> None:
    bodies = question_bodies()
    logs = Path(tempfile.mkdtemp())
    for round_number in range(rounds):
        for value in ("64", "2"):  # 64: as many as the 16 clients (unlimited); 2: one per core
            os.environ["ASSISTANT_HTTP_CONCURRENT_ANSWERS"] = value
            server = ServerProcess(settings.corpus_dir, settings.index_dir, logs)
            try:
                server.wait_ready()
                warm_up(server.url, bodies)
                result = run_clients([server.url], 16, bodies, lambda t: t >= seconds)[server.url]
            finally:
                server.stop()
            print(f"round {round_number} answer slots {value}: {result.summary()} "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
    os.environ.pop("ASSISTANT_HTTP_CONCURRENT_ANSWERS", None)


def two_single(settings: Settings, rounds: int = 4, seconds: float = 40.0) -> None:
    bodies = question_bodies()
    logs = Path(tempfile.mkdtemp())
    single = ServerProcess(settings.corpus_dir, settings.index_dir, logs)
    os.environ["ASSISTANT_HTTP_CONCURRENT_ANSWERS"] = "1"
    pair = [ServerProcess(settings.corpus_dir, settings.index_dir, logs) for _ in range(2)]
    os.environ.pop("ASSISTANT_HTTP_CONCURRENT_ANSWERS")
    try:
        for server in (single, *pair):
            server.wait_ready()
            warm_up(server.url, bodies)
        one, two, ratios = compare_one_and_two(single, pair, 16, seconds, rounds, bodies)
    finally:
        for server in (single, *pair):
            server.stop()
    print("one process (one slot per core):", one.summary())
    for result in two.values():
        print("two processes (one slot each):", result.summary())
    print("two / one per round:", ", ".join(f"{r:.2f}" for r in ratios), f"median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    chosen = {"overhead": overhead, "slots": slots, "two-single": two_single}.get(what)
    if chosen is None:
        sys.exit(__doc__)
    chosen(Settings())
