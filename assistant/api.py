"""The assistant's facade: `Assistant.load()`, `.ask()`, `.retrieve()`, `.stream()`, documents.

Everything a shell (the CLI, the chat page, an HTTP service) or the
evaluation needs goes through this class: questions, the index (status,
rebuild) and the corpus's documents. It holds a `LiveIndex`, so a question
is always answered from a single index version, even while another process
re-indexes the corpus.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering import Responder
from assistant.calibration import NEUTRAL_NOTE, gate_calibration_for, is_neutral
from assistant.documents import (
    UploadOutcome,
    add_document,
    find_document,
    pending_files,
    remove_document,
)
from assistant.engine import Engine, LiveIndex
from assistant.reading import ReaderReranker, SentenceReaderModel
from assistant.evidence import Evidence, clean_question, gather_evidence, search
from assistant.gate import AbstentionGate
from assistant.models import Answer, Citation, ScoredPassage
from assistant.select import SelectionConfig, SentenceSelector
from assistant.settings import Settings
from index.embedder import Embedder, load_embedder
from index.store import (
    DocumentRecord,
    IndexSnapshot,
    IndexStore,
    IndexUnavailable,
    UpdateReport,
    open_store,
)
from ingest.models import Skipped
from ingest.pipeline import DocumentStats, IngestResult, Ingester, document_stats
from ingest.report import format_summary
from ingest.uploads import validate_upload

if TYPE_CHECKING:  # LangChain loads slowly: only its types are needed here
    from langchain_core.language_models import BaseChatModel

    from assistant.generate import GenerativeAnswerer

    from assistant.embeddings import EmbedderEmbeddings
    from assistant.retriever import AssistantRetriever

log = logging.getLogger(__name__)

# A quote runs over two pages at most in practice; never more pages drawn for one citation.
MAX_PAGE_IMAGES = 3


class Assistant:
    """Answers questions over an indexed corpus with cited sentences, or abstains."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        *,
        llm: "BaseChatModel | None" = None,
        mode: str | None = None,
        store: IndexStore | None = None,
        reader: SentenceReaderModel | None = None,
    ) -> None:
        """The index is opened lazily (first question), so a missing one can be built first.

        `reader` (a sentence reader) is loaded from the shipped adapter when
        `settings.reader` is on and none is given."""
        self.settings = settings
        self.embedder = embedder or load_embedder(
            settings.embedding_model, settings.embedding_backend, settings.cache_dir
        )
        self.mode = mode or settings.mode
        if self.mode == "generative" and llm is None:
            raise ValueError(
                "Le mode génératif demande un modèle de chat LangChain : "
                "Assistant.load(mode='generative', llm=...)."
            )
        self.generator: "GenerativeAnswerer | None" = None
        if llm is not None:  # LangChain loads slowly: only the generative mode imports it
            from assistant.generate import GenerativeAnswerer

            self.generator = GenerativeAnswerer(llm)
        gate = AbstentionGate(gate_calibration_for(settings.gate.calibration_path, self.embedder.model_id))
        answers = settings.answers
        self.responder = Responder(
            gate,
            SentenceSelector(SelectionConfig(max_sentences=answers.max_answer_sentences)),
            k=settings.retrieval.top_k,
            rerank_depth=settings.retrieval.rerank_depth,
            max_question_chars=answers.max_question_chars,
            mode=self.mode,
        )
        self.store = store or open_store(settings.store, settings.embedding)
        self.ingester = Ingester(settings.ingest_limits, settings.chunking, self.embedder.count_tokens)
        retrieval = settings.retrieval
        if reader is None and retrieval.reader:
            from index.reader.model import load_reader

            reader = load_reader(settings.cache_dir)  # None (reason logged) without an adapter
        reranker = ReaderReranker(reader, retrieval.reader_candidates) if reader is not None else None
        self.index = LiveIndex(self.store, self.embedder, retrieval, reranker)

    @property
    def gate(self) -> AbstentionGate:
        """The abstention gate the answers go through."""
        return self.responder.gate

    @gate.setter
    def gate(self, gate: AbstentionGate) -> None:
        # A copy of the responder: a shallow copy of this assistant (a variant with
        # another gate, as calibration and the evaluation make) leaves the original's alone.
        responder = copy.copy(self.responder)
        responder.gate = gate
        self.responder = responder

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(
        cls,
        corpus: str | Path | None = None,
        index: str | Path | None = None,
        mode: str | None = None,
        llm: "BaseChatModel | None" = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        build_if_missing: bool = True,
        show_progress: bool = False,
    ) -> "Assistant":
        """Open the index, building it from the corpus if there is none yet.

        A damaged index, or one built with another model, raises
        `IndexUnavailable` with the command that rebuilds it.
        """
        overrides: dict[str, Any] = {}
        if corpus is not None:
            overrides["corpus_dir"] = Path(corpus)
        if index is not None:
            overrides["index_dir"] = Path(index)
        settings = (settings or Settings()).model_copy(update=overrides)
        bot = cls(settings, embedder, llm=llm, mode=mode)
        if build_if_missing and not bot.store.exists():
            log.warning("no index in %s: building it from %s", bot.store.describe(), settings.corpus_dir)
            bot.rebuild(show_progress=show_progress)
        else:
            # A damaged index, or one built with another model, is never answered
            # from nor silently replaced: IndexUnavailable says how to rebuild.
            bot.index.reopen()
        return bot

    def rebuild(
        self,
        *,
        full: bool = False,
        show_progress: bool = False,
        on_progress: Callable[..., None] | None = None,
    ) -> UpdateReport:
        """Update the index from the corpus (incrementally unless `full`)."""
        report = self.store.update(
            self.settings.corpus_dir, self.ingester, self.embedder,
            rebuild=full, on_progress=on_progress, show_progress=show_progress,
        )
        self.index.reopen()
        return report

    @property
    def snapshot(self) -> IndexSnapshot:
        """The index version questions are answered from now."""
        return self.index.current().snapshot

    def index_summary(self, skipped: Sequence[Skipped] = ()) -> str:
        """The per-document table of the index in use (characters in / kept, passages,
        pages, duplicates), then the skipped files."""
        return format_summary(IngestResult(stats=self.document_stats(), skipped=list(skipped)))

    def document_stats(self) -> list[DocumentStats]:
        """Per-document numbers of the index in use (characters in / kept, passages, pages,
        duplicates), sorted by doc id."""
        snapshot = self.snapshot
        documents = sorted(snapshot.documents.values(), key=lambda d: d.doc_id)
        return [document_stats(doc, snapshot.chunks) for doc in documents]

    def has_index(self) -> bool:
        """Whether an index was published (usable or not); cheap."""
        return self.store.current_version() is not None

    # --------------------------------------------------------------- documents
    def documents(self) -> list[DocumentRecord]:
        """The indexed documents (id, title, file, format, passages)."""
        return list(self.snapshot.manifest.documents)

    def add_document(
        self,
        name: str,
        data: bytes,
        *,
        content_type: str = "",
        overwrite: bool = False,
        on_progress: Callable[..., None] | None = None,
    ) -> UploadOutcome:
        """Check a file, store it in the corpus folder and index it (see `assistant.documents`)."""
        known = self.snapshot.manifest.document_files() if self.has_index() else {}
        return add_document(
            self.settings.corpus_dir, self.settings.ingest_limits, known, self.rebuild,
            name, data, content_type=content_type, overwrite=overwrite, on_progress=on_progress,
        )

    def check_upload(self, name: str, data: bytes, *, content_type: str = "") -> str:
        """The safe corpus name of a file `add_document` would accept so far (extension, size,
        content type, magic bytes), without storing it; `UploadRejected` otherwise."""
        return validate_upload(name, data, self.settings.ingest_limits.max_file_mb, content_type)

    def pending_files(self) -> list[Path]:
        """Corpus files that are new or changed since the index in use was built."""
        try:
            records = self.documents() if self.has_index() else []
        except IndexUnavailable:  # a damaged index: everything will be re-read
            records = []
        return pending_files(self.settings.corpus_dir, self.ingester, records)

    def remove_document(self, doc_id: str) -> UpdateReport:
        """Delete a document's file from the corpus and update the index; `DocumentNotFound` if unknown."""
        record = find_document(self.documents(), doc_id)
        return remove_document(self.settings.corpus_dir, record, self.rebuild)

    def check_documents(self, doc_ids: Collection[str] | None) -> None:
        """`DocumentNotFound` (naming the known ids) when one of `doc_ids` is not indexed."""
        records = self.documents()
        for doc_id in doc_ids or ():
            find_document(records, doc_id)

    # ---------------------------------------------------------------- questions
    def retrieve(
        self, question: str, k: int = 10, documents: Collection[str] | None = None
    ) -> list[ScoredPassage]:
        """Top-`k` passages after hybrid fusion and the sentence-level rerank."""
        text, _ = clean_question(question, self.settings.answers.max_question_chars)
        depth = self.settings.retrieval.rerank_depth
        passages, *_ = search(self.index.current(), text, max(k, depth), depth, documents)
        return passages[:k]

    def ask(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> Answer:
        """Answer a question with cited sentences, or abstain."""
        answer, _ = self.ask_with_passages(question, history, documents, k)
        return answer

    def ask_with_passages(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> tuple[Answer, list[ScoredPassage]]:
        """`ask`, also returning the ranked passages (used by the evaluation)."""
        answer, passages, _ = self.responder.answer(self.index.current(), question, history, documents, k)
        if is_neutral(self.gate.calibration):
            # a neutral gate (no calibration for this embedder) has no confidence to give
            answer.confidence = None
            answer.notes.append(NEUTRAL_NOTE)
        if not answer.abstained and self.mode == "generative" and self.generator is not None:
            self._try_generative(answer, answer.resolved_question, passages)
        return answer, passages

    def gather_evidence(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> Evidence:
        """Retrieve, rerank and compute the gate's features for a question."""
        return self._evidence(self.index.current(), question, history, documents, k)

    def _evidence(
        self,
        engine: Engine,
        question: str,
        history: Sequence[object] | None,
        documents: Collection[str] | None,
        k: int | None,
    ) -> Evidence:
        return gather_evidence(
            engine, self.gate, question,
            history=history, documents=documents,
            k=k or self.settings.retrieval.top_k,
            rerank_depth=self.settings.retrieval.rerank_depth,
            max_question_chars=self.settings.answers.max_question_chars,
        )

    def _try_generative(self, answer: Answer, question: str, passages: list[ScoredPassage]) -> None:
        """Replace the extractive text by the model's if it passes the guards."""
        assert self.generator is not None
        try:
            generated, guard = self.generator.generate(question, passages)
        except Exception as error:  # the model server may be down: keep the extractive answer
            log.warning("generative mode failed, extractive answer kept: %s", error)
            answer.notes.append(f"Modèle génératif indisponible ({type(error).__name__}) : réponse extractive.")
            answer.mode = "extractive"
            return
        if not guard.ok:
            log.warning("generated answer rejected by the guards: %s", "; ".join(guard.problems))
            answer.notes.append("Réponse générée rejetée par les garde-fous : réponse extractive.")
            answer.notes += guard.problems
            answer.mode = "extractive"
            return
        from assistant.generate import renumber

        answer.text, answer.citations = renumber(generated, passages)

    def page_images(self, citation: Citation) -> list[tuple[int, bytes]]:
        """The PDF pages a citation quotes, as PNG with the quote highlighted:
        `[(page, png), …]`; empty for a text source, or when the file is gone or
        changed since it was indexed (the passage text is then all there is)."""
        from ingest.pdf.render import render_quote

        document = self.snapshot.documents.get(citation.doc_id)
        if document is None or document.format != "pdf":
            return []
        spans = citation.highlights or [(citation.start, citation.end)]
        quotes = tuple(citation.passage[start:end] for start, end in spans)
        pages = citation.pages or ([citation.page] if citation.page else [])
        images = []
        for page in pages[:MAX_PAGE_IMAGES]:
            png = render_quote(document.source_path, page, quotes, document.content_hash)
            if png is not None:
                images.append((page, png))
        return images

    def as_retriever(self, k: int = 5, documents: list[str] | None = None) -> "AssistantRetriever":
        """A LangChain retriever over this assistant's hybrid retrieval (`k`, `documents`
        can also be given per call: `invoke(query, k=3)`)."""
        from assistant.retriever import AssistantRetriever

        return AssistantRetriever(assistant=self, k=k, documents=documents)

    def embeddings(self) -> "EmbedderEmbeddings":
        """This assistant's embedding model as a LangChain `Embeddings`."""
        from assistant.embeddings import EmbedderEmbeddings

        return EmbedderEmbeddings(self.embedder, self.settings.embedding_batch_size)

    def stream(
        self,
        question: str,
        history: Sequence[object] | None = None,
        documents: Collection[str] | None = None,
        k: int | None = None,
    ) -> "StreamingAnswer":
        """Iterate over text pieces of the answer; `.answer` holds the result after."""
        return StreamingAnswer(self, question, history, documents, k)


class StreamingAnswer:
    """Iterable of answer text pieces; `answer` is set once iteration ends.

    The guards of the generative mode need the whole generated text, so the
    answer is checked first and then streamed sentence by sentence.
    """

    def __init__(
        self,
        bot: Assistant,
        question: str,
        history: Sequence[object] | None,
        documents: Collection[str] | None,
        k: int | None,
    ) -> None:
        self._bot = bot
        self._args = (question, history, documents, k)
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = self._bot.ask(*self._args)
        pieces = re.split(r"(?<=\])\s+", self.answer.text)
        for index, piece in enumerate(pieces):
            yield piece if index == len(pieces) - 1 else piece + " "
