"""Prometheus metrics of the service: requests, latency, answers, index version, build jobs.

One `ServiceMetrics` per app, on its own registry (two apps in one test
process do not mix their counts). Under `assistant serve --workers N` every
worker writes its values to `PROMETHEUS_MULTIPROC_DIR` and `/metrics`
gathers all workers' files (prometheus-client's multiprocess mode), so a
scrape that lands on any worker sees the whole server.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# Latency buckets (seconds): answers take 0.05–2 s on a CPU; retrieval a few ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 1.0, 1.5, 2.5, 5.0, 10.0)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """The shared metrics folder when several worker processes serve, else None."""
    folder = os.environ.get(MULTIPROC_ENV)
    return folder if folder and os.path.isdir(folder) else None


class ServiceMetrics:
    """The service's metrics and how to expose them."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "assistant_http_requests", "HTTP requests answered, by route and status.",
            ["method", "route", "status"], registry=r,
        )
        self.latency = Histogram(
            "assistant_http_request_duration_seconds", "Time to answer an HTTP request.",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=r,
        )
        self.answers = Counter(
            "assistant_answers", "Questions answered, by mode and whether the assistant abstained.",
            ["mode", "abstained"], registry=r,
        )
        self.index_version = Gauge(
            "assistant_index_version_info", "The index version a process answers from (value 1).",
            ["version"], registry=r, multiprocess_mode="liveall",
        )
        self.ready = Gauge(
            "assistant_ready", "1 once the index is loaded and verified.",
            registry=r, multiprocess_mode="livemin",
        )
        self.jobs = Counter(
            "assistant_index_jobs", "Indexing jobs finished, by kind and outcome.",
            ["kind", "status"], registry=r,
        )
        self.jobs_running = Gauge(
            "assistant_index_jobs_running", "Indexing jobs running now.",
            registry=r, multiprocess_mode="livesum",
        )
        self._version_shown: str | None = None

    def show_version(self, version: str | None) -> None:
        """Set the index-version info gauge (one label value at a time)."""
        if version == self._version_shown:
            return
        if self._version_shown is not None:
            self.index_version.remove(self._version_shown)
        if version is not None:
            self.index_version.labels(version=version).set(1)
        self._version_shown = version

    def expose(self) -> bytes:
        """The Prometheus text of this process, or of every worker in multiprocess mode."""
        folder = multiprocess_dir()
        if folder is None:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        gathered = CollectorRegistry()
        multiprocess.MultiProcessCollector(gathered, path=folder)
        return generate_latest(gathered)
