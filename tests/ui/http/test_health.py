"""`/healthz`, `/readyz` (200 only once the index is loaded and verified) and `/metrics`."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from assistant.api import Assistant
from tests.ui.http.conftest import QUESTION, fake_factory, wait_job
from ui.http.app import create_app
from ui.http.config import HttpConfig


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_readyz_is_503_until_the_assistant_is_loaded_and_healthz_answers_at_once(tiny_corpus_settings):
    release = threading.Event()

    def slow_factory(settings):
        release.wait(30)
        return fake_factory(settings)

    app = create_app(tiny_corpus_settings, assistant_factory=slow_factory,
                     config=HttpConfig.from_settings(tiny_corpus_settings))
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        waiting = client.get("/readyz")
        assert waiting.status_code == 503 and waiting.headers["Retry-After"]
        assert waiting.json()["error"]["code"] == "not_ready"
        assert "pas encore prêt" in waiting.json()["error"]["message"]
        assert client.post("/v1/ask", json={"question": QUESTION}).status_code == 503
        release.set()
        assert app.state.service.wait_ready(30)
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["documents"] == 3


def test_with_no_index_the_service_builds_one_before_it_is_ready(tiny_corpus_settings):
    assert not (tiny_corpus_settings.index_dir / "CURRENT").exists()
    app = create_app(tiny_corpus_settings, assistant_factory=fake_factory,
                     config=HttpConfig.from_settings(tiny_corpus_settings))
    with TestClient(app) as client:
        assert app.state.service.wait_ready(30)
        assert client.get("/readyz").status_code == 200
    assert (tiny_corpus_settings.index_dir / "CURRENT").exists()


def test_a_damaged_index_is_never_ready_and_recovers_once_rebuilt(tiny_corpus_settings):
    Assistant(tiny_corpus_settings, fake_factory(tiny_corpus_settings).embedder).rebuild()
    version_dir = next((tiny_corpus_settings.index_dir / "versions").iterdir())
    damaged = version_dir / "chunks.jsonl"
    damaged.write_bytes(damaged.read_bytes().replace(b"budget", b"BUDGET"))  # a checksum mismatch
    app = create_app(tiny_corpus_settings, assistant_factory=fake_factory,
                     config=HttpConfig.from_settings(tiny_corpus_settings, load_retry_seconds=0.1))
    with TestClient(app) as client:
        assert not app.state.service.wait_ready(1.0)
        waiting = client.get("/readyz")
        assert waiting.status_code == 503
        assert str(tiny_corpus_settings.index_dir) not in waiting.text
        assert "reconstruisez" in waiting.json()["error"]["message"].lower()
        fake_factory(tiny_corpus_settings).rebuild(full=True)  # `assistant ingest --rebuild` beside it
        assert app.state.service.wait_ready(30)
        assert client.get("/readyz").status_code == 200


def test_metrics_count_requests_answers_jobs_and_show_the_index_version(client):
    client.post("/v1/ask", json={"question": QUESTION})
    client.post("/v1/ask", json={"question": "Quelle est la capitale de l'Australie ?"})
    client.post("/v1/ask", json={"question": ""})
    client.get("/v1/jobs/job-0001-deadbeef")
    wait_job(client, client.post("/v1/index/rebuild").headers["Location"])
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    ask_ok = ("assistant_http_requests_total", (("method", "POST"), ("route", "/v1/ask"), ("status", "200")))
    assert found[ask_ok] == 2
    assert found[("assistant_http_requests_total", (("method", "POST"), ("route", "/v1/ask"), ("status", "422")))] == 1
    # routes are labelled by template, never by the raw path
    job_route = (("method", "GET"), ("route", "/v1/jobs/{job_id}"), ("status", "404"))
    assert found[("assistant_http_requests_total", job_route)] == 1
    assert found[("assistant_http_request_duration_seconds_count", (("method", "POST"), ("route", "/v1/ask")))] == 3
    assert found[("assistant_answers_total", (("abstained", "false"), ("mode", "extractive")))] == 1
    assert found[("assistant_answers_total", (("abstained", "true"), ("mode", "extractive")))] == 1
    assert found[("assistant_index_jobs_total", (("kind", "rebuild"), ("status", "succeeded")))] == 1
    assert found[("assistant_index_jobs_running", ())] == 0
    assert found[("assistant_ready", ())] == 1
    version = client.get("/readyz").json()["index_version"]
    assert found[("assistant_index_version_info", (("version", version),))] == 1


def test_unknown_paths_share_one_metrics_label(client):
    for n in range(5):
        client.get(f"/scan/{n}")
    found = samples(client.get("/metrics").text)
    assert found[("assistant_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 5
