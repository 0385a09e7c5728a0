"""Long-lived objects of the Streamlit app: settings, the cached Assistant, index builds.

Streamlit re-runs the page script on every interaction, so anything costly
(the embedding model, the index snapshot) lives in `st.cache_resource`, shared
by every session of the server process and keyed by the settings that define
it. The Assistant itself reloads the index when another process publishes a
new build, so an upload made in one session is searchable from all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from assistant.errors import IndexUnavailable, SettingsError
from assistant.settings import Settings
from ui.llm import generative_available, make_llm  # noqa: F401 (generative_available: the page imports it from here)

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant import Manifest, UpdateReport

DEFAULT_CHARS_PER_CHUNK = 1000  # fallback for progress estimates (≈200 tokens of French)


def load_settings() -> Settings:
    """Settings from the environment (`ASSISTANT_*`) and `assistant.toml`; an unknown
    or unreadable setting stops the page with its French message."""
    try:
        return Settings()
    except SettingsError as error:
        st.error(f"Réglages invalides : {error}")
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers the function never falls through


# Settings that only the page uses: they must not give each test or user a new Assistant.
_PAGE_ONLY_FIELDS = {"feedback_file", "reports_dir", "conversations_file"}


@st.cache_resource(show_spinner=False)
def _assistant(key: str, mode: str, _settings: Settings) -> "Assistant":
    """One Assistant per `key` (the settings it depends on) and mode; `_settings` is not hashed."""
    from assistant.api import Assistant

    llm = make_llm(_settings) if mode == "generative" else None
    # The index is opened lazily (first question or status read), so a missing
    # index can be built by the page with a visible progress bar. The embedding
    # model is loaded once per process and shared by every Assistant.
    return Assistant(_settings, llm=llm, mode=mode)


def get_assistant(settings: Settings, mode: str = "extractive") -> "Assistant":
    """The shared Assistant for these settings (corpus, index, model…) and answer mode."""
    key = settings.model_dump_json(exclude=_PAGE_ONLY_FIELDS)
    return _assistant(key, mode, settings)


# ------------------------------------------------------------------ progress


def estimate_chunks_to_embed(pending: list[Path], manifest: "Manifest | None") -> int:
    """Rough number of passages the next update will embed, for a progress bar.

    The store's progress callback gives only the number done; the total is
    estimated from the size of the `pending` (new or changed) files divided by
    the average passage length of the current index.
    """
    size = 0
    for path in pending:
        try:
            size += path.stat().st_size
        except OSError:
            continue
    return max(1, round(size / _chars_per_chunk(manifest)))


def _chars_per_chunk(manifest: "Manifest | None") -> float:
    if not manifest:
        return DEFAULT_CHARS_PER_CHUNK
    chunks = sum(d.chunk_count for d in manifest.documents)
    if not chunks:
        return DEFAULT_CHARS_PER_CHUNK
    sizes = 0
    for d in manifest.documents:
        try:
            sizes += Path(d.file).stat().st_size
        except OSError:
            return DEFAULT_CHARS_PER_CHUNK
    return max(200.0, sizes / chunks)


class ProgressBar:
    """An `on_progress` callback drawing a Streamlit progress bar.

    Accepts `(done)` as the store sends today, and `(done, total)` should it
    ever send the total; without a total the bar follows the estimate and
    stops at 99 % until the build ends.
    """

    def __init__(self, bar: Any, estimate: int, verb: str = "encodés") -> None:
        self.bar = bar
        self.estimate = max(1, estimate)
        self.verb = verb
        self.done = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        total = total or max(self.estimate, done)
        fraction = min(done / total, 0.99)
        self.bar.progress(fraction, text=f"{done} passages {self.verb} (≈ {total} prévus)")

    def finish(self, text: str) -> None:
        self.bar.progress(1.0, text=text)


def current_manifest(bot: "Assistant") -> "Manifest | None":
    """The manifest of the index in use, or None if there is none or it is unusable."""
    if not bot.has_index():
        return None
    try:
        return bot.snapshot.manifest
    except IndexUnavailable:
        return None


def run_update(
    bot: "Assistant",
    *,
    full: bool = False,
    label: str = "Mise à jour de l'index…",
    action: Callable[[Callable[..., None]], Any] | None = None,
) -> Any:
    """Run an index update inside an `st.status` box with a progress bar.

    By default runs `bot.rebuild(full=full)`; `action(on_progress)` replaces it
    (e.g. an upload followed by its incremental update). Returns what ran
    returned; an error is shown in the status box and re-raised.
    """
    estimate = estimate_chunks_to_embed(bot.pending_files(), current_manifest(bot))
    with st.status(label, expanded=True) as status:
        progress = ProgressBar(st.progress(0.0, text="Lecture des documents…"), estimate)
        try:
            if action is not None:
                result = action(progress)
            else:
                result = bot.rebuild(full=full, on_progress=progress)
        except Exception as error:
            status.update(label="Échec de la mise à jour de l'index", state="error")
            st.error(f"{type(error).__name__} : {error}")
            raise
        progress.finish(f"{progress.done} passages encodés")
        done = update_summary(result) if action is None else "Terminé"
        status.update(label=done, state="complete", expanded=False)
    return result


def update_summary(report: "UpdateReport") -> str:
    """One French line describing what an index update did."""
    if report.up_to_date:
        return f"Index à jour ({report.chunk_count} passages)"
    return (
        f"Index mis à jour : {len(report.added)} ajouté(s), {len(report.changed)} modifié(s), "
        f"{len(report.removed)} retiré(s) — {report.chunk_count} passages"
    )
