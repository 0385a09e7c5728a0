"""The chat page: questions, streamed cited answers, sources, feedback, kept conversations, corpus tools."""

from __future__ import annotations

import logging
import math
import sqlite3
import uuid
from itertools import chain
from typing import TYPE_CHECKING, Any

import streamlit as st

from assistant.errors import IndexBusy, IndexUnavailable, QuestionError, UploadRejected
from assistant.models import Answer
from assistant.documents import ALLOWED_EXTENSIONS, safe_filename
from ui.components import (
    escape_markdown,
    index_status,
    markdown_block,
    render_abstention,
    render_answer,
    render_confidence,
    render_notes,
    render_short,
    render_sources,
    stream_markdown,
)
from assistant.settings import Settings
from ui.conversations import ConversationStore, to_json, to_markdown
from ui.feedback import append_feedback, feedback_record
from ui.state import (
    generative_available,
    get_assistant,
    load_settings,
    run_update,
    update_summary,
)

if TYPE_CHECKING:
    from assistant import Assistant, IndexSnapshot

log = logging.getLogger(__name__)

MODE_LABELS = {"extractive": "Extractif (phrases citées)", "generative": "Génératif (modèle de langue)"}
LISTED_CONVERSATIONS = 20  # the most recent kept conversations shown in the sidebar
STORE_ERRORS = (sqlite3.Error, OSError)  # a locked, damaged or unwritable history file


def init_state() -> None:
    st.session_state.setdefault("messages", [])
    st.session_state.setdefault("conversation_id", None)
    st.session_state.setdefault("upload_round", 0)
    st.session_state.setdefault("flash", [])


def show_flash() -> None:
    """Messages left by the previous run (e.g. the outcome of an upload)."""
    for kind, text in st.session_state.flash:
        getattr(st, kind)(text)
    st.session_state.flash = []


# ------------------------------------------------------------------ index


def ensure_index(bot: "Assistant") -> "IndexSnapshot":
    """Build the index on first run; return the snapshot in use (stops the page if none)."""
    if not bot.has_index():
        st.info(
            "Premier démarrage : construction de l'index des rapports "
            f"({escape_markdown(str(bot.settings.corpus_dir))}). Cela prend environ une minute."
        )
        try:
            run_update(bot, label="Construction de l'index…")
        except IndexBusy:
            st.warning("Un autre processus construit déjà l'index : patientez puis rechargez la page.")
            st.button("Réessayer")
            st.stop()
        except Exception:
            st.stop()
    try:
        return bot.snapshot
    except IndexUnavailable as problem:
        st.error(f"L'index est inutilisable : {escape_markdown(str(problem))}")
        if st.button("Reconstruire l'index", type="primary"):
            try:
                run_update(bot, full=True, label="Reconstruction complète de l'index…")
            except Exception:
                st.stop()  # the status box shows the error
            st.rerun()
        st.stop()


# ------------------------------------------------------------------ sidebar


def sidebar_mode(settings: Settings) -> str:
    options = ["extractive"] + (["generative"] if generative_available(settings) else [])
    default = settings.mode if settings.mode in options else "extractive"
    mode = st.sidebar.radio(
        "Mode de réponse",
        options,
        index=options.index(default),
        format_func=MODE_LABELS.__getitem__,
        key="mode",
    )
    if len(options) == 1:
        st.sidebar.caption(
            "Mode génératif indisponible : aucun modèle de langue configuré "
            "(ASSISTANT\\_LLM\\_PROVIDER, ASSISTANT\\_LLM\\_MODEL)."
        )
    return mode


def sidebar_search(snapshot: "IndexSnapshot", settings: Settings) -> tuple[list[str] | None, int]:
    """Document filter and number of passages."""
    titles = {d.doc_id: d.title or d.doc_id for d in snapshot.manifest.documents}
    options = sorted(titles, key=lambda doc_id: titles[doc_id].lower())
    if "documents" in st.session_state:  # drop documents that left the corpus
        st.session_state.documents = [d for d in st.session_state.documents if d in titles]
    chosen = st.sidebar.multiselect(
        "Documents interrogés",
        options,
        format_func=lambda doc_id: titles.get(doc_id, doc_id),
        placeholder="Tous les documents",
        key="documents",
        help="Laissez vide pour chercher dans tout le corpus.",
    )
    k = st.sidebar.slider(
        "Passages consultés",
        min_value=1,
        max_value=20,
        value=min(20, max(1, settings.top_k)),
        key="k",
        help="Nombre de passages retenus pour composer la réponse.",
    )
    return (chosen or None), k


def conversation_store() -> ConversationStore:
    """The kept conversations (`conversations_file`, in the user's data directory by default)."""
    return ConversationStore(load_settings().conversations_file)


def sidebar_conversation(store: ConversationStore) -> None:
    if st.sidebar.button("Nouvelle conversation", icon=":material/add_comment:", width="stretch"):
        st.session_state.messages = []
        st.session_state.conversation_id = None
        st.rerun()
    st.sidebar.subheader("Conversations enregistrées")
    try:
        kept = store.conversations()
    except STORE_ERRORS as error:
        st.sidebar.warning(f"Historique indisponible : {escape_markdown(str(error))}")
        return
    if not kept:
        st.sidebar.caption("Aucune conversation enregistrée pour l'instant.")
        return
    for conversation in kept[:LISTED_CONVERSATIONS]:
        current = conversation.id == st.session_state.conversation_id
        if st.sidebar.button(
            conversation.title,
            key=f"open-{conversation.id}",
            type="primary" if current else "secondary",
            width="stretch",
            help=f"{conversation.turns} question(s) — {conversation.updated[:16].replace('T', ' ')} UTC",
        ):
            reopen_conversation(store, conversation.id)
            st.rerun()
    if st.session_state.conversation_id:
        sidebar_export(store, st.session_state.conversation_id)
    with st.sidebar.popover("Effacer l'historique", icon=":material/delete:", width="stretch"):
        st.markdown("Toutes les conversations enregistrées seront supprimées.")
        if st.button("Confirmer l'effacement", key="clear-history", type="primary"):
            try:
                count = store.clear()
            except STORE_ERRORS as error:
                st.session_state.flash.append(("error", f"Historique non effacé : {escape_markdown(str(error))}"))
            else:
                st.session_state.messages = []
                st.session_state.conversation_id = None
                st.session_state.flash.append(("success", f"Historique effacé ({count} conversation(s))."))
            st.rerun()


def sidebar_export(store: ConversationStore, conversation_id: str) -> None:
    """Download the current conversation, with its citations, as Markdown or JSON."""
    try:
        title, turns = store.title(conversation_id), store.turns(conversation_id)
    except STORE_ERRORS:
        return
    if not turns:
        return
    left, right = st.sidebar.columns(2)
    left.download_button(
        "Markdown", to_markdown(title, turns), file_name=f"conversation-{conversation_id}.md",
        mime="text/markdown", icon=":material/download:", key="export-markdown", width="stretch",
    )
    right.download_button(
        "JSON", to_json(title, turns), file_name=f"conversation-{conversation_id}.json",
        mime="application/json", icon=":material/download:", key="export-json", width="stretch",
    )


def reopen_conversation(store: ConversationStore, conversation_id: str) -> None:
    """Show a kept conversation again; the next question follows it up."""
    messages: list[dict[str, Any]] = []
    for turn in store.turns(conversation_id):
        messages.append({"id": "q-" + turn.answer_id, "role": "user", "content": turn.question})
        messages.append({
            "id": turn.answer_id, "role": "assistant", "question": turn.question,
            "answer": turn.answer, "documents": turn.documents, "k": turn.k,
        })
    st.session_state.messages = messages
    st.session_state.conversation_id = conversation_id


def remember_turn(
    question: str, answer: Answer, message_id: str, documents: list[str] | None, k: int
) -> None:
    """Keep the turn in the conversation store (a new conversation on the first question)."""
    store = conversation_store()
    try:
        if st.session_state.conversation_id is None:
            st.session_state.conversation_id = store.create(question)
        store.add_turn(
            st.session_state.conversation_id, question, answer,
            answer_id=message_id, documents=documents, k=k,
        )
    except STORE_ERRORS as error:  # a full disk must not break the conversation
        st.warning(f"Conversation non enregistrée : {escape_markdown(str(error))}")


def sidebar_upload(bot: "Assistant") -> None:
    """Add a PDF, TXT, Markdown or HTML file to the corpus."""
    settings = bot.settings
    st.sidebar.subheader("Ajouter un document")
    uploaded = st.sidebar.file_uploader(
        "PDF, TXT, Markdown ou HTML",
        type=[ext.lstrip(".") for ext in ALLOWED_EXTENSIONS],
        max_upload_size=max(1, math.ceil(settings.max_file_mb)),
        key=f"upload-{st.session_state.upload_round}",
        help=f"Taille maximale : {settings.max_file_mb:g} Mo.",
    )
    if uploaded is None:
        return
    try:
        name = safe_filename(uploaded.name)
    except UploadRejected as error:
        st.sidebar.error(escape_markdown(str(error)))
        return
    exists = (settings.corpus_dir / name).exists()
    overwrite = False
    if exists:
        overwrite = st.sidebar.checkbox(
            f"Remplacer le document existant « {escape_markdown(name)} »", key="overwrite"
        )
    if st.sidebar.button("Ajouter au corpus", type="primary", width="stretch"):
        data = uploaded.getvalue()
        with st.sidebar:
            try:
                outcome = run_update(
                    bot,
                    label=f"Ajout de « {name} »…",
                    action=lambda progress: bot.add_document(
                        uploaded.name,
                        data,
                        content_type=uploaded.type or "",
                        overwrite=overwrite,
                        on_progress=progress,
                    ),
                )
            except Exception:
                return  # the status box shows the error
        kind = "success" if outcome.ok else "error"
        text = escape_markdown(outcome.message)
        if outcome.details:
            text += " (" + escape_markdown(", ".join(outcome.details)) + ")"
        st.session_state.flash.append((kind, text))
        if outcome.ok:
            st.session_state.upload_round += 1  # a fresh, empty uploader
            st.session_state.pop("overwrite", None)
        st.rerun()


def sidebar_index(bot: "Assistant", snapshot: "IndexSnapshot") -> None:
    """Index facts, skipped files and the update button."""
    st.sidebar.subheader("Index")
    status = index_status(snapshot.manifest)
    st.sidebar.markdown(
        "  \n".join(f"**{key}** : {escape_markdown(value)}" for key, value in status.items())
    )
    skipped = snapshot.manifest.skipped
    if skipped:
        with st.sidebar.expander(f"Fichiers ignorés ({len(skipped)})"):
            for entry in skipped:
                st.markdown(
                    f"- {escape_markdown(entry.file.rsplit('/', 1)[-1])} : "
                    f"{escape_markdown(entry.kind.french)}"
                )
    full = st.sidebar.checkbox(
        "Tout réencoder", key="full_rebuild", help="Sinon, seuls les fichiers nouveaux ou modifiés le sont."
    )
    if st.sidebar.button("Mettre à jour l'index", icon=":material/sync:", width="stretch"):
        with st.sidebar:
            try:
                report = run_update(bot, full=full, label="Mise à jour de l'index…")
            except Exception:
                return
        st.session_state.flash.append(("success", escape_markdown(update_summary(report))))
        st.rerun()


# ------------------------------------------------------------------ chat


def conversation_history() -> list[dict[str, str]]:
    """Previous turns, as `Assistant.ask(history=...)` expects them."""
    return [
        {"question": m["answer"].resolved_question or m["question"], "answer": m["answer"].text}
        for m in st.session_state.messages
        if m["role"] == "assistant"
    ]


def save_feedback(message_id: str) -> None:
    """`st.feedback` callback: store the rating of one answer."""
    rating = st.session_state.get(f"feedback-{message_id}")
    message = next((m for m in st.session_state.messages if m.get("id") == message_id), None)
    if rating is None or message is None:
        return
    record = feedback_record(
        message["answer"],
        rating,
        answer_id=message_id,
        documents=message.get("documents"),
        k=message.get("k"),
    )
    try:
        append_feedback(load_settings().feedback_file, record)
    except Exception as error:  # a full disk must not break the conversation
        st.session_state.flash.append(("error", f"Avis non enregistré : {escape_markdown(str(error))}"))
        return
    st.toast("Merci pour votre avis !", icon=":material/thumb_up:")


def feedback_widget(message_id: str) -> None:
    st.feedback("thumbs", key=f"feedback-{message_id}", on_change=save_feedback, args=(message_id,))


def show_history(bot: "Assistant") -> None:
    for message in st.session_state.messages:
        with st.chat_message(message["role"]):
            if message["role"] == "user":
                st.markdown(markdown_block(message["content"]))
            else:
                render_answer(message["answer"], page_images=bot.page_images)
                feedback_widget(message["id"])


def answer_question(bot: "Assistant", question: str, documents: list[str] | None, k: int) -> None:
    """Show the question, stream the answer with its sources, and remember the turn."""
    with st.chat_message("user"):
        st.markdown(markdown_block(question))
    with st.chat_message("assistant"):
        try:
            with st.spinner("Recherche dans les rapports…"):
                stream = bot.stream(question, history=conversation_history(), documents=documents, k=k)
                pieces = iter(stream)
                first = next(pieces, "")  # the answer is composed before its first piece
        except QuestionError as error:
            st.warning(escape_markdown(str(error)), icon=":material/edit_note:")
            return
        except Exception as error:  # index unreadable, model failure…: say so, keep the page alive
            log.exception("question failed")
            st.error(f"La question n'a pas pu être traitée : {escape_markdown(str(error))}")
            return
        answer: Answer = stream.answer
        if answer.abstained:
            render_abstention(answer)
        else:
            render_short(answer)
            st.write_stream(stream_markdown(chain([first], pieces)))
            render_confidence(answer)
            render_sources(answer.citations, bot.page_images)
        render_notes(answer.notes)
        message_id = uuid.uuid4().hex[:12]
        feedback_widget(message_id)
    st.session_state.messages.append({"id": "q-" + message_id, "role": "user", "content": question})
    st.session_state.messages.append(
        {
            "id": message_id,
            "role": "assistant",
            "question": question,
            "answer": answer,
            "documents": documents,
            "k": k,
        }
    )
    remember_turn(question, answer, message_id, documents, k)


def main() -> None:
    init_state()
    settings = load_settings()
    st.title("Assistant IA & santé")
    st.caption(
        "Réponses tirées de rapports français sur l'intelligence artificielle en santé, "
        "chaque phrase citée avec sa source. Quand les rapports ne répondent pas, l'assistant le dit."
    )
    mode = sidebar_mode(settings)
    try:
        with st.spinner("Chargement de l'assistant…"):
            bot = get_assistant(settings, mode)
    except Exception as error:  # e.g. generative mode without its integration package
        st.error(f"Impossible de préparer l'assistant : {escape_markdown(str(error))}")
        st.stop()
    snapshot = ensure_index(bot)
    documents, k = sidebar_search(snapshot, settings)
    sidebar_conversation(conversation_store())
    sidebar_upload(bot)
    sidebar_index(bot, snapshot)
    show_flash()

    question = st.chat_input("Posez une question sur les rapports…")  # always drawn at the bottom
    if not st.session_state.messages and not question:
        st.info("Posez une question, par exemple : « Quels sont les freins à l'usage des données de santé ? »")
    show_history(bot)
    if question:
        answer_question(bot, question, documents, k)


main()
