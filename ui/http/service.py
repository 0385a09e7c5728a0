"""The service's state: one `Assistant` per app, loaded in the background at start-up.

The app accepts connections at once (`/healthz` answers while the model
and index load); `/readyz` turns 200 once the index is open and every
checksum verified. With no index yet, the corpus is indexed first; when
another process is building it (a second replica starting too), the
loader waits for that build instead of failing. A load that fails (a
damaged index) is retried every `load_retry_seconds`, so `assistant ingest
--rebuild` run beside a waiting server makes it ready without a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from assistant.api import Assistant
from assistant.errors import AssistantError, IndexBusy
from assistant.settings import Settings
from ui.http.config import HttpConfig
from ui.http.errors import RETRY_AFTER_SECONDS, ServiceError, map_core_error
from ui.http.jobs import JobRunner
from ui.http.metrics import ServiceMetrics
from ui.llm import make_llm

log = logging.getLogger(__name__)

AssistantFactory = Callable[[Settings], Assistant]


def default_factory(settings: Settings) -> Assistant:
    """The assistant of a real server: the configured embedder, store and answer mode (the
    generative mode with the configured chat model)."""
    llm = make_llm(settings) if settings.mode == "generative" else None
    return Assistant(settings, llm=llm)


class Service:
    """What every request handler reaches through `request.app.state.service`."""

    def __init__(
        self,
        settings: Settings,
        config: HttpConfig,
        factory: AssistantFactory = default_factory,
    ) -> None:
        self.settings = settings
        self.config = config
        self.factory = factory
        self.metrics = ServiceMetrics()
        self.bot: Assistant | None = None
        self.jobs: JobRunner | None = None
        self.status = "Démarrage : chargement du modèle et de l'index."
        # Answering is CPU-bound: at most `max_concurrent_answers` at once, the others queue.
        self.answer_slots = threading.BoundedSemaphore(max(1, config.max_concurrent_answers))
        self._stop = threading.Event()
        self._loader: threading.Thread | None = None

    # ------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Load the assistant and its index in a background thread."""
        self._loader = threading.Thread(target=self._load, name="assistant-load", daemon=True)
        self._loader.start()

    def stop(self) -> None:
        self._stop.set()
        if self.jobs is not None:
            self.jobs.shutdown()

    def wait_ready(self, timeout: float) -> bool:
        """Block until ready (tests, benchmarks); False on timeout."""
        if self._loader is not None:
            self._loader.join(timeout)
        return self.bot is not None

    def _load(self) -> None:
        retry = self.config.load_retry_seconds
        bot: Assistant | None = None
        while not self._stop.is_set():
            try:
                if bot is None:
                    bot = self.factory(self.settings)
                if not bot.has_index():
                    self.status = "Aucun index : indexation du corpus en cours."
                    bot.rebuild()
                version = bot.snapshot.version  # opens the version and verifies every checksum
            except IndexBusy:
                self.status = "Un autre processus construit l'index : attente de sa publication."
            except AssistantError as error:
                _, _, message, _ = map_core_error(error)
                self.status = message
                log.warning("index not loaded, retrying in %.0f s: %s", retry, error)
            except Exception as error:  # a broken model install: say so, keep trying
                self.status = "Le modèle ou l'index n'a pas pu être chargé : voir le journal du service."
                log.exception("assistant not loaded, retrying in %.0f s: %s", retry, error)
            else:
                self.jobs = JobRunner(bot, self.config, self.metrics)
                self.bot = bot
                self.metrics.ready.set(1)
                self.metrics.show_version(version)
                self.status = "Prêt."
                log.info("ready: index version %s", version)
                return
            self._stop.wait(retry)

    # -------------------------------------------------------------- requests
    def ready_bot(self) -> Assistant:
        """The assistant, or a 503 while it is still loading."""
        if self.bot is None:
            raise ServiceError(503, "not_ready", f"Le service n'est pas encore prêt. {self.status}",
                               {"Retry-After": str(RETRY_AFTER_SECONDS)})
        return self.bot

    def ready_jobs(self) -> JobRunner:
        self.ready_bot()
        assert self.jobs is not None
        return self.jobs
