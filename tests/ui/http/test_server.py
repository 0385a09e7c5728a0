"""A real `assistant serve` process on a free loopback port, with the real model and the session's index,
asked through the official `openai` client (streaming and not) and plain HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest

from tests.ui.http.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 300  # seconds: the model loads in a few seconds, but the cores are shared
MODEL = "assistant-sante-extractive"
QUESTION = "Quel budget pour le Health Data Hub en 2020 ?"


@pytest.fixture(scope="module")
def server(settings, bundled_index):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ASSISTANT_API_KEYS": ""}
    command = [sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--no-access-log",
               "--corpus", str(settings.corpus_dir), "--index", str(bundled_index)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("assistant serve was not ready in time")
    yield base, process
    if process.poll() is None:
        process.kill()
        process.wait(30)


@pytest.mark.slow
def test_the_openai_client_gets_a_cited_answer_from_a_real_server(server):
    base, _ = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key="sans-cle", max_retries=0, timeout=120)
    assert [m.id for m in client.models.list()] == [MODEL]
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}])
    message = completion.choices[0].message
    assert "9,7" in message.content and "[1]" in message.content
    citation = message.model_extra["citations"][0]
    assert citation["doc_id"] and citation["quote"] in citation["passage"]
    assert completion.usage.total_tokens > 0

    stream = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}],
                                            stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].choices[0].delta.model_extra["citations"][0]["doc_id"] == citation["doc_id"]


@pytest.mark.slow
def test_a_real_server_answers_plain_http_and_stops_cleanly_on_sigterm(server):
    base, process = server
    passages = httpx.post(f"{base}/v1/retrieve", json={"question": "interopérabilité des données", "k": 3},
                          timeout=120).json()["passages"]
    assert len(passages) == 3 and all(p["text"] for p in passages)
    refused = httpx.post(f"{base}/v1/ask", json={"question": "x" * 10_000}, timeout=60)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "question_too_long"
    assert "assistant_http_requests_total" in httpx.get(f"{base}/metrics", timeout=30).text
    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught (exit by SIGTERM)
    assert process.wait(60) in (0, -signal.SIGTERM)
    assert "Traceback" not in process.stdout.read()


def start_server(corpus, index) -> tuple[str, subprocess.Popen]:
    """`assistant serve` on a free port; (base URL, process) once `/readyz` is 200."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ASSISTANT_API_KEYS": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--no-access-log",
         "--corpus", str(corpus), "--index", str(index)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return base, process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail("assistant serve was not ready in time")


@pytest.mark.slow
def test_two_real_replicas_answer_a_document_uploaded_through_one(settings, bundled_index, tmp_path):
    import shutil

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(bundled_index, index, ignore=shutil.ignore_patterns("build.lock"))
    replicas = [start_server(corpus, index) for _ in range(2)]
    try:
        (first, _), (second, _) = replicas
        note = ("# Note sur la téléradiologie\n\nLa téléradiologie permet à 42 hôpitaux de Bretagne "
                "de partager leurs radiologues de garde depuis 2024.\n")
        accepted = httpx.post(f"{first}/v1/documents", files={"file": ("note-teleradiologie.md", note.encode(),
                                                                        "text/markdown")}, timeout=60)
        assert accepted.status_code == 202
        location = accepted.headers["Location"]
        deadline = time.monotonic() + 300
        while (job := httpx.get(f"{first}{location}", timeout=30).json())["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
        assert job["status"] == "succeeded", job
        question = {"question": "Combien d'hôpitaux de Bretagne partagent leurs radiologues de garde ?"}
        for base in (first, second):
            deadline = time.monotonic() + 120
            while True:
                answer = httpx.post(f"{base}/v1/ask", json=question, timeout=120).json()
                if answer["index_version"] == job["index_version"] or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert answer["index_version"] == job["index_version"], base
            assert "42" in answer["text"] and answer["citations"][0]["doc_id"] == "note-teleradiologie"
    finally:
        for _, process in replicas:
            process.kill()
            process.wait(30)
