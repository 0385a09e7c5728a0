"""Answering from one index version, and swapping in the next one without a stall.

An `Engine` is everything needed to answer from one published version:
the snapshot, the hybrid retriever over it and the sentence scorer with the
version's term statistics. `LiveIndex` holds the current engine of a store;
when the store publishes a new version, one background thread loads it
while every question keeps being answered from the engine it already has,
so a question is always answered from a single version and a re-index never
stalls the threads asking questions.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from assistant.config import RetrievalConfig
from assistant.reading import ReaderReranker
from assistant.rerank import SentenceScorer, TermStats
from assistant.retrieve import HybridRetriever
from index.embedder import Embedder
from index.lexical import analyze
from index.store import IndexSnapshot, IndexStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engine:
    """Everything needed to answer from one index version."""

    snapshot: IndexSnapshot
    retriever: HybridRetriever
    scorer: SentenceScorer
    embedder: Embedder
    reader: ReaderReranker | None = None  # reorders the scorer's best sentences (optional)

    @property
    def version(self) -> str:
        return self.snapshot.version


def open_engine(
    store: IndexStore, embedder: Embedder, config: RetrievalConfig, reader: ReaderReranker | None = None
) -> Engine:
    """Open the store's published version for `embedder` (`IndexUnavailable` if unusable)."""
    snapshot = store.open(expected_model_id=embedder.model_id)
    stats = TermStats((), analyze, statistics=snapshot.term_statistics())
    retriever = HybridRetriever(snapshot, embedder, config)
    return Engine(snapshot, retriever, SentenceScorer(snapshot, stats), embedder, reader)


class LiveIndex:
    """The engine of a store's newest usable version (see the module docstring)."""

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        config: RetrievalConfig,
        reader: ReaderReranker | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.config = config
        self.reader = reader
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._reloading = threading.Lock()
        self.failed_version: str | None = None  # a published version that failed to load

    def reopen(self) -> Engine:
        """Open the published version now (after a build), replacing the engine."""
        engine = open_engine(self.store, self.embedder, self.config, self.reader)
        with self._lock:
            self._engine = engine
        return engine

    def current(self) -> Engine:
        """The engine to answer with; a newer version is loaded in the background."""
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = open_engine(self.store, self.embedder, self.config, self.reader)
                return self._engine
        latest = self.store.current_version()
        if latest is not None and latest not in (engine.version, self.failed_version):
            if self._reloading.acquire(blocking=False):
                threading.Thread(target=self._reload, args=(latest,), daemon=True).start()
        return engine

    def _reload(self, version: str) -> None:
        """Load a new version in the background and swap it in."""
        try:
            engine = open_engine(self.store, self.embedder, self.config, self.reader)
            with self._lock:
                self._engine = engine
        except Exception as error:  # a damaged new build: keep answering from the old one
            log.warning("new index version %s not loaded, keeping %s: %s",
                        version, self._engine.version if self._engine else None, error)
            self.failed_version = version
        finally:
            self._reloading.release()
