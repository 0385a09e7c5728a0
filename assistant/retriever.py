"""A LangChain `BaseRetriever` over the assistant's hybrid retrieval.

    retriever = Assistant.load().as_retriever(k=5)
    docs = retriever.invoke("Quel budget pour le Health Data Hub en 2020 ?")
    docs = retriever.invoke("…", k=2)                 # `k` (and `documents`) per call
    docs = await retriever.ainvoke("…")

Each `Document` carries the passage text and its citation metadata under the
keys LangChain's own loaders use: `source` (the document's file path),
`page`, plus `section`, `doc_id`, `chunk_id`, `title`, `score`, the passage's
`start`/`end` offsets and `sources` (every document holding a copy). It
passes `langchain-tests`' standard retriever suite
(`tests/assistant/test_retriever.py`).

The async path (`ainvoke`) runs the same retrieval in a worker thread
(`asyncio.to_thread`): the retrieval is CPU-bound (one query embedding,
FAISS, BM25, the sentence rerank), has no I/O to await, and the ONNX and
FAISS calls release the GIL, so the event loop stays responsive.
"""

from __future__ import annotations

import asyncio

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from assistant.api import Assistant
from assistant.models import ScoredPassage


def passage_to_document(passage: ScoredPassage, source: str = "") -> Document:
    """A LangChain Document with the passage's citation metadata (`source`: the file path)."""
    return Document(
        page_content=passage.text,
        id=passage.chunk_id,
        metadata={
            "source": source,
            "page": passage.page,
            "section": passage.section,
            "doc_id": passage.doc_id,
            "chunk_id": passage.chunk_id,
            "title": passage.title,
            "score": passage.score,
            "start": passage.start,
            "end": passage.end,
            "sources": [s.doc_id for s in passage.sources] or [passage.doc_id],
        },
    )


class AssistantRetriever(BaseRetriever):
    """Hybrid (e5 + French BM25) retrieval with the sentence-level rerank.

    `k` and `documents` set at construction can be overridden per call:
    `invoke(query, k=3, documents=["rapport"])`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Assistant = Field(description="the `Assistant` whose index is searched")
    k: int = Field(5, ge=1, description="passages returned")
    documents: list[str] | None = Field(None, description="doc ids to search (None: all)")

    def _search(self, query: str, k: int | None, documents: list[str] | None) -> list[Document]:
        bot = self.assistant
        passages = bot.retrieve(
            query, k=k or self.k, documents=documents if documents is not None else self.documents
        )
        files = {record.doc_id: record.file for record in bot.documents()}
        return [passage_to_document(p, files.get(p.doc_id, "")) for p in passages]

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        documents: list[str] | None = None,
    ) -> list[Document]:
        return self._search(query, k, documents)

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        k: int | None = None,
        documents: list[str] | None = None,
    ) -> list[Document]:
        return await asyncio.to_thread(self._search, query, k, documents)
