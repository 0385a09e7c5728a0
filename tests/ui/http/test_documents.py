"""Documents and jobs: upload, delete and rebuild in the background, busy indexes, two replicas."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from assistant.api import Assistant
from tests.assistant.conftest import VOCABULARY
from tests.fakes import KeywordEmbedder
from tests.ui.http.conftest import QUESTION, wait_job
from ui.http.app import create_app
from ui.http.config import HttpConfig

NOTE_TEXT = ("# Note sur la télémédecine\n\nLa télémédecine aide les zones rurales à garder des médecins. "
             "La note recommande un plan national pour les zones rurales.\n")
NOTE = ("note.md", NOTE_TEXT.encode(), "text/markdown")
NOTE_QUESTION = "Que dit la note sur la télémédecine dans les zones rurales ?"


def test_upload_is_checked_then_indexed_in_a_job_and_answered(client, tiny_corpus_settings):
    response = client.post("/v1/documents", files={"file": NOTE})
    assert response.status_code == 202
    location = response.headers["Location"]
    assert location == response.json()["location"] and location.startswith("/v1/jobs/job-")
    job = wait_job(client, location)
    assert job["status"] == "succeeded", job
    assert job["kind"] == "upload" and job["doc_id"] == "note" and job["finished_at"] >= job["started_at"]
    assert job["progress"]["passages_embedded"] >= 1
    assert "ajouté" in job["message"]
    assert (tiny_corpus_settings.corpus_dir / "note.md").is_file()
    documents = client.get("/v1/documents").json()
    assert "note" in {d["doc_id"] for d in documents["documents"]}
    assert documents["index_version"] == job["index_version"]
    answer = client.post("/v1/ask", json={"question": NOTE_QUESTION}).json()
    assert answer["index_version"] == job["index_version"]
    assert any(c["doc_id"] == "note" for c in answer["citations"]), answer
    assert client.get("/v1/jobs").json()["jobs"][0]["id"] == job["id"]


def test_document_listing_shows_file_names_never_server_paths(client, tiny_corpus_settings):
    listing = client.get("/v1/documents")
    assert {d["file_name"] for d in listing.json()["documents"]} == {"rapport.md", "robotique.md", "extrait.md"}
    assert str(tiny_corpus_settings.corpus_dir) not in listing.text


def test_replacing_needs_overwrite(client):
    changed = ("robotique.md", "# Robotique\n\nLes robots chirurgicaux coûtent cher aux hôpitaux.\n".encode(), "text/markdown")
    assert client.post("/v1/documents", files={"file": changed}).status_code == 409
    response = client.post("/v1/documents", files={"file": changed}, data={"overwrite": "true"})
    assert response.status_code == 202
    job = wait_job(client, response.headers["Location"])
    assert job["status"] == "succeeded" and "remplacé" in job["message"]


def test_delete_removes_the_file_and_the_document(client, tiny_corpus_settings):
    response = client.delete("/v1/documents/robotique")
    assert response.status_code == 202
    job = wait_job(client, response.headers["Location"])
    assert job["status"] == "succeeded" and job["kind"] == "delete"
    assert not (tiny_corpus_settings.corpus_dir / "robotique.md").exists()
    assert "robotique" not in {d["doc_id"] for d in client.get("/v1/documents").json()["documents"]}
    assert client.delete("/v1/documents/robotique").status_code == 404


def test_rebuild_job_reports_what_changed(client, tiny_corpus_settings):
    (tiny_corpus_settings.corpus_dir / "note.md").write_text(NOTE_TEXT, encoding="utf-8")
    response = client.post("/v1/index/rebuild", json={"full": False})
    job = wait_job(client, response.headers["Location"])
    assert job["status"] == "succeeded" and job["details"][0].startswith("1 ajouté")
    assert client.get("/v1/index").json()["documents"] == 4


def test_jobs_run_one_at_a_time_in_order(client):
    first = client.post("/v1/documents", files={"file": NOTE}).json()["job"]["id"]
    second = client.delete("/v1/documents/robotique").json()["job"]["id"]
    jobs = {j: wait_job(client, f"/v1/jobs/{j}") for j in (first, second)}
    assert all(job["status"] == "succeeded" for job in jobs.values())
    assert jobs[first]["finished_at"] <= jobs[second]["started_at"]


def hold_build_lock(index_dir, seconds: float) -> subprocess.Popen:
    """Another process holding the index's build lock for `seconds`."""
    code = (
        "import sys, time; from filelock import FileLock; "
        f"lock = FileLock({str(index_dir / 'build.lock')!r}); lock.acquire(); "
        f"print('held', flush=True); time.sleep({seconds})"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_an_upload_waits_for_another_process_building_the_index(client, tiny_corpus_settings):
    holder = hold_build_lock(tiny_corpus_settings.index_dir, 2.0)
    try:
        response = client.post("/v1/documents", files={"file": NOTE})
        assert response.status_code == 202
        job = wait_job(client, response.headers["Location"], timeout=30)
    finally:
        holder.wait(10)
    assert job["status"] == "succeeded", job
    assert job["progress"]["attempts"] > 1
    assert "note" in {d["doc_id"] for d in client.get("/v1/documents").json()["documents"]}


def test_a_delete_waits_for_another_process_building_the_index(client, tiny_corpus_settings):
    holder = hold_build_lock(tiny_corpus_settings.index_dir, 1.5)
    try:
        job = wait_job(client, client.delete("/v1/documents/robotique").headers["Location"], timeout=30)
    finally:
        holder.wait(10)
    assert job["status"] == "succeeded", job
    assert "robotique" not in {d["doc_id"] for d in client.get("/v1/documents").json()["documents"]}


def test_a_job_that_never_gets_the_lock_fails_with_a_french_reason(service_client, tiny_corpus_settings):
    client = service_client(busy_retries=1)
    holder = hold_build_lock(tiny_corpus_settings.index_dir, 8.0)
    try:
        job = wait_job(client, client.post("/v1/index/rebuild").headers["Location"], timeout=30)
    finally:
        holder.kill()
        holder.wait(10)
    assert job["status"] == "failed" and job["error_code"] == "index_busy"
    assert "autre processus" in job["message"] and str(tiny_corpus_settings.index_dir) not in job["message"]


class GatedEmbedder(KeywordEmbedder):
    """Embeds a build's passages only once `gate` is open (holds an indexing job in the middle);
    the sentences a question scores are embedded at once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    def embed_passages(self, texts, batch_size=32, on_progress=None):
        if not self.gate.is_set() and threading.current_thread().name.startswith("index-job"):
            self.waiting.set()
            self.gate.wait(30)
        return super().embed_passages(texts, batch_size, on_progress)


def test_questions_are_answered_from_the_previous_version_while_a_job_runs(tiny_corpus_settings):
    from fastapi.testclient import TestClient

    embedder = GatedEmbedder(VOCABULARY + ["note", "télémédecine", "rurales"])
    app = create_app(tiny_corpus_settings, assistant_factory=lambda s: Assistant(s, embedder),
                     config=HttpConfig.from_settings(tiny_corpus_settings))
    with TestClient(app) as client:
        assert app.state.service.wait_ready(30)
        before = client.get("/readyz").json()["index_version"]
        embedder.gate.clear()
        location = client.post("/v1/documents", files={"file": NOTE}).headers["Location"]
        assert embedder.waiting.wait(10)
        assert client.get(location).json()["status"] == "running"
        during = client.post("/v1/ask", json={"question": QUESTION})
        assert during.status_code == 200 and during.json()["index_version"] == before
        embedder.gate.set()
        job = wait_job(client, location)
        assert job["status"] == "succeeded" and job["index_version"] != before
        assert client.post("/v1/ask", json={"question": QUESTION}).json()["index_version"] == job["index_version"]


def test_two_replicas_on_one_index_answer_an_upload_once_published(service_client):
    first, second = service_client(), service_client()
    assert first.get("/readyz").json() == second.get("/readyz").json()
    job = wait_job(first, first.post("/v1/documents", files={"file": NOTE}).headers["Location"])
    assert job["status"] == "succeeded"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the second replica loads the new version in the background
        answer = second.post("/v1/ask", json={"question": NOTE_QUESTION}).json()
        if answer["index_version"] == job["index_version"]:
            break
        time.sleep(0.05)
    assert answer["index_version"] == job["index_version"]
    assert any(c["doc_id"] == "note" for c in answer["citations"])
    both = [c.post("/v1/ask", json={"question": QUESTION}).json() for c in (first, second)]
    assert both[0]["text"] == both[1]["text"] and both[0]["index_version"] == both[1]["index_version"]


def test_uploads_through_both_replicas_at_once_are_all_indexed(service_client):
    replicas = [service_client(), service_client()]
    files = [("a.md", b"# A\n\nLa note A parle de telemedecine.\n", "text/markdown"),
             ("b.md", b"# B\n\nLa note B parle des zones rurales.\n", "text/markdown")]
    locations = [(replica, replica.post("/v1/documents", files={"file": f}).headers["Location"])
                 for replica, f in zip(replicas, files)]
    jobs = [wait_job(client, location, timeout=60) for client, location in locations]
    assert [j["status"] for j in jobs] == ["succeeded", "succeeded"], jobs
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ids = [{d["doc_id"] for d in r.get("/v1/documents").json()["documents"]} for r in replicas]
        if all({"a", "b"} <= i for i in ids):
            break
        time.sleep(0.05)
    assert all({"a", "b"} <= i for i in ids), ids



def test_too_many_pending_jobs_are_refused_with_429(service_client, tiny_corpus_settings):
    client = service_client(max_pending_jobs=1)
    bot = client.app.state.service.bot
    release, real_rebuild = threading.Event(), bot.rebuild

    def held_rebuild(*args, **kwargs):
        release.wait(30)
        return real_rebuild(*args, **kwargs)

    bot.rebuild = held_rebuild
    first = client.post("/v1/index/rebuild")
    assert first.status_code == 202
    refused = client.post("/v1/documents", files={"file": NOTE})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.json()["error"]["code"] == "too_many_jobs"
    assert not (tiny_corpus_settings.corpus_dir / "note.md").exists()
    release.set()
    assert wait_job(client, first.headers["Location"])["status"] == "succeeded"
    assert client.post("/v1/documents", files={"file": NOTE}).status_code == 202
